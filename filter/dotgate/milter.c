/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.c: the libmilter callbacks of dotgate.  They are kept thin: they
 * copy what the MTA sends into a dg_txn (bounded), ask the pure modules
 * (gate, scanner, verdict) what to do, translate the answer into
 * libmilter calls, and hand the record (record.h) to the sinks.
 *
 * Per-connection state lives only in smfi_setpriv(): Debian's libmilter
 * runs callbacks of one connection on different worker threads.  Each
 * connection takes a reference to the policy current at negotiation and
 * keeps it, so the negotiated protocol and the rules match to the end.
 * Exactly one audit record is written per transaction: at MAIL when the
 * envelope is refused there, else at end of message, else at abort.
 */
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "gate.h"
#include "hfrom.h"
#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "milter.h"
#include "policy.h"
#include "record.h"
#include "scanner.h"
#include "sink.h"
#include "txn.h"
#include "util.h"
#include "verdict.h"

struct conn {
	struct dg_policy *policy;
	struct scanner *scanner;
	struct dg_txn *txn;
	struct sockaddr_storage client;
	bool has_client;
	bool in_txn;		/* MAIL seen, no record written yet */
	struct gate_result mail;	/* the gate's decision at MAIL FROM */
	unsigned long noreply;	/* SMFIP_NR_* steps negotiated: return NOREPLY */
	uint64_t cb_t0;		/* metrics: the running callback's start, or 0 */
	uint64_t cb_ns;		/* metrics: callback time of this transaction */
	struct lookup *lookup;	/* remote login map: session and cache */
	bool check_headers;	/* senders.header_from holds this transaction */
	struct hfrom *hfrom;	/* its From:, Sender:, Resent-* headers */
};

/* Transactions begun and not yet recorded, in all connections. */
static atomic_uint inflight;

unsigned milter_inflight(void)
{
	return atomic_load(&inflight);
}

/* Writes the transaction's one record, r, built by record_make();
 * returns whether a sink that keeps records (file, syslog) kept it. */
static bool emit(struct conn *c, const struct dg_record *r)
{
	bool kept;

	if (c->cb_t0 != 0) {	/* the endpoint is on: time up to now */
		uint64_t now = metrics_clock();

		metrics_observe_callbacks(c->cb_ns + (now - c->cb_t0));
		c->cb_t0 = now;
	}
	c->cb_ns = 0;
	/* A lost record is logged and counted by its sink; only the end
	 * of message acts on it, with audit.required (dotgate.conf(5)). */
	kept = audit_emit(r);
	if (c->in_txn)
		atomic_fetch_sub(&inflight, 1);
	c->in_txn = false;
	return kept;
}

/* ---- helpers --------------------------------------------------------- */

static struct conn *conn_get(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		return c;
	c = xcalloc(1, sizeof(*c));
	metrics_conn_open();
	c->policy = policy_current();
	c->scanner = scanner_new(c->policy->body.max_line_length);
	c->txn = txn_new();
	if (smfi_setpriv(ctx, c) != MI_SUCCESS) {
		log_msg(LOG_ERR, "smfi_setpriv failed");
		scanner_free(c->scanner);
		txn_free(c->txn);
		policy_unref(c->policy);
		free(c);
		return NULL;
	}
	return c;
}

static const char *macro(SMFICTX *ctx, const char *name)
{
	const char *v = smfi_getsymval(ctx, (char *)name);

	return v && *v ? v : NULL;
}

