/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: dotgate-probe, an SMTP client that tells a postmaster what
 * his server does with the SMTP-smuggling vectors (dotgate-probe(1)).
 * It is also the driver of dotgate's end-to-end suite.
 *
 * NAME
 *	dotgate-probe - send the anomaly vectors to an SMTP server
 * SYNOPSIS
 *	dotgate-probe --server HOST:PORT [--user U --password-file F]
 *		[--mech M] --from A --to B [--hidden-from H] [--json]
 *		[--vector NAME]... [--helo NAME] [--timeout SECS] [--list]
 *		[--starttls | --tls] [--cafile FILE | --insecure]
 *		[--template T,...] [--case C,...] [--hidden-data D,...]
 * DESCRIPTION
 *	For each vector (all, or those named with --vector) the probe opens
 *	a new connection (in TLS from the start with --tls), says EHLO
 *	(STARTTLS and EHLO again with --starttls), authenticates if --user
 *	is given, and
 *	sends MAIL FROM:<A>, RCPT TO:<B>, DATA and a message whose body is
 *	"hello", the vector's bytes, then a hidden transaction (MAIL
 *	FROM:<H>, RCPT TO:<B>, DATA, a short message) and the final CRLF.CRLF.
 *	With --template, --case and --hidden-data each vector is sent once
 *	per variant asked for (probe_variants()): the hidden transaction
 *	after CRLF or CRLF CRLF, in lower case, or with BDAT N LAST.
 *	It reads the reply to the first end of data the server saw, sends
 *	QUIT, and reads every reply up to QUIT's 221: replies in between
 *	mean the server ended DATA inside the message and ran the hidden
 *	commands.  A server that hangs up instead of answering QUIT (or
 *	before it answers the end of data) stopped reading at an earlier
 *	end of data and refused the rest (probe_judge()).  A new connection
 *	per vector keeps one vector's damage (a server left in an odd
 *	state) away from the next.
 *	Exit 0 when no vector was smuggled, 1 when one was, 2 on error.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "log.h"
#include "probe.h"
#include "util.h"

struct result {
	const struct probe_vector *v;
	struct probe_variant var;
	char label[64];			/* probe_label() */
	enum probe_outcome outcome;
	struct probe_reply reply;
	char qid[64];
	char err[256];
	char note[96];			/* how the server hung up, or "" */
	char *payload;			/* escaped DATA content; NULL: not sent */
};

struct auth_state {
	int tried;
	int ok;
	char mech[64];
	char tls_version[32];		/* "" without TLS */
	char tls_cipher[64];
};

/*
 * Whether an EHLO reply lists keyword kw ("250-AUTH PLAIN LOGIN");
 * its parameters into args (may be NULL).  0 found, -1 not.
 */
static int ehlo_keyword(const char *text, const char *kw, char *args,
			size_t size)
{
	const char *line = text;
	size_t kwlen = strlen(kw);

	while (line != NULL && *line != '\0') {
		const char *k = line + 4;

		if (strlen(line) >= 4 + kwlen && strncasecmp(k, kw, kwlen) == 0 &&
		    strchr(" =\n", k[kwlen]) != NULL) {
			const char *a = k[kwlen] == '\0' || k[kwlen] == '\n' ?
					k + kwlen : k + kwlen + 1;
			size_t n = strcspn(a, "\n");

			if (args == NULL)
				return 0;
			if (n >= size)
				n = size - 1;
			memcpy(args, a, n);
			args[n] = '\0';
			return 0;
		}
		line = strchr(line, '\n');
		if (line != NULL)
			line++;
	}
	return -1;
}

/* Sends cmd and reads its reply into r; -1 on I/O error (msg in err). */
static int command(struct probe_smtp *c, const char *cmd,
		   struct probe_reply *r, char *err, size_t errsize)
{
	if (probe_smtp_cmd(c, cmd) < 0 || probe_smtp_reply(c, r) < 0) {
		probe_errf(err, errsize, "%s: %s", cmd, c->err);
		return -1;
	}
	return 0;
}

/* EHLO, its reply into r: 0 ok, -1 error (res->err). */
static int ehlo(const struct probe_opts *o, struct probe_smtp *c,
		struct probe_reply *r, struct result *res)
{
	char cmd[300];

