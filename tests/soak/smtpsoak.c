/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tests/soak/smtpsoak.c: the traffic of "make soak" (tests/soak/soak.sh):
 * one light SMTP client that sends a steady mix of sessions to a private
 * Postfix with dotgate attached, one transaction at a time at a fixed
 * rate, and counts the audit records its transactions must leave
 * (dotgate(8), AUDIT RECORD: one per transaction, at MAIL FROM when
 * refused there, otherwise at the end of the message, otherwise at the
 * abort).
 *
 *	smtpsoak -s SMTP_PORT -u SUB_PORT -a ALICE_PW -b BOB_PW -t SECONDS
 *		 -r RATE -o STATS [-l LARGE_KB] [-x EXEMPT_ADDR]
 *
 * The sessions, in turn: alice on the submission port (AUTH PLAIN) with a
 * small clean message from her address, then bob's address (553), then a
 * message with a body anomaly; an exempt client (source address
 * EXEMPT_ADDR, default 127.0.0.2) on the plain port with an anomaly and
 * then a clean message; bob with a large message, then MAIL, RCPT, RSET
 * (an abort); an unauthenticated client on the plain port (530).
 *
 * The records expected, by stage: a MAIL FROM answered other than 250
 * (530, 553: dotgate refused it) is one mail record; after a 250, a
 * message whose end of data was answered (250, or 550 for a rejected
 * body) is one eom record; RSET after RCPT, or a RCPT refused, is one
 * abort record.  A session cut after MAIL FROM's 250 counts an abort and
 * an error; one cut before MAIL FROM's reply counts only an error
 * (whether dotgate saw the command is unknown): any error fails the
 * soak, so the guesses never decide it.
 *
 * After every transaction STATS is rewritten (key=value lines, renamed
 * into place); the last write has done=1.  Exit 0 unless the arguments
 * are wrong.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
	int fd;
	char in[4096];
	size_t have;
	int code;		/* the last reply's code, 0 when none came */
};

/* What the client did, by the record each transaction must leave. */
struct stats {
	unsigned long sessions, txns, exp_mail, exp_eom, exp_abort;
	unsigned long r250, r550, r530, r553, other, errors, bytes;
	double max_ms;
};

static struct stats st;
static volatile sig_atomic_t stopping;
static const char *stats_path;
static time_t started;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_stats(int done)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof tmp, "%s.tmp", stats_path);
	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "sessions=%lu\ntxns=%lu\nexp_mail=%lu\nexp_eom=%lu\n"
		"exp_abort=%lu\nr250=%lu\nr550=%lu\nr530=%lu\nr553=%lu\n"
		"other=%lu\nerrors=%lu\nbytes=%lu\nmax_ms=%.0f\nelapsed=%ld\n"
		"done=%d\n", st.sessions, st.txns, st.exp_mail, st.exp_eom,
		st.exp_abort, st.r250, st.r550, st.r530, st.r553, st.other,
		st.errors, st.bytes, st.max_ms, (long)(time(NULL) - started),
		done);
	if (fclose(f) == 0)
		rename(tmp, stats_path);
}

