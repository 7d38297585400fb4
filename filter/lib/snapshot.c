/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * snapshot.c: the lock-free "current object" of the policy and of the
 * audit sinks (see snapshot.h).  Readers are every libmilter worker, on
 * every connection or record; the writer is the reload thread.
 */
#include <sched.h>

#include "snapshot.h"
#include "util.h"

void *snapshot_take(struct snapshot *s, void *(*ref)(void *obj))
{
	void *obj;

	atomic_fetch_add(&s->readers, 1);
	obj = atomic_load(&s->cur);
	if (obj != NULL)
		(void)ref(obj);
	atomic_fetch_sub(&s->readers, 1);
	return obj;
}

void *snapshot_swap(struct snapshot *s, void *obj)
{
	void *old;

	if (pthread_mutex_lock(&s->lock) != 0)
		dg_panic("snapshot: cannot lock the swap mutex");
	old = atomic_exchange(&s->cur, obj);
	while (atomic_load(&s->readers) != 0)
		sched_yield();
	if (pthread_mutex_unlock(&s->lock) != 0)
		dg_panic("snapshot: cannot unlock the swap mutex");
	return old;
}
