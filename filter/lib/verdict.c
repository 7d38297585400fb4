/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verdict.c: turns the MAIL decision and a body scan into what the
 * policy says to do with the message and what its record says (see
 * verdict.h): the strongest action among the classes seen, the "%a"
 * list, the tag header value, the reply, and monitor mode's "would".
 * Pure, so that every rule of dotgate.conf(5), THE VERDICT and MONITOR
 * MODE, is unit-tested
 * without a socket; the milter glue only applies the answer.
 */
#include <stdio.h>
#include <string.h>

#include "util.h"
#include "verdict.h"

/* Append "sep" (unless at the start) and text; never overflows, cuts. */
static void append(char *buf, size_t size, const char *sep, const char *text)
{
	size_t len = strlen(buf);

	if (len > 0 && len < size)
		len += (size_t)snprintf(buf + len, size - len, "%s", sep);
	if (len < size)
		(void)snprintf(buf + len, size - len, "%s", text);
}

static enum dg_verdict verdict_of(enum dg_action a)
{
	switch (a) {
	case DG_ACT_REJECT:
		return DG_VERDICT_REJECT;
	case DG_ACT_TEMPFAIL:
		return DG_VERDICT_TEMPFAIL;
	case DG_ACT_QUARANTINE:
		return DG_VERDICT_QUARANTINE;
	case DG_ACT_TAG:
		return DG_VERDICT_TAG;
	case DG_ACT_LOG:
		return DG_VERDICT_LOG;
	case DG_ACT_IGNORE:
		return DG_VERDICT_ACCEPT;
	case DG_ACT_COUNT:
	default:
		break;
	}
	dg_panic("verdict_of: no action %d", (int)a);
}

void verdict_body(const struct dg_policy *p, const struct scan_result *r,
		  struct body_verdict *out)
{
	enum dg_action best = DG_ACT_IGNORE;
	bool any_tag = false;

	memset(out, 0, sizeof(*out));
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		enum dg_action a = p->body.action[c];
		char item[64];

		if (r->cls[c].count == 0 || a == DG_ACT_IGNORE)
			continue;
		out->seen = true;
		if (a > best)
			best = a;
		if (a == DG_ACT_TAG)
			any_tag = true;
		append(out->alist, sizeof(out->alist), ", ",
		       dg_class_name((enum dg_class)c));
		(void)snprintf(item, sizeof(item), "%s=%llu",
			       dg_class_name((enum dg_class)c),
			       (unsigned long long)r->cls[c].count);
		append(out->tag_value, sizeof(out->tag_value), ", ", item);
	}
	out->verdict = verdict_of(best);
	out->tag = (any_tag || out->verdict == DG_VERDICT_QUARANTINE)
	    && out->verdict != DG_VERDICT_REJECT
	    && out->verdict != DG_VERDICT_TEMPFAIL;
	if (out->verdict == DG_VERDICT_REJECT || out->verdict == DG_VERDICT_TEMPFAIL) {
		struct reply_vars v = { NULL, NULL, out->alist };

		reply_expand(out->verdict == DG_VERDICT_REJECT ?
			     &p->body.reject : &p->body.tempfail,
			     &v, out->reply, sizeof(out->reply));
	}
}

/* A refusal's verdict follows its reply class: 4xx defers. */
static enum dg_verdict reply_verdict(const char *reply)
{
	return reply[0] == '4' ? DG_VERDICT_TEMPFAIL : DG_VERDICT_REJECT;
}

static void copy_reply(struct final_decision *out, const char *reply)
{
	(void)snprintf(out->reply, sizeof(out->reply), "%s", reply);
}

static void final_mail(const struct dg_policy *p, const struct gate_result *mail,
		       struct final_decision *out)
{
	if (!mail->refuse || p->mode == DG_MODE_MONITOR)
		return;		/* decided at end of message, with the body */
	out->record = out->refuse = out->has_verdict = true;
	out->verdict = reply_verdict(mail->reply);
	copy_reply(out, mail->reply);
}

/* Enforce mode at end of message: a refusal of the sender gate made
 * there (the From: header, hfrom.h) comes before the body's verdict,
 * as the MAIL decision does in monitor mode. */
static void final_eom_enforce(const struct gate_result *mail,
			      const struct body_verdict *bv,
			      struct final_decision *out)
{
	if (mail->refuse) {
		out->refuse = true;
		out->verdict = reply_verdict(mail->reply);
		copy_reply(out, mail->reply);
		return;
	}
	out->verdict = bv->verdict;
	out->body_rule = bv->seen;
	out->refuse = bv->verdict == DG_VERDICT_REJECT
		      || bv->verdict == DG_VERDICT_TEMPFAIL;
	out->quarantine = bv->verdict == DG_VERDICT_QUARANTINE;
	out->tag = bv->tag;
	copy_reply(out, bv->reply);
}

/* Monitor mode: do nothing, say what enforce mode would have done, the
 * MAIL decision first. */
static void final_eom_monitor(const struct gate_result *mail,
			      const struct body_verdict *bv,
			      struct final_decision *out)
{
	if (mail->refuse) {
		out->would = reply_verdict(mail->reply);
		copy_reply(out, mail->reply);
	} else {
		out->would = bv->verdict;
		out->body_rule = bv->seen;
		copy_reply(out, bv->reply);
	}
	out->has_would = out->would != DG_VERDICT_ACCEPT;
	out->verdict = out->has_would ? DG_VERDICT_LOG : DG_VERDICT_ACCEPT;
}

static void final_abort(const struct dg_policy *p, const struct gate_result *mail,
			bool scanned, struct final_decision *out)
{
	bool monitor_refusal = p->mode == DG_MODE_MONITOR && mail->refuse;

	out->record = true;
	out->body_rule = scanned && out->body.seen && !monitor_refusal;
	if (monitor_refusal) {
		out->has_would = true;
		out->would = reply_verdict(mail->reply);
		copy_reply(out, mail->reply);
	}
}

void verdict_final(const struct dg_policy *p, enum dg_stage stage,
		   const struct gate_result *mail, const struct scan_result *scan,
		   struct final_decision *out)
{
	memset(out, 0, sizeof(*out));
	if (scan != NULL)
		verdict_body(p, scan, &out->body);
	switch (stage) {
	case DG_STAGE_MAIL:
		final_mail(p, mail, out);
		break;
	case DG_STAGE_EOM:
		out->record = out->has_verdict = true;
		if (p->mode == DG_MODE_MONITOR)
			final_eom_monitor(mail, &out->body, out);
		else
			final_eom_enforce(mail, &out->body, out);
		break;
	case DG_STAGE_ABORT:
		final_abort(p, mail, scan != NULL, out);
		break;
	case DG_STAGE_COUNT:
	default:
		dg_panic("verdict_final: no stage %d", (int)stage);
	}
}

/* The one table of stage names, as records and metrics write them. */
const char *const dg_stage_names[] = {
	[DG_STAGE_MAIL] = "mail",
	[DG_STAGE_EOM] = "eom",
	[DG_STAGE_ABORT] = "abort",
};
_Static_assert(DG_ARRAY_LEN(dg_stage_names) == DG_STAGE_COUNT,
	       "one name per stage");

const char *verdict_stage_name(enum dg_stage s)
{
	return dg_name(dg_stage_names, DG_STAGE_COUNT, s, "stage");
}
