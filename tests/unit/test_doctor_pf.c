/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_doctor_pf.c: unit tests of dotgate-doctor(8)'s "POSTFIX CHECKS"
 * (pf_checks.c, pf_attach.c, pf_checks_dg.c).  Each test feeds
 * pf_parse_main/master/overrides with postconf-style text (a stock
 * Debian 12 Postfix with dotgate on submission, as dotgate(8),
 * "INSTALLING THE PACKAGE" sets it up), changes one setting and checks
 * that exactly its finding flips, and the exit status with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "conftext.h"
#include "doctor.h"

static char qdir[64];			/* queue_directory, with a real socket */
static char sock[96];

#define NO -1				/* no such finding */

static void setup_dirs(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[80];
	int fd;

	if (qdir[0])
		return;
	snprintf(qdir, sizeof(qdir), "/tmp/dg-doctor-XXXXXX");
	assert_non_null(mkdtemp(qdir));
	assert_int_equal(chmod(qdir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/dotgate", qdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(sock, sizeof(sock), "%s/dotgate.sock", dir);
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	assert_int_equal(chmod(sock, 0666), 0);
}

static void cleanup_dirs(void)
{
	char dir[128];

	if (!qdir[0])
		return;
	unlink(sock);
	snprintf(dir, sizeof(dir), "%s/dotgate", qdir);
	rmdir(dir);
	rmdir(qdir);
}

/* The stock main.cf values the checks read; extra lines override them. */
static const char *main_text(const char *extra)
{
	static char buf[8192];

	snprintf(buf, sizeof(buf),
		 "mail_version = 3.7.11\n"
		 "config_directory = /etc/postfix\n"
		 "queue_directory = %s\n"
		 "compatibility_level = 3.6\n"
		 "mail_owner = nobody\n"
		 "mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\n"
		 "smtpd_forbid_bare_newline = no\n"
		 "smtpd_forbid_bare_newline_exclusions = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128\n"
		 "smtpd_forbid_unauth_pipelining = yes\n"
		 "cleanup_replace_stray_cr_lf = yes\n"
		 "receive_override_options =\n"
		 "milter_default_action = tempfail\n"
		 "milter_protocol = 6\n"
		 "milter_connect_macros = j {daemon_name} {daemon_addr} v _\n"
		 "milter_helo_macros = {tls_version} {cipher}\n"
		 "milter_mail_macros = i {auth_type} {auth_authen} {auth_author}\n"
		 "milter_end_of_data_macros = i\n"
		 "milter_macro_daemon_name = mx.example.test\n"
		 "smtpd_proxy_filter =\n"
		 "smtpd_sasl_auth_enable = no\n"
		 "smtpd_milters =\n"
		 "non_smtpd_milters =\n"
		 "%s", qdir, extra ? extra : "");
	return buf;
}

static const char master_stock[] =
	"smtp       inet  n - y - - smtpd\n"
	"submission inet  n - y - - smtpd\n"
	"pickup     unix  n - y 60 1 pickup\n"
	"cleanup    unix  n - y - 0 cleanup\n";

static const char over_stock[] =
	"submission/inet/smtpd_sasl_auth_enable = yes\n"
	"submission/inet/smtpd_milters = unix:dotgate/dotgate.sock\n"
	"submission/inet/milter_macro_daemon_name = submission\n";

struct run {
	struct dr_report r;
	struct pf_conf pf;
	struct dg_policy *p;
};

/* The checks over main.cf + extra, master, overrides and a dotgate.conf. */
static struct run *run(const char *extra, const char *master, const char *over,
		       const char *conf)
{
	struct run *x = calloc(1, sizeof(*x));
	char text[1024];
	const char *m;

	assert_non_null(x);
	setup_dirs();
	m = main_text(extra);
	assert_true(pf_parse_main(&x->pf, m, strlen(m)) > 10);
	pf_parse_master(&x->pf, master, strlen(master));
	pf_parse_overrides(&x->pf, over, strlen(over));
	if (conf) {
		snprintf(text, sizeof(text), "socket = \"unix:%s\"\n%s", sock, conf);
		x->p = conftext_load(text);
	}
	pf_check(&x->r, &x->pf, x->p);
	return x;
}

static void done(struct run *x)
{
	dr_report_free(&x->r);
	pf_free(&x->pf);
	if (x->p)
		policy_unref(x->p);
	free(x);
}

/* The level of the finding about setting on service, NO when none. */
static int level(const struct run *x, const char *service, const char *setting)
{
	for (size_t i = 0; i < x->r.n; i++)
		if (strcmp(x->r.f[i].service, service) == 0
		    && strcmp(x->r.f[i].setting, setting) == 0)
			return (int)x->r.f[i].level;
	return NO;
}

static const char *fix_of(const struct run *x, const char *service, const char *setting)
{
	for (size_t i = 0; i < x->r.n; i++)
		if (strcmp(x->r.f[i].service, service) == 0
		    && strcmp(x->r.f[i].setting, setting) == 0)
			return x->r.f[i].fix;
	return "";
}

static void dump(const struct run *x)
{
	dr_print_text(stderr, &x->r);
}

/* one: the level of service/setting with main.cf + extra and dotgate.conf conf. */
static int one(const char *extra, const char *over, const char *conf,
	       const char *service, const char *setting)
{
	struct run *x = run(extra, master_stock, over ? over : over_stock,
			    conf ? conf : "");
	int l = level(x, service, setting);

	if (getenv("DOCTOR_DUMP"))
		dump(x);
	done(x);
	return l;
}

static void test_stock(void **state)
{
	struct run *x = run(NULL, master_stock, over_stock, "");

	(void)state;
	/* Debian 12's defaults: the bare-newline risk, and only it. */
	assert_int_equal(level(x, "main.cf", "smtpd_forbid_bare_newline"), DR_RISK);
	assert_string_equal(fix_of(x, "main.cf", "smtpd_forbid_bare_newline"),
			    "postconf -e 'smtpd_forbid_bare_newline=normalize'");
	assert_int_equal(dr_exit_status(&x->r), 1);
	for (size_t i = 0; i < x->r.n; i++)
		if (x->r.f[i].level == DR_RISK)
			assert_string_equal(x->r.f[i].setting, "smtpd_forbid_bare_newline");
	done(x);
	x = run("smtpd_forbid_bare_newline = normalize\n"
		"smtpd_forbid_bare_newline_exclusions =\n", master_stock, over_stock, "");
	if (dr_exit_status(&x->r) != 0)
		dump(x);
	assert_int_equal(dr_exit_status(&x->r), 0);
	done(x);
}

static void test_version(void **state)
{
	static const struct { const char *v; int level; } t[] = {
		{ "3.7.8", DR_RISK }, { "3.7.9", DR_OK }, { "3.7.11", DR_OK },
		{ "3.5.22", DR_RISK }, { "3.5.23", DR_OK }, { "3.6.12", DR_RISK },
		{ "3.6.13", DR_OK }, { "3.8.3", DR_RISK }, { "3.8.4", DR_OK },
		{ "3.9.0", DR_OK }, { "3.10-20250101", DR_OK }, { "3.4.14", DR_RISK },
		{ "2.11.3", DR_RISK }, { "4.0.0", DR_OK }, { "x", DR_WARN },
	};
	char extra[64];

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(extra, sizeof(extra), "mail_version = %s\n", t[i].v);
		if (one(extra, NULL, NULL, "main.cf", "mail_version") != t[i].level)
			fail_msg("mail_version %s: not level %d", t[i].v, t[i].level);
	}
}

static void test_bare_newline(void **state)
{
	(void)state;
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n", NULL, NULL,
			     "main.cf", "smtpd_forbid_bare_newline"), DR_OK);
	assert_int_equal(one("smtpd_forbid_bare_newline = reject\n", NULL, NULL,
			     "main.cf", "smtpd_forbid_bare_newline"), DR_OK);
	assert_int_equal(one("smtpd_forbid_bare_newline = maybe\n", NULL, NULL,
			     "main.cf", "smtpd_forbid_bare_newline"), DR_WARN);
	/* A service's -o is its own finding; main.cf's names the rest. */
	assert_int_equal(one(NULL, "submission/inet/smtpd_forbid_bare_newline = normalize\n",
			     NULL, "submission/inet", "smtpd_forbid_bare_newline"), DR_OK);
	assert_int_equal(one(NULL, "submission/inet/smtpd_forbid_bare_newline = normalize\n",
			     NULL, "main.cf", "smtpd_forbid_bare_newline"), DR_RISK);
}

