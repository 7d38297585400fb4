/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink_syslog.c: audit records as syslog lines (audit.syslog = true), at
 * LOG_INFO on the facility the daemon's openlog() chose (see sink.h).
 * syslog(3) reports no error, so this sink never counts a lost record.
 */
#include <stdlib.h>
#include <syslog.h>

#include "audit.h"
#include "sink.h"
#include "util.h"

static int syslog_write(struct audit_sink *s, const struct dg_txn *t,
			const struct timespec *ts)
{
	char *msg = audit_syslog(t, ts);

	(void)s;
	syslog(LOG_INFO, "%s", msg);
	free(msg);
	return 0;
}

static void syslog_close(struct audit_sink *s)
{
	free(s);
}

static int syslog_configure(const struct dg_policy *p, struct audit_sink *old,
			    struct audit_sink **out)
{
	*out = NULL;
	if (!p->audit.syslog)
		return 0;
	if (old != NULL) {
		*out = sink_ref(old);
		return 0;
	}
	*out = xmalloc(sizeof(**out));
	sink_init(*out, &sink_syslog_ops);
	return 0;
}

const struct audit_sink_ops sink_syslog_ops = {
	.name = "syslog",
	.configure = syslog_configure,
	.write = syslog_write,
	.reopen = NULL,
	.close = syslog_close,
};