	(void)snprintf(cmd, sizeof(cmd), "EHLO %s", o->helo);
	if (command(c, cmd, r, res->err, sizeof(res->err)) < 0)
		return -1;
	if (r->code != 250) {
		probe_errf(res->err, sizeof(res->err), "EHLO: %s", r->text);
		return -1;
	}
	return 0;
}

/* STARTTLS after the first EHLO, then EHLO again inside TLS into r. */
static int starttls(const struct probe_opts *o, struct probe_smtp *c,
		    struct probe_reply *r, struct result *res)
{
	if (ehlo_keyword(r->text, "STARTTLS", NULL, 0) < 0) {
		probe_errf(res->err, sizeof(res->err),
			   "server offers no STARTTLS");
		return -1;
	}
	if (command(c, "STARTTLS", r, res->err, sizeof(res->err)) < 0)
		return -1;
	if (r->code != 220) {
		probe_errf(res->err, sizeof(res->err), "STARTTLS: %s", r->text);
		return -1;
	}
	/* Bytes after the 220 came in clear; read inside TLS they would
	 * pass for the server's replies (the STARTTLS injection flaw). */
	if (c->start < c->end) {
		probe_errf(res->err, sizeof(res->err),
			   "STARTTLS: server sent data after its 220");
		return -1;
	}
	if (probe_tls_start(c, o->host) < 0) {
		probe_errf(res->err, sizeof(res->err), "STARTTLS: %s", c->err);
		return -1;
	}
	return ehlo(o, c, r, res);
}

/* TCP, and TLS at once for --tls: 0 ok, -1 error (res->err). */
static int transport_open(const struct probe_opts *o, struct probe_smtp *c,
			  struct result *res)
{
	if (probe_net_connect(c, o->host, o->port, o->timeout_ms) < 0) {
		probe_errf(res->err, sizeof(res->err), "connect %s: %s",
			   o->server, c->err);
		return -1;
	}
	if (o->tls == PROBE_TLS_IMPLICIT && probe_tls_start(c, o->host) < 0) {
		probe_errf(res->err, sizeof(res->err), "TLS %s: %s", o->server,
			   c->err);
		return -1;
	}
	return 0;
}

/* Connect, greet, TLS, authenticate: 0 ok, -1 error (res->err). */
static int session_open(const struct probe_opts *o, struct probe_smtp *c,
			struct auth_state *auth, struct result *res)
{
	struct probe_reply r;
	char mechs[512];
	const char *list;

	if (transport_open(o, c, res) < 0)
		return -1;
	if (probe_smtp_reply(c, &r) < 0 || r.code != 220) {
		probe_errf(res->err, sizeof(res->err), "greeting: %s",
			       r.code ? r.text : c->err);
		return -1;
	}
	if (ehlo(o, c, &r, res) < 0 ||
	    (o->tls == PROBE_TLS_STARTTLS && starttls(o, c, &r, res) < 0))
		return -1;
	(void)snprintf(auth->tls_version, sizeof(auth->tls_version), "%s",
		       probe_tls_version(c));
	(void)snprintf(auth->tls_cipher, sizeof(auth->tls_cipher), "%s",
		       probe_tls_cipher(c));
	if (o->user == NULL)
		return 0;
	auth->tried = 1;
	if (o->mech != NULL) {
		list = o->mech;
	} else if (ehlo_keyword(r.text, "AUTH", mechs, sizeof(mechs)) == 0) {
		list = mechs;
	} else {
		probe_errf(res->err, sizeof(res->err),
			       "server offers no AUTH");
		return -1;
	}
	if (probe_sasl_auth(c, o->host, list, o->user, o->password,
			    auth->mech, sizeof(auth->mech), &r, res->err,
			    sizeof(res->err)) < 0)
		return -1;
	auth->ok = 1;
	return 0;
}

/*
 * MAIL FROM, RCPT TO, DATA.  Returns 1 when the server waits for the
 * message (354), 0 when it refused the envelope (res is final: the
 * refusal, or an error if it hung up), -1 on I/O error (res->err).
 */
static int send_envelope(const struct probe_opts *o, struct probe_smtp *c,
			 struct result *res)
{
	struct probe_reply r;
	char cmd[PROBE_ADDR_MAX + 32];

