/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_loginmap.c: unit tests of the login map (loginmap.c): the Postfix
 * text format (comments, blank lines, continuation lines, several logins
 * split by commas and spaces), errors reported as FILE:LINE, case
 * folding, and a 100,000-entry map (its load time is printed as a TAP
 * comment, not asserted: speed is the benchmarks' business).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "loginmap.h"
#include "util.h"

#define MAX_ERRORS 32

struct errors {
	size_t n;
	struct {
		char file[512];
		unsigned line;
		char msg[512];
	} e[MAX_ERRORS];
};

static void collect(void *arg, const char *file, unsigned line, const char *msg)
{
	struct errors *errs = arg;

	if (errs->n >= MAX_ERRORS)
		fail_msg("too many errors");
	snprintf(errs->e[errs->n].file, sizeof(errs->e[0].file), "%s", file);
	errs->e[errs->n].line = line;
	snprintf(errs->e[errs->n].msg, sizeof(errs->e[0].msg), "%s", msg);
	errs->n++;
}

/* Writes text to a new temporary file; returns its path (static buffer). */
static const char *temp_map(const char *text)
{
	static char path[256];
	const char *dir = getenv("TMPDIR");
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "%s/test_loginmap.XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Asserts the key exists with exactly these logins (in order). */
static void expect_logins(const struct loginmap *m, const char *key, size_t n, ...)
{
	const struct loginmap_entry *e = loginmap_get(m, key);
	va_list ap;

	if (e == NULL)
		fail_msg("key %s missing", key);
	if (e->nlogins != n)
		fail_msg("key %s has %zu logins, expected %zu", key, e->nlogins, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(e->logins[i], va_arg(ap, const char *));
	va_end(ap);
}

static void test_load_good(void **state)
{
	struct loginmap *m = loginmap_new();
	struct errors errs = { 0 };
	const char *path = temp_map(
		"# sender login map\n"
		"\n"
		"alice@example.test   alice@example.test\n"
		"   \t\n"
		"@example.org\talice, bob ,carol\n"
		"dave@ dave\tdave2,,dave3\n"
		"Eve@Example.Test  EVE@Example.Test\n"
		"frank@x.test  frank,\n"
		"    frank2\n"
		"# a comment inside an entry\n"
		"\tfrank3\n"
		"gina@x.test gina\r\n"
		"  # indented comment\n"
		"alice@example.test alice2\n"
		"last@x.test last");	/* no final newline */

	(void)state;
	assert_int_equal(loginmap_load(m, path, collect, &errs), 0);
	unlink(path);
	assert_int_equal(errs.n, 0);
	assert_int_equal(loginmap_size(m), 7);
	/* A key on two lines: the logins are united. */
	expect_logins(m, "alice@example.test", 2, "alice@example.test", "alice2");
	expect_logins(m, "@example.org", 3, "alice", "bob", "carol");
	expect_logins(m, "dave@", 3, "dave", "dave2", "dave3");
	expect_logins(m, "eve@example.test", 1, "eve@example.test");
	expect_logins(m, "EVE@EXAMPLE.TEST", 1, "eve@example.test");
	expect_logins(m, "frank@x.test", 3, "frank", "frank2", "frank3");
	expect_logins(m, "gina@x.test", 1, "gina");
	expect_logins(m, "last@x.test", 1, "last");
	assert_null(loginmap_get(m, "frank2"));
	assert_null(loginmap_get(m, "bob@example.org"));
	loginmap_free(m);
}

static void expect_error(const struct errors *errs, size_t i, const char *path,
			 unsigned line, const char *fragment)
{
	assert_true(i < errs->n);
	assert_string_equal(errs->e[i].file, path);
	assert_int_equal(errs->e[i].line, line);
	if (strstr(errs->e[i].msg, fragment) == NULL)
		fail_msg("error %zu \"%s\" lacks \"%s\"", i, errs->e[i].msg, fragment);
}

static void test_load_malformed(void **state)
{
	struct loginmap *m = loginmap_new();
	struct errors errs = { 0 };
	char *text = xmalloc(8192);
	char path[256];

	(void)state;
	snprintf(text, 8192,
		 "  indented@x.test foo\n"		/* 1: continues nothing */
		 "ok1@x.test ok1\n"			/* 2 */
		 "noatsign login\n"			/* 3: key without @ */
		 "lonely@x.test\n"			/* 4: no login */
		 "\n"					/* 5 */
		 "commas@x.test , ,,\n"			/* 6: no login */
		 "ok2@x.test ok2\n"			/* 7 */
		 "split@x.test\n"			/* 8: logins on the */
		 "   split\n"				/* 9: next line: fine */
		 "%.1100s@x.test long\n"		/* 10: key too long */
		 "ok3@x.test ok3\n",			/* 11 */
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk"
		 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk");
	snprintf(path, sizeof(path), "%s", temp_map(text));
	free(text);
	assert_int_equal(loginmap_load(m, path, collect, &errs), 5);
	unlink(path);
	assert_int_equal(errs.n, 5);
	expect_error(&errs, 0, path, 1, "white space");
	expect_error(&errs, 1, path, 3, "user@domain");
	expect_error(&errs, 2, path, 4, "without a login");
	expect_error(&errs, 3, path, 6, "without a login");
	expect_error(&errs, 4, path, 10, "too long");
	/* Good lines around the bad ones are loaded. */
	expect_logins(m, "ok1@x.test", 1, "ok1");
	expect_logins(m, "ok2@x.test", 1, "ok2");
	expect_logins(m, "ok3@x.test", 1, "ok3");
	expect_logins(m, "split@x.test", 1, "split");
	loginmap_free(m);
}

static void test_load_long_line(void **state)
{
	struct loginmap *m = loginmap_new();
	struct errors errs = { 0 };
	size_t n = 70000;
	char *text = xmalloc(n + 200);
	char path[256];

	(void)state;
	strcpy(text, "a@x.test a\nhuge@x.test ");
	memset(text + strlen(text), 'h', n);
	strcpy(text + strlen("a@x.test a\nhuge@x.test ") + n,
	       "\n   cont-of-huge\nb@x.test b\n");
	snprintf(path, sizeof(path), "%s", temp_map(text));
	free(text);
	assert_int_equal(loginmap_load(m, path, collect, &errs), 1);
	unlink(path);
	expect_error(&errs, 0, path, 2, "longer than");
	assert_int_equal(loginmap_size(m), 2);
	expect_logins(m, "a@x.test", 1, "a");
	expect_logins(m, "b@x.test", 1, "b");
	assert_null(loginmap_get(m, "huge@x.test"));
	loginmap_free(m);
}

static void test_load_missing(void **state)
{
	struct loginmap *m = loginmap_new();
	struct errors errs = { 0 };

	(void)state;
	assert_int_equal(loginmap_load(m, "/nonexistent/dotgate/map", collect, &errs), -1);
	assert_int_equal(errs.n, 1);
	assert_int_equal(errs.e[0].line, 0);
	assert_non_null(strstr(errs.e[0].msg, "/nonexistent/dotgate/map"));
	assert_int_equal(loginmap_size(m), 0);
	loginmap_free(m);
}

static void test_add_get(void **state)
{
	struct loginmap *m = loginmap_new();
	char big[1100];

	(void)state;
	assert_int_equal(loginmap_add(m, "K@X.test", "Login"), 0);
	assert_int_equal(loginmap_add(m, "k@x.TEST", "LOGIN"), 0);	/* same pair */
	assert_int_equal(loginmap_add(m, "k@x.test", "other"), 0);
	expect_logins(m, "k@X.Test", 2, "login", "other");
	assert_int_equal(loginmap_add(m, "", "x"), -1);
	assert_int_equal(loginmap_add(m, "x@y", ""), -1);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(loginmap_add(m, big, "x"), -1);
	assert_int_equal(loginmap_add(m, "x@y", big), -1);
	assert_null(loginmap_get(m, big));
	assert_null(loginmap_get(NULL, "k@x.test"));
	assert_int_equal(loginmap_size(m), 1);
	assert_int_equal(loginmap_size(NULL), 0);
	loginmap_free(m);
	loginmap_free(NULL);
}

static double now(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_load_100k(void **state)
{
	enum { N = 100000 };
	struct loginmap *m = loginmap_new();
	struct errors errs = { 0 };
	char path[256], key[64], login[64], shared[64];
	const char *dir = getenv("TMPDIR");
	double t0, t1;
	FILE *fp;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/test_loginmap_100k.XXXXXX", dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	for (int i = 0; i < N; i++)
		fprintf(fp, "user%d@domain%d.example  login%d, shared%d\n", i, i % 97, i, i % 10);
	assert_int_equal(fclose(fp), 0);

	t0 = now();
	assert_int_equal(loginmap_load(m, path, collect, &errs), 0);
	t1 = now();
	unlink(path);
	print_message("# loaded %d entries in %.1f ms\n", N, (t1 - t0) * 1000.0);
	assert_int_equal(loginmap_size(m), N);
	for (int i = 0; i < N; i += 997) {
		snprintf(key, sizeof(key), "USER%d@Domain%d.example", i, i % 97);
		snprintf(login, sizeof(login), "login%d", i);
		snprintf(shared, sizeof(shared), "shared%d", i % 10);
		expect_logins(m, key, 2, login, shared);
	}
	assert_null(loginmap_get(m, "user100000@domain0.example"));
	loginmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_load_malformed),
		cmocka_unit_test(test_load_long_line),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_add_get),
		cmocka_unit_test(test_load_100k),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
