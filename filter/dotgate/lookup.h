/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	lookup - one connection's remote login map lookups, cached
 * SYNOPSIS
 *	#include "lookup.h"
 *
 *	const struct owner_remote *lookup_begin(struct lookup **lp,
 *						 const struct dg_policy *p);
 *	void lookup_end(struct lookup *l);
 *	void lookup_free(struct lookup *l);
 * DESCRIPTION
 *	lookup_begin() returns what gate_input.remote wants for a MAIL FROM
 *	of this connection: NULL when the policy's login map is a file,
 *	else a source that asks the socketmap/tcp server (remotemap.h) and
 *	remembers its last LOOKUP_CACHE answers, so that a client sending
 *	many messages from one address costs one lookup per key, not one
 *	per message.  *lp is made on first use and belongs to the
 *	connection (smfi_setpriv); a reload that changes the map empties
 *	the cache.  Failed lookups are never cached.  lookup_end() closes
 *	the server connection after the MAIL decision and logs a failure
 *	(the map, the reason).  lookup_free() takes NULL.
 */
#ifndef DG_LOOKUP_H
#define DG_LOOKUP_H

#include "owner.h"
#include "policy.h"

#define LOOKUP_CACHE 8

struct lookup;

const struct owner_remote *lookup_begin(struct lookup **lp,
					const struct dg_policy *p);
void lookup_end(struct lookup *l);
void lookup_free(struct lookup *l);

#endif
