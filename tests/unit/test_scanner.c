/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_scanner.c: unit tests of the streaming body scanner (scanner.h).
 * Every vector of dotgate.conf(5), BODY ANOMALY CLASSES, and every row of
 * doc/mta.md's Postfix 3.7 table, with exact counts and first offsets;
 * clean mail that
 * must stay clean; chunk invariance (every 2- and 3-way split of every
 * vector, thousands of random splits of long random bodies); and a
 * differential test against ref_scan(), a deliberately simple scanner
 * that buffers the whole body and works line by line.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scanner.h"

/* ---------------------------------------------------------------------
 * The reference: whole body in memory, split into lines first, each
 * rule of the scanner's DESCRIPTION applied to one line at a time.
 * ------------------------------------------------------------------- */

enum rterm { R_CRLF, R_CR, R_LF, R_EOF };
enum rkind { RK_OTHER, RK_EMPTY, RK_MAIL, RK_MAIL_MID, RK_RCPT, RK_DATA };

struct rline {
	size_t start, end;	/* content [start, end) */
	enum rterm term;
};

static void ref_found(struct scan_result *r, enum dg_class c, uint64_t at)
{
	if (r->cls[c].count++ == 0)
		r->cls[c].first = at;
}

static int lc(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Does b[i..e) start with word (lower case, ':' exact)? */
static int has_word(const unsigned char *b, size_t i, size_t e, const char *w)
{
	size_t n = strlen(w);

	if (e - i < n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (lc(b[i + k]) != w[k])
			return 0;
	return 1;
}

static int blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* "w1" blanks+ "w2" at b[i..e)? */
static int has_cmd(const unsigned char *b, size_t i, size_t e,
		   const char *w1, const char *w2)
{
	size_t j;

	if (!has_word(b, i, e, w1))
		return 0;
	j = i + strlen(w1);
	if (j >= e || !blank(b[j]))
		return 0;
	while (j < e && blank(b[j]))
		j++;
	return has_word(b, j, e, w2);
}

/* "bdat" blanks+ digits+ [blanks+ "last"] blanks* is b[i..e)? */
static int is_bdat(const unsigned char *b, size_t i, size_t e)
{
	size_t j = i + 4, d;

	if (!has_word(b, i, e, "bdat") || j >= e || !blank(b[j]))
		return 0;
	while (j < e && blank(b[j]))
		j++;
	for (d = j; j < e && b[j] >= '0' && b[j] <= '9'; j++)
		;
	if (j == d)
		return 0;
	if (j < e && blank(b[j])) {
		while (j < e && blank(b[j]))
			j++;
		if (has_word(b, j, e, "last"))
			j += 4;
	}
	while (j < e && blank(b[j]))
		j++;
	return j == e;
}

static void ref_scan(const unsigned char *b, size_t n, size_t maxlen,
		     struct scan_result *r)
{
	struct rline *lines = calloc(n + 1, sizeof(*lines));
	size_t nl = 0, i = 0;
	int pending = 0, seq = 0, seq_trig = 0, seq_one = 0;
	uint64_t seq_m = 0;

	assert_non_null(lines);
	memset(r, 0, sizeof(*r));
	r->size = n;
	for (i = 0; i < n; i++) {
		if (b[i] == '\r' && (i + 1 == n || b[i + 1] != '\n'))
			ref_found(r, DG_CLASS_BARE_CR, i);
		if (b[i] == '\n' && (i == 0 || b[i - 1] != '\r'))
			ref_found(r, DG_CLASS_BARE_LF, i);
		if (b[i] == '\0')
			ref_found(r, DG_CLASS_NUL, i);
	}
	for (i = 0; i < n;) {
		size_t j = i;

		while (j < n && b[j] != '\r' && b[j] != '\n')
			j++;
		lines[nl].start = i;
		lines[nl].end = j;
		if (j == n) {
			lines[nl++].term = R_EOF;
			break;
		}
		if (b[j] == '\r' && j + 1 < n && b[j + 1] == '\n') {
			lines[nl++].term = R_CRLF;
			i = j + 2;
		} else {
			lines[nl++].term = b[j] == '\r' ? R_CR : R_LF;
			i = j + 1;
		}
	}
	for (size_t k = 0; k < nl; k++) {
		size_t s = lines[k].start, e = lines[k].end, len = e - s;
		enum rterm pt = k == 0 ? R_CRLF : lines[k - 1].term;
		enum rterm t = lines[k].term;
		size_t ndot = 0, nnul = 0, dot = 0, lead_sp = 0, lead_tab = 0;
		size_t w, te;
		int trig = 0, lead;
		enum rkind kind = RK_OTHER;
		uint64_t m = 0;

		if (len > maxlen)
			ref_found(r, DG_CLASS_LONG_LINE, s);
		for (size_t x = s; x < e; x++) {
			if (b[x] == '.') {
				ndot++;
				dot = x;
			} else if (b[x] == '\0') {
				nnul++;
			}
		}
		if (len > 0 && ndot + nnul == len && ndot <= 1) {
			/* ".", NUL-dot, NULs only: all triggers */
			trig = 1;
			if (ndot == 1 && nnul == 0) {
				if (pt == R_CRLF && (t == R_CRLF || t == R_EOF))
					ref_found(r, DG_CLASS_LONE_DOT, dot);
				else
					ref_found(r, DG_CLASS_SMUGGLE_EOD, dot);
			} else if (ndot == 1) {
				ref_found(r, DG_CLASS_SMUGGLE_EOD, dot);
			}
		}
		/* residue: trimmed of trailing spaces, "" or "." or "... ." */
		te = e;
		while (te > s && b[te - 1] == ' ')
			te--;
		if (len > 0 && (te == s || (b[te - 1] == '.'
		    && (te - 1 == s || b[te - 2] == ' '))))
			trig = 1;
		/* commands */
		for (w = s; w < e && blank(b[w]); w++) {
			if (b[w] == ' ')
				lead_sp++;
			else
				lead_tab++;
		}
		lead = lead_tab || lead_sp > 1 ? 2 : (int)lead_sp;
		if (len == 0) {
			kind = RK_EMPTY;
		} else if (has_cmd(b, w, e, "mail", "from:")) {
			kind = RK_MAIL;
			m = w;
		} else if (has_cmd(b, w, e, "rcpt", "to:")) {
			kind = RK_RCPT;
		} else if (has_word(b, w, e, "data")) {
			size_t x = w + 4;

			while (x < e && blank(b[x]))
				x++;
			if (x == e)
				kind = RK_DATA;
		} else if (is_bdat(b, w, e)) {
			kind = RK_DATA;
		}
		/* " . " blanks* "mail" blanks+ "from:" anywhere: the last one */
		for (size_t x = s; x + 3 <= e; x++) {
			size_t y;

			if (b[x] != ' ' || b[x + 1] != '.' || b[x + 2] != ' ')
				continue;
			for (y = x + 3; y < e && blank(b[y]); y++)
				;
			if (has_cmd(b, y, e, "mail", "from:")) {
				kind = RK_MAIL_MID;
				m = y;
			}
		}
		switch (kind) {
		case RK_MAIL:
		case RK_MAIL_MID:
			seq = 1;
			seq_m = m;
			seq_trig = kind == RK_MAIL_MID || pending;
			seq_one = kind == RK_MAIL && lead == 1;
			break;
		case RK_RCPT:
			if (seq == 1 && seq_one && lead == 0)
				seq_trig = 1;
			seq = seq >= 1 ? 2 : 0;
			break;
		case RK_DATA:
			if (seq == 2)
				ref_found(r, seq_trig ? DG_CLASS_SMUGGLED_TRANSACTION
					  : DG_CLASS_SMTP_COMMANDS, seq_m);
			seq = 0;
			break;
		default:
			seq = 0;
		}
		/* pending: 1 after a trigger, 2 and 3 after a trigger and
		 * one and two empty lines (a third breaks it); the CRLF
		 * line after a bare CR changes nothing */
		if (!(kind == RK_EMPTY && t == R_CRLF && pt == R_CR))
			pending = trig ? 1 : kind == RK_EMPTY && pending >= 1
			    && pending <= 2 ? pending + 1 : 0;
	}
	free(lines);
}

/* ---------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------- */

static void scan_whole(struct scanner *s, const unsigned char *b, size_t n,
		       struct scan_result *r)
{
	scanner_reset(s);
	scanner_push(s, b, n);
	scanner_finish(s, r);
}

static void print_result(const char *what, const struct scan_result *r)
{
	fprintf(stderr, "# %s: size=%llu", what, (unsigned long long)r->size);
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		if (r->cls[c].count)
			fprintf(stderr, " %s=%llu@%llu", dg_class_name((enum dg_class)c),
				(unsigned long long)r->cls[c].count,
				(unsigned long long)r->cls[c].first);
	fprintf(stderr, "\n");
}

/* Results equal: counts, and first where count > 0, and size. */
static int same(const struct scan_result *a, const struct scan_result *b)
{
	if (a->size != b->size)
		return 0;
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		if (a->cls[c].count != b->cls[c].count)
			return 0;
		if (a->cls[c].count && a->cls[c].first != b->cls[c].first)
			return 0;
	}
	return 1;
}

static void assert_same(const struct scan_result *want,
			const struct scan_result *got, const char *what)
{
	if (!same(want, got)) {
		print_result("want", want);
		print_result(what, got);
		fail_msg("%s differs", what);
	}
}

/* Every 2-way and (for short bodies) 3-way split agrees with one push. */
static void check_splits(const unsigned char *b, size_t n, size_t maxlen,
			 const struct scan_result *want)
{
	struct scanner *s = scanner_new(maxlen);
	struct scan_result r;

	for (size_t i = 0; i <= n; i++) {
		scanner_reset(s);
		scanner_push(s, b, i);
		scanner_push(s, b + i, n - i);
		scanner_finish(s, &r);
		if (!same(want, &r)) {
			fprintf(stderr, "# split at %zu\n", i);
			assert_same(want, &r, "2-way split");
		}
		if (n > 160)
			continue;
		for (size_t j = i; j <= n; j++) {
			scanner_reset(s);
			scanner_push(s, b, i);
			scanner_push(s, b + i, j - i);
			scanner_push(s, b + j, n - j);
			scanner_finish(s, &r);
			if (!same(want, &r)) {
				fprintf(stderr, "# split at %zu, %zu\n", i, j);
				assert_same(want, &r, "3-way split");
			}
		}
	}
	/* byte by byte */
	scanner_reset(s);
	for (size_t i = 0; i < n; i++)
		scanner_push(s, b + i, 1);
	scanner_finish(s, &r);
	assert_same(want, &r, "byte-by-byte");
	scanner_free(s);
}

/*
 * The body must scan to exactly spec ("class=count@first,..."; every
 * class not named must be absent), whole, split every way, and agree
 * with the reference.
 */
/* spec ("class=count@first,...") as a result for an n-byte body. */
static void expect_spec(const char *spec, size_t n, struct scan_result *want)
{
	char buf[512], *tok, *save = NULL;

	memset(want, 0, sizeof(*want));
	want->size = n;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long long count, first;
		char name[64];
		int c;

		assert_int_equal(sscanf(tok, " %63[a-z_]=%llu@%llu", name, &count, &first), 3);
		c = dg_class_from_name(name);
		assert_true(c >= 0);
		want->cls[c].count = count;
		want->cls[c].first = first;
	}
}

