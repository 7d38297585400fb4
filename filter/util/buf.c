/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.c: the growable byte buffer every program builds texts in (see
 * buf.h): the metrics page, dotgate-report's tables and batches,
 * dotgate-probe's messages.  One implementation, so that the growth
 * rule and the terminating NUL are right in one place.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

#define BUF_FIRST 1024		/* first allocation, in bytes */

void buf_reserve(struct buf *b, size_t n)
{
	size_t need = b->len + n + 1, cap = b->cap ? b->cap : BUF_FIRST;

	if (need < n)
		dg_panic("buf_reserve: %zu more bytes overflow", n);
	if (need <= b->cap)
		return;
	while (cap < need)
		cap = cap * 2 > cap ? cap * 2 : need;
	b->p = xrealloc(b->p, cap);
	if (b->cap == 0)
		b->p[0] = '\0';
	b->cap = cap;
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_reserve(b, n);
	if (n > 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t room;
	int n;

	buf_reserve(b, 0);
	room = b->cap - b->len;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		dg_panic("buf_printf: cannot format \"%s\"", fmt);
	if ((size_t)n >= room) {
		buf_reserve(b, (size_t)n);
		va_start(ap, fmt);
		(void)vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
