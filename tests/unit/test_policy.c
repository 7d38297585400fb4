/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c: unit tests of the configuration loader and the policy
 * swap: every key's value reaches the policy, every validation error is
 * reported with its FILE:LINE, all errors of a file are listed, and a
 * failed reload leaves the installed policy in force.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cmocka.h>

#include "cidr.h"
#include "conftext.h"
#include "loginmap.h"
#include "policy.h"

#define MAX_ERRS 32

struct errs {
	int n;
	char file[MAX_ERRS][256];
	unsigned line[MAX_ERRS];
	char msg[MAX_ERRS][512];
};

static void collect(void *arg, const char *file, unsigned line, const char *msg)
{
	struct errs *e = arg;

	if (e->n >= MAX_ERRS)
		return;
	snprintf(e->file[e->n], sizeof(e->file[0]), "%s", file);
	e->line[e->n] = line;
	snprintf(e->msg[e->n], sizeof(e->msg[0]), "%s", msg);
	e->n++;
}

/* The files of a test, in conftext's private directory (conftext.h). */
static const char *write_file(const char *name, const char *text)
{
	const char *path = conftext_file(name, text);

	assert_int_equal(chmod(path, 0644), 0);
	return path;
}

static struct dg_policy *load_text(const char *text, struct errs *e)
{
	memset(e, 0, sizeof(*e));
	return policy_load(write_file("t.conf", text), collect, e);
}

static bool has_error(const struct errs *e, unsigned line, const char *needle)
{
	for (int i = 0; i < e->n; i++)
		if (e->line[i] == line && strstr(e->msg[i], needle))
			return true;
	return false;
}

static void test_defaults(void **state)
{
	struct errs e;
	struct dg_policy *p = load_text("", &e);

	(void)state;
	assert_int_equal(e.n, 0);
	assert_non_null(p);
	assert_string_equal(p->socket, "unix:/run/dotgate/dotgate.sock");
	assert_int_equal(p->socket_mode, 0660);
	assert_int_equal(p->mode, DG_MODE_ENFORCE);
	assert_int_equal(p->on_error, DG_ONERR_TEMPFAIL);
	assert_true(p->auth.require);
	assert_true(p->auth.plaintext_needs_tls);
	assert_true(cidr_list_match_text(p->auth.exempt, "127.0.0.1"));
	assert_true(cidr_list_match_text(p->auth.exempt, "::1"));
	assert_false(cidr_list_match_text(p->auth.exempt, "192.0.2.1"));
	assert_string_equal(p->auth.unauthenticated.code, "530");
	assert_string_equal(p->auth.unauthenticated.ecode, "5.7.0");
	assert_string_equal(p->auth.unauthenticated.text, "Authentication required");
	assert_int_equal(p->senders.unlisted, DG_UNLISTED_REJECT);
	assert_int_equal(p->senders.null_sender, DG_NULL_ALLOW);
	assert_int_equal(p->body.action[DG_CLASS_BARE_CR], DG_ACT_REJECT);
	assert_int_equal(p->body.action[DG_CLASS_SMTP_COMMANDS], DG_ACT_LOG);
	assert_int_equal(p->body.action[DG_CLASS_LONG_LINE], DG_ACT_LOG);
	assert_int_equal(p->body.action[DG_CLASS_LONE_DOT], DG_ACT_IGNORE);
	assert_int_equal(p->body.max_line_length, 998);
	assert_string_equal(p->body.tag_header, "X-Dotgate-Anomalies");
	assert_string_equal(p->body.reject.code, "550");
	assert_true(p->audit.syslog);
	assert_int_equal(p->audit.facility, LOG_MAIL);
	assert_string_equal(p->audit.file, "");
	assert_false(p->audit.required);
	assert_string_equal(p->audit.reply_required.code, "451");
	assert_string_equal(p->audit.reply_required.text,
			    "Audit log unavailable, try again later");
	policy_unref(p);
}

