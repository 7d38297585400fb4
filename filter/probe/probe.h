/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	probe - dotgate-probe's modules: vectors, options, SMTP, SASL, outcome
 * SYNOPSIS
 *	extern const struct probe_vector probe_vectors[];
 *	extern const size_t probe_nvectors;
 *	const struct probe_vector *probe_vector_find(const char *name);
 *	char *probe_escape(const char *bytes, size_t len);
 *	extern const char *const probe_template_names[PROBE_NTEMPLATES];
 *	extern const char *const probe_case_names[PROBE_NCASES];
 *	extern const char *const probe_hidden_names[PROBE_NHIDDEN];
 *	size_t probe_variants(const struct probe_opts *o,
 *			      struct probe_variant *out);
 *	int probe_variants_shown(const struct probe_opts *o);
 *	void probe_label(const struct probe_opts *o,
 *			 const struct probe_vector *v,
 *			 const struct probe_variant *var, char *buf,
 *			 size_t size);
 *	char *probe_message(const struct probe_opts *o,
 *			    const struct probe_vector *v,
 *			    const struct probe_variant *var,
 *			    const char *label, const char *uniq,
 *			    size_t *lenp);
 *
 *	int probe_parse_args(int argc, char **argv, struct probe_opts *o);
 *
 *	enum probe_outcome probe_classify(const struct probe_reply *r, size_t n,
 *					  const struct probe_variant *var,
 *					  size_t *which);
 *	enum probe_outcome probe_judge(const struct probe_reply *r, size_t n,
 *				       const struct probe_variant *var,
 *				       enum probe_end end, size_t *which);
 *	const char *probe_outcome_name(enum probe_outcome o);
 *	int probe_qid(const char *reply_text, char *qid, size_t qidsize);
 *	void probe_errf(char *buf, size_t size, const char *fmt, ...);
 *
 *	int probe_net_connect(struct probe_smtp *c, const char *host,
 *			       const char *port, int timeout_ms);
 *	void probe_smtp_close(struct probe_smtp *c);
 *	int probe_smtp_send(struct probe_smtp *c, const void *buf, size_t len);
 *	int probe_smtp_cmd(struct probe_smtp *c, const char *cmd);
 *	int probe_smtp_reply(struct probe_smtp *c, struct probe_reply *r);
 *	int probe_net_wait(struct probe_smtp *c, short events);
 *
 *	int probe_tls_init(const char *cafile, int insecure, char *err,
 *			   size_t errsize);
 *	void probe_tls_done(void);
 *	int probe_tls_start(struct probe_smtp *c, const char *host);
 *	ssize_t probe_tls_read(struct probe_smtp *c, void *buf, size_t len);
 *	ssize_t probe_tls_write(struct probe_smtp *c, const void *buf,
 *				size_t len);
 *	void probe_tls_close(struct probe_smtp *c);
 *	const char *probe_tls_version(const struct probe_smtp *c);
 *	const char *probe_tls_cipher(const struct probe_smtp *c);
 *
 *	int probe_sasl_init(void);
 *	int probe_sasl_auth(struct probe_smtp *c, const char *host,
 *			    const char *mechlist, const char *user,
 *			    const char *password, char *mech_used, size_t mechsize,
 *			    struct probe_reply *last, char *err, size_t errsize);
 * DESCRIPTION
 *	A vector is the byte string the probe puts between the body line
 *	"hello" and a hidden transaction (MAIL FROM, RCPT TO, DATA, a short
 *	message): dotgate-probe(1), Vectors.  probe_escape() returns a
 *	malloc'ed printable form: \r \n \0 \t \\ and \xHH for other bytes
 *	outside printable ASCII.
 *
 *	A variant says how the hidden transaction follows the vector:
 *	after nothing, CRLF or CRLF CRLF (template), its commands in upper
 *	or lower case ("mail FROM:<...>", "rcpt TO:<...>", "data", as the
 *	public smuggling tools write them), its message carried by DATA
 *	(ended by CRLF.CRLF) or by "BDAT N LAST" (N the exact octet count
 *	of the hidden message).  probe_variants() lists the variants the
 *	options ask for, templates outermost, then cases, then hidden data
 *	(each in the order given), and returns how many;
 *	probe_variants_shown() tells whether that is more than the default
 *	(direct, upper, data), and then probe_label() names a result
 *	"vector/template/case", plus "/data" or "/bdat" when --hidden-data
 *	asked for BDAT; else the vector's name alone.
 *	probe_message() returns the malloc'ed DATA content for v in
 *	variant var (its length in *lenp): the headers (label in Subject
 *	and Message-ID, uniq in the Message-ID), the body line "hello",
 *	the vector, the template's separator, the hidden transaction and
 *	the final end of data.  In BDAT form the hidden message (headers,
 *	"hidden" CRLF) is exactly the N octets announced, and the ".\r\n"
 *	that ends the outer DATA for a server that did not split follows
 *	it, not counted.
 *
 *	probe_parse_args() fills o from the command line and returns
 *	PROBE_RUN; or, for main() to return, PROBE_EXIT_ERROR on a bad one
 *	(reported on stderr) and PROBE_EXIT_CLEAN after --list, --help and
 *	--version.  o->only is allocated either way.  Every field
 *	is checked: addresses and the EHLO name go into SMTP commands.
 *	--template, --case and --hidden-data take a value, a comma list or
 *	"all", and may be repeated.
 *
 *	probe_classify() judges the replies read after the message was sent
 *	in variant var (r[0] answers the first end of data; further replies
 *	exist only if the server ended DATA inside the message, and then
 *	answer the hidden MAIL, RCPT, DATA and its end of data, or MAIL,
 *	RCPT and BDAT LAST; QUIT's 221 is not among them).  The empty lines
 *	of the crlf and crlfcrlf templates may come first: up to one
 *	(crlf) or two (crlfcrlf) leading replies 500 or 502, what servers
 *	answer to an empty command line, are skipped.  It sets *which to
 *	the index of the reply that best explains the outcome: the first
 *	reply for accepted/rejected, the first refusing hidden reply for
 *	split-refused, the reply to the hidden end of data (DATA) or to
 *	BDAT LAST for smuggled.  n == 0 is PROBE_ERROR.
 *
 *	probe_judge() adds how reading those replies ended (end): after
 *	QUIT's 221 or a 421 goodbye (PROBE_END_QUIT), with the connection
 *	closed or reset by the server without one (PROBE_END_CLOSED), or on
 *	another error: a timeout, a TLS or SMTP protocol error
 *	(PROBE_END_ERROR, always PROBE_ERROR).  A server that read our whole
 *	message answers its end of data and then QUIT; one that hangs up
 *	instead, before any reply (r[0].code == 0) or with r[0] its only
 *	reply, stopped reading at an earlier end of data and refused the
 *	rest: PROBE_SPLIT_REFUSED with *which 0, unless r[0] is a 421, the
 *	server's own goodbye (PROBE_REJECTED).  With hidden replies the
 *	verdict is probe_classify()'s, a missing one counting as a refusal:
 *	smuggled only if the hidden end of data (or BDAT LAST) was answered
 *	2xx.
 *
 *	probe_net_connect() opens the TCP connection and probe_net_wait()
 *	is the one wait (probe_net.c, below TLS and SMTP).  The
 *	probe_smtp_* functions speak SMTP over it with a deadline on every
 *	read and write (timeout_ms per call).  Replies are
 *	bounded: at most PROBE_LINE_MAX octets a line and PROBE_REPLY_LINES
 *	lines a reply; their text is kept up to PROBE_REPLY_MAX octets, lines
 *	joined with "\n", CR/LF removed.  probe_smtp_reply() stores the EHLO
 *	keywords of a reply in r->text too, so the caller can look for AUTH.
 *
 *	With --starttls or --tls the same calls run inside TLS once
 *	probe_tls_start() has succeeded (probe_tls.c: OpenSSL, the peer
 *	certificate checked against --cafile or the system's store and the
 *	host of --server, unless --insecure).
 *
 *	probe_sasl_auth() runs the AUTH exchange with libsasl2's client API.
 *	mechlist is the server's AUTH list or the one mechanism the user
 *	asked for; no security layer is negotiated (max_ssf 0), so the
 *	session stays plain SMTP after 235.
 * DIAGNOSTICS
 *	probe_errf() formats an error message into buf, cut to size:
 *	messages quote server text of any length, and a cut message is
 *	better than none.
 *	probe_smtp_* and probe_sasl_* return 0 on success, -1 on error with a
 *	message in err (c->err for the probe_smtp_* calls).  c->closed tells
 *	whether the server closed (PROBE_CLOSED_EOF) or reset
 *	(PROBE_CLOSED_RESET: ECONNRESET, EPIPE) the connection, in clear or
 *	inside TLS; it stays 0 for timeouts, TLS and SMTP protocol errors.
 */
#ifndef DG_PROBE_H
#define DG_PROBE_H

#include <stddef.h>
#include <sys/types.h>

#define PROBE_LINE_MAX 16384		/* one reply line (AUTH challenges) */
#define PROBE_REPLY_LINES 100
#define PROBE_REPLY_MAX 2048
#define PROBE_MAX_REPLIES 64		/* replies read after the message */

struct probe_vector {
	const char *name;
	const char *bytes;
	size_t len;
	const char *what;		/* one-line description */
};

extern const struct probe_vector probe_vectors[];
extern const size_t probe_nvectors;

const struct probe_vector *probe_vector_find(const char *name);
char *probe_escape(const char *bytes, size_t len);

#define PROBE_ADDR_MAX 512		/* a MAIL or RCPT address, without <> */

/* Between the vector and the hidden MAIL: nothing, CRLF, CRLF CRLF. */
enum probe_template { PROBE_TMPL_DIRECT, PROBE_TMPL_CRLF,
		      PROBE_TMPL_CRLFCRLF };
#define PROBE_NTEMPLATES 3
/* The hidden commands: "MAIL FROM:", or "mail FROM:" as the tools do. */
enum probe_case { PROBE_CASE_UPPER, PROBE_CASE_LOWER };
#define PROBE_NCASES 2
/* The hidden message: DATA ... CRLF.CRLF, or BDAT N LAST. */
enum probe_hidden { PROBE_HIDDEN_DATA, PROBE_HIDDEN_BDAT };
#define PROBE_NHIDDEN 2
#define PROBE_MAX_VARIANTS (PROBE_NTEMPLATES * PROBE_NCASES * PROBE_NHIDDEN)

struct probe_variant {
	enum probe_template tmpl;
	enum probe_case kase;
	enum probe_hidden hidden;
};

extern const char *const probe_template_names[PROBE_NTEMPLATES];
extern const char *const probe_case_names[PROBE_NCASES];
extern const char *const probe_hidden_names[PROBE_NHIDDEN];

enum probe_tls_mode { PROBE_TLS_NONE, PROBE_TLS_STARTTLS, PROBE_TLS_IMPLICIT };

struct probe_opts {
	char host[256];
	char port[16];
	const char *server;
	const char *user;
	char *password;
	const char *mech;
	const char *from;
	const char *to;
	char hidden_from[PROBE_ADDR_MAX + 1];
	const char *helo;
	int json;
	int timeout_ms;
	enum probe_tls_mode tls;
	int insecure;			/* --insecure: no certificate check */
	const char *cafile;		/* --cafile; NULL: system trust store */
	const struct probe_vector **only;	/* --vector, in order given */
	size_t nonly;
	/* --template, --case, --hidden-data: each value once, in the order
	 * given; never empty after probe_parse_args() (the default). */
	enum probe_template templates[PROBE_NTEMPLATES];
	size_t ntemplates;
	enum probe_case cases[PROBE_NCASES];
	size_t ncases;
	enum probe_hidden hiddens[PROBE_NHIDDEN];
	size_t nhiddens;
};

/* The exit statuses of dotgate-probe(1), EXIT STATUS. */
enum probe_exit {
	PROBE_RUN = -1,			/* not one: the probe goes on */
	PROBE_EXIT_CLEAN = 0,		/* no vector was smuggled */
	PROBE_EXIT_SMUGGLED = 1,
	PROBE_EXIT_ERROR = 2		/* usage, connection, ... */
};

int probe_parse_args(int argc, char **argv, struct probe_opts *o);

size_t probe_variants(const struct probe_opts *o, struct probe_variant *out);
int probe_variants_shown(const struct probe_opts *o);
void probe_label(const struct probe_opts *o, const struct probe_vector *v,
		 const struct probe_variant *var, char *buf, size_t size);
char *probe_message(const struct probe_opts *o, const struct probe_vector *v,
		    const struct probe_variant *var, const char *label,
		    const char *uniq, size_t *lenp);

struct probe_reply {
	int code;			/* 0: none (connection closed) */
	char text[PROBE_REPLY_MAX + 1];	/* full reply, lines joined by \n */
};

enum probe_outcome {
	PROBE_ACCEPTED,
	PROBE_REJECTED,
	PROBE_SPLIT_REFUSED,
	PROBE_SMUGGLED,
	PROBE_ERROR
};

/* How reading the replies after the message ended (probe_judge). */
enum probe_end {
	PROBE_END_QUIT,			/* 221 to QUIT, or a 421 goodbye */
	PROBE_END_CLOSED,		/* closed or reset, no goodbye */
	PROBE_END_ERROR			/* timeout, TLS or protocol error */
};

enum probe_outcome probe_classify(const struct probe_reply *r, size_t n,
				  const struct probe_variant *var,
				  size_t *which);
enum probe_outcome probe_judge(const struct probe_reply *r, size_t n,
			       const struct probe_variant *var,
			       enum probe_end end, size_t *which);
const char *probe_outcome_name(enum probe_outcome o);
int probe_qid(const char *reply_text, char *qid, size_t qidsize);
void probe_errf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct ssl_st;				/* OpenSSL's SSL */

/* probe_smtp.closed: how the server ended the connection, if it did. */
#define PROBE_CLOSED_EOF 1
#define PROBE_CLOSED_RESET 2

struct probe_smtp {
	int fd;
	struct ssl_st *ssl;		/* NULL: plain TCP */
	int closed;			/* 0, PROBE_CLOSED_EOF or _RESET */
	int timeout_ms;
	size_t start, end;
	char buf[8192];
	char err[256];
};

int probe_net_connect(struct probe_smtp *c, const char *host,
		       const char *port, int timeout_ms);
void probe_smtp_close(struct probe_smtp *c);
int probe_smtp_send(struct probe_smtp *c, const void *buf, size_t len);
int probe_smtp_cmd(struct probe_smtp *c, const char *cmd);
int probe_smtp_reply(struct probe_smtp *c, struct probe_reply *r);
int probe_net_wait(struct probe_smtp *c, short events);

int probe_tls_init(const char *cafile, int insecure, char *err,
		   size_t errsize);
void probe_tls_done(void);
int probe_tls_start(struct probe_smtp *c, const char *host);
ssize_t probe_tls_read(struct probe_smtp *c, void *buf, size_t len);
ssize_t probe_tls_write(struct probe_smtp *c, const void *buf, size_t len);
void probe_tls_close(struct probe_smtp *c);
const char *probe_tls_version(const struct probe_smtp *c);
const char *probe_tls_cipher(const struct probe_smtp *c);

int probe_sasl_init(void);
int probe_sasl_auth(struct probe_smtp *c, const char *host,
		    const char *mechlist, const char *user,
		    const char *password, char *mech_used, size_t mechsize,
		    struct probe_reply *last, char *err, size_t errsize);

#endif
