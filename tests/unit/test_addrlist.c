/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_addrlist.c: unit tests of the From:/Sender: address list parser
 * (addrlist.h, dotgate.conf(5) HEADER FROM).  Every accepted form of the
 * header's DESCRIPTION with the exact addresses stored, every refusal
 * with its error and offset, the bounds (addresses, bytes per address,
 * bytes in all, comment depth, a 100 KB value in fixed state), and
 * split invariance: every vector pushed in every 2-way split and one
 * byte at a time gives what one push gives.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addrlist.h"

struct vec {
	const char *in;
	size_t len;			/* 0: strlen(in) */
	enum addrlist_error err;
	size_t at;			/* error_at when err */
	size_t n;
	const char *addr[3];		/* the first (up to) 3 of n */
};

#define OK ADDRLIST_OK
#define SYN ADDRLIST_SYNTAX

static const struct vec vecs[] = {
	/* Accepted forms, each address as its addr-spec without CFWS. */
	{ "alice@example.test", 0, OK, 0, 1, { "alice@example.test" } },
	{ "Alice <alice@example.test>", 0, OK, 0, 1, { "alice@example.test" } },
	{ "Alice<a@b>", 0, OK, 0, 1, { "a@b" } },
	{ "< a@b >", 0, OK, 0, 1, { "a@b" } },
	{ "\"A \\\"q\\\" B\" <a@b>", 0, OK, 0, 1, { "a@b" } },
	{ "\"alice@example.test\" <mallory@evil.test>", 0, OK, 0, 1,
	  { "mallory@evil.test" } },
	{ "mallory@evil.test (alice@example.test)", 0, OK, 0, 1,
	  { "mallory@evil.test" } },
	{ "(a (nested (deep)) c) x@y (z)", 0, OK, 0, 1, { "x@y" } },
	{ "(esc \\) \\( paren) a@b", 0, OK, 0, 1, { "a@b" } },
	{ "=?UTF-8?Q?J=C3=B6rg?= <j@x>", 0, OK, 0, 1, { "j@x" } },
	{ "=?UTF-8?B?SsO2cmc=?= =?UTF-8?Q?x?= <j@x>", 0, OK, 0, 1, { "j@x" } },
	{ "John Q. Public <jqp@x>", 0, OK, 0, 1, { "jqp@x" } },
	{ "team: a@b, c@d;", 0, OK, 0, 2, { "a@b", "c@d" } },
	{ "undisclosed-recipients:;", 0, OK, 0, 0, { NULL } },
	{ "x@y, t: A <a@b> (c);, z@w", 0, OK, 0, 3, { "x@y", "a@b", "z@w" } },
	{ "<@r1,@r2:u@d>", 0, OK, 0, 1, { "u@d" } },
	{ "R <@r1.test, ,@r2 : u@d>", 0, OK, 0, 1, { "u@d" } },
	{ "john . doe@example", 0, OK, 0, 1, { "john.doe@example" } },
	{ "john (c) .\"x y\"@example", 0, OK, 0, 1,
	  { "john.\"x y\"@example" } },
	{ "\"john doe\"@example.test", 0, OK, 0, 1,
	  { "\"john doe\"@example.test" } },
	{ "\"a\\\"b\"@x", 0, OK, 0, 1, { "\"a\\\"b\"@x" } },
	{ "u@[192.0.2.1]", 0, OK, 0, 1, { "u@[192.0.2.1]" } },
	{ "u@[ 192.0.2.1\r\n ]", 0, OK, 0, 1, { "u@[192.0.2.1]" } },
	{ "\"a\x01\tb\"@x", 0, OK, 0, 1, { "\"a\x01\tb\"@x" } },
	{ "u@[IPv6:2001:db8::1]", 0, OK, 0, 1, { "u@[IPv6:2001:db8::1]" } },
	{ "J\xc3\xb6rg <j\xc3\xb6rg@ex\xc3\xa4mple.test>", 0, OK, 0, 1,
	  { "j\xc3\xb6rg@ex\xc3\xa4mple.test" } },
	{ "\xe7\x94\xb0\xe4\xb8\xad@\xe4\xbe\x8b.test", 0, OK, 0, 1,
	  { "\xe7\x94\xb0\xe4\xb8\xad@\xe4\xbe\x8b.test" } },
	{ "Mixed.Case@Example.TEST", 0, OK, 0, 1, { "Mixed.Case@Example.TEST" } },
	{ "a@ example . test", 0, OK, 0, 1, { "a@example.test" } },
	/* Folding as libmilter hands it: CR and LF are white space. */
	{ "A\r\n\tB <a@b>", 0, OK, 0, 1, { "a@b" } },
	{ "\"A\n B\" <a@b>", 0, OK, 0, 1, { "a@b" } },
	{ "(c\r\n\td) a@b", 0, OK, 0, 1, { "a@b" } },
	{ "a@b,\r\n c@d,\n\te@f", 0, OK, 0, 3, { "a@b", "c@d", "e@f" } },
	{ "\"x\r\n y\"@z", 0, OK, 0, 1, { "\"x y\"@z" } },
	/* Empty elements and empty values. */
	{ "a@b, , c@d", 0, OK, 0, 2, { "a@b", "c@d" } },
	{ "a@b,", 0, OK, 0, 1, { "a@b" } },
	{ "", 0, OK, 0, 0, { NULL } },
	{ " \t\r\n ", 0, OK, 0, 0, { NULL } },
	{ "(just a comment)", 0, OK, 0, 0, { NULL } },

	/* Refusals: the error, its offset, the addresses before it. */
	{ "alice@example.test <mallory@evil.test>", 0, SYN, 19, 0, { NULL } },
	{ "=?UTF-8?Q?a@b?= <x@y>", 0, SYN, 16, 0, { NULL } },
	{ "A <a@b> <c@d>", 0, SYN, 8, 1, { "a@b" } },
	{ "A <a@b> junk", 0, SYN, 8, 1, { "a@b" } },
	{ "<a@b", 0, SYN, 4, 0, { NULL } },
	{ "a@b, <c@d", 0, SYN, 9, 1, { "a@b" } },
	{ "alice", 0, SYN, 5, 0, { NULL } },
	{ "Alice Example, a@b", 0, SYN, 13, 0, { NULL } },
	{ "a@", 0, SYN, 2, 0, { NULL } },
	{ "a@b.", 0, SYN, 4, 0, { NULL } },
	{ "@b", 0, SYN, 0, 0, { NULL } },
	{ ".a@b", 0, SYN, 2, 0, { NULL } },
	{ "a.@b", 0, SYN, 2, 0, { NULL } },
	{ "a..b@c", 0, SYN, 4, 0, { NULL } },
	{ "john doe@x", 0, SYN, 8, 0, { NULL } },
	{ "a@b c", 0, SYN, 4, 0, { NULL } },
	{ "a@b>", 0, SYN, 3, 0, { NULL } },
	{ "<>", 0, SYN, 1, 0, { NULL } },
	{ "a@b;", 0, SYN, 3, 0, { NULL } },
	{ ": a@b;", 0, SYN, 0, 0, { NULL } },
	{ "t: u: a@b;;", 0, SYN, 4, 0, { NULL } },
	{ "t: a@b", 0, SYN, 6, 1, { "a@b" } },
	{ "t: a@b; c@d", 0, SYN, 8, 1, { "a@b" } },
	{ "<a@b, c@d>", 0, SYN, 4, 0, { NULL } },
	{ "a@[1.2.3.4].x", 0, SYN, 11, 0, { NULL } },
	{ "u@[192.0.2.1", 0, SYN, 12, 0, { NULL } },
	{ "u@b[1]", 0, SYN, 3, 0, { NULL } },
	{ "\"unclosed@x", 0, SYN, 11, 0, { NULL } },
	{ "(unclosed a@b", 0, SYN, 13, 0, { NULL } },
	{ "\\a@b", 0, SYN, 0, 0, { NULL } },
	{ "a\x01@b", 0, SYN, 1, 0, { NULL } },
	{ "a@b\x7f", 0, SYN, 3, 0, { NULL } },
	{ "a\0@b", 4, SYN, 1, 0, { NULL } },
	{ "\"a\0\"@b", 6, SYN, 2, 0, { NULL } },
	{ "(a\0) x@y", 8, SYN, 2, 0, { NULL } },
	{ "\"a\\\r\"@b", 0, SYN, 3, 0, { NULL } },
	{ "<@r1 x@y>", 0, SYN, 5, 0, { NULL } },
	{ "<@r1.:u@d>", 0, SYN, 5, 0, { NULL } },
	{ "<@r1,r2:u@d>", 0, SYN, 5, 0, { NULL } },
	{ "<@:u@d>", 0, SYN, 2, 0, { NULL } },
	{ "<@[1.2.3.4]:u@d>", 0, SYN, 2, 0, { NULL } },
};

