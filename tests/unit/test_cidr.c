/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_cidr.c: unit tests of the network lists behind exempt_networks
 * (cidr.c): what parses and what is a load error, prefix boundaries for
 * IPv4 and IPv6, IPv4-mapped IPv6 clients, and non-IP socket addresses.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/un.h>

#include <cmocka.h>

#include "cidr.h"

static void test_parse_errors(void **state)
{
	static const char *const bad[] = {
		"10.0.0.0/33", "1.2.3/8", "::1/129", "junk", "", "/8", "10.0.0.0/",
		"10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/8/8",
		" 10.0.0.0/8", "10.0.0.0/8 ", "10.0.0.256/32", "1.2.3.4.5",
		"10.0.0.0/99999999999999999999", "10.0.0.0/4294967304",
		"::1/1x", "2001:db8:::/48", "2001:db8::g/64", "localhost",
		"10.0.0.0 /8", "0x7f.0.0.1", "127.1",
		"2001:0db8:0000:0000:0000:0000:0000:0001:0001/128",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/8",
	};
	struct cidr_list *l = cidr_list_new();

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cidr_list_add(l, bad[i]) != -1)
			fail_msg("cidr_list_add(\"%s\") accepted", bad[i]);
	/* Nothing was added by the failures. */
	assert_false(cidr_list_match_text(l, "10.0.0.1"));
	assert_false(cidr_list_match_text(l, "::1"));
	cidr_list_free(l);
}

static void test_parse_good(void **state)
{
	static const char *const good[] = {
		"127.0.0.0/8", "::1/128", "0.0.0.0/0", "::/0", "192.0.2.1",
		"2001:db8::/32", "10.1.2.3/8", "::ffff:10.0.0.0/104", "fe80::/10",
		"192.0.2.0/24", "192.0.2.128/25", "10.0.0.0/08",
	};
	struct cidr_list *l = cidr_list_new();

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (cidr_list_add(l, good[i]) != 0)
			fail_msg("cidr_list_add(\"%s\") refused", good[i]);
	cidr_list_free(l);
}

static bool match(const char *net, const char *addr)
{
	struct cidr_list *l = cidr_list_new();
	bool r;

	assert_int_equal(cidr_list_add(l, net), 0);
	r = cidr_list_match_text(l, addr);
	cidr_list_free(l);
	return r;
}

static void test_ipv4_boundaries(void **state)
{
	(void)state;
	assert_true(match("127.0.0.0/8", "127.0.0.0"));
	assert_true(match("127.0.0.0/8", "127.255.255.255"));
	assert_false(match("127.0.0.0/8", "128.0.0.0"));
	assert_false(match("127.0.0.0/8", "126.255.255.255"));
	assert_true(match("192.0.2.77/32", "192.0.2.77"));
	assert_false(match("192.0.2.77/32", "192.0.2.76"));
	assert_false(match("192.0.2.77/32", "192.0.2.78"));
	assert_true(match("192.0.2.128/25", "192.0.2.128"));
	assert_true(match("192.0.2.128/25", "192.0.2.255"));
	assert_false(match("192.0.2.128/25", "192.0.2.127"));
	assert_true(match("10.0.0.0/31", "10.0.0.1"));
	assert_false(match("10.0.0.0/31", "10.0.0.2"));
	/* Host bits are masked, as Postfix's mynetworks does. */
	assert_true(match("10.1.2.3/8", "10.200.0.1"));
	assert_true(match("0.0.0.0/0", "203.0.113.9"));
	assert_false(match("0.0.0.0/0", "2001:db8::1"));
}

static void test_ipv6_boundaries(void **state)
{
	(void)state;
	assert_true(match("::1/128", "::1"));
	assert_false(match("::1/128", "::2"));
	assert_false(match("::1/128", "::"));
	assert_true(match("2001:db8:1:2::/64", "2001:db8:1:2::"));
	assert_true(match("2001:db8:1:2::/64", "2001:db8:1:2:ffff:ffff:ffff:ffff"));
	assert_false(match("2001:db8:1:2::/64", "2001:db8:1:3::"));
	assert_false(match("2001:db8:1:2::/64", "2001:db8:1:1:ffff:ffff:ffff:ffff"));
	assert_true(match("fe80::/10", "febf::1"));
	assert_false(match("fe80::/10", "fec0::1"));
	assert_true(match("::/0", "2001:db8::1"));
	/* ::/0 is every IPv6 client, but no IPv4 one (mapped or not). */
	assert_false(match("::/0", "127.0.0.1"));
	assert_false(match("::/0", "::ffff:127.0.0.1"));
	assert_false(match("::/80", "::ffff:127.0.0.1"));
	assert_true(match("::ffff:0:0/96", "192.0.2.1"));
}

