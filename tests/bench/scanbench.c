/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanbench.c: how fast the body scanner runs compared with the memory
 * read limit.  It times the scanner over a buffer of realistic mail text
 * pushed in 65535-byte chunks (what the MTA hands a milter) against
 * memchr() looking for a byte that is not there over the same buffer,
 * and repeats the scanner run over adversarial bodies: every byte a CR,
 * every line a dot, no newline at all, every byte an LF, every line a
 * smuggled transaction.  Each figure is the best of R runs.  The
 * scanner's counts are checked against what each input must produce,
 * so a scanner that skipped work would fail instead of looking fast.
 *
 * Usage: scanbench [-m MEGABYTES] [-r RUNS] [-i INPUT | -p PATTERN |
 *		    -f FILE] [-j]
 * (-i runs only the named input, for profiling one case; -p times a body
 * made of PATTERN over and over instead, with the escapes \r \n \t \0
 * and \\, and prints its counts unchecked: for trying other inputs; -f
 * does the same with the first 16 MB of FILE, for real mail bodies such
 * as a base64 attachment or an HTML part).
 * Exit 0, or 1 when a count check failed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "anomaly.h"
#include "scanner.h"

#define CHUNK 65535

static volatile uintptr_t sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static const char *const words[] = {
	"the", "message", "server", "delivery", "of", "and", "a", "to",
	"report", "quarterly", "meeting", "please", "find", "attached", "we",
	"will", "discuss", "budget", "next", "week", "regards", "thanks",
	"for", "your", "reply", "invoice", "customer", "project", "status",
	"update", "is", "on", "schedule", "with", "minor", "changes", "I",
	"think", "that", "should", "be", "fine,", "but", "let", "me", "know",
};

/*
 * Realistic text: CRLF lines of 20 to 78 characters of words and
 * punctuation, blank lines between paragraphs, an occasional quoted
 * line, some base64 blocks as attachments carry them.
 */
static void fill_text(unsigned char *b, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint64_t s = 7;
	size_t at = 0;

	while (at < n) {
		size_t len = 0, target;
		unsigned kind = (unsigned)(rnd(&s) % 20);
		char line[100];

		if (kind == 0) {
			len = 0;		/* paragraph break */
		} else if (kind <= 4) {
			for (len = 0; len < 76; len++)
				line[len] = b64[rnd(&s) % 64];
		} else {
			target = 20 + rnd(&s) % 59;
			if (kind == 5) {
				line[len++] = '>';
				line[len++] = ' ';
			}
			while (len < target) {
				const char *w = words[rnd(&s) %
				    (sizeof(words) / sizeof(words[0]))];
				size_t wl = strlen(w);

				if (len + wl + 2 > sizeof(line) - 2)
					break;
				if (len > 0)
					line[len++] = ' ';
				memcpy(line + len, w, wl);
				len += wl;
			}
			if (rnd(&s) % 3 == 0)
				line[len++] = '.';
		}
		line[len++] = '\r';
		line[len++] = '\n';
		if (len > n - at)
			len = n - at;
		memcpy(b + at, line, len);
		at += len;
	}
	/* End on a complete line so that no trailing CR is bare. */
	if (n >= 2) {
		b[n - 2] = '\r';
		b[n - 1] = '\n';
	}
}

static void fill_pattern(unsigned char *b, size_t n, const char *pat,
			 size_t plen)
{
	size_t at;

	for (at = 0; at + plen <= n; at += plen)
		memcpy(b + at, pat, plen);
	memcpy(b + at, pat, n - at);
}

static double time_memchr(const unsigned char *b, size_t n, unsigned runs)
{
	double best = 1e9;
	unsigned r;

	for (r = 0; r < runs; r++) {
		double t0 = now();
		const void *p = memchr(b, 0x01, n);

		sink += (uintptr_t)p;
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
	}
	return best;
}

static double time_scanner(const unsigned char *b, size_t n, unsigned runs,
			   struct scan_result *res)
{
	struct scanner *s = scanner_new(998);
	double best = 1e9;
	unsigned r;

	for (r = 0; r < runs; r++) {
		double t0 = now();
		size_t off;

		scanner_reset(s);
		for (off = 0; off < n; off += CHUNK)
			scanner_push(s, b + off, n - off < CHUNK ? n - off : CHUNK);
		scanner_finish(s, res);
		t0 = now() - t0;
		if (t0 < best)
			best = t0;
	}
	scanner_free(s);
	return best;
}

struct input {
	const char *name;
	const char *pat;	/* NULL: realistic text */
	size_t plen;
	int cls;		/* class whose count is checked, -1: none */
	uint64_t per;		/* expected count = n / plen * per */
};

static const struct input inputs[] = {
	{ "text", NULL, 0, -1, 0 },
	{ "all_cr", "\r", 1, DG_CLASS_BARE_CR, 1 },
	{ "all_lf", "\n", 1, DG_CLASS_BARE_LF, 1 },
	{ "dot_lines", ".\r\n", 3, DG_CLASS_LONE_DOT, 1 },
	{ "no_newline", "x", 1, DG_CLASS_LONG_LINE, 0 },
	{ "smuggled_txns", "\n.\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n",
	  41, DG_CLASS_SMUGGLED_TRANSACTION, 1 },
	{ "all_nul", "\0", 1, DG_CLASS_NUL, 1 },
};

/* -p PATTERN with its escapes undone into out (of size cap); its length. */
static size_t unescape(const char *p, char *out, size_t cap)
{
	static const char from[] = "rnt0\\", to[] = "\r\n\t\0\\";
	size_t n = 0;

	for (; *p != '\0' && n < cap; p++) {
		const char *e;

		if (*p == '\\' && p[1] != '\0' &&
		    (e = strchr(from, p[1])) != NULL) {
			out[n++] = to[e - from];
			p++;
		} else {
			out[n++] = *p;
		}
	}
	return n;
}

