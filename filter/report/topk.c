/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * topk.c: space-saving top-K counter with a fixed number of entries (see
 * topk.h).  A chained hash table finds a key's entry; a binary min-heap
 * over the entries finds the one to give up when a new key arrives and
 * the table is full.  Both are arrays allocated once by topk_new().
 */
#include <stdlib.h>
#include <string.h>

#include "topk.h"
#include "util.h"

#define NONE ((size_t)-1)

struct topk {
	size_t cap;
	size_t n;
	struct topk_entry *e;
	size_t *heap;			/* entry indices, min count first */
	size_t *bucket;			/* first entry of each chain */
	size_t mask;			/* number of buckets - 1 */
	bool approx;
	void (*free_data)(void *);
};

static uint64_t hash(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h;
}

struct topk *topk_new(size_t cap, void (*free_data)(void *))
{
	struct topk *t = xcalloc(1, sizeof(*t));
	size_t nb = 16;

	if (cap == 0)
		cap = 1;
	while (nb < cap * 2)
		nb *= 2;
	t->cap = cap;
	t->e = xcalloc(cap, sizeof(*t->e));
	t->heap = xcalloc(cap, sizeof(*t->heap));
	t->bucket = xmalloc(nb * sizeof(*t->bucket));
	for (size_t i = 0; i < nb; i++)
		t->bucket[i] = NONE;
	t->mask = nb - 1;
	t->free_data = free_data;
	return t;
}

static void heap_swap(struct topk *t, size_t a, size_t b)
{
	size_t x = t->heap[a];

	t->heap[a] = t->heap[b];
	t->heap[b] = x;
	t->e[t->heap[a]].heap_pos = a;
	t->e[t->heap[b]].heap_pos = b;
}

static uint64_t heap_count(const struct topk *t, size_t pos)
{
	return t->e[t->heap[pos]].count;
}

static void sift_up(struct topk *t, size_t pos)
{
	while (pos > 0) {
		size_t parent = (pos - 1) / 2;

		if (heap_count(t, parent) <= heap_count(t, pos))
			break;
		heap_swap(t, parent, pos);
		pos = parent;
	}
}

/* Counts only grow, so an entry whose count rose can only move down. */
static void sift_down(struct topk *t, size_t pos)
{
	for (;;) {
		size_t l = 2 * pos + 1, r = l + 1, m = pos;

		if (l < t->n && heap_count(t, l) < heap_count(t, m))
			m = l;
		if (r < t->n && heap_count(t, r) < heap_count(t, m))
			m = r;
		if (m == pos)
			break;
		heap_swap(t, pos, m);
		pos = m;
	}
}

static size_t find(const struct topk *t, const char *key, size_t len,
		   uint64_t h)
{
	for (size_t i = t->bucket[h & t->mask]; i != NONE; i = t->e[i].next)
		if (strncmp(t->e[i].key, key, len) == 0 &&
		    t->e[i].key[len] == '\0')
			return i;
	return NONE;
}

static void chain_insert(struct topk *t, size_t i, uint64_t h)
{
	t->e[i].next = t->bucket[h & t->mask];
	t->bucket[h & t->mask] = i;
}

static void chain_remove(struct topk *t, size_t i)
{
	const char *key = t->e[i].key;
	size_t *link = &t->bucket[hash(key, strlen(key)) & t->mask];

	while (*link != i)
		link = &t->e[*link].next;
	*link = t->e[i].next;
}

struct topk_entry *topk_add(struct topk *t, const char *key, uint64_t n)
{
	size_t len = strnlen(key, TOPK_KEY_MAX);
	uint64_t h = hash(key, len);
	size_t i = find(t, key, len, h);
	struct topk_entry *e;

	if (i != NONE) {
		t->e[i].count += n;
		sift_down(t, t->e[i].heap_pos);
		return &t->e[i];
	}
	if (t->n < t->cap) {
		i = t->n++;
		e = &t->e[i];
		e->count = n;
		e->error = 0;
		e->heap_pos = i;
		t->heap[i] = i;
		e->key = xstrndup(key, len);
		chain_insert(t, i, h);
		sift_up(t, i);
		return e;
	}
	/* Full: the least counted key gives its place to this one. */
	i = t->heap[0];
	e = &t->e[i];
	chain_remove(t, i);
	if (t->free_data != NULL && e->data != NULL)
		t->free_data(e->data);
	e->data = NULL;
	free(e->key);
	e->key = xstrndup(key, len);
	e->error = e->count;
	e->count += n;
	chain_insert(t, i, h);
	sift_down(t, 0);
	t->approx = true;
	return e;
}

static int by_count(const void *a, const void *b)
{
	const struct topk_entry *x = *(const struct topk_entry *const *)a;
	const struct topk_entry *y = *(const struct topk_entry *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return strcmp(x->key, y->key);
}

size_t topk_top(const struct topk *t, size_t k, const struct topk_entry **out)
{
	const struct topk_entry **all;

	if (t->n == 0 || k == 0)
		return 0;
	all = xmalloc(t->n * sizeof(*all));
	for (size_t i = 0; i < t->n; i++)
		all[i] = &t->e[i];
	qsort(all, t->n, sizeof(*all), by_count);
	if (k > t->n)
		k = t->n;
	memcpy(out, all, k * sizeof(*out));
	free(all);
	return k;
}

bool topk_approximate(const struct topk *t)
{
	return t->approx;
}

size_t topk_size(const struct topk *t)
{
	return t->n;
}

void topk_free(struct topk *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		if (t->free_data != NULL && t->e[i].data != NULL)
			t->free_data(t->e[i].data);
		free(t->e[i].key);
	}
	free(t->e);
	free(t->heap);
	free(t->bucket);
	free(t);
}
