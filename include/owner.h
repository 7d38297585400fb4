/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	owner - does a SASL login own an envelope sender? (dotgate.conf(5),
 *	LOGIN MAP)
 * SYNOPSIS
 *	enum owner_result owner_lookup(const struct dg_policy_senders *s,
 *				       const char *sender, const char *login,
 *				       const struct owner_remote *remote);
 *	const char *owner_result_name(enum owner_result r);
 *	size_t owner_strip(const char *sender, char *out, size_t outlen);
 * DESCRIPTION
 *	owner_lookup() reports what the login map (s->map) and the inline
 *	user blocks (s->inline_users) say about sender and login; the
 *	caller applies unlisted and null_sender.  It neither allocates nor
 *	modifies anything, so any thread may call it.  With remote (a
 *	socketmap: or tcp: login_map, looked up by the caller) remote->get
 *	answers for the keys in place of s->map: its value is the logins
 *	separated by commas and/or white space, as in the map file.
 *
 *	The sender is first put in Postfix's internal form: surrounding
 *	spaces and one pair of <> removed, a source route (@a,@b:) removed,
 *	quotes and backslash escapes of the local part removed, and
 *	trailing dots of the domain removed (Postfix's address rewriting
 *	drops them too, so "alice@example.test." is alice's address).  The
 *	domain is what follows the last '@'; the detail is what follows
 *	the first '+' of the local part, unless that '+' is its first
 *	character.  The keys tried, in order:
 *		user+detail@domain	the whole address
 *		user@domain		without the detail
 *		user+detail@		the local part, any domain
 *		user@			the same without the detail
 *		@domain
 *	(keys that would repeat one before them are skipped).  For the
 *	map, the first key that exists decides: the sender is owned when
 *	that key lists the login, however later keys read.  An inline
 *	block is matched with the same keys, and owns the sender when any
 *	of them lists the login.  Keys, addresses and logins compare
 *	case-insensitively (ASCII).
 *
 *	Results:
 *	OWNER_OWNED	a source lists the login for the sender.
 *	OWNER_UNLISTED	neither source has any key for the sender.
 *	OWNER_OTHERS	keys exist, none of the applicable ones lists the
 *			login.
 *	OWNER_NULL	the null sender (<>, or nothing left once quotes
 *			and brackets are gone).
 *	OWNER_INVALID	the sender is longer than OWNER_ADDR_MAX octets
 *			or no login was given: nothing can vouch for it.
 *	OWNER_FAILED	remote->get failed for a key before one decided
 *			(an inline block that lists the login still owns).
 *
 *	owner_strip() copies the sender without surrounding spaces and one
 *	pair of <> into out (cut to outlen - 1 bytes); it is the form
 *	shown to the client as %s.  It returns the untruncated length.
 */
#ifndef DG_OWNER_H
#define DG_OWNER_H

#include <stddef.h>

#include "policy.h"

#define OWNER_ADDR_MAX 1024

enum owner_result {
	OWNER_OWNED,
	OWNER_UNLISTED,
	OWNER_OTHERS,
	OWNER_NULL,
	OWNER_INVALID,
	OWNER_FAILED
};

/* 1 found (the logins into value), 0 not found, -1 lookup failed. */
typedef int owner_get_fn(void *arg, const char *key, char *value,
			 size_t size);

struct owner_remote {
	owner_get_fn *get;
	void *arg;
};

enum owner_result owner_lookup(const struct dg_policy_senders *s,
			       const char *sender, const char *login,
			       const struct owner_remote *remote);
const char *owner_result_name(enum owner_result r);
size_t owner_strip(const char *sender, char *out, size_t outlen);

#endif
