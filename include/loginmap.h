/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	loginmap - sender-to-logins table (Postfix smtpd_sender_login_maps text form)
 * SYNOPSIS
 *	struct loginmap *loginmap_new(void);
 *	int  loginmap_add(struct loginmap *m, const char *key, const char *login);
 *	int  loginmap_load(struct loginmap *m, const char *path,
 *			   conf_err_fn *err, void *arg);
 *	const struct loginmap_entry *loginmap_get(const struct loginmap *m,
 *						  const char *key);
 *	size_t loginmap_size(const struct loginmap *m);
 *	void loginmap_free(struct loginmap *m);
 * DESCRIPTION
 *	A hash table from a lower-cased key ("user@domain", "user@",
 *	"@domain") to the list of lower-cased logins that own it.
 *	loginmap_add() appends a login to a key (creating the key).
 *	loginmap_load() reads "KEY  login1, login2" lines ('#' comments and
 *	blank lines ignored; as in Postfix, a line that starts with white
 *	space continues the previous entry) and reports each malformed
 *	entry through err (conferr.h) with the map's own path and line
 *	number; it returns the number of errors, or -1 if the file cannot
 *	be read (err is called with line 0).
 *	Lookups are O(1), the table is immutable once loaded and may be
 *	read from any thread.  Keys and logins are bounded to 1024 bytes.
 */
#ifndef DG_LOGINMAP_H
#define DG_LOGINMAP_H

#include <stddef.h>

#include "conferr.h"

struct loginmap;

struct loginmap_entry {
	const char *key;
	char **logins;
	size_t nlogins;
};

struct loginmap *loginmap_new(void);
int loginmap_add(struct loginmap *m, const char *key, const char *login);
int loginmap_load(struct loginmap *m, const char *path, conf_err_fn *err,
		  void *arg);
const struct loginmap_entry *loginmap_get(const struct loginmap *m,
					  const char *key);
size_t loginmap_size(const struct loginmap *m);
void loginmap_free(struct loginmap *m);

#endif
