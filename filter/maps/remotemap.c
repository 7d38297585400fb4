/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * remotemap.c: the client side of Postfix's socketmap and tcp_table
 * lookup protocols, for login maps kept in a database behind such a
 * server.  Runs on the milter threads at MAIL FROM, so every step has
 * a deadline (one per session, shared by its keys) and every reply a
 * bound: a slow or hostile map server can delay one MAIL by the
 * configured timeout, never hang a worker.  See
 * remotemap.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "remotemap.h"
#include "util.h"

#define KEY_MAX_LEN 2048		/* an address key, encoded */

/* ---- I/O under one deadline ------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int fail(struct remotemap_session *s, const char *what, const char *why)
{
	(void)snprintf(s->err, sizeof(s->err), "%.64s %s: %.120s", s->m->spec, what, why);
	remotemap_session_end(s);
	return -1;
}

static int wait_fd(struct remotemap_session *s, short events, long long deadline,
		   const char *what)
{
	struct pollfd p = { .fd = s->fd, .events = events };
	long long left;
	int rc;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return fail(s, what, "timed out");
		rc = poll(&p, 1, (int)left);
	} while (rc < 0 && errno == EINTR);
	if (rc == 0)
		return fail(s, what, "timed out");
	if (rc < 0)
		return fail(s, what, strerror(errno));
	return 0;
}

static int open_conn(struct remotemap_session *s, long long deadline)
{
	const struct mapspec *m = s->m;
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	s->fd = socket(m->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return fail(s, "socket", strerror(errno));
	s->start = s->end = 0;
	if (connect(s->fd, (const struct sockaddr *)&m->addr, m->addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return fail(s, "connect", strerror(errno));
	if (wait_fd(s, POLLOUT, deadline, "connect") < 0)
		return -1;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr)
		return fail(s, "connect", strerror(soerr ? soerr : errno));
	return 0;
}

static int send_all(struct remotemap_session *s, const char *p, size_t n,
		    long long deadline)
{
	while (n > 0) {
		ssize_t w = send(s->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(s, POLLOUT, deadline, "write") < 0)
				return -1;
			continue;
		}
		if (w < 0) {
			s->dropped = errno == EPIPE || errno == ECONNRESET;
			return fail(s, "write", strerror(errno));
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One more byte of the reply; -1 on error, end of file or deadline. */
static int next_byte(struct remotemap_session *s, long long deadline)
{
	while (s->start == s->end) {
		ssize_t r = recv(s->fd, s->buf, sizeof(s->buf), 0);

		if (r > 0) {
			s->start = 0;
			s->end = (size_t)r;
		} else if (r == 0) {
			s->dropped = true;
			return fail(s, "read", "connection closed");
		} else if (errno == EAGAIN || errno == EINTR) {
			if (wait_fd(s, POLLIN, deadline, "read") < 0)
				return -1;
		} else {
			s->dropped = errno == ECONNRESET;
			return fail(s, "read", strerror(errno));
		}
	}
	return (unsigned char)s->buf[s->start++];
}

/* ---- the two protocols ------------------------------------------------ */

/* A server's text goes into the log: controls and 8-bit bytes as '?'. */
static void printable(char *t)
{
	for (; *t != '\0'; t++)
		if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e)
			*t = '?';
}

/* Reads one netstring "LEN:DATA," into out (NUL-terminated). */
static int read_netstring(struct remotemap_session *s, char *out, size_t size,
			  long long deadline)
{
	size_t len = 0, digits = 0;
	int c;

	while ((c = next_byte(s, deadline)) >= '0' && c <= '9') {
		len = len * 10 + (size_t)(c - '0');
		if (++digits > 5 || len >= size)
			return fail(s, "reply", "longer than allowed");
	}
	if (c < 0)
		return -1;
	if (c != ':' || digits == 0)
		return fail(s, "reply", "not a netstring");
	for (size_t i = 0; i < len; i++) {
		if ((c = next_byte(s, deadline)) < 0)
			return -1;
		out[i] = (char)c;
	}
	out[len] = '\0';
	if ((c = next_byte(s, deadline)) != ',')
		return c < 0 ? -1 : fail(s, "reply", "not a netstring");
	if (strlen(out) != len)
		return fail(s, "reply", "NUL byte in the reply");
	return 0;
}

