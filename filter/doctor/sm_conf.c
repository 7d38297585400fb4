/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sm_conf.c: a sendmail.cf as dotgate-doctor(8) reads it (see doctor.h).
 * A placeholder until the reader is written.
 */
#include <stdio.h>

#include "doctor.h"

int sm_read(struct sm_conf *sm, const char *cf_path, char *err, size_t errlen)
{
	(void)sm;
	snprintf(err, errlen, "%s: Sendmail configurations are not read yet", cf_path);
	return -1;
}

int sm_parse(struct sm_conf *sm, const char *text, size_t len)
{
	(void)sm;
	(void)text;
	(void)len;
	return 0;
}

void sm_free(struct sm_conf *sm)
{
	(void)sm;
}
