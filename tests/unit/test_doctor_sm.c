/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_doctor_sm.c: unit tests of dotgate-doctor's Sendmail side
 * (sm_conf.c, sm_checks.c): what the reader takes from a sendmail.cf and
 * an access map, hostile text included, and every check of
 * dotgate-doctor(8), "SENDMAIL CHECKS", flipped between its levels by
 * one line of the .cf or of dotgate.conf.  The .cf fixtures are
 * excerpts of what sendmail-cf's m4 writes for conf/sendmail.mc.example.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conftext.h"
#include "doctor.h"
#include "policy.h"

#define CF_HEAD \
	"# excerpt of a sendmail.cf built by m4\n" \
	"Kaccess hash -T<TMPF> /etc/mail/access\n" \
	"DZ8.18.1\n" \
	"O DaemonPortOptions=Port=smtp, Name=MTA\n" \
	"O DaemonPortOptions=Port=587, Name=MSA, M=E\n" \
	"O InputMailFilters=dotgate\n" \
	"O Milter.macros.eom={msg_id}\n"
#define CF_SRV \
	"Ssrv_features\n" \
	"R$*\t\t\t$: $1 $| $>\"Local_srv_features\" $1\n" \
	"R$* $| $#$*\t\t$#$2\n" \
	"R<?>$*\t\t$: <$(access \"Srv_Features\": $: ? $)>\n" \
	"R<$+>$*\t\t$# $1\n"
#define CF_X \
	"Xdotgate, S=local:/run/dotgate/dotgate.sock, F=T, " \
	"T=C:10s;S:30s;R:60s;E:5m\n"
#define CF_GOOD CF_HEAD CF_SRV CF_X

struct t {
	struct sm_conf sm;
	struct dr_report r;
	struct dg_policy *p;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof *t);

	assert_non_null(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	sm_free(&t->sm);
	dr_report_free(&t->r);
	if (t->p)
		policy_unref(t->p);
	free(t);
	return 0;
}

/* A new fixture in place of the one a test has used. */
static struct t *fresh(void **state)
{
	teardown(state);
	setup(state);
	return *state;
}

/* Run the checks on cf (and access text, if any) under dotgate.conf conf
 * (NULL: no policy, as when dotgate.conf cannot be read). */
static void run(struct t *t, const char *cf, const char *access,
		const char *conf)
{
	assert_true(sm_parse(&t->sm, cf, strlen(cf)) > 0);
	if (access)
		sm_parse_access(&t->sm, access, strlen(access), "/etc/mail/access");
	t->sm.access_text = access ? strdup("/etc/mail/access") : NULL;
	if (conf)
		t->p = conftext_load(conf);
	sm_check(&t->r, &t->sm, t->p);
}

/* The level of the one finding of service and setting; -1 if none. */
static int level(const struct t *t, const char *service, const char *setting)
{
	int found = -1;

	for (size_t i = 0; i < t->r.n; i++) {
		const struct dr_finding *f = &t->r.f[i];
		if (strcmp(f->service, service) != 0 || strcmp(f->setting, setting) != 0)
			continue;
		assert_int_equal(found, -1);
		found = (int)f->level;
		/* a .cf or access map finding has its command; what to
		 * change in dotgate.conf is said in the meaning */
		if (f->level != DR_OK && strcmp(service, "dotgate.conf") != 0)
			assert_true(f->fix[0] != '\0');
		assert_true(f->meaning[0] != '\0');
	}
	return found;
}

/* The level of one finding when the checks run on a fresh fixture. */
static int on(void **state, const char *cf, const char *access,
	      const char *conf, const char *service, const char *setting)
{
	struct t *t = fresh(state);

	run(t, cf, access, conf);
	return level(t, service, setting);
}

/* The exit status of the last run. */
static int status(void **state)
{
	return dr_exit_status(&((struct t *)*state)->r);
}

static void test_parse(void **state)
{
	struct t *t = *state;
	const char *cf = CF_GOOD
		"SLocal_srv_features\n"
		"R$*\t$# u2 g2\t# comment column\n"
		"Xother, S=inet:8891@127.0.0.1,\n"
		"\tF=R\n";

	assert_true(sm_parse(&t->sm, cf, strlen(cf)) > 0);
	assert_string_equal(t->sm.version, "8.18.1");
	assert_int_equal(t->sm.ndaemon, 2);
	assert_string_equal(t->sm.daemon_opts[1], "Port=587, Name=MSA, M=E");
	assert_string_equal(t->sm.input_filters, "dotgate");
	assert_string_equal(t->sm.access_map, "/etc/mail/access");
	assert_true(t->sm.srv_access);
	assert_int_equal(t->sm.nmilter, 2);
	assert_string_equal(t->sm.milter[0].socket, "local:/run/dotgate/dotgate.sock");
	assert_string_equal(t->sm.milter[0].flags, "T");
	assert_string_equal(t->sm.milter[0].timeouts, "C:10s;S:30s;R:60s;E:5m");
	/* a folded line continues the X line */
	assert_string_equal(t->sm.milter[1].name, "other");
	assert_string_equal(t->sm.milter[1].flags, "R");
	assert_int_equal(t->sm.nfeat, 1);
	assert_string_equal(t->sm.feat[0].client, "");
	assert_string_equal(t->sm.feat[0].letters, "u2 g2");
	assert_string_equal(t->sm.feat[0].origin, "sendmail.cf:15");
	assert_int_equal(t->sm.skipped, 0);
}

