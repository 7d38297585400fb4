/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink_syslog.c: audit records as syslog lines (audit.syslog = true), at
 * LOG_INFO on audit.facility, sent as one datagram each to the local
 * syslog socket (audit.syslog_socket, /dev/log by default; see sink.h).
 *
 * Not syslog(3), for two reasons measured on the record path: when no
 * daemon listens, glibc opens, fails to connect and closes a socket on
 * every call (three syscalls and ~7 us a record), and when the daemon is
 * slow its blocking send() holds up the milter thread, which holds up
 * the MTA.  Here the socket stays connected; a record is formatted on
 * the stack and sent with one non-blocking send(); a record the daemon
 * cannot take (no daemon, queue full) is counted as lost and reported,
 * never waited for; reconnecting is tried at most once a second, so a
 * missing daemon costs one clock read a record.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "fdref.h"
#include "log.h"
#include "sink.h"
#include "snapshot.h"
#include "util.h"

#define RECONNECT_INTERVAL 1	/* seconds between two connect attempts */
#define HEADER_MAX 96		/* "<PRI>Mmm dd hh:mm:ss ident[pid]: " */

struct syslog_sink {
	struct audit_sink base;		/* first */
	int facility;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char ident[64];			/* "dotgate[PID]" */
	struct snapshot cur;		/* struct fdref; NULL: not connected */
	atomic_llong next_try;		/* monotonic s of the next connect */
};

static long long mono_seconds(void)
{
	struct timespec ts;

	return clock_gettime(CLOCK_MONOTONIC, &ts) == 0 ? (long long)ts.tv_sec : 0;
}

static struct fdref *connect_log(const char *path)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd < 0)
		return NULL;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));	/* fits: configure checked */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		(void)close(fd);
		return NULL;
	}
	return fdref_new(fd);
}

/* One thread in a second (re)connects; the others do not wait for it. */
static struct fdref *reconnect(struct syslog_sink *s)
{
	long long now = mono_seconds(), next = atomic_load(&s->next_try);
	struct fdref *f;

	if (now < next
	    || !atomic_compare_exchange_strong(&s->next_try, &next, now + RECONNECT_INTERVAL))
		return NULL;
	if ((f = connect_log(s->path)) == NULL)
		return NULL;
	fdref_unref(snapshot_swap(&s->cur, fdref_ref(f)));
	return f;
}

static size_t header(const struct syslog_sink *s, const struct timespec *ts,
		     char out[HEADER_MAX])
{
	char when[32];
	struct tm tm;
	int n;

	if (localtime_r(&ts->tv_sec, &tm) == NULL
	    || strftime(when, sizeof(when), "%b %e %H:%M:%S", &tm) == 0)
		strcpy(when, "Jan  1 00:00:00");
	n = snprintf(out, HEADER_MAX, "<%d>%s %s: ", s->facility | LOG_INFO,
		     when, s->ident);
	return n > 0 && n < HEADER_MAX ? (size_t)n : 0;
}

/* 0 sent; else the errno of the send (ENOTCONN: no socket at all). */
static int send_on(struct fdref *f, const char *buf, size_t len)
{
	if (f == NULL)
		return ENOTCONN;
	return send(f->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)len
	       ? 0 : errno;
}

static int syslog_write(struct audit_sink *sink, const struct dg_record *r,
			const struct timespec *ts)
{
	struct syslog_sink *s = (struct syslog_sink *)sink;
	char buf[HEADER_MAX + AUDIT_SYSLOG_MAX + 1];
	size_t len = header(s, ts, buf);
	struct fdref *f = snapshot_take(&s->cur, fdref_ref);
	int err;

	len += audit_syslog_fmt(r, ts, buf + len);
	err = send_on(f, buf, len);
	fdref_unref(f);
	/* The daemon restarted (or never ran): a new socket, once. */
	if (err == ENOTCONN || err == ECONNREFUSED || err == ECONNRESET || err == ENOENT) {
		f = reconnect(s);
		err = f ? send_on(f, buf, len) : err;
		fdref_unref(f);
	}
	if (err == 0)
		return 0;
	sink_report(sink, "syslog socket %s: %s", s->path,
		    err == EAGAIN ? "the syslog daemon is not keeping up" : strerror(err));
	return -1;
}

static void syslog_close(struct audit_sink *sink)
{
	struct syslog_sink *s = (struct syslog_sink *)sink;

	fdref_unref(snapshot_swap(&s->cur, NULL));
	free(s);
}

static int syslog_reopen(struct audit_sink *sink)
{
	struct syslog_sink *s = (struct syslog_sink *)sink;

	atomic_store(&s->next_try, 0);
	fdref_unref(reconnect(s));
	return 0;
}

static struct syslog_sink *syslog_new(const struct dg_policy *p)
{
	struct syslog_sink *s = xcalloc(1, sizeof(*s));
	struct snapshot empty = SNAPSHOT_INIT;

	sink_init(&s->base, &sink_syslog_ops);
	s->facility = p->audit.facility;
	snprintf(s->path, sizeof(s->path), "%s", p->audit.syslog_socket);
	snprintf(s->ident, sizeof(s->ident), "%s[%ld]",
		 program_invocation_short_name, (long)getpid());
	s->cur = empty;
	atomic_init(&s->next_try, 0);
	fdref_unref(reconnect(s));
	return s;
}

/* The same socket and facility keep the sink (and its connection). */
static int syslog_configure(const struct dg_policy *p, struct audit_sink *old,
			    struct audit_sink **out)
{
	const struct syslog_sink *prev = (const struct syslog_sink *)old;

	*out = NULL;
	if (!p->audit.syslog)
		return 0;
	if (prev != NULL && prev->facility == p->audit.facility
	    && strcmp(prev->path, p->audit.syslog_socket) == 0) {
		*out = sink_ref(old);
		return 0;
	}
	*out = &syslog_new(p)->base;
	return 0;
}

const struct audit_sink_ops sink_syslog_ops = {
	.name = "syslog",
	.keeps_records = true,
	.configure = syslog_configure,
	.write = syslog_write,
	.reopen = syslog_reopen,
	.close = syslog_close,
};
