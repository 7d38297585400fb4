/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	txn - what dotgate knows about one connection and its current transaction
 * SYNOPSIS
 *	struct dg_txn *txn_new(void);
 *	void txn_reset(struct dg_txn *t);	  new transaction, same connection
 *	void txn_free(struct dg_txn *t);
 *	void txn_set(char **field, const char *value);	  bounded copy
 *	void txn_add_rcpt(struct dg_txn *t, const char *rcpt);
bool txn_set_client(struct dg_txn *t, const struct sockaddr *sa);
 *	bool txn_set_client(struct dg_txn *t, const struct sockaddr *sa);
 * DESCRIPTION
 *	The milter glue fills a dg_txn from libmilter callbacks; the record
 *	of the transaction (record.h) points to it, beside the decision.  Every string is a bounded copy of what the MTA
 *	sent (at most DG_FIELD_MAX bytes; longer values are cut), never
 *	trusted: the encoders escape it.  NULL means absent.  At most
 *	DG_RCPT_MAX recipients are kept; nrcpts_total counts them all.
 *	txn_set_client() sets client_addr and client_port from the MTA's
 *	connect address; false (both unknown) when sa is NULL or not
 *	AF_INET/AF_INET6 (a unix-domain peer has no IP address).
 */
#ifndef DG_TXN_H
#define DG_TXN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "addrlist.h"
#include "scanner.h"

#define DG_FIELD_MAX 2048
#define DG_RCPT_MAX 1000

struct dg_txn {
	/* connection: kept across transactions */
	char client_addr[64];		/* "" when the client has no IP */
	int client_port;		/* -1 when unknown */
	char *client_name;
	char *helo;
	char *daemon;

	/* transaction */
	char *qid;
	char *auth_user;
	char *auth_mech;
	char *tls;
	char *from;
	char **rcpts;
	size_t nrcpts;
	size_t nrcpts_total;
	uint64_t size;
	const struct addrlist *header_from; /* From: as checked; NULL: not */
	struct scan_result scan;	/* valid when scanned */
	bool scanned;
};

struct dg_txn *txn_new(void);
void txn_reset(struct dg_txn *t);
void txn_free(struct dg_txn *t);
void txn_set(char **field, const char *value);
void txn_add_rcpt(struct dg_txn *t, const char *rcpt);
bool txn_set_client(struct dg_txn *t, const struct sockaddr *sa);

#endif
