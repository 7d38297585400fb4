/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_err.c: the error sink of one policy load (see policy_load.h).
 * The parser and the compiler both report here, with the configuration
 * file's path; errors in a file the configuration names (a login map)
 * come through policy_err_other() with that file's own path and line.
 * Counting every error is what lets "dotgate -n" list them all and
 * policy_load() refuse a file with any.
 */
#include <stdarg.h>
#include <stdio.h>

#include "policy_load.h"

void policy_errf(struct policy_errs *E, unsigned line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	E->n++;
	if (E->fn)
		E->fn(E->arg, E->path, line, msg);
}

/* A conf_err_fn with arg the struct policy_errs. */
void policy_err_other(void *arg, const char *file, unsigned line, const char *msg)
{
	struct policy_errs *E = arg;

	E->n++;
	if (E->fn)
		E->fn(E->arg, file, line, msg);
}
