/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mltload.c: a milter load generator that plays the MTA.  N threads each
 * open connections to a filter and run M transactions through it the way
 * Postfix does (option negotiation honouring what the filter declined,
 * Postfix's macros, connect, helo, mail, rcpt, data, headers, eoh, body in
 * 65535-byte chunks, eom, then abort and the next MAIL, quit at the end),
 * check every reply and report messages/s, body MB/s and the latency of
 * each transaction (p50, p99, max and min).  With --duration it stops
 * starting transactions after that many seconds, so that a background
 * load can outlast a foreground one; with --pause each connection waits
 * between its transactions, the pace of a real MTA rather than a flood.  Fault injection for the reliability tests: connections
 * dropped at random points mid-transaction, and MTA aborts mid-body.
 *
 * Usage: mltload -s SOCKET [options]; "mltload -h" lists them.  Exit 0
 * when no reply was wrong, 1 when any error was counted, 2 on bad usage.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mltproto.h"

#define CHUNK 65535

enum body_kind { BODY_TEXT, BODY_BASE64, BODY_ANOMALIES };

/* Where a dropped connection is cut (see pick_drop()). */
enum drop_point {
	DROP_NONE,
	DROP_PRE_OPTNEG,	/* before any transaction: no record expected */
	DROP_PRE_CONNECT,
	DROP_PRE_HELO,
	DROP_PRE_MAIL,		/* between transactions */
	DROP_AFTER_MAIL,	/* MAIL answered: one abort record expected */
	DROP_AFTER_RCPT,
	DROP_MID_HEADERS,
	DROP_AFTER_EOH,
	DROP_MID_BODY,
	DROP_PARTIAL_PACKET,	/* half a body packet, then close */
	DROP_COUNT
};

static struct {
	const char *socket;
	unsigned conns;
	unsigned msgs;		/* per thread */
	unsigned per_conn;	/* transactions per connection; 0: all */
	size_t size;
	enum body_kind body;
	const char *user;
	const char *mech;
	int tls;
	const char *client;
	const char *daemon;
	unsigned rcpts;
	double drop;
	double abort;
	uint64_t seed;
	int timeout_ms;
	double duration;	/* seconds; 0: run all messages */
	unsigned pause_ms;	/* between a connection's transactions */
	const char *log;
	const char *tag;
	const char *label;
	int json;
	int quiet;
	int verbose;
} opt = {
	.conns = 1, .msgs = 100, .size = 4096, .body = BODY_TEXT,
	.mech = "PLAIN", .client = "127.0.0.1", .daemon = "smtpd",
	.rcpts = 1, .seed = 1, .timeout_ms = 10000, .tag = "a",
};

static unsigned char *body_buf;		/* shared, read-only after setup */
static double t_end;			/* --duration: no transaction after */
static FILE *logfp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

struct stats {
	uint64_t attempted;	/* transactions started or planned */
	uint64_t completed;	/* ended with the filter's final reply */
	uint64_t eom;		/* ... at end of message */
	uint64_t early;		/* ... before end of message */
	uint64_t aborted;	/* MTA abort sent mid-body */
	uint64_t dropped;	/* connection dropped mid-transaction */
	uint64_t dropped_pre;	/* dropped before MAIL */
	uint64_t dropped_idle;	/* dropped between transactions: the planned
				 * point was not reached (ended early) */
	uint64_t errors;
	uint64_t conns;
	uint64_t body_bytes;
	uint64_t reply[256];	/* final replies by command byte */
	uint64_t quarantined;
	uint64_t headers_added;
	double *lat;		/* seconds, one per completed transaction */
	size_t nlat;
	size_t latcap;
	char firsterr[320];
};

struct worker {
	pthread_t th;
	unsigned id;
	uint64_t rng;
	struct stats st;
};

/* --- small helpers ------------------------------------------------------- */

