/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink_metrics.c: the metrics counters as an audit sink (see sink.h):
 * every record written is counted by stage, verdict, rule, mode and
 * anomaly class (metrics.h), so the counters a Prometheus scrapes equal
 * the audit records by construction.  Present only while the policy
 * has a metrics endpoint (metrics.listen); it keeps no record itself.
 */
#include <stdlib.h>

#include "metrics.h"
#include "sink.h"
#include "util.h"

static int metrics_write(struct audit_sink *s, const struct dg_record *r,
			 const struct timespec *ts)
{
	(void)s;
	(void)ts;
	metrics_record(r);
	return 0;
}

static void metrics_close(struct audit_sink *s)
{
	free(s);
}

static int metrics_configure(const struct dg_policy *p, struct audit_sink *old,
			     struct audit_sink **out)
{
	*out = NULL;
	if (p->metrics.listen == NULL || p->metrics.listen[0] == '\0')
		return 0;
	if (old != NULL) {
		*out = sink_ref(old);
		return 0;
	}
	*out = xmalloc(sizeof(**out));
	sink_init(*out, &sink_metrics_ops);
	return 0;
}

const struct audit_sink_ops sink_metrics_ops = {
	.name = "metrics",
	.keeps_records = false,
	.configure = metrics_configure,
	.write = metrics_write,
	.reopen = NULL,
	.close = metrics_close,
};
