/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_lookup.c: unit tests of a connection's remote login-map lookups
 * (lookup.c) against a socketmap server on a thread of the test: a key
 * asked again in a later MAIL FROM of the connection costs no second
 * request, found or not found; a failed lookup is not cached; the cache
 * keeps the last LOOKUP_CACHE keys; a file map needs no lookup; and a
 * lookup handed another policy's map panics (in a child process).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lookup.h"
#include "remotemap.h"

static char sock_path[108];
static int listen_fd = -1;
static pthread_t server;
static _Atomic unsigned requests;

/*
 * The DATA of one request "LEN:DATA," into req; -1 at the end of the
 * connection.  Requests are small: read until the netstring is whole.
 */
static int request(int fd, char *req, size_t size)
{
	char buf[600];
	size_t have = 0, len;
	char *colon;
	ssize_t n;

	for (;;) {
		if ((n = read(fd, buf + have, sizeof(buf) - 1 - have)) <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		if ((colon = strchr(buf, ':')) == NULL)
			continue;
		len = strtoul(buf, NULL, 10);
		if (len >= size || (size_t)(colon - buf) + len + 2 > sizeof(buf))
			return -1;
		if (have >= (size_t)(colon - buf) + len + 2)
			break;
	}
	memcpy(req, colon + 1, len);
	req[len] = '\0';
	return 0;
}

/* "senders alice@..." -> OK alice, "senders fail@x.test" -> TEMP, others
 * NOTFOUND. */
static const char *reply_to(const char *req)
{
	const char *key = strchr(req, ' ') ? strchr(req, ' ') + 1 : "";

	if (strcmp(key, "fail@x.test") == 0)
		return "TEMP down";
	return strncmp(key, "alice@", 6) == 0 ? "OK alice" : "NOTFOUND ";
}

/* One connection at a time, as remotemap.c makes them; each request
 * counted. */
static void *serve(void *arg)
{
	char req[512], rep[64];
	int fd;

	(void)arg;
	while ((fd = accept(listen_fd, NULL, NULL)) >= 0) {
		while (request(fd, req, sizeof(req)) == 0) {
			const char *r = reply_to(req);
			int k = snprintf(rep, sizeof(rep), "%zu:%s,", strlen(r),
					 r);

			requests++;
			if (write(fd, rep, (size_t)k) != k)
				break;
		}
		(void)close(fd);
	}
	return NULL;
}

static int setup(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	(void)state;
	(void)snprintf(sock_path, sizeof(sock_path), "/tmp/test_lookup.%ld",
		       (long)getpid());
	(void)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	(void)unlink(sock_path);
	listen_fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (listen_fd < 0 || bind(listen_fd, (void *)&sa, sizeof(sa)) != 0 ||
	    listen(listen_fd, 8) != 0)
		return -1;
	return pthread_create(&server, NULL, serve, NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	shutdown(listen_fd, SHUT_RDWR);
	(void)close(listen_fd);
	(void)pthread_join(server, NULL);
	(void)unlink(sock_path);
	return 0;
}

static struct mapspec *map_new(void)
{
	char spec[160], err[256];
	struct mapspec *m = NULL;

	(void)snprintf(spec, sizeof(spec), "socketmap:unix:%s:senders",
		       sock_path);
	assert_int_equal(mapspec_parse(spec, 2000, &m, err, sizeof(err)), 1);
	return m;
}

/* One MAIL FROM's lookup of key: rc, and the value into value. */
static int get(struct lookup **lp, const struct dg_policy *p,
	       const char *key, char *value, size_t size)
{
	const struct owner_remote *src = lookup_begin(lp, p);
	int rc;

	assert_non_null(src);
	rc = src->get(src->arg, key, value, size);
	lookup_end(*lp);
	return rc;
}

static void test_file_map(void **state)
{
	struct dg_policy p;
	struct lookup *l = NULL;

	(void)state;
	memset(&p, 0, sizeof(p));
	assert_null(lookup_begin(&l, &p));
	assert_null(l);
	lookup_end(l);
	lookup_free(l);
}

static void test_cached(void **state)
{
	struct dg_policy p;
	struct lookup *l = NULL;
	char v[256];
	unsigned before = requests;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.senders.remote = map_new();
	assert_int_equal(get(&l, &p, "alice@x.test", v, sizeof(v)), 1);
	assert_string_equal(v, "alice");
	assert_int_equal(get(&l, &p, "alice@x.test", v, sizeof(v)), 1);
	assert_string_equal(v, "alice");
	assert_int_equal(get(&l, &p, "bob@x.test", v, sizeof(v)), 0);
	assert_int_equal(get(&l, &p, "bob@x.test", v, sizeof(v)), 0);
	assert_int_equal(requests - before, 2);
	/* A failure is asked again. */
	assert_int_equal(get(&l, &p, "fail@x.test", v, sizeof(v)), -1);
	assert_int_equal(get(&l, &p, "fail@x.test", v, sizeof(v)), -1);
	assert_int_equal(requests - before, 4);
	lookup_free(l);
	mapspec_free(p.senders.remote);
}

static void test_last_keys(void **state)
{
	struct dg_policy p;
	struct lookup *l = NULL;
	char key[64], v[256];
	unsigned before = requests;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.senders.remote = map_new();
	for (unsigned i = 0; i <= LOOKUP_CACHE; i++) {
		(void)snprintf(key, sizeof(key), "alice@%u.test", i);
		assert_int_equal(get(&l, &p, key, v, sizeof(v)), 1);
	}
	assert_int_equal(requests - before, LOOKUP_CACHE + 1);
	/* The newest is kept, the oldest made room for it. */
	assert_int_equal(get(&l, &p, key, v, sizeof(v)), 1);
	assert_int_equal(requests - before, LOOKUP_CACHE + 1);
	assert_int_equal(get(&l, &p, "alice@0.test", v, sizeof(v)), 1);
	assert_int_equal(requests - before, LOOKUP_CACHE + 2);
	lookup_free(l);
	mapspec_free(p.senders.remote);
}

static void test_other_policy(void **state)
{
	struct dg_policy p, q;
	struct lookup *l = NULL;
	int status;
	pid_t pid;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	p.senders.remote = map_new();
	q.senders.remote = map_new();
	(void)lookup_begin(&l, &p);
	lookup_end(l);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		(void)lookup_begin(&l, &q);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	lookup_free(l);
	mapspec_free(p.senders.remote);
	mapspec_free(q.senders.remote);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_map),
		cmocka_unit_test(test_cached),
		cmocka_unit_test(test_last_keys),
		cmocka_unit_test(test_other_policy),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
