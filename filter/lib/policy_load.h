/*
 * policy_load.h: internal interface between the configuration parser
 * (policy_load.c, libconfuse) and the policy compiler (policy_compile.c).
 * Each parsed value carries the line it came from, so the compiler can
 * report FILE:LINE for every invalid value.
 */
#ifndef DG_POLICY_LOAD_H
#define DG_POLICY_LOAD_H

#include <confuse.h>

#include "policy.h"

struct cval {
	char *s;
	unsigned line;		/* 0: the built-in default */
};

struct loader {
	const char *path;
	policy_err_fn *err;
	void *arg;
	int nerr;
};

void lerr(struct loader *L, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct dg_policy *policy_compile(struct loader *L, cfg_t *cfg);

#endif