static void test_v4mapped(void **state)
{
	(void)state;
	assert_true(match("127.0.0.0/8", "::ffff:127.0.0.1"));
	assert_true(match("127.0.0.0/8", "::FFFF:127.9.9.9"));
	assert_false(match("127.0.0.0/8", "::ffff:128.0.0.1"));
	assert_false(match("127.0.0.0/8", "::127.0.0.1"));
	assert_true(match("::ffff:10.0.0.0/104", "10.3.2.1"));
	assert_false(match("::ffff:10.0.0.0/104", "11.3.2.1"));
	assert_false(match("::1/128", "127.0.0.1"));
}

static void test_sockaddr(void **state)
{
	struct cidr_list *l = cidr_list_new();
	struct sockaddr_in s4;
	struct sockaddr_in6 s6;
	struct sockaddr_un un;

	(void)state;
	assert_int_equal(cidr_list_add(l, "127.0.0.0/8"), 0);
	assert_int_equal(cidr_list_add(l, "::1/128"), 0);
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &s4.sin_addr), 1);
	assert_true(cidr_list_match(l, (struct sockaddr *)&s4));
	assert_int_equal(inet_pton(AF_INET, "192.0.2.10", &s4.sin_addr), 1);
	assert_false(cidr_list_match(l, (struct sockaddr *)&s4));

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::1", &s6.sin6_addr), 1);
	assert_true(cidr_list_match(l, (struct sockaddr *)&s6));
	assert_int_equal(inet_pton(AF_INET6, "::ffff:127.0.0.1", &s6.sin6_addr), 1);
	assert_true(cidr_list_match(l, (struct sockaddr *)&s6));
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &s6.sin6_addr), 1);
	assert_false(cidr_list_match(l, (struct sockaddr *)&s6));

	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	assert_false(cidr_list_match(l, (struct sockaddr *)&un));
	assert_false(cidr_list_match(l, NULL));
	assert_false(cidr_list_match(NULL, (struct sockaddr *)&s4));
	assert_false(cidr_list_match_text(l, NULL));
	assert_false(cidr_list_match_text(l, "IPv6:::1"));	/* the macro form */
	cidr_list_free(l);
	cidr_list_free(NULL);
}

static void test_empty_list(void **state)
{
	struct cidr_list *l = cidr_list_new();

	(void)state;
	assert_false(cidr_list_match_text(l, "127.0.0.1"));
	assert_false(cidr_list_match_text(l, "::1"));
	cidr_list_free(l);
}

/* The networks given back, and one network held by another (dotgate-doctor). */
static void test_text_covers(void **state)
{
	struct cidr_list *l = cidr_list_new();
	char buf[64];

	(void)state;
	assert_int_equal(cidr_list_add(l, "10.1.2.3/8"), 0);
	assert_int_equal(cidr_list_add(l, "2001:db8::1/32"), 0);
	assert_int_equal(cidr_list_count(l), 2);
	assert_int_equal(cidr_list_text(l, 0, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.0/8");
	assert_int_equal(cidr_list_text(l, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2001:db8::/32");
	assert_int_equal(cidr_list_text(l, 2, buf, sizeof(buf)), -1);
	assert_int_equal(cidr_list_text(l, 0, buf, 5), -1);
	assert_true(cidr_list_covers(l, "10.9.0.0/16"));
	assert_true(cidr_list_covers(l, "10.0.0.0/8"));
	assert_true(cidr_list_covers(l, "10.0.0.7"));
	assert_false(cidr_list_covers(l, "10.0.0.0/7"));
	assert_false(cidr_list_covers(l, "11.0.0.0/16"));
	assert_true(cidr_list_covers(l, "2001:db8:1::/48"));
	assert_false(cidr_list_covers(l, "2001::/16"));
	assert_false(cidr_list_covers(l, "junk"));
	cidr_list_free(l);
	l = cidr_list_new();
	assert_int_equal(cidr_list_add(l, "::/0"), 0);
	assert_false(cidr_list_covers(l, "127.0.0.0/8"));
	assert_true(cidr_list_covers(l, "::1/128"));
	assert_int_equal(cidr_list_count(NULL), 0);
	cidr_list_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_ipv4_boundaries),
		cmocka_unit_test(test_ipv6_boundaries),
		cmocka_unit_test(test_v4mapped),
		cmocka_unit_test(test_sockaddr),
		cmocka_unit_test(test_empty_list),
		cmocka_unit_test(test_text_covers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