static uint64_t rnd(uint64_t *s)
{
	/* splitmix64: good enough to pick drop points reproducibly. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double rnd01(uint64_t *s)
{
	return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "mltload: out of memory\n");
		exit(2);
	}
	return p;
}

static void record_error(struct stats *st, const struct mlt_conn *c,
			 const char *what)
{
	st->errors++;
	if (st->firsterr[0] == '\0')
		snprintf(st->firsterr, sizeof(st->firsterr), "%s: %s", what,
			 c ? c->err : "");
}

static void record_latency(struct stats *st, double secs)
{
	if (st->nlat == st->latcap) {
		st->latcap = st->latcap ? st->latcap * 2 : 1024;
		st->lat = realloc(st->lat, st->latcap * sizeof(double));
		if (st->lat == NULL) {
			fprintf(stderr, "mltload: out of memory\n");
			exit(2);
		}
	}
	st->lat[st->nlat++] = secs;
}

static void log_outcome(const char *key, const char *outcome)
{
	if (logfp == NULL)
		return;
	pthread_mutex_lock(&log_lock);
	fprintf(logfp, "%s %s\n", key, outcome);
	pthread_mutex_unlock(&log_lock);
}

/* --duration: the time to start transactions is over. */
static int time_up(void)
{
	return t_end > 0 && now() >= t_end;
}

/* --- body content -------------------------------------------------------- */

static const char *const words[] = {
	"the", "message", "server", "delivery", "of", "and", "a", "to",
	"report", "quarterly", "meeting", "please", "find", "attached", "we",
	"will", "discuss", "budget", "next", "week", "regards", "thanks",
	"for", "your", "reply", "invoice", "customer", "project", "status",
	"update", "is", "on", "schedule", "with", "minor", "changes",
};

static size_t text_line(unsigned char *p, size_t room, uint64_t *s)
{
	size_t n = 0, target = 40 + rnd(s) % 36;

	while (n < target) {
		const char *w = words[rnd(s) % (sizeof(words) / sizeof(words[0]))];
		size_t wl = strlen(w);

		if (n + wl + 1 > room)
			break;
		if (n > 0)
			p[n++] = ' ';
		memcpy(p + n, w, wl);
		n += wl;
	}
	if (n > 0 && rnd(s) % 4 == 0 && n < room)
		p[n++] = '.';
	return n;
}

/* Append s to the body if it fits; returns the new fill. */
static size_t put(unsigned char *b, size_t at, size_t size, const char *s,
		  size_t len)
{
	if (at + len > size)
		len = size - at;
	memcpy(b + at, s, len);
	return at + len;
}

static const char *const hazards[] = {
	"one\rtwo",			/* bare CR */
	"line\nnext",			/* bare LF */
	"\n.\n",			/* smuggled end of data */
	"\r\n.\n",
	"\n.\r\n",
	"\r.\r",
	"nul\0byte",
	"\r\n.\r\nMAIL FROM:<smuggler@example.test>\r\n"
	"RCPT TO:<victim@example.test>\r\nDATA\r\n",
	"\r\nMAIL FROM:<quoted@example.test>\r\nRCPT TO:<x@example.test>\r\n"
	"DATA\r\n",
};
static const size_t hazard_len[] = { 7, 9, 3, 4, 4, 3, 8, 86, 77 };

static void make_body(unsigned char *b, size_t size, enum body_kind kind)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t s = 42;
	size_t at = 0, nh = 0;
	unsigned char line[128];

	while (at < size) {
		size_t n;

		if (kind == BODY_BASE64) {
			for (n = 0; n < 76; n++)
				line[n] = (unsigned char)b64[rnd(&s) % 64];
		} else {
			n = rnd(&s) % 12 == 0 ? 0 : text_line(line, 100, &s);
		}
		at = put(b, at, size, (const char *)line, n);
		if (kind == BODY_ANOMALIES && at < size && rnd(&s) % 6 == 0) {
			size_t h = nh++ % (sizeof(hazards) / sizeof(hazards[0]));

			at = put(b, at, size, hazards[h], hazard_len[h]);
		}
		if (kind == BODY_ANOMALIES && at < size && rnd(&s) % 200 == 0) {
			/* A 1200-octet line. */
			size_t i;

			for (i = 0; i < 1200 && at < size; i++)
				b[at++] = 'x';
		}
		at = put(b, at, size, "\r\n", 2);
	}
}

/* --- one connection ------------------------------------------------------ */

enum {
	M_J, M_DAEMON_NAME, M_DAEMON_ADDR, M_V, M_UNDERSCORE, M_CLIENT_ADDR,
	M_CLIENT_NAME, M_CLIENT_PORT, M_TLS_VERSION, M_CIPHER, M_CIPHER_BITS,
	M_I, M_AUTH_TYPE, M_AUTH_AUTHEN, M_MAIL_ADDR, M_MAIL_HOST,
	M_MAIL_MAILER, M_RCPT_ADDR, M_RCPT_HOST, M_RCPT_MAILER, M_COUNT
};

struct session {
	struct worker *w;
	struct mlt_conn c;
	struct mlt_macro mac[M_COUNT];
	char underscore[128];
	char port[8];
	char qid[16];
	char from[96];
	char rcpt[96];
	char key[64];
	enum drop_point drop;	/* for the transaction numbered drop_at */
	unsigned drop_at;
	int dropped;		/* the planned drop happened */
};

static void init_macros(struct session *s, unsigned port)
{
	static const char *const names[M_COUNT] = {
		"j", "{daemon_name}", "{daemon_addr}", "v", "_",
		"{client_addr}", "{client_name}", "{client_port}",
		"{tls_version}", "{cipher}", "{cipher_bits}", "i",
		"{auth_type}", "{auth_authen}", "{mail_addr}", "{mail_host}",
		"{mail_mailer}", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}",
	};
	int i;

	for (i = 0; i < M_COUNT; i++) {
		s->mac[i].name = names[i];
		s->mac[i].value = NULL;
	}
	snprintf(s->underscore, sizeof(s->underscore), "client.example [%s]",
		 opt.client);
	snprintf(s->port, sizeof(s->port), "%u", port);
	s->mac[M_J].value = "mx.load.test";
	s->mac[M_DAEMON_NAME].value = opt.daemon;
	s->mac[M_DAEMON_ADDR].value = "127.0.0.1";
	s->mac[M_V].value = "Postfix 3.7.11";
	s->mac[M_UNDERSCORE].value = s->underscore;
	s->mac[M_CLIENT_ADDR].value = opt.client;
	s->mac[M_CLIENT_NAME].value = "client.example";
	s->mac[M_CLIENT_PORT].value = s->port;
	if (opt.tls) {
		s->mac[M_TLS_VERSION].value = "TLSv1.3";
		s->mac[M_CIPHER].value = "TLS_AES_256_GCM_SHA384";
		s->mac[M_CIPHER_BITS].value = "256";
	}
	if (opt.user) {
		s->mac[M_AUTH_TYPE].value = opt.mech;
		s->mac[M_AUTH_AUTHEN].value = opt.user;
	}
	s->mac[M_MAIL_MAILER].value = "smtp";
	s->mac[M_RCPT_MAILER].value = "smtp";
	s->mac[M_RCPT_HOST].value = "example.net";
}

