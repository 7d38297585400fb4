/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sink_file.c: the JSON Lines audit file, and the file as an audit sink
 * (see sink.h).  The sink owns its reopen: the same path on a reload or
 * logrotate's SIGUSR1 reopens it, a new path opens a new file.
 *
 * Many libmilter worker threads append records while the signal thread
 * may reopen the file for logrotate.  Each record is one write(2) on an
 * O_APPEND descriptor, which the kernel appends atomically with respect
 * to other writers of the file.  The descriptor lives in a small
 * reference-counted holder: a writer takes a reference under the mutex
 * (a pointer copy and an increment), writes without any lock, and drops
 * it; reopen swaps the holder under the same mutex.  The old descriptor
 * is closed by whoever drops its last reference, so a reopen can never
 * close a descriptor that a writer is still using (and whose number the
 * kernel could hand to an unrelated file).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "log.h"
#include "sink.h"
#include "util.h"

#define AUDITLOG_MODE 0640
#define ERROR_INTERVAL 60	/* seconds between two logged write errors */

struct afile {
	int fd;
	atomic_int refs;
};

struct auditlog {
	struct audit_sink base;		/* first: the file is a sink */
	char *path;
	pthread_mutex_t lock;		/* guards cur only */
	struct afile *cur;
	atomic_llong last_error;	/* monotonic seconds of the last report */
};

static struct afile *afile_open(const char *path)
{
	struct afile *f;
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		      AUDITLOG_MODE);

	if (fd < 0)
		return NULL;
	f = xmalloc(sizeof(*f));
	f->fd = fd;
	atomic_init(&f->refs, 1);
	return f;
}

static void afile_release(struct afile *f)
{
	if (atomic_fetch_sub(&f->refs, 1) == 1) {
		(void)close(f->fd);
		free(f);
	}
}

static struct afile *afile_take(struct auditlog *a)
{
	struct afile *f;

	pthread_mutex_lock(&a->lock);
	f = a->cur;
	atomic_fetch_add(&f->refs, 1);
	pthread_mutex_unlock(&a->lock);
	return f;
}

static long long now_seconds(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return (long long)time(NULL);
	return (long long)ts.tv_sec;
}

/*
 * report - log a write problem unless one was logged in the last
 * minute.  The compare-and-swap lets exactly one thread log it.
 */
static void report(struct auditlog *a, const char *what, int err)
{
	long long now = now_seconds();
	long long last = atomic_load(&a->last_error);

	if (now - last < ERROR_INTERVAL)
		return;
	if (!atomic_compare_exchange_strong(&a->last_error, &last, now))
		return;
	syslog(LOG_ERR, "audit file %s: %s: %s (further errors are "
	       "reported at most once a minute)", a->path, what,
	       strerror(err));
}

struct auditlog *auditlog_open(const char *path)
{
	struct auditlog *a;
	struct afile *f = afile_open(path);

	if (f == NULL)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	sink_init(&a->base, &sink_file_ops);
	a->path = xstrdup(path);
	a->cur = f;
	atomic_init(&a->last_error, -ERROR_INTERVAL * 2LL);
	if (pthread_mutex_init(&a->lock, NULL) != 0)
		dg_panic("audit file %s: cannot create a mutex", path);
	return a;
}

int auditlog_write(struct auditlog *a, const char *line)
{
	size_t len = strlen(line);
	struct afile *f = afile_take(a);
	ssize_t n;
	int ret = 0;

	/* Nothing is written when EINTR is returned: retrying is safe. */
	do
		n = write(f->fd, line, len);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		report(a, "write failed", errno);
		ret = -1;
	} else if ((size_t)n < len) {
		/*
		 * Disk full.  Writing the rest later could interleave with
		 * another record; ending the partial line keeps the damage
		 * to one malformed line that readers skip.
		 */
		(void)!write(f->fd, "\n", 1);
		report(a, "short write", ENOSPC);
		ret = -1;
	}
	afile_release(f);
	return ret;
}

int auditlog_reopen(struct auditlog *a)
{
	struct afile *f = afile_open(a->path);
	struct afile *old;

	if (f == NULL) {
		syslog(LOG_ERR, "audit file %s: cannot reopen: %m; "
		       "still writing to the previous file", a->path);
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	old = a->cur;
	a->cur = f;
	pthread_mutex_unlock(&a->lock);
	afile_release(old);
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
	afile_release(a->cur);
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}

/* ---- the file as an audit sink ------------------------------------------ */

static int file_write(struct audit_sink *s, const struct dg_txn *t,
		      const struct timespec *ts)
{
	char *line = audit_json(t, ts);
	int ret = auditlog_write((struct auditlog *)s, line);

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
	.configure = file_configure,
	.write = file_write,
	.reopen = file_reopen,
	.close = file_close,
};