/* The first cap bytes of the file at path into out; 0 on error. */
static size_t read_file(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		perror(path);
		return 0;
	}
	n = fread(out, 1, cap, f);
	fclose(f);
	if (n == 0)
		fprintf(stderr, "scanbench: %s is empty\n", path);
	return n;
}

/* The body of -p PATTERN or -f FILE (is_file) into out; 0 on error. */
static size_t own_body(const char *arg, int is_file, char *out, size_t cap)
{
	size_t n;

	if (is_file)
		return read_file(arg, out, cap);
	if ((n = unescape(arg, out, cap)) == 0)
		fprintf(stderr, "scanbench: empty -p pattern\n");
	return n;
}

/* Does the scan of input in (n bytes) have the counts it must have? */
static int check(const struct input *in, size_t n,
		 const struct scan_result *res)
{
	uint64_t want;
	int c;

	if (res->size != n)
		return 0;
	if (in->cls < 0) {
		/* Realistic text: no class at all. */
		for (c = 0; c < DG_CLASS_COUNT; c++)
			if (res->cls[c].count != 0)
				return 0;
		return 1;
	}
	if (in->cls == DG_CLASS_LONG_LINE)
		return res->cls[c = in->cls].count == 1;
	want = (uint64_t)(n / in->plen) * in->per;
	/* A partial pattern at the end may add or remove one. */
	return res->cls[in->cls].count + 1 >= want &&
	    res->cls[in->cls].count <= want + 1;
}

/* One line of the table: an input, its speed, its check and its counts. */
static void print_row(const char *name, double gbps, double gbps_memchr,
		      const char *check, const struct scan_result *res)
{
	int c;

	printf("%-14s %9.2f %9.3f %6s ", name, gbps, gbps / gbps_memchr,
	       check);
	for (c = 0; c < DG_CLASS_COUNT; c++)
		if (res->cls[c].count)
			printf(" %s=%llu", dg_class_name((enum dg_class)c),
			       (unsigned long long)res->cls[c].count);
	printf("\n");
}

int main(int argc, char **argv)
{
	enum { NIN = sizeof(inputs) / sizeof(inputs[0]) };
	size_t mb = 256, n, i;
	unsigned runs = 3;
	int json = 0, ch, failed = 0, ok[NIN];
	const char *only = NULL, *pattern = NULL, *file = NULL;
	static char pat[16 << 20];	/* -p PATTERN unescaped, -f FILE */
	size_t plen = 0;
	unsigned char *buf;
	double gbps_memchr, gbps[NIN];
	struct scan_result res;

	while ((ch = getopt(argc, argv, "m:r:i:p:f:j")) != -1) {
		switch (ch) {
		case 'm': mb = strtoul(optarg, NULL, 10); break;
		case 'r': runs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'i': only = optarg; break;
		case 'p': pattern = optarg; break;
		case 'f': file = optarg; break;
		case 'j': json = 1; break;
		default:
			fprintf(stderr,
				"usage: scanbench [-m MB] [-r RUNS] "
				"[-i INPUT | -p PATTERN | -f FILE] [-j]\n");
			return 2;
		}
	}
	if (file != NULL)
		pattern = file;
	if (pattern != NULL &&
	    (plen = own_body(pattern, file != NULL, pat, sizeof(pat))) == 0)
		return 2;
	if (mb == 0 || runs == 0 || mb > 65536) {
		fprintf(stderr, "scanbench: bad -m or -r\n");
		return 2;
	}
	n = mb << 20;
	if ((buf = malloc(n)) == NULL) {
		fprintf(stderr, "scanbench: cannot allocate %zu MB\n", mb);
		return 2;
	}
	fill_text(buf, n);
	gbps_memchr = (double)n / time_memchr(buf, n, runs) / 1e9;
	printf("scanbench: %zu MB in %d-byte pushes, best of %u runs\n", mb,
	       CHUNK, runs);
	printf("%-14s %9s %9s %6s  %s\n", "input", "GB/s", "x memchr", "check",
	       "counts");
	printf("%-14s %9.2f %9.3f %6s\n", "memchr", gbps_memchr, 1.0, "-");
	if (pattern != NULL) {
		fill_pattern(buf, n, pat, plen);
		print_row("pattern", (double)n / time_scanner(buf, n, runs,
			  &res) / 1e9, gbps_memchr, "-", &res);
		free(buf);
		return 0;
	}
	for (i = 0; i < NIN; i++) {
		const struct input *in = &inputs[i];

		gbps[i] = 0;
		ok[i] = 1;
		if (only != NULL && strcmp(only, in->name) != 0)
			continue;
		if (in->pat)
			fill_pattern(buf, n, in->pat, in->plen);
		gbps[i] = (double)n / time_scanner(buf, n, runs, &res) / 1e9;
		ok[i] = check(in, n, &res);
		failed |= !ok[i];
		print_row(in->name, gbps[i], gbps_memchr,
			  ok[i] ? "ok" : "WRONG", &res);
	}
	if (json) {
		printf("{\"megabytes\":%zu,\"runs\":%u,\"chunk\":%d,"
		       "\"memchr_gbps\":%.3f", mb, runs, CHUNK, gbps_memchr);
		for (i = 0; i < NIN; i++)
			printf(",\"%s\":{\"gbps\":%.3f,\"ratio\":%.4f,"
			       "\"check\":%s}", inputs[i].name, gbps[i],
			       gbps[i] / gbps_memchr, ok[i] ? "true" : "false");
		printf("}\n");
	}
	free(buf);
	return failed ? 1 : 0;
}