	(void)snprintf(cmd, sizeof(cmd), "MAIL FROM:<%s>", o->from);
	if (command(c, cmd, &r, res->err, sizeof(res->err)) < 0)
		return -1;
	if (r.code / 100 == 2) {
		(void)snprintf(cmd, sizeof(cmd), "RCPT TO:<%s>", o->to);
		if (command(c, cmd, &r, res->err, sizeof(res->err)) < 0)
			return -1;
	}
	if (r.code / 100 == 2 &&
	    command(c, "DATA", &r, res->err, sizeof(res->err)) < 0)
		return -1;
	if (r.code == 354)
		return 1;
	res->reply = r;
	res->outcome = r.code ? PROBE_REJECTED : PROBE_ERROR;
	if (r.code == 0)
		probe_errf(res->err, sizeof(res->err), "connection closed");
	(void)probe_smtp_cmd(c, "QUIT");
	return 0;
}

/* Notes in res how the server ended the connection (c->closed). */
static void note_hangup(const struct probe_smtp *c, const char *when,
			struct result *res)
{
	probe_errf(res->note, sizeof(res->note), "(connection %s %s)",
		   c->closed == PROBE_CLOSED_RESET ? "reset" : "closed", when);
}

/*
 * Sends the message carrying res->v in variant res->var and reads the
 * reply to the first end of data the server saw into *first.  Returns
 * 0 with that reply, 1 when the server closed or reset the connection
 * before any (first->code 0, res->note says so), -1 on another error
 * (res->err).
 */
static int send_message(const struct probe_opts *o, struct probe_smtp *c,
			struct probe_reply *first, struct result *res)
{
	size_t len;
	char uniq[64];
	char *msg;
	int send_failed;

	(void)snprintf(uniq, sizeof(uniq), "%ld.%ld", (long)getpid(),
		       (long)time(NULL));
	msg = probe_message(o, res->v, &res->var, res->label, uniq, &len);

	/*
	 * A server may refuse the body before its end (Sendmail: "421 4.5.0
	 * Bare linefeed (LF) not allowed") and hang up while we still send:
	 * then its reply is already waiting to be read.
	 */
	res->payload = probe_escape(msg, len);
	send_failed = probe_smtp_send(c, msg, len) < 0;
	free(msg);
	if (send_failed)
		probe_errf(res->err, sizeof(res->err), "DATA: %s", c->err);
	if (probe_smtp_reply(c, first) == 0 && first->code != 0) {
		res->err[0] = '\0';	/* a reply explains a failed send */
		return 0;
	}
	first->code = 0;
	/* The server hung up on our input: its reset may have eaten the
	 * reply, but the hang-up is an answer (probe_judge()); a timeout
	 * or a TLS error is not. */
	if (c->closed != 0) {
		note_hangup(c, send_failed ? "while sending the message, "
				 "before any reply" : "after the end of data, "
				 "before any reply", res);
		return 1;
	}
	if (!send_failed)
		probe_errf(res->err, sizeof(res->err), "end of data: %s",
			   c->err);
	return -1;
}

/*
 * Sends QUIT and reads every reply after rs[0] into rs[1...]; *np counts
 * rs[0] too.  Returns how reading ended; PROBE_END_ERROR with the
 * reason in res->err.
 *
 * Anything the server answers besides a 221 before it closes the
 * connection is the hidden transaction's doing.  The server may
 * already have hung up (Postfix drops a client that sends non-SMTP
 * text with "221 ... Goodbye"), so a failed QUIT is no error, and
 * every 221 is a goodbye, never part of the transaction.  After a
 * goodbye (221, 421) any end is fine: a server that hangs up on unread
 * input is reset by its kernel.  Without one, a close or reset is the
 * server's answer too (probe_judge()), and keeps the replies before it.
 */
static enum probe_end read_hidden_replies(struct probe_smtp *c,
					  struct probe_reply *rs, size_t *np,
					  struct result *res)
{
	size_t n = 1;
	int goodbye = rs[0].code == 421;

	(void)probe_smtp_send(c, "QUIT\r\n", 6);
	while (n < PROBE_MAX_REPLIES) {
		*np = n;
		if (probe_smtp_reply(c, &rs[n]) < 0 || rs[n].code == 0) {
			if (goodbye)
				return PROBE_END_QUIT;
			if (c->closed != 0) {
				note_hangup(c, "without a reply to QUIT", res);
				return PROBE_END_CLOSED;
			}
			probe_errf(res->err, sizeof(res->err),
				   "reading replies after the message: %s",
				   c->err);
			return PROBE_END_ERROR;
		}
		goodbye = rs[n].code == 221 || rs[n].code == 421;
		if (rs[n].code != 221)
			n++;	/* a 221 is QUIT's, not the transaction's */
	}
	*np = n;
	return PROBE_END_QUIT;
}

