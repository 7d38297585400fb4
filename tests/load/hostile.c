/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hostile.c: hostile input for a milter, from the MTA side.
 * Each case talks to the filter over its socket with what a
 * broken or malicious MTA, proxy or SMTP client could hand it: 100 KB
 * macros, a 10 KB {auth_authen}, header values with control bytes, a
 * sender with CR/LF and %n, 2000 recipients, and protocol packets with
 * wrong lengths, wrong order or missing terminators.  A case passes when
 * the filter answers with a well-formed reply, closes the connection, or
 * ignores a command invalid in its state and still closes on QUIT (never
 * hangs), every reply text it sends is printable ASCII of bounded length,
 * and afterwards a normal transaction on a new connection still gets
 * through.  Prints TAP.
 *
 * Usage: hostile -s SOCKET [-t TIMEOUT_MS] [CASE...]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include "mltproto.h"

static const char *sock;
static int timeout_ms = 3000;
static char detail[512];

#define EXEMPT "127.0.0.1"
#define OUTSIDER "192.0.2.10"

/* ---- helpers ------------------------------------------------------------ */

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A buffer that grows; strings are appended with their NUL. */
struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void b_add(struct buf *b, const void *d, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 64;
		if ((b->p = realloc(b->p, b->cap)) == NULL) {
			fprintf(stderr, "hostile: out of memory\n");
			exit(2);
		}
	}
	memcpy(b->p + b->len, d, n);
	b->len += n;
}

static void b_str(struct buf *b, const char *s)
{
	b_add(b, s, strlen(s) + 1);
}

static void b_byte(struct buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	b_add(b, &ch, 1);
}

static char *repeat(int c, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		exit(2);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static int open_neg(struct mlt_conn *c)
{
	if (mlt_open(c, sock, timeout_ms) < 0 ||
	    mlt_negotiate(c, MLT_MTA_ACTIONS, MLT_MTA_PFLAGS) < 0) {
		snprintf(detail, sizeof(detail), "open/negotiate: %s", c->err);
		mlt_close(c, 0);
		return -1;
	}
	return 0;
}

static int send_connect(struct mlt_conn *c, const char *addr)
{
	struct buf b = { 0 };
	int r;

	b_str(&b, "client.example");
	b_byte(&b, SMFIA_INET);
	b_byte(&b, 0x30);
	b_byte(&b, 0x39);
	b_str(&b, addr);
	r = mlt_event(c, SMFIC_CONNECT, -1, NULL, 0, b.p, b.len);
	free(b.p);
	return r;
}

/* Is a reply text "[45]NN X.Y.Z ..." of printable ASCII and bounded? */
static int reply_text_ok(const struct mlt_conn *c)
{
	size_t i;

	if (c->rcmd != SMFIR_REPLYCODE)
		return 1;
	if (c->rlen == 0 || c->rlen > 1000 || c->rbuf[c->rlen - 1] != '\0')
		return 0;
	for (i = 0; i + 1 < c->rlen; i++)
		if (c->rbuf[i] < 0x20 || c->rbuf[i] > 0x7e)
			return 0;
	return (c->rbuf[0] == '4' || c->rbuf[0] == '5');
}

/* Does the MTA go on after this answer to a step? */
static int go(int r)
{
	return r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY;
}

static int valid_reply(int r)
{
	return r == SMFIR_CONTINUE || r == SMFIR_ACCEPT || r == SMFIR_REJECT ||
	    r == SMFIR_TEMPFAIL || r == SMFIR_DISCARD || r == SMFIR_REPLYCODE ||
	    r == MLT_SKIPPED || r == MLT_NOREPLY;
}

/* A reply just read: a known command with a well-formed text? */
static int reply_ok(struct mlt_conn *c, const char *what)
{
	if (!valid_reply(c->rcmd) && c->rcmd != SMFIR_PROGRESS) {
		snprintf(detail, sizeof(detail), "%s: odd reply '%c'", what,
			 c->rcmd);
		return -1;
	}
	if (!reply_text_ok(c)) {
		snprintf(detail, sizeof(detail), "%s: bad reply text", what);
		return -1;
	}
	return 0;
}

/*
 * After a complete hostile packet: the filter must answer or close.
 * Returns 0 for a reply or a close, -1 for a timeout or a bad reply.
 */
static int answer_or_close(struct mlt_conn *c, const char *what)
{
	if (mlt_read(c) == 0) {
		if (reply_ok(c, what) != 0)
			return -1;
		snprintf(detail, sizeof(detail), "%s: reply '%c' %.80s", what,
			 c->rcmd, mlt_reply_text(c));
		return 0;
	}
	if (strstr(c->err, "timeout")) {
		snprintf(detail, sizeof(detail), "%s: no reply and no close "
			 "within %d ms", what, timeout_ms);
		return -1;
	}
	snprintf(detail, sizeof(detail), "%s: %s", what, c->err);
	return 0;
}

/* Read replies until EOF or timeout; the filter must end up closing or
 * stay quiet (for commands that have no reply). */
static int drain_until_close(struct mlt_conn *c, const char *what)
{
	int n = 0;

	while (mlt_read(c) == 0) {
		if (reply_ok(c, what) != 0)
			return -1;
		if (++n > 10000)
			break;
	}
	snprintf(detail, sizeof(detail), "%s: %d replies, then %s", what, n,
		 c->err);
	return 0;
}

/* A full exempt transaction: connect, helo, mail, rcpt, body, eom. */
static int probe(void)
{
	struct mlt_conn c;
	int r;

	if (open_neg(&c) < 0)
		return -1;
	r = send_connect(&c, EXEMPT);
	if (r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY)
		r = mlt_event(&c, SMFIC_HELO, -1, NULL, 0, "probe.example", 14);
	if (r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY)
		r = mlt_event(&c, SMFIC_MAIL, -1, NULL, 0, "<probe@load.test>", 18);
	if (r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY)
		r = mlt_event(&c, SMFIC_RCPT, -1, NULL, 0, "<p@example.net>", 16);
	if (r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY)
		r = mlt_body(&c, NULL, 0, "probe\r\n", 7);
	if (r == SMFIR_CONTINUE || r == MLT_SKIPPED || r == MLT_NOREPLY) {
		if (mlt_send(&c, SMFIC_BODYEOB, NULL, 0) < 0 || mlt_read(&c) < 0)
			r = -1;
		else
			r = c.rcmd;
	}
	if (r != SMFIR_CONTINUE && r != SMFIR_ACCEPT) {
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail),
			 "; probe failed (%d): %s", r, c.err);
		mlt_close(&c, 0);
		return -1;
	}
	(void)mlt_send(&c, SMFIC_QUIT, NULL, 0);
	mlt_close(&c, 0);
	return 0;
}

