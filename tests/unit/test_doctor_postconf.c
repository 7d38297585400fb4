/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_doctor_postconf.c: unit tests of dotgate-doctor's Postfix reader
 * (dotgate-doctor(8), DESCRIPTION): the three postconf outputs of a
 * Debian 12 Postfix 3.7.11 set up as README.md's install lines say
 * (tests/unit/doctor/debian12.*, captured with postconf -c DIR, postconf
 * -c DIR -M and postconf -c DIR -P), the $name expansion and its bounds,
 * hostile lines, and pf_read() running a stand-in postconf found on PATH.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "buf.h"
#include "doctor.h"
#include "util.h"

static char *slurp(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096];
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/unit/doctor/%s",
		 top != NULL ? top : ".", name);
	if ((fp = fopen(path, "r")) == NULL)
		fail_msg("%s: cannot open", path);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return b.p;
}

static void read_debian12(struct pf_conf *pf)
{
	static const char *const names[] = {
		"debian12.main", "debian12.master", "debian12.overrides"
	};
	static const int want[] = { 1043, 32, 9 };
	int (*const parse[])(struct pf_conf *, const char *, size_t) = {
		pf_parse_main, pf_parse_master, pf_parse_overrides
	};

	for (size_t i = 0; i < 3; i++) {
		size_t len;
		char *text = slurp(names[i], &len);

		assert_int_equal(parse[i](pf, text, len), want[i]);
		free(text);
	}
	assert_int_equal(pf->skipped, 0);
}

static const struct pf_service *svc(const struct pf_conf *pf,
				    const char *name, const char *type)
{
	for (size_t i = 0; i < pf->nsvc; i++)
		if (strcmp(pf->svc[i].name, name) == 0 &&
		    strcmp(pf->svc[i].type, type) == 0)
			return &pf->svc[i];
	fail_msg("no service %s/%s", name, type);
	return NULL;
}

static void test_debian12_main(void **state)
{
	struct pf_conf pf = { 0 };

	(void)state;
	read_debian12(&pf);
	assert_int_equal(pf.nparam, 1043);
	assert_string_equal(pf_main(&pf, "mail_version"), "3.7.11");
	assert_string_equal(pf_main(&pf, "smtpd_forbid_bare_newline"), "no");
	assert_string_equal(pf_main(&pf, "smtpd_milters"), "");
	assert_null(pf_main(&pf, "no_such_parameter"));
	/* $myhostname expanded, the raw text kept. */
	assert_string_equal(pf_main(&pf, "milter_macro_daemon_name"),
			    "mx.example.test");
	assert_string_equal(pf_main(&pf, "smtpd_forbid_bare_newline_exclusions"),
			    pf_main(&pf, "mynetworks"));
	for (size_t i = 0; i < pf.nparam; i++)
		if (strcmp(pf.param[i].name, "milter_macro_daemon_name") == 0)
			assert_string_equal(pf.param[i].raw, "$myhostname");
	/* ${name?value} of a set parameter, nested $mail_name. */
	assert_string_equal(pf_main(&pf, "milter_macro_v"), "Postfix 3.7.11");
	pf_free(&pf);
}

static void test_debian12_services(void **state)
{
	struct pf_conf pf = { 0 };
	const struct pf_service *sub, *smtp;

	(void)state;
	read_debian12(&pf);
	assert_int_equal(pf.nsvc, 32);
	sub = svc(&pf, "submission", "inet");
	smtp = svc(&pf, "smtp", "inet");
	assert_int_equal(sub->chroot, 'y');
	assert_int_equal(sub->private_, 'n');
	assert_int_equal(sub->unpriv, '-');
	/* The command column shows the -o arguments too. */
	assert_int_equal(strncmp(sub->command, "smtpd -o syslog_name=", 21), 0);
	assert_string_equal(smtp->command, "smtpd");
	assert_int_equal(sub->nopt, 8);
	assert_string_equal(pf_value(&pf, sub, "smtpd_milters"),
			    "unix:dotgate/dotgate.sock");
	assert_string_equal(pf_value(&pf, sub, "milter_default_action"),
			    "tempfail");
	assert_string_equal(pf_value(&pf, smtp, "smtpd_milters"), "");
	assert_string_equal(pf_value(&pf, NULL, "smtpd_sasl_auth_enable"), "no");
	assert_string_equal(pf_value(&pf, sub, "smtpd_sasl_auth_enable"), "yes");
	/* $service_name is each service's own. */
	assert_string_equal(pf_value(&pf, svc(&pf, "relay", "unix"),
				     "syslog_name"), "postfix/relay");
	assert_string_equal(pf_value(&pf, NULL, "syslog_name"), "postfix");
	assert_true(pf_accepts_mail(sub));
	assert_true(pf_accepts_mail(smtp));
	assert_true(pf_accepts_mail(svc(&pf, "pickup", "unix")));
	assert_false(pf_accepts_mail(svc(&pf, "smtp", "unix")));
	assert_false(pf_accepts_mail(svc(&pf, "cleanup", "unix")));
	assert_false(pf_accepts_mail(svc(&pf, "postlog", "unix-dgram")));
	assert_false(pf_accepts_mail(svc(&pf, "maildrop", "unix")));
	pf_free(&pf);
}

