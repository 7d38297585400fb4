/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record.c: the audit record of a transaction (see record.h), built in
 * one place from the decision, and what every encoder reads from it the
 * same way: its rule, its verdict and would, its mode and its time.
 * The JSON and syslog encoders and the metrics counters all ask here,
 * so a record cannot say "body" in one and "pass" in another.
 */
#include <stdio.h>
#include <string.h>

#include "record.h"
#include "util.h"

void record_make(struct dg_record *r, const struct dg_policy *p,
		 enum dg_stage stage, const struct gate_result *mail,
		 const struct dg_txn *t)
{
	verdict_final(p, stage, mail, t->scanned ? &t->scan : NULL,
		      &r->decision);
	r->stage = stage;
	r->txn = t;
	r->mail_rule = mail->rule;
	r->host = p->host;
	r->mode = p->mode;
}

enum gate_rule record_rule(const struct dg_record *r)
{
	return r->decision.body_rule ? GATE_BODY : r->mail_rule;
}

const char *record_verdict(const struct dg_record *r)
{
	return r->decision.has_verdict ? dg_verdict_name(r->decision.verdict)
				       : NULL;
}

const char *record_would(const struct dg_record *r)
{
	const struct final_decision *d = &r->decision;

	return d->has_would && d->would != DG_VERDICT_ACCEPT ?
	       dg_verdict_name(d->would) : NULL;
}

const char *record_mode(const struct dg_record *r)
{
	return dg_name(dg_mode_names, DG_MODE_COUNT, r->mode, "mode");
}

void record_ts(const struct timespec *ts, char out[RECORD_TS_LEN])
{
	struct timespec now;
	struct tm tm;
	char date[24];
	unsigned ms;

	if (ts == NULL) {
		if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
			now.tv_sec = time(NULL);
			now.tv_nsec = 0;
		}
		ts = &now;
	}
	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		strcpy(date, "1970-01-01T00:00:00");
	ms = (unsigned)((ts->tv_nsec / 1000000) % 1000);
	snprintf(out, RECORD_TS_LEN, "%s.%03uZ", date, ms);
}
