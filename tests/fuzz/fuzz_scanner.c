/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_scanner.c: differential fuzz target for the body scanner.  The
 * input's first two bytes choose max_line_length and the split seed; the
 * rest is a body.  It is scanned in one push, in random splits and one
 * byte at a time, with a reset scanner each time; the three results must
 * be identical (dotgate.conf(5), BODY ANOMALY CLASSES: every class is
 * detected identically
 * however the body is split).  Each piece is copied into its own
 * exactly-sized allocation, so AddressSanitizer catches any read before
 * or past the chunk the scanner was given.  Plain invariants are checked
 * too: size is the body length, each first offset lies in the body and
 * no class counts more often than there are bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomaly.h"
#include "fuzz.h"
#include "scanner.h"

static void push_copy(struct scanner *s, const uint8_t *p, size_t len)
{
	unsigned char *c = malloc(len ? len : 1);

	if (c == NULL)
		abort();
	memcpy(c, p, len);
	scanner_push(s, c, len);
	free(c);
}

static void check_same(const struct scan_result *a,
		       const struct scan_result *b, const char *how)
{
	int c;

	if (a->size != b->size)
		fuzz_fail("%s: size %llu != %llu", how,
			  (unsigned long long)a->size,
			  (unsigned long long)b->size);
	for (c = 0; c < DG_CLASS_COUNT; c++) {
		const struct scan_class_result *x = &a->cls[c], *y = &b->cls[c];

		if (x->count != y->count ||
		    (x->count > 0 && x->first != y->first))
			fuzz_fail("%s: %s count/first %llu/%llu != %llu/%llu",
				  how, dg_class_name((enum dg_class)c),
				  (unsigned long long)x->count,
				  (unsigned long long)x->first,
				  (unsigned long long)y->count,
				  (unsigned long long)y->first);
	}
}

static void check_sane(const struct scan_result *r, size_t n)
{
	int c;

	if (r->size != n)
		fuzz_fail("size %llu for a %zu-byte body",
			  (unsigned long long)r->size, n);
	for (c = 0; c < DG_CLASS_COUNT; c++) {
		if (r->cls[c].count > n)
			fuzz_fail("%s counted %llu times in %zu bytes",
				  dg_class_name((enum dg_class)c),
				  (unsigned long long)r->cls[c].count, n);
		if (r->cls[c].count > 0 && r->cls[c].first >= n)
			fuzz_fail("%s first at %llu in %zu bytes",
				  dg_class_name((enum dg_class)c),
				  (unsigned long long)r->cls[c].first, n);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scan_result one, split, bytes;
	struct scanner *s;
	const uint8_t *body;
	size_t n, off, maxlen;
	unsigned seed;

	if (size < 2)
		return 0;
	/* Small limits make long_line reachable by short inputs. */
	maxlen = (size_t)data[0] * 4 + 1;
	seed = data[1];
	body = data + 2;
	n = size - 2;
	s = scanner_new(maxlen);

	push_copy(s, body, n);
	scanner_finish(s, &one);
	check_sane(&one, n);

	scanner_reset(s);
	for (off = 0; off < n;) {
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 97;
		if ((seed >> 8) % 5 == 0)
			len = 0;	/* empty pushes happen too */
		if (len > n - off)
			len = n - off;
		push_copy(s, body + off, len);
		off += len;
	}
	scanner_finish(s, &split);
	check_same(&one, &split, "random splits");

	if (n <= 8192) {
		scanner_reset(s);
		for (off = 0; off < n; off++)
			push_copy(s, body + off, 1);
		scanner_finish(s, &bytes);
		check_same(&one, &bytes, "byte by byte");
	}
	scanner_free(s);
	return 0;
}
