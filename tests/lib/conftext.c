/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * conftext.c: unit-test policies built by the real configuration loader
 * from text (see conftext.h), in a directory of the test's own.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conftext.h"

static char dir[PATH_MAX / 2];
static char path[PATH_MAX];

static void fail(const char *what)
{
	perror(what);
	exit(1);
}

static void remove_dir(void)
{
	char cmd[PATH_MAX];

	if ((size_t)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir) >= sizeof(cmd)
	    || system(cmd) != 0)
		fprintf(stderr, "conftext: cannot remove %s\n", dir);
}

const char *conftext_file(const char *name, const char *text)
{
	FILE *fp;

	if (dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		if ((size_t)snprintf(dir, sizeof(dir), "%s/dotgate-conftext.XXXXXX",
				     tmp && *tmp ? tmp : "/tmp") >= sizeof(dir)
		    || mkdtemp(dir) == NULL)
			fail("conftext: mkdtemp");
		atexit(remove_dir);
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		fail(name);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		fail(path);
	return path;
}

static void print_error(void *arg, const char *file, unsigned line,
			const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s:%u: %s\n", file, line, msg);
}

struct dg_policy *conftext_load(const char *text)
{
	struct dg_policy *p = policy_load(conftext_file("dotgate.conf", text),
					  print_error, NULL);

	if (p == NULL) {
		fprintf(stderr, "conftext: the test's configuration does not load:\n%s",
			text);
		exit(1);
	}
	return p;
}
