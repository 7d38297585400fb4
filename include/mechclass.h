/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	mechclass - is a SASL mechanism plaintext-class? (libsasl2 plugin flags)
 * SYNOPSIS
 *	int  mechclass_init(void);
 *	bool mechclass_is_plaintext(const char *mech);
 *	bool mechclass_installed(const char *mech);
 *	void mechclass_done(void);
 * DESCRIPTION
 *	mechclass_init() runs sasl_client_init() once, in the main thread
 *	before any worker thread exists, and snapshots the security flags
 *	of every installed client mechanism (sasl_client_plugin_info())
 *	into a static table; it returns 0, or -1 if libsasl2 cannot
 *	initialise (the built-in table alone is used then).  Calling it
 *	again is a no-op that returns the first result.
 *
 *	mechclass_is_plaintext() answers from that snapshot: a mechanism
 *	whose plugin lacks SASL_SEC_NOPLAINTEXT is plaintext-class.  A
 *	mechanism that is not installed is looked up in a built-in table:
 *	PLAIN, LOGIN, XOAUTH2, OAUTHBEARER are plaintext; CRAM-MD5,
 *	DIGEST-MD5, SCRAM-* (any hash), GSSAPI, GS2-*, EXTERNAL, NTLM,
 *	ANONYMOUS, OTP, SRP, KERBEROS_V4 are not.  A "-PLUS" (channel
 *	binding) variant has the class of its base mechanism.  Unknown,
 *	empty, NULL, over-long (RFC 4422: at most 20 characters) or
 *	malformed names count as plaintext: fail safe, so a mechanism
 *	dotgate cannot vouch for is only accepted over TLS.
 *	Names compare case-insensitively.
 *
 *	mechclass_installed() tells whether the name was found among the
 *	installed plugins (false before mechclass_init()).
 *
 *	After mechclass_init() the table is never written again, so both
 *	lookups are safe from any thread without a lock.
 *	mechclass_done() releases libsasl2 (sasl_client_done()) at exit;
 *	the snapshot stays readable.
 */
#ifndef DG_MECHCLASS_H
#define DG_MECHCLASS_H

#include <stdbool.h>

int mechclass_init(void);
bool mechclass_is_plaintext(const char *mech);
bool mechclass_installed(const char *mech);
void mechclass_done(void);

#endif
