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
 *	void  dg_panic(const char *fmt, ...);	  never returns
 * DESCRIPTION
 *	Out-of-memory is fatal in one place (as Postfix's mymalloc): the
 *	x* allocators log and abort the process instead of returning NULL,
 *	so no caller tests for NULL.  xstrndup() copies at most max bytes
 *	and always terminates: it is how hostile input is bounded.
 *	The ASCII helpers fold case byte-wise, independent of the locale.
 *	dg_panic() is for states that cannot happen (a failed mutex call,
 *	a buffer sized wrong): as Postfix's msg_panic, it says why at
 *	LOG_CRIT and on stderr ("PROGRAM: panic: ..."), then aborts, so a
 *	core dump and the log line arrive together.
 */
#ifndef DG_UTIL_H
#define DG_UTIL_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t max);
int dg_strcasecmp_ascii(const char *a, const char *b);
void dg_lower_ascii(char *s);
_Noreturn void dg_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#define DG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