static sfsistat error_status(const struct conn *c)
{
	return c && c->policy->on_error == DG_ONERR_ACCEPT ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

/* Sets "CODE X.Y.Z text" as the reply and returns the matching status. */
static sfsistat refuse(SMFICTX *ctx, const char *reply)
{
	char code[4], ecode[16], text[2 * DG_REPLY_MAX + 1];
	const char *sp1 = strchr(reply, ' ');
	const char *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;

	if (sp1 == NULL || sp1 - reply != 3 || sp2 == NULL
	    || (size_t)(sp2 - sp1 - 1) >= sizeof(ecode))
		return reply[0] == '4' ? SMFIS_TEMPFAIL : SMFIS_REJECT;
	memcpy(code, reply, 3);
	code[3] = '\0';
	memcpy(ecode, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	ecode[sp2 - sp1 - 1] = '\0';
	reply_escape_percent(sp2 + 1, text, sizeof(text));
	if (smfi_setreply(ctx, code, ecode, text) != MI_SUCCESS)
		log_msg(LOG_WARNING, "smfi_setreply failed for \"%s %s\"", code, ecode);
	return code[0] == '4' ? SMFIS_TEMPFAIL : SMFIS_REJECT;
}

/* ---- callbacks ------------------------------------------------------- */

static unsigned long wanted_actions(const struct dg_policy *p)
{
	unsigned long f = SMFIF_SETSYMLIST;

	for (int i = 0; i < DG_CLASS_COUNT; i++) {
		if (p->body.action[i] == DG_ACT_TAG || p->body.action[i] == DG_ACT_QUARANTINE)
			f |= SMFIF_ADDHDRS;
		if (p->body.action[i] == DG_ACT_QUARANTINE)
			f |= SMFIF_QUARANTINE;
	}
	return f;
}

/*
 * The macros dotgate reads, per stage.  The MTA sends one macro packet
 * per event whatever the list says (Postfix even for the events dotgate
 * declined), and an empty list means the MTA's own default list; so a
 * stage where dotgate reads nothing gets one short name instead, which
 * keeps Postfix's default lists (five names at HELO, four at RCPT) off
 * the wire.  The client address comes from xxfi_connect, the queue id
 * from MAIL (Sendmail) or end of message (Postfix).
 */
static void request_macros(SMFICTX *ctx)
{
	static const struct {
		int stage;
		const char *names;
	} want[] = {
		{ SMFIM_CONNECT, "{daemon_name}" },
		{ SMFIM_HELO, "{tls_version}" },
		{ SMFIM_ENVFROM, "i {auth_authen} {auth_type} {tls_version} {daemon_name}" },
		{ SMFIM_ENVRCPT, "i" },
		{ SMFIM_EOM, "i" },
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (smfi_setsymlist(ctx, want[i].stage, (char *)want[i].names) != MI_SUCCESS)
			log_msg(LOG_WARNING, "smfi_setsymlist failed for stage %d", want[i].stage);
}

static sfsistat cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			     unsigned long f2, unsigned long f3, unsigned long *pf0,
			     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	/*
	 * Steps dotgate never looks at, and the replies it never gives: it
	 * decides at MAIL (always answered) and at end of message (always
	 * answered), never at CONNECT, HELO or a body chunk.  Without those
	 * replies the MTA sends the next command at once; libmilter still
	 * runs one connection's commands one at a time and in order (one
	 * worker owns a connection while its socket has data), and the
	 * answered MAIL and end of message come after every command before
	 * them, so each decision sees all the data.
	 *
	 * What no reply does change: libmilter drops the commands it has not
	 * read yet when the MTA closes the socket (poll() reports POLLHUP
	 * beside the data and mi_rd_cmd() gives up), and calls xxfi_abort
	 * itself.  That is what made an abort record show size 0 after
	 * BODY, ABORT, QUIT and close written back to back (miltertest);
	 * Postfix and Sendmail always follow body chunks with the end of
	 * message and wait for its reply, so only a connection cut
	 * mid-body can lose chunks, as it loses the one in flight anyway.
	 * RCPT stays answered for that reason: an SMTP client's RCPT then
	 * QUIT (a callout) makes the MTA send RCPT, ABORT, QUIT and close,
	 * and the abort record would lose its recipients.
	 *
	 * Neither MTA puts a last chunk into the end-of-message command
	 * (the protocol allows it): after the NOREPLY of that chunk
	 * libmilter would skip xxfi_eom and leave the MTA without answer.
	 *
	 * libmilter passes the NR flags as offered whether or not the MTA
	 * has them, and answers CONTINUE itself for an MTA that has not.
	 * They are set only together with the connection's context, so a
	 * step without a reply never has an error to report: without a
	 * context (SMFIS_ALL_OPTS, no NR flag) every step is answered.
	 */
	unsigned long skip = SMFIP_NOHDRS | SMFIP_NOEOH | SMFIP_NOUNKNOWN
			     | SMFIP_NODATA;
	unsigned long noreply = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_BODY;
	struct conn *c = conn_get(ctx);

	(void)f2;
	(void)f3;
	if (c == NULL)
		return SMFIS_ALL_OPTS;
	/* Headers only when senders.header_from asks for them, and then
	 * unanswered like body chunks: the decision is at end of message. */
	if (c->policy->senders.header_from == DG_HFROM_CHECK) {
		skip &= ~SMFIP_NOHDRS;
		noreply |= SMFIP_NR_HDR;
	}
	*pf0 = wanted_actions(c->policy) & f0;
	*pf1 = (skip | noreply) & f1;
	c->noreply = *pf1 & noreply;
	*pf2 = 0;
	*pf3 = 0;
	if (*pf0 & SMFIF_SETSYMLIST)
		request_macros(ctx);
	return SMFIS_CONTINUE;
}

/* The answer to a step dotgate has nothing to say about. */
static sfsistat go_on(const struct conn *c, unsigned long nr_flag)
{
	return c->noreply & nr_flag ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static void set_client(struct conn *c, const struct sockaddr *sa)
{
	c->has_client = txn_set_client(c->txn, sa);
	if (c->has_client)
		memcpy(&c->client, sa, sa->sa_family == AF_INET ?
		       sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
}

static sfsistat cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	set_client(c, (const struct sockaddr *)hostaddr);
	txn_set(&c->txn->client_name, hostname);
	txn_set(&c->txn->daemon, macro(ctx, "{daemon_name}"));
	return go_on(c, SMFIP_NR_CONN);
}

static sfsistat cb_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = conn_get(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	txn_set(&c->txn->helo, helo);
	return go_on(c, SMFIP_NR_HELO);
}

static void strip_brackets(const char *in, char *out, size_t outlen)
{
	size_t n;

	while (*in == ' ')
		in++;
	if (*in == '<')
		in++;
	n = strnlen(in, outlen - 1);
	memcpy(out, in, n);
	out[n] = '\0';
	if (n > 0 && out[n - 1] == '>')
		out[n - 1] = '\0';
}

/* The record of a transaction that ended without end of message. */
static void record_abort(struct conn *c)
{
	struct dg_record r;

	if (!c->in_txn)
		return;
	if (c->txn->size > 0) {	/* what the body showed before the abort */
		scanner_finish(c->scanner, &c->txn->scan);
		c->txn->scanned = true;
	}
	record_make(&r, c->policy, DG_STAGE_ABORT, &c->mail, c->txn);
	emit(c, &r);
}

static void begin_transaction(SMFICTX *ctx, struct conn *c, const char *sender)
{
	struct dg_txn *t = c->txn;
	const char *daemon;

	record_abort(c);	/* a MAIL without RSET: the last one ended */
	txn_reset(t);
	scanner_reset(c->scanner);
	memset(&c->mail, 0, sizeof(c->mail));
	c->in_txn = true;
	atomic_fetch_add(&inflight, 1);
	txn_set(&t->from, sender);
	txn_set(&t->auth_user, macro(ctx, "{auth_authen}"));
	txn_set(&t->auth_mech, macro(ctx, "{auth_type}"));
	txn_set(&t->tls, macro(ctx, "{tls_version}"));
	if ((daemon = macro(ctx, "{daemon_name}")) != NULL)
		txn_set(&t->daemon, daemon);
}

/* Whether the transaction's headers are to be read: the login's
 * ownership was checked at MAIL FROM, and passed. */
static void headers_begin(struct conn *c)
{
	c->check_headers = c->policy->senders.header_from == DG_HFROM_CHECK
			   && c->mail.sender_checked && !c->mail.refuse;
	if (!c->check_headers)
		return;
	if (c->hfrom == NULL)
		c->hfrom = hfrom_new();
	else
		hfrom_reset(c->hfrom);
}

static sfsistat cb_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	char sender[DG_FIELD_MAX + 1];
	struct gate_input in;
	struct dg_record r;

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	strip_brackets(argv && argv[0] ? argv[0] : "", sender, sizeof(sender));
	begin_transaction(ctx, c, sender);
	in.client = c->has_client ? (const struct sockaddr *)&c->client : NULL;
	in.daemon_name = c->txn->daemon;
	in.auth_authen = c->txn->auth_user;
	in.auth_type = c->txn->auth_mech;
	in.tls_version = c->txn->tls;
	in.sender = sender;
	in.remote = lookup_begin(&c->lookup, c->policy);
	gate_decide(c->policy, &in, &c->mail);
	lookup_end(c->lookup);
	headers_begin(c);
	record_make(&r, c->policy, DG_STAGE_MAIL, &c->mail, c->txn);
	if (r.decision.record)
		emit(c, &r);
	return r.decision.refuse ? refuse(ctx, r.decision.reply) : SMFIS_CONTINUE;
}

static sfsistat cb_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	if (c->in_txn && c->check_headers)
		hfrom_header(c->hfrom, name, value);
	return go_on(c, SMFIP_NR_HDR);
}

/*
 * End of message, senders.header_from = check: the From: header held to
 * the login map (dotgate.conf(5), HEADER FROM).  A refusal there takes
 * the place of the MAIL decision, which passed, so that verdict_final()
 * applies it, monitor mode included, before the body's verdict.
 */
static void headers_decide(struct conn *c)
{
	struct gate_result h = c->mail;

	if (!c->check_headers)
		return;
	hfrom_decide(c->policy, c->hfrom, c->txn->auth_user,
		     lookup_begin(&c->lookup, c->policy), &h);
	lookup_end(c->lookup);
	c->txn->header_from = hfrom_from(c->hfrom);
	if (h.refuse)
		c->mail = h;
}

static sfsistat cb_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = conn_get(ctx);
	char rcpt[DG_FIELD_MAX + 1];

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	strip_brackets(argv && argv[0] ? argv[0] : "", rcpt, sizeof(rcpt));
	txn_add_rcpt(c->txn, rcpt);
	return SMFIS_CONTINUE;
}