static void expect_ml(const char *body, size_t n, size_t maxlen, const char *spec)
{
	const unsigned char *b = (const unsigned char *)body;
	struct scan_result want, got, ref;
	struct scanner *s = scanner_new(maxlen);

	expect_spec(spec, n, &want);
	scan_whole(s, b, n, &got);
	scanner_free(s);
	assert_same(&want, &got, "one push");
	ref_scan(b, n, maxlen, &ref);
	assert_same(&want, &ref, "reference");
	check_splits(b, n, maxlen, &want);
}

#define EXPECT(lit, spec) expect_ml((lit), sizeof(lit) - 1, 998, (spec))

#define HIDDEN "MAIL FROM:<x@evil.example>\r\nRCPT TO:<b@test.example>\r\n" \
	"DATA\r\nSubject: hidden\r\n\r\nhidden body\r\n"

/* ---------------------------------------------------------------------
 * bare_cr, bare_lf, nul
 * ------------------------------------------------------------------- */

static void test_bare_cr(void **state)
{
	(void)state;
	EXPECT("one\rtwo\r\n", "bare_cr=1@3");
	EXPECT("a\r\rb\r\n", "bare_cr=2@1");
	EXPECT("\r", "bare_cr=1@0");
	EXPECT("abc\r", "bare_cr=1@3");
	EXPECT("abc\r\n\r", "bare_cr=1@5");
	EXPECT("a\r\r\n", "bare_cr=1@1");
	EXPECT("x\r\r\r\r\n", "bare_cr=3@1");
}

static void test_bare_lf(void **state)
{
	(void)state;
	EXPECT("line1\nline2\r\n", "bare_lf=1@5");
	EXPECT("\n", "bare_lf=1@0");
	EXPECT("\nabc", "bare_lf=1@0");
	EXPECT("a\n\nb", "bare_lf=2@1");
	EXPECT("a\r\n\n", "bare_lf=1@3");
	EXPECT("a\n\r\n", "bare_lf=1@1");
	EXPECT("a\r\r\n\n", "bare_cr=1@1,bare_lf=1@4");
}

static void test_nul(void **state)
{
	(void)state;
	EXPECT("a\0b\r\n", "nul=1@1");
	EXPECT("\0", "nul=1@0");
	EXPECT("ab\r\ncd\0\0\r\n", "nul=2@6");
	/* a line of NULs only is no smuggle_eod by itself */
	EXPECT("hello\r\n\0\r\nworld\r\n", "nul=1@7");
	EXPECT("hello\r\n\0\0.\0\r\nworld\r\n", "nul=3@7,smuggle_eod=1@9");
	/* two dots: not a NUL-dot */
	EXPECT("hello\r\n\0..\r\nworld\r\n", "nul=1@7");
}

/* ---------------------------------------------------------------------
 * smuggle_eod: every listed form between "hello" and "world"
 * ------------------------------------------------------------------- */

static void test_smuggle_eod(void **state)
{
	(void)state;
	EXPECT("hello\n.\nworld\r\n", "bare_lf=2@5,smuggle_eod=1@6");
	EXPECT("hello\n.\r\nworld\r\n", "bare_lf=1@5,smuggle_eod=1@6");
	EXPECT("hello\r\n.\nworld\r\n", "bare_lf=1@8,smuggle_eod=1@7");
	EXPECT("hello\r.\rworld\r\n", "bare_cr=2@5,smuggle_eod=1@6");
	EXPECT("hello\r.\r\nworld\r\n", "bare_cr=1@5,smuggle_eod=1@6");
	EXPECT("hello\r.\nworld\r\n", "bare_cr=1@5,bare_lf=1@7,smuggle_eod=1@6");
	EXPECT("hello\n.\rworld\r\n", "bare_lf=1@5,bare_cr=1@7,smuggle_eod=1@6");
	EXPECT("hello\r\n.\rworld\r\n", "bare_cr=1@8,smuggle_eod=1@7");
	EXPECT("hello\r\n.\r\r\nworld\r\n", "bare_cr=1@8,smuggle_eod=1@7");
	EXPECT("hello\r\r\n.\r\r\nworld\r\n", "bare_cr=2@5,smuggle_eod=1@8");
	/* NUL beside a line-start dot */
	EXPECT("hello\r\n\0.\r\nworld\r\n", "nul=1@7,smuggle_eod=1@8");
	EXPECT("hello\r\n.\0\r\nworld\r\n", "nul=1@8,smuggle_eod=1@7");
	/* at the body start (after the header/body CRLF) and end */
	EXPECT(".\nworld\r\n", "bare_lf=1@1,smuggle_eod=1@0");
	EXPECT(".\r", "bare_cr=1@1,smuggle_eod=1@0");
	EXPECT("hello\n.", "bare_lf=1@5,smuggle_eod=1@6");
	EXPECT("hello\r\n.\r", "bare_cr=1@8,smuggle_eod=1@7");
	/* several */
	EXPECT("a\n.\nb\r.\rc\r\n", "bare_lf=2@1,bare_cr=2@5,smuggle_eod=2@2");
}

