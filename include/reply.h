/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	reply - configured SMTP replies: validation and safe expansion
 * SYNOPSIS
 *	int  reply_parse(struct dg_reply *r, const char *text, char *err, size_t errlen);
 *	void reply_expand(const struct dg_reply *r, const struct reply_vars *v,
 *			  char *out, size_t outlen);
 *	void reply_escape_percent(const char *in, char *out, size_t outlen);
 *	void reply_free(struct dg_reply *r);
 * DESCRIPTION
 *	reply_parse() validates "CODE X.Y.Z text": a 4xx or 5xx code, a
 *	mandatory enhanced code of the same class, no CR or LF, at most
 *	DG_REPLY_MAX characters, only %s %u %a %% escapes.  It returns 0, or
 *	-1 with a message in err.
 *	reply_expand() writes the text after the enhanced code with %s
 *	(sender), %u (login), %a (anomaly list) and %% substituted; each
 *	substituted byte outside printable ASCII becomes '?', and the whole
 *	reply ("CODE X.Y.Z " + text) never exceeds DG_REPLY_MAX characters.
 *	reply_escape_percent() doubles every '%' for smfi_setreply(), which
 *	would otherwise treat it as a format character.
 */
#ifndef DG_REPLY_H
#define DG_REPLY_H

#include <stddef.h>

#define DG_REPLY_MAX 980

struct dg_reply {
	char code[4];		/* "530" */
	char ecode[16];		/* "5.7.0" */
	char *text;		/* template after the enhanced code */
};

struct reply_vars {
	const char *sender;	/* %s, may be NULL (empty) */
	const char *login;	/* %u, may be NULL (empty) */
	const char *anomalies;	/* %a, may be NULL (empty) */
};

int reply_parse(struct dg_reply *r, const char *text, char *err, size_t errlen);
void reply_expand(const struct dg_reply *r, const struct reply_vars *v,
		  char *out, size_t outlen);
void reply_escape_percent(const char *in, char *out, size_t outlen);
void reply_free(struct dg_reply *r);

#endif
