/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	util - memory and string helpers shared by every dotgate module
 * SYNOPSIS
 *	void *xmalloc(size_t n);  void *xcalloc(size_t n, size_t size);
 *	void *xrealloc(void *p, size_t n);  char *xstrdup(const char *s);
 *	char *xstrndup(const char *s, size_t max);
 *	int   dg_strcasecmp_ascii(const char *a, const char *b);
 *	void  dg_lower_ascii(char *s);
 *	const char *dg_name(const char *const *names, size_t n, unsigned v,
 *			    const char *what);
 * DESCRIPTION
 *	Out-of-memory is fatal in one place (as Postfix's mymalloc): the
 *	x* allocators panic (dg_panic(), log.h, included here for the
 *	modules that use both) instead of returning NULL, so no caller
 *	tests for NULL.  A size of 0 is a caller's bug and panics too:
 *	every caller sizes its arrays at 1 or more, and malloc(0) and
 *	realloc(p, 0) differ between C libraries.  xstrndup() copies at
 *	most max bytes and always terminates: it is how hostile input is
 *	bounded.  The ASCII helpers fold case byte-wise, independent of
 *	the locale.
 */
#ifndef DG_UTIL_H
#define DG_UTIL_H

#include <stddef.h>

#include "log.h"

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t max);
int dg_strcasecmp_ascii(const char *a, const char *b);
void dg_lower_ascii(char *s);
const char *dg_name(const char *const *names, size_t n, unsigned v,
		    const char *what);

#define DG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