static sfsistat cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_TEMPFAIL;
	/* An exempt login's body is counted, not scanned: no anomaly. */
	if (!c->mail.body_exempt)
		scanner_push(c->scanner, chunk, len);
	c->txn->size += len;
	return go_on(c, SMFIP_NR_BODY);
}

static int add_tag(SMFICTX *ctx, struct conn *c, const struct final_decision *d)
{
	if (!d->tag)
		return 0;
	return smfi_addheader(ctx, c->policy->body.tag_header, (char *)d->body.tag_value)
	       == MI_SUCCESS ? 0 : -1;
}

static int quarantine(SMFICTX *ctx, const struct final_decision *d)
{
	char reason[DG_ALIST_MAX + 16];

	if (!d->quarantine)
		return 0;
	snprintf(reason, sizeof(reason), "dotgate: %s", d->body.alist);
	return smfi_quarantine(ctx, reason) == MI_SUCCESS ? 0 : -1;
}

/* Applies an end-of-message decision; a failed libmilter call there
 * is an internal error, and on_error says what becomes of the mail. */
static sfsistat apply_eom(SMFICTX *ctx, struct conn *c, struct final_decision *d)
{
	if (d->refuse)
		return refuse(ctx, d->reply);
	if (quarantine(ctx, d) == 0 && add_tag(ctx, c, d) == 0)
		return SMFIS_CONTINUE;
	log_msg(LOG_ERR, "%s: cannot quarantine or tag the message",
		c->txn->qid ? c->txn->qid : "NOQUEUE");
	if (error_status(c) != SMFIS_TEMPFAIL)
		return SMFIS_CONTINUE;
	d->verdict = DG_VERDICT_TEMPFAIL;
	return SMFIS_TEMPFAIL;
}

