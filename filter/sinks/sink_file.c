/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink_file.c: the JSON Lines audit file, and the file as an audit sink
 * (see sink.h).  The sink owns its reopen: the same path on a reload or
 * logrotate's SIGUSR1 reopens it, a new path opens a new file.
 *
 * Many libmilter worker threads append records while the signal thread
 * may reopen the file for logrotate.  Each record is one write(2) on an
 * O_APPEND descriptor, which the kernel appends atomically with respect
 * to other writers of the file.  The descriptor is a reference-counted
 * fdref in a snapshot: a writer takes it without a lock, writes, and
 * drops it; a reopen swaps in a new one, and the old descriptor is
 * closed by whoever drops its last reference (fdref.h says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "fdref.h"
#include "log.h"
#include "sink.h"
#include "snapshot.h"
#include "util.h"

#define AUDITLOG_MODE 0640

struct auditlog {
	struct audit_sink base;		/* first: the file is a sink */
	char *path;
	struct snapshot cur;		/* struct fdref */
};

static struct fdref *open_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      AUDITLOG_MODE);

	return fd < 0 ? NULL : fdref_new(fd);
}

struct auditlog *auditlog_open(const char *path)
{
	struct fdref *f = open_path(path);
	struct auditlog *a;
	struct snapshot empty = SNAPSHOT_INIT;

	if (f == NULL)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	sink_init(&a->base, &sink_file_ops);
	a->path = xstrdup(path);
	a->cur = empty;
	(void)snapshot_swap(&a->cur, f);
	return a;
}

int auditlog_write(struct auditlog *a, const char *line, size_t len)
{
	struct fdref *f = snapshot_take(&a->cur, fdref_ref);
	ssize_t n;
	int ret = 0;

	/* Nothing is written when EINTR is returned: retrying is safe. */
	do
		n = write(f->fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		sink_report(&a->base, "audit file %s: write failed: %s", a->path,
			    strerror(errno));
		ret = -1;
	} else if ((size_t)n < len) {
		/*
		 * Disk full.  Writing the rest later could interleave with
		 * another record; ending the partial line keeps the damage
		 * to one malformed line that readers skip.
		 */
		(void)!write(f->fd, "\n", 1);
		sink_report(&a->base, "audit file %s: short write: %s", a->path,
			    strerror(ENOSPC));
		ret = -1;
	}
	fdref_unref(f);
	return ret;
}

int auditlog_reopen(struct auditlog *a)
{
	struct fdref *f = open_path(a->path);

	if (f == NULL) {
		log_msg(LOG_ERR, "audit file %s: cannot reopen: %s; "
			"still writing to the previous file", a->path, strerror(errno));
		return -1;
	}
	fdref_unref(snapshot_swap(&a->cur, f));
	return 0;
}

const char *auditlog_path(const struct auditlog *a)
{
	return a->path;
}

void auditlog_close(struct auditlog *a)
{
	if (a == NULL)
		return;
	fdref_unref(snapshot_swap(&a->cur, NULL));
	free(a->path);
	free(a);
}

/* ---- the file as an audit sink ------------------------------------------ */

/* Most records fit the stack buffer: no allocation for the line. */
static int file_write(struct audit_sink *s, const struct dg_record *r,
		      const struct timespec *ts)
{
	char buf[AUDIT_LINE_BUF];
	size_t len;
	char *line = audit_json_into(r, ts, buf, sizeof(buf), &len);
	int ret = auditlog_write((struct auditlog *)s, line, len);

	if (line != buf)
		free(line);
	return ret;
}

static int file_reopen(struct audit_sink *s)
{
	return auditlog_reopen((struct auditlog *)s);
}

static void file_close(struct audit_sink *s)
{
	auditlog_close((struct auditlog *)s);
}

/* The same path is the same file, reopened (logrotate); a new path that
 * cannot be opened leaves the old file in use. */
static int file_configure(const struct dg_policy *p, struct audit_sink *old,
			  struct audit_sink **out)
{
	struct auditlog *prev = (struct auditlog *)old, *a;

	*out = NULL;
	if (p->audit.file == NULL || p->audit.file[0] == '\0')
		return 0;
	if (prev != NULL && strcmp(prev->path, p->audit.file) == 0) {
		(void)auditlog_reopen(prev);
		*out = sink_ref(old);
		return 0;
	}
	if ((a = auditlog_open(p->audit.file)) == NULL) {
		log_msg(LOG_ERR, "cannot open audit file %s: %s%s", p->audit.file,
			strerror(errno), prev ? "; keeping the old one" : "");
		*out = prev ? sink_ref(old) : NULL;
		return -1;
	}
	*out = &a->base;
	return 0;
}

const struct audit_sink_ops sink_file_ops = {
	.name = "file",
	.keeps_records = true,
	.configure = file_configure,
	.write = file_write,
	.reopen = file_reopen,
	.close = file_close,
};
