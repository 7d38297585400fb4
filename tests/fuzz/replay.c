/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c: runs a fuzz target's entry point over files, without
 * libFuzzer, so that seed corpora and crash regression inputs run in
 * "make check" with any compiler (gcc, sanitizers or not).
 *
 * Usage: replay_TARGET FILE_OR_DIR...  Prints TAP, one test per file
 * ("ok N - path"); a file that breaks a property aborts the program, which
 * the TAP driver reports as a failure naming the last file started.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define MAX_FILES 100000

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add(char ***v, size_t *n, const char *path)
{
	if (*n >= MAX_FILES)
		return;
	*v = realloc(*v, (*n + 1) * sizeof(**v));
	if (*v == NULL || ((*v)[*n] = strdup(path)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(2);
	}
	(*n)++;
}

/* Every regular file directly in dir (no recursion), sorted. */
static void add_dir(char ***v, size_t *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[4096];
	struct stat st;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			add(v, n, path);
	}
	closedir(d);
}

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = NULL, *exact;
	size_t len = 0, cap = 0, r;

	if (fp == NULL)
		return -1;
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			if ((buf = realloc(buf, cap)) == NULL)
				exit(2);
		}
		r = fread(buf + len, 1, cap - len, fp);
		len += r;
	} while (r > 0);
	fclose(fp);
	/* An exactly-sized copy, as libFuzzer gives, so overreads show. */
	if ((exact = malloc(len ? len : 1)) == NULL)
		exit(2);
	memcpy(exact, buf, len);
	free(buf);
	(void)LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int main(int argc, char **argv)
{
	char **files = NULL;
	size_t n = 0, i;
	int a, bad = 0;
	struct stat st;

	(void)LLVMFuzzerInitialize(&argc, &argv);
	for (a = 1; a < argc; a++) {
		if (stat(argv[a], &st) == 0 && S_ISDIR(st.st_mode))
			add_dir(&files, &n, argv[a]);
		else
			add(&files, &n, argv[a]);
	}
	qsort(files, n, sizeof(*files), cmp);
	printf("1..%zu\n", n);
	for (i = 0; i < n; i++) {
		fprintf(stderr, "replay: %s\n", files[i]);
		fflush(stdout);
		if (run_file(files[i]) < 0) {
			printf("not ok %zu - %s (unreadable)\n", i + 1, files[i]);
			bad = 1;
		} else {
			printf("ok %zu - %s\n", i + 1, files[i]);
		}
		free(files[i]);
	}
	free(files);
	return bad;
}
