/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	mltproto - the MTA side of the milter protocol, version 6, for test tools
 * SYNOPSIS
 *	int  mlt_open(struct mlt_conn *c, const char *spec, int timeout_ms);
 *	int  mlt_negotiate(struct mlt_conn *c, uint32_t actions, uint32_t pflags);
 *	int  mlt_send(struct mlt_conn *c, int cmd, const void *data, size_t len);
 *	int  mlt_send2(struct mlt_conn *c, int cmd, const void *a, size_t alen,
 *		       const void *b, size_t blen);
 *	int  mlt_send_raw(struct mlt_conn *c, const void *data, size_t len);
 *	int  mlt_read(struct mlt_conn *c);
 *	int  mlt_event(struct mlt_conn *c, int cmd, int stage,
 *		       const struct mlt_macro *m, size_t n,
 *		       const void *data, size_t len);
 *	int  mlt_body(struct mlt_conn *c, const struct mlt_macro *m, size_t n,
 *		      const void *data, size_t len);
 *	int  mlt_macros(struct mlt_conn *c, int stage, int cmd,
 *			const struct mlt_macro *m, size_t n);
 *	void mlt_close(struct mlt_conn *c, int hard);
 *	const char *mlt_reply_text(const struct mlt_conn *c);
 * DESCRIPTION
 *	What Postfix's milter8 client does, reduced to what a load generator
 *	and a hostile-input tester need: one blocking connection, every
 *	length bounded, every read with a timeout.
 *
 *	mlt_open() connects to "unix:/path", "local:/path", "inet:PORT@HOST"
 *	or "inet6:PORT@HOST" (loopback only is the caller's business).
 *	mlt_negotiate() sends SMFIC_OPTNEG offering version 6, the given
 *	actions and protocol flags, and records what the filter answered:
 *	c->pflags (the steps it declined and the replies it will not send)
 *	and any macro lists it asked for with smfi_setsymlist (c->symlist).
 *
 *	mlt_send() writes one command (length, command byte, data) in one
 *	write; mlt_send2() sends data in two pieces (a body chunk after its
 *	header) with writev; mlt_send_raw() writes bytes as given (for
 *	malformed packets).  mlt_read() reads one reply into c->rcmd,
 *	c->rbuf and c->rlen; replies longer than MLT_MAX_REPLY are an error.
 *	mlt_event() is one MTA event the way Postfix sends it: nothing if
 *	the filter declined the step (returns MLT_SKIPPED); else the macros
 *	of the stage (stage < 0: none), the command, then, unless the filter
 *	said it will not reply (MLT_NOREPLY), the reply, skipping
 *	SMFIR_PROGRESS; it returns the reply command byte.  mlt_body() is
 *	mlt_event() for one body chunk (no copy of the data).
 *	mlt_macros() sends SMFIC_MACRO for cmd with the macros of a stage
 *	(MLT_ST_*): the names the filter asked for at that stage, else
 *	Postfix's default list, and of those only the ones m gives a value;
 *	nothing when none is left.
 *	mlt_close() closes; hard closes with a TCP/unix reset-like abrupt
 *	close (SO_LINGER 0), as a crashed MTA process would.
 * DIAGNOSTICS
 *	Every function returns -1 on an I/O error, a timeout, end of file or
 *	a malformed reply, with a description in c->err.
 */
#ifndef MLTPROTO_H
#define MLTPROTO_H

#include <stddef.h>
#include <stdint.h>

#include <libmilter/mfapi.h>

#define MLT_MAX_REPLY	(1024 * 1024)
#define MLT_SKIPPED	(-2)
#define MLT_NOREPLY	(-3)

/* Macro stages, as numbered by SMFIM_* in the option negotiation. */
enum mlt_stage {
	MLT_ST_CONNECT, MLT_ST_HELO, MLT_ST_MAIL, MLT_ST_RCPT, MLT_ST_DATA,
	MLT_ST_EOM, MLT_ST_EOH, MLT_ST_COUNT
};

struct mlt_macro {
	const char *name;		/* "j", "{daemon_name}" */
	const char *value;		/* NULL: not defined */
};

struct mlt_conn {
	int fd;
	int timeout_ms;
	uint32_t version;		/* the filter's */
	uint32_t actions;		/* SMFIF_* the filter wants */
	uint32_t pflags;		/* SMFIP_* the filter set */
	char *symlist[MLT_ST_COUNT];	/* NULL: Postfix default list */
	int rcmd;			/* last reply command */
	unsigned char *rbuf;		/* its data, NUL-terminated */
	size_t rlen;
	size_t rcap;
	unsigned char in[8192];		/* read-ahead buffer */
	size_t inpos;
	size_t inlen;
	char err[256];
};

int mlt_open(struct mlt_conn *c, const char *spec, int timeout_ms);
int mlt_negotiate(struct mlt_conn *c, uint32_t actions, uint32_t pflags);
int mlt_send(struct mlt_conn *c, int cmd, const void *data, size_t len);
int mlt_send2(struct mlt_conn *c, int cmd, const void *a, size_t alen,
	      const void *b, size_t blen);
int mlt_send_raw(struct mlt_conn *c, const void *data, size_t len);
int mlt_read(struct mlt_conn *c);
int mlt_event(struct mlt_conn *c, int cmd, int stage,
	      const struct mlt_macro *m, size_t n, const void *data,
	      size_t len);
int mlt_body(struct mlt_conn *c, const struct mlt_macro *m, size_t n,
	     const void *data, size_t len);
int mlt_macros(struct mlt_conn *c, int stage, int cmd,
	       const struct mlt_macro *m, size_t n);
void mlt_close(struct mlt_conn *c, int hard);
const char *mlt_reply_text(const struct mlt_conn *c);

/* The flags a Postfix 3.7 MTA offers in SMFIC_OPTNEG. */
#define MLT_MTA_ACTIONS	(SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_ADDRCPT | \
	SMFIF_DELRCPT | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_CHGFROM | \
	SMFIF_ADDRCPT_PAR | SMFIF_SETSYMLIST)
#define MLT_MTA_PFLAGS	(SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL | \
	SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS | SMFIP_NOEOH | \
	SMFIP_NOUNKNOWN | SMFIP_NODATA | SMFIP_SKIP | SMFIP_RCPT_REJ | \
	SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
	SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_EOH | \
	SMFIP_NR_BODY | SMFIP_HDR_LEADSPC)

#endif