static void test_field(void **state)
{
	size_t n;
	const char *v = sm_field("Port=587, Name=MSA , InputMailFilters=a;b", 'I', &n);

	(void)state;
	assert_non_null(v);
	assert_int_equal(n, 3);
	assert_memory_equal(v, "a;b", 3);
	v = sm_field("Port=587, Name=MSA", 'N', &n);
	assert_int_equal(n, 3);
	assert_null(sm_field("Port=587, Name", 'N', &n));
	assert_null(sm_field("", 'N', &n));
	assert_null(sm_field("name=x", 'N', &n));	/* case-sensitive */
}

/* Overlong lines, NULs, odd quoting, half lines: counted, never trusted. */
static void test_hostile(void **state)
{
	struct t *t = *state;
	size_t big = 3 * SM_LINE_MAX;
	char *cf = malloc(big + 256);
	size_t n;

	assert_non_null(cf);
	n = (size_t)sprintf(cf, "DZ8.18.1\nX");
	memset(cf + n, 'a', big);
	n += big;
	n += (size_t)sprintf(cf + n, "\nX, S=x\nX bad name, F=T\nDZnot-a-version\n"
			     "O InputMailFilters=\"dotgate\" # quoted\n"
			     "Xq, S=\"unix:/x\", T=C:\nO\nS\nR\nK\nKaccess\n");
	n += (size_t)sprintf(cf + n, "Xnul");
	cf[n++] = '\0';		/* read as a space */
	n += (size_t)sprintf(cf + n, ", F=T");
	assert_true(sm_parse(&t->sm, cf, n) > 0);
	assert_int_equal(t->sm.skipped, 5);
	assert_string_equal(t->sm.version, "8.18.1");
	assert_string_equal(t->sm.input_filters, "\"dotgate\"");
	assert_int_equal(t->sm.nmilter, 2);
	assert_string_equal(t->sm.milter[0].socket, "\"unix:/x\"");
	assert_string_equal(t->sm.milter[1].name, "nul");
	sm_check(&t->r, &t->sm, NULL);	/* must not crash on any of it */
	free(cf);
}

static void test_access(void **state)
{
	struct t *t = *state;
	const char *a = "# access\nConnect:127.0.0.1\tRELAY\n"
		"SRV_FEATURES:\tU G\n"
		"Srv_Features:10.1.2.3  O\n"
		"Srv_Features:\tnot-letters here\n"
		"Srv_Features:\ttemporarily\n"
		"Srv_FeaturesX:\tU\n";

	assert_int_equal(sm_parse_access(&t->sm, a, strlen(a), "/etc/mail/access"), 2);
	assert_int_equal(t->sm.nfeat, 2);
	assert_string_equal(t->sm.feat[0].client, "");
	assert_string_equal(t->sm.feat[0].letters, "U G");
	assert_string_equal(t->sm.feat[0].origin, "/etc/mail/access:3");
	assert_string_equal(t->sm.feat[1].client, "10.1.2.3");
	assert_int_equal(t->sm.skipped, 2);
}

static void test_version(void **state)
{
	const char *dz = "DZ (version)";

	assert_int_equal(on(state, CF_GOOD, NULL, "", "sendmail.cf", dz), DR_OK);
	assert_int_equal(status(state), 0);
	assert_int_equal(on(state, "DZ8.17.1.9\n" CF_X, NULL, "", "sendmail.cf", dz),
			 DR_RISK);
	assert_int_equal(status(state), 1);
	assert_int_equal(on(state, CF_X, NULL, "", "sendmail.cf", dz), DR_WARN);
	/* Debian 12's backport, as its sendmail.mc writes DZ */
	assert_int_equal(on(state, "DZ8.17.1.9/Debian-2+deb12u2\n" CF_X, NULL, "",
			    "sendmail.cf", dz), DR_WARN);
	assert_int_equal(on(state, "DZ8.17.1.9/Debian-2\n" CF_X, NULL, "",
			    "sendmail.cf", dz), DR_RISK);
	assert_int_equal(on(state, "DZ8.18.1/Debian-6\n" CF_X, NULL, "",
			    "sendmail.cf", dz), DR_OK);
}

