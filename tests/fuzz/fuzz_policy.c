/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_policy.c: fuzz target for the configuration loader.  The input is
 * written to a private file and loaded with policy_load(), which must
 * either return a policy or report at least one error, each with a
 * message and a line number inside the file (0 for the whole file), and
 * never crash, leak or read out of bounds, however broken the file.
 * DGFUZZ_NO_LINE_CHECK=1 in the environment turns the line check off,
 * to keep exploring for memory errors while a known line-number bug is
 * open.  Inputs naming device or proc files are skipped: a configuration that
 * points login_map at /dev/stdin is the administrator's business, not a
 * parser bug, and would only stall the fuzzer.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "policy.h"

struct errs {
	unsigned n;
	unsigned lines;
	const char *path;
};

static void on_err(void *arg, const char *file, unsigned line, const char *msg)
{
	struct errs *e = arg;

	e->n++;
	if (msg == NULL || *msg == '\0')
		fuzz_fail("error without a message at %s:%u", file, line);
	/* A map file's own errors name the map; ours name the config file. */
	if (file != NULL && strcmp(file, e->path) == 0 && line > e->lines + 1 &&
	    getenv("DGFUZZ_NO_LINE_CHECK") == NULL)
		fuzz_fail("error at line %u of a %u-line file: %s", line,
			  e->lines, msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dg_policy *p;
	struct errs e = { 0, 0, NULL };
	size_t i;

	if (size > 65536 || memmem(data, size, "/dev", 4) ||
	    memmem(data, size, "/proc", 5) || memmem(data, size, "/sys", 4))
		return 0;
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			e.lines++;
	e.path = fuzz_tmpfile(data, size);
	p = policy_load(e.path, on_err, &e);
	if (p == NULL && e.n == 0)
		fuzz_fail("policy_load failed without reporting an error");
	if (p != NULL && e.n != 0)
		fuzz_fail("policy_load returned a policy after %u errors", e.n);
	if (p != NULL)
		policy_unref(p);
	return 0;
}