static int sendall(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One reply (every line up to "NNN "); its code in c->code. */
static int reply(struct conn *c)
{
	for (;;) {
		char *nl = memchr(c->in, '\n', c->have);

		if (nl != NULL) {
			size_t len = (size_t)(nl - c->in) + 1;
			int last = len >= 4 && c->in[3] != '-';

			c->code = atoi(c->in);
			memmove(c->in, nl + 1, c->have - len);
			c->have -= len;
			if (last)
				return c->code;
			continue;
		}
		if (c->have == sizeof c->in)
			c->have = 0;	/* an overlong line: keep its end */
		ssize_t r = recv(c->fd, c->in + c->have, sizeof c->in - c->have, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return c->code = 0;
		c->have += (size_t)r;
	}
}

static int cmd(struct conn *c, const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 2, fmt, ap);
	va_end(ap);
	memcpy(line + n, "\r\n", 2);
	if (sendall(c, line, (size_t)n + 2) < 0)
		return c->code = 0;
	return reply(c);
}

static int dial(struct conn *c, int port, const char *src)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timeval tv = { .tv_sec = 30 };

	memset(c, 0, sizeof *c);
	if ((c->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (src != NULL) {
		inet_pton(AF_INET, src, &a.sin_addr);
		if (bind(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
			return -1;
	}
	a.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof a) < 0)
		return -1;
	st.sessions++;
	if (reply(c) != 220 || cmd(c, "EHLO soak.example.test") != 250)
		return -1;
	return 0;
}

static void b64(const unsigned char *in, size_t n, char *out)
{
	static const char t[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i + 2 < n; i += 3, out += 4) {
		unsigned v = (unsigned)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		out[0] = t[v >> 18], out[1] = t[v >> 12 & 63];
		out[2] = t[v >> 6 & 63], out[3] = t[v & 63];
	}
	if (i < n) {
		unsigned v = (unsigned)in[i] << 16 | (i + 1 < n ? in[i + 1] << 8 : 0);
		out[0] = t[v >> 18], out[1] = t[v >> 12 & 63];
		out[2] = i + 1 < n ? t[v >> 6 & 63] : '=', out[3] = '=';
		out += 4;
	}
	*out = '\0';
}

static int auth_plain(struct conn *c, const char *user, const char *pw)
{
	unsigned char raw[300];
	char enc[420];
	size_t u = strlen(user), p = strlen(pw);

	if (u + p + 2 > sizeof raw)
		return -1;
	raw[0] = '\0';
	memcpy(raw + 1, user, u);
	raw[u + 1] = '\0';
	memcpy(raw + u + 2, pw, p);
	b64(raw, u + p + 2, enc);
	return cmd(c, "AUTH PLAIN %s", enc) == 235 ? 0 : -1;
}

/* The anomalies sent in turn: none of them is an end-of-data look-alike,
 * so every message stays one transaction whatever the Postfix settings
 * (dotgate.conf(5), BODY ANOMALY CLASSES). */
static const struct { const char *b; size_t n; } anomalies[] = {
	{ "bare\nLF line\r\n", 14 },
	{ "bare\rCR line\r\n", 14 },
	{ "..\r\n", 4 },			/* a lone dot once unstuffed */
	{ "a NUL\0 byte\r\n", 13 },
	{ ".\0\r\n", 4 },
	{ "MAIL FROM:<x@example.test>\r\n", 28 },
};
#define NANOM (sizeof anomalies / sizeof anomalies[0])

static const char filler[] =
    "The quick brown fox jumps over the lazy dog 0123456789 soak line\r\n";

/* Headers, SIZE bytes of text lines, the anomaly (ANOM < 0: none), the
 * end of data. */
static int message(struct conn *c, const char *from, size_t size, int anom)
{
	char hdr[512];
	int n = snprintf(hdr, sizeof hdr, "From: <%s>\r\nTo: <bob@example.test>"
			 "\r\nSubject: soak %lu\r\n\r\nhello\r\n", from, st.txns);

	if (sendall(c, hdr, (size_t)n) < 0)
		return -1;
	for (size_t sent = 0; sent < size; sent += sizeof filler - 1)
		if (sendall(c, filler, sizeof filler - 1) < 0)
			return -1;
	if (anom >= 0 && sendall(c, anomalies[anom].b, anomalies[anom].n) < 0)
		return -1;
	st.bytes += (unsigned long)n + size;
	return sendall(c, "bye\r\n.\r\n", 8);
}

static void tally(int code)
{
	switch (code) {
	case 250: st.r250++; break;
	case 550: st.r550++; break;
	case 530: st.r530++; break;
	case 553: st.r553++; break;
	default: st.other++; break;
	}
}

/* Waits for the transaction's turn: RATE transactions a second. */
static void pace(double t0, double rate)
{
	double due = t0 + (double)st.txns / rate, d = due - now();

	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };
		nanosleep(&ts, NULL);
	}
}

enum { T_MSG, T_ABORT };

/* One transaction: MAIL FROM FROM, RCPT, then a message (SIZE bytes,
 * anomaly ANOM) or RSET.  Counts the record it must leave. */
static int txn_do(struct conn *c, const char *from, int what, size_t size,
		  int anom)
{
	double t = now(), ms;
	int rc = 0;

	st.txns++;
	if (cmd(c, "MAIL FROM:<%s>", from) == 0)
		return -1;	/* no reply: not known to have reached dotgate */
	if (c->code != 250) {
		st.exp_mail++;
		tally(c->code);
		goto out;
	}
	if (cmd(c, "RCPT TO:<bob@example.test>") != 250 || what == T_ABORT) {
		st.exp_abort++;
		if (c->code != 250)
			st.other++;
		rc = cmd(c, "RSET") == 250 ? 0 : -1;
		goto out;
	}
	if (cmd(c, "DATA") != 354 || message(c, from, size, anom) < 0 ||
	    reply(c) == 0) {
		st.exp_abort++;	/* dotgate sees the transaction aborted */
		st.errors++;
		return -1;
	}
	st.exp_eom++;
	tally(c->code);
out:
	ms = (now() - t) * 1000;
	if (ms > st.max_ms)
		st.max_ms = ms;
	return rc;
}

