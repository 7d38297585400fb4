/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_sendmailcf.c: fuzz target for dotgate-doctor's sendmail.cf and
 * access map reader (dotgate-doctor(8), "SENDMAIL CHECKS": hostile text
 * is skipped and counted).  The input is a sendmail.cf, then, after a
 * line "@@", an access map's text; each is copied into an exactly-sized
 * buffer so that a read past it is caught.  Every string kept must be
 * set and within the line bound; every daemon's fields are looked up;
 * the checks run without a policy and with dotgate.conf's defaults, and
 * their findings, printed as JSON, must parse back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "doctor.h"
#include "fuzz.h"

#define SEP "\n@@\n"

static void check_str(const char *s, const char *what)
{
	if (s == NULL || strlen(s) >= SM_LINE_MAX)
		fuzz_fail("%s NULL or longer than a line", what);
}

static void check_conf(const struct sm_conf *sm)
{
	size_t n;

	for (size_t i = 0; i < sm->nmilter; i++) {
		check_str(sm->milter[i].name, "milter name");
		if (sm->milter[i].name[0] == '\0')
			fuzz_fail("milter without a name");
	}
	for (size_t i = 0; i < sm->ndaemon; i++) {
		check_str(sm->daemon_opts[i], "daemon options");
		for (const char *k = "NIPAM"; *k; k++) {
			const char *v = sm_field(sm->daemon_opts[i], *k, &n);
			if (v && (v < sm->daemon_opts[i] ||
				  v + n > sm->daemon_opts[i] + strlen(sm->daemon_opts[i])))
				fuzz_fail("sm_field out of its list");
		}
	}
	for (size_t i = 0; i < sm->nfeat; i++) {
		check_str(sm->feat[i].client, "srv_features client");
		check_str(sm->feat[i].letters, "srv_features letters");
		check_str(sm->feat[i].origin, "srv_features origin");
	}
}

static void check_findings(const struct sm_conf *sm, const struct dg_policy *p)
{
	struct dr_report r = { 0 };

	r.mta = strdup("sendmail");
	sm_check(&r, sm, p);
	fuzz_findings_check(&r);
	dr_report_free(&r);
}

static void on_err(void *arg, const char *file, unsigned line, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s:%u: %s\n", file ? file : "-", line, msg);
}

/* dotgate.conf's defaults, loaded once from an empty file. */
static const struct dg_policy *defaults(void)
{
	static struct dg_policy *p;

	if (p == NULL && (p = policy_load(fuzz_tmpfile((const uint8_t *)"", 0),
					  on_err, NULL)) == NULL)
		fuzz_fail("an empty dotgate.conf does not load");
	return p;
}

static char *copy(const uint8_t *d, size_t n)
{
	char *c = malloc(n ? n : 1);

	if (c == NULL)
		abort();
	memcpy(c, d, n);
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sm_conf sm = { 0 };
	const uint8_t *sep = memmem(data, size, SEP, 4);
	size_t ncf = sep ? (size_t)(sep - data) : size;
	const struct dg_policy *p = defaults();
	char *cf, *access;

	if (size > 1 << 20)
		return 0;
	cf = copy(data, ncf);
	sm_parse(&sm, cf, ncf);
	free(cf);
	if (sep) {
		access = copy(sep + 4, size - ncf - 4);
		sm_parse_access(&sm, access, size - ncf - 4, "/etc/mail/access");
		free(access);
		sm.access_text = strdup("/etc/mail/access");
	}
	check_conf(&sm);
	check_findings(&sm, NULL);
	check_findings(&sm, p);
	sm_free(&sm);
	return 0;
}
