/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	anomaly - the body anomaly classes and the actions a policy gives them
 * SYNOPSIS
 *	enum dg_class  (DG_CLASS_BARE_CR .. DG_CLASS_LONE_DOT, DG_CLASS_COUNT)
 *	enum dg_action (DG_ACT_IGNORE < LOG < TAG < QUARANTINE < TEMPFAIL < REJECT)
 *	enum dg_verdict
 *	const char *dg_class_name(enum dg_class c);
 *	int dg_class_from_name(const char *name);	-1 if unknown
 *	enum dg_action dg_class_default_action(enum dg_class c);
 *	const char *dg_action_name(enum dg_action a);
 *	int dg_action_from_name(const char *name);	-1 if unknown
 *	const char *dg_verdict_name(enum dg_verdict v);
 *	extern const char *const dg_verdict_names[DG_VERDICT_COUNT];
 * DESCRIPTION
 *	The class order is the order of dotgate.conf(5), BODY ANOMALY
 *	CLASSES; it is
 *	the order in which "%a" and the tag header list classes.  A class's
 *	name is also its key in the body block of the configuration, whose
 *	default is dg_class_default_action() (dotgate.conf(5), THE BODY
 *	SECTION).  Actions
 *	are ordered by strength so that the verdict is a max().
 *	Verdicts name what was done to a message: accept, log, tag,
 *	quarantine, tempfail, reject (dotgate.conf(5), AUDIT RECORD).
 */
#ifndef DG_ANOMALY_H
#define DG_ANOMALY_H

enum dg_class {
	DG_CLASS_BARE_CR,
	DG_CLASS_BARE_LF,
	DG_CLASS_SMUGGLE_EOD,
	DG_CLASS_NUL,
	DG_CLASS_SMUGGLED_TRANSACTION,
	DG_CLASS_SMTP_COMMANDS,
	DG_CLASS_LONG_LINE,
	DG_CLASS_LONE_DOT,
	DG_CLASS_COUNT
};

enum dg_action {
	DG_ACT_IGNORE,
	DG_ACT_LOG,
	DG_ACT_TAG,
	DG_ACT_QUARANTINE,
	DG_ACT_TEMPFAIL,
	DG_ACT_REJECT,
	DG_ACT_COUNT
};

enum dg_verdict {
	DG_VERDICT_ACCEPT,
	DG_VERDICT_LOG,
	DG_VERDICT_TAG,
	DG_VERDICT_QUARANTINE,
	DG_VERDICT_TEMPFAIL,
	DG_VERDICT_REJECT,
	DG_VERDICT_COUNT
};

const char *dg_class_name(enum dg_class c);
int dg_class_from_name(const char *name);
enum dg_action dg_class_default_action(enum dg_class c);
const char *dg_action_name(enum dg_action a);
int dg_action_from_name(const char *name);
const char *dg_verdict_name(enum dg_verdict v);

extern const char *const dg_verdict_names[];	/* DG_VERDICT_COUNT names */

#endif