static void test_bare_newline_missing(void **state)
{
	struct run *x = calloc(1, sizeof(*x));
	const char *m = "mail_version = 3.7.8\nqueue_directory = /nonexistent\n";

	(void)state;
	pf_parse_main(&x->pf, m, strlen(m));
	pf_parse_master(&x->pf, master_stock, strlen(master_stock));
	pf_check(&x->r, &x->pf, NULL);
	assert_int_equal(level(x, "main.cf", "smtpd_forbid_bare_newline"), DR_RISK);
	assert_int_equal(level(x, "main.cf", "smtpd_forbid_unauth_pipelining"), DR_WARN);
	assert_int_equal(level(x, "main.cf", "cleanup_replace_stray_cr_lf"), DR_WARN);
	/* Without dotgate.conf the checks that need it are left out. */
	assert_int_equal(level(x, "dotgate.conf", "mode"), NO);
	done(x);
}

static void test_exclusions(void **state)
{
	(void)state;
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n", NULL, NULL,
			     "main.cf", "smtpd_forbid_bare_newline_exclusions"), DR_WARN);
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n"
			     "smtpd_forbid_bare_newline_exclusions =\n", NULL, NULL,
			     "main.cf", "smtpd_forbid_bare_newline_exclusions"), DR_OK);
	/* Exempt from the gate and still split: the hidden transaction passes. */
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n", NULL, NULL,
			     "submission/inet", "auth.exempt_networks"), DR_WARN);
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n"
			     "smtpd_forbid_bare_newline_exclusions =\n", NULL, NULL,
			     "submission/inet", "auth.exempt_networks"), DR_OK);
	assert_int_equal(one("smtpd_forbid_bare_newline = normalize\n", NULL,
			     "auth { exempt_networks = {} }\n",
			     "submission/inet", "auth.exempt_networks"), DR_OK);
}