static int socketmap_get(struct remotemap_session *s, const char *key,
			 char *value, size_t valuesize, long long deadline)
{
	char req[MAPSPEC_NAME_MAX + KEY_MAX_LEN + 16], rep[REMOTEMAP_VALUE_MAX + 16];
	size_t plen = strlen(s->m->name) + 1 + strlen(key);
	int n = snprintf(req, sizeof(req), "%zu:%s %s,", plen, s->m->name, key);

	if (n < 0 || (size_t)n >= sizeof(req))
		return fail(s, "request", "key too long");
	if (send_all(s, req, (size_t)n, deadline) < 0 ||
	    read_netstring(s, rep, sizeof(rep), deadline) < 0)
		return -1;
	if (strncmp(rep, "OK ", 3) == 0 || strcmp(rep, "OK") == 0) {
		(void)snprintf(value, valuesize, "%s", rep[2] ? rep + 3 : "");
		return 1;
	}
	if (strncmp(rep, "NOTFOUND", 8) == 0 && (rep[8] == '\0' || rep[8] == ' '))
		return 0;
	printable(rep);
	return fail(s, "lookup", rep);	/* TEMP, TIMEOUT, PERM or garbage */
}

/* tcp_table(5): bytes <= 32, '%' and >= 127 as %XX. */
static int tcp_encode(const char *key, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (const unsigned char *k = (const unsigned char *)key; *k; k++) {
		if (o + 4 > size)
			return -1;
		if (*k <= 32 || *k == '%' || *k >= 127) {
			out[o++] = '%';
			out[o++] = hex[*k >> 4];
			out[o++] = hex[*k & 15];
		} else {
			out[o++] = (char)*k;
		}
	}
	out[o] = '\0';
	return (int)o;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* One reply line "CODE TEXT\n", %XX decoded, into out. */
static int read_line(struct remotemap_session *s, char *out, size_t size,
		     long long deadline)
{
	size_t n = 0;
	int c;

	while ((c = next_byte(s, deadline)) != '\n') {
		if (c < 0)
			return -1;
		if (c == '%') {
			int h = hexval(next_byte(s, deadline)), l = hexval(next_byte(s, deadline));

			if (h < 0 || l < 0)
				return fail(s, "reply", "bad %XX encoding");
			c = h * 16 + l;
		}
		if (c == 0 || n + 1 >= size)
			return fail(s, "reply", c ? "longer than allowed" : "NUL byte");
		out[n++] = (char)c;
	}
	if (n > 0 && out[n - 1] == '\r')
		n--;
	out[n] = '\0';
	return 0;
}

static int tcp_get(struct remotemap_session *s, const char *key, char *value,
		   size_t valuesize, long long deadline)
{
	char req[3 * KEY_MAX_LEN + 8], rep[REMOTEMAP_VALUE_MAX + 8];
	int n;

	memcpy(req, "get ", 4);
	if ((n = tcp_encode(key, req + 4, sizeof(req) - 5)) < 0)
		return fail(s, "request", "key too long");
	req[4 + n] = '\n';
	if (send_all(s, req, (size_t)n + 5, deadline) < 0 ||
	    read_line(s, rep, sizeof(rep), deadline) < 0)
		return -1;
	if (strncmp(rep, "200 ", 4) == 0) {
		(void)snprintf(value, valuesize, "%s", rep + 4);
		return 1;
	}
	if (strncmp(rep, "500", 3) == 0)
		return 0;
	printable(rep);
	return fail(s, "lookup", rep);	/* 400 (try again) or garbage */
}

/* ---- sessions --------------------------------------------------------- */

void remotemap_session_init(struct remotemap_session *s,
			    const struct mapspec *m)
{
	s->m = m;
	s->deadline = now_ms() + m->timeout_ms;
	s->fd = -1;
	s->start = s->end = 0;
	s->err[0] = '\0';
}

static int get_once(struct remotemap_session *s, const char *key, char *value,
		    size_t valuesize, long long deadline)
{
	s->dropped = false;
	if (s->fd < 0 && open_conn(s, deadline) < 0)
		return -1;
	if (s->m->kind == MAPSPEC_SOCKETMAP)
		return socketmap_get(s, key, value, valuesize, deadline);
	return tcp_get(s, key, value, valuesize, deadline);
}

int remotemap_get(struct remotemap_session *s, const char *key, char *value,
		  size_t valuesize)
{
	long long deadline = s->deadline;
	bool reused = s->fd >= 0;
	int rc;

	if (strlen(key) >= KEY_MAX_LEN)
		return fail(s, "request", "key too long");
	rc = get_once(s, key, value, valuesize, deadline);
	/* A server may close a connection after any reply (Postfix's own
	 * clients reconnect then): one new connection, same deadline. */
	if (rc < 0 && reused && s->dropped)
		rc = get_once(s, key, value, valuesize, deadline);
	return rc;
}

void remotemap_session_end(struct remotemap_session *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
	s->start = s->end = 0;
}