/* A filter reply to a step before end of message. */
static int step_reply_ok(const struct mlt_conn *c, int r, int body)
{
	const char *t;

	switch (r) {
	case SMFIR_CONTINUE: case SMFIR_ACCEPT: case SMFIR_REJECT:
	case SMFIR_TEMPFAIL: case SMFIR_DISCARD: case MLT_SKIPPED:
	case MLT_NOREPLY:
		return 1;
	case SMFIR_SKIP:
		return body;
	case SMFIR_REPLYCODE:
		t = mlt_reply_text(c);
		return (t[0] == '4' || t[0] == '5') && t[1] >= '0' &&
		    t[1] <= '9' && t[2] >= '0' && t[2] <= '9' &&
		    (t[3] == ' ' || t[3] == '-');
	default:
		return 0;
	}
}

/* Is the transaction over after this reply to a step? */
static int ends_txn(int r)
{
	return r == SMFIR_ACCEPT || r == SMFIR_REJECT ||
	    r == SMFIR_TEMPFAIL || r == SMFIR_DISCARD || r == SMFIR_REPLYCODE;
}

static const char *reply_tag(const struct mlt_conn *c, int r, char *buf)
{
	if (r == SMFIR_REPLYCODE) {
		snprintf(buf, 8, "y%.3s", mlt_reply_text(c));
		return buf;
	}
	buf[0] = (char)r;
	buf[1] = '\0';
	return buf;
}

/* The modification replies allowed at end of message, by action flag. */
static int eom_mod_ok(const struct mlt_conn *c, int r)
{
	switch (r) {
	case SMFIR_ADDHEADER: case SMFIR_INSHEADER:
		return (c->actions & SMFIF_ADDHDRS) != 0;
	case SMFIR_CHGHEADER: return (c->actions & SMFIF_CHGHDRS) != 0;
	case SMFIR_ADDRCPT: return (c->actions & SMFIF_ADDRCPT) != 0;
	case SMFIR_DELRCPT: return (c->actions & SMFIF_DELRCPT) != 0;
	case SMFIR_REPLBODY: return (c->actions & SMFIF_CHGBODY) != 0;
	case SMFIR_QUARANTINE: return (c->actions & SMFIF_QUARANTINE) != 0;
	case SMFIR_CHGFROM: return (c->actions & SMFIF_CHGFROM) != 0;
	case SMFIR_ADDRCPT_PAR: return (c->actions & SMFIF_ADDRCPT_PAR) != 0;
	default: return 0;
	}
}

/* Read end-of-message replies up to the final one. */
static int eom_replies(struct session *s)
{
	struct stats *st = &s->w->st;

	for (;;) {
		if (mlt_read(&s->c) < 0)
			return -1;
		if (s->c.rcmd == SMFIR_PROGRESS)
			continue;
		if (step_reply_ok(&s->c, s->c.rcmd, 0) &&
		    s->c.rcmd != MLT_SKIPPED && s->c.rcmd != MLT_NOREPLY)
			return s->c.rcmd;
		if (!eom_mod_ok(&s->c, s->c.rcmd)) {
			snprintf(s->c.err, sizeof(s->c.err),
				 "unexpected reply '%c' at end of message",
				 s->c.rcmd);
			return -1;
		}
		if (s->c.rcmd == SMFIR_QUARANTINE)
			st->quarantined++;
		else if (s->c.rcmd == SMFIR_ADDHEADER ||
			 s->c.rcmd == SMFIR_INSHEADER)
			st->headers_added++;
	}
}

static void drop_now(struct session *s, int partial)
{
	s->dropped = 1;
	if (partial) {
		/* A body packet that claims 65536 bytes and carries 100. */
		unsigned char pkt[105];

		memset(pkt, 'x', sizeof(pkt));
		pkt[0] = 0;
		pkt[1] = 1;
		pkt[2] = 0;
		pkt[3] = 0;
		pkt[4] = SMFIC_BODY;
		(void)mlt_send_raw(&s->c, pkt, sizeof(pkt));
	}
	mlt_close(&s->c, (int)(rnd(&s->w->rng) & 1));
}

#define DROP_HERE(s, n, pt) ((s)->drop == (pt) && (s)->drop_at == (n))

/*
 * One step before end of message.  Returns 1 to go on, 0 when the filter
 * ended the transaction (logged), -1 on a protocol error.
 */
static int step(struct session *s, int r, int body, const char *what)
{
	char tag[8], out[32];

	if (r == -1 || !step_reply_ok(&s->c, r, body)) {
		if (r != -1)
			snprintf(s->c.err, sizeof(s->c.err),
				 "unexpected reply '%c'", r);
		record_error(&s->w->st, &s->c, what);
		snprintf(out, sizeof(out), "error %s", what);
		log_outcome(s->key, out);
		return -1;
	}
	if (!ends_txn(r))
		return 1;
	s->w->st.completed++;
	s->w->st.early++;
	s->w->st.reply[r & 0xff]++;
	snprintf(out, sizeof(out), "%s %s", what, reply_tag(&s->c, r, tag));
	log_outcome(s->key, out);
	return 0;
}

/* End a transaction the way Postfix's mail_reset() does. */
static int reset_txn(struct session *s)
{
	if (mlt_send(&s->c, SMFIC_ABORT, NULL, 0) < 0) {
		record_error(&s->w->st, &s->c, "abort");
		return -1;
	}
	return 0;
}

