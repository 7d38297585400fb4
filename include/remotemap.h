/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	remotemap - login map lookups served by another process (Postfix
 *	socketmap and tcp_table protocols)
 * SYNOPSIS
 *	void remotemap_session_init(struct remotemap_session *s,
 *				    const struct mapspec *m);
 *	int remotemap_get(struct remotemap_session *s, const char *key,
 *			  char *value, size_t valuesize);
 *	void remotemap_session_end(struct remotemap_session *s);
 * DESCRIPTION
 *	The map m is a socketmap: or tcp: login_map as the configuration
 *	loader parsed it (mapspec.h).
 *	A session is one MAIL FROM's lookups: remotemap_get() connects on
 *	first use and then reuses the connection for the next keys (if the
 *	server closed it meanwhile, one new connection is made, within the
 *	same deadline).  The session has one deadline, the map's timeout
 *	from remotemap_session_init(): all its keys together get no more
 *	time, so that a slow server delays a MAIL FROM by lookup_timeout
 *	at most, not by that for each key (dotgate.conf(5) "THE SENDERS
 *	SECTION AND USER BLOCKS");
 *	remotemap_session_end() closes it.  Sessions are per caller, the
 *	map itself is immutable and shared by all threads.
 * DIAGNOSTICS
 *	remotemap_get() returns 1 found (the logins, as the server sent
 *	them, in value), 0 not found, -1 when the lookup failed (server
 *	down, timeout, TEMP/PERM/400 reply, malformed or over-long reply):
 *	the reason is in s->err, and the session's connection is closed.
 */
#ifndef DG_REMOTEMAP_H
#define DG_REMOTEMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "mapspec.h"

#define REMOTEMAP_VALUE_MAX 4096	/* one reply: the logins of a key */

struct remotemap_session {
	const struct mapspec *m;
	int fd;				/* -1: not connected */
	size_t start, end;		/* unread reply bytes in buf */
	bool dropped;			/* the server closed the connection */
	long long deadline;		/* CLOCK_MONOTONIC ms, for every key */
	char buf[REMOTEMAP_VALUE_MAX + 64];
	char err[256];
};

void remotemap_session_init(struct remotemap_session *s,
			    const struct mapspec *m);
int remotemap_get(struct remotemap_session *s, const char *key, char *value,
		  size_t valuesize);
void remotemap_session_end(struct remotemap_session *s);

#endif