/* Each form followed by a hidden transaction: also smuggled_transaction. */
static void test_smuggle_eod_transaction(void **state)
{
	(void)state;
	EXPECT("hello\n.\n" HIDDEN, "bare_lf=2@5,smuggle_eod=1@6,smuggled_transaction=1@8");
	EXPECT("hello\n.\r\n" HIDDEN, "bare_lf=1@5,smuggle_eod=1@6,smuggled_transaction=1@9");
	EXPECT("hello\r\n.\n" HIDDEN, "bare_lf=1@8,smuggle_eod=1@7,smuggled_transaction=1@9");
	EXPECT("hello\r.\r" HIDDEN, "bare_cr=2@5,smuggle_eod=1@6,smuggled_transaction=1@8");
	EXPECT("hello\r.\r\n" HIDDEN, "bare_cr=1@5,smuggle_eod=1@6,smuggled_transaction=1@9");
	EXPECT("hello\r.\n" HIDDEN, "bare_cr=1@5,bare_lf=1@7,smuggle_eod=1@6,smuggled_transaction=1@8");
	EXPECT("hello\n.\r" HIDDEN, "bare_lf=1@5,bare_cr=1@7,smuggle_eod=1@6,smuggled_transaction=1@8");
	EXPECT("hello\r\n.\r" HIDDEN, "bare_cr=1@8,smuggle_eod=1@7,smuggled_transaction=1@9");
	EXPECT("hello\r\n.\r\r\n" HIDDEN, "bare_cr=1@8,smuggle_eod=1@7,smuggled_transaction=1@11");
	EXPECT("hello\r\r\n.\r\r\n" HIDDEN, "bare_cr=2@5,smuggle_eod=1@8,smuggled_transaction=1@12");
	EXPECT("hello\r\n\0.\r\n" HIDDEN, "nul=1@7,smuggle_eod=1@8,smuggled_transaction=1@11");
	EXPECT("hello\r\n.\0\r\n" HIDDEN, "nul=1@8,smuggle_eod=1@7,smuggled_transaction=1@11");
	/* hidden transaction with bare CR or bare LF line ends */
	EXPECT("x\r.\rMAIL FROM:<a>\rRCPT TO:<b>\rDATA\r",
	       "bare_cr=5@1,smuggle_eod=1@2,smuggled_transaction=1@4");
	EXPECT("x\n.\nMAIL FROM:<a>\nRCPT TO:<b>\nDATA\n",
	       "bare_lf=5@1,smuggle_eod=1@2,smuggled_transaction=1@4");
}

/* ---------------------------------------------------------------------
 * doc/mta.md, "Postfix 3.7": what Postfix 3.7.11 hands the milter, one
 * test per row
 * ------------------------------------------------------------------- */

static void test_postfix_rows(void **state)
{
	(void)state;
	/* one\rtwo\r\n -> one two\r\n */
	EXPECT("hello\r\none two\r\n", "");
	/* line1\nline2\r\n -> line1\r\nline2\r\n */
	EXPECT("hello\r\nline1\r\nline2\r\n", "");
	/* \n.\r\n, \n.\n, \r\n.\n, \r\n.\r\r\n + hidden: DATA ends there;
	 * the milter sees "hello\r\n", then a second transaction */
	EXPECT("hello\r\n", "");
	EXPECT("Subject: hidden\r\n\r\nhidden body\r\n", "");
	/* \r.\r + hidden */
	EXPECT("hello . " HIDDEN, "smuggled_transaction=1@8");
	/* \r.\r\n + hidden */
	EXPECT("hello .\r\n" HIDDEN, "smuggled_transaction=1@9");
	/* \r.\r\r\n + hidden: Postfix keeps a space after the dot */
	EXPECT("hello . \r\n" HIDDEN, "smuggled_transaction=1@10");
	/* \r\n.\r + hidden */
	EXPECT("hello\r\n " HIDDEN, "smuggled_transaction=1@8");
	/* \r\n\0.\r\n + hidden */
	EXPECT("hello\r\n\0.\r\n" HIDDEN, "nul=1@7,smuggle_eod=1@8,smuggled_transaction=1@11");
	/* \r\n.\0\r\n + hidden: dot-unstuffed to a NUL line */
	EXPECT("hello\r\n\0\r\n" HIDDEN, "nul=1@7,smuggled_transaction=1@10");
	/* smtpd_forbid_bare_newline = normalize: \n.\r\n family */
	EXPECT("hello\r\n" HIDDEN, "smtp_commands=1@7");
}

static void test_postfix_long_line(void **state)
{
	char *b = malloc(5002);

	(void)state;
	assert_non_null(b);
	memset(b, 'a', 5000);
	memcpy(b + 5000, "\r\n", 2);
	expect_ml(b, 5002, 998, "long_line=1@0");
	free(b);
}

/* The issue's acceptance body, exactly. */
static void test_issue_body(void **state)
{
	(void)state;
	EXPECT("hello . MAIL FROM:<x@evil.example>\r\nRCPT TO:<b@test.example>\r\nDATA\r\n...",
	       "smuggled_transaction=1@8");
}

/* ---------------------------------------------------------------------
 * smuggled_transaction triggers and smtp_commands
 * ------------------------------------------------------------------- */

#define TXN "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n"

