/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mechclass.c: unit tests of the SASL mechanism classes (mechclass.c):
 * the built-in table before libsasl2 is initialised, the snapshot of the
 * installed plugins checked against libsasl2's own report, the fail-safe
 * answers for odd names, and lookups from several threads at once.
 * The tests run in order (one group): the first ones need the module
 * not yet initialised.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sasl/sasl.h>
#include <sasl/saslplug.h>

#include "mechclass.h"
#include "util.h"

struct expect {
	const char *mech;
	bool plaintext;
};

/* The built-in table of dotgate.conf(5), plaintext_needs_tls, installed
 * or not. */
static const struct expect expected[] = {
	{ "PLAIN", true }, { "LOGIN", true }, { "XOAUTH2", true },
	{ "OAUTHBEARER", true }, { "plain", true }, { "Login", true },
	{ "CRAM-MD5", false }, { "DIGEST-MD5", false }, { "SCRAM-SHA-1", false },
	{ "SCRAM-SHA-256", false }, { "SCRAM-SHA-512", false },
	{ "SCRAM-SHA-1-PLUS", false }, { "SCRAM-SHA-256-PLUS", false },
	{ "scram-sha-256", false }, { "SCRAM-SHA3-512", false },
	{ "GSSAPI", false }, { "GS2-KRB5", false }, { "GS2-KRB5-PLUS", false },
	{ "EXTERNAL", false }, { "NTLM", false }, { "cram-md5", false },
	/* Fail safe: what dotgate cannot vouch for needs TLS. */
	{ "X-UNKNOWN", true }, { "PLAIN-PLUS", true }, { "", true },
	{ "SCRAM-SHA3-512-PLUSX", false },	/* 20 characters: a name */
	{ "SCRAM-SHA3-512-PLUS-X", true },	/* 21: too long for one */
	{ "SCRAM-SHA-256 ", true }, { "CRAM-MD5\r\n", true }, { "CRAM MD5", true },
	{ "SCRAM-SHA-256\xff", true },
};

static void check_classes(void)
{
	for (size_t i = 0; i < DG_ARRAY_LEN(expected); i++) {
		bool got = mechclass_is_plaintext(expected[i].mech);

		if (got != expected[i].plaintext)
			fail_msg("mechclass_is_plaintext(\"%s\") = %d, expected %d",
				 expected[i].mech, got, expected[i].plaintext);
	}
	assert_true(mechclass_is_plaintext(NULL));
}

static void test_builtin_before_init(void **state)
{
	(void)state;
	assert_false(mechclass_installed("PLAIN"));
	check_classes();
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(mechclass_init(), 0);
	assert_int_equal(mechclass_init(), 0);	/* once only; same answer */
}

struct agree {
	size_t n;
	size_t bad;
};

static void agree_cb(client_sasl_mechanism_t *m, sasl_info_callback_stage_t stage,
		     void *rock)
{
	struct agree *a = rock;
	bool plaintext;

	if (stage != SASL_INFO_LIST_MECH)
		return;
	plaintext = (m->plug->security_flags & SASL_SEC_NOPLAINTEXT) == 0;
	print_message("# installed %s (plugin %s): flags %#x -> %s\n",
		      m->plug->mech_name, m->plugname ? m->plugname : "?",
		      m->plug->security_flags, plaintext ? "plaintext" : "not plaintext");
	a->n++;
	if (!mechclass_installed(m->plug->mech_name)
	    || mechclass_is_plaintext(m->plug->mech_name) != plaintext)
		a->bad++;
}

/* The snapshot says what libsasl2 says, for every installed plugin. */
static void test_snapshot_agrees(void **state)
{
	struct agree a = { 0, 0 };

	(void)state;
	assert_int_equal(sasl_client_plugin_info(NULL, agree_cb, &a), SASL_OK);
	if (a.n == 0)
		fail_msg("libsasl2 lists no client mechanism: apt-get install libsasl2-modules");
	assert_int_equal(a.bad, 0);
	assert_false(mechclass_installed("XOAUTH2-NOT-A-PLUGIN"));
	assert_false(mechclass_installed(NULL));
}

/* The built-in table and the installed plugins agree (Debian 12 ships
 * PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-* NTLM EXTERNAL). */
static void test_after_init(void **state)
{
	(void)state;
	check_classes();
}

static void *hammer(void *arg)
{
	size_t *bad = arg;

	for (int round = 0; round < 20000; round++) {
		const struct expect *e = &expected[(size_t)round % DG_ARRAY_LEN(expected)];

		if (mechclass_is_plaintext(e->mech) != e->plaintext)
			(*bad)++;
	}
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	size_t bad[4] = { 0, 0, 0, 0 };

	(void)state;
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, &bad[i]), 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_int_equal(bad[i], 0);
	}
}

static void test_done(void **state)
{
	(void)state;
	mechclass_done();
	mechclass_done();			/* harmless twice */
	check_classes();			/* the snapshot stays readable */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_before_init),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_snapshot_agrees),
		cmocka_unit_test(test_after_init),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_done),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