static int send_headers(struct session *s, unsigned n)
{
	char hbuf[256];
	const char *hdr[][2] = {
		{ "Received", "from client.example (client.example [127.0.0.1])\n"
		  "\tby mx.load.test (Postfix) with ESMTPSA id X" },
		{ "From", s->from },
		{ "To", s->rcpt },
		{ "Subject", "quarterly report" },
		{ "Date", "Sun, 29 Nov 2026 01:02:03 +0000" },
		{ "Message-ID", "<load@client.example>" },
		{ "MIME-Version", "1.0" },
		{ "Content-Type", opt.body == BODY_BASE64 ?
		  "application/octet-stream" : "text/plain; charset=us-ascii" },
		{ "Content-Transfer-Encoding",
		  opt.body == BODY_BASE64 ? "base64" : "7bit" },
	};
	size_t i;
	int r;

	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		size_t nl = strlen(hdr[i][0]) + 1, vl = strlen(hdr[i][1]) + 1;

		if (DROP_HERE(s, n, DROP_MID_HEADERS) && i == 3) {
			drop_now(s, 0);
			return 2;
		}
		if (nl + vl > sizeof(hbuf))
			continue;
		memcpy(hbuf, hdr[i][0], nl);
		memcpy(hbuf + nl, hdr[i][1], vl);
		r = mlt_event(&s->c, SMFIC_HEADER, MLT_ST_EOH, s->mac, M_COUNT,
			      hbuf, nl + vl);
		if ((r = step(s, r, 0, "header")) <= 0)
			return r;
		if (s->c.pflags & SMFIP_NOHDRS)
			break;
	}
	return 1;
}

/* Body chunks; returns 1 done, 0 ended by the filter, -1 error, 2 dropped
 * or aborted on purpose. */
static int send_body(struct session *s, unsigned n, int abort_it)
{
	size_t off = 0, stop = opt.size;
	int r;

	if (abort_it || DROP_HERE(s, n, DROP_MID_BODY) ||
	    DROP_HERE(s, n, DROP_PARTIAL_PACKET))
		stop = opt.size > CHUNK ? CHUNK * (1 + rnd(&s->w->rng) %
					      ((opt.size - 1) / CHUNK)) :
		    opt.size / 2;
	while (off < stop) {
		size_t len = opt.size - off < CHUNK ? opt.size - off : CHUNK;

		if (off + len > stop)
			len = stop - off;
		r = mlt_body(&s->c, s->mac, M_COUNT, body_buf + off, len);
		if (r == MLT_SKIPPED)
			break;
		if (r == SMFIR_SKIP)
			break;
		if ((r = step(s, r, 1, "body")) <= 0)
			return r;
		s->w->st.body_bytes += len;
		off += len;
	}
	if (abort_it) {
		if (mlt_send(&s->c, SMFIC_ABORT, NULL, 0) < 0) {
			record_error(&s->w->st, &s->c, "abort");
			return -1;
		}
		s->w->st.aborted++;
		log_outcome(s->key, "abort");
		return 2;
	}
	if (s->drop != DROP_NONE && s->drop_at == n &&
	    (s->drop == DROP_MID_BODY || s->drop == DROP_PARTIAL_PACKET)) {
		drop_now(s, s->drop == DROP_PARTIAL_PACKET);
		return 2;
	}
	return 1;
}

static void dropped(struct session *s)
{
	s->w->st.dropped++;
	log_outcome(s->key, "drop");
}

/*
 * After the reply to a command of transaction(): 1 to go on; otherwise
 * what transaction() returns (0: the filter ended the transaction, which
 * is reset; -1: the connection is closed).
 */
static int go_on(struct session *s, double t0, int r, const char *what)
{
	if ((r = step(s, r, 0, what)) < 0)
		return -1;
	if (r > 0)
		return 1;
	record_latency(&s->w->st, now() - t0);
	return reset_txn(s);
}

/* The same after send_headers() or send_body() (2: dropped there). */
static int sent(struct session *s, double t0, int r)
{
	if (r == 2) {
		dropped(s);
		return -1;
	}
	if (r > 0)
		return 1;
	if (r < 0)
		return -1;
	record_latency(&s->w->st, now() - t0);
	return reset_txn(s);
}

/* Drops the connection when this is the point picked for it. */
static int drop_if(struct session *s, unsigned n, enum drop_point pt)
{
	if (!DROP_HERE(s, n, pt))
		return 0;
	drop_now(s, 0);
	dropped(s);
	return 1;
}

/*
 * One transaction numbered n on this connection, seq overall for the
 * thread.  Returns 0 to go on with the connection, -1 when it is closed
 * (error or drop).
 */
