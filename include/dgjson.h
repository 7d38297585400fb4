/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	dgjson - building JSON output with jansson, out of memory fatal
 * SYNOPSIS
 *	#include "dgjson.h"
 *
 *	json_t *dgjson_must(json_t *v);
 *	void dgjson_set(json_t *obj, const char *key, json_t *v);
 *	void dgjson_push(json_t *arr, json_t *v);
 *	json_t *dgjson_str(const char *s);
 * DESCRIPTION
 *	jansson reports out of memory as NULL (from a constructor) or -1
 *	(from a setter); as with xmalloc(), both are fatal here, so the
 *	code that builds a record or a report never tests for them.
 *	dgjson_must() returns v, which must not be NULL.  dgjson_set() and
 *	dgjson_push() take over the reference to v, as json_object_set_new()
 *	and json_array_append_new() do.  dgjson_str() makes a JSON string
 *	of bytes from the outside (a client, a log line) after repairing
 *	them to valid UTF-8 (utf8_repair(), utf8.h); NULL gives null.
 * DIAGNOSTICS
 *	A NULL or a failed setter is a dg_panic() (util.h).
 */
#ifndef DG_DGJSON_H
#define DG_DGJSON_H

#include <jansson.h>

json_t *dgjson_must(json_t *v);
void dgjson_set(json_t *obj, const char *key, json_t *v);
void dgjson_push(json_t *arr, json_t *v);
json_t *dgjson_str(const char *s);

#endif
