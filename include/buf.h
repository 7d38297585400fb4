/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	buf - a growable byte buffer, the project's one
 * SYNOPSIS
 *	#include "buf.h"
 *
 *	struct buf b = BUF_INIT;
 *	void buf_reserve(struct buf *b, size_t n);
 *	void buf_add(struct buf *b, const void *data, size_t n);
 *	void buf_printf(struct buf *b, const char *fmt, ...);
 *	void buf_free(struct buf *b);
 * DESCRIPTION
 *	A buffer starts empty (BUF_INIT: no allocation); b->p holds b->len
 *	bytes followed by a NUL once anything was reserved or added, so a
 *	text built in it is a C string.  buf_reserve() makes room for n
 *	more bytes and the NUL, doubling the capacity as needed, so a text
 *	built piece by piece costs a logarithmic number of copies.
 *	buf_add() appends n bytes, buf_printf() appends what printf(3)
 *	would write.  The caller may take b->p over (and free(3) it)
 *	instead of calling buf_free(), which frees it and empties b.
 * DIAGNOSTICS
 *	Out of memory and a format printf(3) refuses are fatal (util.h).
 */
#ifndef DG_BUF_H
#define DG_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_reserve(struct buf *b, size_t n);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_free(struct buf *b);

#endif
