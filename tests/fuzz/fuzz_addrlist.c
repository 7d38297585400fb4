/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_addrlist.c: differential fuzz target for the From:/Sender:
 * address list parser (addrlist.h, dotgate.conf(5) HEADER FROM).  The
 * input's first byte chooses where to split; the rest is a header value.
 * It is parsed in one push, in two pieces split there, and in pieces of
 * a few bytes; the three results must be identical (n, addresses, error
 * and its offset).  Each piece is copied into its own exactly-sized
 * allocation, so AddressSanitizer catches a read past what was pushed.
 * Every address kept must be a NUL-terminated addr-spec of at most
 * ADDRLIST_ADDR_MAX bytes with an '@' and no CR, LF or NUL inside, and
 * n at most ADDRLIST_MAX.
 */
#include <stdlib.h>
#include <string.h>

#include "addrlist.h"
#include "fuzz.h"

static void push_copy(struct addrlist *a, const uint8_t *p, size_t len)
{
	char *c = malloc(len ? len : 1);

	if (c == NULL)
		abort();
	memcpy(c, p, len);
	addrlist_push(a, c, len);
	free(c);
}

static void check_sane(const struct addrlist *a, size_t len)
{
	if (a->n > ADDRLIST_MAX)
		fuzz_fail("%zu addresses, over %d", a->n, ADDRLIST_MAX);
	if (a->error != ADDRLIST_OK && a->error_at > len)
		fuzz_fail("error at %zu in a %zu-byte value", a->error_at, len);
	for (size_t i = 0; i < a->n; i++) {
		const char *s = addrlist_addr(a, i);
		const char *end = memchr(s, '\0',
					 (size_t)(a->text + ADDRLIST_TEXT_MAX - s));
		size_t n;

		if (end == NULL)
			fuzz_fail("address %zu not NUL-terminated", i);
		n = (size_t)(end - s);
		if (n > ADDRLIST_ADDR_MAX)
			fuzz_fail("address %zu: %zu bytes", i, n);
		if (memchr(s, '@', n) == NULL)
			fuzz_fail("address %zu has no '@': %s", i, s);
		if (memchr(s, '\r', n) != NULL || memchr(s, '\n', n) != NULL)
			fuzz_fail("address %zu has CR or LF", i);
	}
	if (addrlist_addr(a, a->n) != NULL)
		fuzz_fail("address %zu past n", a->n);
}

static void check_same(const struct addrlist *x, const struct addrlist *y,
		       const char *how)
{
	if (x->error != y->error || x->error_at != y->error_at)
		fuzz_fail("%s: error %s at %zu != %s at %zu", how,
			  addrlist_error_name(x->error), x->error_at,
			  addrlist_error_name(y->error), y->error_at);
	if (x->n != y->n)
		fuzz_fail("%s: n %zu != %zu", how, x->n, y->n);
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(addrlist_addr(x, i), addrlist_addr(y, i)) != 0)
			fuzz_fail("%s: address %zu %s != %s", how, i,
				  addrlist_addr(x, i), addrlist_addr(y, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct addrlist one, two, small;
	const uint8_t *v;
	size_t n, cut, off;

	if (size < 1)
		return 0;
	v = data + 1;
	n = size - 1;
	cut = n ? (size_t)data[0] * n / 255 : 0;

	addrlist_init(&one);
	push_copy(&one, v, n);
	addrlist_finish(&one);
	check_sane(&one, n);

	addrlist_init(&two);
	push_copy(&two, v, cut);
	push_copy(&two, v + cut, n - cut);
	addrlist_finish(&two);
	check_same(&one, &two, "two pieces");

	addrlist_init(&small);
	for (off = 0; off < n; off += 1 + data[0] % 7) {
		size_t len = 1 + data[0] % 7;

		push_copy(&small, v + off, len < n - off ? len : n - off);
	}
	addrlist_finish(&small);
	check_same(&one, &small, "small pieces");
	return 0;
}
