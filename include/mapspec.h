/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	mapspec - a login map served by another process: where it is and
 *	which protocol it speaks (login_map = "socketmap:..." or "tcp:...")
 * SYNOPSIS
 *	int mapspec_parse(const char *spec, int timeout_ms,
 *			  struct mapspec **out, char *err, size_t errsize);
 *	void mapspec_free(struct mapspec *m);
 * DESCRIPTION
 *	Sites whose smtpd_sender_login_maps live in mysql:, ldap: or pgsql:
 *	tables reach them from dotgate as Postfix's own clients would, over
 *	a socketmap or tcp_table server (one of their own, or a gateway in
 *	front of the database):
 *		socketmap:unix:/PATH:NAME	netstring "NAME KEY" per lookup
 *		socketmap:inet:ADDR:PORT:NAME	(socketmap_table(5))
 *		tcp:ADDR:PORT			"get KEY" lines (tcp_table(5))
 *	mapspec_parse() returns 1 and sets *out for such a spec, 0 when
 *	spec is not one (a file path: the caller loads it), -1 with a
 *	message in err when it is malformed.  ADDR is a numeric IPv4 or
 *	IPv6 address ([::1] in brackets): no DNS lookup, neither at load
 *	nor at MAIL time.  timeout_ms bounds each lookup (connect, request
 *	and reply together).  The result is immutable and may be shared by
 *	all threads; remotemap.h does the lookups.
 */
#ifndef DG_MAPSPEC_H
#define DG_MAPSPEC_H

#include <stddef.h>
#include <sys/socket.h>

#define MAPSPEC_NAME_MAX 128		/* socketmap: the map's name, with NUL */

enum mapspec_kind { MAPSPEC_SOCKETMAP, MAPSPEC_TCP };

struct mapspec {
	enum mapspec_kind kind;
	struct sockaddr_storage addr;	/* resolved at load: no DNS at MAIL */
	socklen_t addrlen;
	char name[MAPSPEC_NAME_MAX];	/* socketmap: the map's name */
	int timeout_ms;
	char *spec;			/* as written: lookup errors name it */
};

int mapspec_parse(const char *spec, int timeout_ms, struct mapspec **out,
		  char *err, size_t errsize);
void mapspec_free(struct mapspec *m);

#endif
