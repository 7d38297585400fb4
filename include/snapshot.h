/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	snapshot - a process-wide pointer to a reference-counted object,
 *	read without a lock and replaced atomically
 * SYNOPSIS
 *	#include "snapshot.h"
 *
 *	static struct snapshot s = SNAPSHOT_INIT;
 *	void *snapshot_take(struct snapshot *s, void *(*ref)(void *obj));
 *	void *snapshot_swap(struct snapshot *s, void *obj);
 * DESCRIPTION
 *	The policy and the set of audit sinks are such objects: many
 *	libmilter threads read the current one, and a reload replaces it.
 *	snapshot_take() returns the current object with a new reference
 *	taken by ref() (NULL when there is none, and then ref is not
 *	called).  snapshot_swap() makes obj current (the snapshot takes
 *	over the caller's reference) and returns the previous object, whose
 *	reference passes to the caller: it drops it when it is done.
 *
 *	No lock is taken by readers.  A reader announces itself for the
 *	two instructions between loading the pointer and taking its
 *	reference; snapshot_swap() waits, after the swap, until no reader
 *	is in that window, so the caller can drop the old object's
 *	reference at once and no reader touches freed memory.  Swaps are
 *	rare and the window tiny, so the wait is a few spins; concurrent
 *	swaps are serialised by a mutex.
 */
#ifndef DG_SNAPSHOT_H
#define DG_SNAPSHOT_H

#include <pthread.h>
#include <stdatomic.h>

struct snapshot {
	_Atomic(void *) cur;
	atomic_int readers;
	pthread_mutex_t lock;		/* swappers only */
};

#define SNAPSHOT_INIT { NULL, 0, PTHREAD_MUTEX_INITIALIZER }

void *snapshot_take(struct snapshot *s, void *(*ref)(void *obj));
void *snapshot_swap(struct snapshot *s, void *obj);

#endif