static void parse(struct addrlist *a, const char *s, size_t len)
{
	addrlist_init(a);
	addrlist_push(a, s, len);
	addrlist_finish(a);
}

static size_t vlen(const struct vec *v)
{
	return v->len ? v->len : strlen(v->in);
}

static void test_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		const struct vec *v = &vecs[i];
		struct addrlist a;

		parse(&a, v->in, vlen(v));
		if (a.error != v->err || a.n != v->n)
			print_message("vector %zu: %s -> %s at %zu, n %zu\n",
				      i, v->in, addrlist_error_name(a.error),
				      a.error_at, a.n);
		assert_int_equal(a.error, v->err);
		if (v->err != ADDRLIST_OK)
			assert_int_equal(a.error_at, v->at);
		assert_int_equal(a.n, v->n);
		for (size_t k = 0; k < v->n && k < 3; k++)
			assert_string_equal(addrlist_addr(&a, k), v->addr[k]);
		assert_null(addrlist_addr(&a, a.n));
	}
}

/* A comment nested d deep around one address. */
static void nested(char *buf, unsigned d)
{
	size_t k = 0;

	for (unsigned i = 0; i < d; i++)
		buf[k++] = '(';
	for (unsigned i = 0; i < d; i++)
		buf[k++] = ')';
	strcpy(buf + k, " a@b");
}