/* ---- cases: oversized and hostile values -------------------------------- */

static int macro_case(size_t len, int expect_pass)
{
	struct mlt_conn c;
	struct buf b = { 0 };
	char *big = repeat('m', len);
	int rc;

	if (open_neg(&c) < 0)
		return -1;
	b_byte(&b, SMFIC_CONNECT);
	b_str(&b, "j");
	b_str(&b, big);
	b_str(&b, "{daemon_name}");
	b_str(&b, big);
	b_str(&b, "_");
	b_str(&b, big);
	free(big);
	if (mlt_send(&c, SMFIC_MACRO, b.p, b.len) < 0) {
		/* The filter may close while we write: that is a clean close. */
		snprintf(detail, sizeof(detail), "macro write: %s", c.err);
		free(b.p);
		mlt_close(&c, 0);
		return 0;
	}
	free(b.p);
	rc = send_connect(&c, EXEMPT);
	if (rc == -1) {
		snprintf(detail, sizeof(detail), "connect after %zu-byte macros: "
			 "%s", len, c.err);
		rc = strstr(c.err, "timeout") ? -1 : 0;
	} else if (expect_pass) {
		/* Small enough for the protocol: the message must go through. */
		rc = mlt_event(&c, SMFIC_HELO, -1, NULL, 0, "h", 2);
		if (go(rc))
			rc = mlt_event(&c, SMFIC_MAIL, -1, NULL, 0,
				       "<bigmacro@load.test>", 21);
		if (go(rc) && mlt_send(&c, SMFIC_BODYEOB, NULL, 0) == 0 &&
		    mlt_read(&c) == 0)
			rc = c.rcmd;
		snprintf(detail, sizeof(detail), "%zu-byte macros: final '%c' %s",
			 len, rc > 0 ? rc : '?', rc > 0 ? "" : c.err);
		rc = (rc == SMFIR_CONTINUE || rc == SMFIR_ACCEPT ||
		      rc == SMFIR_REPLYCODE) && reply_text_ok(&c) ? 0 : -1;
	} else {
		snprintf(detail, sizeof(detail), "%zu-byte macros: reply '%c'",
			 len, rc);
		rc = valid_reply(rc) ? 0 : -1;
	}
	mlt_close(&c, 0);
	return rc;
}

