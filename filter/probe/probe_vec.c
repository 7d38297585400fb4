/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_vec.c: the anomaly vectors dotgate-probe sends, their printable
 * form, and how the replies to one message are judged (contract
 * section 8).  Pure code: no sockets, so it is unit-tested directly.
 *
 * NAME
 *	probe_vec - vector table, byte escaping, outcome classification
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	Each vector sits between the body line "hello" and a hidden
 *	transaction.  The table covers every class of contract section 5
 *	that a client can produce: the ten smuggle_eod line ends, and with
 *	"\n.\r\r\n" and "\n\n.\r\n" the twelve end-of-data look-alikes
 *	of the published SMTP smuggling research, the two NUL-dot forms, a
 *	bare CR, a bare LF, a NUL, a long line and a lone dot (sent
 *	stuffed, as "..").  The control ends "hello" with a plain CRLF, so
 *	its hidden transaction is just text at line starts (smtp_commands)
 *	that no server may treat as commands.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "util.h"

#define V(name, lit, what) { name, lit, sizeof(lit) - 1, what }

/* 1000 octets: longer than the contract's default max_line_length 998. */
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

static int positive(const struct probe_reply *r)
{
	return r->code >= 200 && r->code < 400;
}

/*
 * r[0] answers the end of data the server saw first.  A second reply
 * means the server ended DATA inside the message and then read the
 * hidden MAIL (r[1]), RCPT (r[2]), DATA (r[3], 354) and the hidden
 * message's end of data (r[4]).
 */
enum probe_outcome probe_classify(const struct probe_reply *r, size_t n,
				  size_t *which)
{
	*which = 0;
	if (n == 0 || r[0].code == 0)
		return PROBE_ERROR;
	if (n == 1 || r[1].code == 0)
		return positive(&r[0]) ? PROBE_ACCEPTED : PROBE_REJECTED;
	for (size_t i = 1; i < n && i <= 4; i++) {
		int want_354 = (i == 3);

		if (r[i].code == 0 || (want_354 ? r[i].code != 354
						: !(r[i].code >= 200 &&
						    r[i].code < 300))) {
			*which = i;
			return PROBE_SPLIT_REFUSED;
		}
	}
	if (n < 5) {
		/* The hidden transaction never reached its end of data. */
		*which = n - 1;
		return PROBE_SPLIT_REFUSED;
	}
	*which = 4;
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
			       enum probe_end end, size_t *which)
{
	*which = 0;
	if (end == PROBE_END_ERROR || n == 0)
		return PROBE_ERROR;
	if (end == PROBE_END_CLOSED && (n == 1 || r[1].code == 0))
		/* 421 is a server refusing the message and saying so
		 * before it hangs up (Sendmail on a bare LF): no split. */
		return r[0].code == 421 ? PROBE_REJECTED : PROBE_SPLIT_REFUSED;
	return probe_classify(r, n, which);
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
