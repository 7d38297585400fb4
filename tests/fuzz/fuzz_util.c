/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_util.c: helpers of the fuzz targets (see fuzz.h): one private
 * temporary file per process for parsers that take a path, and the abort
 * that marks a broken property.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

static char tmppath[64];
static int tmpfd = -1;

static void remove_tmp(void)
{
	if (tmppath[0])
		(void)unlink(tmppath);
}

const char *fuzz_tmpfile(const uint8_t *data, size_t size)
{
	size_t off = 0;

	if (tmpfd < 0) {
		const char *dir = getenv("TMPDIR");

		snprintf(tmppath, sizeof(tmppath), "%.40s/dgfuzz.XXXXXX",
			 dir && *dir ? dir : "/tmp");
		if ((tmpfd = mkstemp(tmppath)) < 0)
			fuzz_fail("mkstemp %s failed", tmppath);
		atexit(remove_tmp);
	}
	if (ftruncate(tmpfd, 0) < 0)
		fuzz_fail("ftruncate failed");
	while (off < size) {
		ssize_t w = pwrite(tmpfd, data + off, size - off, (off_t)off);

		if (w <= 0)
			fuzz_fail("pwrite failed");
		off += (size_t)w;
	}
	return tmppath;
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "FUZZ PROPERTY BROKEN: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}