static void test_triggers(void **state)
{
	(void)state;
	/* a lone dot line */
	EXPECT("hello\r\n.\r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@10");
	/* spaces-only lines, with at most one dot */
	EXPECT("hello\r\n \r\n" TXN, "smuggled_transaction=1@10");
	EXPECT("hello\r\n    \r\n" TXN, "smuggled_transaction=1@13");
	EXPECT("hello\r\n . \r\n" TXN, "smuggled_transaction=1@12");
	EXPECT("hello\r\n. \r\n" TXN, "smuggled_transaction=1@11");
	EXPECT("hello\r\n .\r\n" TXN, "smuggled_transaction=1@11");
	/* two dots: not residue */
	EXPECT("hello\r\n . . x\r\n" TXN, "smtp_commands=1@15");
	EXPECT("hello\r\n..\r\n" TXN, "smtp_commands=1@11");
	/* a line ending in " ." */
	EXPECT("see you .\r\n" TXN, "smuggled_transaction=1@11");
	EXPECT("a . .\r\n" TXN, "smuggled_transaction=1@7");
	/* "." glued to a word is no residue */
	EXPECT("the end.\r\n" TXN, "smtp_commands=1@10");
	/* " . " then MAIL FROM on the same line, spaces or tabs between */
	EXPECT("x .   MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smuggled_transaction=1@6");
	EXPECT("x . \tmail  from:<a@x>\r\nrcpt\tto:<b@y>\r\ndata \r\n", "smuggled_transaction=1@5");
	EXPECT(" . MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smuggled_transaction=1@3");
	EXPECT("x . . MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smuggled_transaction=1@6");
	/* no space after the dot, or the RCPT missing: nothing */
	EXPECT("x .MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "");
	EXPECT("x . MAIL FROM:<a@x>\r\nDATA\r\n", "");
	/* MAIL with exactly one space, RCPT with none */
	EXPECT(" MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smuggled_transaction=1@1");
	EXPECT("hi\r\n MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nRCPT TO:<c@y>\r\nDATA\r\n",
	       "smuggled_transaction=1@5");
	EXPECT(" MAIL FROM:<a@x>\r\n RCPT TO:<b@y>\r\nDATA\r\n", "smtp_commands=1@1");
	EXPECT("  MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smtp_commands=1@2");
	EXPECT("\tMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n", "smtp_commands=1@1");
	EXPECT(" MAIL FROM:<a@x>\r\n\tRCPT TO:<b@y>\r\nDATA\r\n", "smtp_commands=1@1");
	/*
	 * An empty line is no trigger; one or two may follow a trigger,
	 * three break it
	 */
	EXPECT("hello\r\n\r\n" TXN, "smtp_commands=1@9");
	EXPECT("hello\r\n.\r\n\r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@12");
	EXPECT("hello\r\n \r\n\r\n" TXN, "smuggled_transaction=1@12");
	EXPECT("hello\r\n.\r\n\r\n\r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@14");
	EXPECT("hello\r\n \r\n\r\n\r\n" TXN, "smuggled_transaction=1@14");
	EXPECT("hello\r\n.\r\n\r\n\r\n\r\n" TXN, "lone_dot=1@7,smtp_commands=1@16");
	EXPECT("hello\r\n \r\n\r\n\r\n\r\n" TXN, "smtp_commands=1@16");
	/* ... and the CRLF right after a bare CR is not one */
	EXPECT("hello\r\n \r\r\n" TXN, "bare_cr=1@8,smuggled_transaction=1@11");
	EXPECT("hello\r\n \r\r\n\r\n" TXN, "bare_cr=1@8,smuggled_transaction=1@13");
	EXPECT("hello\r\n \r\r\n\r\n\r\n" TXN, "bare_cr=1@8,smuggled_transaction=1@15");
	EXPECT("hello\r\n \r\r\n\r\n\r\n\r\n" TXN, "bare_cr=1@8,smtp_commands=1@17");
	EXPECT("hello\r\n \r\r\n\r\r\n\r\r\n" TXN,
	       "bare_cr=3@8,smuggled_transaction=1@17");
	EXPECT("hello\r\n \r\r\n\r\r\n\r\r\n\r\r\n" TXN,
	       "bare_cr=4@8,smtp_commands=1@20");
	EXPECT("hello\r\n.\n\r\n" TXN, "bare_lf=1@8,smuggle_eod=1@7,smuggled_transaction=1@11");
	/* a trigger not right before MAIL */
	EXPECT("hello\r\n.\r\nhi\r\n" TXN, "lone_dot=1@7,smtp_commands=1@14");
	/* case-insensitive, leading spaces, several RCPTs */
	EXPECT("x\r\n.\r\n  mail from:<a>\r\n rcpt to:<b>\r\nRcPt To:<c>\r\n  DaTa  \r\n",
	       "lone_dot=1@3,smuggled_transaction=1@8");
	/* MAIL FROM with no space before the colon's argument is fine, but
	 * "MAILFROM:" and "DATA x" are not commands */
	EXPECT(".\r\nMAILFROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n", "lone_dot=1@0");
	EXPECT(".\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA x\r\n", "lone_dot=1@0");
	EXPECT(".\r\nMAIL FROM <a>\r\nRCPT TO:<b>\r\nDATA\r\n", "lone_dot=1@0");
	/* interrupted sequences */
	EXPECT(".\r\nMAIL FROM:<a>\r\nNOOP\r\nRCPT TO:<b>\r\nDATA\r\n", "lone_dot=1@0");
	EXPECT(".\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\n\r\nDATA\r\n", "lone_dot=1@0");
	/* a second MAIL restarts the transaction */
	EXPECT(".\r\nMAIL FROM:<a>\r\nMAIL FROM:<b>\r\nRCPT TO:<c>\r\nDATA\r\n",
	       "lone_dot=1@0,smtp_commands=1@18");
	/* DATA at the very end without a line end */
	EXPECT(".\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA", "lone_dot=1@0,smuggled_transaction=1@3");
	/* two transactions: one smuggled, one quoted */
	EXPECT(TXN "x\r\n.\r\n" TXN, "smtp_commands=1@0,lone_dot=1@41,smuggled_transaction=1@44");
}

/*
 * Residue then the hidden transaction, as Postfix hands over what public
 * smuggling test tools send: "{sequence}\r\nmail FROM:..." and
 * "{sequence}\r\n\r\nmail FROM:...", so one or, after a sequence that
 * ends in CRLF itself (\r.\r\n arrives as "hello ."), two empty lines
 * may sit between the residue line and MAIL.  Each residue shape after
 * "hello\r\n", with 0 to 4 empty lines, before a transaction in upper,
 * lower and mixed case; every body split every way (EXPECT).
 */
struct residue {
	const char *line;
	size_t len;
	const char *also;	/* what the line counts itself, at offset 7 */
};

static const struct residue residues[] = {
	{ " .", 2, "" },			/* \r\n.\r\n after \r\n: " ." */
	{ "hello .", 7, "" },			/* \r.\r\n: ends in " ." */
	{ ". ", 2, "" },			/* dot, then a space */
	{ " . ", 3, "" },			/* \r.\r\r\n: " . " */
	{ " ", 1, "" },				/* \r\n.\r: spaces only */
	{ "   ", 3, "" },
	{ ".", 1, "lone_dot=1@7," },		/* a stuffed lone dot */
	{ "\0.", 2, "nul=1@7,smuggle_eod=1@8," },	/* NUL-dot */
	{ ".\0", 2, "nul=1@8,smuggle_eod=1@7," },
	{ "\0", 1, "nul=1@7," },		/* .\0 unstuffed */
};

static const char *const gap_txns[] = {
	"MAIL FROM:<smuggled@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\nhi\r\n",
	"mail FROM:<smuggled@example.test>\r\nrcpt TO:<bob@example.test>\r\ndata\r\nhi\r\n",
	"mail from:<a>\r\nrcpt to:<b>\r\ndata\r\n",
	"MaIl fRoM:<a>\r\nrCpT tO:<b>\r\nRcPt To:<c>\r\ndAtA\r\n",
	"MAIL FROM:<a>\r\nRCPT TO:<b>\r\nBDAT 12 LAST\r\nSubject: x\r\n",
	"mail FROM:<a>\r\nrcpt TO:<b>\r\nbdat 4096\r\n",
	"mAiL fRoM:<a>\r\nRcPt tO:<b>\r\nbDaT 0 lAsT\r\n",
};

/* "hello\r\n", line, gaps empty CRLF lines, txn: want cls at the M. */
static void expect_gap(const char *line, size_t len, const char *also,
		       unsigned gaps, const char *txn, const char *cls)
{
	char body[256], spec[160];
	size_t n = 0, m;

	memcpy(body, "hello\r\n", 7);
	n = 7;
	if (line != NULL) {
		memcpy(body + n, line, len);
		memcpy(body + n + len, "\r\n", 2);
		n += len + 2;
	}
	for (unsigned g = 0; g < gaps; g++, n += 2)
		memcpy(body + n, "\r\n", 2);
	m = n;
	assert_true(n + strlen(txn) < sizeof(body));
	memcpy(body + n, txn, strlen(txn));
	n += strlen(txn);
	snprintf(spec, sizeof(spec), "%s%s=1@%zu", also, cls, m);
	expect_ml(body, n, 998, spec);
}

static void test_residue_gap(void **state)
{
	(void)state;
	for (size_t r = 0; r < sizeof(residues) / sizeof(residues[0]); r++) {
		for (size_t t = 0; t < sizeof(gap_txns) / sizeof(gap_txns[0]); t++) {
			const struct residue *x = &residues[r];

			expect_gap(x->line, x->len, x->also, 0, gap_txns[t],
				   "smuggled_transaction");
			expect_gap(x->line, x->len, x->also, 1, gap_txns[t],
				   "smuggled_transaction");
			expect_gap(x->line, x->len, x->also, 2, gap_txns[t],
				   "smuggled_transaction");
			expect_gap(x->line, x->len, x->also, 3, gap_txns[t],
				   "smtp_commands");
			expect_gap(x->line, x->len, x->also, 4, gap_txns[t],
				   "smtp_commands");
		}
	}
	/* no residue: a quoted transcript, whatever the empty lines */
	for (size_t t = 0; t < sizeof(gap_txns) / sizeof(gap_txns[0]); t++)
		for (unsigned g = 0; g < 5; g++)
			expect_gap(NULL, 0, "", g, gap_txns[t], "smtp_commands");
	/* the issue's body: \r.\r\n then \r\n, as Postfix hands it over */
	EXPECT("TESTING ...!\r\n .\r\n\r\nmail FROM:<smuggled@example.test>\r\n"
	       "rcpt TO:<bob@example.test>\r\ndata\r\nSubject: smuggled\r\n\r\nhi\r\n",
	       "smuggled_transaction=1@20");
	/* the tools' CRLF CRLF template after \r.\r\n, through Postfix */
	EXPECT("hello .\r\n\r\n\r\nmail FROM:<smuggled@example.test>\r\n"
	       "rcpt TO:<bob@example.test>\r\ndata\r\nSubject: smuggled\r\n\r\nhi\r\n",
	       "smuggled_transaction=1@13");
	EXPECT("hello .\r\n\r\n\r\nmail FROM:<smuggled@example.test>\r\n"
	       "rcpt TO:<bob@example.test>\r\nbdat 5 LAST\r\nhi\r\n",
	       "smuggled_transaction=1@13");
	/* a space-only line in the gap is a trigger itself */
	EXPECT("hello\r\n.\r\n \r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@13");
	EXPECT("hello\r\n.\r\n \r\n\r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@15");
	EXPECT("hello\r\n.\r\n\r\n \r\n" TXN, "lone_dot=1@7,smuggled_transaction=1@15");
	EXPECT("hello\r\n.\r\n\r\n\r\n\r\n \r\n\r\n\r\n" TXN,
	       "lone_dot=1@7,smuggled_transaction=1@23");
	EXPECT("hello\r\n\r\n\r\n \r\n" TXN, "smuggled_transaction=1@14");
	/* a tab-only line is no trigger, and no empty line either */
	EXPECT("hello\r\n.\r\n\t\r\n" TXN, "lone_dot=1@7,smtp_commands=1@13");
	/* the empty line may end in a bare CR or LF */
	EXPECT("hello\r\n .\r\n\n" TXN, "bare_lf=1@11,smuggled_transaction=1@12");
	EXPECT("hello\r\n .\r\n\r" TXN, "bare_cr=1@11,smuggled_transaction=1@12");
	EXPECT("hello\r\n .\n\n" TXN, "bare_lf=2@9,smuggled_transaction=1@11");
	EXPECT("hello\r\n .\n\n\n" TXN, "bare_lf=3@9,smuggled_transaction=1@12");
	EXPECT("hello\r\n .\n\n\n\n" TXN, "bare_lf=4@9,smtp_commands=1@13");
	EXPECT("hello\r\n .\r\r\r" TXN, "bare_cr=3@9,smuggled_transaction=1@12");
	EXPECT("hello\r\n .\r\r\r\r" TXN, "bare_cr=4@9,smtp_commands=1@13");
	EXPECT("hello\r\n .\r\n\r\n\n" TXN, "bare_lf=1@13,smuggled_transaction=1@14");
	EXPECT("hello\r\n .\r\n\r\n\n\r\n" TXN, "bare_lf=1@13,smtp_commands=1@16");
	/* the gap counts before MAIL only, not inside the transaction */
	EXPECT("hello\r\n .\r\n\r\nMAIL FROM:<a>\r\n\r\nRCPT TO:<b>\r\nDATA\r\n", "");
	EXPECT("hello\r\n .\r\n\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\n\r\nDATA\r\n", "");
	/* a trigger line, then text, then one or two empty lines: no trigger */
	EXPECT("hello\r\n .\r\nhi\r\n\r\n" TXN, "smtp_commands=1@17");
	EXPECT("hello\r\n .\r\nhi\r\n\r\n\r\n" TXN, "smtp_commands=1@19");
}

/*
 * BDAT (RFC 3030) ends the transaction as DATA does: "BDAT", blanks,
 * digits, then blanks and "LAST" or nothing, then only blanks; the
 * first chunk starts the message whether it is the last one or not.
 */
static void test_bdat(void **state)
{
	(void)state;
#define MR "MAIL FROM:<a>\r\nRCPT TO:<b>\r\n"
	EXPECT(".\r\n" MR "BDAT 12 LAST\r\n", "lone_dot=1@0,smuggled_transaction=1@3");
	EXPECT(".\r\n" MR "BDAT 12\r\n", "lone_dot=1@0,smuggled_transaction=1@3");
	EXPECT("x .\r\n" MR "bdat 7 last\r\n", "smuggled_transaction=1@5");
	EXPECT("x .\r\n" MR "BdAt 0 LaSt\r\n", "smuggled_transaction=1@5");
	EXPECT("x .\r\n" MR "  BDAT\t12 \t LAST \t\r\n", "smuggled_transaction=1@5");
	EXPECT("x .\r\n" MR "BDAT 12   \r\n", "smuggled_transaction=1@5");
	EXPECT("x . " MR "BDAT 12 LAST\r\n", "smuggled_transaction=1@4");
	EXPECT(" " MR "BDAT 99999999999999999999 LAST", "smuggled_transaction=1@1");
	/* no trigger: a quoted transcript */
	EXPECT("hi\r\n" MR "BDAT 12 LAST\r\n", "smtp_commands=1@4");
	EXPECT("hi\r\n" MR "bdat 1\r\n", "smtp_commands=1@4");
	/* not BDAT: no digits, no blank, other words, other bytes */
	EXPECT(".\r\n" MR "BDAT\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT LAST\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT12 LAST\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12x\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12LAST\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12 LASTX\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12 LAST x\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12 LAS\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 1 2\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT -1\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDATA 1\r\n", "lone_dot=1@0");
	EXPECT(".\r\n" MR "BDAT 12 . \r\n", "lone_dot=1@0");
	/* counted once, at the first chunk; BDAT outside a transaction */
	EXPECT(".\r\n" MR "BDAT 10\r\nBDAT 5 LAST\r\n",
	       "lone_dot=1@0,smuggled_transaction=1@3");
	EXPECT(".\r\nBDAT 5 LAST\r\n" MR "DATA\r\n",
	       "lone_dot=1@0,smtp_commands=1@16");
	EXPECT(".\r\nMAIL FROM:<a>\r\nBDAT 5 LAST\r\n", "lone_dot=1@0");
	/* plain lines that start like BDAT */
	EXPECT("bdate\r\nBd\r\nbDa\r\nbdat\r\nBDATx 1\r\n", "");
#undef MR
}

/* ---------------------------------------------------------------------
 * long_line and lone_dot
 * ------------------------------------------------------------------- */

static void test_long_line(void **state)
{
	(void)state;
	expect_ml("abcd\r\n", 6, 4, "");
	expect_ml("abcde\r\n", 7, 4, "long_line=1@0");
	expect_ml("ab\r\nabcde\nabcdef\rabcdefg", 24, 4,
		  "bare_lf=1@9,bare_cr=1@16,long_line=3@4");
	expect_ml("abcde", 5, 4, "long_line=1@0");
	expect_ml("     \r\n", 7, 4, "long_line=1@0");
	expect_ml("", 0, 0, "");
	expect_ml("\r\n\r\n", 4, 0, "");
	expect_ml("a\r\n", 3, 0, "long_line=1@0");
}

static void test_lone_dot(void **state)
{
	(void)state;
	EXPECT(".\r\n", "lone_dot=1@0");
	EXPECT("a\r\n.\r\nb\r\n", "lone_dot=1@3");
	EXPECT("a\r\n.", "lone_dot=1@3");
	EXPECT("a\r\n.\r\n.\r\n", "lone_dot=2@3");
	EXPECT("a\r\n..\r\n", "");
	EXPECT("a\r\n.x\r\n", "");
	EXPECT("a\r\n .\r\n", "");
}

/* ---------------------------------------------------------------------
 * Clean mail
 * ------------------------------------------------------------------- */

/* Words and spaces, no line end, no trailing space: n bytes at b. */
static void fill_words(char *b, size_t n)
{
	static const char w[] = "the report for march is attached and ";

	for (size_t k = 0; k < n; k++)
		b[k] = w[k % (sizeof(w) - 1)];
	if (n > 0 && b[n - 1] == ' ')
		b[n - 1] = 'x';
}

/*
 * A body too long for every split: the reference, one push, pushes of
 * 65535 bytes (what the MTA hands a milter), and splits around each
 * 65535-byte edge must all scan to spec.
 */
static void expect_big(const char *body, size_t n, const char *spec)
{
	const unsigned char *b = (const unsigned char *)body;
	struct scanner *s = scanner_new(998);
	struct scan_result want, r;

	expect_spec(spec, n, &want);
	ref_scan(b, n, 998, &r);
	assert_same(&want, &r, "reference");
	scan_whole(s, b, n, &r);
	assert_same(&want, &r, "one push");
	for (size_t cut = 65533; cut <= 65537 && cut <= n; cut++) {
		scanner_reset(s);
		for (size_t i = 0; i < n; i += cut)
			scanner_push(s, b + i, n - i < cut ? n - i : cut);
		scanner_finish(s, &r);
		assert_same(&want, &r, "pushes of about 65535 bytes");
		scanner_reset(s);
		scanner_push(s, b, cut);
		scanner_push(s, b + cut, n - cut);
		scanner_finish(s, &r);
		assert_same(&want, &r, "split near 65535");
	}
	scanner_free(s);
}

static void test_clean(void **state)
{
	const char *base64 = "TWFuIGlzIGRpc3Rpbmd1aXNoZWQsIG5vdCBvbmx5IGJ5IGhpcyByZWFzb24sIGJ1dCBieSB0aGlz";
	size_t bl = strlen(base64), n = 0;
	char *b = malloc(200000);

	(void)state;
	assert_non_null(b);
	EXPECT("", "");
	EXPECT("Hello,\r\n\r\nthis is a test.\r\nRegards . . . Mail Robot\r\n", "");
	EXPECT("Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x98\x80\r\n", "");
	EXPECT("\tindented\r\n  spaced\r\nMAIL: hi\r\nData is here\r\nDATA\r\n", "");
	EXPECT("> MAIL FROM:<a>\r\n> RCPT TO:<b>\r\n> DATA\r\n", "");
	EXPECT("C: MAIL FROM:<a>\r\nC: RCPT TO:<b>\r\nC: DATA\r\n", "");
	/* a quoted transcript with nothing in front of it */
	EXPECT("Here is how SMTP works:\r\n\r\nMAIL FROM:<alice@example.org>\r\n"
	       "RCPT TO:<bob@example.org>\r\nDATA\r\nSubject: hi\r\n\r\nHi Bob\r\n",
	       "smtp_commands=1@27");
	/* 998 octets: legal */
	memset(b, 'x', 998);
	memcpy(b + 998, "\r\n", 2);
	expect_ml(b, 1000, 998, "");
	/* 999 octets: long */
	memset(b, 'x', 999);
	memcpy(b + 999, "\r\n", 2);
	expect_ml(b, 1001, 998, "long_line=1@0");
	/* 2000 lines of base64 */
	for (int i = 0; i < 2000; i++) {
		memcpy(b + n, base64, bl);
		memcpy(b + n + bl, "\r\n", 2);
		n += bl + 2;
	}
	{
		struct scanner *s = scanner_new(998);
		struct scan_result r, want;

		memset(&want, 0, sizeof(want));
		want.size = n;
		scan_whole(s, (unsigned char *)b, n, &r);
		assert_same(&want, &r, "base64");
		scanner_free(s);
	}
	free(b);
}

/*
 * Clean shapes of real mail: what a milter sees of them must scan to
 * exactly this (never a class the shipped policy rejects), split every
 * way.  A quoted SMTP session after a paragraph and one or two empty
 * lines is smtp_commands only (logged): no residue line before it.
 */
static const char multipart[] =
	"This is a multi-part message in MIME format.\r\n"
	"\r\n"
	"--------------a1B2c3D4e5F6\r\n"
	"Content-Type: text/plain; charset=UTF-8; format=flowed\r\n"
	"Content-Transfer-Encoding: quoted-printable\r\n"
	"\r\n"
	"Hi Bob,=20\r\n"
	"the report is attached; the numbers for March are in the second=\r\n"
	" table.\r\n"
	"Best regards \r\n"
	"\r\n"
	"--------------a1B2c3D4e5F6\r\n"
	"Content-Type: application/pdf; name=\"report.pdf\"\r\n"
	"Content-Transfer-Encoding: base64\r\n"
	"Content-Disposition: attachment; filename=\"report.pdf\"\r\n"
	"\r\n"
	"JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\r\n"
	"Y29kZT4+CnN0cmVhbQp4nDPQM1Qo5ypUMFAw0DMwslAwtTTVMzE3VbAwMdSzMDNSKErlCtdSyOMK\r\n"
	"bWFpbCBmcm9tOiBkYXRhIHJjcHQgdG86IGJkYXQgMTIgbGFzdCBSQ1BUIFRPOiBEQVRBIE1BSUwg\r\n"
	"ZGF0YQ==\r\n"
	"\r\n"
	"--------------a1B2c3D4e5F6--\r\n";

static const char dot_stuffed[] =	/* after the MTA removed the stuffing */
	"Hidden files:\r\n.profile\r\n.x\r\n..\r\n...\r\n. not alone\r\n"
	".x .y\r\nThat's all..\r\n";

static const char utf8[] =
	"\xc3\x84nderung\r\n\xc3\x9c" "bersicht\r\n\xe2\x82\xac 5\r\n"
	"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\r\n\xc3\xa7" "a va\r\n"
	"\xc3\x80 bient\xc3\xb4t\r\n\xf0\x9f\x93\xa7 mail\r\n";

static void test_clean_shapes(void **state)
{
	char *b = malloc(70000);
	size_t n = 0;

	(void)state;
	assert_non_null(b);
	EXPECT(multipart, "");
	EXPECT(dot_stuffed, "");
	EXPECT(utf8, "");
	/* quoted sessions after a paragraph and one or two empty lines */
	EXPECT("The server answered as follows.\r\n\r\nmail from:<a@example.org>\r\n"
	       "rcpt to:<b@example.org>\r\ndata\r\n", "smtp_commands=1@35");
	EXPECT("The server answered as follows:\r\n\r\n\r\nMAIL FROM:<a@example.org>\r\n"
	       "RCPT TO:<b@example.org>\r\nDATA\r\nSubject: hi\r\n\r\nHi Bob\r\n",
	       "smtp_commands=1@37");
	EXPECT("With CHUNKING:\r\n\r\nMAIL FROM:<a@example.org>\r\n"
	       "RCPT TO:<b@example.org>\r\nBDAT 86 LAST\r\n", "smtp_commands=1@18");
	EXPECT("A session:\r\n\r\nC: MAIL FROM:<a>\r\nS: 250 OK\r\nC: RCPT TO:<b>\r\n"
	       "S: 250 OK\r\nC: DATA\r\n", "");
	EXPECT("A session:\r\n\r\nMAIL FROM:<a>\r\n250 2.1.0 Ok\r\nRCPT TO:<b>\r\n"
	       "250 2.1.5 Ok\r\nDATA\r\n", "");
	/* three lines of 998 octets */
	for (int k = 0; k < 3; k++) {
		memset(b + n, 'a' + k, 998);
		memcpy(b + n + 998, "\r\n", 2);
		n += 1000;
	}
	expect_ml(b, n, 998, "");
	/* a CRLF split by the MTA's 65535-byte chunks (CR at 65534) */
	for (n = 0; n < 65534 - 80; n += 72) {
		fill_words(b + n, 70);
		memcpy(b + n + 70, "\r\n", 2);
	}
	fill_words(b + n, 65534 - n);
	memcpy(b + 65534, "\r\nEnd.\r\n", 8);
	expect_big(b, 65542, "");
	free(b);
}

/* ---------------------------------------------------------------------
 * Random bodies: random splits against one push, one push against the
 * reference.
 * ------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible, seeded above */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static const char *const tokens[] = {
	"\r", "\n", "\r\n", ".", "\0", " ", " ", "\t", "x", "ab", ". ", " .",
	" . ", "MAIL FROM:<a>", "mail\tfrom:", "RCPT TO:<b>", "rcpt to:", "DATA",
	"data ", "\r\n.\r\n", "MAIL", " FROM:", "M", "R", "D", ":", "\r\r\n",
	"BDAT", "bdat 1", " 12", " LAST", "B", "0",
};

/* Lines (with their lengths: some hold NULs) and terminators. */
struct lit {
	const char *s;
	size_t len;
};
#define LIT(x) { (x), sizeof(x) - 1 }

static const struct lit rlines[] = {
	LIT(""), LIT("hello"), LIT("."), LIT(".."), LIT(". "), LIT(" "), LIT("   "),
	LIT(" . "), LIT("x ."), LIT("x . "), LIT("\t"), LIT("\0"), LIT("\0."),
	LIT(".\0"), LIT("\0.\0"), LIT("a . MAIL FROM:<a>"), LIT(" . mail  from:x"),
	LIT("x . . MAIL FROM:"), LIT("MAIL FROM:<a> . MAIL FROM:<b>"), LIT("NOOP"),
	LIT("MAIL FROM <a>"), LIT("DATA x"), LIT("rcpt to:"), LIT("DATA"),
	LIT("BDAT 3 LAST"), LIT("bdat x"),
};
static const struct lit rmail[] = {
	LIT("MAIL FROM:<a>"), LIT(" MAIL FROM:<a>"), LIT("  mail\tfrom:<b>"),
	LIT("x . MAIL FROM:<c>"),
};
static const struct lit rrcpt[] = {
	LIT("RCPT TO:<b>"), LIT(" RCPT TO:<c>"), LIT("rcpt to:"), LIT("\tRCPT TO:"),
};
static const struct lit rdata[] = {
	LIT("DATA"), LIT(" data "), LIT("DATA"), LIT("DATA x"),
	LIT("BDAT 12 LAST"), LIT("\tbdat 0 "), LIT("BDAT 5"), LIT("BDAT 5 LASTx"),
	LIT("BDAT"),
};
static const struct lit rterms[] = {
	LIT("\r\n"), LIT("\r\n"), LIT("\r\n"), LIT("\r\n"), LIT("\r\n"),
	LIT("\r"), LIT("\n"), LIT("\r\r\n"),
};

#define PICK(a) (&(a)[rng() % (sizeof(a) / sizeof((a)[0]))])

/* Appends line l and a random terminator if they fit; returns the length. */
static size_t put_line(unsigned char *b, size_t n, size_t max,
		       const struct lit *l)
{
	const struct lit *t = PICK(rterms);

	if (n + l->len + t->len > max)
		return max + 1;
	memcpy(b + n, l->s, l->len);
	memcpy(b + n + l->len, t->s, t->len);
	return n + l->len + t->len;
}

/*
 * A body of lines: single lines, and now and then a transaction (MAIL,
 * one to three RCPT, DATA, each in one of its spellings) right after
 * one, with random terminators: smuggled_transaction and smtp_commands
 * both come up, as do near misses.
 */
static size_t random_lines(unsigned char *b, size_t max)
{
	size_t n = 0, m;

	for (;;) {
		if ((m = put_line(b, n, max, PICK(rlines))) > max)
			return n;
		n = m;
		if (rng() % 3 != 0)
			continue;
		if ((m = put_line(b, n, max, PICK(rmail))) > max)
			return n;
		n = m;
		for (uint64_t k = rng() % 3; k < 3; k++) {
			if ((m = put_line(b, n, max, PICK(rrcpt))) > max)
				return n;
			n = m;
		}
		if ((m = put_line(b, n, max, PICK(rdata))) > max)
			return n;
		n = m;
	}
}

/* Tokens glued at random: every byte sequence the tokens can make. */
static size_t random_tokens(unsigned char *b, size_t max)
{
	size_t n = 0;

	while (n < max) {
		size_t t = rng() % (sizeof(tokens) / sizeof(tokens[0]));
		const char *tok = tokens[t];
		size_t l = tok[0] == '\0' ? 1 : strlen(tok);

		if (n + l > max)
			break;
		memcpy(b + n, tok, l);
		n += l;
	}
	return n;
}

static size_t random_body(unsigned char *b, size_t max)
{
	return rng() % 2 == 0 ? random_lines(b, max) : random_tokens(b, max);
}

static void random_split(struct scanner *s, const unsigned char *b, size_t n,
			 struct scan_result *r)
{
	size_t i = 0;

	scanner_reset(s);
	while (i < n) {
		size_t k = rng() % 4 == 0 ? rng() % (n - i + 1) : rng() % 8;

		if (k > n - i)
			k = n - i;
		scanner_push(s, b + i, k);
		i += k;
	}
	scanner_finish(s, r);
}

static void test_random(void **state)
{
	unsigned char *b = malloc(4096);
	struct scanner *s;
	int splits = 0, hits[DG_CLASS_COUNT] = { 0 };

	(void)state;
	assert_non_null(b);
	for (int round = 0; round < 600; round++) {
		size_t maxlen = rng() % 3 == 0 ? rng() % 40 : 998;
		size_t n = random_body(b, 16 + rng() % 2000);
		struct scan_result one, ref, r;

		s = scanner_new(maxlen);
		scan_whole(s, b, n, &one);
		ref_scan(b, n, maxlen, &ref);
		if (!same(&ref, &one))
			fprintf(stderr, "# round %d, maxlen %zu, n %zu\n", round, maxlen, n);
		assert_same(&ref, &one, "scanner vs reference");
		for (int c = 0; c < DG_CLASS_COUNT; c++)
			hits[c] += one.cls[c].count > 0;
		for (int k = 0; k < 10; k++, splits++) {
			random_split(s, b, n, &r);
			assert_same(&one, &r, "random split");
		}
		scanner_free(s);
	}
	assert_true(splits >= 6000);
	/* the generator reaches every class, often */
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		if (hits[c] < 50)
			fail_msg("class %s in only %d random bodies",
				 dg_class_name((enum dg_class)c), hits[c]);
	}
	free(b);
}