/* The outcome of the n replies read after the message, into res. */
static void judge(const struct probe_reply *rs, size_t n,
		  enum probe_end end, struct result *res)
{
	size_t which = 0;

	res->outcome = probe_judge(rs, n, &res->var, end, &which);
	res->reply = rs[which];
	if (res->outcome == PROBE_ACCEPTED || res->outcome == PROBE_SMUGGLED)
		(void)probe_qid(res->reply.text, res->qid, sizeof(res->qid));
	if (res->outcome == PROBE_ERROR && res->err[0] == '\0')
		probe_errf(res->err, sizeof(res->err),
			   "no reply to end of data");
}

/* Runs vector v in variant var on a fresh connection; fills res. */
static void run_vector(const struct probe_opts *o,
		       const struct probe_vector *v,
		       const struct probe_variant *var, struct auth_state *auth,
		       struct result *res)
{
	struct probe_smtp c;
	struct probe_reply *rs;
	size_t n = 1;
	enum probe_end end;
	int rc;

	memset(res, 0, sizeof(*res));
	res->v = v;
	res->var = *var;
	probe_label(o, v, var, res->label, sizeof(res->label));
	res->outcome = PROBE_ERROR;
	rs = xcalloc(PROBE_MAX_REPLIES, sizeof(*rs));
	/* session_open() initialises c even when it fails. */
	if (session_open(o, &c, auth, res) == 0 &&
	    send_envelope(o, &c, res) == 1 &&
	    (rc = send_message(o, &c, &rs[0], res)) >= 0) {
		end = rc == 1 ? PROBE_END_CLOSED
			      : read_hidden_replies(&c, rs, &n, res);
		judge(rs, n, end, res);
	}
	probe_smtp_close(&c);
	free(rs);
}

/*
 * The reply shown for res: the error of an error outcome, else the
 * reply and how the server hung up, if it did (in buf).
 */
static const char *shown_reply(const struct result *res, char *buf,
			       size_t size)
{
	if (res->outcome == PROBE_ERROR)
		return res->err;
	if (res->note[0] == '\0')
		return res->reply.text;
	(void)snprintf(buf, size, "%s%s%s", res->reply.text,
		       res->reply.text[0] != '\0' ? " " : "", res->note);
	return buf;
}

/*
 * The name column is 18 wide, or as wide as the longest label when the
 * labels carry the variant (name/template/case).
 */
static void print_table(const struct probe_opts *o,
			const struct auth_state *auth,
			const struct result *res, size_t n)
{
	int w = 18;

	for (size_t i = 0; i < n; i++)
		if (strlen(res[i].label) > (size_t)w)
			w = (int)strlen(res[i].label);
	printf("server %s", o->server);
	if (auth->tried)
		printf(", AUTH %s %s", auth->mech[0] ? auth->mech : "-",
		       auth->ok ? "ok" : "failed");
	else
		printf(", no AUTH");
	if (auth->tls_version[0] != '\0')
		printf(", %s %s", auth->tls_version, auth->tls_cipher);
	printf("\n%-*s %-22s %-14s %s\n", w, "VECTOR", "BYTES", "OUTCOME",
	       "REPLY");
	for (size_t i = 0; i < n; i++) {
		char *e = probe_escape(res[i].v->bytes, res[i].v->len);
		char buf[sizeof(res->reply.text) + sizeof(res->note) + 1];
		const char *reply = shown_reply(&res[i], buf, sizeof(buf));

		if (strlen(e) > 22)
			(void)snprintf(e + 12, 11, "...(%zu)", res[i].v->len);
		printf("%-*s %-22s %-14s %s\n", w, res[i].label, e,
		       probe_outcome_name(res[i].outcome), reply);
		free(e);
	}
}

static json_t *str_or_null(const char *s)
{
	return (s != NULL && *s != '\0') ? json_string(s) : json_null();
}