static void test_settings(void **state)
{
	static const struct {
		const char *extra, *setting;
		int level;
	} t[] = {
		{ "smtpd_forbid_unauth_pipelining = no\n", "smtpd_forbid_unauth_pipelining", DR_WARN },
		{ "smtpd_forbid_unauth_pipelining = yes\n", "smtpd_forbid_unauth_pipelining", DR_OK },
		{ "cleanup_replace_stray_cr_lf = no\n", "cleanup_replace_stray_cr_lf", DR_WARN },
		{ "cleanup_replace_stray_cr_lf = yes\n", "cleanup_replace_stray_cr_lf", DR_OK },
		{ "receive_override_options = no_milters\n", "receive_override_options", DR_RISK },
		{ "receive_override_options = no_address_mappings\n", "receive_override_options", DR_OK },
		{ "milter_default_action = accept\n", "milter_default_action", DR_RISK },
		{ "milter_default_action = quarantine\n", "milter_default_action", DR_WARN },
		{ "milter_default_action = reject\n", "milter_default_action", DR_WARN },
		{ "milter_default_action = shutdown\n", "milter_default_action", DR_WARN },
		{ "milter_default_action = shutdown\nmail_version = 3.10.13\n", "milter_default_action", DR_OK },
		{ "milter_default_action = tempfail\n", "milter_default_action", DR_OK },
		{ "milter_protocol = 4\n", "milter_protocol", DR_WARN },
		{ "milter_protocol = 6 no_header_reply\n", "milter_protocol", DR_OK },
		{ "smtpd_proxy_filter = 127.0.0.1:10025\n", "smtpd_proxy_filter", DR_WARN },
		{ "smtpd_proxy_filter =\n", "smtpd_proxy_filter", DR_OK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *svc = strcmp(t[i].setting, "milter_default_action") == 0
				  || strcmp(t[i].setting, "milter_protocol") == 0
				  ? "main.cf" : "main.cf";

		if (one(t[i].extra, NULL, NULL, svc, t[i].setting) != t[i].level)
			fail_msg("%s: not level %d", t[i].extra, t[i].level);
	}
}

static void test_service_overrides(void **state)
{
	char over[512];

	(void)state;
	snprintf(over, sizeof(over), "%ssubmission/inet/milter_default_action = accept\n", over_stock);
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "milter_default_action"), DR_RISK);
	snprintf(over, sizeof(over), "%s", over_stock);
	assert_int_equal(one(NULL, over, NULL, "main.cf", "milter_default_action"), DR_OK);
	/* A per-milter default_action in braces wins over the setting. */
	snprintf(over, sizeof(over),
		 "submission/inet/smtpd_sasl_auth_enable = yes\n"
		 "submission/inet/smtpd_milters = { unix:dotgate/dotgate.sock, default_action = accept }\n");
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "milter_default_action"), DR_RISK);
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "smtpd_milters"), DR_OK);
	snprintf(over, sizeof(over), "%ssubmission/inet/smtpd_sasl_auth_enable = no\n", over_stock);
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "smtpd_sasl_auth_enable"), DR_WARN);
	assert_int_equal(one(NULL, over_stock, NULL, "submission/inet", "smtpd_sasl_auth_enable"), DR_OK);
	snprintf(over, sizeof(over), "%ssubmission/inet/receive_override_options = no_milters\n", over_stock);
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "receive_override_options"), DR_RISK);
}

