/*
 * verdict.c: turns a body scan into what the policy says to do with the
 * message (see verdict.h): the strongest action among the classes seen,
 * the "%a" list, the tag header value and the reply.  Pure: the milter
 * glue applies it, and monitor mode, itself.
 */
#include <stdio.h>
#include <string.h>

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
	default:
		return DG_VERDICT_ACCEPT;
	}
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
