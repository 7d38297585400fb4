/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	remotemap - login map lookups served by another process (Postfix
 *	socketmap and tcp_table protocols)
 * SYNOPSIS
 *	int remotemap_parse(const char *spec, int timeout_ms,
 *			    struct remotemap **out, char *err, size_t errsize);
 *	const char *remotemap_spec(const struct remotemap *m);
 *	void remotemap_free(struct remotemap *m);
 *
 *	void remotemap_session_init(struct remotemap_session *s,
 *				    const struct remotemap *m);
 *	int remotemap_get(struct remotemap_session *s, const char *key,
 *			  char *value, size_t valuesize);
 *	void remotemap_session_end(struct remotemap_session *s);
 * DESCRIPTION
 *	Sites whose smtpd_sender_login_maps live in mysql:, ldap: or pgsql:
 *	tables reach them from dotgate as Postfix's own clients would, over
 *	a socketmap or tcp_table server (one of their own, or a gateway in
 *	front of the database):
 *		socketmap:unix:/PATH:NAME	netstring "NAME KEY" per lookup
 *		socketmap:inet:ADDR:PORT:NAME	(socketmap_table(5))
 *		tcp:ADDR:PORT			"get KEY" lines (tcp_table(5))
 *	remotemap_parse() returns 1 and sets *out for such a spec, 0 when
 *	spec is not one (a file path: the caller loads it), -1 with a
 *	message in err when it is malformed.  ADDR is a numeric IPv4 or
 *	IPv6 address ([::1] in brackets): no DNS lookup, neither at load
 *	nor at MAIL time.  timeout_ms bounds each
 *	lookup (connect, request and reply together).
 *
 *	A session is one MAIL FROM's lookups: remotemap_get() connects on
 *	first use and then reuses the connection for the next keys (if the
 *	server closed it meanwhile, one new connection is made, within the
 *	same deadline);
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

#define REMOTEMAP_VALUE_MAX 4096	/* one reply: the logins of a key */

struct remotemap;

struct remotemap_session {
	const struct remotemap *m;
	int fd;				/* -1: not connected */
	size_t start, end;		/* unread reply bytes in buf */
	bool dropped;			/* the server closed the connection */
	char buf[REMOTEMAP_VALUE_MAX + 64];
	char err[256];
};

int remotemap_parse(const char *spec, int timeout_ms, struct remotemap **out,
		    char *err, size_t errsize);
const char *remotemap_spec(const struct remotemap *m);
void remotemap_free(struct remotemap *m);

void remotemap_session_init(struct remotemap_session *s,
			    const struct remotemap *m);
int remotemap_get(struct remotemap_session *s, const char *key, char *value,
		  size_t valuesize);
void remotemap_session_end(struct remotemap_session *s);

#endif
