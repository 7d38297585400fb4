/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * anomaly.c: the one table of anomaly classes (their names, which are
 * also their keys in the configuration's body block, and the action a
 * policy gives them by default), and the names of actions and verdicts,
 * as they appear in the configuration file, replies, tag headers and
 * audit records (dotgate.conf(5), THE BODY SECTION, BODY ANOMALY
 * CLASSES, AUDIT RECORD).  Adding a class is a
 * row here, its detection in the scanner and its line in the manuals.
 */
#include <string.h>

#include "anomaly.h"
#include "util.h"

static const struct {
	const char *name;
	enum dg_action default_action;
} classes[] = {
	[DG_CLASS_BARE_CR] = { "bare_cr", DG_ACT_REJECT },
	[DG_CLASS_BARE_LF] = { "bare_lf", DG_ACT_REJECT },
	[DG_CLASS_SMUGGLE_EOD] = { "smuggle_eod", DG_ACT_REJECT },
	[DG_CLASS_NUL] = { "nul", DG_ACT_REJECT },
	[DG_CLASS_SMUGGLED_TRANSACTION] = { "smuggled_transaction", DG_ACT_REJECT },
	[DG_CLASS_SMTP_COMMANDS] = { "smtp_commands", DG_ACT_LOG },
	[DG_CLASS_LONG_LINE] = { "long_line", DG_ACT_LOG },
	[DG_CLASS_LONE_DOT] = { "lone_dot", DG_ACT_IGNORE },
};

static const char *const action_names[] = {
	"ignore", "log", "tag", "quarantine", "tempfail", "reject",
};

const char *const dg_verdict_names[] = {
	"accept", "log", "tag", "quarantine", "tempfail", "reject",
};

_Static_assert(DG_ARRAY_LEN(classes) == DG_CLASS_COUNT, "one row per class");
_Static_assert(DG_ARRAY_LEN(action_names) == DG_ACT_COUNT, "one name per action");
_Static_assert(DG_ARRAY_LEN(dg_verdict_names) == DG_VERDICT_COUNT,
	       "one name per verdict");

static int lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *dg_class_name(enum dg_class c)
{
	if ((unsigned)c >= DG_CLASS_COUNT)
		dg_panic("dg_class_name: no class %d", (int)c);
	return classes[c].name;
}

int dg_class_from_name(const char *name)
{
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		if (strcmp(classes[c].name, name) == 0)
			return c;
	return -1;
}

enum dg_action dg_class_default_action(enum dg_class c)
{
	return (unsigned)c < DG_CLASS_COUNT ? classes[c].default_action : DG_ACT_IGNORE;
}

const char *dg_action_name(enum dg_action a)
{
	return dg_name(action_names, DG_ACT_COUNT, a, "action");
}

int dg_action_from_name(const char *name)
{
	return lookup(action_names, DG_ARRAY_LEN(action_names), name);
}

const char *dg_verdict_name(enum dg_verdict v)
{
	return dg_name(dg_verdict_names, DG_VERDICT_COUNT, v, "verdict");
}
