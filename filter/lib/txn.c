/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * txn.c: per-connection and per-transaction facts gathered by the milter
 * glue for the decisions and the audit record (see txn.h, record.h).  Every value
 * from the MTA is copied with a bound, so a 100 KB macro costs 2 KB.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "txn.h"
#include "util.h"

struct dg_txn *txn_new(void)
{
	struct dg_txn *t = xcalloc(1, sizeof(*t));

	t->client_port = -1;
	txn_reset(t);
	return t;
}

void txn_set(char **field, const char *value)
{
	free(*field);
	*field = value ? xstrndup(value, DG_FIELD_MAX) : NULL;
}

void txn_add_rcpt(struct dg_txn *t, const char *rcpt)
{
	t->nrcpts_total++;
	if (t->nrcpts >= DG_RCPT_MAX)
		return;
	t->rcpts = xrealloc(t->rcpts, (t->nrcpts + 1) * sizeof(*t->rcpts));
	t->rcpts[t->nrcpts++] = xstrndup(rcpt, DG_FIELD_MAX);
}

static void clear_transaction(struct dg_txn *t)
{
	txn_set(&t->qid, NULL);
	txn_set(&t->auth_user, NULL);
	txn_set(&t->auth_mech, NULL);
	txn_set(&t->tls, NULL);
	txn_set(&t->from, NULL);
	for (size_t i = 0; i < t->nrcpts; i++)
		free(t->rcpts[i]);
	free(t->rcpts);
	t->rcpts = NULL;
	t->nrcpts = t->nrcpts_total = 0;
}

void txn_reset(struct dg_txn *t)
{
	clear_transaction(t);
	t->size = 0;
	t->header_from = NULL;
	memset(&t->scan, 0, sizeof(t->scan));
	t->scanned = false;
}

void txn_free(struct dg_txn *t)
{
	if (t == NULL)
		return;
	clear_transaction(t);
	free(t->client_name);
	free(t->helo);
	free(t->daemon);
	free(t);
}

bool txn_set_client(struct dg_txn *t, const struct sockaddr *sa)
{
	const void *addr;

	t->client_addr[0] = '\0';
	t->client_port = -1;
	if (sa == NULL || (sa->sa_family != AF_INET && sa->sa_family != AF_INET6))
		return false;
	if (sa->sa_family == AF_INET) {
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
		t->client_port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else {
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		t->client_port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	}
	if (inet_ntop(sa->sa_family, addr, t->client_addr, sizeof(t->client_addr)) == NULL)
		t->client_addr[0] = '\0';
	return true;
}