/*
 * audit.required: the mail about to be accepted has no record in any
 * sink that keeps records, so it is deferred instead (dotgate.conf(5),
 * "THE AUDIT SECTION").  The record had to be written before this was
 * known, so it says the verdict decided; it was kept nowhere, and only
 * the metrics counted it: dotgate_audit_required_tempfails_total says
 * how many of those were deferred.  Refusals need nothing: no mail is
 * accepted, whether their record was kept or not; nor does monitor mode
 * change this, which is about the record, not the policy.
 */
static sfsistat refuse_unaudited(SMFICTX *ctx, const struct conn *c)
{
	char reply[DG_REPLY_MAX + 1];
	struct reply_vars v = { c->txn->from, c->txn->auth_user, NULL };

	reply_expand(&c->policy->audit.reply_required, &v, reply, sizeof(reply));
	metrics_required_tempfail();
	return refuse(ctx, reply);
}

static sfsistat cb_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	struct dg_record r;
	sfsistat st;

	if (c == NULL || !c->in_txn)
		return c ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
	txn_set(&c->txn->qid, macro(ctx, "i"));
	scanner_finish(c->scanner, &c->txn->scan);
	c->txn->scanned = true;
	headers_decide(c);
	record_make(&r, c->policy, DG_STAGE_EOM, &c->mail, c->txn);
	st = apply_eom(ctx, c, &r.decision);
	if (!emit(c, &r) && st == SMFIS_CONTINUE && c->policy->audit.required)
		st = refuse_unaudited(ctx, c);
	return st;
}