/* A 4 MB random body, compared whole and in random splits. */
static void test_random_long(void **state)
{
	size_t max = 4u << 20;
	unsigned char *b = malloc(max);
	struct scanner *s = scanner_new(60);
	struct scan_result one, ref, r;
	size_t n;

	(void)state;
	assert_non_null(b);
	n = random_lines(b, max / 2);
	n += random_tokens(b + n, max - n);
	scan_whole(s, b, n, &one);
	ref_scan(b, n, 60, &ref);
	assert_same(&ref, &one, "scanner vs reference (4 MB)");
	for (int k = 0; k < 20; k++) {
		size_t i = 0;

		scanner_reset(s);
		while (i < n) {
			size_t c = 1 + rng() % 65535;

			if (c > n - i)
				c = n - i;
			scanner_push(s, b + i, c);
			i += c;
		}
		scanner_finish(s, &r);
		assert_same(&one, &r, "65535-byte random splits");
		random_split(s, b, n, &r);
		assert_same(&one, &r, "tiny random splits");
	}
	scanner_free(s);
	free(b);
}

/* ---------------------------------------------------------------------
 * The 64-byte window path: bodies built around window edges, and
 * text-like random bodies (mostly plain lines, where windows are
 * settled by masks) against the reference.
 * ------------------------------------------------------------------- */

