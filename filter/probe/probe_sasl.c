/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe_sasl.c: the SMTP AUTH exchange of dotgate-probe (RFC 4954)
 * driven by libsasl2's client API, so that every mechanism the local
 * Cyrus plugins implement (PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-*)
 * works without the probe knowing any of them.
 *
 * NAME
 *	probe_sasl - SASL client authentication over an SMTP connection
 * SYNOPSIS
 *	see probe.h
 * DESCRIPTION
 *	probe_sasl_init() loads the client plugins once.
 *	probe_sasl_auth() creates a client context with callbacks that
 *	answer the authentication name and password (the authorisation id
 *	is left empty: act as oneself), lets sasl_client_start() pick the
 *	best mechanism of mechlist, sends "AUTH MECH [initial-response]",
 *	and answers every 334 challenge with sasl_client_step() until the
 *	server says 235 (success) or anything else (failure).  Plaintext
 *	mechanisms are allowed (a probe must be able to test what the server
 *	does with them); a security layer is not (max_ssf 0).  Challenges
 *	and responses are bounded by PROBE_SASL_MAX decoded octets.
 * DIAGNOSTICS
 *	0 on success (mech_used set), -1 with a message in err.  When the
 *	server refused, last holds its reply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

#include "probe.h"
#include "util.h"

#define PROBE_SASL_MAX 8192

struct sasl_ctx {
	const char *user;
	const char *password;
	sasl_secret_t *secret;
};

static int cb_simple(void *context, int id, const char **result,
		     unsigned *len)
{
	struct sasl_ctx *ctx = context;

	switch (id) {
	case SASL_CB_AUTHNAME:
		*result = ctx->user;
		break;
	case SASL_CB_USER:
		*result = "";		/* authorise as the authenticated user */
		break;
	default:
		return SASL_BADPARAM;
	}
	if (len != NULL)
		*len = (unsigned)strlen(*result);
	return SASL_OK;
}

static int cb_secret(sasl_conn_t *conn, void *context, int id,
		     sasl_secret_t **psecret)
{
	struct sasl_ctx *ctx = context;
	size_t len = strlen(ctx->password);

	(void)conn;
	if (id != SASL_CB_PASS)
		return SASL_BADPARAM;
	if (ctx->secret == NULL) {
		ctx->secret = xmalloc(sizeof(sasl_secret_t) + len);
		ctx->secret->len = (unsigned long)len;
		memcpy(ctx->secret->data, ctx->password, len + 1);
	}
	*psecret = ctx->secret;
	return SASL_OK;
}

static int cb_realm(void *context, int id, const char **availrealms,
		    const char **result)
{
	(void)context;
	if (id != SASL_CB_GETREALM)
		return SASL_BADPARAM;
	/* DIGEST-MD5: take the server's first realm, if it offered one. */
	*result = (availrealms != NULL && availrealms[0] != NULL) ?
		  availrealms[0] : "";
	return SASL_OK;
}

/* libsasl2 stores every callback as int (*)(void); go through the
 * generic function pointer type so the conversion is explicit. */
#define SASL_CB(fn) ((int (*)(void))(void (*)(void))(fn))

int probe_sasl_init(void)
{
	return sasl_client_init(NULL) == SASL_OK ? 0 : -1;
}

static int send_b64(struct probe_smtp *c, const char *prefix,
		    const char *data, unsigned len, char *err, size_t errsize)
{
	static char line[PROBE_SASL_MAX * 4 / 3 + 64];
	size_t plen = strlen(prefix);
	unsigned outlen;

	if (len > PROBE_SASL_MAX || plen > 48) {
		(void)snprintf(err, errsize, "SASL response too long");
		return -1;
	}
	memcpy(line, prefix, plen);
	if (data != NULL && len == 0 && plen > 0) {
		line[plen++] = '=';	/* empty initial response */
		line[plen] = '\0';
	} else if (data != NULL &&
		   sasl_encode64(data, len, line + plen,
				 (unsigned)(sizeof(line) - plen), &outlen) !=
		   SASL_OK) {
		(void)snprintf(err, errsize, "base64 encoding failed");
		return -1;
	} else if (data == NULL) {
		if (plen > 0)
			plen--;		/* drop the space after the mechanism */
		line[plen] = '\0';
	}
	if (probe_smtp_cmd(c, line) < 0) {
		(void)snprintf(err, errsize, "%s", c->err);
		return -1;
	}
	return 0;
}

