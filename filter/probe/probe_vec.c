/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_vec.c: the anomaly vectors dotgate-probe sends, their printable
 * form, and how the replies to one message are judged
 * (dotgate-probe(1), Outcomes).  Pure code: no sockets, so it is
 * unit-tested directly.
 *
 * NAME
 *	probe_vec - vector table, byte escaping, outcome classification
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	Each vector sits between the body line "hello" and a hidden
 *	transaction.  The table covers every class of dotgate.conf(5)
 *	that a client can produce: the ten smuggle_eod line ends, and with
 *	"\n.\r\r\n" and "\n\n.\r\n" the twelve end-of-data look-alikes
 *	of the published SMTP smuggling research, the two NUL-dot forms, a
 *	bare CR, a bare LF, a NUL, a long line and a lone dot (sent
 *	stuffed, as "..").  The control ends "hello" with a plain CRLF, so
 *	its hidden transaction is just text at line starts (smtp_commands)
 *	that no server may treat as commands.
 *
 *	The hidden transaction follows the vector in one of the variants
 *	of probe.h (template, case, DATA or BDAT); probe_message() builds
 *	the whole DATA content, and probe_classify() knows which replies a
 *	split server gives in each variant.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "probe.h"
#include "util.h"

#define V(name, lit, what) { name, lit, sizeof(lit) - 1, what }

/* 1000 octets: longer than dotgate.conf(5)'s default max_line_length 998. */
#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X1000 X100 X100 X100 X100 X100 X100 X100 X100 X100 X100

const struct probe_vector probe_vectors[] = {
	V("control", "\r\n", "plain CRLF: the hidden transaction is body text"),
	V("eod-lf-lf", "\n.\n", "smuggle_eod \\n.\\n"),
	V("eod-lf-crlf", "\n.\r\n", "smuggle_eod \\n.\\r\\n"),
	V("eod-crlf-lf", "\r\n.\n", "smuggle_eod \\r\\n.\\n"),
	V("eod-cr-cr", "\r.\r", "smuggle_eod \\r.\\r"),
	V("eod-cr-crlf", "\r.\r\n", "smuggle_eod \\r.\\r\\n"),
	V("eod-cr-lf", "\r.\n", "smuggle_eod \\r.\\n"),
	V("eod-lf-cr", "\n.\r", "smuggle_eod \\n.\\r"),
	V("eod-crlf-cr", "\r\n.\r", "smuggle_eod \\r\\n.\\r"),
	V("eod-crlf-crcrlf", "\r\n.\r\r\n", "smuggle_eod \\r\\n.\\r\\r\\n"),
	V("eod-crcrlf-crcrlf", "\r\r\n.\r\r\n",
	  "smuggle_eod \\r\\r\\n.\\r\\r\\n"),
	V("eod-lf-crcrlf", "\n.\r\r\n", "smuggle_eod \\n.\\r\\r\\n"),
	V("eod-lflf-crlf", "\n\n.\r\n", "smuggle_eod \\n\\n.\\r\\n"),
	V("nul-dot", "\r\n\0.\r\n", "NUL before a line-start dot"),
	V("dot-nul", "\r\n.\0\r\n", "NUL after a line-start dot"),
	V("bare-cr", "\rworld\r\n", "bare_cr inside a line"),
	V("bare-lf", "\nworld\r\n", "bare_lf inside a line"),
	V("nul", "\0world\r\n", "nul inside a line"),
	V("long-line", "\r\n" X1000 "\r\n", "long_line of 1000 octets"),
	V("lone-dot", "\r\n..\r\n", "lone_dot: a stuffed dot line"),
};

const size_t probe_nvectors = DG_ARRAY_LEN(probe_vectors);

const struct probe_vector *probe_vector_find(const char *name)
{
	for (size_t i = 0; i < probe_nvectors; i++)
		if (strcmp(probe_vectors[i].name, name) == 0)
			return &probe_vectors[i];
	return NULL;
}

char *probe_escape(const char *bytes, size_t len)
{
	/* Worst case 4 output octets per input octet (\xHH). */
	char *out = xmalloc(len * 4 + 1);
	char *o = out;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)bytes[i];

		switch (ch) {
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\0': *o++ = '\\'; *o++ = '0'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		default:
			if (ch >= 0x20 && ch < 0x7f) {
				*o++ = (char)ch;
			} else {
				(void)snprintf(o, 5, "\\x%02x", ch);
				o += 4;
			}
		}
	}
	*o = '\0';
	return out;
}

