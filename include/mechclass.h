/*
 * NAME
 *	mechclass - is a SASL mechanism plaintext-class? (libsasl2 plugin flags)
 * SYNOPSIS
 *	int  mechclass_init(void);
 *	bool mechclass_is_plaintext(const char *mech);
 *	void mechclass_done(void);
 * DESCRIPTION
 *	mechclass_init() runs sasl_client_init() once, in the main thread
 *	before any worker thread exists, and snapshots the security flags
 *	of every installed client mechanism into a table; it returns 0, or
 *	-1 if libsasl2 cannot initialise (the built-in table is used then).
 *	mechclass_is_plaintext() answers from that snapshot: a mechanism
 *	whose plugin lacks SASL_SEC_NOPLAINTEXT is plaintext-class; a
 *	mechanism not installed is looked up in a built-in table (PLAIN,
 *	LOGIN, XOAUTH2, OAUTHBEARER plaintext; CRAM-MD5, DIGEST-MD5,
 *	SCRAM-*, GSSAPI, EXTERNAL, NTLM not); unknown names count as
 *	plaintext (fail safe).  Case-insensitive; safe from any thread.
 */
#ifndef DG_MECHCLASS_H
#define DG_MECHCLASS_H

#include <stdbool.h>

int mechclass_init(void);
bool mechclass_is_plaintext(const char *mech);
void mechclass_done(void);

#endif
