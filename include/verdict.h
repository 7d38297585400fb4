/*
 * NAME
 *	verdict - from a body scan and the policy to what is done to the message
 * SYNOPSIS
 *	void verdict_body(const struct dg_policy *p, const struct scan_result *r,
 *			  struct body_verdict *out);
 * DESCRIPTION
 *	"Classes seen" are the classes found whose action is not ignore, in
 *	contract order.  verdict_body() fills out with the enforce-mode
 *	verdict (the strongest action among them, accept when none),
 *	the "%a" list ("bare_cr, smuggled_transaction"), whether the tag
 *	header is due (a tag action among them, or the verdict is
 *	quarantine, and the verdict is neither reject nor tempfail), its
 *	value ("bare_cr=2, smtp_commands=1"), and the expanded reply for a
 *	reject or tempfail verdict ("550 5.6.0 ..."; empty otherwise).
 *	It does not look at the policy mode: callers apply monitor mode.
 */
#ifndef DG_VERDICT_H
#define DG_VERDICT_H

#include <stdbool.h>

#include "anomaly.h"
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

void verdict_body(const struct dg_policy *p, const struct scan_result *r,
		  struct body_verdict *out);

#endif
