/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_equal.c: test helper that compares two JSON documents by value, so
 * that the report tests need neither jq nor python.
 *
 *	json_equal [--subset] EXPECTED ACTUAL
 *
 * Exit 0 when ACTUAL equals EXPECTED (object member order ignored); with
 * --subset, every member of each EXPECTED object must be in ACTUAL with
 * an equal value, while ACTUAL may have more (arrays still compare
 * element by element, with the same length).  "-" reads standard input.
 * On a difference it prints the path of the first one and exits 1; 2 on
 * unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int subset;

static int differ(const char *path, json_t *e, json_t *a)
{
	char *de = json_dumps(e, JSON_ENCODE_ANY | JSON_COMPACT);
	char *da = a ? json_dumps(a, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;

	fprintf(stderr, "json_equal: %s: expected %s, got %s\n",
		path[0] ? path : "(top)", de ? de : "?", da ? da : "nothing");
	free(de);
	free(da);
	return 1;
}

static int compare(const char *path, json_t *e, json_t *a)
{
	char sub[1024];

	if (a == NULL || json_typeof(e) != json_typeof(a))
		return differ(path, e, a);
	if (json_is_object(e)) {
		const char *key;
		json_t *v;

		if (!subset && json_object_size(e) != json_object_size(a))
			return differ(path, e, a);
		json_object_foreach(e, key, v) {
			snprintf(sub, sizeof(sub), "%s.%s", path, key);
			if (compare(sub, v, json_object_get(a, key)))
				return 1;
		}
		return 0;
	}
	if (json_is_array(e)) {
		size_t i;
		json_t *v;

		if (json_array_size(e) != json_array_size(a))
			return differ(path, e, a);
		json_array_foreach(e, i, v) {
			snprintf(sub, sizeof(sub), "%s[%zu]", path, i);
			if (compare(sub, v, json_array_get(a, i)))
				return 1;
		}
		return 0;
	}
	return json_equal(e, a) ? 0 : differ(path, e, a);
}

static json_t *load(const char *name)
{
	json_error_t err;
	json_t *j = strcmp(name, "-") == 0 ? json_loadf(stdin, 0, &err)
					   : json_load_file(name, 0, &err);

	if (j == NULL)
		fprintf(stderr, "json_equal: %s:%d: %s\n", name, err.line,
			err.text);
	return j;
}

int main(int argc, char **argv)
{
	json_t *e, *a;
	int i = 1, r;

	if (argc > 1 && strcmp(argv[1], "--subset") == 0) {
		subset = 1;
		i++;
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: json_equal [--subset] EXPECTED ACTUAL\n");
		return 2;
	}
	if ((e = load(argv[i])) == NULL || (a = load(argv[i + 1])) == NULL)
		return 2;
	r = compare("", e, a);
	json_decref(e);
	json_decref(a);
	return r;
}
