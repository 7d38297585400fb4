/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_net.c: dotgate-probe's TCP layer, below both SMTP framing
 * (probe_smtp.c) and TLS (probe_tls.c): a non-blocking connect to each
 * address of a name in turn, and the one wait that puts the deadline on
 * every connect, read and write.  A server the vectors confuse may stop
 * answering; nothing here blocks longer than the timeout.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

int probe_net_wait(struct probe_smtp *c, short events)
{
	struct pollfd p = { .fd = c->fd, .events = events };
	int rc;

	do {
		rc = poll(&p, 1, c->timeout_ms);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0) {
		(void)snprintf(c->err, sizeof(c->err), "timed out after %d ms",
			       c->timeout_ms);
		return -1;
	}
	if (rc < 0) {
		(void)snprintf(c->err, sizeof(c->err), "poll: %s",
			       strerror(errno));
		return -1;
	}
	return 0;
}

static int connect_one(struct probe_smtp *c, const struct addrinfo *ai)
{
	int fd, soerr = 0;
	socklen_t len = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0) {
		(void)snprintf(c->err, sizeof(c->err), "socket: %s",
			       strerror(errno));
		return -1;
	}
	c->fd = fd;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		if (errno != EINPROGRESS) {
			(void)snprintf(c->err, sizeof(c->err), "connect: %s",
				       strerror(errno));
			goto fail;
		}
		if (probe_net_wait(c, POLLOUT) < 0)
			goto fail;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
		    soerr != 0) {
			(void)snprintf(c->err, sizeof(c->err), "connect: %s",
				       strerror(soerr ? soerr : errno));
			goto fail;
		}
	}
	return 0;
fail:
	(void)close(fd);
	c->fd = -1;
	return -1;
}

int probe_net_connect(struct probe_smtp *c, const char *host,
		       const char *port, int timeout_ms)
{
	struct addrinfo hints, *res, *ai;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0) {
		(void)snprintf(c->err, sizeof(c->err), "%s: %s", host,
			       gai_strerror(rc));
		return -1;
	}
	rc = -1;
	for (ai = res; ai != NULL && rc < 0; ai = ai->ai_next)
		rc = connect_one(c, ai);
	freeaddrinfo(res);
	return rc;
}
