/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.c: validation and expansion of configured SMTP replies (see reply.h).
 * Postfix treats a milter reply whose enhanced code class differs from
 * the reply class as malformed, so that is a load error here; and every
 * substituted value is made printable so a client cannot inject CR/LF.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply.h"
#include "util.h"

static int is_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

/* "C.SSS.DDD": class, subject 1-3 digits, detail 1-3 digits (RFC 3463). */
static int parse_ecode(const char *s, size_t n)
{
	const char *dot1 = memchr(s, '.', n);
	const char *dot2;

	if (dot1 == NULL || dot1 != s + 1)
		return -1;
	dot2 = memchr(dot1 + 1, '.', (size_t)(s + n - dot1 - 1));
	if (dot2 == NULL)
		return -1;
	if (!is_digits(dot1 + 1, (size_t)(dot2 - dot1 - 1)) || dot2 - dot1 - 1 > 3)
		return -1;
	if (!is_digits(dot2 + 1, (size_t)(s + n - dot2 - 1)) || s + n - dot2 - 1 > 3)
		return -1;
	return 0;
}

static int check_escapes(const char *t, char *err, size_t errlen)
{
	for (; *t; t++) {
		if (*t == '\r' || *t == '\n') {
			snprintf(err, errlen, "reply contains CR or LF");
			return -1;
		}
		if ((unsigned char)*t < 0x20 || (unsigned char)*t > 0x7e) {
			snprintf(err, errlen, "reply contains a non-printable byte");
			return -1;
		}
		if (*t != '%')
			continue;
		t++;
		if (*t != 's' && *t != 'u' && *t != 'a' && *t != '%') {
			snprintf(err, errlen, "reply has an unknown escape '%%%c' "
				 "(use %%s, %%u, %%a or %%%%)", *t ? *t : ' ');
			return -1;
		}
	}
	return 0;
}

int reply_parse(struct dg_reply *r, const char *text, char *err, size_t errlen)
{
	size_t len = strlen(text);
	const char *sp;

	memset(r, 0, sizeof(*r));
	if (len > DG_REPLY_MAX) {
		snprintf(err, errlen, "reply longer than %d characters", DG_REPLY_MAX);
		return -1;
	}
	if (len < 4 || !is_digits(text, 3) || (text[0] != '4' && text[0] != '5')
	    || text[3] != ' ') {
		snprintf(err, errlen, "reply \"%.40s\" must start with a 4xx or 5xx code and a space", text);
		return -1;
	}
	sp = strchr(text + 4, ' ');
	if (sp == NULL)
		sp = text + len;
	if (parse_ecode(text + 4, (size_t)(sp - text - 4)) < 0
	    || (size_t)(sp - text - 4) >= sizeof(r->ecode)) {
		snprintf(err, errlen, "reply \"%.40s\" needs an enhanced status code (X.Y.Z) after the code", text);
		return -1;
	}
	if (text[4] != text[0]) {
		snprintf(err, errlen, "reply \"%.40s\": enhanced code class %c differs from reply class %c",
			 text, text[4], text[0]);
		return -1;
	}
	if (check_escapes(text, err, errlen) < 0)
		return -1;
	memcpy(r->code, text, 3);
	memcpy(r->ecode, text + 4, (size_t)(sp - text - 4));
	r->text = xstrdup(*sp ? sp + 1 : "");
	return 0;
}

struct outbuf {
	char *p;
	size_t len, cap;	/* cap excludes the terminator */
};

static void put(struct outbuf *o, char c, int sanitize)
{
	if (o->len >= o->cap)
		return;
	if (sanitize && ((unsigned char)c < 0x20 || (unsigned char)c > 0x7e))
		c = '?';
	o->p[o->len++] = c;
}

static void put_str(struct outbuf *o, const char *s, int sanitize)
{
	for (; s && *s; s++)
		put(o, *s, sanitize);
}

void reply_expand(const struct dg_reply *r, const struct reply_vars *v,
		  char *out, size_t outlen)
{
	struct outbuf o = { out, 0, 0 };

	if (outlen == 0)
		return;
	o.cap = outlen - 1 < DG_REPLY_MAX ? outlen - 1 : DG_REPLY_MAX;
	put_str(&o, r->code, 0);
	put(&o, ' ', 0);
	put_str(&o, r->ecode, 0);
	put(&o, ' ', 0);
	for (const char *t = r->text ? r->text : ""; *t; t++) {
		if (*t != '%' || t[1] == '\0') {
			put(&o, *t, 1);
			continue;
		}
		t++;
		if (*t == 's')
			put_str(&o, v ? v->sender : NULL, 1);
		else if (*t == 'u')
			put_str(&o, v ? v->login : NULL, 1);
		else if (*t == 'a')
			put_str(&o, v ? v->anomalies : NULL, 1);
		else
			put(&o, *t, 1);
	}
	while (o.len > 0 && o.p[o.len - 1] == ' ')
		o.len--;
	o.p[o.len] = '\0';
}

void reply_escape_percent(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen == 0)
		return;
	for (; *in && n + 1 < outlen; in++) {
		if (*in == '%') {
			if (n + 2 >= outlen)
				break;
			out[n++] = '%';
		}
		out[n++] = *in;
	}
	out[n] = '\0';
}

void reply_free(struct dg_reply *r)
{
	free(r->text);
	r->text = NULL;
}