static int c_macro_100k(void) { return macro_case(100 * 1024, 0); }
static int c_macro_20k(void) { return macro_case(20 * 1024, 1); }

/* MAIL with the given macros from an outside client; the reply must be a
 * well-formed, printable refusal or acceptance. */
static int mail_case(const char *client, const char *user, const char *tls,
		     const char *sender, const char *what)
{
	struct mlt_conn c;
	struct buf b = { 0 }, m = { 0 };
	int r, rc = -1;

	if (open_neg(&c) < 0)
		return -1;
	if ((r = send_connect(&c, client)) != SMFIR_CONTINUE &&
	    r != MLT_NOREPLY && r != MLT_SKIPPED)
		goto out;
	if (tls) {
		b_byte(&b, SMFIC_HELO);
		b_str(&b, "{tls_version}");
		b_str(&b, tls);
		if (mlt_send(&c, SMFIC_MACRO, b.p, b.len) < 0)
			goto out;
	}
	if ((r = mlt_event(&c, SMFIC_HELO, -1, NULL, 0, "h.example", 10)) < 0 &&
	    r != MLT_NOREPLY && r != MLT_SKIPPED)
		goto out;
	b.len = 0;
	b_byte(&b, SMFIC_MAIL);
	if (user) {
		b_str(&b, "{auth_authen}");
		b_str(&b, user);
		b_str(&b, "{auth_type}");
		b_str(&b, "PLAIN");
	}
	b_str(&b, "{mail_addr}");
	b_str(&b, sender);
	if (mlt_send(&c, SMFIC_MACRO, b.p, b.len) < 0)
		goto out;
	b_add(&m, "<", 1);
	b_add(&m, sender, strlen(sender));
	b_str(&m, ">");
	r = mlt_event(&c, SMFIC_MAIL, -1, NULL, 0, m.p, m.len);
	if (r < 0 && r != MLT_NOREPLY) {
		snprintf(detail, sizeof(detail), "%s: MAIL: %s", what, c.err);
		rc = strstr(c.err, "timeout") ? -1 : 0;
		goto out;
	}
	snprintf(detail, sizeof(detail), "%s: MAIL reply '%c' %.120s", what,
		 r, mlt_reply_text(&c));
	rc = valid_reply(r) && reply_text_ok(&c) ? 0 : -1;
	if (rc == 0 && r == SMFIR_CONTINUE) {
		/* Accepted: take it through to end of message. */
		(void)mlt_event(&c, SMFIC_RCPT, -1, NULL, 0, "<r@example.net>", 16);
		if (mlt_send(&c, SMFIC_BODYEOB, NULL, 0) == 0 && mlt_read(&c) == 0)
			rc = valid_reply(c.rcmd) && reply_text_ok(&c) ? 0 : -1;
	}
out:
	if (rc < 0 && detail[0] == '\0')
		snprintf(detail, sizeof(detail), "%s: %s", what, c.err);
	free(b.p);
	free(m.p);
	mlt_close(&c, 0);
	return rc;
}

static int c_auth_10k(void)
{
	char *user = repeat('u', 10 * 1024);
	int rc = mail_case(OUTSIDER, user, "TLSv1.3", "alice@example.test",
			   "10 KB {auth_authen}");

	free(user);
	return rc;
}

static int c_sender_crlf(void)
{
	return mail_case(OUTSIDER, "alice@example.test", "TLSv1.3",
			 "a\r\nb%n%s%x%%u\"}{@evil.test", "CR/LF %n sender");
}

static int c_sender_crlf_exempt(void)
{
	return mail_case(EXEMPT, NULL, NULL,
			 "x\r\n{\"stage\":\"forged\"}\n%n@evil.test",
			 "CR/LF sender, exempt, recorded at eom");
}

