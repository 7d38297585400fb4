/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_hfrom.c: unit tests of the header half of the sender gate
 * (hfrom.c): each case of dotgate.conf(5), HEADER FROM, in its order
 * (malformed before not owned; From, Sender, Resent-From, Resent-Sender),
 * the login map's rules applied to header addresses as to the envelope
 * (unlisted, wildcard domains, detail, case), a remote map that fails
 * under both on_error settings, and the replies.  The policy is the
 * configuration loader's, from a few lines of dotgate.conf(5).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conftext.h"
#include "hfrom.h"
#include "policy.h"
#include "util.h"

struct fixture {
	struct dg_policy *p;
	struct hfrom *h;
	struct gate_result out;
};

/* alice owns her address and example.org; bob owns his; unlisted
 * addresses follow the extra lines' senders.unlisted. */
static void load2(struct fixture *f, const char *extra, const char *top)
{
	static char text[2048];
	int n = snprintf(text, sizeof(text),
			 "user \"alice\" {\n"
			 "  senders = {\"alice@example.test\", \"@example.org\"}\n"
			 "}\n"
			 "user \"bob\" {\n  senders = {\"bob@example.test\"}\n}\n"
			 "senders {\n  header_from = check\n%s\n}\n%s\n", extra, top);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (f->p != NULL)
		policy_unref(f->p);
	f->p = conftext_load(text);
}

static void load(struct fixture *f, const char *extra)
{
	load2(f, extra, "");
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	load(f, "");
	f->h = hfrom_new();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	hfrom_free(f->h);
	policy_unref(f->p);
	free(f);
	return 0;
}

static void decide(struct fixture *f, const char *login)
{
	memset(&f->out, 0x5a, sizeof(f->out));
	f->out.lookup_failed = false;
	hfrom_decide(f->p, f->h, login, NULL, &f->out);
}

static void expect_pass(struct fixture *f, const char *login)
{
	decide(f, login);
	assert_int_equal(f->out.rule, GATE_PASS);
	assert_false(f->out.refuse);
	assert_string_equal(f->out.reply, "");
}

static void expect_refused(struct fixture *f, const char *login,
			   enum gate_rule rule, const char *reply)
{
	decide(f, login);
	assert_int_equal(f->out.rule, rule);
	assert_true(f->out.refuse);
	assert_string_equal(f->out.reply, reply);
}

#define NOT_OWNED(addr, user) \
	"553 5.7.1 <" addr ">: From header address not owned by user " user
#define MALFORMED "550 5.7.1 From header missing, repeated or unreadable"

static void test_owned(void **state)
{
	struct fixture *f = *state;

	hfrom_header(f->h, "From", " Alice <alice@example.test>");
	expect_pass(f, "alice");
	assert_int_equal(hfrom_from(f->h)->n, 1);
	assert_string_equal(addrlist_addr(hfrom_from(f->h), 0), "alice@example.test");
}

static void test_not_owned(void **state)
{
	struct fixture *f = *state;

	hfrom_header(f->h, "from", "Bob <bob@example.test>");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("bob@example.test", "alice"));
}

/* The display name is not the address: a quoted "alice@..." shows
 * alice's address to the reader but mallory's is the one checked. */
static void test_display_name_trick(void **state)
{
	struct fixture *f = *state;

	hfrom_header(f->h, "From", "\"alice@example.test\" <mallory@evil.test>");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("mallory@evil.test", "alice"));
	hfrom_reset(f->h);
	hfrom_header(f->h, "From", "alice@example.test <mallory@evil.test>");
	expect_refused(f, "alice", GATE_HEADER_MALFORMED, MALFORMED);
}

/* The map's rules, as at MAIL FROM: wildcard domain, detail, case. */
static void test_map_rules(void **state)
{
	struct fixture *f = *state;
	static const char *const owned[] = {
		"anyone@example.org", "ALICE@Example.Test", "alice+news@example.test",
		"\"alice\"@example.test",
	};

	for (size_t i = 0; i < DG_ARRAY_LEN(owned); i++) {
		hfrom_reset(f->h);
		hfrom_header(f->h, "From", owned[i]);
		expect_pass(f, "alice");
	}
	hfrom_reset(f->h);
	hfrom_header(f->h, "From", "someone@elsewhere.test");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("someone@elsewhere.test", "alice"));
}

static void test_unlisted_allow(void **state)
{
	struct fixture *f = *state;

	load(f, "  unlisted = allow");
	hfrom_header(f->h, "From", "someone@elsewhere.test");
	expect_pass(f, "alice");
	hfrom_reset(f->h);
	hfrom_header(f->h, "From", "bob@example.test");	/* listed: bob's */
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("bob@example.test", "alice"));
}

