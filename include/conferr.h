/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	conferr - where the errors found in dotgate.conf or in a file it
 *	names go
 * SYNOPSIS
 *	typedef void conf_err_fn(void *arg, const char *file, unsigned line,
 *				 const char *msg);
 * DESCRIPTION
 *	The configuration loader (policy.h) and the login-map loader
 *	(loginmap.h) report each error they find through a conf_err_fn:
 *	the file it is in, its line there (0 when it concerns the whole
 *	file), and one line of text; arg is the caller's, passed through.
 *	log_conf_error() (log.h) is the one that prints them as
 *	"FILE:LINE: message", as dotgate(8) describes for -n.
 */
#ifndef DG_CONFERR_H
#define DG_CONFERR_H

typedef void conf_err_fn(void *arg, const char *file, unsigned line,
			 const char *msg);

#endif