static int c_sender_60k(void)
{
	char *s = repeat('s', 60 * 1024);
	int rc = mail_case(OUTSIDER, "alice@example.test", "TLSv1.3", s,
			   "60 KB sender");

	free(s);
	return rc;
}

static int c_unauth_ctrl(void)
{
	return mail_case(OUTSIDER, NULL, NULL, "\x01\x02\x1b[31m\x7f\xff@x",
			 "control bytes, unauthenticated");
}

/* Headers with control bytes, a huge value, odd names; then the body. */
static int c_headers(void)
{
	struct mlt_conn c;
	struct buf b = { 0 };
	char *big = repeat('h', 60000);
	static const char *const vals[] = {
		"\x01\x02\x03\x1b[2J\x7f",
		"line1\r\nInjected: yes\r\n\r\nbody?",
		"\xff\xfe\xc3\x28\xed\xa0\x80",
		"%n%s%x%%",
		"",
	};
	size_t i;
	int r;

	if (open_neg(&c) < 0)
		return -1;
	r = send_connect(&c, EXEMPT);
	if (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED)
		r = mlt_event(&c, SMFIC_HELO, -1, NULL, 0, "h", 2);
	if (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED)
		r = mlt_event(&c, SMFIC_MAIL, -1, NULL, 0, "<hdr@load.test>", 16);
	if (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED)
		r = mlt_event(&c, SMFIC_RCPT, -1, NULL, 0, "<r@example.net>", 16);
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]) + 2 &&
	     (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED); i++) {
		b.len = 0;
		if (i == sizeof(vals) / sizeof(vals[0])) {
			b_str(&b, "X-Big");
			b_str(&b, big);
		} else if (i == sizeof(vals) / sizeof(vals[0]) + 1) {
			b_str(&b, "Bad\x01Name\r\n");
			b_str(&b, "v");
		} else {
			b_str(&b, "Subject");
			b_str(&b, vals[i]);
		}
		r = mlt_event(&c, SMFIC_HEADER, -1, NULL, 0, b.p, b.len);
	}
	if (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED)
		r = mlt_event(&c, SMFIC_EOH, -1, NULL, 0, NULL, 0);
	if (r >= 0 || r == MLT_NOREPLY || r == MLT_SKIPPED)
		r = mlt_body(&c, NULL, 0, "hi\r\n", 4);
	free(big);
	free(b.p);
	if (r == -1) {
		snprintf(detail, sizeof(detail), "headers: %s", c.err);
		mlt_close(&c, 0);
		return strstr(c.err, "timeout") ? -1 : 0;
	}
	if (mlt_send(&c, SMFIC_BODYEOB, NULL, 0) < 0)
		return -1;
	r = answer_or_close(&c, "headers with control bytes");
	mlt_close(&c, 0);
	return r;
}

static int c_rcpts_2000(void)
{
	struct mlt_conn c;
	char rcpt[64];
	int r, i;

	if (open_neg(&c) < 0)
		return -1;
	r = send_connect(&c, EXEMPT);
	r = mlt_event(&c, SMFIC_MAIL, -1, NULL, 0, "<many@load.test>", 17);
	for (i = 0; i < 2000 && r != -1; i++) {
		int n = snprintf(rcpt, sizeof(rcpt), "<r%d@example.net>", i);

		r = mlt_event(&c, SMFIC_RCPT, -1, NULL, 0, rcpt, (size_t)n + 1);
	}
	if (r == -1) {
		snprintf(detail, sizeof(detail), "2000 rcpts: %s", c.err);
		mlt_close(&c, 0);
		return -1;
	}
	if (mlt_send(&c, SMFIC_BODYEOB, NULL, 0) < 0)
		return -1;
	r = answer_or_close(&c, "2000 recipients");
	mlt_close(&c, 0);
	return r;
}

/* ---- cases: malformed packets ------------------------------------------- */

/* Send raw bytes after a normal negotiation (or none) and expect an
 * answer or a close; close ourselves when the packet is incomplete. */