static void test_sample_config(void **state)
{
	char path[1024];
	struct errs e = { 0 };
	struct dg_policy *p;

	(void)state;
	snprintf(path, sizeof(path), "%s/conf/dotgate.conf", getenv("top_srcdir") ? getenv("top_srcdir") : "..");
	p = policy_load(path, collect, &e);
	for (int i = 0; i < e.n; i++)
		print_message("%s:%u: %s\n", e.file[i], e.line[i], e.msg[i]);
	assert_non_null(p);
	/* its user block is an example, commented out: nobody owns anything */
	assert_int_equal(loginmap_size(p->senders.inline_users), 0);
	policy_unref(p);
}

static void test_every_key(void **state)
{
	const char *map = write_file("map", "# comment\n\nbob@example.test  bob, carol\n@example.net alice\n");
	char text[4096];
	struct errs e;
	struct dg_policy *p;
	const struct loginmap_entry *ent;

	(void)state;
	snprintf(text, sizeof(text),
		 "socket = \"inet:8891@127.0.0.1\"\nsocket_mode = \"0600\"\nmode = monitor\non_error = accept\n"
		 "auth {\n require = false\n exempt_networks = {\"10.0.0.0/8\", \"2001:db8::/32\"}\n"
		 " daemons = {\"submission\"}\n mechanisms = {\"scram-sha-256\", \"PLAIN\"}\n"
		 " plaintext_needs_tls = no\n reply_unauthenticated = \"554 5.7.1 go away\"\n"
		 " reply_plaintext = \"538 5.7.11 tls please\"\n reply_mechanism = \"534 5.7.9 weak\"\n}\n"
		 "senders {\n login_map = \"%s\"\n unlisted = allow\n null_sender = reject\n"
		 " reply = \"553 5.7.1 %%s not yours, %%u\"\n}\n"
		 "user \"dave\" { senders = {\"dave@example.test\"} }\n"
		 "body {\n bare_cr = tag\n bare_lf = quarantine\n smuggle_eod = tempfail\n nul = log\n"
		 " smuggled_transaction = reject\n smtp_commands = ignore\n long_line = tag\n lone_dot = log\n"
		 " max_line_length = 2000\n tag_header = \"X-Test\"\n reply_reject = \"554 5.6.0 no (%%a)\"\n"
		 " reply_tempfail = \"452 4.6.0 later (%%a)\"\n}\n"
		 "audit {\n syslog = false\n facility = local3\n file = \"/var/log/x.jsonl\"\n}\n", map);
	p = load_text(text, &e);
	assert_int_equal(e.n, 0);
	assert_non_null(p);
	assert_string_equal(p->socket, "inet:8891@127.0.0.1");
	assert_int_equal(p->socket_mode, 0600);
	assert_int_equal(p->mode, DG_MODE_MONITOR);
	assert_int_equal(p->on_error, DG_ONERR_ACCEPT);
	assert_false(p->auth.require);
	assert_true(cidr_list_match_text(p->auth.exempt, "10.1.2.3"));
	assert_true(cidr_list_match_text(p->auth.exempt, "2001:db8::5"));
	assert_false(cidr_list_match_text(p->auth.exempt, "127.0.0.1"));
	assert_int_equal(p->auth.ndaemons, 1);
	assert_string_equal(p->auth.daemons[0], "submission");
	assert_int_equal(p->auth.nmechanisms, 2);
	assert_string_equal(p->auth.mechanisms[0], "SCRAM-SHA-256");
	assert_false(p->auth.plaintext_needs_tls);
	assert_string_equal(p->auth.unauthenticated.code, "554");
	assert_string_equal(p->auth.plaintext.text, "tls please");
	assert_string_equal(p->auth.mechanism.text, "weak");
	ent = loginmap_get(p->senders.map, "BOB@example.test");
	assert_non_null(ent);
	assert_int_equal(ent->nlogins, 2);
	assert_string_equal(ent->logins[1], "carol");
	assert_non_null(loginmap_get(p->senders.map, "@example.net"));
	assert_int_equal(p->senders.unlisted, DG_UNLISTED_ALLOW);
	assert_int_equal(p->senders.null_sender, DG_NULL_REJECT);
	assert_string_equal(p->senders.reply.text, "%s not yours, %u");
	assert_non_null(loginmap_get(p->senders.inline_users, "dave@example.test"));
	assert_int_equal(p->body.action[DG_CLASS_BARE_CR], DG_ACT_TAG);
	assert_int_equal(p->body.action[DG_CLASS_BARE_LF], DG_ACT_QUARANTINE);
	assert_int_equal(p->body.action[DG_CLASS_SMUGGLE_EOD], DG_ACT_TEMPFAIL);
	assert_int_equal(p->body.action[DG_CLASS_NUL], DG_ACT_LOG);
	assert_int_equal(p->body.action[DG_CLASS_SMTP_COMMANDS], DG_ACT_IGNORE);
	assert_int_equal(p->body.action[DG_CLASS_LONE_DOT], DG_ACT_LOG);
	assert_int_equal(p->body.max_line_length, 2000);
	assert_string_equal(p->body.tag_header, "X-Test");
	assert_string_equal(p->body.reject.code, "554");
	assert_string_equal(p->body.tempfail.code, "452");
	assert_false(p->audit.syslog);
	assert_int_equal(p->audit.facility, LOG_LOCAL3);
	assert_string_equal(p->audit.file, "/var/log/x.jsonl");
	policy_unref(p);
}

