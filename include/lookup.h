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
 *	per message.  Each lookup asked of the server is counted
 *	(metrics_map_lookup()); failed ones are never cached.
 *
 *	*lp is made on first use and belongs to the connection
 *	(smfi_setpriv) and to the policy the connection keeps from its
 *	start to its end (dotgate(8), SIGNALS: a reload applies to new
 *	connections), so the cache never outlives its map; passing another
 *	policy's map with the same *lp is a bug (dg_panic()).
 *	lookup_end() closes the server connection after the MAIL decision
 *	and logs a failure (the map, the reason).  lookup_free() takes
 *	NULL.
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
