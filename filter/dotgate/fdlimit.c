/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fdlimit.c: the daemon's descriptor limit, raised to what it may have
 * and checked against the load it is configured for (dotgate(8),
 * "LIMITS"; see fdlimit.h).  The check is a warning, never a refusal to
 * start: a small site runs fine below it, and a filter that will not
 * start is worse than one that may run short under a peak.
 */
#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "fdlimit.h"
#include "log.h"

/* Linux's fs.nr_open default: the most a soft limit of "infinity" gets. */
#define NR_OPEN_DEFAULT 1048576

void fdlimit_raise(void)
{
	struct rlimit rl;
	rlim_t was;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	was = rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY ? NR_OPEN_DEFAULT : rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
		log_msg(LOG_WARNING, "cannot raise the descriptor limit from %llu to "
			"%llu: %s", (unsigned long long)was,
			(unsigned long long)rl.rlim_cur, strerror(errno));
		return;
	}
	log_msg(LOG_NOTICE, "descriptor limit raised from %llu to %llu (the hard limit)",
		(unsigned long long)was, (unsigned long long)rl.rlim_cur);
}

void fdlimit_check(const struct dg_policy *p)
{
	struct rlimit rl;
	unsigned per_conn = p->senders.remote != NULL ? 2 : 1;
	unsigned long long need = FDLIMIT_RESERVE + (unsigned long long)FDLIMIT_SITE_CONNS * per_conn;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= need)
		return;
	log_msg(LOG_WARNING, "descriptor limit %llu cannot hold %u concurrent MTA "
		"connections (%u descriptor%s each%s, plus %u): raise LimitNOFILE= or "
		"ulimit -n to %llu or more", (unsigned long long)rl.rlim_cur,
		FDLIMIT_SITE_CONNS, per_conn, per_conn > 1 ? "s" : "",
		per_conn > 1 ? " with a remote login map" : "", FDLIMIT_RESERVE, need);
}