static int transaction(struct session *s, unsigned n, unsigned seq)
{
	struct stats *st = &s->w->st;
	char arg[128], tag[8], out[16];
	double t0;
	unsigned i;
	int r, abort_it;

	snprintf(s->key, sizeof(s->key), "u%s%ux%u", opt.tag, s->w->id, seq);
	snprintf(s->from, sizeof(s->from), "%s@load.test", s->key);
	snprintf(s->qid, sizeof(s->qid), "%02X%06X", s->w->id & 0xff,
		 seq & 0xffffff);
	st->attempted++;
	if (DROP_HERE(s, n, DROP_PRE_MAIL)) {
		drop_now(s, 0);
		st->dropped_pre++;
		log_outcome(s->key, "droppre");
		return -1;
	}
	abort_it = opt.abort > 0 && rnd01(&s->w->rng) < opt.abort;
	t0 = now();

	s->mac[M_I].value = NULL;	/* the queue id comes with DATA */
	s->mac[M_MAIL_ADDR].value = s->from;
	s->mac[M_MAIL_HOST].value = "load.test";
	r = snprintf(arg, sizeof(arg), "<%s>", s->from) + 1;
	r = mlt_event(&s->c, SMFIC_MAIL, MLT_ST_MAIL, s->mac, M_COUNT, arg,
		      (size_t)r);
	if ((r = go_on(s, t0, r, "mail")) != 1)
		return r;
	if (drop_if(s, n, DROP_AFTER_MAIL))
		return -1;
	for (i = 0; i < opt.rcpts; i++) {
		snprintf(s->rcpt, sizeof(s->rcpt), "rcpt%u@example.net", i);
		s->mac[M_RCPT_ADDR].value = s->rcpt;
		r = snprintf(arg, sizeof(arg), "<%s>", s->rcpt) + 1;
		r = mlt_event(&s->c, SMFIC_RCPT, MLT_ST_RCPT, s->mac, M_COUNT,
			      arg, (size_t)r);
		if ((r = go_on(s, t0, r, "rcpt")) != 1)
			return r;
	}
	if (drop_if(s, n, DROP_AFTER_RCPT))
		return -1;
	s->mac[M_I].value = s->qid;
	r = mlt_event(&s->c, SMFIC_DATA, MLT_ST_DATA, s->mac, M_COUNT, NULL, 0);
	if ((r = go_on(s, t0, r, "data")) != 1)
		return r;
	if ((r = sent(s, t0, send_headers(s, n))) != 1)
		return r;
	r = mlt_event(&s->c, SMFIC_EOH, MLT_ST_EOH, s->mac, M_COUNT, NULL, 0);
	if ((r = go_on(s, t0, r, "eoh")) != 1)
		return r;
	if (drop_if(s, n, DROP_AFTER_EOH))
		return -1;
	r = send_body(s, n, abort_it);
	if (r == 2 && abort_it)
		return 0;
	if ((r = sent(s, t0, r)) != 1)
		return r;
	if (mlt_macros(&s->c, MLT_ST_EOM, SMFIC_BODYEOB, s->mac, M_COUNT) < 0 ||
	    mlt_send(&s->c, SMFIC_BODYEOB, NULL, 0) < 0 ||
	    (r = eom_replies(s)) < 0) {
		record_error(st, &s->c, "eom");
		log_outcome(s->key, "error eom");
		return -1;
	}
	record_latency(st, now() - t0);
	st->completed++;
	st->eom++;
	st->reply[r & 0xff]++;
	snprintf(out, sizeof(out), "eom %s", reply_tag(&s->c, r, tag));
	log_outcome(s->key, out);
	return reset_txn(s);
}

/* Decide whether (and where) this connection will be dropped. */
static void pick_drop(struct session *s, unsigned ntxn)
{
	s->drop = DROP_NONE;
	s->drop_at = 0;
	if (opt.drop <= 0 || rnd01(&s->w->rng) >= opt.drop)
		return;
	s->drop_at = (unsigned)(rnd(&s->w->rng) % ntxn);
	s->drop = (enum drop_point)(1 + rnd(&s->w->rng) % (DROP_COUNT - 1));
	if (s->drop_at > 0 && s->drop <= DROP_PRE_HELO)
		s->drop = DROP_PRE_MAIL;
	if (s->drop_at == 0 && s->drop == DROP_PRE_MAIL)
		s->drop = DROP_PRE_HELO;
}

/* What the filter asked for in SMFIC_OPTNEG, on stderr (-v). */
static void print_negotiation(const struct mlt_conn *c)
{
	static const char *const pnames[] = {
		"NOCONNECT", "NOHELO", "NOMAIL", "NORCPT", "NOBODY", "NOHDRS",
		"NOEOH", "NR_HDR", "NOUNKNOWN", "NODATA", "SKIP", "RCPT_REJ",
		"NR_CONN", "NR_HELO", "NR_MAIL", "NR_RCPT", "NR_DATA", "NR_UNKN",
		"NR_EOH", "NR_BODY", "HDR_LEADSPC",
	};
	static const char *const stages[MLT_ST_COUNT] = {
		"connect", "helo", "mail", "rcpt", "data", "eom", "eoh",
	};
	unsigned i;

	fprintf(stderr, "negotiated: version %lu actions 0x%lx protocol 0x%lx:",
		(unsigned long)c->version, (unsigned long)c->actions,
		(unsigned long)c->pflags);
	for (i = 0; i < sizeof(pnames) / sizeof(pnames[0]); i++)
		if (c->pflags & (1UL << i))
			fprintf(stderr, " %s", pnames[i]);
	fprintf(stderr, "\n");
	for (i = 0; i < MLT_ST_COUNT; i++)
		if (c->symlist[i])
			fprintf(stderr, "macros at %s: %s\n", stages[i],
				c->symlist[i]);
}

/* Open a connection and run up to ntxn transactions; returns how many
 * were attempted (at least 1, so that a dead filter cannot spin us). */