static int raw_case(int negotiate, int connect_first, const void *pkt,
		    size_t len, int complete, const char *what)
{
	struct mlt_conn c;
	int rc;

	if (negotiate) {
		if (open_neg(&c) < 0)
			return -1;
		if (connect_first && send_connect(&c, EXEMPT) < 0 &&
		    c.err[0]) {
			snprintf(detail, sizeof(detail), "%s: connect: %s", what,
				 c.err);
			mlt_close(&c, 0);
			return -1;
		}
	} else if (mlt_open(&c, sock, timeout_ms) < 0) {
		snprintf(detail, sizeof(detail), "open: %s", c.err);
		return -1;
	}
	if (mlt_send_raw(&c, pkt, len) < 0) {
		snprintf(detail, sizeof(detail), "%s: write: %s", what, c.err);
		mlt_close(&c, 0);
		return 0;
	}
	if (!complete) {
		snprintf(detail, sizeof(detail), "%s: sent %zu bytes, closed",
			 what, len);
		mlt_close(&c, (int)(len & 1));
		return 0;
	}
	rc = drain_until_close(&c, what);
	if (rc == 0 && strstr(c.err, "timeout")) {
		/* libmilter ignores a command that is invalid in its state
		 * and waits for the next one: fine if it is still in step,
		 * i.e. closes on QUIT. */
		unsigned char quit[5] = { 0, 0, 0, 1, SMFIC_QUIT };

		(void)mlt_send_raw(&c, quit, sizeof(quit));
		rc = drain_until_close(&c, what);
		if (strstr(c.err, "timeout")) {
			snprintf(detail, sizeof(detail), "%s: still open %d ms "
				 "after QUIT", what, timeout_ms);
			rc = -1;
		} else {
			snprintf(detail, sizeof(detail), "%s: ignored (no reply "
				 "in %d ms), closed on QUIT", what, timeout_ms);
		}
	}
	mlt_close(&c, 0);
	return rc;
}

static int c_len_zero(void)
{
	static const unsigned char p[] = { 0, 0, 0, 0 };

	return raw_case(1, 1, p, sizeof(p), 1, "length 0");
}

static int c_len_huge(void)
{
	unsigned char p[5 + 16] = { 0xff, 0xff, 0xff, 0xff, SMFIC_BODY };

	memset(p + 5, 'x', 16);
	return raw_case(1, 1, p, sizeof(p), 1, "length 0xffffffff");
}

static int c_len_over_max(void)
{
	size_t n = 5 + 1024 * 1024;
	unsigned char *p = malloc(n);
	int rc;

	if (p == NULL)
		exit(2);
	memset(p, 'b', n);
	put32(p, (uint32_t)(n - 4));
	p[4] = SMFIC_BODY;
	rc = raw_case(1, 1, p, n, 1, "1 MB body packet");
	free(p);
	return rc;
}

static int c_len_truncated(void)
{
	unsigned char p[15] = { 0, 0, 0, 100, SMFIC_HELO };

	memset(p + 5, 'h', 10);
	return raw_case(1, 1, p, sizeof(p), 0, "100-byte HELO cut at 10");
}

static int c_len_short(void)
{
	/* A CONNECT that claims 3 bytes, followed by what was meant to be
	 * its address: the rest is read as the next packet header. */
	static const unsigned char p[] = {
		0, 0, 0, 3, SMFIC_CONNECT, 'a', 0, '4', 0, 25, '1', '2', '7',
		'.', '0', '.', '0', '.', '1', 0
	};

	return raw_case(1, 0, p, sizeof(p), 1, "CONNECT shorter than its data");
}

static int c_unknown_cmd(void)
{
	static const unsigned char p[] = { 0, 0, 0, 4, 'Z', 'a', 'b', 0 };

	return raw_case(1, 1, p, sizeof(p), 1, "unknown command Z");
}

static int c_connect_no_nul(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 9, SMFIC_CONNECT, 'h', 'o', 's', 't', 'n', 'a', 'm', 'e'
	};

	return raw_case(1, 0, p, sizeof(p), 1, "CONNECT without NUL");
}

static int c_connect_bad_family(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 8, SMFIC_CONNECT, 'h', 0, 'Q', 0, 1, 'x', 0
	};

	return raw_case(1, 0, p, sizeof(p), 1, "CONNECT family Q");
}

static int c_connect_short_port(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 4, SMFIC_CONNECT, 'h', 0, '4'
	};

	return raw_case(1, 0, p, sizeof(p), 1, "CONNECT without port");
}

static int c_connect_bad_addr(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 15, SMFIC_CONNECT, 'h', 0, '6', 0, 25,
		'n', 'o', 't', ':', ':', 'i', 'p', 0
	};

	return raw_case(1, 0, p, sizeof(p) - 3, 1, "CONNECT bad IPv6");
}

