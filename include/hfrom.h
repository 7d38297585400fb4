/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	hfrom - the header half of the sender gate: the From:, Sender:,
 *	Resent-From: and Resent-Sender: addresses owned by the login
 *	(dotgate.conf(5), HEADER FROM)
 * SYNOPSIS
 *	struct hfrom *hfrom_new(void);
 *	void hfrom_reset(struct hfrom *h);
 *	void hfrom_free(struct hfrom *h);
 *	void hfrom_header(struct hfrom *h, const char *name, const char *value);
 *	void hfrom_decide(const struct dg_policy *p, const struct hfrom *h,
 *			  const char *login, const struct owner_remote *remote,
 *			  struct gate_result *out);
 *	const struct addrlist *hfrom_from(const struct hfrom *h);
 * DESCRIPTION
 *	The milter hands every header of a transaction that
 *	senders.header_from = check holds (gate_result.sender_checked and
 *	no envelope refusal) to hfrom_header(): the name is compared
 *	case-insensitively (ASCII), the value is parsed (addrlist.h) when
 *	it is the first From:, Sender:, Resent-From: or Resent-Sender:,
 *	and only counted when it is a later one.  hfrom_reset() starts a
 *	new transaction.
 *
 *	hfrom_decide() is the decision at end of message, out filled as
 *	gate_decide() fills it: rule GATE_PASS (nothing refused) or a
 *	refusal with rule GATE_HEADER_MALFORMED (senders.reply_header_
 *	malformed) or GATE_HEADER_NOT_OWNED (senders.reply_header_from;
 *	with a remote map that failed and on_error tempfail,
 *	senders.reply_lookup_error).  In order, the first that holds:
 *	  malformed	no From:, more than one From: or Sender:, a From:
 *			with no address, any of the four fields unreadable
 *			(an addrlist error), a From: with several addresses
 *			and no Sender:, a Sender: or Resent-Sender: with
 *			other than one address;
 *	  not owned	an address of From:, Sender:, and of the first
 *			(topmost, the latest) Resent-From: and Resent-
 *			Sender:, in that order, that owner_lookup() with
 *			senders.unlisted does not allow the login; %s is
 *			that address.
 *	Older resent blocks are history and are not checked.  It does not
 *	look at the policy mode (verdict.h applies monitor mode) and
 *	allocates nothing.
 *
 *	hfrom_from() is the From: addresses for the record's header_from
 *	(n 0 when there was no From:).
 */
#ifndef DG_HFROM_H
#define DG_HFROM_H

#include "addrlist.h"
#include "gate.h"
#include "owner.h"
#include "policy.h"

struct hfrom;

struct hfrom *hfrom_new(void);
void hfrom_reset(struct hfrom *h);
void hfrom_free(struct hfrom *h);
void hfrom_header(struct hfrom *h, const char *name, const char *value);
void hfrom_decide(const struct dg_policy *p, const struct hfrom *h,
		  const char *login, const struct owner_remote *remote,
		  struct gate_result *out);
const struct addrlist *hfrom_from(const struct hfrom *h);

#endif
