/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_auditlog.c: unit tests of the audit sinks (sink.h): records of
 * many threads never interleave in the file, even records far above
 * PIPE_BUF; a rename + reopen (logrotate) loses and duplicates nothing
 * while writers run; failures to open, reopen or write are reported and
 * do not block; audit_emit() writes exactly one record line; a reload
 * keeps, reopens, replaces or drops the file sink as the policy says;
 * each sink counts the records it lost.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit.h"
#include "sink.h"
#include "record_fixture.h"
#include "txn.h"
#include "util.h"

#define THREADS 16
#define PER_THREAD 400

struct writer {
	struct auditlog *log;
	int id;
	int count;
	size_t max_pad;
};

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test_auditlog.XXXXXX");
	return mkdtemp(dir) == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void path_of(char *out, size_t len, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

static void *write_records(void *arg)
{
	struct writer *w = arg;
	size_t cap = w->max_pad + 100;
	char *line = xmalloc(cap);
	unsigned seed = (unsigned)w->id * 7919u + 1;

	for (int i = 0; i < w->count; i++) {
		/* Sizes from tiny to far above PIPE_BUF and a page. */
		size_t pad = (size_t)rand_r(&seed) % w->max_pad;
		int n = snprintf(line, cap, "{\"t\":%d,\"i\":%d,\"pad\":\"",
				 w->id, i);

		memset(line + n, 'a' + w->id % 26, pad);
		strcpy(line + n + pad, "\"}\n");
		if (auditlog_write(w->log, line, strlen(line)) != 0)
			break;
	}
	free(line);
	return NULL;
}

/*
 * check_file - every line of path is a whole record of one writer;
 * marks seen[t][i] and returns the number of lines.
 */
static int check_file(const char *path, unsigned char seen[][PER_THREAD * 5],
		      int per_thread)
{
	FILE *fp = fopen(path, "r");
	size_t cap = 0;
	char *line = NULL;
	ssize_t n;
	int lines = 0;

	assert_non_null(fp);
	while ((n = getline(&line, &cap, fp)) > 0) {
		json_error_t err;
		json_t *j;
		int t, i;

		assert_int_equal(line[n - 1], '\n');
		j = json_loads(line, 0, &err);
		if (j == NULL)
			fail_msg("%s line %d is not a record: %s", path,
				 lines + 1, err.text);
		t = (int)json_integer_value(json_object_get(j, "t"));
		i = (int)json_integer_value(json_object_get(j, "i"));
		assert_in_range(t, 0, THREADS - 1);
		assert_in_range(i, 0, per_thread - 1);
		if (seen[t][i]++)
			fail_msg("record %d/%d twice", t, i);
		/* The padding is all one thread's letter. */
		const char *pad = json_string_value(json_object_get(j, "pad"));
		for (const char *p = pad; *p; p++)
			assert_int_equal(*p, 'a' + t % 26);
		json_decref(j);
		lines++;
	}
	free(line);
	fclose(fp);
	return lines;
}

static void run_writers(struct auditlog *log, struct writer *w,
			pthread_t *tid, int nthreads, int count, size_t pad)
{
	for (int i = 0; i < nthreads; i++) {
		w[i] = (struct writer){log, i, count, pad};
		assert_int_equal(pthread_create(&tid[i], NULL, write_records,
						&w[i]), 0);
	}
}

static void test_concurrent(void **state)
{
	static unsigned char seen[THREADS][PER_THREAD * 5];
	struct writer w[THREADS];
	pthread_t tid[THREADS];
	char path[128];
	struct auditlog *log;

	(void)state;
	memset(seen, 0, sizeof(seen));
	path_of(path, sizeof(path), "concurrent.jsonl");
	log = auditlog_open(path);
	assert_non_null(log);
	run_writers(log, w, tid, THREADS, PER_THREAD, 12000);
	for (int i = 0; i < THREADS; i++)
		pthread_join(tid[i], NULL);
	auditlog_close(log);
	assert_int_equal(check_file(path, seen, PER_THREAD),
			 THREADS * PER_THREAD);
}

static void test_mode(void **state)
{
	char path[128];
	struct auditlog *log;
	struct stat st;
	mode_t old = umask(022);

	(void)state;
	path_of(path, sizeof(path), "mode.jsonl");
	log = auditlog_open(path);
	umask(old);
	assert_non_null(log);
	assert_string_equal(auditlog_path(log), path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	auditlog_close(log);
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = xcalloc(1, 65536);

	assert_non_null(fp);
	(void)!fread(buf, 1, 65535, fp);
	fclose(fp);
	return buf;
}

static void test_reopen_after_rename(void **state)
{
	char path[128], rotated[128], *a, *b;
	struct auditlog *log;

	(void)state;
	path_of(path, sizeof(path), "rot.jsonl");
	path_of(rotated, sizeof(rotated), "rot.jsonl.1");
	log = auditlog_open(path);
	assert_non_null(log);
	assert_int_equal(auditlog_write(log, "{\"n\":1}\n", strlen("{\"n\":1}\n")), 0);
	assert_int_equal(rename(path, rotated), 0);
	/* Until the reopen, records follow the renamed file. */
	assert_int_equal(auditlog_write(log, "{\"n\":2}\n", strlen("{\"n\":2}\n")), 0);
	assert_int_equal(auditlog_reopen(log), 0);
	assert_int_equal(auditlog_write(log, "{\"n\":3}\n", strlen("{\"n\":3}\n")), 0);
	auditlog_close(log);
	a = slurp(rotated);
	b = slurp(path);
	assert_string_equal(a, "{\"n\":1}\n{\"n\":2}\n");
	assert_string_equal(b, "{\"n\":3}\n");
	free(a);
	free(b);
}

/* Rotate 40 times while 8 threads write: no record lost or doubled. */
static void test_reopen_under_load(void **state)
{
	static unsigned char seen[THREADS][PER_THREAD * 5];
	enum { NT = 8, COUNT = PER_THREAD * 5, ROTATIONS = 40 };
	struct writer w[NT];
	pthread_t tid[NT];
	char path[128], rotated[160];
	struct auditlog *log;
	int total = 0;

	(void)state;
	memset(seen, 0, sizeof(seen));
	path_of(path, sizeof(path), "load.jsonl");
	log = auditlog_open(path);
	assert_non_null(log);
	run_writers(log, w, tid, NT, COUNT, 3000);
	for (int r = 0; r < ROTATIONS; r++) {
		snprintf(rotated, sizeof(rotated), "%s.%d", path, r);
		assert_int_equal(rename(path, rotated), 0);
		assert_int_equal(auditlog_reopen(log), 0);
		usleep(1000);
	}
	for (int i = 0; i < NT; i++)
		pthread_join(tid[i], NULL);
	auditlog_close(log);
	total += check_file(path, seen, COUNT);
	for (int r = 0; r < ROTATIONS; r++) {
		snprintf(rotated, sizeof(rotated), "%s.%d", path, r);
		total += check_file(rotated, seen, COUNT);
	}
	assert_int_equal(total, NT * COUNT);
	for (int t = 0; t < NT; t++)
		for (int i = 0; i < COUNT; i++)
			assert_int_equal(seen[t][i], 1);
}

static void test_errors(void **state)
{
	char path[128], sub[128], moved[128], *content;
	struct auditlog *log;

	(void)state;
	/* Opening in a missing directory fails with errno. */
	path_of(path, sizeof(path), "missing/audit.jsonl");
	errno = 0;
	assert_null(auditlog_open(path));
	assert_int_equal(errno, ENOENT);

	/* A failed reopen keeps writing to the previous file. */
	path_of(sub, sizeof(sub), "sub");
	assert_int_equal(mkdir(sub, 0755), 0);
	path_of(path, sizeof(path), "sub/audit.jsonl");
	path_of(moved, sizeof(moved), "moved");
	log = auditlog_open(path);
	assert_non_null(log);
	assert_int_equal(rename(sub, moved), 0);
	assert_int_equal(auditlog_reopen(log), -1);
	assert_int_equal(auditlog_write(log, "{\"kept\":true}\n", strlen("{\"kept\":true}\n")), 0);
	auditlog_close(log);
	path_of(moved, sizeof(moved), "moved/audit.jsonl");
	content = slurp(moved);
	assert_string_equal(content, "{\"kept\":true}\n");
	free(content);

	/* A full disk fails the write, every time, without blocking. */
	if (access("/dev/full", W_OK) == 0) {
		log = auditlog_open("/dev/full");
		assert_non_null(log);
		for (int i = 0; i < 1000; i++)
			assert_int_equal(auditlog_write(log, "{}\n", strlen("{}\n")), -1);
		auditlog_close(log);
	}
}

static int write_n(struct auditlog *log, int n)
{
	char line[32];

	snprintf(line, sizeof(line), "{\"n\":%d}\n", n);
	return auditlog_write(log, line, strlen(line));
}

static void file_limit(rlim_t bytes)
{
	struct rlimit rl;

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &rl), 0);
	rl.rlim_cur = bytes;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

/*
 * A full disk mid-record (RLIMIT_FSIZE stands in for it: the same short
 * write, then EFBIG for ENOSPC): the partial line is ended by the next
 * record that is written, in its own write, so exactly the records that
 * failed are lost (sink.h) and writing resumes once there is room.
 */
static void test_torn_line(void **state)
{
	char path[128], *content;
	struct auditlog *log;
	struct rlimit saved;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
	signal(SIGXFSZ, SIG_IGN);
	path_of(path, sizeof(path), "torn.jsonl");
	log = auditlog_open(path);
	assert_non_null(log);
	assert_int_equal(write_n(log, 1), 0);		/* 8 bytes */
	file_limit(12);
	assert_int_equal(write_n(log, 2), -1);		/* 4 bytes of it */
	assert_int_equal(write_n(log, 3), -1);		/* nothing */
	file_limit(13);
	assert_int_equal(write_n(log, 4), -1);		/* only the "\n" */
	file_limit(17);
	assert_int_equal(write_n(log, 5), -1);		/* torn again */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	assert_int_equal(write_n(log, 6), 0);
	assert_int_equal(write_n(log, 7), 0);
	auditlog_close(log);
	signal(SIGXFSZ, SIG_DFL);
	content = slurp(path);
	assert_string_equal(content, "{\"n\":1}\n{\"n\"\n{\"n\"\n{\"n\":6}\n{\"n\":7}\n");
	free(content);
}

static struct dg_txn *refused_txn(void)
{
	struct dg_txn *t = new_txn();

	R.stage = DG_STAGE_MAIL;
	txn_set(&t->from, "x\ny@example.test");
	R.mail_rule = GATE_UNAUTHENTICATED;
	R.decision.has_verdict = true;
	R.decision.verdict = DG_VERDICT_REJECT;
	return t;
}

static size_t count_lines(const char *path)
{
	char *content = slurp(path);
	size_t n = 0;

	for (const char *c = content; *c; c++)
		n += *c == '\n';
	free(content);
	return n;
}

/* audit_emit() through the current set writes exactly one line. */
static void test_emit(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	char path[128], *content;
	bool complete;
	json_t *j;

	(void)state;
	memset(&p, 0, sizeof(p));
	path_of(path, sizeof(path), "emit.jsonl");
	p.audit.file = path;
	sinks_install(sinks_configure(&p, NULL, &complete));
	assert_true(complete);
	assert_true(audit_emit(rec(t)));		/* the file kept it */
	sinks_install(NULL);
	assert_false(audit_emit(rec(t)));	/* no set: nothing kept, no error */
	content = slurp(path);
	assert_ptr_equal(strchr(content, '\n'), content + strlen(content) - 1);
	j = json_loads(content, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "from")),
			    "x\ny@example.test");
	assert_string_equal(json_string_value(json_object_get(j, "rule")),
			    "auth.unauthenticated");
	json_decref(j);
	free(content);
	txn_free(t);
}