static int c_mail_first(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0
	};

	return raw_case(1, 0, p, sizeof(p), 1, "MAIL before CONNECT");
}

static int c_body_first(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 6, SMFIC_BODY, '\n', '.', '\n', 'x', 'y',
		0, 0, 0, 1, SMFIC_BODYEOB
	};

	return raw_case(1, 1, p, sizeof(p), 1, "BODY and EOM without MAIL");
}

static int c_no_optneg(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 6, SMFIC_CONNECT, 'h', 0, 'U', 0, 0
	};

	return raw_case(0, 0, p, sizeof(p), 1, "CONNECT without OPTNEG");
}

static int c_optneg_v1(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 13, SMFIC_OPTNEG, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0
	};

	return raw_case(0, 0, p, sizeof(p), 1, "OPTNEG version 1");
}

static int c_optneg_short(void)
{
	static const unsigned char p[] = { 0, 0, 0, 5, SMFIC_OPTNEG, 0, 0, 0, 6 };

	return raw_case(0, 0, p, sizeof(p), 1, "OPTNEG of 4 bytes");
}

static int c_optneg_twice(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 13, SMFIC_OPTNEG, 0, 0, 0, 6, 0, 0, 1, 0xff,
		0, 0x1f, 0xff, 0xff
	};

	return raw_case(1, 1, p, sizeof(p), 1, "second OPTNEG");
}

/*
 * Known upstream bug, not run unless named: libmilter (Debian 12
 * libmilter1.0.1, sendmail 8.17.1.9) splits a SMFIC_MACRO packet with
 * dec_argv(), which keeps an odd number of strings ("{auth\0x": a name
 * without a value) followed by one NULL; smfi_getsymval() then steps two
 * entries at a time past that NULL and strcmp()s whatever follows the
 * array: a heap over-read that kills the filter (SIGSEGV under ASan and
 * without).  No filter code runs between the packet and the crash, so
 * dotgate cannot guard against it; only a peer allowed on the milter
 * socket (the MTA) can send it.
 */
static int c_macro_odd(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 9, SMFIC_MACRO, 'M', '{', 'a', 'u', 't', 'h', 0, 'x',
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0
	};

	return raw_case(1, 1, p, sizeof(p), 1, "MACRO with a name but no value");
}

static int c_macro_garbage(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 13, SMFIC_MACRO, 'M', '{', 'a', 'u', 't', 'h', 0,
		0xff, 0x01, 0, 0, 0,
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0
	};

	return raw_case(1, 1, p, sizeof(p), 1, "MACRO with control bytes and an empty name");
}

static int c_macro_empty(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 1, SMFIC_MACRO,
		0, 0, 0, 2, SMFIC_MACRO, 'C',
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0
	};

	return raw_case(1, 1, p, sizeof(p), 1, "empty MACRO packets");
}

static int c_header_no_nul(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0,
		0, 0, 0, 8, SMFIC_HEADER, 'S', 'u', 'b', 'j', 'e', 'c', 't'
	};

	return raw_case(1, 1, p, sizeof(p), 1, "HEADER without NUL");
}

static int c_mail_empty(void)
{
	static const unsigned char p[] = { 0, 0, 0, 1, SMFIC_MAIL };

	return raw_case(1, 1, p, sizeof(p), 1, "MAIL without argument");
}

static int c_abort_storm(void)
{
	unsigned char *p = malloc(5 * 2000);
	int i, rc;

	if (p == NULL)
		exit(2);
	for (i = 0; i < 2000; i++) {
		put32(p + 5 * i, 1);
		p[5 * i + 4] = (unsigned char)(i % 2 ? SMFIC_ABORT : SMFIC_QUIT_NC);
	}
	rc = raw_case(1, 1, p, 5 * 2000, 1, "2000 ABORT/QUIT_NC");
	free(p);
	return rc;
}

static int c_quit_midbody(void)
{
	static const unsigned char p[] = {
		0, 0, 0, 7, SMFIC_MAIL, '<', 'a', '@', 'b', '>', 0,
		0, 0, 0, 4, SMFIC_BODY, 'a', '\r', '\n',
		0, 0, 0, 1, SMFIC_QUIT
	};

	return raw_case(1, 1, p, sizeof(p), 1, "QUIT mid-body");
}