/* Each way of leaving the author unclear is malformed. */
static void test_malformed(void **state)
{
	struct fixture *f = *state;
	static const char *const cases[][4] = {
		/* name, value, name, value */
		{ "Subject", "no From at all", NULL, NULL },
		{ "From", "alice@example.test", "From", "alice@example.test" },
		{ "From", "undisclosed:;", NULL, NULL },
		{ "From", "", NULL, NULL },
		{ "From", "<alice@example.test", NULL, NULL },
		{ "From", "alice@example.test, anyone@example.org", NULL, NULL },
		{ "From", "alice@example.test", "Sender", "a@example.org, b@example.org" },
		{ "From", "alice@example.test", "Resent-From", "broken <" },
		{ "From", "alice@example.test", "Resent-Sender", "" },
	};

	for (size_t i = 0; i < DG_ARRAY_LEN(cases); i++) {
		hfrom_reset(f->h);
		hfrom_header(f->h, cases[i][0], cases[i][1]);
		if (cases[i][2] != NULL)
			hfrom_header(f->h, cases[i][2], cases[i][3]);
		expect_refused(f, "alice", GATE_HEADER_MALFORMED, MALFORMED);
	}
	hfrom_reset(f->h);	/* two Sender: fields */
	hfrom_header(f->h, "From", "alice@example.test");
	hfrom_header(f->h, "Sender", "alice@example.test");
	hfrom_header(f->h, "Sender", "alice@example.test");
	expect_refused(f, "alice", GATE_HEADER_MALFORMED, MALFORMED);
}

/* Several authors: RFC 5322 3.6.2's Sender is required, one mailbox,
 * and owned; every author must be owned too. */
static void test_sender(void **state)
{
	struct fixture *f = *state;

	hfrom_header(f->h, "From", "alice@example.test, anyone@example.org");
	hfrom_header(f->h, "Sender", "Alice <alice@example.test>");
	expect_pass(f, "alice");
	hfrom_reset(f->h);
	hfrom_header(f->h, "From", "alice@example.test, bob@example.test");
	hfrom_header(f->h, "Sender", "alice@example.test");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("bob@example.test", "alice"));
	hfrom_reset(f->h);
	hfrom_header(f->h, "From", "alice@example.test, anyone@example.org");
	hfrom_header(f->h, "Sender", "bob@example.test");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("bob@example.test", "alice"));
}

/* The topmost (latest) resent block is the login's; older ones are
 * the history of the message and not checked. */
static void test_resent(void **state)
{
	struct fixture *f = *state;

	hfrom_header(f->h, "Resent-From", "bob@example.test");
	hfrom_header(f->h, "Resent-From", "alice@example.test");
	hfrom_header(f->h, "From", "alice@example.test");
	expect_refused(f, "alice", GATE_HEADER_NOT_OWNED,
		       NOT_OWNED("bob@example.test", "alice"));
	hfrom_reset(f->h);
	hfrom_header(f->h, "Resent-From", "alice@example.test");
	hfrom_header(f->h, "Resent-Sender", "alice@example.test");
	hfrom_header(f->h, "Resent-From", "bob@example.test");
	hfrom_header(f->h, "From", "alice@example.test");
	expect_pass(f, "alice");
}

/* A remote map that cannot answer: on_error decides, as at MAIL FROM. */
static int failing_get(void *arg, const char *key, char *value, size_t size)
{
	(void)arg;
	(void)key;
	(void)value;
	(void)size;
	return -1;
}

static void test_lookup_failed(void **state)
{
	struct fixture *f = *state;
	struct owner_remote remote = { failing_get, NULL };

	hfrom_header(f->h, "From", "carol@remote.test");
	memset(&f->out, 0, sizeof(f->out));
	hfrom_decide(f->p, f->h, "alice", &remote, &f->out);
	assert_true(f->out.lookup_failed);
	assert_int_equal(f->out.rule, GATE_HEADER_NOT_OWNED);
	assert_int_equal(f->out.reply[0], '4');
	load2(f, "", "on_error = accept");
	memset(&f->out, 0, sizeof(f->out));
	hfrom_decide(f->p, f->h, "alice", &remote, &f->out);
	assert_true(f->out.lookup_failed);
	assert_false(f->out.refuse);
	assert_int_equal(f->out.rule, GATE_PASS);
}

/* %s and %u are made printable: a hostile address cannot break the
 * reply line. */
static void test_reply_escaped(void **state)
{
	struct fixture *f = *state;

	load(f, "  reply_header_from = \"553 5.7.1 %s is not yours, %u\"");
	hfrom_header(f->h, "From", "\"x\\\"y\"@evil.test");
	decide(f, "alice");
	assert_int_equal(f->out.rule, GATE_HEADER_NOT_OWNED);
	assert_non_null(strstr(f->out.reply, "is not yours, alice"));
	assert_null(strpbrk(f->out.reply, "\r\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_display_name_trick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlisted_allow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sender, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lookup_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reply_escaped, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