static unsigned connection(struct worker *w, unsigned ntxn, unsigned seq)
{
	struct session s;
	unsigned char conn[128];
	unsigned port = 20000 + (unsigned)(rnd(&w->rng) % 40000), n;
	size_t len;
	int r;

	memset(&s, 0, sizeof(s));
	s.w = w;
	init_macros(&s, port);
	pick_drop(&s, ntxn);
	w->st.conns++;
	if (mlt_open(&s.c, opt.socket, opt.timeout_ms) < 0 ||
	    mlt_negotiate(&s.c, MLT_MTA_ACTIONS, MLT_MTA_PFLAGS) < 0) {
		record_error(&w->st, &s.c, "connect/optneg");
		mlt_close(&s.c, 0);
		w->st.attempted++;
		usleep(10000);
		return 1;
	}
	if (opt.verbose && w->id == 0 && w->st.conns == 1)
		print_negotiation(&s.c);
	if (s.drop >= DROP_PRE_OPTNEG && s.drop <= DROP_PRE_HELO) {
		/* Cut before CONNECT, before HELO or before the first MAIL. */
		if (s.drop >= DROP_PRE_CONNECT) {
			len = (size_t)snprintf((char *)conn, sizeof(conn),
					       "client.example") + 1;
			conn[len++] = SMFIA_INET;
			conn[len++] = (unsigned char)(port >> 8);
			conn[len++] = (unsigned char)port;
			len += (size_t)snprintf((char *)conn + len,
						sizeof(conn) - len, "%s",
						opt.client) + 1;
			(void)mlt_event(&s.c, SMFIC_CONNECT, MLT_ST_CONNECT,
					s.mac, M_COUNT, conn, len);
		}
		if (s.drop == DROP_PRE_HELO)
			(void)mlt_event(&s.c, SMFIC_HELO, MLT_ST_HELO, s.mac,
					M_COUNT, "client.example", 15);
		drop_now(&s, 0);
		w->st.attempted++;
		w->st.dropped_pre++;
		snprintf(s.key, sizeof(s.key), "u%s%ux%u", opt.tag, w->id, seq);
		log_outcome(s.key, "droppre");
		return 1;
	}
	len = (size_t)snprintf((char *)conn, sizeof(conn), "client.example") + 1;
	conn[len++] = SMFIA_INET;
	conn[len++] = (unsigned char)(port >> 8);
	conn[len++] = (unsigned char)port;
	len += (size_t)snprintf((char *)conn + len, sizeof(conn) - len, "%s",
				opt.client) + 1;
	r = mlt_event(&s.c, SMFIC_CONNECT, MLT_ST_CONNECT, s.mac, M_COUNT,
		      conn, len);
	if (r == -1 || !step_reply_ok(&s.c, r, 0) || ends_txn(r)) {
		record_error(&w->st, &s.c, "connect reply");
		mlt_close(&s.c, 0);
		w->st.attempted++;
		return 1;
	}
	r = mlt_event(&s.c, SMFIC_HELO, MLT_ST_HELO, s.mac, M_COUNT,
		      "client.example", 15);
	if (r == -1 || !step_reply_ok(&s.c, r, 0) || ends_txn(r)) {
		record_error(&w->st, &s.c, "helo reply");
		mlt_close(&s.c, 0);
		w->st.attempted++;
		return 1;
	}
	for (n = 0; n < ntxn && !(n > 0 && time_up()); n++) {
		if (n > 0 && opt.pause_ms > 0)
			usleep(opt.pause_ms * 1000);
		if (transaction(&s, n, seq + n) < 0) {
			mlt_close(&s.c, 0);
			return n + 1;
		}
	}
	if (s.drop != DROP_NONE && !s.dropped) {
		/* The filter ended the chosen transaction before the planned
		 * point (a refusal at MAIL): cut the connection instead of
		 * QUIT, so that the planned share of connections is cut. */
		drop_now(&s, 0);
		w->st.dropped_idle++;
		return ntxn;
	}
	if (mlt_send(&s.c, SMFIC_QUIT, NULL, 0) < 0)
		record_error(&w->st, &s.c, "quit");
	mlt_close(&s.c, 0);
	return ntxn;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned done = 0, per = opt.per_conn ? opt.per_conn : opt.msgs;

	while (done < opt.msgs && !time_up()) {
		unsigned want = opt.msgs - done < per ? opt.msgs - done : per;

		done += connection(w, want, done);
		if (w->st.errors > 1000)
			break;		/* the filter is gone: stop hammering */
	}
	return NULL;
}

