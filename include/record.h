/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	record - a transaction's one audit record, as every sink receives it
 * SYNOPSIS
 *	#include "record.h"
 *
 *	struct dg_record { stage, txn, decision, mail_rule, host, mode };
 *	void record_make(struct dg_record *r, const struct dg_policy *p,
 *			 enum dg_stage stage, const struct gate_result *mail,
 *			 const struct dg_txn *t);
 *	enum gate_rule record_rule(const struct dg_record *r);
 *	const char *record_verdict(const struct dg_record *r);
 *	const char *record_would(const struct dg_record *r);
 *	const char *record_mode(const struct dg_record *r);
 *	void record_ts(const struct timespec *ts, char out[RECORD_TS_LEN]);
 * DESCRIPTION
 *	The seam between the decision and the sinks (sink.h): the milter
 *	builds one dg_record where a transaction ends and hands it as it
 *	is to every sink and encoder (audit.h, metrics.h).  It points to
 *	the facts (txn.h), which must outlive it, and holds the decision.
 *	Its fields are those of dotgate.conf(5), "AUDIT RECORD".
 *
 *	record_make() fills r for transaction t at stage: the decision is
 *	verdict_final() of the policy p and the MAIL decision mail, with
 *	t's body scan when t was scanned; host and mode are p's.  The
 *	caller may still change r->decision.verdict (a failed quarantine
 *	becomes tempfail) before handing r on.
 *
 *	record_rule() is the record's rule: GATE_BODY when the body
 *	decided, else the MAIL decision's.  record_verdict() and
 *	record_would() are the names of the verdict and of what enforce
 *	mode would have done, or NULL where the record says null (no
 *	verdict on abort records; no would unless monitor mode would
 *	have done other than accept).  record_mode() is the mode's name.
 *	record_ts() formats ts (NULL: now) as the record time,
 *	"YYYY-MM-DDThh:mm:ss.mmmZ", in UTC.
 *
 *	Each name comes from one table: stages dg_stage_names (verdict.h),
 *	verdicts dg_verdict_names and classes dg_class_name() (anomaly.h),
 *	rules gate_rule_names (gate.h), modes dg_mode_names (policy.h).
 * DIAGNOSTICS
 *	A record out of these tables is a dg_panic() (util.h).
 */
#ifndef DG_RECORD_H
#define DG_RECORD_H

#include <time.h>

#include "gate.h"
#include "policy.h"
#include "txn.h"
#include "verdict.h"

#define RECORD_TS_LEN 32

struct dg_record {
	enum dg_stage stage;
	const struct dg_txn *txn;		/* the facts */
	struct final_decision decision;
	enum gate_rule mail_rule;		/* the gate's, at MAIL FROM */
	const char *host;			/* the policy's; NULL: none */
	enum dg_mode mode;
};

void record_make(struct dg_record *r, const struct dg_policy *p,
		 enum dg_stage stage, const struct gate_result *mail,
		 const struct dg_txn *t);
enum gate_rule record_rule(const struct dg_record *r);
const char *record_verdict(const struct dg_record *r);
const char *record_would(const struct dg_record *r);
const char *record_mode(const struct dg_record *r);
void record_ts(const struct timespec *ts, char out[RECORD_TS_LEN]);


#endif