static const char *expanded(struct pf_conf *pf, const char *main_text,
			    const char *name)
{
	pf_free(pf);
	pf_parse_main(pf, main_text, strlen(main_text));
	return pf_main(pf, name);
}

static void test_expand(void **state)
{
	struct pf_conf pf = { 0 };
	const char *v;

	(void)state;
	assert_string_equal(expanded(&pf, "a = x\nb = $a ${a} $(a) $$a\n", "b"),
			    "x x x $a");
	assert_string_equal(expanded(&pf, "a = x\ne =\n"
				     "b = ${a?set}${a:unset}${e?set}${e:unset}"
				     "${u?set}${u:unset}\n", "b"),
			    "setunsetunset");
	assert_string_equal(expanded(&pf, "a = x\nb = ${a?{$a y}} ${a:{z}}\n",
				     "b"), "x y ");
	assert_string_equal(expanded(&pf, "a = x\ne =\n"
				     "b = ${a?{1}:{2}}${e?{3}:{4}}${u?{5}:{$a}}"
				     "${a?{6}x{7}}${a:{8}:{9}}${a?{}:{}}\n", "b"),
			    "14x${a?{6}x{7}}${a:{8}:{9}}");
	/* Undefined, expressions and unbalanced braces stay as written. */
	assert_string_equal(expanded(&pf, "b = $nope ${nope} ${{$x} < {2} ? {a} : {b}} ${a\n",
				     "b"),
			    "$nope ${nope} ${{$x} < {2} ? {a} : {b}} ${a");
	assert_string_equal(expanded(&pf, "b = $ $- ${} ${a-b}\n", "b"),
			    "$ $- ${} ${a-b}");
	/* A loop ends, within the bounds. */
	v = expanded(&pf, "a = $b\nb = $a\n", "a");
	assert_non_null(v);
	assert_true(strlen(v) <= PF_VALUE_MAX);
	v = expanded(&pf, "a = <$a>\n", "a");
	assert_true(strlen(v) <= PF_VALUE_MAX && strncmp(v, "<<<<", 4) == 0);
	pf_free(&pf);
}

/* A reference bomb: 40^6 references if nothing bounded them. */
static void test_expand_bomb(void **state)
{
	struct pf_conf pf = { 0 };
	struct buf b = BUF_INIT;

	(void)state;
	for (char c = 'a'; c < 'g'; c++) {
		buf_printf(&b, "%c = ", c);
		for (int i = 0; i < 40; i++)
			buf_printf(&b, "$%c", c + 1);
		buf_printf(&b, "\n");
	}
	buf_printf(&b, "g = gg\n");
	assert_int_equal(pf_parse_main(&pf, b.p, b.len), 7);
	assert_int_equal(strlen(pf_main(&pf, "a")), PF_VALUE_MAX);
	buf_free(&b);
	pf_free(&pf);
}

static void test_override_expand(void **state)
{
	static const char main_text[] =
		"smtpd_milters = unix:a\nmine = $other\nother = main\n";
	static const char master[] =
		"sub inet n - y - - smtpd\n";
	static const char over[] =
		"sub/inet/smtpd_milters = $smtpd_milters, inet:b\n"
		"sub/inet/other = service\n"
		"sub/inet/mine = $other!\n";
	struct pf_conf pf = { 0 };
	const struct pf_service *s;

	(void)state;
	pf_parse_main(&pf, main_text, strlen(main_text));
	pf_parse_master(&pf, master, strlen(master));
	assert_int_equal(pf_parse_overrides(&pf, over, strlen(over)), 3);
	s = svc(&pf, "sub", "inet");
	/* An override's $self is main.cf's; its other references its own. */
	assert_string_equal(pf_value(&pf, s, "smtpd_milters"), "unix:a, inet:b");
	assert_string_equal(pf_value(&pf, s, "mine"), "service!");
	assert_string_equal(pf_main(&pf, "mine"), "main");
	pf_free(&pf);
}

static void test_hostile_main(void **state)
{
	struct pf_conf pf = { 0 };
	struct buf b = BUF_INIT;
	char name[PF_NAME_MAX + 2];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	buf_printf(&b, "ok1 = one\n# comment\n\n   \n  orphan continuation\n");
	buf_printf(&b, "no equals sign\n= no name\nbad name! = x\n%s = x\n",
		   name);
	buf_printf(&b, "long = ");
	for (int i = 0; i <= PF_VALUE_MAX; i++)
		buf_add(&b, "v", 1);
	buf_printf(&b, "\nnul = a");
	buf_add(&b, "\0", 1);
	buf_printf(&b, "b\nfolded = a\n\tb\n  c\r\nlast = unterminated");
	assert_int_equal(pf_parse_main(&pf, b.p, b.len), 3);
	assert_int_equal(pf.skipped, 7);
	assert_string_equal(pf_main(&pf, "ok1"), "one");
	assert_string_equal(pf_main(&pf, "folded"), "a b c");
	assert_string_equal(pf_main(&pf, "last"), "unterminated");
	assert_null(pf_main(&pf, "long"));
	assert_null(pf_main(&pf, "nul"));
	/* The later of two wins, as in main.cf. */
	pf_parse_main(&pf, "ok1 = two\n", 10);
	assert_string_equal(pf_main(&pf, "ok1"), "two");
	buf_free(&b);
	pf_free(&pf);
}

