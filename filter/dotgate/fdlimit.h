/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	fdlimit - the descriptor limit against the load dotgate must hold
 * SYNOPSIS
 *	#include "fdlimit.h"
 *
 *	void fdlimit_raise(void);
 *	void fdlimit_check(const struct dg_policy *p);
 * DESCRIPTION
 *	Every MTA connection costs the daemon one descriptor, two while its
 *	MAIL FROM asks a socketmap or tcp login map.  At the limit,
 *	libmilter's accept() fails with EMFILE and its listener retries at
 *	once, a busy loop that leaves the MTA waiting (dotgate(8),
 *	"LIMITS").
 *
 *	fdlimit_raise() sets the soft RLIMIT_NOFILE to the hard one (no
 *	privilege needed) and logs the change; called once at start.
 *
 *	fdlimit_check() logs a warning when the soft limit cannot hold
 *	FDLIMIT_SITE_CONNS concurrent connections under policy p, plus
 *	FDLIMIT_RESERVE for the daemon's own descriptors; called at start
 *	and after each reload (a reload may add a remote map).
 */
#ifndef DG_FDLIMIT_H
#define DG_FDLIMIT_H

#include "policy.h"

/* What Postfix's defaults give: default_process_limit (100) smtpd
 * processes for each of smtp, submission and submissions, each holding
 * one milter connection. */
#define FDLIMIT_SITE_CONNS 300
/* stdio, the listening socket, libmilter's and dotgate's pipes, syslog
 * and the audit file (two during a reopen): 11 idle; the metrics
 * endpoint and its 32 clients at most (dotgate(8) METRICS). */
#define FDLIMIT_RESERVE 48

void fdlimit_raise(void);
void fdlimit_check(const struct dg_policy *p);

#endif