static void test_macros(void **state)
{
	(void)state;
	assert_int_equal(one(NULL, NULL, NULL, "main.cf", "milter_mail_macros"), DR_OK);
	/* Below protocol 6 the lists decide; {daemon_name} is in connect's. */
	assert_int_equal(one("milter_protocol = 4\n", NULL, NULL,
			     "main.cf", "milter_mail_macros"), DR_WARN);
	assert_int_equal(one("milter_protocol = 4\nmilter_connect_macros = j\n", NULL,
			     "auth { daemons = {\"submission\"} }\n",
			     "main.cf", "milter_mail_macros"), DR_RISK);
	assert_int_equal(one("milter_protocol = 4\nmilter_connect_macros = j\n", NULL, NULL,
			     "main.cf", "milter_mail_macros"), DR_WARN);
}

static void test_attach(void **state)
{
	char over[512];

	(void)state;
	assert_int_equal(one(NULL, NULL, NULL, "submission/inet", "smtpd_milters"), DR_OK);
	assert_int_equal(one(NULL, NULL, NULL, "smtp/inet", "smtpd_milters"), DR_OK);
	/* A service that takes logins without dotgate. */
	assert_int_equal(one(NULL, "submission/inet/smtpd_sasl_auth_enable = yes\n", NULL,
			     "submission/inet", "smtpd_milters"), DR_RISK);
	assert_int_equal(one(NULL, "submission/inet/smtpd_sasl_auth_enable = yes\n", NULL,
			     "main.cf", "smtpd_milters"), DR_RISK);
	/* "." and "//" change nothing, ".." goes up. */
	assert_int_equal(one(NULL, "submission/inet/smtpd_sasl_auth_enable = yes\n"
			     "submission/inet/smtpd_milters = unix:./dotgate//../dotgate/dotgate.sock\n",
			     NULL, "submission/inet", "smtpd_milters"), DR_OK);
	/* The absolute name of the socket from inside the chroot. */
	snprintf(over, sizeof(over), "submission/inet/smtpd_sasl_auth_enable = yes\n"
		 "submission/inet/smtpd_milters = unix:%s\n", sock);
	assert_int_equal(one(NULL, over, NULL, "submission/inet", "smtpd_milters"), DR_RISK);
	{
		static const char master_nochroot[] =
			"smtp       inet  n - y - - smtpd\n"
			"submission inet  n - n - - smtpd\n"
			"pickup     unix  n - n 60 1 pickup\n"
			"cleanup    unix  n - y - 0 cleanup\n";
		static const char master_dash[] =
			"smtp       inet  n - y - - smtpd\n"
			"submission inet  n - - - - smtpd\n";
		struct run *x = run(NULL, master_nochroot, over, "");

		assert_int_equal(level(x, "submission/inet", "smtpd_milters"), DR_OK);
		done(x);
		x = run(NULL, master_dash, over, "");
		assert_int_equal(level(x, "submission/inet", "smtpd_milters"), DR_OK);
		done(x);
		/* non_smtpd_milters: cleanup's chroot, not pickup's. */
		snprintf(over, sizeof(over), "non_smtpd_milters = unix:%s\n", sock);
		x = run(over, master_nochroot, over_stock, "");
		assert_int_equal(level(x, "pickup/unix", "non_smtpd_milters"), DR_RISK);
		done(x);
		x = run(over, "pickup unix n - y 60 1 pickup\n"
			"cleanup unix n - n - 0 cleanup\n", over_stock, "");
		assert_int_equal(level(x, "pickup/unix", "non_smtpd_milters"), DR_OK);
		done(x);
		snprintf(over, sizeof(over), "submission/inet/smtpd_sasl_auth_enable = yes\n"
			 "submission/inet/smtpd_milters = unix:%s\n", sock);
		/* '-' is a chroot below compatibility level 1 (master(5)). */
		x = run("compatibility_level = 0\n", master_dash, over, "");
		assert_int_equal(level(x, "submission/inet", "smtpd_milters"), DR_RISK);
		done(x);
	}
}

