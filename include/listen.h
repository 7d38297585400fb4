/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	listen - the address of a listening socket, as a postmaster writes it
 * SYNOPSIS
 *	#include "listen.h"
 *
 *	int listen_parse(const char *spec, struct listen_addr *out,
 *			 char *err, size_t errlen);
 * DESCRIPTION
 *	listen_parse() reads "HOST:PORT" (an IPv4 address), "[ADDR]:PORT"
 *	(an IPv6 address) or "unix:/path" into out: the socket address to
 *	bind, its length, and whether it is loopback (127.0.0.0/8, ::1, or
 *	a unix socket, which only local processes reach).  PORT is 1 to
 *	65535; host names are not accepted, so what a configuration says is
 *	what is bound, without a resolver.  It returns 0, or -1 with the
 *	reason in err.
 */
#ifndef DG_LISTEN_H
#define DG_LISTEN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage sa;
	socklen_t salen;
	bool loopback;
};

int listen_parse(const char *spec, struct listen_addr *out, char *err, size_t errlen);

#endif