static void abort_transaction(SMFICTX *ctx, struct conn *c)
{
	if (c->in_txn && c->txn->qid == NULL)
		txn_set(&c->txn->qid, macro(ctx, "i"));
	record_abort(c);
}

static sfsistat cb_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		abort_transaction(ctx, c);
	return SMFIS_CONTINUE;
}

static sfsistat cb_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c == NULL)
		return SMFIS_CONTINUE;
	c->cb_t0 = metrics_clock();
	abort_transaction(ctx, c);
	(void)smfi_setpriv(ctx, NULL);
	scanner_free(c->scanner);
	txn_free(c->txn);
	lookup_free(c->lookup);
	hfrom_free(c->hfrom);
	policy_unref(c->policy);
	free(c);
	metrics_conn_close();
	return SMFIS_CONTINUE;
}

/*
 * The callbacks libmilter calls: each timed, when the metrics endpoint
 * is on, for dotgate_callback_duration_seconds (emit() observes the
 * time of a transaction's callbacks; metrics_clock() is 0 when off).
 */
static void timed_enter(SMFICTX *ctx, uint64_t t0)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		c->cb_t0 = t0;
}

static sfsistat timed_leave(SMFICTX *ctx, sfsistat st)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->cb_t0 != 0) {
		c->cb_ns += metrics_clock() - c->cb_t0;
		c->cb_t0 = 0;
	}
	return st;
}

#define TIMED(name, params, args) \
	static sfsistat t_##name params \
	{ \
		timed_enter(ctx, metrics_clock()); \
		return timed_leave(ctx, cb_##name args); \
	}

TIMED(connect, (SMFICTX *ctx, char *host, _SOCK_ADDR *addr), (ctx, host, addr))
TIMED(helo, (SMFICTX *ctx, char *helo), (ctx, helo))
TIMED(envfrom, (SMFICTX *ctx, char **argv), (ctx, argv))
TIMED(envrcpt, (SMFICTX *ctx, char **argv), (ctx, argv))
TIMED(header, (SMFICTX *ctx, char *name, char *value), (ctx, name, value))
TIMED(body, (SMFICTX *ctx, unsigned char *chunk, size_t len), (ctx, chunk, len))
TIMED(eom, (SMFICTX *ctx), (ctx))
TIMED(abort, (SMFICTX *ctx), (ctx))

static struct smfiDesc desc = {
	.xxfi_name = "dotgate",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST,
	.xxfi_connect = t_connect,
	.xxfi_helo = t_helo,
	.xxfi_envfrom = t_envfrom,
	.xxfi_envrcpt = t_envrcpt,
	.xxfi_header = t_header,
	.xxfi_body = t_body,
	.xxfi_eom = t_eom,
	.xxfi_abort = t_abort,
	.xxfi_close = cb_close,
	.xxfi_negotiate = cb_negotiate,
};

struct smfiDesc *milter_desc(void)
{
	return &desc;
}
