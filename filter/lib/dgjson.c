/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dgjson.c: the jansson helpers shared by the audit record and the
 * report (see dgjson.h).  One place decides that jansson's out of
 * memory is fatal and that outside bytes are repaired before jansson,
 * which refuses invalid UTF-8, ever sees them.
 */
#include <stdlib.h>

#include "dgjson.h"
#include "utf8.h"
#include "util.h"

json_t *dgjson_must(json_t *v)
{
	if (v == NULL)
		dg_panic("out of memory building JSON");
	return v;
}

void dgjson_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new(obj, key, dgjson_must(v)) != 0)
		dg_panic("cannot set \"%s\" in a JSON object", key);
}

void dgjson_push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, dgjson_must(v)) != 0)
		dg_panic("cannot append to a JSON array");
}

json_t *dgjson_str(const char *s)
{
	char *clean;
	json_t *v;

	if (s == NULL)
		return json_null();
	clean = utf8_repair(s);
	v = json_string(clean);
	free(clean);
	return v;
}