static void test_hostile_master(void **state)
{
	static const char master[] =
		"smtp inet n - y - - smtpd\n"
		"smtp inet n - y - - smtpd -o dup=1\n"	/* twice */
		"x bogus n - y - - smtpd\n"		/* type */
		"x inet maybe - y - - smtpd\n"		/* flag */
		"x inet n - y - -\n"			/* no command */
		"x\n"
		"ps pass - - y - - /usr/lib/postfix/sbin/smtpd  -o a=b\n"
		"[::1]:2525 inet n - n - 1 smtpd\n";
	static const char over[] =
		"ghost/inet/smtpd_milters = x\n"	/* unknown service */
		"smtp/smtpd_milters = x\n"		/* no type */
		"smtpd_milters = x\n"
		"smtp/inet/bad! = x\n"
		"smtp/inet/ = x\n"
		"[::1]:2525/inet/smtpd_milters = inet:127.0.0.1:1\n";
	struct pf_conf pf = { 0 };
	const struct pf_service *ps;

	(void)state;
	assert_int_equal(pf_parse_master(&pf, master, strlen(master)), 3);
	assert_int_equal(pf.skipped, 5);
	ps = svc(&pf, "ps", "pass");
	assert_string_equal(ps->command, "/usr/lib/postfix/sbin/smtpd  -o a=b");
	assert_true(pf_accepts_mail(ps));
	assert_int_equal(ps->nopt, 0);		/* -o is read from -P only */
	assert_int_equal(pf_parse_overrides(&pf, over, strlen(over)), 1);
	assert_int_equal(pf.skipped, 10);
	assert_string_equal(pf_value(&pf, svc(&pf, "[::1]:2525", "inet"),
				     "smtpd_milters"), "inet:127.0.0.1:1");
	assert_null(pf_value(&pf, svc(&pf, "smtp", "inet"), "smtpd_milters"));
	pf_free(&pf);
}

/*
 * pf_read() against a stand-in postconf first on PATH: a script that
 * prints the fixtures by its arguments, or fails as postconf does.
 */
static char *fake_postconf(const char *body)
{
	char tmpl[] = "/tmp/doctor-postconf.XXXXXX", path[128];
	char *dir = mkdtemp(tmpl);
	FILE *fp;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/postconf", dir);
	assert_non_null(fp = fopen(path, "w"));
	fprintf(fp, "#!/bin/sh\n%s\n", body);
	fclose(fp);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(path, sizeof(path), "%s:/usr/bin:/bin", dir);
	setenv("PATH", path, 1);
	return xstrdup(dir);
}

static void drop_fake(char *dir)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/postconf", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

static void test_read(void **state)
{
	const char *top = getenv("top_srcdir");
	char body[8192], err[512];
	struct pf_conf pf = { 0 };
	char *old = xstrdup(getenv("PATH") ? getenv("PATH") : ""), *dir;

	(void)state;
	snprintf(body, sizeof(body),
		 "[ \"$1 $2\" = \"-c /etc/pf2\" ] || exit 3\n"
		 "f=%s/tests/unit/doctor/debian12\n"
		 "case $3 in -M) cat $f.master;; -P) cat $f.overrides;; "
		 "'') cat $f.main;; esac", top != NULL ? top : ".");
	dir = fake_postconf(body);
	assert_int_equal(pf_read(&pf, "/etc/pf2", err, sizeof(err)), 0);
	assert_int_equal(pf.nparam, 1043);
	assert_int_equal(pf.nsvc, 32);
	assert_string_equal(pf_value(&pf, svc(&pf, "submission", "inet"),
				     "smtpd_milters"), "unix:dotgate/dotgate.sock");
	pf_free(&pf);
	assert_int_equal(pf_read(&pf, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "failed (exit 3)"));
	drop_fake(dir);

	dir = fake_postconf("echo 'postconf: fatal: open /x/main.cf: No such file' >&2; exit 1");
	assert_int_equal(pf_read(&pf, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "postconf: fatal: open /x/main.cf"));
	pf_free(&pf);
	drop_fake(dir);

	dir = fake_postconf("exit 0");
	assert_int_equal(pf_read(&pf, NULL, err, sizeof(err)), -1);
	assert_string_equal(err, "postconf printed no parameter");
	pf_free(&pf);
	drop_fake(dir);
	setenv("PATH", old, 1);
	free(old);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian12_main),
		cmocka_unit_test(test_debian12_services),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_bomb),
		cmocka_unit_test(test_override_expand),
		cmocka_unit_test(test_hostile_main),
		cmocka_unit_test(test_hostile_master),
		cmocka_unit_test(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