/* The stats after every transaction: a sample of the audit files is then
 * ahead of them by the one transaction in flight at most. */
static int txn(struct conn *c, const char *from, int what, size_t size,
	       int anom)
{
	int rc = txn_do(c, from, what, size, anom);

	write_stats(0);
	return rc;
}

struct opts {
	int smtp, sub, seconds;
	double rate;
	size_t large;
	const char *alice_pw, *bob_pw, *exempt;
};

static void hangup(struct conn *c)
{
	if (c->fd >= 0 && c->code != 0)
		cmd(c, "QUIT");
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Session KIND (0 to 3); each transaction waits for its turn first. */
static int session(const struct opts *o, int kind, unsigned long n, double t0)
{
	static const size_t large[] = { 100, 300, 1000 };	/* times LARGE/1000 */
	struct conn c = { .fd = -1 };
	int rc = -1, anom = (int)(n % NANOM);

	pace(t0, o->rate);
	switch (kind) {
	case 0:	/* alice: hers, not hers, an anomaly */
		if (dial(&c, o->sub, NULL) < 0 ||
		    auth_plain(&c, "alice@example.test", o->alice_pw) < 0 ||
		    txn(&c, "alice@example.test", T_MSG, 2000, -1) < 0)
			break;
		pace(t0, o->rate);
		if (txn(&c, "bob@example.test", T_MSG, 2000, -1) < 0)
			break;
		pace(t0, o->rate);
		rc = txn(&c, "alice@example.test", T_MSG, 4000, anom);
		break;
	case 1:	/* an exempt relay: an anomaly, then clean text */
		if (dial(&c, o->smtp, o->exempt) < 0 ||
		    txn(&c, "relay@example.org", T_MSG, 8000, anom) < 0)
			break;
		pace(t0, o->rate);
		rc = txn(&c, "relay@example.org", T_MSG, 500, -1);
		break;
	case 2:	/* bob: a large message, then an abort */
		if (dial(&c, o->sub, NULL) < 0 ||
		    auth_plain(&c, "bob@example.test", o->bob_pw) < 0 ||
		    txn(&c, "bob@example.test", T_MSG,
			large[n % 3] * o->large / 1000, -1) < 0)
			break;
		pace(t0, o->rate);
		rc = txn(&c, "bob@example.test", T_ABORT, 0, -1);
		break;
	default:	/* no AUTH: 530 */
		if (dial(&c, o->smtp, NULL) == 0)
			rc = txn(&c, "eve@example.test", T_MSG, 500, -1);
		break;
	}
	hangup(&c);
	if (rc < 0)
		st.errors++;
	return rc;
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static char *first_line(const char *path)
{
	static char buf[2][256];
	static int i;
	FILE *f = fopen(path, "r");
	char *b = buf[i++ & 1];

	if (f == NULL || fgets(b, sizeof buf[0], f) == NULL) {
		fprintf(stderr, "smtpsoak: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	b[strcspn(b, "\r\n")] = '\0';
	return b;
}

static void usage(void)
{
	fputs("usage: smtpsoak -s SMTP_PORT -u SUB_PORT -a ALICE_PW -b BOB_PW "
	      "-t SECONDS -r RATE -o STATS [-l LARGE_KB] [-x EXEMPT_ADDR]\n",
	      stderr);
	exit(2);
}

static void parse(int argc, char **argv, struct opts *o)
{
	int ch;

	*o = (struct opts){ .rate = 8, .large = 1000 * 1024,
			    .exempt = "127.0.0.2" };
	while ((ch = getopt(argc, argv, "s:u:a:b:t:r:o:l:x:")) != -1) {
		switch (ch) {
		case 's': o->smtp = atoi(optarg); break;
		case 'u': o->sub = atoi(optarg); break;
		case 'a': o->alice_pw = first_line(optarg); break;
		case 'b': o->bob_pw = first_line(optarg); break;
		case 't': o->seconds = atoi(optarg); break;
		case 'r': o->rate = atof(optarg); break;
		case 'o': stats_path = optarg; break;
		case 'l': o->large = (size_t)atol(optarg) * 1024; break;
		case 'x': o->exempt = optarg; break;
		default: usage();
		}
	}
	if (!o->smtp || !o->sub || !o->alice_pw || !o->bob_pw ||
	    o->seconds <= 0 || o->rate <= 0 || stats_path == NULL)
		usage();
}

int main(int argc, char **argv)
{
	struct opts o;
	double t0;
	unsigned long n;

	parse(argc, argv, &o);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	started = time(NULL);
	t0 = now();
	for (n = 0; !stopping && now() - t0 < o.seconds; n++)
		session(&o, (int)(n % 4), n / 4, t0);
	write_stats(1);
	return 0;
}
