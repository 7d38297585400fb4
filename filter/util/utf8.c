/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * utf8.c: the repair that makes any byte string from a client or a log
 * line acceptable to jansson (see utf8.h).  It sits below the JSON
 * helpers and the audit encoders alike, so that neither depends on the
 * other for it.
 */
#include <string.h>

#include "utf8.h"
#include "util.h"

/*
 * utf8_seq_len - length of the well-formed UTF-8 sequence at s, or 0.
 * The table is RFC 3629's: it excludes overlong forms, the UTF-16
 * surrogates (ED A0..BF) and code points above U+10FFFF, which is what
 * jansson itself refuses.
 */
static size_t utf8_seq_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	/* The second byte has the narrowed range, the others 80..BF. */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;	/* also stops at the terminating NUL */
	return n;
}

char *utf8_repair(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	/* Worst case: every byte becomes the 3-byte U+FFFD. */
	char *out = xmalloc(len * 3 + 1);
	size_t o = 0;

	while (*p) {
		size_t n = utf8_seq_len(p);

		if (n == 0) {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p++;
			continue;
		}
		memcpy(out + o, p, n);
		o += n;
		p += n;
	}
	out[o] = '\0';
	return out;
}