const char *const probe_template_names[PROBE_NTEMPLATES] = {
	"direct", "crlf", "crlfcrlf",
};
const char *const probe_case_names[PROBE_NCASES] = { "upper", "lower" };
const char *const probe_hidden_names[PROBE_NHIDDEN] = { "data", "bdat" };

/* What each template puts between the vector and the hidden MAIL. */
static const char *const template_sep[PROBE_NTEMPLATES] = {
	"", "\r\n", "\r\n\r\n",
};
/*
 * ... and how many empty command lines that is for a split server, plus
 * one: a server may also take what is left of the look-alike after its
 * end of data (the "\r\n" of ".\r\r\n") as an empty command, and a
 * 500 for it must not hide a hidden transaction that went through.
 */
static const size_t template_blank[PROBE_NTEMPLATES] = { 1, 2, 3 };

size_t probe_variants(const struct probe_opts *o, struct probe_variant *out)
{
	size_t n = 0;

	for (size_t t = 0; t < o->ntemplates; t++)
		for (size_t c = 0; c < o->ncases; c++)
			for (size_t h = 0; h < o->nhiddens; h++) {
				out[n].tmpl = o->templates[t];
				out[n].kase = o->cases[c];
				out[n].hidden = o->hiddens[h];
				n++;
			}
	return n;
}

static int hidden_shown(const struct probe_opts *o)
{
	return o->nhiddens != 1 || o->hiddens[0] != PROBE_HIDDEN_DATA;
}

int probe_variants_shown(const struct probe_opts *o)
{
	return o->ntemplates != 1 || o->templates[0] != PROBE_TMPL_DIRECT ||
	       o->ncases != 1 || o->cases[0] != PROBE_CASE_UPPER ||
	       hidden_shown(o);
}

void probe_label(const struct probe_opts *o, const struct probe_vector *v,
		 const struct probe_variant *var, char *buf, size_t size)
{
	if (!probe_variants_shown(o))
		(void)snprintf(buf, size, "%s", v->name);
	else
		(void)snprintf(buf, size, "%s/%s/%s%s%s", v->name,
			       probe_template_names[var->tmpl],
			       probe_case_names[var->kase],
			       hidden_shown(o) ? "/" : "",
			       hidden_shown(o) ?
			       probe_hidden_names[var->hidden] : "");
}

char *probe_message(const struct probe_opts *o, const struct probe_vector *v,
		    const struct probe_variant *var, const char *label,
		    const char *uniq, size_t *lenp)
{
	int lower = var->kase == PROBE_CASE_LOWER;
	struct buf m = BUF_INIT, hidden = BUF_INIT;

	buf_printf(&m, "From: <%s>\r\nTo: <%s>\r\nSubject: dotgate-probe %s\r\n"
		   "Message-ID: <dotgate-probe.%s.%s@dotgate-probe.invalid>\r\n"
		   "\r\nhello", o->from, o->to, label, label, uniq);
	buf_add(&m, v->bytes, v->len);
	buf_printf(&m, "%s%s FROM:<%s>\r\n%s TO:<%s>\r\n",
		   template_sep[var->tmpl], lower ? "mail" : "MAIL",
		   o->hidden_from, lower ? "rcpt" : "RCPT", o->to);
	buf_printf(&hidden, "From: <%s>\r\nTo: <%s>\r\n"
		   "Subject: dotgate-probe hidden %s\r\n\r\nhidden\r\n",
		   o->hidden_from, o->to, label);
	if (var->hidden == PROBE_HIDDEN_BDAT)
		buf_printf(&m, "%s %zu LAST\r\n", lower ? "bdat" : "BDAT",
			   hidden.len);
	else
		buf_printf(&m, "%s\r\n", lower ? "data" : "DATA");
	buf_add(&m, hidden.p, hidden.len);
	/* DATA's end of data, and for BDAT the end of the outer DATA of a
	 * server that did not split (one that did reads it as a command). */
	buf_add(&m, ".\r\n", 3);
	buf_free(&hidden);
	*lenp = m.len;
	return m.p;
}

static int positive(const struct probe_reply *r)
{
	return r->code >= 200 && r->code < 400;
}

/* The answer to an empty command line: Postfix "500 5.5.2 Error: bad
 * syntax"; "command unrecognized" is 500 or 502 elsewhere. */
