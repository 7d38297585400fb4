/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_gate.c: unit tests of the MAIL FROM decision (gate.c, owner.c):
 * every rule of dotgate.conf(5), DECISIONS AT MAIL FROM, in its order,
 * the exemption edges, the smtpd_sender_login_maps key order and case
 * folding of dotgate.conf(5), LOGIN MAP, and the replies a hostile
 * sender can influence.  The policy is what the configuration loader
 * makes of a few lines of dotgate.conf(5), so that every default is the
 * loader's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include <cmocka.h>

#include "conftext.h"
#include "gate.h"
#include "loginmap.h"
#include "mechclass.h"
#include "owner.h"
#include "policy.h"
#include "reply.h"
#include "util.h"

struct fixture {
	struct dg_policy *p;
	struct sockaddr_storage ss;
	struct gate_input in;
	struct gate_result out;
};

static void add_map(struct loginmap *m, const char *key, const char *login)
{
	assert_int_equal(loginmap_add(m, key, login), 0);
}

/*
 * The policy of every test: the loader's defaults, alice's inline block
 * and a login map that gives bob his address, followed by the auth or
 * body section of a test (dotgate.conf(5), "THE AUTH SECTION").
 */
static void load(struct fixture *f, const char *sections)
{
	static char text[4096];
	const char *map = conftext_file("senders.map", "bob@example.test  bob@example.test\n");
	int n = snprintf(text, sizeof(text),
			 "user \"alice@example.test\" {\n"
			 "  senders = {\"alice@example.test\", \"@example.org\"}\n"
			 "}\n"
			 "senders {\n  login_map = \"%s\"\n}\n%s\n", map, sections);

	assert_true(n > 0 && (size_t)n < sizeof(text));
	if (f->p != NULL)
		policy_unref(f->p);
	f->p = conftext_load(text);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	load(f, "");
	/* A typical authenticated submission from outside, over TLS. */
	f->in.client = NULL;
	f->in.daemon_name = "submission";
	f->in.auth_authen = "alice@example.test";
	f->in.auth_type = "PLAIN";
	f->in.tls_version = "TLSv1.3";
	f->in.sender = "<alice@example.test>";
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	policy_unref(f->p);
	free(f);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	/* As the daemon does in its main thread; -1 leaves the built-in table. */
	(void)mechclass_init();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	mechclass_done();
	return 0;
}

/* Sets the client address from text ("192.0.2.10", "::1"). */
static void client(struct fixture *f, const char *addr)
{
	memset(&f->ss, 0, sizeof(f->ss));
	if (strchr(addr, ':') != NULL) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&f->ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(54321);
		assert_int_equal(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&f->ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(54321);
		assert_int_equal(inet_pton(AF_INET, addr, &s4->sin_addr), 1);
	}
	f->in.client = (const struct sockaddr *)&f->ss;
}

static enum gate_rule decide(struct fixture *f)
{
	memset(&f->out, 0x55, sizeof(f->out));	/* nothing may be left over */
	gate_decide(f->p, &f->in, &f->out);
	assert_int_equal(f->out.refuse, f->out.rule != GATE_PASS && f->out.rule != GATE_EXEMPT);
	if (!f->out.refuse)
		assert_string_equal(f->out.reply, "");
	assert_non_null(memchr(f->out.reply, '\0', sizeof(f->out.reply)));
	return f->out.rule;
}

/* The rule for an unauthenticated client at addr. */
static enum gate_rule unauth_from(struct fixture *f, const char *addr)
{
	client(f, addr);
	f->in.auth_authen = NULL;
	f->in.auth_type = NULL;
	return decide(f);
}

/* ---- rule 1: exemptions ------------------------------------------------ */

static void test_exempt_no_client(void **state)
{
	struct fixture *f = *state;

	f->in.client = NULL;
	f->in.auth_authen = NULL;
	assert_int_equal(decide(f), GATE_EXEMPT);
	/* Even an authenticated client skips checks 2-5. */
	f->in.auth_authen = "mallory@example.test";
	f->in.sender = "bob@example.test";
	assert_int_equal(decide(f), GATE_EXEMPT);
}