static void test_socket(void **state)
{
	(void)state;
	assert_int_equal(one(NULL, NULL, NULL, "submission/inet", "socket"), DR_OK);
	assert_int_equal(chmod(sock, 0600), 0);
	assert_int_equal(one(NULL, NULL, NULL, "submission/inet", "socket"),
			 getuid() == 65534 ? DR_OK : DR_RISK);
	assert_int_equal(chmod(sock, 0666), 0);
	assert_int_equal(chmod(qdir, 0700), 0);
	assert_int_equal(one(NULL, NULL, NULL, "submission/inet", "socket"),
			 getuid() == 65534 ? DR_OK : DR_RISK);
	assert_int_equal(chmod(qdir, 0755), 0);
	/* root may always connect. */
	assert_int_equal(chmod(sock, 0600), 0);
	assert_int_equal(one("mail_owner = root\n", NULL, NULL, "submission/inet", "socket"), DR_OK);
	assert_int_equal(chmod(sock, 0666), 0);
	assert_int_equal(one(NULL, NULL, "socket_mode = \"0660\"\n", "submission/inet", "socket"), DR_OK);
}

static void test_dotgate_conf(void **state)
{
	char over[512];

	(void)state;
	assert_int_equal(one(NULL, NULL, NULL, "dotgate.conf", "auth.exempt_networks"), DR_OK);
	assert_int_equal(one(NULL, NULL, "auth { exempt_networks = {\"10.0.0.0/8\"} }\n",
			     "dotgate.conf", "auth.exempt_networks"), DR_WARN);
	assert_int_equal(one(NULL, NULL, "mode = monitor\n", "dotgate.conf", "mode"), DR_WARN);
	assert_int_equal(one(NULL, NULL, NULL, "dotgate.conf", "mode"), DR_OK);
	assert_int_equal(one(NULL, NULL, "auth { daemons = {\"submission\"} }\n",
			     "dotgate.conf", "auth.daemons"), DR_OK);
	assert_int_equal(one(NULL, NULL, "auth { daemons = {\"msa\"} }\n",
			     "dotgate.conf", "auth.daemons"), DR_WARN);
	assert_int_equal(one(NULL, NULL, "auth { daemons = {\"msa\"} }\n",
			     "submission/inet", "milter_macro_daemon_name"), DR_RISK);
	snprintf(over, sizeof(over), "%s", over_stock);
	assert_int_equal(one(NULL, over, "auth { daemons = {\"submission\"} }\n",
			     "submission/inet", "milter_macro_daemon_name"), NO);
}