static int unrecognized(const struct probe_reply *r)
{
	return r->code == 500 || r->code == 502;
}

/*
 * r[0] answers the end of data the server saw first.  A second reply
 * means the server ended DATA inside the message and then read the
 * template's empty lines, if any (up to as many replies 500 or 502),
 * the hidden MAIL, RCPT, and DATA (354) and the hidden message's end
 * of data, or BDAT LAST.
 */
enum probe_outcome probe_classify(const struct probe_reply *r, size_t n,
				  const struct probe_variant *var,
				  size_t *which)
{
	size_t first = 1, blank = template_blank[var->tmpl], last;
	int bdat = var->hidden == PROBE_HIDDEN_BDAT;

	*which = 0;
	if (n == 0 || r[0].code == 0)
		return PROBE_ERROR;
	if (n == 1 || r[1].code == 0)
		return positive(&r[0]) ? PROBE_ACCEPTED : PROBE_REJECTED;
	/* Those empty lines: 0 to blank of them, as the split fell. */
	while (blank > 0 && first < n && unrecognized(&r[first])) {
		first++;
		blank--;
	}
	/* The reply to the hidden message: after MAIL, RCPT (and DATA). */
	last = first + (bdat ? 2 : 3);
	for (size_t i = first; i < n && i <= last; i++) {
		int want_354 = !bdat && i == first + 2;

		if (r[i].code == 0 || (want_354 ? r[i].code != 354
						: !(r[i].code >= 200 &&
						    r[i].code < 300))) {
			*which = i;
			return PROBE_SPLIT_REFUSED;
		}
	}
	if (n <= last) {
		/* The hidden transaction never reached its end of data. */
		*which = n - 1;
		return PROBE_SPLIT_REFUSED;
	}
	*which = last;
	return PROBE_SMUGGLED;
}

/*
 * The same replies, knowing how reading them ended.  A server that
 * read our message to its real end of data answers it, then reads our
 * QUIT and says 221.  Hanging up instead leaves our input unread (the
 * kernel turns the close into a reset that may eat replies still
 * queued), which only a server that took an earlier end of data and
 * then refused the pipelined rest has reason to do (Postfix 3.10,
 * smtpd_forbid_unauth_pipelining): a refusal of the split, whatever
 * prefix of its replies got through, so that every run says the same.
 */
enum probe_outcome probe_judge(const struct probe_reply *r, size_t n,
			       const struct probe_variant *var,
			       enum probe_end end, size_t *which)
{
	*which = 0;
	if (end == PROBE_END_ERROR || n == 0)
		return PROBE_ERROR;
	if (end == PROBE_END_CLOSED && (n == 1 || r[1].code == 0))
		/* 421 is a server refusing the message and saying so
		 * before it hangs up (Sendmail on a bare LF): no split. */
		return r[0].code == 421 ? PROBE_REJECTED : PROBE_SPLIT_REFUSED;
	return probe_classify(r, n, var, which);
}

const char *probe_outcome_name(enum probe_outcome o)
{
	switch (o) {
	case PROBE_ACCEPTED: return "accepted";
	case PROBE_REJECTED: return "rejected";
	case PROBE_SPLIT_REFUSED: return "split-refused";
	case PROBE_SMUGGLED: return "smuggled";
	case PROBE_ERROR: return "error";
	}
	return "error";
}

/*
 * Queue id from a 250 reply: Postfix says "queued as ID", Sendmail
 * "ID Message accepted for delivery", Exim "OK id=ID".  Returns 0 and
 * fills qid when one of the forms matches, -1 otherwise.
 */
int probe_qid(const char *text, char *qid, size_t qidsize)
{
	const char *p;
	size_t n;

	if (qidsize == 0)
		return -1;
	qid[0] = '\0';
	if ((p = strstr(text, "queued as ")) != NULL)
		p += strlen("queued as ");
	else if ((p = strstr(text, "id=")) != NULL)
		p += strlen("id=");
	else if ((p = strstr(text, " Message accepted for delivery")) != NULL) {
		const char *end = p;

		while (p > text && p[-1] != ' ')
			p--;
		n = (size_t)(end - p);
		goto copy;
	} else {
		return -1;
	}
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789-_.");
copy:
	if (n == 0 || n >= qidsize)
		return -1;
	memcpy(qid, p, n);
	qid[n] = '\0';
	return 0;
}

void probe_errf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}