static void test_exempt_unix_peer(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un *un = (struct sockaddr_un *)&f->ss;

	memset(&f->ss, 0, sizeof(f->ss));
	un->sun_family = AF_UNIX;
	strcpy(un->sun_path, "/run/x.sock");
	f->in.client = (const struct sockaddr *)un;
	f->in.auth_authen = NULL;
	assert_int_equal(decide(f), GATE_EXEMPT);
}

static void test_exempt_ipv4_8(void **state)
{
	struct fixture *f = *state;

	load(f, "auth { exempt_networks = {\"127.0.0.0/8\", \"::1/128\", \"10.0.0.0/8\"} }");
	assert_int_equal(unauth_from(f, "127.0.0.1"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "127.0.0.0"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "127.255.255.255"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "126.255.255.255"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "128.0.0.0"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "10.255.255.255"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "11.0.0.0"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "9.255.255.255"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
}

static void test_exempt_ipv4_32(void **state)
{
	struct fixture *f = *state;

	/* a bare address is a host */
	load(f, "auth { exempt_networks = {\"127.0.0.0/8\", \"::1/128\",\n"
		"  \"192.0.2.77/32\", \"198.51.100.9\"} }");
	assert_int_equal(unauth_from(f, "192.0.2.77"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "192.0.2.76"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "192.0.2.78"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "198.51.100.9"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "198.51.100.8"), GATE_UNAUTHENTICATED);
}

static void test_exempt_ipv6(void **state)
{
	struct fixture *f = *state;

	load(f, "auth { exempt_networks = {\"127.0.0.0/8\", \"::1/128\", \"2001:db8:1:2::/64\"} }");
	assert_int_equal(unauth_from(f, "::1"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "::2"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "::"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "2001:db8:1:2::"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "2001:db8:1:2:ffff:ffff:ffff:ffff"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "2001:db8:1:3::"), GATE_UNAUTHENTICATED);
	assert_int_equal(unauth_from(f, "2001:db8:1:1:ffff:ffff:ffff:ffff"), GATE_UNAUTHENTICATED);
}

static void test_exempt_v4mapped(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unauth_from(f, "::ffff:127.0.0.1"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "::ffff:127.200.1.1"), GATE_EXEMPT);
	assert_int_equal(unauth_from(f, "::ffff:128.0.0.1"), GATE_UNAUTHENTICATED);
	/* The IPv4-compatible (deprecated) form is not a mapped address. */
	assert_int_equal(unauth_from(f, "::127.0.0.1"), GATE_UNAUTHENTICATED);
}

static void test_exempt_daemons(void **state)
{
	struct fixture *f = *state;

	load(f, "auth { daemons = {\"submission\", \"ORIGINATING\"} }");
	f->in.daemon_name = "submission";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
	f->in.daemon_name = "ORIGINATING";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
	f->in.daemon_name = "originating";	/* case-insensitive: enforce */
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
	f->in.daemon_name = "smtpd";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_EXEMPT);
	f->in.daemon_name = "submission ";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_EXEMPT);
	f->in.daemon_name = "";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_EXEMPT);
	f->in.daemon_name = NULL;
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_EXEMPT);
	/* Exempt networks still apply on an enforced daemon. */
	f->in.daemon_name = "submission";
	assert_int_equal(unauth_from(f, "127.0.0.1"), GATE_EXEMPT);
	/* Empty list: every daemon is enforced, even without the macro. */
	load(f, "auth { daemons = {} }");
	f->in.daemon_name = NULL;
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
}

/* ---- rule 2: authentication -------------------------------------------- */

static void test_unauthenticated(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
	assert_true(f->out.refuse);
	assert_string_equal(f->out.reply, "530 5.7.0 Authentication required");
	f->in.auth_authen = "";		/* present but empty counts as absent */
	assert_int_equal(decide(f), GATE_UNAUTHENTICATED);
	assert_string_equal(gate_rule_name(f->out.rule), "auth.unauthenticated");
}

