/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	verdict - from the MAIL decision, a body scan and the policy to what
 *	is done to the message and what its audit record says
 * SYNOPSIS
 *	void verdict_body(const struct dg_policy *p, const struct scan_result *r,
 *			  struct body_verdict *out);
 *	void verdict_final(const struct dg_policy *p, enum dg_stage stage,
 *			   const struct gate_result *mail,
 *			   const struct scan_result *scan,
 *			   struct final_decision *out);
 *	const char *verdict_stage_name(enum dg_stage s);
 *	extern const char *const dg_stage_names[DG_STAGE_COUNT];
 * DESCRIPTION
 *	"Classes seen" are the classes found whose action is not ignore, in
 *	the order of dotgate.conf(5), BODY ANOMALY CLASSES.
 *	verdict_body() fills out with the enforce-mode
 *	verdict (the strongest action among them, accept when none),
 *	the "%a" list ("bare_cr, smuggled_transaction"), whether the tag
 *	header is due (a tag action among them, or the verdict is
 *	quarantine, and the verdict is neither reject nor tempfail), its
 *	value ("bare_cr=2, smtp_commands=1"), and the expanded reply for a
 *	reject or tempfail verdict ("550 5.6.0 ..."; empty otherwise).
 *	It does not look at the policy mode.
 *
 *	verdict_final() is the whole decision of a transaction at one
 *	stage, monitor mode included (dotgate.conf(5), DECISIONS AT MAIL FROM,
 *	MONITOR MODE and AUDIT RECORD); the
 *	milter glue only translates it into libmilter calls.  mail is the
 *	gate's decision at MAIL FROM; scan is the body scan, NULL when no
 *	body byte arrived (always at DG_STAGE_MAIL; at DG_STAGE_ABORT when
 *	the transaction ended before the body).  out says
 *	  what to do:	record (write the transaction's one record now),
 *			refuse (set reply, then reject or tempfail as its
 *			class says), quarantine (hold with the reason
 *			"dotgate: " + body.alist), tag (add the tag header
 *			with body.tag_value);
 *	  the record:	has_verdict/verdict, has_would/would, body_rule
 *			(the rule is "body", else the MAIL rule) and reply
 *			("" when none).
 *	At MAIL an envelope refused in enforce mode is recorded and refused
 *	there; otherwise nothing happens until end of message or abort.
 *	At end of message in enforce mode the body verdict is done,
 *	unless mail is a refusal made there (the From: header, hfrom.h):
 *	then that refusal is, with its rule, before the body's.  In
 *	monitor mode nothing is refused, held or tagged: verdict is log
 *	when enforce mode would not have accepted (else accept), would is
 *	what it would have done (none for accept), and the MAIL decision
 *	comes first for would, rule and reply.  Abort records have no
 *	verdict; in monitor mode an envelope enforce mode would have
 *	refused says so in would and reply, since no MAIL record was
 *	written for it.  A class seen in a body read before an abort makes
 *	the rule "body" (unless that monitor-mode refusal comes first).
 */
#ifndef DG_VERDICT_H
#define DG_VERDICT_H

#include <stdbool.h>

#include "anomaly.h"
#include "gate.h"
#include "policy.h"
#include "reply.h"
#include "scanner.h"

#define DG_ALIST_MAX 256

struct body_verdict {
	enum dg_verdict verdict;
	bool seen;			/* any class seen */
	bool tag;
	char alist[DG_ALIST_MAX];	/* %a */
	char tag_value[DG_ALIST_MAX];	/* header value */
	char reply[DG_REPLY_MAX + 1];	/* "550 5.6.0 text" or "" */
};

enum dg_stage { DG_STAGE_MAIL, DG_STAGE_EOM, DG_STAGE_ABORT, DG_STAGE_COUNT };

struct final_decision {
	bool record;
	bool refuse;
	bool quarantine;
	bool tag;
	bool has_verdict;		/* false on abort records */
	enum dg_verdict verdict;
	bool has_would;
	enum dg_verdict would;
	bool body_rule;
	char reply[DG_REPLY_MAX + 1];	/* "" when none */
	struct body_verdict body;	/* all zero when scan is NULL */
};

void verdict_body(const struct dg_policy *p, const struct scan_result *r,
		  struct body_verdict *out);
void verdict_final(const struct dg_policy *p, enum dg_stage stage,
		   const struct gate_result *mail, const struct scan_result *scan,
		   struct final_decision *out);
const char *verdict_stage_name(enum dg_stage s);

extern const char *const dg_stage_names[];	/* DG_STAGE_COUNT names */

#endif