/*
 * postconf's own output of a Debian 12 Postfix set up as dotgate(8),
 * "INSTALLING THE PACKAGE" says (tests/unit/doctor), with the package's
 * socket: the bare-newline risk is the only one, and normalize without
 * exclusions leaves none.
 */
static void feed(struct pf_conf *pf, const char *name,
		 int (*parse)(struct pf_conf *, const char *, size_t))
{
	const char *top = getenv("top_srcdir");
	char path[4096], *text;
	struct stat st;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/tests/unit/doctor/%s", top ? top : ".", name);
	assert_non_null(fp = fopen(path, "r"));
	assert_int_equal(fstat(fileno(fp), &st), 0);
	assert_non_null(text = malloc((size_t)st.st_size + 1));
	assert_int_equal(fread(text, 1, (size_t)st.st_size, fp), (size_t)st.st_size);
	fclose(fp);
	assert_true(parse(pf, text, (size_t)st.st_size) > 0);
	free(text);
}

static void test_debian12(void **state)
{
	static const char fixed[] = "smtpd_forbid_bare_newline = normalize\n"
				    "smtpd_forbid_bare_newline_exclusions =\n";
	struct dg_policy *p = conftext_load(
		"socket = \"unix:/var/spool/postfix/dotgate/dotgate.sock\"\n");

	(void)state;
	for (int round = 0; round < 2; round++) {
		struct run x = { .p = p };

		feed(&x.pf, "debian12.main", pf_parse_main);
		if (round == 1)
			pf_parse_main(&x.pf, fixed, strlen(fixed));
		feed(&x.pf, "debian12.master", pf_parse_master);
		feed(&x.pf, "debian12.overrides", pf_parse_overrides);
		pf_check(&x.r, &x.pf, p);
		if (getenv("DOCTOR_DUMP"))
			dump(&x);
		assert_int_equal(level(&x, "submission/inet", "smtpd_milters"), DR_OK);
		assert_int_equal(level(&x, "smtp/inet", "smtpd_milters"), DR_OK);
		assert_int_equal(level(&x, "main.cf", "smtpd_forbid_bare_newline"),
				 round == 0 ? DR_RISK : DR_OK);
		assert_int_equal(dr_exit_status(&x.r), round == 0 ? 1 : 0);
		dr_report_free(&x.r);
		pf_free(&x.pf);
	}
	policy_unref(p);
}