static void test_require_false(void **state)
{
	struct fixture *f = *state;

	f->p->auth.require = false;
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_PASS);
	/* An authenticated client is still held to checks 3-5. */
	f->in.auth_authen = "alice@example.test";
	f->in.auth_type = "PLAIN";
	f->in.tls_version = NULL;
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.tls_version = "TLSv1.2";
	f->in.sender = "bob@example.test";
	assert_int_equal(decide(f), GATE_NOT_OWNED);
}

/* ---- rule 3: mechanism allow-list --------------------------------------- */

static void test_mechanism(void **state)
{
	struct fixture *f = *state;

	client(f, "192.0.2.10");
	f->in.auth_type = "CRAM-MD5";
	assert_int_equal(decide(f), GATE_PASS);	/* empty list: any */
	load(f, "auth { mechanisms = {\"SCRAM-SHA-256\", \"PLAIN\"} }");
	assert_int_equal(decide(f), GATE_MECHANISM);
	assert_string_equal(f->out.reply, "534 5.7.9 Authentication mechanism is too weak");
	f->in.auth_type = "scram-sha-256";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.auth_type = "Plain";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.auth_type = "SCRAM-SHA-256-PLUS";	/* a different mechanism */
	assert_int_equal(decide(f), GATE_MECHANISM);
	f->in.auth_type = NULL;
	assert_int_equal(decide(f), GATE_MECHANISM);
	f->in.auth_type = "";
	assert_int_equal(decide(f), GATE_MECHANISM);
	/* Checked before the TLS rule: a refused PLAIN is auth.mechanism. */
	load(f, "auth { mechanisms = {\"SCRAM-SHA-256\"} }");
	f->in.auth_type = "PLAIN";
	f->in.tls_version = NULL;
	assert_int_equal(decide(f), GATE_MECHANISM);
}

/* ---- rule 4: plaintext mechanisms need TLS ------------------------------ */

static void test_plaintext(void **state)
{
	struct fixture *f = *state;

	client(f, "192.0.2.10");
	f->in.tls_version = NULL;
	f->in.auth_type = "PLAIN";
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	assert_string_equal(f->out.reply,
			    "538 5.7.11 Encryption required for requested authentication mechanism");
	f->in.auth_type = "LOGIN";
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.auth_type = "login";
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.auth_type = "XOAUTH2";
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.auth_type = "X-UNKNOWN-MECH";	/* fail safe */
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.auth_type = NULL;			/* authenticated, mechanism unknown */
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.tls_version = "";
	f->in.auth_type = "PLAIN";
	assert_int_equal(decide(f), GATE_PLAINTEXT);

	f->in.tls_version = NULL;
	f->in.auth_type = "CRAM-MD5";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.auth_type = "SCRAM-SHA-256";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.auth_type = "scram-sha-1";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.auth_type = "DIGEST-MD5";
	assert_int_equal(decide(f), GATE_PASS);

	f->in.auth_type = "PLAIN";
	f->in.tls_version = "TLSv1.3";
	assert_int_equal(decide(f), GATE_PASS);
	f->in.tls_version = NULL;
	f->p->auth.plaintext_needs_tls = false;
	assert_int_equal(decide(f), GATE_PASS);
}

/* ---- order: the first rule that applies is the one reported ------------- */

static void test_order(void **state)
{
	struct fixture *f = *state;

	load(f, "auth { mechanisms = {\"CRAM-MD5\"} }");
	f->in.auth_type = "PLAIN";
	f->in.tls_version = NULL;
	f->in.sender = "bob@example.test";
	client(f, "127.0.0.1");
	assert_int_equal(decide(f), GATE_EXEMPT);
	client(f, "192.0.2.10");
	assert_int_equal(decide(f), GATE_MECHANISM);
	f->in.auth_type = "PLAIN";
	load(f, "auth { mechanisms = {} }");
	assert_int_equal(decide(f), GATE_PLAINTEXT);
	f->in.tls_version = "TLSv1.3";
	assert_int_equal(decide(f), GATE_NOT_OWNED);
	f->in.sender = "alice@example.test";
	assert_int_equal(decide(f), GATE_PASS);
}

