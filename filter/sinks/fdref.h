/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fdref.h: private to the audit sinks: a file descriptor with a
 * reference count, so that a sink can replace its descriptor (logrotate,
 * a syslog daemon restarted) while other threads still write on the old
 * one.  The descriptor is closed when its last reference goes, never
 * while a writer holds it: closing it earlier would let the kernel hand
 * its number to an unrelated file that the writer would then write to.
 * A sink keeps its current fdref in a struct snapshot (snapshot.h):
 * writers take it with snapshot_take(&s, fdref_ref) without a lock, a
 * reopen puts a new one with snapshot_swap() and drops the old.
 *
 *	struct fdref *fdref_new(int fd);	one reference
 *	void *fdref_ref(void *r);		a new reference, for snapshot_take
 *	void fdref_unref(struct fdref *r);	NULL is fine
 */
#ifndef DG_FDREF_H
#define DG_FDREF_H

#include <stdatomic.h>

struct fdref {
	int fd;
	atomic_int refs;
};

struct fdref *fdref_new(int fd);
void *fdref_ref(void *r);
void fdref_unref(struct fdref *r);

#endif