/* dotgate on TCP: Postfix's inet:HOST:PORT against libmilter's inet:PORT@HOST. */
static void test_inet(void **state)
{
	static const struct { const char *dg, *pf; int level; const char *fix; } t[] = {
		{ "inet:8891@127.0.0.1", "inet:127.0.0.1:8891", DR_OK, "" },
		{ "inet:8891@localhost", "inet:127.0.0.1:8891", DR_OK, "" },
		{ "inet:8891", "inet:[::1]:8891", DR_OK, "" },
		{ "inet6:8891@::1", "inet:[::1]:8891", DR_OK, "" },
		/* Not aimed at dotgate: dotgate is added beside it. */
		{ "inet:8891@127.0.0.1", "inet:127.0.0.1:8892", DR_RISK,
		  "inet:127.0.0.1:8892, inet:127.0.0.1:8891" },
		{ "inet6:8891@::1", "inet:[::1]:8892", DR_RISK, "inet:[::1]:8892, inet:[::1]:8891" },
		/* Aimed at dotgate (its port, or its name) and missing: replaced. */
		{ "inet:8891@127.0.0.1", "inet:192.0.2.1:8891", DR_RISK, "inet:127.0.0.1:8891" },
		{ "inet:8891@localhost", "unix:dotgate/dotgate.sock", DR_RISK, "inet:localhost:8891" },
	};

	(void)state;
	setup_dirs();
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct run x = { 0 };
		char conf[128], over[256], fix[256];
		const char *m = main_text(NULL);

		snprintf(conf, sizeof(conf), "socket = \"%s\"\n", t[i].dg);
		snprintf(over, sizeof(over), "submission/inet/smtpd_sasl_auth_enable = yes\n"
			 "submission/inet/smtpd_milters = %s\n", t[i].pf);
		x.p = conftext_load(conf);
		pf_parse_main(&x.pf, m, strlen(m));
		pf_parse_master(&x.pf, master_stock, strlen(master_stock));
		pf_parse_overrides(&x.pf, over, strlen(over));
		pf_check(&x.r, &x.pf, x.p);
		if (getenv("DOCTOR_DUMP"))
			dump(&x);
		if (level(&x, "submission/inet", "smtpd_milters") != t[i].level)
			fail_msg("dotgate %s, Postfix %s: not level %d", t[i].dg, t[i].pf, t[i].level);
		snprintf(fix, sizeof(fix), "postconf -P 'submission/inet/smtpd_milters=%s'", t[i].fix);
		if (t[i].fix[0])
			assert_string_equal(fix_of(&x, "submission/inet", "smtpd_milters"), fix);
		/* No file to stat for a TCP socket. */
		assert_int_equal(level(&x, "submission/inet", "socket"), NO);
		dr_report_free(&x.r);
		pf_free(&x.pf);
		policy_unref(x.p);
	}
}

/* Odd values the checks parse themselves: never a crash, a finding each. */
static void test_hostile(void **state)
{
	static const char *const extra[] = {
		"smtpd_milters = { unix:dotgate/dotgate.sock\n",
		"smtpd_milters = {,,} { } {\n",
		"smtpd_milters = inet: unix: local: inet:[ inet:[::1 inet::\n",
		"smtpd_milters = unix:../../../../../../../../../../../../..\n",
		"smtpd_milters = { unix:/, default_action =, protocol = }\n",
		"smtpd_milters = unix://///.//..//dotgate/./dotgate.sock\n",
		"mail_version = 99999999999999999999.99999999999999999999.1\n",
		"mail_version = 3.\n",
		"compatibility_level = x\nqueue_directory =\n",
		"mynetworks = [ [::1 ]/8 !10.0.0.0/8 hash:/etc/x /file 10.0.0.0/99\n",
		"smtpd_forbid_bare_newline = normalize\nsmtpd_forbid_bare_newline_exclusions = [\n",
		"milter_protocol = -1\nmilter_mail_macros = {\n",
		"receive_override_options = ,,,no_milters,,,\n",
		"mail_owner = no-such-user-here\n",
	};
	char over[PF_VALUE_MAX + 128], longv[PF_VALUE_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		struct run *x = run(extra[i], master_stock, over_stock, "");

		assert_true(x->r.n > 10);
		done(x);
	}
	memset(longv, 'x', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	longv[0] = '{';
	snprintf(over, sizeof(over), "submission/inet/smtpd_milters = %s\n", longv);
	done(run(NULL, master_stock, over, ""));
	longv[0] = 'u';
	memcpy(longv, "unix:", 5);
	snprintf(over, sizeof(over), "submission/inet/smtpd_milters = %s\n", longv);
	done(run(NULL, master_stock, over, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stock),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_bare_newline),
		cmocka_unit_test(test_bare_newline_missing),
		cmocka_unit_test(test_exclusions),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_service_overrides),
		cmocka_unit_test(test_macros),
		cmocka_unit_test(test_attach),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_dotgate_conf),
		cmocka_unit_test(test_debian12),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_inet),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	cleanup_dirs();
	return rc;
}