/* Scanner and reference agree whole, split every way and in 64s. */
static void check_ref(const unsigned char *b, size_t n, size_t maxlen)
{
	struct scanner *s = scanner_new(maxlen);
	struct scan_result ref, one, r;

	ref_scan(b, n, maxlen, &ref);
	scan_whole(s, b, n, &one);
	assert_same(&ref, &one, "one push vs reference");
	for (size_t step = 63; step <= 65; step++) {
		scanner_reset(s);
		for (size_t i = 0; i < n; i += step)
			scanner_push(s, b + i, n - i < step ? n - i : step);
		scanner_finish(s, &r);
		assert_same(&ref, &r, "pushes of 63, 64, 65 bytes");
	}
	scanner_free(s);
	check_splits(b, n, maxlen, &ref);
}

/* Plain text from b[at] to b[to]: letters and spaces, no keyword. */
static void fill_plain(unsigned char *b, size_t at, size_t to)
{
	for (size_t k = at; k < to; k++)
		b[k] = k % 7 == 3 ? ' ' : (unsigned char)('e' + k % 13);
}

/* Plain text without spaces: no line ends in a space, so the window
 * loops run further than over fill_plain() (whose first line does). */
static void fill_word(unsigned char *b, size_t at, size_t to)
{
	for (size_t k = at; k < to; k++)
		b[k] = (unsigned char)('e' + k % 13);
}