/* The host key: the machine's name by default, a plain token when set. */
static void test_host(void **state)
{
	struct errs e;
	struct dg_policy *p;
	char name[DG_HOST_MAX + 2] = "";
	char text[400];

	(void)state;
	assert_int_equal(gethostname(name, sizeof(name) - 1), 0);
	p = load_text("", &e);
	assert_non_null(p);
	assert_string_equal(p->host, name);
	policy_unref(p);
	p = load_text("host = \"mx1.example.net\"\n", &e);
	assert_non_null(p);
	assert_string_equal(p->host, "mx1.example.net");
	policy_unref(p);
	assert_null(load_text("mode = enforce\nhost = \"mx 1\"\n", &e));
	assert_true(has_error(&e, 2, "host: \"mx 1\" has a blank"));
	assert_null(load_text("host = \"mx\\\"1\"\n", &e));
	assert_true(has_error(&e, 1, "host:"));
	snprintf(text, sizeof(text), "host = \"%0256d\"\n", 0);
	assert_null(load_text(text, &e));
	assert_true(has_error(&e, 1, "host: must be 1 to 255 characters"));
}

static void test_unknown_key(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("mode = enforce\nbogus = 1\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 2, "bogus"));
	assert_non_null(strstr(e.file[0], "t.conf"));
}

static void test_bad_reply_class(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("auth {\n  reply_unauthenticated = \"530 4.7.0 x\"\n}\n", &e));
	assert_true(has_error(&e, 2, "class"));
}

static void test_bad_replies(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("auth {\n reply_plaintext = \"250 2.0.0 ok\"\n"
			      " reply_mechanism = \"534 no enhanced code\"\n}\n"
			      "senders {\n reply = \"553 5.7.1 bad %x escape\"\n}\n"
			      "body {\n reply_reject = \"451 4.6.0 wrong class for reject\"\n}\n", &e));
	assert_int_equal(e.n, 4);
	assert_true(has_error(&e, 2, "4xx or 5xx"));
	assert_true(has_error(&e, 3, "enhanced"));
	assert_true(has_error(&e, 6, "escape"));
	assert_true(has_error(&e, 9, "5xx"));
}

/* dotgate.conf(5), "THE AUDIT SECTION": required needs a sink that
 * keeps records, and its reply defers. */
