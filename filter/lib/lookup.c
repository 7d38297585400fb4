/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lookup.c: a connection's lookups in a login map that another process
 * serves (socketmap:, tcp:, maps/remotemap.c), with a small cache in
 * front.  The milter glue asks for a source at MAIL FROM and the pure
 * owner check calls it; nothing here decides anything.  See lookup.h.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "log.h"
#include "lookup.h"
#include "metrics.h"
#include "remotemap.h"
#include "util.h"

#define CACHE_KEY_MAX 256		/* longer keys or values: not cached */
#define CACHE_VALUE_MAX 512

struct cached {
	bool used;
	int rc;				/* 1 found, 0 not found */
	char key[CACHE_KEY_MAX];
	char value[CACHE_VALUE_MAX];
};

struct lookup {
	const struct mapspec *map;	/* the cache's map */
	struct remotemap_session s;
	struct owner_remote src;
	struct cached cache[LOOKUP_CACHE];
	unsigned next;			/* round-robin slot to replace */
	bool failed;
};

static const struct cached *find(const struct lookup *l, const char *key)
{
	for (unsigned i = 0; i < LOOKUP_CACHE; i++)
		if (l->cache[i].used && strcmp(l->cache[i].key, key) == 0)
			return &l->cache[i];
	return NULL;
}

static void keep(struct lookup *l, const char *key, int rc, const char *value)
{
	struct cached *e;

	if (strlen(key) >= CACHE_KEY_MAX || strlen(value) >= CACHE_VALUE_MAX)
		return;
	e = &l->cache[l->next++ % LOOKUP_CACHE];
	e->used = true;
	e->rc = rc;
	memcpy(e->key, key, strlen(key) + 1);
	memcpy(e->value, value, strlen(value) + 1);
}

static int get(void *arg, const char *key, char *value, size_t size)
{
	struct lookup *l = arg;
	const struct cached *e = find(l, key);
	int rc;

	if (e != NULL) {
		(void)snprintf(value, size, "%s", e->value);
		return e->rc;
	}
	value[0] = '\0';
	rc = remotemap_get(&l->s, key, value, size);
	metrics_map_lookup(rc);
	if (rc < 0)
		l->failed = true;
	else
		keep(l, key, rc, rc ? value : "");
	return rc;
}

const struct owner_remote *lookup_begin(struct lookup **lp,
					const struct dg_policy *p)
{
	struct lookup *l = *lp;

	if (p->senders.remote == NULL)
		return NULL;
	if (l == NULL) {
		*lp = l = xcalloc(1, sizeof(*l));
		l->map = p->senders.remote;
	} else if (l->map != p->senders.remote) {
		dg_panic("lookup_begin: a connection changed its policy");
	}
	remotemap_session_init(&l->s, l->map);
	l->failed = false;
	l->src.get = get;
	l->src.arg = l;
	return &l->src;
}

void lookup_end(struct lookup *l)
{
	if (l == NULL)
		return;
	if (l->failed)
		log_msg(LOG_WARNING, "login map lookup failed: %s", l->s.err);
	remotemap_session_end(&l->s);
	l->failed = false;
}

void lookup_free(struct lookup *l)
{
	if (l != NULL)
		remotemap_session_end(&l->s);
	free(l);
}
