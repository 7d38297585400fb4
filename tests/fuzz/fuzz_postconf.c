/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_postconf.c: fuzz target for dotgate-doctor's postconf reader
 * (dotgate-doctor(8), DESCRIPTION: what is read is untrusted text).  The
 * input is postconf's three outputs, main.cf parameters, then master.cf
 * services, then overrides, separated by lines "@@" (without them the
 * whole input goes to each parser), each copied into an exactly-sized
 * buffer so that a read past it is caught.  Every name and value kept
 * must be within its bound; every lookup is made; the services become
 * findings, printed as text and as JSON, which must parse back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "doctor.h"
#include "fuzz.h"

#define SEP "\n@@\n"

static void parse_copy(struct pf_conf *pf, int which, const uint8_t *d,
		       size_t n)
{
	char *copy = malloc(n ? n : 1);

	if (copy == NULL)
		abort();
	memcpy(copy, d, n);
	if (which == 0)
		pf_parse_main(pf, copy, n);
	else if (which == 1)
		pf_parse_master(pf, copy, n);
	else
		pf_parse_overrides(pf, copy, n);
	free(copy);
}

static void check_param(const struct pf_param *p)
{
	if (p->name == NULL || p->value == NULL || p->raw == NULL)
		fuzz_fail("parameter with a NULL string");
	if (strlen(p->name) > PF_NAME_MAX || strlen(p->value) > PF_VALUE_MAX ||
	    strlen(p->raw) > PF_VALUE_MAX)
		fuzz_fail("parameter %.40s out of bounds", p->name);
}

static void check_services(const struct pf_conf *pf, struct dr_report *r)
{
	for (size_t i = 0; i < pf->nsvc; i++) {
		const struct pf_service *s = &pf->svc[i];

		if (strlen(s->name) > PF_NAME_MAX ||
		    strlen(s->command) > PF_VALUE_MAX)
			fuzz_fail("service %.40s out of bounds", s->name);
		for (size_t j = 0; j < s->nopt; j++) {
			check_param(&s->opt[j]);
			if (pf_value(pf, s, s->opt[j].name) != s->opt[j].value)
				fuzz_fail("pf_value misses an override");
		}
		dr_add(r, pf_accepts_mail(s) ? DR_RISK : DR_OK, s->name,
		       s->type, s->command, pf_value(pf, s, "smtpd_milters"),
		       "%s", s->command);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pf_conf pf = { 0 };
	struct dr_report r = { 0 };
	size_t off = 0;
	int which;

	if (size > 1 << 20)
		return 0;
	if (memmem(data, size, SEP, 4) == NULL) {
		for (which = 0; which < 3; which++)
			parse_copy(&pf, which, data, size);
	} else {
		for (which = 0; which < 3; which++) {
			const uint8_t *sep = which < 2 ?
				memmem(data + off, size - off, SEP, 4) : NULL;
			size_t n = sep != NULL ? (size_t)(sep - (data + off))
					       : size - off;

			parse_copy(&pf, which, data + off, n);
			off += n + (sep != NULL ? 4 : 0);
		}
	}
	for (size_t i = 0; i < pf.nparam; i++) {
		check_param(&pf.param[i]);
		if (pf_main(&pf, pf.param[i].name) != pf.param[i].value)
			fuzz_fail("pf_main misses %.40s", pf.param[i].name);
	}
	check_services(&pf, &r);
	pf_check(&r, &pf, NULL);	/* the checks, without a policy */
	r.mta = strdup("postfix");
	fuzz_findings_check(&r);
	dr_report_free(&r);
	pf_free(&pf);
	return 0;
}