static void test_audit_required(void **state)
{
	struct errs e;
	struct dg_policy *p;

	(void)state;
	assert_null(load_text("audit {\n syslog = false\n required = true\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 3, "required: true needs a sink"));
	assert_null(load_text("audit {\n reply_required = \"550 5.3.0 no\"\n}\n", &e));
	assert_true(has_error(&e, 2, "reply_required: must be a 4xx reply"));
	p = load_text("audit {\n syslog = false\n file = \"/var/x.jsonl\"\n"
		      " required = yes\n reply_required = \"452 4.3.1 full\"\n}\n", &e);
	assert_non_null(p);
	assert_true(p->audit.required);
	assert_string_equal(p->audit.reply_required.code, "452");
	policy_unref(p);
	p = load_text("audit {\n required = true\n}\n", &e);	/* syslog keeps */
	assert_non_null(p);
	policy_unref(p);
}

static void test_bad_network(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("auth {\n  exempt_networks = {\"10.0.0.0/8\",\n \"10.0.0.0/33\"}\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 3, "10.0.0.0/33"));
}

/* libconfuse 3.3 miscounts lines after comments; the loader works around it. */
static void test_comments_keep_lines(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("# one\n// two\n/* three\n four */\nauth { # five\n"
			      "  reply_mechanism = \"534 5.7.9 # not a comment\"\n"
			      "  exempt_networks = {\"300.0.0.0/8\"}\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 7, "300.0.0.0/8"));
}

static void test_duplicate_user(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("user \"a@x\" {\n senders = {\"a@x\"}\n}\n\nuser \"a@x\" {\n"
			      " senders = {\"b@x\"}\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 5, "duplicate"));
}

/* A key set twice is an error at the second line, naming the first;
 * every such key is reported, in sections too, lists excepted. */
static void test_key_given_twice(void **state)
{
	struct errs e;
	struct dg_policy *p;

	(void)state;
	assert_null(load_text("mode = monitor\non_error = accept\nmode = enforce\n"
			      "auth {\n require = true\n require = false\n}\n"
			      "senders {\n lookup_timeout = 2\n}\n", &e));
	assert_int_equal(e.n, 2);
	assert_true(has_error(&e, 3, "'mode' given twice (first at line 1)"));
	assert_true(has_error(&e, 6, "'require' given twice (first at line 5)"));
	p = load_text("user \"a@x\" {\n senders = {\"a@x\"}\n}\n"
		      "user \"b@x\" {\n senders = {\"b@x\"}\n}\n", &e);
	assert_non_null(p);
	assert_int_equal(e.n, 0);
	policy_unref(p);
}

static void test_unreadable_map(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("senders {\n\n  login_map = \"/nonexistent/map\"\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 3, "/nonexistent/map"));
}

/* A directory passes access(R_OK) but is no map: the config line says so. */
static void test_map_is_directory(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("senders {\n  login_map = \"/tmp\"\n}\n", &e));
	assert_int_equal(e.n, 1);
	assert_true(has_error(&e, 2, "/tmp is a directory"));
}

static void test_malformed_map_line(void **state)
{
	char text[1024], mappath[512];
	struct errs e;

	(void)state;
	snprintf(mappath, sizeof(mappath), "%s", write_file("badmap", "a@x a\nnokey-at-all\n@y\n"));
	snprintf(text, sizeof(text), "senders {\n login_map = \"%s\"\n}\n", mappath);
	assert_null(load_text(text, &e));
	assert_int_equal(e.n, 2);
	assert_string_equal(e.file[0], mappath);
	assert_int_equal(e.line[0], 2);
	assert_int_equal(e.line[1], 3);
}

static void test_all_errors_listed(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("mode = sometimes\nbogus = 1\nauth {\n other = 2\n"
			      " exempt_networks = {\"1.2.3/8\"}\n}\nbody {\n bare_cr = maybe\n"
			      " max_line_length = 0\n tag_header = \"Bad: header\"\n}\n"
			      "user \"u\" { senders = {\"nobody\"} }\nuser \"u\" { senders = {\"x@y\"} }\n", &e));
	for (int i = 0; i < e.n; i++)
		print_message("%u: %s\n", e.line[i], e.msg[i]);
	assert_true(has_error(&e, 2, "bogus"));
	assert_true(has_error(&e, 4, "other"));
	assert_true(has_error(&e, 13, "duplicate"));
	assert_true(has_error(&e, 1, "mode"));
	assert_true(has_error(&e, 5, "1.2.3/8"));
	assert_true(has_error(&e, 8, "bare_cr"));
	assert_true(has_error(&e, 9, "max_line_length"));
	assert_true(has_error(&e, 10, "tag_header"));
	assert_true(has_error(&e, 12, "nobody"));
	assert_int_equal(e.n, 9);
}

/*
 * What one load reports: an unknown key does not end the parse (its block
 * still closes, the blocks after it are read as written); an unknown
 * block or list does, after the values before it are checked, and no
 * error is invented after it (allow_remote is never read in the last
 * but one); "//" inside an unquoted word is part of it, as libconfuse
 * reads it.  Each file fails with n errors, one at line saying needle.
 */
static void test_errors_reported(void **state)
{
	static const struct {
		const char *text;
		int n;
		unsigned line;
		const char *needle;
	} cases[] = {
		{ "mode = enforce\nauth {\n  required = true }\n"
		  "user \"a@x\" {\n  senders = {\"a@x\"}\n}\n",
		  1, 3, "no such option 'required'" },
		{ "mode = sometimes\nbogus {\n  x = 1\n}\n"
		  "auth {\n  require = perhaps\n}\n", 2, 2, "no such option 'bogus'" },
		{ "mode = sometimes\nbogus {\n  x = 1\n}\n", 2, 1, "mode: invalid" },
		{ "metrics {\n  listen = \"192.0.2.1:9100\"\n"
		  "  extra = {1}\n  allow_remote = true\n}\n", 1, 3, "no such option 'extra'" },
		{ "senders {\n  login_map = /nonexistent//map // a comment\n}\n",
		  1, 2, "/nonexistent//map:" },
	};
	struct errs e;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_null(load_text(cases[i].text, &e));
		for (int j = 0; j < e.n; j++)
			print_message("%zu: %u: %s\n", i, e.line[j], e.msg[j]);
		assert_int_equal(e.n, cases[i].n);
		assert_true(has_error(&e, cases[i].line, cases[i].needle));
	}
}

static void test_syntax_error(void **state)
{
	struct errs e;

	(void)state;
	assert_null(load_text("mode = enforce\nauth {\n require = \n}\n", &e));
	for (int i = 0; i < e.n; i++)
		print_message("%u: %s\n", e.line[i], e.msg[i]);
	assert_true(e.n >= 1);
	assert_true(e.line[0] >= 3);
}

static void test_missing_file(void **state)
{
	struct errs e = { 0 };

	(void)state;
	assert_null(policy_load("/nonexistent/dotgate.conf", collect, &e));
	assert_int_equal(e.n, 1);
	assert_int_equal(e.line[0], 0);
	assert_non_null(strstr(e.msg[0], "cannot open"));
}

static void test_world_writable_refused(void **state)
{
	const char *path = write_file("ww.conf", "mode = enforce\n");
	struct errs e = { 0 };

	(void)state;
	chmod(path, 0666);
	assert_null(policy_load(path, collect, &e));
	assert_non_null(strstr(e.msg[0], "writable by others"));
}

static void test_reload_keeps_old_policy(void **state)
{
	struct errs e;
	struct dg_policy *good = load_text("mode = monitor\n", &e), *cur, *held;

	(void)state;
	assert_non_null(good);
	policy_install(good);
	held = policy_current();		/* a connection's reference */
	assert_null(load_text("mode = monitor\nauth { require = perhaps }\n", &e));
	cur = policy_current();
	assert_ptr_equal(cur, good);
	policy_unref(cur);
	policy_install(load_text("mode = enforce\n", &e));
	cur = policy_current();
	assert_int_equal(cur->mode, DG_MODE_ENFORCE);
	assert_int_equal(held->mode, DG_MODE_MONITOR);	/* still valid */
	policy_unref(held);
	policy_unref(cur);
	policy_install(NULL);
}

static atomic_int stop_readers;

static void *reader(void *arg)
{
	long n = 0;

	(void)arg;
	while (!atomic_load(&stop_readers)) {
		struct dg_policy *p = policy_current();

		if (p && p->body.max_line_length == 0)
			abort();	/* touch it: freed memory would show under ASan */
		policy_unref(p);
		n++;
	}
	return (void *)n;
}

/* Connections take references while reloads swap policies: no reference
 * may outlive its policy (run under --enable-sanitizers to see it). */
static void test_concurrent_swap(void **state)
{
	pthread_t t[4];
	struct errs e;
	struct dg_policy *base = load_text("", &e);

	(void)state;
	assert_non_null(base);
	policy_install(policy_ref(base));
	atomic_store(&stop_readers, 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
	for (int i = 0; i < 1000; i++) {
		struct dg_policy *p = policy_load(base->path, collect, &e);

		assert_non_null(p);
		policy_install(p);
	}
	atomic_store(&stop_readers, 1);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	policy_install(NULL);
	assert_int_equal(atomic_load(&base->refs), 1);
	policy_unref(base);
}

static void test_socket_forms(void **state)
{
	(void)state;
	assert_true(policy_valid_socket("unix:/run/x.sock"));
	assert_true(policy_valid_socket("local:/run/x.sock"));
	assert_true(policy_valid_socket("inet:8891@127.0.0.1"));
	assert_true(policy_valid_socket("inet6:8891@[::1]"));
	assert_true(policy_valid_socket("inet:8891"));
	assert_false(policy_valid_socket("unix:relative"));
	assert_false(policy_valid_socket("inet:@host"));
	assert_false(policy_valid_socket("tcp:25"));
}

/* Ports in range in every form, a bare path as a unix socket. */
static void test_socket_ports_and_paths(void **state)
{
	char out[DG_SOCKET_MAX];
	struct errs e;
	struct dg_policy *p;

	(void)state;
	assert_int_equal(policy_socket_spec("/run/x.sock", out, sizeof(out)), 0);
	assert_string_equal(out, "unix:/run/x.sock");
	assert_int_equal(policy_socket_spec("local:/run/x.sock", out, sizeof(out)), 0);
	assert_string_equal(out, "unix:/run/x.sock");
	assert_true(policy_valid_socket("inet:1@127.0.0.1"));
	assert_true(policy_valid_socket("inet:65535@127.0.0.1"));
	assert_true(policy_valid_socket("inet6:65535"));
	assert_false(policy_valid_socket("inet:0@127.0.0.1"));
	assert_false(policy_valid_socket("inet:65536@127.0.0.1"));
	assert_false(policy_valid_socket("inet:99999@127.0.0.1"));
	assert_false(policy_valid_socket("inet6:70000@[::1]"));
	assert_false(policy_valid_socket("inet:0000008891@127.0.0.1"));
	assert_false(policy_valid_socket("relative.sock"));
	assert_int_equal(policy_socket_spec("inet:8891@127.0.0.1", out, 8), -1);
	assert_null(load_text("mode = enforce\nsocket = \"inet:99999@127.0.0.1\"\n", &e));
	assert_true(has_error(&e, 2, "PORT 1 to 65535"));
	p = load_text("socket = \"/run/dotgate/x.sock\"\n", &e);
	assert_non_null(p);
	assert_string_equal(p->socket, "unix:/run/dotgate/x.sock");
	policy_unref(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_sample_config),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_reply_class),
		cmocka_unit_test(test_bad_replies),
		cmocka_unit_test(test_audit_required),
		cmocka_unit_test(test_bad_network),
		cmocka_unit_test(test_comments_keep_lines),
		cmocka_unit_test(test_duplicate_user),
		cmocka_unit_test(test_key_given_twice),
		cmocka_unit_test(test_unreadable_map),
		cmocka_unit_test(test_map_is_directory),
		cmocka_unit_test(test_malformed_map_line),
		cmocka_unit_test(test_all_errors_listed),
		cmocka_unit_test(test_errors_reported),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_world_writable_refused),
		cmocka_unit_test(test_reload_keeps_old_policy),
		cmocka_unit_test(test_concurrent_swap),
		cmocka_unit_test(test_socket_forms),
		cmocka_unit_test(test_socket_ports_and_paths),
		cmocka_unit_test(test_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
