/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hfrom.c: the header half of the sender gate (see hfrom.h).  The
 * envelope sender is what the MTA relays by; From: is what the reader
 * sees and DMARC aligns on, so with senders.header_from = check it is
 * held to the same login map at end of message.  Where the header
 * leaves the author open to more than one reading (no From:, two of
 * them, several authors with no Sender:, a value the parser refuses),
 * the message is refused as malformed rather than guessed at.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hfrom.h"
#include "util.h"

enum hfrom_field { HF_FROM, HF_SENDER, HF_RESENT_FROM, HF_RESENT_SENDER, HF_COUNT };

static const char *const field_names[HF_COUNT] = {
	[HF_FROM] = "From",
	[HF_SENDER] = "Sender",
	[HF_RESENT_FROM] = "Resent-From",
	[HF_RESENT_SENDER] = "Resent-Sender",
};

struct hfrom {
	unsigned seen[HF_COUNT];		/* fields of each name */
	struct addrlist list[HF_COUNT];		/* the first of each */
	enum addrlist_error error[HF_COUNT];
};

struct hfrom *hfrom_new(void)
{
	struct hfrom *h = xmalloc(sizeof(*h));

	hfrom_reset(h);
	return h;
}

void hfrom_reset(struct hfrom *h)
{
	for (int f = 0; f < HF_COUNT; f++) {
		h->seen[f] = 0;
		h->error[f] = ADDRLIST_OK;
		addrlist_init(&h->list[f]);
	}
}

void hfrom_free(struct hfrom *h)
{
	free(h);
}

void hfrom_header(struct hfrom *h, const char *name, const char *value)
{
	for (int f = 0; f < HF_COUNT; f++) {
		if (name == NULL || strcasecmp(name, field_names[f]) != 0)
			continue;
		/* Later fields are only counted: two From: or Sender: are
		 * malformed, and older resent blocks are history. */
		if (h->seen[f]++ > 0)
			return;
		addrlist_push(&h->list[f], value ? value : "", value ? strlen(value) : 0);
		h->error[f] = addrlist_finish(&h->list[f]);
		return;
	}
}

const struct addrlist *hfrom_from(const struct hfrom *h)
{
	return &h->list[HF_FROM];
}

/* What makes the header unreadable as one author (hfrom.h, malformed). */
static bool malformed(const struct hfrom *h)
{
	for (int f = 0; f < HF_COUNT; f++)
		if (h->seen[f] > 0 && h->error[f] != ADDRLIST_OK)
			return true;
	if (h->seen[HF_FROM] != 1 || h->list[HF_FROM].n == 0 || h->seen[HF_SENDER] > 1)
		return true;
	if (h->list[HF_FROM].n > 1 && h->seen[HF_SENDER] == 0)
		return true;
	if (h->seen[HF_SENDER] > 0 && h->list[HF_SENDER].n != 1)
		return true;
	return h->seen[HF_RESENT_SENDER] > 0 && h->list[HF_RESENT_SENDER].n != 1;
}

/*
 * The envelope's rules for one address, unlisted included; the null
 * sender has no meaning in a header, so nothing that owner_lookup()
 * calls null or invalid is allowed.
 */
static enum owner_result ask(const struct dg_policy *p, const char *addr,
			     const char *login, const struct owner_remote *remote,
			     bool *allowed)
{
	enum owner_result r = owner_lookup(&p->senders, addr, login, remote);

	*allowed = r == OWNER_OWNED
		   || (r == OWNER_UNLISTED && p->senders.unlisted == DG_UNLISTED_ALLOW);
	return r;
}

void hfrom_decide(const struct dg_policy *p, const struct hfrom *h,
		  const char *login, const struct owner_remote *remote,
		  struct gate_result *out)
{
	out->rule = GATE_PASS;
	out->refuse = false;
	out->reply[0] = '\0';
	if (malformed(h)) {
		gate_refuse(out, GATE_HEADER_MALFORMED,
			    &p->senders.reply_header_malformed, "", login);
		return;
	}
	for (int f = 0; f < HF_COUNT; f++) {
		for (size_t i = 0; i < h->list[f].n; i++) {
			const char *addr = addrlist_addr(&h->list[f], i);
			bool allowed;

			if (ask(p, addr, login, remote, &allowed) == OWNER_FAILED) {
				out->lookup_failed = true;
				if (p->on_error == DG_ONERR_TEMPFAIL)
					gate_refuse(out, GATE_HEADER_NOT_OWNED,
						    &p->senders.lookup_error, addr, login);
				return;
			}
			if (!allowed) {
				gate_refuse(out, GATE_HEADER_NOT_OWNED,
					    &p->senders.reply_header_from, addr, login);
				return;
			}
		}
	}
}