static void test_depth(void **state)
{
	char buf[2 * ADDRLIST_DEPTH + 16];
	struct addrlist a;

	(void)state;
	nested(buf, ADDRLIST_DEPTH);
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_int_equal(a.n, 1);
	nested(buf, ADDRLIST_DEPTH + 1);
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_SYNTAX);
	assert_int_equal(a.error_at, ADDRLIST_DEPTH);
}

/* "u0@x.test, u1@x.test, ..." with count addresses. */
static size_t many(char *buf, size_t size, unsigned count)
{
	size_t k = 0;

	for (unsigned i = 0; i < count; i++)
		k += (size_t)snprintf(buf + k, size - k, "%su%u@x.test",
				      i ? ", " : "", i);
	return k;
}

static void test_too_many(void **state)
{
	char buf[1024], want[32];
	struct addrlist a;
	size_t len;

	(void)state;
	len = many(buf, sizeof(buf), ADDRLIST_MAX);
	parse(&a, buf, len);
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_int_equal(a.n, ADDRLIST_MAX);
	len = many(buf, sizeof(buf), ADDRLIST_MAX + 1);
	parse(&a, buf, len);
	assert_int_equal(a.error, ADDRLIST_TOO_MANY);
	assert_int_equal(a.n, ADDRLIST_MAX);
	for (unsigned i = 0; i < ADDRLIST_MAX; i++) {
		snprintf(want, sizeof(want), "u%u@x.test", i);
		assert_string_equal(addrlist_addr(&a, i), want);
	}
}

/* An address of exactly len bytes: "lll...l@x.test". */
static void long_addr(char *buf, size_t len)
{
	memset(buf, 'l', len - 7);
	memcpy(buf + len - 7, "@x.test", 8);
}

static void test_too_long(void **state)
{
	char buf[ADDRLIST_ADDR_MAX + 64];
	struct addrlist a;

	(void)state;
	long_addr(buf, ADDRLIST_ADDR_MAX);
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(addrlist_addr(&a, 0), buf);
	long_addr(buf, ADDRLIST_ADDR_MAX + 1);
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_TOO_LONG);
	assert_int_equal(a.error_at, ADDRLIST_ADDR_MAX);
	assert_int_equal(a.n, 0);
	/* The same address in angle brackets, and a local part too long. */
	buf[0] = '<';
	long_addr(buf + 1, ADDRLIST_ADDR_MAX + 1);
	strcat(buf, ">");
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_TOO_LONG);
	assert_int_equal(a.error_at, ADDRLIST_ADDR_MAX + 1);
	memset(buf, 'l', ADDRLIST_ADDR_MAX + 10);
	strcpy(buf + ADDRLIST_ADDR_MAX + 10, "@x");
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_TOO_LONG);
	assert_int_equal(a.error_at, ADDRLIST_ADDR_MAX + 10);
}

static void test_text_max(void **state)
{
	char buf[8 * (ADDRLIST_ADDR_MAX + 2)];
	struct addrlist a;
	size_t k = 0, each = 300;

	(void)state;
	/* 6 addresses of 300 bytes fit in 2048 with their NULs, 7 do not. */
	for (int i = 0; i < 7; i++) {
		if (i)
			buf[k++] = ',';
		long_addr(buf + k, each);
		k += each;
	}
	parse(&a, buf, k);
	assert_int_equal(a.error, ADDRLIST_TOO_MANY);
	assert_int_equal(a.n, 6);
	/* Refused at the 7th '@': only then are its words an address. */
	assert_int_equal(a.error_at, 6 * (each + 1) + each - 7);
	assert_int_equal(strlen(addrlist_addr(&a, 5)), each);
}

