/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsonl.c: checks an audit file for the load and hostile-input tests
 * without jq.  Every line must be exactly one JSON object (jansson,
 * duplicates rejected); for each it prints one tab-separated line:
 *	stage  from  len(from)  len(auth.user)  len(daemon)  nrcpts  verdict
 * with every byte of from outside printable ASCII (and tab) as '?', so
 * shell tools can count records per sender.  Exit 0 when every line
 * parsed, 1 otherwise (the bad line numbers on stderr), 2 on usage.
 *
 * Usage: jsonl FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static size_t slen(json_t *o, const char *k1, const char *k2)
{
	json_t *v = json_object_get(o, k1);

	if (k2 != NULL && json_is_object(v))
		v = json_object_get(v, k2);
	return json_is_string(v) ? json_string_length(v) : 0;
}

static const char *sval(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : "null";
}

int main(int argc, char **argv)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, lineno = 0, bad = 0;
	ssize_t len;

	if (argc != 2 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: jsonl FILE\n");
		return 2;
	}
	while ((len = getline(&line, &cap, fp)) >= 0) {
		json_error_t err;
		json_t *o, *rc;
		char *from;
		size_t i;

		lineno++;
		if (len == 0 || line[len - 1] != '\n') {
			fprintf(stderr, "line %zu: no newline at end\n", lineno);
			bad++;
			continue;
		}
		o = json_loadb(line, (size_t)len - 1, JSON_REJECT_DUPLICATES, &err);
		if (o == NULL || !json_is_object(o)) {
			fprintf(stderr, "line %zu: %s\n", lineno,
				o ? "not an object" : err.text);
			json_decref(o);
			bad++;
			continue;
		}
		from = strdup(sval(o, "from"));
		if (from == NULL)
			return 2;
		for (i = 0; from[i]; i++)
			if ((unsigned char)from[i] < 0x21 ||
			    (unsigned char)from[i] > 0x7e)
				from[i] = '?';
		rc = json_object_get(o, "rcpts");
		printf("%s\t%s\t%zu\t%zu\t%zu\t%zu\t%s\n", sval(o, "stage"), from,
		       slen(o, "from", NULL), slen(o, "auth", "user"),
		       slen(o, "daemon", NULL),
		       json_is_array(rc) ? json_array_size(rc) : 0,
		       sval(o, "verdict"));
		free(from);
		json_decref(o);
	}
	free(line);
	fclose(fp);
	return bad ? 1 : 0;
}