static int c_garbage(void)
{
	unsigned char p[4096];
	unsigned s = 12345;
	size_t i;

	for (i = 0; i < sizeof(p); i++) {
		s = s * 1103515245u + 12345u;
		p[i] = (unsigned char)(s >> 16);
	}
	return raw_case(0, 0, p, sizeof(p), 1, "4 KB of random bytes");
}

/* ---- driver ------------------------------------------------------------- */

static const struct {
	const char *name;
	int (*fn)(void);
	int known_bug;		/* run only when named on the command line */
} cases[] = {
	{ "macro-100k", c_macro_100k, 0 },
	{ "macro-20k", c_macro_20k, 0 },
	{ "auth-authen-10k", c_auth_10k, 0 },
	{ "sender-crlf-pct-n", c_sender_crlf, 0 },
	{ "sender-crlf-exempt", c_sender_crlf_exempt, 0 },
	{ "sender-60k", c_sender_60k, 0 },
	{ "sender-control-bytes", c_unauth_ctrl, 0 },
	{ "header-control-bytes", c_headers, 0 },
	{ "rcpts-2000", c_rcpts_2000, 0 },
	{ "len-zero", c_len_zero, 0 },
	{ "len-huge", c_len_huge, 0 },
	{ "len-over-max", c_len_over_max, 0 },
	{ "len-truncated", c_len_truncated, 0 },
	{ "len-short", c_len_short, 0 },
	{ "unknown-command", c_unknown_cmd, 0 },
	{ "connect-no-nul", c_connect_no_nul, 0 },
	{ "connect-bad-family", c_connect_bad_family, 0 },
	{ "connect-short-port", c_connect_short_port, 0 },
	{ "connect-bad-addr", c_connect_bad_addr, 0 },
	{ "mail-before-connect", c_mail_first, 0 },
	{ "body-before-mail", c_body_first, 0 },
	{ "no-optneg", c_no_optneg, 0 },
	{ "optneg-v1", c_optneg_v1, 0 },
	{ "optneg-short", c_optneg_short, 0 },
	{ "optneg-twice", c_optneg_twice, 0 },
	{ "macro-garbage", c_macro_garbage, 0 },
	{ "macro-empty", c_macro_empty, 0 },
	{ "header-no-nul", c_header_no_nul, 0 },
	{ "mail-empty", c_mail_empty, 0 },
	{ "abort-storm", c_abort_storm, 0 },
	{ "quit-mid-body", c_quit_midbody, 0 },
	{ "random-garbage", c_garbage, 0 },
	{ "macro-odd-count", c_macro_odd, 1 },
};

int main(int argc, char **argv)
{
	size_t i, n = sizeof(cases) / sizeof(cases[0]), planned = 0;
	int ch, failed = 0, a;

	while ((ch = getopt(argc, argv, "s:t:")) != -1) {
		switch (ch) {
		case 's': sock = optarg; break;
		case 't': timeout_ms = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: hostile -s SOCKET [-t MS] [CASE...]\n");
			return 2;
		}
	}
	if (sock == NULL || timeout_ms <= 0) {
		fprintf(stderr, "usage: hostile -s SOCKET [-t MS] [CASE...]\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < n; i++) {
		int want = optind == argc && !cases[i].known_bug;

		for (a = optind; a < argc; a++)
			want |= strcmp(argv[a], cases[i].name) == 0;
		planned += (size_t)want;
	}
	printf("1..%zu\n", planned);
	for (i = 0, planned = 0; i < n; i++) {
		int want = optind == argc && !cases[i].known_bug, rc;

		for (a = optind; a < argc; a++)
			want |= strcmp(argv[a], cases[i].name) == 0;
		if (!want)
			continue;
		detail[0] = '\0';
		rc = cases[i].fn();
		if (rc == 0 && probe() < 0)
			rc = -1;
		for (char *d = detail; *d; d++)
			if ((unsigned char)*d < 0x20 || (unsigned char)*d > 0x7e)
				*d = '?';
		printf("%s %zu - %s: %s\n", rc == 0 ? "ok" : "not ok",
		       ++planned, cases[i].name, detail);
		fflush(stdout);
		failed |= rc != 0;
	}
	return failed;
}
