/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * util.c: fatal-on-OOM allocators and locale-free ASCII helpers (see
 * util.h).  Out of memory in a mail filter is not recoverable per
 * message: dying lets the MTA apply milter_default_action and the
 * supervisor restart us.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

static void oom(size_t n)
{
	dg_panic("out of memory allocating %zu bytes", n);
}

/* 0 bytes: see util.h. */
static void nonzero(const char *fn, size_t n, size_t size)
{
	if (n == 0 || size == 0)
		dg_panic("%s: 0 bytes asked", fn);
}

void *xmalloc(size_t n)
{
	void *p;

	nonzero("xmalloc", n, 1);
	if ((p = malloc(n)) == NULL)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p;

	nonzero("xcalloc", n, size);
	if ((p = calloc(n, size)) == NULL)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q;

	nonzero("xrealloc", n, 1);
	if ((q = realloc(p, n)) == NULL)
		oom(n);
	return q;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static int lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int dg_strcasecmp_ascii(const char *a, const char *b)
{
	const unsigned char *x = (const unsigned char *)a;
	const unsigned char *y = (const unsigned char *)b;

	while (*x && lower(*x) == lower(*y)) {
		x++;
		y++;
	}
	return lower(*x) - lower(*y);
}

void dg_lower_ascii(char *s)
{
	for (; *s; s++)
		*s = (char)lower((unsigned char)*s);
}

const char *dg_name(const char *const *names, size_t n, unsigned v,
		    const char *what)
{
	if (v >= n)
		dg_panic("no %s %u", what, v);
	return names[v];
}
