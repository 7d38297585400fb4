/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pf_checks.c: the Postfix checks of dotgate-doctor(8), "POSTFIX CHECKS"
 * (see doctor.h).  A placeholder until the checks are written.
 */
#include "doctor.h"

void pf_check(struct dr_report *r, const struct pf_conf *pf,
	      const struct dg_policy *p)
{
	(void)r;
	(void)pf;
	(void)p;
}