static int exchange(struct probe_smtp *c, sasl_conn_t *conn, const char *mech,
		    const char *out, unsigned outlen, struct probe_reply *last,
		    char *err, size_t errsize)
{
	static char challenge[PROBE_SASL_MAX + 1];
	char prefix[64];
	sasl_interact_t *interact = NULL;
	unsigned clen;
	int rc;

	(void)snprintf(prefix, sizeof(prefix), "AUTH %s ", mech);
	if (send_b64(c, prefix, out, outlen, err, errsize) < 0)
		return -1;
	for (int round = 0; round < 32; round++) {
		if (probe_smtp_reply(c, last) < 0) {
			(void)snprintf(err, errsize, "%s", c->err);
			return -1;
		}
		if (last->code == 235)
			return 0;
		if (last->code != 334) {
			(void)snprintf(err, errsize, "AUTH %s refused: %s",
				       mech, last->code ? last->text
				       : "connection closed");
			return -1;
		}
		const char *b64 = last->text + 3;

		b64 += strspn(b64, " ");
		if (sasl_decode64(b64, (unsigned)strlen(b64), challenge,
				  sizeof(challenge) - 1, &clen) != SASL_OK) {
			(void)snprintf(err, errsize,
				       "AUTH %s: undecodable challenge", mech);
			(void)probe_smtp_cmd(c, "*");
			return -1;
		}
		rc = sasl_client_step(conn, challenge, clen, &interact, &out,
				      &outlen);
		if (rc != SASL_OK && rc != SASL_CONTINUE) {
			(void)snprintf(err, errsize, "AUTH %s: %s", mech,
				       sasl_errdetail(conn));
			(void)probe_smtp_cmd(c, "*");
			return -1;
		}
		if (send_b64(c, "", out != NULL ? out : "", outlen, err,
			     errsize) < 0)
			return -1;
	}
	(void)snprintf(err, errsize, "AUTH %s: too many rounds", mech);
	return -1;
}

int probe_sasl_auth(struct probe_smtp *c, const char *host,
		    const char *mechlist, const char *user,
		    const char *password, char *mech_used, size_t mechsize,
		    struct probe_reply *last, char *err, size_t errsize)
{
	struct sasl_ctx ctx = { user, password, NULL };
	sasl_callback_t cbs[] = {
		{ SASL_CB_AUTHNAME, SASL_CB(cb_simple), &ctx },
		{ SASL_CB_USER, SASL_CB(cb_simple), &ctx },
		{ SASL_CB_PASS, SASL_CB(cb_secret), &ctx },
		{ SASL_CB_GETREALM, SASL_CB(cb_realm), &ctx },
		{ SASL_CB_LIST_END, NULL, NULL },
	};
	sasl_security_properties_t sec;
	sasl_interact_t *interact = NULL;
	sasl_conn_t *conn = NULL;
	const char *out = NULL, *mech = NULL;
	unsigned outlen = 0;
	int rc, ret = -1;

	last->code = 0;
	last->text[0] = '\0';
	if (sasl_client_new("smtp", host, NULL, NULL, cbs, 0, &conn) !=
	    SASL_OK) {
		(void)snprintf(err, errsize, "sasl_client_new failed");
		goto out;
	}
	memset(&sec, 0, sizeof(sec));
	sec.min_ssf = 0;
	sec.max_ssf = 0;		/* no security layer after AUTH */
	sec.maxbufsize = 0;
	sec.security_flags = SASL_SEC_NOANONYMOUS;
	if (sasl_setprop(conn, SASL_SEC_PROPS, &sec) != SASL_OK) {
		(void)snprintf(err, errsize, "sasl_setprop: %s",
			       sasl_errdetail(conn));
		goto out;
	}
	rc = sasl_client_start(conn, mechlist, &interact, &out, &outlen,
			       &mech);
	if (rc != SASL_OK && rc != SASL_CONTINUE) {
		(void)snprintf(err, errsize, "no usable SASL mechanism in "
			       "\"%s\": %s", mechlist, sasl_errdetail(conn));
		goto out;
	}
	(void)snprintf(mech_used, mechsize, "%s", mech);
	ret = exchange(c, conn, mech, out, outlen, last, err, errsize);
out:
	if (conn != NULL)
		sasl_dispose(&conn);
	if (ctx.secret != NULL) {
		memset(ctx.secret->data, 0, ctx.secret->len);
		free(ctx.secret);
	}
	return ret;
}