/* srv_features letters of one access map entry, under dotgate.conf conf. */
static int srv_level(void **state, const char *access, const char *conf)
{
	int l = on(state, CF_GOOD, access, conf, "sendmail.cf", "srv_features");

	assert_int_equal(status(state), l == DR_RISK);
	return l;
}

static void test_srv_features(void **state)
{
	const char *log_cr = "body {\n bare_cr = log\n bare_lf = log\n}\n";

	assert_int_equal(srv_level(state, "", ""), DR_OK);
	assert_int_equal(srv_level(state, "Srv_Features:\tu2 g2 o\n", ""), DR_OK);
	/* U: dotgate's bare_cr = reject still refuses the message */
	assert_int_equal(srv_level(state, "Srv_Features:\tU\n", ""), DR_WARN);
	assert_int_equal(srv_level(state, "Srv_Features:\tU\n", log_cr), DR_RISK);
	assert_int_equal(srv_level(state, "Srv_Features:\tG\n", log_cr), DR_RISK);
	assert_int_equal(srv_level(state, "Srv_Features:\tG\n", "mode = monitor\n"),
			 DR_RISK);
	/* Sendmail reads a word by its first letter: "UG" is U */
	assert_int_equal(srv_level(state, "Srv_Features:\tUG\n", log_cr), DR_RISK);
	assert_int_equal(srv_level(state, "Srv_Features:\tgU\n", log_cr), DR_OK);
	/* O: the split happens in Sendmail, whatever dotgate does */
	assert_int_equal(srv_level(state, "Srv_Features:\tO\n", ""), DR_RISK);
	assert_int_equal(srv_level(state, "Srv_Features:\tF\n", ""), DR_WARN);
	/* one client only */
	assert_int_equal(srv_level(state, "Srv_Features:10.0.0.1\tU O\n", log_cr),
			 DR_WARN);
}

static void test_srv_features_cf(void **state)
{
	struct t *t = *state;

	run(t, CF_GOOD "SLocal_srv_features\nR$*\t$# U\n", "", "body {\n bare_cr = log\n}\n");
	assert_int_equal(level(t, "sendmail.cf", "srv_features"), DR_RISK);
	for (size_t i = 0; i < t->r.n; i++)
		if (strcmp(t->r.f[i].setting, "srv_features") == 0)
			assert_non_null(strstr(t->r.f[i].fix, "LOCAL_SRV_FEATURES"));
	t = fresh(state);
	/* the access map asked, its text unreadable: what was not seen is said */
	run(t, CF_GOOD, NULL, "");
	assert_int_equal(level(t, "sendmail.cf", "srv_features"), DR_WARN);
}

static void test_socket(void **state)
{
	assert_int_equal(on(state, CF_GOOD, "", "", "sendmail.cf", "Xdotgate S="),
			 DR_OK);
	assert_int_equal(on(state, CF_GOOD, "",
			    "socket = \"unix:/var/spool/dotgate.sock\"\n",
			    "sendmail.cf", "Xdotgate S="), DR_RISK);
	/* found by its socket whatever its name */
	assert_int_equal(on(state, CF_HEAD "Xdg, S=unix:/run/dotgate/dotgate.sock, F=T\n",
			    "", "", "sendmail.cf", "Xdg S="), DR_OK);
	assert_int_equal(level(*state, "MTA", "InputMailFilters"), DR_RISK);
	assert_int_equal(on(state, CF_HEAD, "", "", "sendmail.cf", "X (mail filter)"),
			 DR_RISK);
}

/* The F= finding of dotgate's filter with these equates after S=. */
static int flags_level(void **state, const char *equates)
{
	char cf[2048];

	snprintf(cf, sizeof cf, "%sXdotgate, S=local:/run/dotgate/dotgate.sock%s\n",
		 CF_HEAD, equates);
	return on(state, cf, "", "", "sendmail.cf", "Xdotgate F=");
}

static void test_flags(void **state)
{
	assert_int_equal(flags_level(state, ", F=T"), DR_OK);
	assert_int_equal(flags_level(state, ", F=R"), DR_WARN);
	assert_int_equal(flags_level(state, ", F=RT"), DR_WARN);	/* R wins */
	assert_int_equal(flags_level(state, ""), DR_RISK);
	assert_int_equal(flags_level(state, ", F="), DR_RISK);
}

static int timeouts_level(void **state, const char *tm, const char *conf)
{
	char cf[2048];

	snprintf(cf, sizeof cf, "%sXdotgate, S=local:/run/dotgate/dotgate.sock, "
		 "F=T%s\n", CF_HEAD, tm);
	return on(state, cf, "", conf, "sendmail.cf", "Xdotgate T=");
}

