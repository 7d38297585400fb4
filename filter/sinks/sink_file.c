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
 *
 * A full disk can cut a record short.  Its partial line cannot be ended
 * there (a "\n" written alone would fail on the full disk, too); the file
 * remembers it is torn and the next record written starts with the "\n"
 * in the same writev(2), so exactly the records that failed are lost and
 * writing resumes by itself when space returns (dotgate(8), "AUDIT").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
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
	atomic_bool torn;		/* the file ends in a partial line */
	atomic_bool failing;		/* the last write failed */
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
	atomic_init(&a->torn, false);
	atomic_init(&a->failing, false);
	(void)snapshot_swap(&a->cur, f);
	return a;
}

/*
 * Whether the file ends in a partial line after a write of n bytes of
 * ("\n" when mend) + line: a line cut short, or a mending "\n" that was
 * not written.  A failed write changes nothing in the file.
 */
static bool torn_after(ssize_t n, bool mend, size_t len)
{
	size_t of_line;

	if (n < 0 || (size_t)n < (size_t)mend)
		return mend;
	of_line = (size_t)n - (size_t)mend;
	return of_line > 0 && of_line < len;
}

int auditlog_write(struct auditlog *a, const char *line, size_t len)
{
	struct fdref *f = snapshot_take(&a->cur, fdref_ref);
	bool mend = atomic_exchange(&a->torn, false);
	struct iovec iov[2] = {
		{ .iov_base = (void *)"\n", .iov_len = 1 },
		{ .iov_base = (void *)line, .iov_len = len },
	};
	ssize_t n;
	int ret = 0;

	/* Nothing is written when EINTR is returned: retrying is safe. */
	do
		n = writev(f->fd, mend ? iov : iov + 1, mend ? 2 : 1);
	while (n < 0 && errno == EINTR);
	if (torn_after(n, mend, len))
		atomic_store(&a->torn, true);
	if (n >= 0 && (size_t)n == len + mend) {
		/* The one line a postmaster needs after a full disk: when
		 * records were written again, and how many were lost. */
		if (atomic_load(&a->failing) && atomic_exchange(&a->failing, false))
			log_msg(LOG_NOTICE, "audit file %s: writing again "
				"(%llu records lost so far)", a->path,
				sink_errors(&a->base));
	} else
		atomic_store(&a->failing, true);
	if (n < 0) {
		sink_report(&a->base, "audit file %s: write failed: %s", a->path,
			    strerror(errno));
		ret = -1;
	} else if ((size_t)n < len + mend) {
		sink_report(&a->base, "audit file %s: short write: %s", a->path,
			    strerror(ENOSPC));
		ret = -1;
	}
	fdref_unref(f);
	return ret;
}

static bool same_file(int fd1, int fd2)
{
	struct stat s1, s2;

	return fstat(fd1, &s1) == 0 && fstat(fd2, &s2) == 0
	       && s1.st_dev == s2.st_dev && s1.st_ino == s2.st_ino;
}

/* A torn line stays with its file: a rotated-in file starts clean. */
int auditlog_reopen(struct auditlog *a)
{
	struct fdref *f = open_path(a->path), *old;

	if (f == NULL) {
		log_msg(LOG_ERR, "audit file %s: cannot reopen: %s; "
			"still writing to the previous file", a->path, strerror(errno));
		return -1;
	}
	old = snapshot_swap(&a->cur, f);
	if (old != NULL && !same_file(old->fd, f->fd))
		atomic_store(&a->torn, false);
	fdref_unref(old);
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
