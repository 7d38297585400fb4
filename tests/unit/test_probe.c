/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_probe.c: unit tests of dotgate-probe's pure module (probe_vec.c):
 * the vector table covers contract section 5 and the twelve
 * end-of-data look-alikes, bytes are escaped
 * printably, the replies after a message are classified as the
 * contract's section 8 defines, also when the server hung up on them,
 * and queue ids are found in 250 replies.  On loopback sockets, the
 * transport (probe_smtp.c) keeps a reply read before a reset and tells
 * a reset or close by the server from a timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "probe.h"

static void reply(struct probe_reply *r, int code, const char *text)
{
	r->code = code;
	strncpy(r->text, text, sizeof(r->text) - 1);
	r->text[sizeof(r->text) - 1] = '\0';
}

static void test_vectors_cover_contract(void **state)
{
	/* Every smuggle_eod sequence of contract section 5 is a vector,
	 * and so are the last two of the research's twelve. */
	static const char *const eod[] = {
		"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r.\r\n", "\r.\n",
		"\n.\r", "\r\n.\r", "\r\n.\r\r\n", "\r\r\n.\r\r\n",
		"\n.\r\r\n", "\n\n.\r\n",
	};
	size_t neod = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(eod) / sizeof(eod[0]); i++) {
		int found = 0;

		for (size_t j = 0; j < probe_nvectors; j++)
			if (probe_vectors[j].len == strlen(eod[i]) &&
			    memcmp(probe_vectors[j].bytes, eod[i],
				   strlen(eod[i])) == 0)
				found = 1;
		assert_true(found);
	}
	/* Twelve eod- vectors, twenty in all. */
	for (size_t j = 0; j < probe_nvectors; j++)
		neod += strncmp(probe_vectors[j].name, "eod-", 4) == 0;
	assert_int_equal(neod, 12);
	assert_int_equal(probe_nvectors, 20);
	assert_int_equal(probe_vector_find("eod-lf-crcrlf")->len, 5);
	assert_memory_equal(probe_vector_find("eod-lf-crcrlf")->bytes,
			    "\n.\r\r\n", 5);
	assert_memory_equal(probe_vector_find("eod-lflf-crlf")->bytes,
			    "\n\n.\r\n", 5);
	assert_string_equal(probe_vector_find("eod-lflf-crlf")->what,
			    "smuggle_eod \\n\\n.\\r\\n");
	assert_non_null(probe_vector_find("control"));
	assert_non_null(probe_vector_find("nul-dot"));
	assert_int_equal(probe_vector_find("nul-dot")->len, 6);
	assert_int_equal(probe_vector_find("long-line")->len, 1004);
	assert_null(probe_vector_find("nonesuch"));
	/* Names are unique. */
	for (size_t i = 0; i < probe_nvectors; i++)
		assert_ptr_equal(probe_vector_find(probe_vectors[i].name),
				 &probe_vectors[i]);
}

static void test_escape(void **state)
{
	char *e;

	(void)state;
	e = probe_escape("\r\n\0.\\\t\x7f\xffok", 10);
	assert_string_equal(e, "\\r\\n\\0.\\\\\\t\\x7f\\xffok");
	free(e);
	e = probe_escape("", 0);
	assert_string_equal(e, "");
	free(e);
}

