/*
 * NAME
 *	gate - the MAIL FROM decision (contract section 4)
 * SYNOPSIS
 *	void gate_decide(const struct dg_policy *p, const struct gate_input *in,
 *			 struct gate_result *out);
 *	const char *gate_rule_name(enum gate_rule r);
 * DESCRIPTION
 *	gate_decide() applies, in order: exemption (client in
 *	exempt_networks, no client IP address, or daemon_name not in a
 *	non-empty daemons list), missing authentication, mechanism
 *	allow-list, plaintext mechanism without TLS, sender ownership; the
 *	first that matches gives the rule and, for a refusal, the expanded
 *	reply "CODE X.Y.Z text".  Inputs are strings as the MTA gave them
 *	(NULL or "" when absent); the sender is the envelope address
 *	without angle brackets ("" for the null sender).  It neither
 *	allocates nor looks at the policy mode.
 */
#ifndef DG_GATE_H
#define DG_GATE_H

#include <stdbool.h>
#include <sys/socket.h>

#include "policy.h"
#include "reply.h"

enum gate_rule {
	GATE_PASS,
	GATE_EXEMPT,
	GATE_UNAUTHENTICATED,
	GATE_MECHANISM,
	GATE_PLAINTEXT,
	GATE_NOT_OWNED
};

struct gate_input {
	const struct sockaddr *client;	/* NULL: no IP (local, unix socket) */
	const char *daemon_name;	/* {daemon_name} */
	const char *auth_authen;	/* {auth_authen} */
	const char *auth_type;		/* {auth_type} */
	const char *tls_version;	/* {tls_version} */
	const char *sender;		/* envelope sender, no <> */
};

struct gate_result {
	enum gate_rule rule;
	bool refuse;			/* rule is a refusal */
	char reply[DG_REPLY_MAX + 1];	/* "530 5.7.0 ..." when refuse */
};

void gate_decide(const struct dg_policy *p, const struct gate_input *in,
		 struct gate_result *out);
const char *gate_rule_name(enum gate_rule r);

#endif
