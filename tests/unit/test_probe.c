/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_probe.c: unit tests of dotgate-probe's pure module
 * (probe_vec.c): the vector table covers dotgate.conf(5)'s anomaly
 * classes and the twelve end-of-data look-alikes, bytes are escaped
 * printably, the message is built byte for byte in each template, case
 * and hidden-data form, the replies after a message are classified as
 * dotgate-probe(1), Outcomes and Hang-ups, defines (with a hidden DATA
 * or BDAT), also when the server hung up on them, and queue ids are
 * found in 250 replies.  The option parser (probe_args.c) takes
 * --template, --case and --hidden-data lists and returns 2 on a bad value
 * (checked in a child process).  On loopback sockets, the transport
 * (probe_smtp.c) keeps a reply read before a reset and tells a reset or
 * close by the server from a timeout.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

/* The default variant, today's message: direct, upper case, DATA. */
static const struct probe_variant DEF = {
	PROBE_TMPL_DIRECT, PROBE_CASE_UPPER, PROBE_HIDDEN_DATA
};

static void reply(struct probe_reply *r, int code, const char *text)
{
	r->code = code;
	strncpy(r->text, text, sizeof(r->text) - 1);
	r->text[sizeof(r->text) - 1] = '\0';
}

/* The vector list of dotgate-probe(1), Vectors: every smuggle_eod form of
 * dotgate.conf(5), BODY ANOMALY CLASSES, twenty vectors in all. */
