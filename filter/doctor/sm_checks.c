/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sm_checks.c: the Sendmail checks of dotgate-doctor(8), "SENDMAIL
 * CHECKS" (see doctor.h).  A placeholder until the checks are written.
 */
#include "doctor.h"

void sm_check(struct dr_report *r, const struct sm_conf *sm,
	      const struct dg_policy *p)
{
	(void)r;
	(void)sm;
	(void)p;
}
