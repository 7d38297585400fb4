/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	pf_checks - what the files of dotgate-doctor(8)'s Postfix checks
 *	share: pf_checks.c (the settings), pf_attach.c (dotgate among each
 *	service's milters, its socket as each service reaches it),
 *	pf_checks_dg.c (dotgate.conf against Postfix)
 * SYNOPSIS
 *	#include "pf_checks.h"
 * DESCRIPTION
 *	struct pfc is one run of pf_check(): the report, the configuration,
 *	dotgate's policy (NULL: dotgate.conf could not be read), the
 *	postconf command line that the fixes start with ("postconf", or
 *	"postconf -c DIR" for another instance) and Postfix's version.
 *	pfc_smtpd() is true for a service that accepts mail through smtpd(8)
 *	(pass services behind postscreen included).  pfc_overrides() is
 *	true when s sets name with -o.  pfc_fix() writes the command that
 *	sets name to value: "postconf -P 'NAME/TYPE/name=value'" for a
 *	service, "postconf -e 'name=value'" for main.cf (s NULL).
 *	pfc_version() compares Postfix's mail_version with maj.min.patch:
 *	<0, 0, >0, like strcmp (an unknown version is older than any).
 *	pfc_find_dotgate() finds dotgate among a service's milters (its
 *	entry, the per-milter default_action and protocol written in braces,
 *	and where the list comes from); pfc_check_attach() and
 *	pfc_check_dotgate_conf() add their findings.
 */
#ifndef DOTGATE_PF_CHECKS_H
#define DOTGATE_PF_CHECKS_H

#include "cidr.h"
#include "doctor.h"

struct pfc {
	struct dr_report *r;
	const struct pf_conf *pf;
	const struct dg_policy *p;
	char postconf[PF_NAME_MAX * 2];
	int ver[3];			/* -1: unknown */
};

struct pfc_milter {
	char entry[PF_VALUE_MAX];	/* dotgate's entry as written */
	char defact[32];		/* {..., default_action=X}, or "" */
	char proto[32];			/* {..., protocol=X}, or "" */
	const char *list;		/* smtpd_milters or non_smtpd_milters */
	bool own;			/* the list is s's -o override */
};

bool pfc_smtpd(const struct pf_service *s);
bool pfc_overrides(const struct pf_service *s, const char *name);
const char *pfc_svc(const struct pf_service *s, char *buf, size_t len);
void pfc_fix(const struct pfc *c, const struct pf_service *s,
	     const char *name, const char *value, char *buf, size_t len);
int pfc_version(const struct pfc *c, int maj, int min, int patch);
bool pfc_yes(const char *v);
bool pfc_find_dotgate(const struct pfc *c, const struct pf_service *s,
		      struct pfc_milter *m);
bool pfc_gated(const struct pfc *c, const struct pf_service *s);
void pfc_check_attach(struct pfc *c);
void pfc_check_dotgate_conf(struct pfc *c);
int pfc_net_list(const char *value, struct cidr_list *l, char *skipped,
		 size_t len);

#endif
