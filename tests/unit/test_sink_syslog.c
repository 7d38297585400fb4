/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_sink_syslog.c: unit tests of the syslog audit sink
 * (filter/sinks/sink_syslog.c) against a stand-in syslog daemon, a
 * datagram socket bound in a temporary directory: one datagram per
 * record in the RFC 3164 form rsyslog and journald read ("<22>Mmm dd
 * hh:mm:ss ident[pid]: NOQUEUE: ts=..."), records lost and counted, not
 * waited for, while no daemon listens or its queue is full, and the
 * connection made again once the daemon is back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "sink.h"
#include "record_fixture.h"
#include "txn.h"
#include "util.h"

static char dir[48];
static char sockpath[96];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/dotgate-syslog.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(sockpath, sizeof(sockpath), "%s/log", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(sockpath);
	rmdir(dir);
	return 0;
}

/* The stand-in daemon: a bound datagram socket, non-blocking. */
static int daemon_up(void)
{
	struct sockaddr_un sun;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	unlink(sockpath);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sockpath);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

static ssize_t received(int fd, char *buf, size_t size)
{
	ssize_t n = recv(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
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

static struct audit_sinks *syslog_only(struct dg_policy *p)
{
	bool complete;

	memset(p, 0, sizeof(*p));
	p->audit.syslog = true;
	p->audit.facility = LOG_MAIL;
	p->audit.syslog_socket = sockpath;
	return sinks_configure(p, NULL, &complete);
}

static void test_one_datagram_per_record(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	int d = daemon_up();
	struct audit_sinks *set = syslog_only(&p);
	char buf[9000], want[64];

	(void)state;
	assert_int_equal(sinks_write(set, rec(t)), 0);
	assert_int_equal(sinks_write(set, rec(t)), 0);
	snprintf(want, sizeof(want), "test_sink_syslog[%ld]: NOQUEUE: ts=\"", (long)getpid());
	for (int i = 0; i < 2; i++) {
		assert_true(received(d, buf, sizeof(buf)) > 0);
		assert_memory_equal(buf, "<22>", 4);		/* mail.info */
		assert_int_equal(buf[7], ' ');			/* "Dec  2 " */
		assert_non_null(strstr(buf + 4, want));
		assert_non_null(strstr(buf, " from=\"x\\x0ay@example.test\""));
		assert_null(strchr(buf, '\n'));
	}
	assert_true(received(d, buf, sizeof(buf)) < 0);	/* exactly two */
	assert_int_equal(sink_errors(sinks_find(set, "syslog")), 0);
	sinks_unref(set);
	close(d);
	txn_free(t);
}

/* No daemon: lost and counted at once; back after a second. */
static void test_daemon_away_and_back(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	int d = daemon_up();
	struct audit_sinks *set = syslog_only(&p);
	struct timespec t0, t1;
	char buf[9000];

	(void)state;
	close(d);
	unlink(sockpath);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(sinks_write(set, rec(t)), 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(t1.tv_sec - t0.tv_sec < 2);		/* never waited */
	assert_int_equal(sink_errors(sinks_find(set, "syslog")), 100);
	d = daemon_up();
	sleep(2);					/* the reconnect interval */
	assert_int_equal(sinks_write(set, rec(t)), 0);
	assert_true(received(d, buf, sizeof(buf)) > 0);
	sinks_unref(set);
	close(d);
	txn_free(t);
}

/* A daemon that does not read: the queue fills, records are lost, the
 * writer never blocks. */
static void test_queue_full(void **state)
{
	struct dg_policy p;
	struct dg_txn *t = refused_txn();
	int d = daemon_up();
	struct audit_sinks *set = syslog_only(&p);
	unsigned lost = 0;

	(void)state;
	for (int i = 0; i < 5000; i++)
		lost += (unsigned)sinks_write(set, rec(t));
	assert_true(lost > 0);
	assert_int_equal(sink_errors(sinks_find(set, "syslog")), lost);
	sinks_unref(set);
	close(d);
	txn_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_datagram_per_record),
		cmocka_unit_test(test_daemon_away_and_back),
		cmocka_unit_test(test_queue_full),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