static void test_dotgate_probe_1_vectors(void **state)
{
	/* Every smuggle_eod sequence of dotgate.conf(5) is a vector,
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
	assert_int_equal(probe_classify(r, 0, &DEF, &w), PROBE_ERROR);

	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_classify(r, 1, &DEF, &w), PROBE_ACCEPTED);
	assert_int_equal(w, 0);

	reply(&r[0], 550, "550 5.6.0 Message rejected");
	assert_int_equal(probe_classify(r, 1, &DEF, &w), PROBE_REJECTED);
	reply(&r[0], 451, "451 4.6.0 deferred");
	assert_int_equal(probe_classify(r, 1, &DEF, &w), PROBE_REJECTED);

	/* Split, hidden MAIL refused. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	reply(&r[1], 530, "530 5.7.0 Authentication required");
	reply(&r[2], 503, "503 5.5.1 Error: need MAIL command");
	assert_int_equal(probe_classify(r, 3, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* Split, hidden transaction through its end of data. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 5, &DEF, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 4);

	/* Hidden message itself refused: not smuggled. */
	reply(&r[4], 550, "550 5.6.0 rejected");
	assert_int_equal(probe_classify(r, 5, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 4);

	/* Hidden DATA not answered with 354. */
	reply(&r[3], 554, "554 5.5.1 Error: no valid recipients");
	assert_int_equal(probe_classify(r, 4, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* Cut short after an accepted hidden MAIL. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	assert_int_equal(probe_classify(r, 2, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* A rejected first part does not hide a smuggled second one. */
	reply(&r[0], 550, "550 5.6.0 rejected");
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 go ahead");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 5, &DEF, &w), PROBE_SMUGGLED);
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
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_QUIT, &w),
			 PROBE_ACCEPTED);
	assert_int_equal(w, 0);

	/* Split and the hidden transaction accepted, then 221. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	reply(&r[4], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_judge(r, 5, &DEF, PROBE_END_QUIT, &w),
			 PROBE_SMUGGLED);
	assert_int_equal(w, 4);
	/* The same with a reset instead of the 221: still smuggled. */
	assert_int_equal(probe_judge(r, 5, &DEF, PROBE_END_CLOSED, &w),
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
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);

	/* 250, the milter's 553 for the hidden MAIL, reset. */
	reply(&r[1], 553, "553 5.7.1 <smuggled@example.org>: not owned");
	assert_int_equal(probe_judge(r, 2, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* All of 250, 553, 503, 554 (protocol synchronization), reset. */
	reply(&r[2], 503, "503 5.5.1 Error: need MAIL command");
	reply(&r[3], 554, "554 5.5.0 Error: SMTP protocol synchronization");
	assert_int_equal(probe_judge(r, 4, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* Hidden MAIL, RCPT and DATA accepted, reset before its end of
	 * data was answered: not smuggled. */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 354, "354 End data with <CR><LF>.<CR><LF>");
	assert_int_equal(probe_judge(r, 4, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* A refused first part, then a reset: the same split refused as
	 * when the hidden 553 gets through. */
	reply(&r[0], 550, "550 5.6.0 Message rejected");
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);
}

static void test_judge_reset_before_reply(void **state)
{
	struct probe_reply r[2] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* The reset ate the reply to the end of data itself. */
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 0);
	/* No reply and no hang-up is no verdict. */
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_QUIT, &w),
			 PROBE_ERROR);
	assert_int_equal(probe_judge(r, 0, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_ERROR);
}

static void test_judge_goodbye_and_errors(void **state)
{
	struct probe_reply r[2] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* A 421 refusing the body (Sendmail, bare LF), then the reset:
	 * the server said why it hangs up, no split. */
	reply(&r[0], 421, "421 4.5.0 Bare linefeed (LF) not allowed");
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_CLOSED, &w),
			 PROBE_REJECTED);
	assert_int_equal(w, 0);
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_QUIT, &w),
			 PROBE_REJECTED);

	/* A timeout (or a TLS or protocol error) is no answer, whatever
	 * was read before it. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_ERROR, &w),
			 PROBE_ERROR);
	reply(&r[1], 553, "553 5.7.1 not owned");
	assert_int_equal(probe_judge(r, 2, &DEF, PROBE_END_ERROR, &w),
			 PROBE_ERROR);
	r[0].code = 0;
	assert_int_equal(probe_judge(r, 1, &DEF, PROBE_END_ERROR, &w),
			 PROBE_ERROR);
}

/* BDAT N LAST carries the hidden message: its 2xx is the smuggling. */
static void test_classify_bdat(void **state)
{
	static const struct probe_variant bdat = {
		PROBE_TMPL_DIRECT, PROBE_CASE_LOWER, PROBE_HIDDEN_BDAT
	};
	struct probe_reply r[6] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	/* No split: one reply, as with DATA. */
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_classify(r, 1, &bdat, &w), PROBE_ACCEPTED);
	assert_int_equal(w, 0);

	/* Split: hidden MAIL, RCPT, then BDAT LAST answered 250 (no 354). */
	reply(&r[1], 250, "250 2.1.0 Ok");
	reply(&r[2], 250, "250 2.1.5 Ok");
	reply(&r[3], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 4, &bdat, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 3);
	/* The ".\r\n" ending the outer DATA, read as a command after BDAT,
	 * and its 502 change nothing. */
	reply(&r[4], 502, "502 5.5.2 Error: command not recognized");
	assert_int_equal(probe_classify(r, 5, &bdat, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 3);
	assert_int_equal(probe_judge(r, 5, &bdat, PROBE_END_CLOSED, &w),
			 PROBE_SMUGGLED);
	/* The same replies judged as DATA: no 354 at r[3], refused. */
	assert_int_equal(probe_classify(r, 5, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* BDAT refused (no CHUNKING, or the milter's 550). */
	reply(&r[3], 502, "502 5.5.1 Error: command not implemented");
	assert_int_equal(probe_classify(r, 5, &bdat, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 3);

	/* Cut short before BDAT was answered. */
	assert_int_equal(probe_classify(r, 3, &bdat, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 2);
	assert_int_equal(probe_judge(r, 3, &bdat, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 2);

	/* Hidden MAIL refused. */
	reply(&r[1], 553, "553 5.7.1 <h@x>: not owned");
	reply(&r[3], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 4, &bdat, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);
}

/*
 * The crlf and crlfcrlf templates put empty lines before the hidden
 * MAIL; a split server answers each with 500 (or 502), and those
 * replies come first.
 */
static void test_classify_templates(void **state)
{
	static const struct probe_variant crlf = {
		PROBE_TMPL_CRLF, PROBE_CASE_UPPER, PROBE_HIDDEN_DATA
	};
	static const struct probe_variant crlfcrlf_bdat = {
		PROBE_TMPL_CRLFCRLF, PROBE_CASE_UPPER, PROBE_HIDDEN_BDAT
	};
	struct probe_reply r[8] = { { 0, "" } };
	size_t w = 9;

	(void)state;
	reply(&r[0], 250, "250 2.0.0 Ok: queued as ABC");
	reply(&r[1], 500, "500 5.5.2 Error: bad syntax");
	reply(&r[2], 250, "250 2.1.0 Ok");
	reply(&r[3], 250, "250 2.1.5 Ok");
	reply(&r[4], 354, "354 End data with <CR><LF>.<CR><LF>");
	reply(&r[5], 250, "250 2.0.0 Ok: queued as DEF");
	assert_int_equal(probe_classify(r, 6, &crlf, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 5);
	/* direct sends no empty line, but the server may answer what is
	 * left of the look-alike (".\r\r\n") with a 500: the hidden
	 * transaction after it still went through. */
	assert_int_equal(probe_classify(r, 6, &DEF, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 5);
	/* A 500 for the hidden MAIL itself: RCPT then gets 503. */
	reply(&r[2], 503, "503 5.5.1 Error: need MAIL command");
	assert_int_equal(probe_classify(r, 6, &DEF, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 2);
	reply(&r[2], 250, "250 2.1.0 Ok");
	/* The split may take the template's line end with the dot line:
	 * no 500 at all. */
	reply(&r[1], 250, "250 2.0.0 Ok: queued as ABC");
	assert_int_equal(probe_classify(&r[1], 5, &crlf, &w), PROBE_SMUGGLED);
	assert_int_equal(w, 4);

	/* Empty line answered, then the hidden MAIL refused. */
	reply(&r[1], 500, "500 5.5.2 Error: bad syntax");
	reply(&r[2], 553, "553 5.7.1 <h@x>: not owned");
	assert_int_equal(probe_classify(r, 6, &crlf, &w), PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 2);
	/* Only the empty line answered before the hang-up. */
	assert_int_equal(probe_judge(r, 2, &crlf, PROBE_END_CLOSED, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 1);

	/* crlfcrlf and BDAT: two 500s, MAIL, RCPT, BDAT LAST. */
	reply(&r[2], 502, "502 5.5.2 Error: command not recognized");
	reply(&r[3], 250, "250 2.1.0 Ok");
	reply(&r[4], 250, "250 2.1.5 Ok");
	reply(&r[5], 250, "250 2.0.0 Ok: queued as DEF");
	reply(&r[6], 502, "502 5.5.2 Error: command not recognized");
	assert_int_equal(probe_classify(r, 7, &crlfcrlf_bdat, &w),
			 PROBE_SMUGGLED);
	assert_int_equal(w, 5);
	/* A third 500 (the look-alike's leftover) is skipped too: then
	 * MAIL and RCPT pass and the BDAT is refused. */
	reply(&r[3], 500, "500 5.5.2 Error: bad syntax");
	assert_int_equal(probe_classify(r, 7, &crlfcrlf_bdat, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 6);
	/* A fourth is more than the template and the leftover: refused. */
	reply(&r[4], 500, "500 5.5.2 Error: bad syntax");
	assert_int_equal(probe_classify(r, 7, &crlfcrlf_bdat, &w),
			 PROBE_SPLIT_REFUSED);
	assert_int_equal(w, 4);
}

/* Options as probe_parse_args() gets them; optind 0 restarts getopt. */
static int parse(struct probe_opts *o, const char *const *extra)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"dotgate-probe";
	argv[argc++] = (char *)"--server";
	argv[argc++] = (char *)"127.0.0.1:25";
	argv[argc++] = (char *)"--from";
	argv[argc++] = (char *)"a@x";
	argv[argc++] = (char *)"--to";
	argv[argc++] = (char *)"t@x";
	for (; *extra != NULL && argc < 31; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	optind = 0;
	return probe_parse_args(argc, argv, o);
}

static void free_opts(struct probe_opts *o)
{
	free(o->only);
	free(o->password);
}

static void test_args_variants(void **state)
{
	struct probe_opts o;
	struct probe_variant v[PROBE_MAX_VARIANTS];

	(void)state;
	/* No option: the default alone, and plain names. */
	parse(&o, (const char *const[]){ NULL });
	assert_int_equal(o.ntemplates, 1);
	assert_int_equal(o.templates[0], PROBE_TMPL_DIRECT);
	assert_int_equal(o.ncases, 1);
	assert_int_equal(o.cases[0], PROBE_CASE_UPPER);
	assert_int_equal(o.nhiddens, 1);
	assert_int_equal(o.hiddens[0], PROBE_HIDDEN_DATA);
	assert_int_equal(probe_variants(&o, v), 1);
	assert_false(probe_variants_shown(&o));
	free_opts(&o);

	/* Explicit defaults are still the default. */
	parse(&o, (const char *const[]){ "--template", "direct", "--case",
		"upper", "--hidden-data", "data", NULL });
	assert_false(probe_variants_shown(&o));
	free_opts(&o);

	/* A comma list, in the order given. */
	parse(&o, (const char *const[]){ "--template", "crlfcrlf,direct",
		NULL });
	assert_int_equal(o.ntemplates, 2);
	assert_int_equal(o.templates[0], PROBE_TMPL_CRLFCRLF);
	assert_int_equal(o.templates[1], PROBE_TMPL_DIRECT);
	assert_true(probe_variants_shown(&o));
	free_opts(&o);

	/* Repeated, and each value once. */
	parse(&o, (const char *const[]){ "--template", "crlf", "--template",
		"direct,crlf", "--case", "lower", "--case", "lower", NULL });
	assert_int_equal(o.ntemplates, 2);
	assert_int_equal(o.templates[0], PROBE_TMPL_CRLF);
	assert_int_equal(o.templates[1], PROBE_TMPL_DIRECT);
	assert_int_equal(o.ncases, 1);
	assert_int_equal(o.cases[0], PROBE_CASE_LOWER);
	free_opts(&o);

	/* all, and the variants: templates outermost, then case, then
	 * hidden data. */
	parse(&o, (const char *const[]){ "--template", "all", "--case",
		"all", "--hidden-data", "bdat,data", NULL });
	assert_int_equal(o.ntemplates, 3);
	assert_int_equal(o.templates[2], PROBE_TMPL_CRLFCRLF);
	assert_int_equal(o.ncases, 2);
	assert_int_equal(o.nhiddens, 2);
	assert_int_equal(o.hiddens[0], PROBE_HIDDEN_BDAT);
	assert_int_equal(probe_variants(&o, v), 12);
	assert_int_equal(v[0].tmpl, PROBE_TMPL_DIRECT);
	assert_int_equal(v[0].kase, PROBE_CASE_UPPER);
	assert_int_equal(v[0].hidden, PROBE_HIDDEN_BDAT);
	assert_int_equal(v[1].hidden, PROBE_HIDDEN_DATA);
	assert_int_equal(v[2].kase, PROBE_CASE_LOWER);
	assert_int_equal(v[4].tmpl, PROBE_TMPL_CRLF);
	assert_int_equal(v[11].tmpl, PROBE_TMPL_CRLFCRLF);
	assert_int_equal(v[11].kase, PROBE_CASE_LOWER);
	assert_int_equal(v[11].hidden, PROBE_HIDDEN_DATA);
	free_opts(&o);

	parse(&o, (const char *const[]){ "--hidden-data", "all", NULL });
	assert_int_equal(o.nhiddens, 2);
	assert_int_equal(o.hiddens[0], PROBE_HIDDEN_DATA);
	assert_int_equal(o.hiddens[1], PROBE_HIDDEN_BDAT);
	free_opts(&o);
}

/* The status probe_parse_args() returns on extra (PROBE_RUN: 0), in a
 * child. */
static int parse_status(const char *const *extra)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct probe_opts o;
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0)
			(void)dup2(null, 2);
		int rc = parse(&o, extra);

		_exit(rc == PROBE_RUN ? 0 : rc);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void test_args_bad_variants(void **state)
{
	(void)state;
	assert_int_equal(parse_status((const char *const[]){ "--template",
		"crlf,lower", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--template",
		"CRLF", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--template",
		"", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--template",
		"direct,", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--case",
		"mixed", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--case",
		"al", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--hidden-data",
		"chunking", NULL }), 2);
	assert_int_equal(parse_status((const char *const[]){ "--hidden-data",
		NULL }), 2);
	/* The good ones return. */
	assert_int_equal(parse_status((const char *const[]){ "--template",
		"all", "--case", "upper,lower", "--hidden-data", "bdat",
		NULL }), 0);
}

static void test_labels(void **state)
{
	struct probe_opts o;
	const struct probe_vector *v = probe_vector_find("eod-cr-crlf");
	struct probe_variant var = {
		PROBE_TMPL_CRLF, PROBE_CASE_LOWER, PROBE_HIDDEN_DATA
	};
	char buf[64];

	(void)state;
	parse(&o, (const char *const[]){ NULL });
	probe_label(&o, v, &DEF, buf, sizeof(buf));
	assert_string_equal(buf, "eod-cr-crlf");
	free_opts(&o);

	parse(&o, (const char *const[]){ "--template", "all", "--case",
		"lower", NULL });
	probe_label(&o, v, &var, buf, sizeof(buf));
	assert_string_equal(buf, "eod-cr-crlf/crlf/lower");
	free_opts(&o);

	/* With BDAT asked for, the hidden-data part too. */
	parse(&o, (const char *const[]){ "--hidden-data", "all", NULL });
	probe_label(&o, v, &DEF, buf, sizeof(buf));
	assert_string_equal(buf, "eod-cr-crlf/direct/upper/data");
	free_opts(&o);
}

/* The opts probe_message() reads: from, to, hidden_from. */
static void message_opts(struct probe_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->from = "a@x";
	o->to = "t@x";
	(void)snprintf(o->hidden_from, sizeof(o->hidden_from), "h@x");
}

#define HEAD(label) "From: <a@x>\r\nTo: <t@x>\r\nSubject: dotgate-probe " \
	label "\r\nMessage-ID: <dotgate-probe." label \
	".42.1700000000@dotgate-probe.invalid>\r\n\r\nhello"
#define HIDDEN(label) "From: <h@x>\r\nTo: <t@x>\r\n" \
	"Subject: dotgate-probe hidden " label "\r\n\r\nhidden\r\n"

static void check_message(const struct probe_variant *var, const char *label,
			  const char *want, size_t wantlen)
{
	struct probe_opts o;
	size_t len = 0;
	char *m;

	message_opts(&o);
	m = probe_message(&o, probe_vector_find("eod-cr-crlf"), var, label,
			  "42.1700000000", &len);
	assert_int_equal(len, wantlen);
	assert_memory_equal(m, want, wantlen);
	free(m);
}

static void test_message_variants(void **state)
{
	static const struct probe_variant crlf_lower_bdat = {
		PROBE_TMPL_CRLF, PROBE_CASE_LOWER, PROBE_HIDDEN_BDAT
	};
	static const struct probe_variant crlfcrlf_lower_data = {
		PROBE_TMPL_CRLFCRLF, PROBE_CASE_LOWER, PROBE_HIDDEN_DATA
	};
	static const struct probe_variant direct_upper_bdat = {
		PROBE_TMPL_DIRECT, PROBE_CASE_UPPER, PROBE_HIDDEN_BDAT
	};
	static const char def[] = HEAD("eod-cr-crlf") "\r.\r\n"
		"MAIL FROM:<h@x>\r\nRCPT TO:<t@x>\r\nDATA\r\n"
		HIDDEN("eod-cr-crlf") ".\r\n";
	static const char clb[] = HEAD("eod-cr-crlf/crlf/lower/bdat")
		"\r.\r\n\r\nmail FROM:<h@x>\r\nrcpt TO:<t@x>\r\n"
		"bdat 93 LAST\r\n"
		HIDDEN("eod-cr-crlf/crlf/lower/bdat") ".\r\n";
	static const char cclD[] = HEAD("eod-cr-crlf/crlfcrlf/lower")
		"\r.\r\n\r\n\r\nmail FROM:<h@x>\r\nrcpt TO:<t@x>\r\ndata\r\n"
		HIDDEN("eod-cr-crlf/crlfcrlf/lower") ".\r\n";
	static const char dub[] = HEAD("eod-cr-crlf/direct/upper/bdat")
		"\r.\r\nMAIL FROM:<h@x>\r\nRCPT TO:<t@x>\r\nBDAT 95 LAST\r\n"
		HIDDEN("eod-cr-crlf/direct/upper/bdat") ".\r\n";

	(void)state;
	/* Today's message, byte for byte. */
	check_message(&DEF, "eod-cr-crlf", def, sizeof(def) - 1);
	/* BDAT's count is exactly the hidden message that follows. */
	assert_int_equal(strlen(HIDDEN("eod-cr-crlf/crlf/lower/bdat")), 93);
	assert_int_equal(strlen(HIDDEN("eod-cr-crlf/direct/upper/bdat")), 95);
	check_message(&crlf_lower_bdat, "eod-cr-crlf/crlf/lower/bdat", clb,
		      sizeof(clb) - 1);
	check_message(&crlfcrlf_lower_data, "eod-cr-crlf/crlfcrlf/lower",
		      cclD, sizeof(cclD) - 1);
	check_message(&direct_upper_bdat, "eod-cr-crlf/direct/upper/bdat",
		      dub, sizeof(dub) - 1);
}

/* A NUL in the vector goes through, and the count stays exact. */
static void test_message_nul_vector(void **state)
{
	static const struct probe_variant bdat = {
		PROBE_TMPL_DIRECT, PROBE_CASE_UPPER, PROBE_HIDDEN_BDAT
	};
	struct probe_opts o;
	const struct probe_vector *v = probe_vector_find("nul-dot");
	size_t len = 0;
	char *m, *hello, *bd;
	unsigned long count;

	(void)state;
	message_opts(&o);
	m = probe_message(&o, v, &bdat, "nul-dot", "1.2", &len);
	hello = strstr(m, "hello");
	assert_non_null(hello);
	assert_memory_equal(hello + 5, "\r\n\0.\r\nMAIL FROM:<h@x>\r\n", 23);
	bd = memmem(m, len, "BDAT ", 5);
	assert_non_null(bd);
	count = strtoul(bd + 5, NULL, 10);
	bd = strstr(bd, " LAST\r\n");
	assert_non_null(bd);
	bd += 7;
	/* The count, then ".\r\n": the whole rest of the message. */
	assert_int_equal((size_t)(m + len - bd), count + 3);
	assert_memory_equal(m + len - 11, "hidden\r\n.\r\n", 11);
	free(m);
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
		cmocka_unit_test(test_dotgate_probe_1_vectors),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_judge_quit),
		cmocka_unit_test(test_judge_reset_after_eod),
		cmocka_unit_test(test_judge_reset_before_reply),
		cmocka_unit_test(test_judge_goodbye_and_errors),
		cmocka_unit_test(test_classify_bdat),
		cmocka_unit_test(test_classify_templates),
		cmocka_unit_test(test_args_variants),
		cmocka_unit_test(test_args_bad_variants),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_message_variants),
		cmocka_unit_test(test_message_nul_vector),
		cmocka_unit_test(test_smtp_reset_keeps_reply),
		cmocka_unit_test(test_smtp_eof_and_timeout),
		cmocka_unit_test(test_qid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
