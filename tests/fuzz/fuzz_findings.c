/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_findings.c: what dotgate-doctor's fuzz targets (fuzz_postconf.c,
 * fuzz_sendmailcf.c) check of the findings their input produced: the
 * JSON form parses back and the text form prints (see fuzz.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "doctor.h"
#include "fuzz.h"

void fuzz_findings_check(const struct dr_report *r)
{
	static FILE *devnull;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);
	json_t *back;

	if (fp == NULL)
		abort();
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	dr_print_json(fp, r);
	fclose(fp);
	if ((back = json_loads(out, 0, NULL)) == NULL)
		fuzz_fail("findings JSON does not parse back");
	json_decref(back);
	free(out);
	dr_print_text(devnull, r);
}