/* ---- rule 5: sender ownership ------------------------------------------ */

/* The rule for login sending as sender from a non-exempt client over TLS. */
static enum gate_rule send_as(struct fixture *f, const char *login, const char *sender)
{
	client(f, "192.0.2.10");
	f->in.auth_authen = login;
	f->in.auth_type = "PLAIN";
	f->in.tls_version = "TLSv1.3";
	f->in.sender = sender;
	return decide(f);
}

static void test_owner_acceptance(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(send_as(f, "alice@example.test", "alice@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "<someone@example.org>"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "<bob@example.test>"), GATE_NOT_OWNED);
	assert_string_equal(f->out.reply, "553 5.7.1 <bob@example.test>: Sender address "
			    "rejected: not owned by user alice@example.test");
	assert_string_equal(gate_rule_name(f->out.rule), "sender.not_owned");
	assert_int_equal(send_as(f, "bob@example.test", "bob@example.test"), GATE_PASS);
}

static void test_owner_whole_then_detail(void **state)
{
	struct fixture *f = *state;
	struct loginmap *m = f->p->senders.map;

	add_map(m, "carol+news@example.test", "dave");
	add_map(m, "carol@example.test", "carol");
	/* The whole address is tried first and decides alone. */
	assert_int_equal(send_as(f, "dave", "carol+news@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "carol", "carol+news@example.test"), GATE_NOT_OWNED);
	/* No whole-address key: the +detail is stripped. */
	assert_int_equal(send_as(f, "carol", "carol+other@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "dave", "carol+other@example.test"), GATE_NOT_OWNED);
	/* Only the first '+' starts the detail. */
	assert_int_equal(send_as(f, "carol", "carol+a+b@example.test"), GATE_PASS);
	/* A leading '+' is not a detail: "+news@" is not looked up as "@". */
	add_map(m, "@", "nobody");
	assert_int_equal(send_as(f, "nobody", "+news@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "nobody", "news@example.test"), GATE_NOT_OWNED);
}

static void test_owner_localpart(void **state)
{
	struct fixture *f = *state;
	struct loginmap *m = f->p->senders.map;

	add_map(m, "frank@", "frank");
	add_map(m, "frank+vip@", "vip");
	add_map(m, "@example.net", "netadmin");
	/* localpart@ comes before @domain, with the detail before without. */
	assert_int_equal(send_as(f, "frank", "frank@anywhere.test"), GATE_PASS);
	assert_int_equal(send_as(f, "frank", "frank@example.net"), GATE_PASS);
	assert_int_equal(send_as(f, "netadmin", "frank@example.net"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "frank", "frank+x@anywhere.test"), GATE_PASS);
	assert_int_equal(send_as(f, "vip", "frank+vip@anywhere.test"), GATE_PASS);
	assert_int_equal(send_as(f, "frank", "frank+vip@anywhere.test"), GATE_NOT_OWNED);
	/* An unqualified sender is looked up as localpart@. */
	assert_int_equal(send_as(f, "frank", "frank"), GATE_PASS);
	assert_int_equal(send_as(f, "netadmin", "frank"), GATE_NOT_OWNED);
}

static void test_owner_domain_first_match(void **state)
{
	struct fixture *f = *state;
	struct loginmap *m = f->p->senders.map;

	add_map(m, "@example.net", "netadmin");
	add_map(m, "grace@example.net", "grace");
	assert_int_equal(send_as(f, "netadmin", "anyone@example.net"), GATE_PASS);
	assert_int_equal(send_as(f, "grace", "anyone@example.net"), GATE_NOT_OWNED);
	/* grace's own key is found first: the @domain key that lists
	 * netadmin is never consulted. */
	assert_int_equal(send_as(f, "grace", "grace@example.net"), GATE_PASS);
	assert_int_equal(send_as(f, "netadmin", "grace@example.net"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "netadmin", "grace+x@example.net"), GATE_NOT_OWNED);
	/* Several logins on one key. */
	add_map(m, "shared@example.net", "grace");
	add_map(m, "shared@example.net", "heidi");
	assert_int_equal(send_as(f, "heidi", "shared@example.net"), GATE_PASS);
	assert_int_equal(send_as(f, "grace", "shared@example.net"), GATE_PASS);
	assert_int_equal(send_as(f, "ivan", "shared@example.net"), GATE_NOT_OWNED);
}

static void test_owner_case(void **state)
{
	struct fixture *f = *state;

	add_map(f->p->senders.map, "Ivan@Example.TEST", "IVAN@Example.Test");
	assert_int_equal(send_as(f, "ivan@example.test", "IVAN@EXAMPLE.test"), GATE_PASS);
	assert_int_equal(send_as(f, "Ivan@EXAMPLE.TEST", "ivan@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "ALICE@EXAMPLE.TEST", "Alice@Example.Test"), GATE_PASS);
	assert_int_equal(send_as(f, "ALICE@EXAMPLE.TEST", "x@EXAMPLE.ORG"), GATE_PASS);
	assert_int_equal(send_as(f, "ivan@example.tes", "ivan@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "ivan@example.testx", "ivan@example.test"), GATE_NOT_OWNED);
}

static void test_owner_forms(void **state)
{
	struct fixture *f = *state;

	add_map(f->p->senders.map, "@example.test", "admin");
	add_map(f->p->senders.map, "alice@example.test", "alice@example.test");
	assert_int_equal(send_as(f, "alice@example.test", " <alice@example.test> "), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "< alice@example.test >"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "\talice@example.test"), GATE_PASS);
	/* The forms the MTA delivers as alice@example.test are alice's,
	 * not the @example.test admin's. */
	assert_int_equal(send_as(f, "admin", "\"alice\"@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "alice@example.test", "\"alice\"@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "admin", "al\\ice@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "admin", "alice@example.test."), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "alice@example.test", "<alice@example.test.>"), GATE_PASS);
	assert_int_equal(send_as(f, "admin", "<@relay.test,@r2.test:alice@example.test>"),
			 GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "admin", "other@example.test"), GATE_PASS);
	/* The domain is after the last '@'. */
	assert_int_equal(send_as(f, "admin", "\"x@example.org\"@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "\"x@example.org\"@example.test"),
			 GATE_NOT_OWNED);
}

static void test_null_sender(void **state)
{
	struct fixture *f = *state;
	static const char *const forms[] = { "", "<>", " <> ", "< >", "<\"\">" };

	for (size_t i = 0; i < DG_ARRAY_LEN(forms); i++) {
		f->p->senders.null_sender = DG_NULL_ALLOW;
		assert_int_equal(send_as(f, "alice@example.test", forms[i]), GATE_PASS);
		f->p->senders.null_sender = DG_NULL_REJECT;
		assert_int_equal(send_as(f, "alice@example.test", forms[i]), GATE_NOT_OWNED);
		assert_string_equal(f->out.reply, "553 5.7.1 <>: Sender address rejected: "
				    "not owned by user alice@example.test");
	}
	f->in.sender = NULL;
	assert_int_equal(decide(f), GATE_NOT_OWNED);
	/* unlisted does not apply to the null sender. */
	f->p->senders.unlisted = DG_UNLISTED_ALLOW;
	assert_int_equal(send_as(f, "alice@example.test", "<>"), GATE_NOT_OWNED);
	f->p->senders.null_sender = DG_NULL_ALLOW;
	f->p->senders.unlisted = DG_UNLISTED_REJECT;
	assert_int_equal(send_as(f, "alice@example.test", "<>"), GATE_PASS);
}

static void test_unlisted(void **state)
{
	struct fixture *f = *state;

	f->p->senders.unlisted = DG_UNLISTED_REJECT;
	assert_int_equal(send_as(f, "alice@example.test", "zed@nowhere.test"), GATE_NOT_OWNED);
	f->p->senders.unlisted = DG_UNLISTED_ALLOW;
	assert_int_equal(send_as(f, "alice@example.test", "zed@nowhere.test"), GATE_PASS);
	/* Listed for someone else (map or inline): not "unlisted". */
	assert_int_equal(send_as(f, "alice@example.test", "bob@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "mallory", "alice@example.test"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "mallory", "x@example.org"), GATE_NOT_OWNED);
}

/* Allowlists by login: the sender check, the body scan; rule auth.exempt. */
static void test_exempt_logins(void **state)
{
	struct fixture *f = *state;

	load(f, "auth { exempt_logins = {\"relay@example.test\"} }");
	assert_int_equal(send_as(f, "relay@example.test", "anyone@elsewhere.test"), GATE_EXEMPT);
	assert_false(f->out.body_exempt);
	assert_int_equal(send_as(f, "RELAY@example.test", "anyone@elsewhere.test"), GATE_EXEMPT);
	assert_int_equal(send_as(f, "alice@example.test", "anyone@elsewhere.test"), GATE_NOT_OWNED);
	/* Checks 3 and 4 still hold: plaintext without TLS is refused. */
	f->in.tls_version = NULL;
	client(f, "192.0.2.10");
	f->in.auth_authen = "relay@example.test";
	f->in.auth_type = "PLAIN";
	f->in.sender = "x@y.test";
	f->in.tls_version = NULL;
	assert_int_equal(decide(f), GATE_PLAINTEXT);

	load(f, "auth { exempt_logins = {\"relay@example.test\"} }\n"
		"body { exempt_logins = {\"Scanner@example.test\"} }\n"
		"user \"scanner@example.test\" { senders = {\"scanner@example.test\"} }");
	assert_int_equal(send_as(f, "scanner@example.test", "scanner@example.test"), GATE_EXEMPT);
	assert_true(f->out.body_exempt);
	/* A refused sender is refused, and its body is not exempt either. */
	assert_int_equal(send_as(f, "scanner@example.test", "ceo@example.test"), GATE_NOT_OWNED);
	assert_false(f->out.body_exempt);
	assert_int_equal(send_as(f, "alice@example.test", "alice@example.test"), GATE_PASS);
	assert_false(f->out.body_exempt);
}

static void test_inline_merged(void **state)
{
	struct fixture *f = *state;
	struct loginmap *m = f->p->senders.map;

	add_map(m, "@example.org", "orgadmin");
	add_map(m, "news@example.org", "editor");
	/* The map's first key lists only orgadmin/editor; alice's inline
	 * block for @example.org still makes her an owner. */
	assert_int_equal(send_as(f, "alice@example.test", "bob@example.org"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "news@example.org"), GATE_PASS);
	assert_int_equal(send_as(f, "orgadmin", "bob@example.org"), GATE_PASS);
	assert_int_equal(send_as(f, "orgadmin", "news@example.org"), GATE_NOT_OWNED);
	assert_int_equal(send_as(f, "editor", "news@example.org"), GATE_PASS);
	/* Inline addresses take the same +detail stripping. */
	assert_int_equal(send_as(f, "alice@example.test", "alice+lists@example.test"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "other@example.test"), GATE_NOT_OWNED);
	/* Inline only, map empty for that sender. */
	assert_int_equal(send_as(f, "orgadmin", "alice@example.test"), GATE_NOT_OWNED);
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static void test_hostile_reply(void **state)
{
	struct fixture *f = *state;
	char big[6000], escaped[2 * DG_REPLY_MAX + 1];

	assert_int_equal(send_as(f, "alice@example.test",
				 "<bob\r\n250 2.0.0 Ok%s%%\x01\xff@example.test>"), GATE_NOT_OWNED);
	assert_string_equal(f->out.reply, "553 5.7.1 <bob??250 2.0.0 Ok%s%%??@example.test>: "
			    "Sender address rejected: not owned by user alice@example.test");
	/* The milter doubles each '%' before smfi_setreply(). */
	reply_escape_percent(f->out.reply, escaped, sizeof(escaped));
	assert_non_null(strstr(escaped, "Ok%%s%%%%??@"));

	/* A hostile login can only be shown, sanitised. */
	assert_int_equal(send_as(f, "eve\r\nX%u", "bob@example.test"), GATE_NOT_OWNED);
	assert_true(printable(f->out.reply));
	assert_non_null(strstr(f->out.reply, "by user eve??X%u"));

	/* Over-long senders are refused (they cannot be vouched for) and
	 * the reply stays within bounds. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + sizeof(big) - 20, "@example.org", 13);
	f->p->senders.unlisted = DG_UNLISTED_ALLOW;
	assert_int_equal(send_as(f, "alice@example.test", big), GATE_NOT_OWNED);
	assert_true(strlen(f->out.reply) <= DG_REPLY_MAX);
	assert_true(printable(f->out.reply));
	big[OWNER_ADDR_MAX + 1] = '\0';		/* just over the bound */
	assert_int_equal(send_as(f, "alice@example.test", big), GATE_NOT_OWNED);
	big[OWNER_ADDR_MAX - 12] = '\0';
	strcat(big, "@example.org");		/* exactly at the bound */
	assert_int_equal(strlen(big), OWNER_ADDR_MAX);
	assert_int_equal(send_as(f, "alice@example.test", big), GATE_PASS);
	/* An over-long login owns nothing. */
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(send_as(f, big, "zed@nowhere.test"), GATE_NOT_OWNED);
	assert_true(strlen(f->out.reply) <= DG_REPLY_MAX);
}

static void test_owner_results(void **state)
{
	struct fixture *f = *state;
	const struct dg_policy_senders *s = &f->p->senders;
	char buf[16];

	assert_int_equal(owner_lookup(s, "alice@example.test", "alice@example.test", NULL), OWNER_OWNED);
	assert_int_equal(owner_lookup(s, "bob@example.test", "alice@example.test", NULL), OWNER_OTHERS);
	assert_int_equal(owner_lookup(s, "zed@x.test", "alice@example.test", NULL), OWNER_UNLISTED);
	assert_int_equal(owner_lookup(s, "<>", "alice@example.test", NULL), OWNER_NULL);
	assert_int_equal(owner_lookup(s, "bob@example.test", NULL, NULL), OWNER_INVALID);
	assert_int_equal(owner_lookup(s, "bob@example.test", "", NULL), OWNER_INVALID);
	assert_string_equal(owner_result_name(OWNER_OTHERS), "others");
	assert_int_equal(owner_strip(" <a@b.test> ", buf, sizeof(buf)), 8);
	assert_string_equal(buf, "a@b.test");
	assert_int_equal(owner_strip("<0123456789abcdefghij>", buf, sizeof(buf)), 20);
	assert_string_equal(buf, "0123456789abcde");
}

static void test_rule_names(void **state)
{
	(void)state;
	assert_string_equal(gate_rule_name(GATE_PASS), "pass");
	assert_string_equal(gate_rule_name(GATE_EXEMPT), "auth.exempt");
	assert_string_equal(gate_rule_name(GATE_UNAUTHENTICATED), "auth.unauthenticated");
	assert_string_equal(gate_rule_name(GATE_MECHANISM), "auth.mechanism");
	assert_string_equal(gate_rule_name(GATE_PLAINTEXT), "auth.plaintext");
	assert_string_equal(gate_rule_name(GATE_NOT_OWNED), "sender.not_owned");
}

static void test_custom_replies(void **state)
{
	struct fixture *f = *state;

	load(f, "auth {\n"
		"  reply_unauthenticated = \"554 5.7.1 No auth for <%s>, 100%% sure\"\n"
		"  reply_mechanism = \"454 4.7.0 %u: try again\"\n"
		"  mechanisms = {\"SCRAM-SHA-256\"}\n}");
	f->in.sender = "<x@y.test>";
	assert_int_equal(unauth_from(f, "192.0.2.10"), GATE_UNAUTHENTICATED);
	assert_string_equal(f->out.reply, "554 5.7.1 No auth for <x@y.test>, 100% sure");
	assert_int_equal(send_as(f, "alice@example.test", "alice@example.test"), GATE_MECHANISM);
	assert_string_equal(f->out.reply, "454 4.7.0 alice@example.test: try again");
}

/* A remote login map in a test: a fixed table, or a server that fails. */
struct fake_remote {
	const char *key, *value;	/* the one key it knows */
	bool down;
	int calls;
};

static int fake_get(void *arg, const char *key, char *value, size_t size)
{
	struct fake_remote *r = arg;

	r->calls++;
	if (r->down)
		return -1;
	if (strcmp(key, r->key) != 0)
		return 0;
	(void)snprintf(value, size, "%s", r->value);
	return 1;
}

/* socketmap:/tcp: maps answer in place of the file map, inline blocks
 * still count, and a failed lookup follows on_error. */
static void test_remote_map(void **state)
{
	struct fixture *f = *state;
	struct fake_remote r = { "@remote.test", "carol@example.test,  Dave@Example.Test", false, 0 };
	struct owner_remote src = { fake_get, &r };

	f->in.remote = &src;
	assert_int_equal(send_as(f, "carol@example.test", "x@remote.test"), GATE_PASS);
	assert_int_equal(r.calls, 3);	/* x@remote.test, x@, then @remote.test */
	assert_int_equal(send_as(f, "dave@example.test", "y+z@remote.test"), GATE_PASS);
	assert_int_equal(send_as(f, "alice@example.test", "x@remote.test"), GATE_NOT_OWNED);
	assert_true(strncmp(f->out.reply, "553 ", 4) == 0);
	/* bob is only in the file map, which a remote map replaces */
	assert_int_equal(send_as(f, "bob@example.test", "bob@example.test"), GATE_NOT_OWNED);
	assert_false(f->out.lookup_failed);

	r.down = true;
	assert_int_equal(send_as(f, "carol@example.test", "x@remote.test"), GATE_NOT_OWNED);
	assert_true(f->out.lookup_failed);
	assert_string_equal(f->out.reply,
			    "451 4.3.0 <x@remote.test>: Sender address rejected: login map lookup failed");
	/* an inline block owns whatever the server does */
	assert_int_equal(send_as(f, "alice@example.test", "alice@example.test"), GATE_PASS);
	f->p->on_error = DG_ONERR_ACCEPT;
	assert_int_equal(send_as(f, "carol@example.test", "x@remote.test"), GATE_PASS);
	assert_true(f->out.lookup_failed);
	assert_int_equal(owner_lookup(&f->p->senders, "x@remote.test", "carol@example.test", &src),
			 OWNER_FAILED);
	assert_string_equal(owner_result_name(OWNER_FAILED), "failed");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_exempt_no_client),
		T(test_exempt_unix_peer),
		T(test_exempt_ipv4_8),
		T(test_exempt_ipv4_32),
		T(test_exempt_ipv6),
		T(test_exempt_v4mapped),
		T(test_exempt_daemons),
		T(test_unauthenticated),
		T(test_require_false),
		T(test_mechanism),
		T(test_plaintext),
		T(test_order),
		T(test_owner_acceptance),
		T(test_owner_whole_then_detail),
		T(test_owner_localpart),
		T(test_owner_domain_first_match),
		T(test_owner_case),
		T(test_owner_forms),
		T(test_null_sender),
		T(test_unlisted),
		T(test_exempt_logins),
		T(test_inline_merged),
		T(test_hostile_reply),
		T(test_owner_results),
		T(test_rule_names),
		T(test_custom_replies),
		T(test_remote_map),
	};
#undef T
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