static void test_timeouts(void **state)
{
	/* a login map lookup may take 20 s, Sendmail waits R:10s by default */
	const char *slow = "senders {\n login_map = \"socketmap:unix:/run/m.sock:senders\"\n"
		" lookup_timeout = 20\n}\n";

	assert_int_equal(timeouts_level(state, "", ""), DR_OK);
	assert_int_equal(timeouts_level(state, ", T=C:10s;S:30s;R:1m;E:5m", ""), DR_OK);
	assert_int_equal(timeouts_level(state, ", T=R:0", ""), DR_WARN);
	assert_int_equal(timeouts_level(state, ", T=R:ten", ""), DR_WARN);
	assert_int_equal(timeouts_level(state, ", T=X:1s", ""), DR_WARN);
	assert_int_equal(timeouts_level(state, "", slow), DR_WARN);
	assert_int_equal(timeouts_level(state, ", T=R:30s;E:5m", slow), DR_OK);
}

static void test_daemons(void **state)
{
	/* a daemon's own list replaces the global one */
	const char *own = "DZ8.18.1\n"
		"O DaemonPortOptions=Port=smtp, Name=MTA, I=other\n"
		"O DaemonPortOptions=Port=587, Name=MSA, InputMailFilters=other;dotgate\n"
		"O InputMailFilters=dotgate\n" CF_X;

	assert_int_equal(on(state, CF_GOOD, "", "", "MTA", "InputMailFilters"), DR_OK);
	assert_int_equal(level(*state, "MSA", "InputMailFilters"), DR_OK);
	assert_int_equal(on(state, own, "", "", "MTA", "InputMailFilters"), DR_RISK);
	assert_int_equal(level(*state, "MSA", "InputMailFilters"), DR_OK);
	assert_int_equal(status(state), 1);
	/* no daemon line: the global list, for Sendmail's one default daemon */
	assert_int_equal(on(state, "DZ8.18.1\n" CF_X, "", "", "sendmail.cf",
			    "InputMailFilters"), DR_RISK);
}

static void test_auth_daemons(void **state)
{
	const char *ad = "auth.daemons";

	assert_int_equal(on(state, CF_GOOD, "", "auth {\n daemons = {\"msa\"}\n}\n",
			    "dotgate.conf", ad), DR_OK);
	assert_int_equal(on(state, CF_GOOD, "",
			    "auth {\n daemons = {\"submission\"}\n}\n",
			    "dotgate.conf", ad), DR_WARN);
	assert_int_equal(on(state, CF_GOOD, "", "", "dotgate.conf", ad), -1);
}

static void test_mode(void **state)
{
	assert_int_equal(on(state, CF_GOOD, "", "", "dotgate.conf", "mode"), DR_OK);
	assert_int_equal(on(state, CF_GOOD, "", "mode = monitor\n", "dotgate.conf",
			    "mode"), DR_WARN);
	assert_int_equal(on(state, CF_GOOD, "", NULL, "dotgate.conf", "mode"), -1);
}

static void test_read(void **state)
{
	struct t *t = *state;
	char err[256], dir[] = "/tmp/test_doctor_sm.XXXXXX", path[512], cf[1024];
	FILE *fp;

	assert_int_equal(sm_read(&t->sm, "/nonexistent/sendmail.cf", err, sizeof err), -1);
	assert_non_null(strstr(err, "/nonexistent/sendmail.cf"));
	assert_non_null(mkdtemp(dir));
	/* larger than the bound: refused, not read */
	snprintf(path, sizeof path, "%s/big.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(ftruncate(fileno(fp), SM_CF_MAX + 1), 0);
	fclose(fp);
	assert_int_equal(sm_read(&t->sm, path, err, sizeof err), -1);
	unlink(path);
	assert_int_equal(sm_read(&t->sm, dir, err, sizeof err), -1);
	/* the access map's text source, beside the .db the .cf names */
	snprintf(path, sizeof path, "%s/access", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("Srv_Features:\tU\n", fp);
	fclose(fp);
	snprintf(cf, sizeof cf, "Kaccess hash -o %s.db\nDZ8.18.1\n" CF_SRV CF_X, path);
	snprintf(path, sizeof path, "%s/sendmail.cf", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(cf, fp);
	fclose(fp);
	assert_int_equal(sm_read(&t->sm, path, err, sizeof err), 0);
	assert_int_equal(t->sm.nfeat, 1);
	assert_string_equal(t->sm.feat[0].letters, "U");
	unlink(path);
	snprintf(path, sizeof path, "%s/access", dir);
	unlink(path);
	rmdir(dir);
}

/* Every test but test_field starts from an empty fixture. */
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_parse), cmocka_unit_test(test_field), T(test_hostile),
		T(test_access), T(test_version), T(test_srv_features),
		T(test_srv_features_cf), T(test_socket), T(test_flags),
		T(test_timeouts), T(test_daemons), T(test_auth_daemons),
		T(test_mode), T(test_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
