/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_smtp.c: dotgate-probe's SMTP transport: one TCP connection,
 * a deadline on every read and write, bounded reply parsing.  The
 * server may be hostile or confused by the vectors, so nothing it sends
 * can make the probe block forever or grow without bound.
 *
 * NAME
 *	probe_smtp - connect, send, read SMTP replies
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	The connection is made by probe_net_connect() (probe_net.c), which
 *	resolves host and port numerically or by name (getaddrinfo) and
 *	tries each address with a non-blocking connect bounded by the
 *	timeout; every wait here is probe_net_wait()'s.  probe_smtp_send() writes everything or
 *	fails; probe_smtp_cmd() appends CRLF.  probe_smtp_reply() reads one
 *	(possibly multi-line) reply: each line must start with three digits
 *	and a space or a dash, all lines of a reply with the same code.
 *	End of file before any line yields code 0 and success, so callers
 *	can tell "server hung up" from an I/O error.  Once probe_tls_start()
 *	has run, the same calls go through TLS (probe_tls.c).
 *
 *	Whenever a read or write finds the connection closed (end of file)
 *	or reset (ECONNRESET, EPIPE), c->closed says so, even when the call
 *	fails: a server that hangs up on input it has not read makes its
 *	kernel send a reset, and that is the server's answer, not a fault
 *	of the probe (main.c judges it).  The first of them is kept.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

void probe_smtp_close(struct probe_smtp *c)
{
	probe_tls_close(c);
	if (c->fd >= 0)
		(void)close(c->fd);
	c->fd = -1;
}

/* Notes how the server ended the connection; errno e of a failed call. */
static void note_closed(struct probe_smtp *c, int e)
{
	if (c->closed == 0)
		c->closed = e == 0 ? PROBE_CLOSED_EOF : PROBE_CLOSED_RESET;
}

int probe_smtp_send(struct probe_smtp *c, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n;

		if (c->ssl != NULL) {
			if ((n = probe_tls_write(c, p, len)) < 0)
				return -1;
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (probe_net_wait(c, POLLOUT) < 0)
			return -1;
		n = send(c->fd, p, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				note_closed(c, errno);
			(void)snprintf(c->err, sizeof(c->err), "send: %s",
				       strerror(errno));
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int probe_smtp_cmd(struct probe_smtp *c, const char *cmd)
{
	if (probe_smtp_send(c, cmd, strlen(cmd)) < 0)
		return -1;
	return probe_smtp_send(c, "\r\n", 2);
}

/* Refills the buffer; returns bytes read, 0 at end of file, -1 on error. */
static ssize_t fill(struct probe_smtp *c)
{
	ssize_t n;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->end - c->start);
		c->end -= c->start;
		c->start = 0;
	}
	if (c->end == sizeof(c->buf))
		return -2;
	if (c->ssl != NULL) {
		n = probe_tls_read(c, c->buf + c->end, sizeof(c->buf) - c->end);
		if (n > 0)
			c->end += (size_t)n;
		if (n == 0)
			note_closed(c, 0);
		return n;
	}
	for (;;) {
		if (probe_net_wait(c, POLLIN) < 0)
			return -1;
		n = recv(c->fd, c->buf + c->end, sizeof(c->buf) - c->end, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0) {
			if (errno == ECONNRESET)
				note_closed(c, errno);
			(void)snprintf(c->err, sizeof(c->err), "recv: %s",
				       strerror(errno));
			return -1;
		}
		if (n == 0)
			note_closed(c, 0);
		c->end += (size_t)n;
		return n;
	}
}

/*
 * One line into line[PROBE_LINE_MAX + 1] without its CRLF (or LF).
 * Returns its length, -1 on error, -2 at end of file with nothing read.
 */
static ssize_t read_line(struct probe_smtp *c, char *line)
{
	size_t len = 0;

	for (;;) {
		while (c->start < c->end) {
			char ch = c->buf[c->start++];

			if (ch == '\n') {
				if (len > 0 && line[len - 1] == '\r')
					len--;
				line[len] = '\0';
				return (ssize_t)len;
			}
			if (len == PROBE_LINE_MAX) {
				(void)snprintf(c->err, sizeof(c->err),
					       "reply line longer than %d octets",
					       PROBE_LINE_MAX);
				return -1;
			}
			line[len++] = ch;
		}
		ssize_t n = fill(c);

		if (n < 0)
			return -1;
		if (n == 0) {
			if (len == 0)
				return -2;
			(void)snprintf(c->err, sizeof(c->err),
				       "connection closed inside a reply line");
			return -1;
		}
	}
}

static void append_text(struct probe_reply *r, const char *line)
{
	size_t have = strlen(r->text);
	size_t room = sizeof(r->text) - 1 - have;

	if (have > 0 && room > 0) {
		r->text[have++] = '\n';
		room--;
	}
	for (; *line != '\0' && room > 0; line++, room--) {
		unsigned char ch = (unsigned char)*line;

		/* The reply is shown and logged: keep it printable. */
		r->text[have++] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	r->text[have] = '\0';
}

int probe_smtp_reply(struct probe_smtp *c, struct probe_reply *r)
{
	static char line[PROBE_LINE_MAX + 1];

	r->code = 0;
	r->text[0] = '\0';
	for (int i = 0; i < PROBE_REPLY_LINES; i++) {
		ssize_t n = read_line(c, line);
		int code;

		if (n == -2 && i == 0)
			return 0;	/* closed: code 0 */
		if (n == -2) {
			(void)snprintf(c->err, sizeof(c->err),
				       "connection closed inside a reply");
			return -1;
		}
		if (n < 0)
			return -1;
		if (n < 3 || line[0] < '2' || line[0] > '5' ||
		    line[1] < '0' || line[1] > '9' ||
		    line[2] < '0' || line[2] > '9' ||
		    (n > 3 && line[3] != ' ' && line[3] != '-')) {
			(void)snprintf(c->err, sizeof(c->err),
				       "malformed reply line");
			return -1;
		}
		code = (line[0] - '0') * 100 + (line[1] - '0') * 10 +
		       (line[2] - '0');
		if (i > 0 && code != r->code) {
			(void)snprintf(c->err, sizeof(c->err),
				       "reply code changed inside a reply");
			return -1;
		}
		r->code = code;
		append_text(r, line);
		if (n == 3 || line[3] == ' ')
			return 0;
	}
	(void)snprintf(c->err, sizeof(c->err), "reply longer than %d lines",
		       PROBE_REPLY_LINES);
	return -1;
}