static void test_classify(void **state)
{
	struct probe_reply r[6] = { { 0, "" } };
	size_t w;

	(void)state;
	assert_int_equal(probe_classify(r, 0, &w), PROBE_ERROR);

	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_classify(r, 1, &w), PROBE_ACCEPTED);
	assert_int_equal(w, 0);

	reply(&r[0], 550, "550 5.6.0 Message rejected");
	assert_int_equal(probe_classify(r, 1, &w), PROBE_REJECTED);
	reply(&r[0], 451, "451 4.6.0 deferred");
	assert_int_equal(probe_classify(r, 1, &w), PROBE_REJECTED);

	/* Split, hidden MAIL refused. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	reply(&r[1], 530, "530 5.7.0 Authentication required");
	reply(&r[2], 503, "503 5.5.1 Error: need MAIL command");
	assert_int_equal(probe_classify(r, 3, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* Split, hidden transaction through its end of data. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 5, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 4);

	/* Hidden message itself refused: not smuggled. */
	reply(&r[4], 550, "550 5.6.0 rejected");
	assert_int_equal(probe_classify(r, 5, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 4);

	/* Hidden DATA not answered with 354. */
	reply(&r[3], 554, "554 5.5.1 Error: no valid recipients");
	assert_int_equal(probe_classify(r, 4, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* Cut short after an accepted hidden MAIL. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	assert_int_equal(probe_classify(r, 2, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* A rejected first part does not hide a smuggled second one. */
	reply(&r[0], 550, "550 5.6.0 rejected");
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 go ahead");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 5, &w), PROBE_SMUGGLED);
}

/*
 * probe_judge(): how the replies after the message ended.  A server
 * refusing pipelined commands after an early end of data (Postfix 3.10)
 * hangs up with our input unread; its reset eats any prefix of its
 * replies, and every prefix must give the same outcome.
 */
static void test_judge_quit(void **state)
{
	struct probe_reply r[6] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* Accepted, then QUIT's 221. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_judge(r, 1, PROBE_END_QUIT, &w), PROBE_ACCEPTED);
	assert_int_equal(w, 0);

	/* Split and the hidden transaction accepted, then 221. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_judge(r, 5, PROBE_END_QUIT, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 4);
	/* The same with a reset instead of the 221: still smuggled. */
	assert_int_equal(probe_judge(r, 5, PROBE_END_CLOSED, &w),
			 PROBE_SMUGGLED);
	assert_int_equal(w, 4);
}

static void test_judge_reset_after_eod(void **state)
{
	struct probe_reply r[6] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* 250, then a reset instead of 221: an early end of data. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_judge(r, 1, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);

	/* 250, the milter's 553 for the hidden MAIL, reset. */
	reply(&r[1], 553, "553 5.7.1 <smuggled@example.org>: not owned");
	assert_int_equal(probe_judge(r, 2, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* All of 250, 553, 503, 554 (protocol synchronization), reset. */
	reply(&r[2], 503, "503 5.5.1 Error: need MAIL command");
	reply(&r[3], 554, "554 5.5.0 Error: SMTP protocol synchronization");
	assert_int_equal(probe_judge(r, 4, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* Hidden MAIL, RCPT and DATA accepted, reset before its end of
	 * data was answered: not smuggled. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	assert_int_equal(probe_judge(r, 4, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* A refused first part, then a reset: the same split refused as
	 * when the hidden 553 gets through. */
	reply(&r[0], 550, "550 5.6.0 Message rejected");
	assert_int_equal(probe_judge(r, 1, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);
}

static void test_judge_reset_before_reply(void **state)
{
	struct probe_reply r[2] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* The reset ate the reply to the end of data itself. */
	assert_int_equal(probe_judge(r, 1, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);
	/* No reply and no hang-up is no verdict. */
	assert_int_equal(probe_judge(r, 1, PROBE_END_QUIT, &w), PROBE_ERROR);
	assert_int_equal(probe_judge(r, 0, PROBE_END_CLOSED, &w), PROBE_ERROR);
}

static void test_judge_goodbye_and_errors(void **state)
{
	struct probe_reply r[2] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* A 421 refusing the body (Sendmail, bare LF), then the reset:
	 * the server said why it hangs up, no split. */
	reply(&r[0], 421, "421 4.5.0 Bare linefeed (LF) not allowed");
	assert_int_equal(probe_judge(r, 1, PROBE_END_CLOSED, &w),
			 PROBE_REJECTED);
	assert_int_equal(w, 0);
	assert_int_equal(probe_judge(r, 1, PROBE_END_QUIT, &w),
			 PROBE_REJECTED);

	/* A timeout (or a TLS or protocol error) is no answer, whatever
	 * was read before it. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_judge(r, 1, PROBE_END_ERROR, &w), PROBE_ERROR);
	reply(&r[1], 553, "553 5.7.1 not owned");
	assert_int_equal(probe_judge(r, 2, PROBE_END_ERROR, &w), PROBE_ERROR);
	r[0].code = 0;
	assert_int_equal(probe_judge(r, 1, PROBE_END_ERROR, &w), PROBE_ERROR);
}

/*
 * A TCP connection on loopback: c is the probe's end, *peer the
 * server's, with data already sent by the server readable at c.
 */
static void tcp_pair(struct probe_smtp *c, int *peer, const char *data)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	struct pollfd p;
	int ls = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(ls >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 1), 0);
	assert_int_equal(getsockname(ls, (struct sockaddr *)&a, &len), 0);
	memset(c, 0, sizeof(*c));
	c->timeout_ms = 5000;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	*peer = accept(ls, NULL, NULL);
	assert_true(*peer >= 0);
	(void)close(ls);
	if (*data != '\0') {
		assert_int_equal(send(*peer, data, strlen(data), 0),
				 (ssize_t)strlen(data));
		p = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 5000), 1);
	}
}

/* The server hangs up with our input unread: its kernel resets. */
static void reset_peer(struct probe_smtp *c, int peer)
{
	struct linger l = { 1, 0 };
	struct pollfd p = { .fd = peer, .events = POLLIN };

	assert_int_equal(probe_smtp_send(c, "QUIT\r\n", 6), 0);
	assert_int_equal(poll(&p, 1, 5000), 1);
	/* Linger 0 resets for sure; the kernel also would for the QUIT. */
	assert_int_equal(setsockopt(peer, SOL_SOCKET, SO_LINGER, &l,
				    sizeof(l)), 0);
	(void)close(peer);
}

static void test_smtp_reset_keeps_reply(void **state)
{
	struct probe_smtp c;
	struct probe_reply r;
	int peer;

	(void)state;
	tcp_pair(&c, &peer, "250 2.0.0 Ok: queued as ABC\r\n");
	reset_peer(&c, peer);
	/* The reply that came before the reset is read and kept. */
	assert_int_equal(probe_smtp_reply(&c, &r), 0);
	assert_int_equal(r.code, 250);
	assert_int_equal(c.closed, 0);
	assert_int_equal(probe_smtp_reply(&c, &r), -1);
	assert_int_equal(c.closed, PROBE_CLOSED_RESET);
	/* Writing to it now fails, and the reset stays what is noted. */
	assert_int_equal(probe_smtp_send(&c, "QUIT\r\n", 6), -1);
	assert_int_equal(c.closed, PROBE_CLOSED_RESET);
	probe_smtp_close(&c);
}

static void test_smtp_eof_and_timeout(void **state)
{
	struct probe_smtp c;
	struct probe_reply r;
	int peer;

	(void)state;
	/* A plain close: code 0, success, noted as an end of file. */
	tcp_pair(&c, &peer, "");
	(void)close(peer);
	assert_int_equal(probe_smtp_reply(&c, &r), 0);
	assert_int_equal(r.code, 0);
	assert_int_equal(c.closed, PROBE_CLOSED_EOF);
	probe_smtp_close(&c);

	/* A timeout is an error, not a hang-up. */
	tcp_pair(&c, &peer, "");
	c.timeout_ms = 50;
	assert_int_equal(probe_smtp_reply(&c, &r), -1);
	assert_int_equal(c.closed, 0);
	assert_non_null(strstr(c.err, "timed out"));
	probe_smtp_close(&c);
	(void)close(peer);

	/* Cut inside a reply: an error, with the close noted. */
	tcp_pair(&c, &peer, "250-first line\r\n");
	(void)close(peer);
	assert_int_equal(probe_smtp_reply(&c, &r), -1);
	assert_int_equal(c.closed, PROBE_CLOSED_EOF);
	probe_smtp_close(&c);
}

static void test_qid(void **state)
{
	char q[16];

	(void)state;
	assert_int_equal(probe_qid("250 2.0.0 Ok: queued as 4XyZ1abc", q,
				   sizeof(q)), 0);
	assert_string_equal(q, "4XyZ1abc");
	assert_int_equal(probe_qid("250 2.0.0 3ASJ0a9k002345 Message "
				   "accepted for delivery", q, sizeof(q)), 0);
	assert_string_equal(q, "3ASJ0a9k002345");
	assert_int_equal(probe_qid("250 OK id=1rXyZ-000abc-12", q,
				   sizeof(q)), 0);
	assert_string_equal(q, "1rXyZ-000abc-12");
	assert_int_equal(probe_qid("250 Ok", q, sizeof(q)), -1);
	/* Too long for the buffer: refused, not cut. */
	assert_int_equal(probe_qid("250 queued as 0123456789ABCDEFG", q,
				   sizeof(q)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors_cover_contract),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_judge_quit),
		cmocka_unit_test(test_judge_reset_after_eod),
		cmocka_unit_test(test_judge_reset_before_reply),
		cmocka_unit_test(test_judge_goodbye_and_errors),
		cmocka_unit_test(test_smtp_reset_keeps_reply),
		cmocka_unit_test(test_smtp_eof_and_timeout),
		cmocka_unit_test(test_qid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
