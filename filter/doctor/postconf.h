/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	postconf - what postconf.c and postconf_expand.c share
 * SYNOPSIS
 *	#include "postconf.h"
 *
 *	void pf_expand_all(struct pf_conf *pf);
const struct pf_param *pf_main_param(const struct pf_conf *pf,
				     const char *name);
 *	const struct pf_param *pf_main_param(const struct pf_conf *pf,
 *					     const char *name);
 * DESCRIPTION
 *	pf_expand_all() sets every ->value of pf (main.cf's parameters and
 *	each service's overrides) to its ->raw text with $name, ${name},
 *	$(name), ${name?value}, ${name:value} and ${name?{value}:{value}}
 *	expanded from main.cf's
 *	parameters, a service's override of another parameter first, as
 *	Postfix does (postconf(5), "main.cf"), and "$$" as "$".
 *	$service_name is the service's name in an override; there and in
 *	main.cf, $process_name and $process_id are kept as written, as is
 *	a name main.cf does not define, and so are the ${{...}}
 *	expressions of Postfix 3.6 and later.  The
 *	expansion is bounded: references nest at most PF_EXPAND_DEPTH deep,
 *	one value expands at most PF_EXPAND_REFS references, and its result
 *	is cut at PF_VALUE_MAX bytes, so a loop ($a = $b, $b = $a) or a
 *	reference bomb ends quickly and never grows memory; what is left
 *	unexpanded stays as written.  pf_parse_main() and
 *	pf_parse_overrides() call it after reading.
 *	pf_main_param() is main.cf's parameter name (value and raw text),
 *	or NULL.
 */
#ifndef DOTGATE_POSTCONF_H
#define DOTGATE_POSTCONF_H

#include "doctor.h"

#define PF_EXPAND_DEPTH 16
#define PF_EXPAND_REFS 4096

void pf_expand_all(struct pf_conf *pf);
const struct pf_param *pf_main_param(const struct pf_conf *pf,
				     const char *name);

#endif
