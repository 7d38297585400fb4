/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: the dotgate-doctor program (dotgate-doctor(8)): the command
 * line, dotgate.conf read with the loader of "dotgate -n", the MTA's
 * configuration read and checked (Postfix through postconf, or a
 * sendmail.cf), the findings printed, and the exit status of
 * dotgate-doctor(8), EXIT STATUS.  A configuration that cannot be read
 * is a finding too, so that what could be checked is still printed
 * before the program exits 2.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"
#include "buf.h"
#include "doctor.h"
#include "log.h"
#include "policy.h"
#include "util.h"

#define DEFAULT_CONF SYSCONFDIR "/dotgate/dotgate.conf"

/* 1, a risk, is dr_exit_status()'s. */
enum { EXIT_UNREAD = 2, EXIT_USAGE = 2 };

struct options {
	const char *conf;
	const char *postfix_dir;	/* --postfix=DIR; NULL: the system's */
	const char *sendmail_cf;	/* --sendmail=FILE; NULL: Postfix */
	bool json;
};

/* What the loader said about dotgate.conf: its first error and count. */
struct conf_errors {
	unsigned n;
	char first[512];
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: dotgate-doctor [-c DOTGATE_CONF] "
		"[--postfix[=CONFIG_DIR] | --sendmail=SENDMAIL_CF] [--json]\n"
		"  -c FILE             dotgate's configuration (default %s)\n"
		"  --postfix[=DIR]     check Postfix through postconf "
		"(-c DIR for another instance); the default\n"
		"  --sendmail=FILE     check a sendmail.cf instead\n"
		"  --json              one JSON object instead of lines\n"
		"  -V                  print the version\n"
		"  -h                  this help\n", DEFAULT_CONF);
}

/* Returns -1 to go on, else the status to exit with. */
static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "postfix", optional_argument, NULL, 'P' },
		{ "sendmail", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	bool postfix = false;
	int ch;

	o->conf = DEFAULT_CONF;
	while ((ch = getopt_long(argc, argv, "c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'P': postfix = true; o->postfix_dir = optarg; break;
		case 'S': o->sendmail_cf = optarg; break;
		case 'j': o->json = true; break;
		case 'V': printf("dotgate-doctor %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc || (postfix && o->sendmail_cf != NULL) ||
	    (o->postfix_dir != NULL && o->postfix_dir[0] == '\0')) {
		usage(stderr);
		return EXIT_USAGE;
	}
	return -1;
}

/* The conf_err_fn of "dotgate -n": FILE:LINE: message on stderr. */
static void conf_error(void *arg, const char *file, unsigned line,
		       const char *msg)
{
	struct conf_errors *e = arg;

	if (line > 0)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
	else
		fprintf(stderr, "%s: %s\n", file, msg);
	if (e->n++ == 0) {
		if (line > 0)
			snprintf(e->first, sizeof(e->first), "%s:%u: %s",
				 file, line, msg);
		else
			snprintf(e->first, sizeof(e->first), "%s: %s", file,
				 msg);
	}
}

/* dotgate's policy, or NULL with a risk finding that says why. */
static struct dg_policy *load_policy(const char *path, struct dr_report *r)
{
	struct conf_errors e = { 0, "" };
	struct dg_policy *p = policy_load(path, conf_error, &e);
	struct buf fix = BUF_INIT;
	const char *q;

	if (p != NULL)
		return p;
	/* The path in single quotes, each ' in it as '\'' for sh(1). */
	buf_printf(&fix, "dotgate -n -c '");
	for (q = path; *q != '\0'; q++)
		if (*q == '\'')
			buf_printf(&fix, "'\\''");
		else
			buf_add(&fix, q, 1);
	buf_printf(&fix, "'");
	dr_add(r, DR_RISK, "dotgate.conf", "file", path, fix.p,
	       "dotgate's configuration could not be read (%u error%s, the "
	       "first: %s), so the checks against dotgate's settings were "
	       "left out; run the fix to list every error",
	       e.n, e.n == 1 ? "" : "s", e.n > 0 ? e.first : "unknown");
	buf_free(&fix);
	return NULL;
}

/* A part of the MTA's configuration was not understood: a warn. */
static void note_skipped(struct dr_report *r, const char *service,
			 size_t skipped)
{
	char value[64];

	if (skipped == 0)
		return;
	snprintf(value, sizeof(value), "%zu line%s", skipped,
		 skipped == 1 ? "" : "s");
	dr_add(r, DR_WARN, service, "unread", value, "",
	       "lines of the configuration were not understood (too long, "
	       "malformed or for an unknown service) and were left out of "
	       "the checks");
}

static void unreadable(struct dr_report *r, const char *service,
		       const char *setting, const char *value, const char *err)
{
	fprintf(stderr, "dotgate-doctor: %s\n", err);
	dr_add(r, DR_RISK, service, setting, value, "",
	       "the MTA's configuration could not be read (%s), so nothing "
	       "of it was checked", err);
}

/* Postfix: returns false when its configuration could not be read. */
static bool doctor_postfix(struct dr_report *r, const char *dir,
			   const struct dg_policy *p)
{
	struct pf_conf pf = { 0 };
	char err[1024];
	const char *v;
	bool ok = pf_read(&pf, dir, err, sizeof(err)) == 0;

	r->mta = xstrdup("postfix");
	if (!ok) {
		unreadable(r, "main.cf", "config_directory",
			   dir != NULL ? dir : "(postconf's default)", err);
	} else {
		if ((v = pf_main(&pf, "mail_version")) != NULL && v[0] != '\0')
			r->mta_version = xstrdup(v);
		note_skipped(r, "postconf", pf.skipped);
		pf_check(r, &pf, p);
	}
	pf_free(&pf);
	return ok;
}

static bool doctor_sendmail(struct dr_report *r, const char *cf,
			    const struct dg_policy *p)
{
	struct sm_conf sm = { 0 };
	char err[1024];
	bool ok = sm_read(&sm, cf, err, sizeof(err)) == 0;

	r->mta = xstrdup("sendmail");
	if (!ok) {
		unreadable(r, "sendmail.cf", "file", cf, err);
	} else {
		if (sm.version != NULL && sm.version[0] != '\0')
			r->mta_version = xstrdup(sm.version);
		note_skipped(r, "sendmail.cf", sm.skipped);
		sm_check(r, &sm, p);
	}
	sm_free(&sm);
	return ok;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct dr_report r = { 0 };
	struct dg_policy *p;
	bool read_all;
	int status;

	log_init("dotgate-doctor");
	if ((status = parse_args(argc, argv, &o)) >= 0)
		return status;
	p = load_policy(o.conf, &r);
	if (o.sendmail_cf != NULL)
		read_all = doctor_sendmail(&r, o.sendmail_cf, p);
	else
		read_all = doctor_postfix(&r, o.postfix_dir, p);
	if (o.json)
		dr_print_json(stdout, &r);
	else
		dr_print_text(stdout, &r);
	status = !read_all || p == NULL ? EXIT_UNREAD : dr_exit_status(&r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_msg(LOG_ERR, "standard output: write error");
		status = EXIT_UNREAD;
	}
	if (p != NULL)
		policy_unref(p);
	dr_report_free(&r);
	return status;
}