/* A reload: the same path is reopened, a new one opened, one that cannot
 * be opened keeps the old file, an empty one stops the file. */
static void test_sinks_reload(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	char a[128], a1[128], b[128], bad[128];
	struct audit_sinks *s1, *s2;
	bool complete;

	(void)state;
	memset(&p, 0, sizeof(p));
	path_of(a, sizeof(a), "reload-a.jsonl");
	path_of(a1, sizeof(a1), "reload-a.jsonl.1");
	path_of(b, sizeof(b), "reload-b.jsonl");
	path_of(bad, sizeof(bad), "missing/reload.jsonl");
	p.audit.file = a;
	s1 = sinks_configure(&p, NULL, &complete);
	assert_int_equal(sinks_write(s1, rec(t)), 0);
	assert_int_equal(rename(a, a1), 0);		/* logrotate */
	s2 = sinks_configure(&p, s1, &complete);
	assert_ptr_equal(sinks_find(s2, "file"), sinks_find(s1, "file"));
	assert_int_equal(sinks_write(s1, rec(t)), 0);	/* the old set too */
	assert_int_equal(count_lines(a1), 1);
	assert_int_equal(count_lines(a), 1);
	sinks_unref(s1);
	p.audit.file = bad;
	s1 = sinks_configure(&p, s2, &complete);
	assert_false(complete);
	assert_ptr_equal(sinks_find(s1, "file"), sinks_find(s2, "file"));
	sinks_unref(s2);
	p.audit.file = b;
	s2 = sinks_configure(&p, s1, &complete);
	assert_true(complete);
	assert_int_equal(sinks_write(s2, rec(t)), 0);
	assert_int_equal(count_lines(b), 1);
	assert_int_equal(count_lines(a), 1);
	sinks_unref(s1);
	p.audit.file = "";
	s1 = sinks_configure(&p, s2, &complete);
	assert_null(sinks_find(s1, "file"));
	assert_null(sinks_find(s1, "syslog"));
	sinks_unref(s1);
	sinks_unref(s2);
	p.audit.file = bad;	/* at start-up there is nothing to keep */
	s1 = sinks_configure(&p, NULL, &complete);
	assert_false(complete);
	assert_null(sinks_find(s1, "file"));
	sinks_unref(s1);
	txn_free(t);
}

/* Each sink counts the records it lost. */
static void test_sink_errors(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	struct audit_sinks *set;
	bool complete;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	memset(&p, 0, sizeof(p));
	p.audit.file = "/dev/full";
	p.audit.syslog = true;
	p.audit.syslog_socket = "/nonexistent/dotgate-test-log";
	set = sinks_configure(&p, NULL, &complete);
	assert_non_null(sinks_find(set, "syslog"));
	for (int i = 0; i < 3; i++)
		assert_int_equal(sinks_write(set, rec(t)), 2);
	assert_int_equal(sink_errors(sinks_find(set, "file")), 3);
	assert_int_equal(sink_errors(sinks_find(set, "syslog")), 3);
	sinks_unref(set);
	txn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_reopen_after_rename),
		cmocka_unit_test(test_reopen_under_load),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_torn_line),
		cmocka_unit_test(test_emit),
		cmocka_unit_test(test_sinks_reload),
		cmocka_unit_test(test_sink_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