/*
 * Each special piece placed at every offset around the first window
 * edges (in a body of plain lines, with spaces and without), with maxlen
 * below, at and above 64:
 * a CRLF split by the window edge (CR at byte 63, LF at 64), a line
 * starting at a window start, dot lines, empty lines, commands,
 * residue, NULs, bare CR and LF.
 */
static void test_window_edges(void **state)
{
	static const struct lit pieces[] = {
		LIT("\r\n"), LIT("\r\n\r\n"), LIT("\r\n.\r\n"), LIT("\r\n.\r\nx"),
		LIT("\r\n.\r\n.\r\n"), LIT("\r\n.\n"), LIT("\r\n.\r"),
		LIT("\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\nmailbox\r\n"), LIT("\r\nDat\r\n"), LIT("\r\n\trcpt\r\n"),
		LIT(" .\r\n"), LIT(" \r\n"), LIT("x . MAIL FROM:<a>\r\n"),
		LIT("\0"), LIT("\r\n\0.\r\n"), LIT("\r"), LIT("\n"), LIT("\r\r\n"),
		LIT("\r\n \r\n"), LIT("\r\n\r\r\n"), LIT("\n\n\n"), LIT("\r\r\r"),
		/* first two letters of a command, alone or at a window end */
		LIT("\r\nMa\r\n"), LIT("\r\nrC\r\n"), LIT("\r\ndA"), LIT("\r\nM"),
		LIT("\r\nmAiL FROM:<a>\r\nrcpt to:<b>\r\ndAtA\r\n"),
		LIT("\r\n\tx\r\n"), LIT("\r\nTake\r\n"), LIT("\r\n-a\r\n"),
		/* residue before a transaction: only " ." makes it smuggled */
		LIT("x .\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("x . MAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("x . MAIL FROM:<aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa>\r\nRCPT TO:<b>\r\n"
		    "DATA\r\n"),
		/* commands after a tab: only the tab marks these lines */
		LIT("\r\n\tMAIL FROM:<a>\r\n\tRCPT TO:<b>\r\n\tDATA\r\n"),
		/* one empty line after a trigger, two, runs of them */
		LIT("\r\n.\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("x .\r\n\r\nmail from:<a>\r\nrcpt to:<b>\r\ndata\r\n"),
		LIT("\r\n \r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\n\r\n\r\n\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		/* two empty lines after a trigger keep it, three break it */
		LIT("\r\n.\r\n\r\n\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("hello .\r\n\r\n\r\nmail FROM:<a>\r\nrcpt TO:<b>\r\ndata\r\n"),
		LIT("hello .\r\n\r\n\r\n\r\nmail FROM:<a>\r\nrcpt TO:<b>\r\ndata\r\n"),
		LIT("\r\n \r\n\r\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\n\rMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\n\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\n\r\n"), LIT("\r\n.\r\n\r\n\r\nx"),
		/* "\r\r\n" is one line end: runs of 5 and 6 lines after a
		 * trigger that ends in a bare CR, 2 and 3 empty lines */
		LIT(" .\r\r\n\r\r\n\r\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT(" .\r\r\n\r\r\n\r\r\n\r\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\r\n\r\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\r\n\r\r\n\r\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\n\r\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n.\r\n\r\n"), LIT("\r\n.\r\n\r\n\r\n"), LIT("\r\n.\r\n\n\r"),
		LIT("\r\n.\r\n\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		    "xxxxxxxxxxxxxxxxxxxx\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nDATA\r\n"),
		LIT("\r\n\xed\xa1\r\n"),
		/* BDAT, and lines that start like it */
		LIT("\r\n.\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nBDAT 12 LAST\r\n"),
		LIT("\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r\nbdat 1\r\n"),
		LIT("\r\nbdate\r\n"), LIT("\r\nBd\r\n"), LIT("\r\nB"), LIT("\r\nbD"),
		LIT("\r\nrb\r\n"), LIT("\r\n\xe2\x80\x94\r\n"),
	};
	static const size_t maxlens[] = { 10, 62, 63, 64, 65, 127, 128, 998 };
	unsigned char b[400];

	(void)state;
	for (size_t p = 0; p < 2 * sizeof(pieces) / sizeof(pieces[0]); p++) {
		const struct lit *piece = &pieces[p / 2];

		for (size_t at = 50; at < 140; at++) {
			size_t n = at + piece->len + 90;

			(p % 2 ? fill_word : fill_plain)(b, 0, n);
			/* CRLF lines of 20 bytes before and after the piece */
			for (size_t k = 18; k + 1 < at; k += 20)
				memcpy(b + k, "\r\n", 2);
			memcpy(b + at, piece->s, piece->len);
			for (size_t k = at + piece->len + 18; k + 1 < n; k += 20)
				memcpy(b + k, "\r\n", 2);
			for (size_t m = 0; m < sizeof(maxlens) / sizeof(maxlens[0]); m++) {
				struct scanner *s = scanner_new(maxlens[m]);
				struct scan_result ref, one, r;

				ref_scan(b, n, maxlens[m], &ref);
				scan_whole(s, b, n, &one);
				if (!same(&ref, &one))
					fprintf(stderr, "# piece %zu (filler %zu) at %zu, maxlen %zu\n",
						p / 2, p % 2, at, maxlens[m]);
				assert_same(&ref, &one, "window edge vs reference");
				/* split at the piece, after it, and in 64s */
				for (size_t cut = at; cut <= at + 1; cut++) {
					scanner_reset(s);
					scanner_push(s, b, cut);
					scanner_push(s, b + cut, n - cut);
					scanner_finish(s, &r);
					assert_same(&ref, &r, "window edge, split at the piece");
				}
				scanner_reset(s);
				for (size_t i = 0; i < n; i += 64)
					scanner_push(s, b + i, n - i < 64 ? n - i : 64);
				scanner_finish(s, &r);
				assert_same(&ref, &r, "window edge, 64-byte pushes");
				scanner_free(s);
			}
		}
	}
}

/* Lines of exactly maxlen and maxlen + 1 octets ending at window edges. */
static void test_window_long_lines(void **state)
{
	static const size_t maxlens[] = { 63, 64, 65, 127, 128, 129, 192 };
	unsigned char b[1200];

	(void)state;
	for (size_t m = 0; m < sizeof(maxlens) / sizeof(maxlens[0]); m++) {
		size_t ml = maxlens[m];

		for (size_t lead = 0; lead < 70; lead += 3) {
			for (size_t extra = 0; extra <= 1; extra++) {
				size_t n = 0;

				fill_plain(b, 0, sizeof(b));
				for (size_t k = 0; k + 2 <= lead; k += 2)
					memcpy(b + k, "\r\n", 2);
				n = lead + ml + extra;
				memcpy(b + n, "\r\n", 2);
				n += 2;
				n += ml + 2 - extra;	/* a second, other length */
				memcpy(b + n - 2, "\r\n", 2);
				check_ref(b, n, ml);
			}
		}
	}
}

/*
 * Text-like random bodies: mostly plain CRLF lines of 0 to 80 bytes,
 * now and then a line or token of the other generators; maxlen around
 * 64 or 998.  DG_SCANNER_ROUNDS raises the number of bodies.
 */
static size_t random_text(unsigned char *b, size_t max)
{
	size_t n = 0;

	while (n + 100 < max) {
		uint64_t r = rng() % 40;

		if (r == 0) {
			const struct lit *l = PICK(rlines);

			n = put_line(b, n, max, l);
		} else if (r == 1) {
			const char *tok = *PICK(tokens);
			size_t l = tok[0] == '\0' ? 1 : strlen(tok);

			memcpy(b + n, tok, l);
			n += l;
		} else if (r == 2) {
			/* a transaction after up to five empty lines */
			for (uint64_t k = rng() % 6; k > 0; k--)
				n = put_line(b, n, max, &rlines[0]);
			n = put_line(b, n, max, PICK(rmail));
			n = put_line(b, n, max, PICK(rrcpt));
			n = put_line(b, n, max, PICK(rdata));
		} else {
			size_t len = rng() % 81;

			fill_plain(b, n, n + len);
			if (len > 0 && rng() % 4 == 0)
				b[n + len - 1] = '.';
			n += len;
			memcpy(b + n, "\r\n", 2);
			n += 2;
		}
	}
	return n;
}

static void test_random_text(void **state)
{
	static const size_t maxlens[] = { 40, 63, 64, 65, 78, 998 };
	const char *env = getenv("DG_SCANNER_ROUNDS");
	int rounds = env ? atoi(env) : 300;
	unsigned char *b = malloc(9000);

	(void)state;
	assert_non_null(b);
	for (int round = 0; round < rounds; round++) {
		size_t maxlen = maxlens[rng() % 6];
		size_t n = random_text(b, 200 + rng() % 8700);
		struct scanner *s = scanner_new(maxlen);
		struct scan_result one, ref, r;

		scan_whole(s, b, n, &one);
		ref_scan(b, n, maxlen, &ref);
		if (!same(&ref, &one))
			fprintf(stderr, "# round %d, maxlen %zu, n %zu\n", round, maxlen, n);
		assert_same(&ref, &one, "text: scanner vs reference");
		for (int k = 0; k < 5; k++) {
			random_split(s, b, n, &r);
			assert_same(&one, &r, "text: random split");
		}
		scanner_free(s);
	}
	free(b);
}

/* Reset between messages: no state leaks from one to the next. */
static void test_reset(void **state)
{
	struct scanner *s = scanner_new(998);
	struct scan_result a, b;
	const char *m1 = "x\r\n.\r\nMAIL FROM:<a>\r\nRCPT TO:<b>\r";
	const char *m2 = "\nDATA\r\n";

	(void)state;
	scanner_push(s, (const unsigned char *)m1, strlen(m1));
	scanner_finish(s, &a);
	assert_int_equal(a.cls[DG_CLASS_BARE_CR].count, 1);
	scanner_reset(s);
	scanner_push(s, (const unsigned char *)m2, strlen(m2));
	scanner_finish(s, &b);
	assert_int_equal(b.size, strlen(m2));
	assert_int_equal(b.cls[DG_CLASS_BARE_LF].count, 1);
	assert_int_equal(b.cls[DG_CLASS_BARE_LF].first, 0);
	assert_int_equal(b.cls[DG_CLASS_SMUGGLED_TRANSACTION].count, 0);
	assert_int_equal(b.cls[DG_CLASS_SMTP_COMMANDS].count, 0);
	scanner_free(s);
}

/*
 * 100 MB in 65535-byte pushes, every anomaly class in each chunk: the
 * heap does not grow (the scanner allocates nothing after scanner_new)
 * and counts come out as multiples of the chunk's own.
 */
static void test_100mb_bounded(void **state)
{
	size_t cl = 65535, total = 100u << 20, pushed = 0, n;
	unsigned char *chunk = malloc(cl);
	struct scanner *s = scanner_new(998);
	struct scan_result r;
	struct mallinfo2 before, after;

	(void)state;
	assert_non_null(chunk);
	memset(chunk, 'y', cl);
	n = 0;
	while (n + 64 < cl) {
		static const char piece[] =
		    "ok line\r\nbare\rcr\n.\nx\0y\r\n.\r\n" TXN;
		size_t pl = sizeof(piece) - 1;

		memcpy(chunk + n, piece, pl);
		n += pl + 100;
	}
	before = mallinfo2();
	while (pushed < total) {
		scanner_push(s, chunk, cl);
		pushed += cl;
	}
	scanner_finish(s, &r);
	after = mallinfo2();
	assert_int_equal(before.uordblks, after.uordblks);
	assert_int_equal(before.hblkhd, after.hblkhd);
	assert_int_equal(r.size, pushed);
	assert_true(r.cls[DG_CLASS_BARE_CR].count > 1000);
	assert_true(r.cls[DG_CLASS_SMUGGLE_EOD].count > 1000);
	assert_true(r.cls[DG_CLASS_NUL].count > 1000);
	assert_true(r.cls[DG_CLASS_LONE_DOT].count > 1000);
	assert_true(r.cls[DG_CLASS_SMUGGLED_TRANSACTION].count > 1000);
	scanner_free(s);
	free(chunk);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bare_cr),
		cmocka_unit_test(test_bare_lf),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_smuggle_eod),
		cmocka_unit_test(test_smuggle_eod_transaction),
		cmocka_unit_test(test_postfix_rows),
		cmocka_unit_test(test_postfix_long_line),
		cmocka_unit_test(test_issue_body),
		cmocka_unit_test(test_triggers),
		cmocka_unit_test(test_residue_gap),
		cmocka_unit_test(test_bdat),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_lone_dot),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_clean_shapes),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_random_long),
		cmocka_unit_test(test_window_edges),
		cmocka_unit_test(test_window_long_lines),
		cmocka_unit_test(test_random_text),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_100mb_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
