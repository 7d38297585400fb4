/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fdref.c: reference-counted file descriptors for the audit sinks (see
 * fdref.h).
 */
#include <stdlib.h>
#include <unistd.h>

#include "fdref.h"
#include "util.h"

struct fdref *fdref_new(int fd)
{
	struct fdref *r = xmalloc(sizeof(*r));

	r->fd = fd;
	atomic_init(&r->refs, 1);
	return r;
}

void *fdref_ref(void *p)
{
	struct fdref *r = p;

	atomic_fetch_add_explicit(&r->refs, 1, memory_order_relaxed);
	return r;
}

void fdref_unref(struct fdref *r)
{
	if (r != NULL && atomic_fetch_sub_explicit(&r->refs, 1, memory_order_acq_rel) == 1) {
		(void)close(r->fd);
		free(r);
	}
}
