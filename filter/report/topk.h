/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	topk - bounded "most frequent keys" counter (space-saving algorithm)
 * SYNOPSIS
 *	#include "topk.h"
 *
 *	struct topk *topk_new(size_t cap, void (*free_data)(void *));
 *	struct topk_entry *topk_add(struct topk *t, const char *key,
 *				    uint64_t n);
 *	size_t topk_top(const struct topk *t, size_t k,
 *			const struct topk_entry **out);
 *	bool topk_approximate(const struct topk *t);
 *	size_t topk_size(const struct topk *t);
 *	void topk_free(struct topk *t);
 * DESCRIPTION
 *	A topk counts string keys in at most cap entries, so that summing
 *	a log of any size takes bounded memory (Metwally, Agrawal, El
 *	Abbadi, "Efficient computation of frequent and top-k elements in
 *	data streams", 2005).  While no more than cap distinct keys were
 *	seen, every count is exact.  After that, a new key takes the place
 *	of the entry with the smallest count m and starts at m + n, with
 *	error m: counts become upper bounds that exceed the truth by at
 *	most "error", and any key more frequent than (total / cap) is
 *	still in the table.  topk_approximate() says whether that happened.
 *	Keys longer than TOPK_KEY_MAX bytes are cut to that length.
 *
 *	topk_add() adds n to key and returns its entry; entry->data is
 *	the caller's (e.g. a nested topk), NULL for a new key; when an
 *	entry is taken over by another key, free_data (if not NULL) is
 *	called on its data first.  The entry stays valid until the next
 *	topk_add() or topk_free().  topk_top() fills out with the k largest
 *	entries, largest count first, ties in byte order of the key, and
 *	returns how many it filled.  Each entry costs the key length plus
 *	about 64 bytes.
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h).
 */
#ifndef DG_TOPK_H
#define DG_TOPK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPK_KEY_MAX 255

struct topk_entry {
	char *key;
	uint64_t count;
	uint64_t error;		/* count may exceed the truth by this */
	void *data;
	size_t heap_pos;	/* private */
	size_t next;		/* private: hash chain */
};

struct topk;

struct topk *topk_new(size_t cap, void (*free_data)(void *));
struct topk_entry *topk_add(struct topk *t, const char *key, uint64_t n);
size_t topk_top(const struct topk *t, size_t k,
		const struct topk_entry **out);
bool topk_approximate(const struct topk *t);
size_t topk_size(const struct topk *t);
void topk_free(struct topk *t);

#endif