/* Long names and long white space cost no state: only the address counts. */
static void test_long_value(void **state)
{
	size_t big = 100 * 1024;
	char *buf = malloc(big + 64);
	struct addrlist a;

	(void)state;
	assert_non_null(buf);
	memset(buf, ' ', big);
	parse(&a, buf, big);
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_int_equal(a.n, 0);
	buf[0] = '(';
	memset(buf + 1, 'c', big - 2);
	buf[big - 1] = ')';
	strcpy(buf + big, " a@b");
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_string_equal(addrlist_addr(&a, 0), "a@b");
	buf[0] = '"';
	buf[big - 1] = '"';
	strcpy(buf + big, " <a@b>");
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_string_equal(addrlist_addr(&a, 0), "a@b");
	/* A name longer than the text area after an address kept. */
	memcpy(buf, "x@y, ", 5);
	for (size_t i = 5; i < big; i++)
		buf[i] = i % 8 == 7 ? ' ' : 'w';
	strcpy(buf + big, " <a@b>, c@d");
	parse(&a, buf, strlen(buf));
	assert_int_equal(a.error, ADDRLIST_OK);
	assert_int_equal(a.n, 3);
	assert_string_equal(addrlist_addr(&a, 0), "x@y");
	assert_string_equal(addrlist_addr(&a, 1), "a@b");
	assert_string_equal(addrlist_addr(&a, 2), "c@d");
	free(buf);
}

static void test_after_finish(void **state)
{
	struct addrlist a;

	(void)state;
	addrlist_init(&a);
	addrlist_push(&a, "a@b", 3);
	assert_int_equal(addrlist_finish(&a), ADDRLIST_OK);
	addrlist_push(&a, ", c@d", 5);
	assert_int_equal(addrlist_finish(&a), ADDRLIST_OK);
	assert_int_equal(a.n, 1);
	/* After an error too: the error and its offset stay. */
	addrlist_init(&a);
	addrlist_push(&a, "a@b c", 5);
	addrlist_push(&a, ", d@e", 5);
	assert_int_equal(addrlist_finish(&a), ADDRLIST_SYNTAX);
	assert_int_equal(a.error_at, 4);
	assert_int_equal(a.n, 0);
	assert_string_equal(addrlist_error_name(ADDRLIST_OK), "ok");
	assert_string_equal(addrlist_error_name(ADDRLIST_SYNTAX), "syntax");
	assert_string_equal(addrlist_error_name(ADDRLIST_TOO_MANY), "too_many");
	assert_string_equal(addrlist_error_name(ADDRLIST_TOO_LONG), "too_long");
}

static void assert_same(const struct addrlist *x, const struct addrlist *y)
{
	assert_int_equal(x->error, y->error);
	assert_int_equal(x->error_at, y->error_at);
	assert_int_equal(x->n, y->n);
	for (size_t i = 0; i < x->n; i++)
		assert_string_equal(addrlist_addr(x, i), addrlist_addr(y, i));
}

/* s pushed in every 2-way split and byte by byte, against one push. */
static void check_splits(const char *s, size_t len)
{
	struct addrlist one, two;

	parse(&one, s, len);
	for (size_t cut = 0; cut <= len; cut++) {
		addrlist_init(&two);
		addrlist_push(&two, s, cut);
		addrlist_push(&two, s + cut, len - cut);
		addrlist_finish(&two);
		assert_same(&one, &two);
	}
	addrlist_init(&two);
	for (size_t i = 0; i < len; i++) {
		addrlist_push(&two, s + i, 1);
		addrlist_push(&two, s + i, 0);
	}
	addrlist_finish(&two);
	assert_same(&one, &two);
}

static void test_splits(void **state)
{
	char buf[2048];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++)
		check_splits(vecs[i].in, vlen(&vecs[i]));
	len = many(buf, sizeof(buf), ADDRLIST_MAX + 1);
	check_splits(buf, len);
	long_addr(buf, ADDRLIST_ADDR_MAX + 1);
	check_splits(buf, strlen(buf));
	nested(buf, ADDRLIST_DEPTH + 1);
	check_splits(buf, strlen(buf));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_too_many),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_text_max),
		cmocka_unit_test(test_long_value),
		cmocka_unit_test(test_after_finish),
		cmocka_unit_test(test_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