/* --- report -------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double pct(const double *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static void report(struct worker *ws, double secs)
{
	struct stats t;
	unsigned i;
	size_t k;
	double p50, p99, pmax, pmin, rate, mbs;
	const char *firsterr = "";

	memset(&t, 0, sizeof(t));
	for (i = 0; i < opt.conns; i++) {
		struct stats *s = &ws[i].st;

		t.attempted += s->attempted;
		t.completed += s->completed;
		t.eom += s->eom;
		t.early += s->early;
		t.aborted += s->aborted;
		t.dropped += s->dropped;
		t.dropped_pre += s->dropped_pre;
		t.dropped_idle += s->dropped_idle;
		t.errors += s->errors;
		t.conns += s->conns;
		t.body_bytes += s->body_bytes;
		t.quarantined += s->quarantined;
		t.headers_added += s->headers_added;
		for (k = 0; k < 256; k++)
			t.reply[k] += s->reply[k];
		t.nlat += s->nlat;
		if (!firsterr[0] && s->firsterr[0])
			firsterr = s->firsterr;
	}
	t.lat = xalloc(t.nlat * sizeof(double) + 1);
	for (i = 0, k = 0; i < opt.conns; i++) {
		memcpy(t.lat + k, ws[i].st.lat, ws[i].st.nlat * sizeof(double));
		k += ws[i].st.nlat;
	}
	qsort(t.lat, t.nlat, sizeof(double), cmp_double);
	p50 = pct(t.lat, t.nlat, 0.50) * 1e3;
	p99 = pct(t.lat, t.nlat, 0.99) * 1e3;
	pmax = t.nlat ? t.lat[t.nlat - 1] * 1e3 : 0;
	pmin = t.nlat ? t.lat[0] * 1e3 : 0;
	rate = secs > 0 ? (double)t.completed / secs : 0;
	mbs = secs > 0 ? (double)t.body_bytes / secs / 1e6 : 0;
	if (!opt.quiet)
		printf("mltload %s: %u conns x %u msgs, %zu-byte %s bodies: "
		       "%" PRIu64 " completed (%" PRIu64 " at eom) in %.2f s = "
		       "%.0f msgs/s, %.1f MB/s body, latency p50 %.3f ms "
		       "p99 %.3f ms max %.3f ms; accept %" PRIu64 " continue %"
		       PRIu64 " reject %" PRIu64 " tempfail %" PRIu64
		       " replycode %" PRIu64 " discard %" PRIu64
		       "; aborted %" PRIu64 " dropped %" PRIu64 "+%" PRIu64 "+%"
		       PRIu64 " connections %" PRIu64 " errors %" PRIu64
		       "%s%s\n",
		       opt.label ? opt.label : opt.socket, opt.conns, opt.msgs,
		       opt.size, opt.body == BODY_TEXT ? "text" :
		       opt.body == BODY_BASE64 ? "base64" : "anomalies",
		       t.completed, t.eom, secs, rate, mbs, p50, p99, pmax,
		       t.reply['a'], t.reply['c'], t.reply['r'], t.reply['t'],
		       t.reply['y'], t.reply['d'], t.aborted, t.dropped,
		       t.dropped_pre, t.dropped_idle, t.conns, t.errors,
		       firsterr[0] ? "; first error: " : "", firsterr);
	if (opt.json)
		printf("{\"label\":\"%s\",\"conns\":%u,\"msgs_per_conn\":%u,"
		       "\"body_size\":%zu,\"body\":\"%s\",\"seconds\":%.4f,"
		       "\"attempted\":%" PRIu64 ",\"completed\":%" PRIu64
		       ",\"eom\":%" PRIu64 ",\"aborted\":%" PRIu64
		       ",\"dropped\":%" PRIu64 ",\"dropped_pre\":%" PRIu64
		       ",\"dropped_idle\":%" PRIu64
		       ",\"connections\":%" PRIu64 ",\"errors\":%" PRIu64
		       ",\"msgs_per_s\":%.1f,\"body_mb_per_s\":%.2f,"
		       "\"p50_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,"
		       "\"min_ms\":%.4f,"
		       "\"replies\":{\"accept\":%" PRIu64 ",\"continue\":%"
		       PRIu64 ",\"reject\":%" PRIu64 ",\"tempfail\":%" PRIu64
		       ",\"replycode\":%" PRIu64 ",\"discard\":%" PRIu64
		       "},\"quarantined\":%" PRIu64 ",\"headers_added\":%"
		       PRIu64 "}\n",
		       opt.label ? opt.label : "", opt.conns, opt.msgs, opt.size,
		       opt.body == BODY_TEXT ? "text" :
		       opt.body == BODY_BASE64 ? "base64" : "anomalies", secs,
		       t.attempted, t.completed, t.eom, t.aborted, t.dropped,
		       t.dropped_pre, t.dropped_idle, t.conns, t.errors, rate,
		       mbs, p50, p99,
		       pmax, pmin, t.reply['a'], t.reply['c'], t.reply['r'],
		       t.reply['t'], t.reply['y'], t.reply['d'], t.quarantined,
		       t.headers_added);
	free(t.lat);
}

/* --- command line -------------------------------------------------------- */

static void usage(FILE *fp)
{
	fprintf(fp,
"usage: mltload -s SOCKET [options]\n"
"  -s, --socket SPEC     unix:/path | inet:PORT@HOST | inet6:PORT@HOST\n"
"  -c, --conns N         concurrent connections (threads), default 1\n"
"  -m, --msgs M          transactions per thread, default 100\n"
"  -k, --per-conn K      transactions per connection, then reconnect (0: all)\n"
"  -b, --size BYTES      body size (suffix K or M), default 4K\n"
"  -B, --body KIND       text | base64 | anomalies, default text\n"
"  -a, --auth USER       send {auth_authen}=USER and {auth_type}\n"
"      --mech MECH       {auth_type}, default PLAIN\n"
"      --tls             send {tls_version} and cipher macros\n"
"  -C, --client ADDR     client IPv4 address, default 127.0.0.1\n"
"      --daemon NAME     {daemon_name}, default smtpd\n"
"      --rcpts N         recipients per message, default 1\n"
"  -d, --drop P          drop this fraction of connections mid-transaction\n"
"  -A, --abort P         send an MTA abort mid-body for this fraction of messages\n"
"      --seed N          random seed, default 1\n"
"  -t, --timeout MS      per read/write timeout, default 10000\n"
"  -T, --duration SECS   start no transaction after SECS (at most -m each)\n"
"      --pause MS        wait MS between a connection's transactions\n"
"  -l, --log FILE        one line per transaction: KEY OUTCOME\n"
"      --tag STR         tag in transaction keys (sender u<tag><thread>x<seq>)\n"
"      --label STR       name of this run in the output\n"
"  -j, --json            also print one JSON line of results\n"
"  -q, --quiet           no human-readable line\n"
"  -v, --verbose         print what the filter negotiated (first connection)\n");
}

