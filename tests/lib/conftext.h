/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	conftext - a policy for a unit test, loaded from configuration text
 * SYNOPSIS
 *	struct dg_policy *conftext_load(const char *text);
 *	const char *conftext_file(const char *name, const char *text);
 * DESCRIPTION
 *	conftext_load() writes text to a private file and returns what
 *	policy_load() makes of it (one reference; policy_unref() frees it),
 *	so that a test starts from the loader's defaults as dotgate.conf(5)
 *	gives them instead of a copy written by hand.  It aborts the test
 *	program, printing each error as FILE:LINE: MESSAGE, when the text
 *	does not load.
 *	conftext_file() writes text to NAME in the same private directory
 *	and returns its path (valid until the next call with that NAME), for
 *	the files a configuration names, such as a login_map.
 *	The directory is removed at exit.
 */
#ifndef DG_CONFTEXT_H
#define DG_CONFTEXT_H

#include "policy.h"

struct dg_policy *conftext_load(const char *text);
const char *conftext_file(const char *name, const char *text);

#endif
