/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gate.c: the MAIL FROM decision of dotgate.conf(5), DECISIONS AT MAIL
 * FROM (see gate.h).
 * One function walks the five checks in their fixed order and stops at
 * the first that applies, so the audit "rule" always names exactly one
 * reason.  Pure: no libmilter, no allocation, no locks; the milter glue
 * gathers the macros and turns the result into smfi_setreply() and
 * SMFIS_REJECT (or, in monitor mode, only records it).
 */
#include <netinet/in.h>
#include <string.h>

#include "cidr.h"
#include "gate.h"
#include "mechclass.h"
#include "owner.h"
#include "util.h"

/* Longest macro value compared; longer ones cannot match a list. */
#define GATE_TOKEN_MAX 1024

static bool empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* Case-insensitive membership; an over-long or absent value is in no list. */
static bool in_list(char *const *list, size_t n, const char *value)
{
	if (empty(value) || strnlen(value, GATE_TOKEN_MAX + 1) > GATE_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (dg_strcasecmp_ascii(list[i], value) == 0)
			return true;
	return false;
}

/*
 * Check 1.  A client without an IP address (NULL, or a unix-domain or
 * other non-IP peer) is local submission, which the MTA authorises by
 * itself.  An absent {daemon_name} is "not in the list".
 */
static bool exempt(const struct dg_policy_auth *a, const struct gate_input *in)
{
	if (in->client == NULL)
		return true;
	if (in->client->sa_family != AF_INET && in->client->sa_family != AF_INET6)
		return true;
	if (cidr_list_match(a->exempt, in->client))
		return true;
	return a->ndaemons > 0 && !in_list(a->daemons, a->ndaemons, in->daemon_name);
}

void gate_refuse(struct gate_result *out, enum gate_rule rule,
		 const struct dg_reply *r, const char *sender, const char *login)
{
	struct reply_vars v = { sender, login, NULL };

	out->rule = rule;
	out->refuse = true;
	reply_expand(r, &v, out->reply, sizeof(out->reply));
}

/*
 * A remote login map that cannot answer is an internal error: on_error
 * tempfail gives the 4xx reply_lookup_error (the client retries, no
 * mail is lost), accept lets the sender through.
 */
static void lookup_failed(const struct dg_policy *p, struct gate_result *out,
			  const char *shown, const char *login)
{
	out->lookup_failed = true;
	out->body_exempt = false;
	if (p->on_error == DG_ONERR_TEMPFAIL)
		gate_refuse(out, GATE_NOT_OWNED, &p->senders.lookup_error, shown, login);
}

/* Check 5: the ownership facts with unlisted and null_sender applied. */
static bool sender_allowed(const struct dg_policy_senders *s, enum owner_result r)
{
	switch (r) {
	case OWNER_OWNED:
		return true;
	case OWNER_UNLISTED:
		return s->unlisted == DG_UNLISTED_ALLOW;
	case OWNER_NULL:
		return s->null_sender == DG_NULL_ALLOW;
	case OWNER_OTHERS:
	case OWNER_INVALID:
	case OWNER_FAILED:
		break;
	}
	return false;
}

void gate_decide(const struct dg_policy *p, const struct gate_input *in,
		 struct gate_result *out)
{
	char shown[OWNER_ADDR_MAX + 1];
	const struct dg_policy_auth *a = &p->auth;
	enum owner_result owned;

	out->rule = GATE_PASS;
	out->refuse = false;
	out->body_exempt = false;
	out->lookup_failed = false;
	out->sender_checked = false;
	out->reply[0] = '\0';
	(void)owner_strip(in->sender, shown, sizeof(shown));

	if (exempt(a, in)) {
		out->rule = GATE_EXEMPT;
		return;
	}
	if (empty(in->auth_authen)) {
		if (a->require)
			gate_refuse(out, GATE_UNAUTHENTICATED, &a->unauthenticated, shown, NULL);
		return;		/* not required: nothing to check a login against */
	}
	if (a->nmechanisms > 0 && !in_list(a->mechanisms, a->nmechanisms, in->auth_type)) {
		gate_refuse(out, GATE_MECHANISM, &a->mechanism, shown, in->auth_authen);
		return;
	}
	if (a->plaintext_needs_tls && empty(in->tls_version)
	    && mechclass_is_plaintext(in->auth_type)) {
		gate_refuse(out, GATE_PLAINTEXT, &a->plaintext, shown, in->auth_authen);
		return;
	}
	out->body_exempt = in_list(p->body.exempt_logins, p->body.nexempt_logins,
				   in->auth_authen);
	if (out->body_exempt)
		out->rule = GATE_EXEMPT;
	if (in_list(a->exempt_logins, a->nexempt_logins, in->auth_authen)) {
		out->rule = GATE_EXEMPT;
		return;
	}
	out->sender_checked = true;
	owned = owner_lookup(&p->senders, in->sender, in->auth_authen, in->remote);
	if (owned == OWNER_FAILED) {
		lookup_failed(p, out, shown, in->auth_authen);
		return;
	}
	if (!sender_allowed(&p->senders, owned)) {
		if (owned == OWNER_NULL)
			shown[0] = '\0';	/* "<>" or <""> is shown as <> */
		out->body_exempt = false;
		gate_refuse(out, GATE_NOT_OWNED, &p->senders.reply, shown, in->auth_authen);
	}
}

/* The one table of rule names, as records and metrics write them. */
const char *const gate_rule_names[] = {
	[GATE_PASS] = "pass",
	[GATE_EXEMPT] = "auth.exempt",
	[GATE_UNAUTHENTICATED] = "auth.unauthenticated",
	[GATE_MECHANISM] = "auth.mechanism",
	[GATE_PLAINTEXT] = "auth.plaintext",
	[GATE_NOT_OWNED] = "sender.not_owned",
	[GATE_HEADER_NOT_OWNED] = "sender.header_not_owned",
	[GATE_HEADER_MALFORMED] = "sender.header_malformed",
	[GATE_BODY] = "body",
};
_Static_assert(DG_ARRAY_LEN(gate_rule_names) == GATE_RULE_COUNT,
	       "one name per gate rule");

const char *gate_rule_name(enum gate_rule r)
{
	return dg_name(gate_rule_names, GATE_RULE_COUNT, r, "gate rule");
}