static size_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v *= 1024, end++;
	else if (*end == 'M' || *end == 'm')
		v *= 1024 * 1024, end++;
	if (*end != '\0' || v > (1ULL << 32)) {
		fprintf(stderr, "mltload: bad size: %s\n", s);
		exit(2);
	}
	return (size_t)v;
}

static unsigned parse_uint(const char *s, unsigned max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "mltload: bad number: %s\n", s);
		exit(2);
	}
	return (unsigned)v;
}

static double parse_frac(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 1) {
		fprintf(stderr, "mltload: bad fraction: %s\n", s);
		exit(2);
	}
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { O_MECH = 256, O_TLS, O_DAEMON, O_RCPTS, O_SEED, O_TAG, O_LABEL,
	       O_PAUSE };
	static const struct option lo[] = {
		{ "socket", 1, NULL, 's' }, { "conns", 1, NULL, 'c' },
		{ "msgs", 1, NULL, 'm' }, { "per-conn", 1, NULL, 'k' },
		{ "size", 1, NULL, 'b' }, { "body", 1, NULL, 'B' },
		{ "auth", 1, NULL, 'a' }, { "mech", 1, NULL, O_MECH },
		{ "tls", 0, NULL, O_TLS }, { "client", 1, NULL, 'C' },
		{ "daemon", 1, NULL, O_DAEMON }, { "rcpts", 1, NULL, O_RCPTS },
		{ "drop", 1, NULL, 'd' }, { "abort", 1, NULL, 'A' },
		{ "seed", 1, NULL, O_SEED }, { "timeout", 1, NULL, 't' },
		{ "log", 1, NULL, 'l' }, { "tag", 1, NULL, O_TAG },
		{ "label", 1, NULL, O_LABEL }, { "json", 0, NULL, 'j' },
		{ "quiet", 0, NULL, 'q' }, { "help", 0, NULL, 'h' },
		{ "verbose", 0, NULL, 'v' }, { "duration", 1, NULL, 'T' },
		{ "pause", 1, NULL, O_PAUSE },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "s:c:m:k:b:B:a:C:d:A:t:T:l:jqvh", lo,
				 NULL)) != -1) {
		switch (ch) {
		case 's': opt.socket = optarg; break;
		case 'c': opt.conns = parse_uint(optarg, 4096); break;
		case 'm': opt.msgs = parse_uint(optarg, 100000000); break;
		case 'k': opt.per_conn = parse_uint(optarg, 100000000); break;
		case 'b': opt.size = parse_size(optarg); break;
		case 'B':
			if (strcmp(optarg, "text") == 0)
				opt.body = BODY_TEXT;
			else if (strcmp(optarg, "base64") == 0)
				opt.body = BODY_BASE64;
			else if (strcmp(optarg, "anomalies") == 0)
				opt.body = BODY_ANOMALIES;
			else {
				usage(stderr);
				exit(2);
			}
			break;
		case 'a': opt.user = optarg; break;
		case O_MECH: opt.mech = optarg; break;
		case O_TLS: opt.tls = 1; break;
		case 'C': opt.client = optarg; break;
		case O_DAEMON: opt.daemon = optarg; break;
		case O_RCPTS: opt.rcpts = parse_uint(optarg, 1000); break;
		case 'd': opt.drop = parse_frac(optarg); break;
		case 'A': opt.abort = parse_frac(optarg); break;
		case O_SEED: opt.seed = parse_uint(optarg, 0xffffffffu); break;
		case 't': opt.timeout_ms = (int)parse_uint(optarg, 3600000); break;
		case 'T': opt.duration = parse_uint(optarg, 86400); break;
		case O_PAUSE: opt.pause_ms = parse_uint(optarg, 60000); break;
		case 'l': opt.log = optarg; break;
		case O_TAG: opt.tag = optarg; break;
		case O_LABEL: opt.label = optarg; break;
		case 'j': opt.json = 1; break;
		case 'q': opt.quiet = 1; break;
		case 'v': opt.verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (opt.socket == NULL || optind != argc || opt.conns == 0 ||
	    strlen(opt.tag) > 8 || opt.rcpts == 0) {
		usage(stderr);
		exit(2);
	}
}

int main(int argc, char **argv)
{
	struct worker *ws;
	double t0, secs;
	unsigned i;
	uint64_t errors = 0;

	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	body_buf = xalloc(opt.size);
	make_body(body_buf, opt.size, opt.body);
	if (opt.log && (logfp = fopen(opt.log, "w")) == NULL) {
		fprintf(stderr, "mltload: %s: %s\n", opt.log, strerror(errno));
		return 2;
	}
	ws = calloc(opt.conns, sizeof(*ws));
	if (ws == NULL)
		return 2;
	t0 = now();
	if (opt.duration > 0)
		t_end = t0 + opt.duration;
	for (i = 0; i < opt.conns; i++) {
		ws[i].id = i;
		ws[i].rng = opt.seed * 1000003u + i;
		if (pthread_create(&ws[i].th, NULL, worker_main, &ws[i]) != 0) {
			fprintf(stderr, "mltload: pthread_create failed\n");
			return 2;
		}
	}
	for (i = 0; i < opt.conns; i++)
		pthread_join(ws[i].th, NULL);
	secs = now() - t0;
	report(ws, secs);
	for (i = 0; i < opt.conns; i++) {
		errors += ws[i].st.errors;
		free(ws[i].st.lat);
	}
	if (logfp && fclose(logfp) != 0) {
		fprintf(stderr, "mltload: %s: %s\n", opt.log, strerror(errno));
		return 2;
	}
	free(ws);
	free(body_buf);
	return errors ? 1 : 0;
}
