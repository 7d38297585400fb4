/*
 * anomaly.c: names of anomaly classes, actions and verdicts, as they
 * appear in the configuration file, replies, tag headers and audit
 * records (contract sections 3, 5 and 6).
 */
#include <string.h>

#include "anomaly.h"
#include "util.h"

static const char *const class_names[DG_CLASS_COUNT] = {
	"bare_cr", "bare_lf", "smuggle_eod", "nul",
	"smuggled_transaction", "smtp_commands", "long_line", "lone_dot",
};

static const char *const action_names[] = {
	"ignore", "log", "tag", "quarantine", "tempfail", "reject",
};

static const char *const verdict_names[] = {
	"accept", "log", "tag", "quarantine", "tempfail", "reject",
};

static int lookup(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

const char *dg_class_name(enum dg_class c)
{
	return (unsigned)c < DG_CLASS_COUNT ? class_names[c] : "?";
}

int dg_class_from_name(const char *name)
{
	return lookup(class_names, DG_CLASS_COUNT, name);
}

const char *dg_action_name(enum dg_action a)
{
	return (unsigned)a < DG_ARRAY_LEN(action_names) ? action_names[a] : "?";
}

int dg_action_from_name(const char *name)
{
	return lookup(action_names, DG_ARRAY_LEN(action_names), name);
}

const char *dg_verdict_name(enum dg_verdict v)
{
	return (unsigned)v < DG_ARRAY_LEN(verdict_names) ? verdict_names[v] : "?";
}
