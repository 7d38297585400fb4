/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_load.h: the private interface between the configuration parser
 * (policy_load.c, libconfuse), the policy compiler (policy_compile.c)
 * and their error sink (policy_err.c).  Each parsed value carries the
 * line it came from, so the compiler can report FILE:LINE for every
 * invalid value; both report through a struct policy_errs, so neither
 * calls back into the other.
 */
#ifndef DG_POLICY_LOAD_H
#define DG_POLICY_LOAD_H

#include <stdbool.h>
#include <stdio.h>

#include <confuse.h>

#include "conferr.h"
#include "policy.h"

struct cval {
	char *s;
	unsigned line;		/* 0: the built-in default */
};

/* Where the errors of one load go, and how many there were. */
struct policy_errs {
	const char *path;	/* the configuration file */
	conf_err_fn *fn;	/* may be NULL: count only */
	void *arg;
	int n;
	bool partial;		/* the parse stopped early: the values after
				 * that point are the defaults */
};

void policy_errf(struct policy_errs *E, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
conf_err_fn policy_err_other;
struct dg_policy *policy_compile(struct policy_errs *E, cfg_t *cfg);
void policy_dump_cfg(cfg_t *cfg, FILE *fp);

#endif
