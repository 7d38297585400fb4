/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_syslog.c: the syslog header in front of an audit record (see
 * report.h).  A central syslog server writes each forwarded line with
 * the sending host's name, in the traditional format ("Nov 29 01:02:03
 * mx1 dotgate[77]: ..."), with an ISO 8601 stamp (rsyslog's
 * RSYSLOG_FileFormat) or as RFC 5424 ("<22>1 2026-11-29T01:02:03Z mx1
 * dotgate 77 - - ..."); the reader needs to know a syslog line when it
 * sees one, and the host for records written before they carried their
 * own "host" field.
 */
#include <string.h>

#include "report.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool rfc3164_stamp(const char *p, size_t len)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

	if (len < 16 || p[3] != ' ' || p[6] != ' ' || p[9] != ':' ||
	    p[12] != ':' || p[15] != ' ' || !(p[4] == ' ' || is_digit(p[4])) ||
	    !is_digit(p[5]) || !is_digit(p[7]) || !is_digit(p[8]))
		return false;
	for (int m = 0; m < 12; m++)
		if (memcmp(p, months + 3 * m, 3) == 0)
			return true;
	return false;
}

static bool iso_stamp(const char *p, size_t len)
{
	return len >= 19 && is_digit(p[0]) && is_digit(p[3]) && p[4] == '-' &&
	       p[7] == '-' && p[10] == 'T' && p[13] == ':';
}

/* token - the blank-delimited word at *p; *p moves past it and one blank. */
static size_t token(const char **p, const char *end, const char **tok)
{
	const char *s = *p;

	while (s < end && *s != ' ')
		s++;
	*tok = *p;
	*p = s < end ? s + 1 : s;
	return (size_t)(s - *tok);
}

/* "<PRI>" (one to three digits), as a forwarded raw line starts. */
static const char *skip_pri(const char *p, const char *end)
{
	const char *s = p + 1;

	if (p >= end || *p != '<')
		return p;
	while (s < end && s - p <= 3 && is_digit(*s))
		s++;
	return s > p + 1 && s < end && *s == '>' ? s + 1 : p;
}

bool report_syslog_header(const char *line, size_t len, const char **host,
			  size_t *hostlen)
{
	const char *end = line + len, *p = skip_pri(line, end), *tok;
	size_t n;

	*host = NULL;
	*hostlen = 0;
	if (p > line && end - p >= 2 && p[0] == '1' && p[1] == ' ') {
		/* RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME; "-" is nil. */
		p += 2;
		(void)token(&p, end, &tok);
	} else if (rfc3164_stamp(p, (size_t)(end - p))) {
		p += 16;
	} else if (iso_stamp(p, (size_t)(end - p))) {
		(void)token(&p, end, &tok);
	} else {
		return p > line;	/* a PRI alone: a raw syslog message */
	}
	n = token(&p, end, &tok);
	if (n > 0 && !(n == 1 && tok[0] == '-') && n <= REPORT_HOST_MAX) {
		*host = tok;
		*hostlen = n;
	}
	return true;
}
