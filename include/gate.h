/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	gate - the MAIL FROM decision (dotgate.conf(5), DECISIONS AT MAIL
 *	FROM)
 * SYNOPSIS
 *	void gate_decide(const struct dg_policy *p, const struct gate_input *in,
 *			 struct gate_result *out);
 *	void gate_refuse(struct gate_result *out, enum gate_rule rule,
 *			 const struct dg_reply *r, const char *sender,
 *			 const char *login);
 *	const char *gate_rule_name(enum gate_rule r);
 *	extern const char *const gate_rule_names[GATE_RULE_COUNT];
 * DESCRIPTION
 *	gate_decide() applies, in order: exemption (client in
 *	exempt_networks, no client IP address, or daemon_name not in a
 *	non-empty daemons list), missing authentication, mechanism
 *	allow-list, plaintext mechanism without TLS, sender ownership; the
 *	first that matches gives the rule and, for a refusal, the expanded
 *	reply "CODE X.Y.Z text".  Inputs are strings as the MTA gave them
 *	(NULL or "" when absent); the sender is the envelope address with
 *	or without angle brackets ("", "<>" or NULL for the null sender).
 *	It neither allocates nor looks at the policy mode, and any thread
 *	may call it (mechclass_init() must have run first).
 *
 *	Details a postmaster can rely on:
 *	- A client sockaddr that is NULL or not AF_INET/AF_INET6 (a
 *	  unix-domain peer) has no IP address: exempt.
 *	- daemons: {daemon_name} is compared case-insensitively (ASCII),
 *	  whole string, no trimming; an absent or empty {daemon_name} is
 *	  in no list, so it is exempt when daemons is non-empty.
 *	- auth.require = false: an unauthenticated client passes (rule
 *	  pass); an authenticated one is still held to checks 3-5.
 *	- mechanisms: compared case-insensitively; an absent {auth_type}
 *	  is in no list (auth.mechanism).
 *	- An absent or empty {tls_version} means no TLS; an absent
 *	  {auth_type} counts as plaintext-class (mechclass.h: fail safe).
 *	- Sender ownership is owner_lookup() (owner.h); a sender it calls
 *	  invalid (over-long) is refused whatever unlisted says.  With a
 *	  remote login map the caller passes in->remote; when a lookup
 *	  fails, lookup_failed is set and on_error decides: tempfail
 *	  refuses with senders.reply_lookup_error (rule sender.not_owned,
 *	  a 4xx, so the verdict is tempfail), accept passes.
 *	- auth.exempt_logins (compared case-insensitively) skips the
 *	  sender check only, after checks 3 and 4: rule auth.exempt.
 *	- body.exempt_logins sets body_exempt (the milter does not scan
 *	  that login's bodies) and makes the rule auth.exempt unless the
 *	  sender is refused, which clears body_exempt.
 *	- sender_checked is set when the login's ownership of the sender
 *	  was asked (an authenticated login, not exempt, not in
 *	  auth.exempt_logins): the transactions senders.header_from =
 *	  check holds to the same map at end of message (hfrom.h).
 *	- Replies: %s is the sender as sent (spaces and one pair of <>
 *	  removed; empty for the null sender), %u the {auth_authen} login;
 *	  reply_expand() makes both printable and bounds the reply.  The
 *	  reply holds single '%' characters: the caller doubles them
 *	  (reply_escape_percent()) before smfi_setreply().
 *
 *	gate_refuse() makes out a refusal by rule with reply r expanded
 *	(%s sender, %u login): the one form every refusal of the sender
 *	gate takes, at MAIL FROM and at end of message (hfrom.h).
 */
#ifndef DG_GATE_H
#define DG_GATE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "owner.h"
#include "policy.h"
#include "reply.h"

/*
 * The rules an audit record names (dotgate.conf(5), "AUDIT RECORD"):
 * gate_decide() gives one of the first six; hfrom_decide() (hfrom.h)
 * the two GATE_HEADER_ ones at end of message; GATE_BODY is the
 * record's rule when the body decided (record.h), never the gate's.
 */
enum gate_rule {
	GATE_PASS,
	GATE_EXEMPT,
	GATE_UNAUTHENTICATED,
	GATE_MECHANISM,
	GATE_PLAINTEXT,
	GATE_NOT_OWNED,
	GATE_HEADER_NOT_OWNED,
	GATE_HEADER_MALFORMED,
	GATE_BODY,
	GATE_RULE_COUNT
};

struct gate_input {
	const struct sockaddr *client;	/* NULL: no IP (local, unix socket) */
	const char *daemon_name;	/* {daemon_name} */
	const char *auth_authen;	/* {auth_authen} */
	const char *auth_type;		/* {auth_type} */
	const char *tls_version;	/* {tls_version} */
	const char *sender;		/* envelope sender, no <> */
	const struct owner_remote *remote; /* socketmap:/tcp: map, or NULL */
};

struct gate_result {
	enum gate_rule rule;
	bool refuse;			/* rule is a refusal */
	char reply[DG_REPLY_MAX + 1];	/* "530 5.7.0 ..." when refuse */
	bool body_exempt;		/* login in body.exempt_logins */
	bool lookup_failed;		/* the remote login map failed */
	bool sender_checked;		/* the login's ownership was asked */
};

void gate_decide(const struct dg_policy *p, const struct gate_input *in,
		 struct gate_result *out);
void gate_refuse(struct gate_result *out, enum gate_rule rule,
		 const struct dg_reply *r, const char *sender, const char *login);
const char *gate_rule_name(enum gate_rule r);

extern const char *const gate_rule_names[];	/* GATE_RULE_COUNT names */

#endif
