/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c: reference counting of compiled policies and the atomic swap
 * of the current one (see policy.h).  A connection takes a reference at
 * connect and keeps it to the end, so a reload never changes the rules
 * in the middle of a transaction, and never waits for one.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "cidr.h"
#include "loginmap.h"
#include "mapspec.h"
#include "policy.h"
#include "snapshot.h"
#include "util.h"

/* The one table of mode names (dotgate.conf(5), "MONITOR MODE"). */
const char *const dg_mode_names[] = {
	[DG_MODE_ENFORCE] = "enforce",
	[DG_MODE_MONITOR] = "monitor",
};
_Static_assert(DG_ARRAY_LEN(dg_mode_names) == DG_MODE_COUNT,
	       "one name per mode");

/* The current policy: read by every connection, swapped by reloads. */
static struct snapshot current = SNAPSHOT_INIT;

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void policy_free(struct dg_policy *p)
{
	free(p->path);
	free(p->socket);
	free(p->host);
	free(p->socket_group);
	cidr_list_free(p->auth.exempt);
	free_strv(p->auth.daemons, p->auth.ndaemons);
	free_strv(p->auth.mechanisms, p->auth.nmechanisms);
	free_strv(p->auth.exempt_logins, p->auth.nexempt_logins);
	free_strv(p->body.exempt_logins, p->body.nexempt_logins);
	reply_free(&p->auth.unauthenticated);
	reply_free(&p->auth.plaintext);
	reply_free(&p->auth.mechanism);
	free(p->senders.login_map_path);
	loginmap_free(p->senders.map);
	mapspec_free(p->senders.remote);
	loginmap_free(p->senders.inline_users);
	reply_free(&p->senders.reply);
	reply_free(&p->senders.lookup_error);
	reply_free(&p->senders.reply_header_from);
	reply_free(&p->senders.reply_header_malformed);
	free(p->body.tag_header);
	reply_free(&p->body.reject);
	reply_free(&p->body.tempfail);
	free(p->audit.syslog_socket);
	free(p->audit.file);
	reply_free(&p->audit.reply_required);
	free(p->metrics.listen);
	free(p);
}

struct dg_policy *policy_ref(struct dg_policy *p)
{
	atomic_fetch_add_explicit(&p->refs, 1, memory_order_relaxed);
	return p;
}

void policy_unref(struct dg_policy *p)
{
	if (p == NULL)
		return;
	if (atomic_fetch_sub_explicit(&p->refs, 1, memory_order_acq_rel) == 1)
		policy_free(p);
}

static void *ref_any(void *p)
{
	return policy_ref(p);
}

void policy_install(struct dg_policy *p)
{
	policy_unref(snapshot_swap(&current, p));
}

struct dg_policy *policy_current(void)
{
	return snapshot_take(&current, ref_any);
}
