/*
 * NAME
 *	util - memory and string helpers shared by every dotgate module
 * SYNOPSIS
 *	void *xmalloc(size_t n);  void *xcalloc(size_t n, size_t size);
 *	void *xrealloc(void *p, size_t n);  char *xstrdup(const char *s);
 *	char *xstrndup(const char *s, size_t max);
 *	int   dg_strcasecmp_ascii(const char *a, const char *b);
 *	void  dg_lower_ascii(char *s);
 * DESCRIPTION
 *	Out-of-memory is fatal in one place (as Postfix's mymalloc): the
 *	x* allocators log and abort the process instead of returning NULL,
 *	so no caller tests for NULL.  xstrndup() copies at most max bytes
 *	and always terminates: it is how hostile input is bounded.
 *	The ASCII helpers fold case byte-wise, independent of the locale.
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

#define DG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