static int print_json(const struct probe_opts *o,
		      const struct auth_state *auth,
		      const struct result *res, size_t n)
{
	json_t *root = json_object(), *vecs = json_array(), *a;
	int rc;

	(void)json_object_set_new(root, "server", json_string(o->server));
	a = json_object();
	(void)json_object_set_new(a, "mech", str_or_null(auth->mech));
	(void)json_object_set_new(a, "ok", json_boolean(auth->ok));
	(void)json_object_set_new(root, "auth", a);
	if (o->tls != PROBE_TLS_NONE) {
		a = json_object();
		(void)json_object_set_new(a, "version",
					  str_or_null(auth->tls_version));
		(void)json_object_set_new(a, "cipher",
					  str_or_null(auth->tls_cipher));
		(void)json_object_set_new(root, "tls", a);
	}
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object();
		char *e = probe_escape(res[i].v->bytes, res[i].v->len);
		char buf[sizeof(res->reply.text) + sizeof(res->note) + 1];
		const char *reply = shown_reply(&res[i], buf, sizeof(buf));

		(void)json_object_set_new(v, "name",
					  json_string(res[i].v->name));
		(void)json_object_set_new(v, "bytes", json_string(e));
		(void)json_object_set_new(v, "outcome", json_string(
			probe_outcome_name(res[i].outcome)));
		(void)json_object_set_new(v, "reply", str_or_null(reply));
		(void)json_object_set_new(v, "qid", str_or_null(res[i].qid));
		(void)json_object_set_new(v, "payload", str_or_null(res[i].payload));
		(void)json_object_set_new(v, "hidden_from", json_string(o->hidden_from));
		(void)json_object_set_new(v, "template", json_string(
			probe_template_names[res[i].var.tmpl]));
		(void)json_object_set_new(v, "case", json_string(
			probe_case_names[res[i].var.kase]));
		(void)json_object_set_new(v, "hidden_data", json_string(
			probe_hidden_names[res[i].var.hidden]));
		(void)json_array_append_new(vecs, v);
		free(e);
	}
	(void)json_object_set_new(root, "vectors", vecs);
	rc = json_dumpf(root, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
	printf("\n");
	json_decref(root);
	return rc;
}

int main(int argc, char **argv)
{
	struct probe_opts o;
	struct auth_state auth = { 0, 0, "", "", "" };
	char err[256];
	struct result *res;
	struct probe_variant vars[PROBE_MAX_VARIANTS];
	size_t n, nvec, nvar;
	int smuggled = 0, error = 0, rc;

	log_init("dotgate-probe");
	(void)signal(SIGPIPE, SIG_IGN);
	if ((rc = probe_parse_args(argc, argv, &o)) != PROBE_RUN) {
		free(o.only);
		return rc;
	}
	if (o.user != NULL && probe_sasl_init() < 0) {
		log_msg(LOG_ERR, "sasl_client_init failed");
		return PROBE_EXIT_ERROR;
	}
	if (o.tls != PROBE_TLS_NONE &&
	    probe_tls_init(o.cafile, o.insecure, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "%s", err);
		return PROBE_EXIT_ERROR;
	}
	nvec = o.nonly > 0 ? o.nonly : probe_nvectors;
	nvar = probe_variants(&o, vars);
	n = nvec * nvar;
	res = xcalloc(n, sizeof(*res));
	/* Each vector in every variant, then the next vector. */
	for (size_t i = 0; i < n; i++) {
		const struct probe_vector *v = o.nonly > 0 ? o.only[i / nvar]
					       : &probe_vectors[i / nvar];

		run_vector(&o, v, &vars[i % nvar], &auth, &res[i]);
		if (res[i].outcome == PROBE_SMUGGLED)
			smuggled = 1;
		if (res[i].outcome == PROBE_ERROR) {
			log_msg(LOG_ERR, "%s: %s", res[i].label, res[i].err);
			error = 1;
			/* Without a session nothing else can work either. */
			if (auth.tried && !auth.ok) {
				n = i + 1;
				break;
			}
		}
	}
	if (o.json ? print_json(&o, &auth, res, n) < 0
		   : (print_table(&o, &auth, res, n), 0) < 0)
		error = 1;
	if (fflush(stdout) != 0)
		error = 1;
	for (size_t i = 0; i < n; i++)
		free(res[i].payload);
	free(res);
	free(o.only);
	free(o.password);
	probe_tls_done();
	return error ? PROBE_EXIT_ERROR
		     : smuggled ? PROBE_EXIT_SMUGGLED : PROBE_EXIT_CLEAN;
}
