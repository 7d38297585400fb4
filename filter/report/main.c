/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: the dotgate-report program (dotgate-report(1), OPTIONS and
 * INPUT).  It streams each input through zlib, which reads
 * gzip by its magic bytes and passes plain files through, cuts lines
 * with a bounded buffer (a longer line is skipped as malformed), and
 * hands each line to the parsing pipe (report_pipe.c) that feeds the
 * summary: memory stays the same for a 1 KB and a 1 GB log.  The summary
 * is then written as text, JSON or an HTML page (report_html.c).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "autoconfig.h"
#include "log.h"
#include "report.h"
#include "util.h"

#define READ_CHUNK (256 * 1024)
#define MAX_THREADS 16

enum { EXIT_READ = 1, EXIT_USAGE = 2 };

/* A line reader over a gzFile that never holds more than one line. */
struct lines {
	gzFile g;
	char *buf;
	size_t cap, start, end;
	bool eof;
	bool skipping;			/* inside an overlong line */
};

static void usage(FILE *fp)
{
	fprintf(fp, "usage: dotgate-report [--since TIME] [--until TIME] "
		"[--host NAME]\n"
		"                      [--json | --format text|json|html] "
		"[--html FILE] [--threads N] [FILE...]\n"
		"  TIME: 2026-11-29T01:02:03Z, 2026-11-29, or -30m, -24h, -7d\n"
		"  FILE: audit JSON Lines (plain or gzip) or syslog files; "
		"standard input when none or \"-\"\n");
}

/*
 * next_line - the next line of the input in *line and *len, without its
 * newline.  Returns 1 for a line, 2 for an overlong line (its text is
 * not returned), 0 at the end, -1 on a read error.
 */
static int next_line(struct lines *lr, const char **line, size_t *len)
{
	for (;;) {
		char *nl = memchr(lr->buf + lr->start, '\n',
				  lr->end - lr->start);
		int n;

		if (nl != NULL) {
			bool skipped = lr->skipping;

			*line = lr->buf + lr->start;
			*len = (size_t)(nl - *line);
			lr->start = (size_t)(nl - lr->buf) + 1;
			lr->skipping = false;
			if (skipped || *len > REPORT_LINE_MAX)
				return 2;
			return 1;
		}
		if (lr->end - lr->start > REPORT_LINE_MAX) {
			/* Drop what we have; the line is malformed anyway. */
			lr->skipping = true;
			lr->start = lr->end = 0;
		}
		if (lr->eof) {
			if (lr->start == lr->end && !lr->skipping)
				return 0;
			*line = lr->buf + lr->start;
			*len = lr->end - lr->start;
			lr->start = lr->end;
			if (lr->skipping) {
				lr->skipping = false;
				return 2;
			}
			return 1;
		}
		memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
		lr->end -= lr->start;
		lr->start = 0;
		n = gzread(lr->g, lr->buf + lr->end,
			   (unsigned)(lr->cap - lr->end));
		if (n < 0)
			return -1;
		if (n == 0)
			lr->eof = true;
		lr->end += (size_t)n;
	}
}

static int read_input(const char *name, gzFile g, char *buf,
		      struct report_pipe *pipe)
{
	struct lines lr = {g, buf, REPORT_LINE_MAX + READ_CHUNK, 0, 0,
			   false, false};
	const char *line, *msg;
	size_t len;
	int k, errnum;

	(void)gzbuffer(g, READ_CHUNK);
	while ((k = next_line(&lr, &line, &len)) > 0) {
		if (k == 2)
			report_pipe_overlong(pipe);
		else
			report_pipe_line(pipe, line, len);
	}
	/*
	 * A gzip stream cut short ends like a plain file, with only
	 * Z_BUF_ERROR left in the stream state: that is an error too.
	 */
	msg = gzerror(g, &errnum);
	if (k < 0 || errnum != Z_OK) {
		log_msg(LOG_ERR, "%s: %s", name,
			errnum == Z_ERRNO ? strerror(errno) : msg);
		return -1;
	}
	return 0;
}

static int read_file(const char *path, char *buf, struct report_pipe *pipe)
{
	bool is_stdin = strcmp(path, "-") == 0;
	gzFile g;
	int ret, fd;

	if (is_stdin) {
		/* A dup, so that gzclose() leaves standard input open. */
		if ((fd = dup(STDIN_FILENO)) < 0 ||
		    (g = gzdopen(fd, "rb")) == NULL) {
			log_msg(LOG_ERR, "standard input: %s",
				strerror(errno));
			if (fd >= 0)
				(void)close(fd);
			return -1;
		}
	} else if ((g = gzopen(path, "rb")) == NULL) {
		log_msg(LOG_ERR, "%s: %s", path,
			errno ? strerror(errno) : "cannot open");
		return -1;
	}
	ret = read_input(is_stdin ? "standard input" : path, g, buf, pipe);
	(void)gzclose(g);
	return ret;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return (int64_t)time(NULL) * 1000;
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int time_option(const char *opt, const char *arg, int64_t *out)
{
	if (report_time_arg(arg, now_ms(), out) != 0) {
		log_msg(LOG_ERR, "%s: bad time \"%s\" (use "
			"2026-11-29T01:02:03Z, 2026-11-29 or -24h)", opt, arg);
		return -1;
	}
	return 0;
}

/* Parsing threads: one per CPU up to 4; on one CPU, none. */
static int default_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 0 : n > 4 ? 4 : (int)n;
}

static int threads_option(const char *arg, int *out)
{
	char *end;
	long n = strtol(arg, &end, 10);

	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || n > MAX_THREADS) {
		log_msg(LOG_ERR, "--threads: \"%s\" is not a "
			"number from 0 to %d", arg, MAX_THREADS);
		return -1;
	}
	*out = (int)n;
	return 0;
}

enum format { FMT_TEXT, FMT_JSON, FMT_HTML };

struct args {
	struct report_window w;
	int threads;
	bool format_given;		/* --json or --format */
	enum format format;
	const char *html;		/* --html FILE, or NULL */
};

static void write_report(const struct report_summary *s, enum format f,
			 FILE *fp)
{
	json_t *j;

	switch (f) {
	case FMT_JSON:
		j = report_summary_json(s);
		if (json_dumpf(j, fp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
			errno = EIO;
		fputc('\n', fp);
		json_decref(j);
		break;
	case FMT_HTML:
		report_summary_html(s, fp);
		break;
	default:
		report_summary_print(s, fp);
	}
}

/*
 * The page is written beside its final name and renamed into place, so
 * that a browser or a web server never sees half a report.
 */
static int write_html_file(const struct report_summary *s, const char *path)
{
	size_t n = strlen(path) + 16;
	char *tmp = xmalloc(n);
	FILE *fp;
	int ret = -1;

	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	if ((fp = fopen(tmp, "w")) == NULL) {
		log_msg(LOG_ERR, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	write_report(s, FMT_HTML, fp);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0)
		log_msg(LOG_ERR, "writing %s: %s", tmp,
			strerror(errno));
	else if (rename(tmp, path) != 0)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	else
		ret = 0;
	(void)fclose(fp);
	if (ret != 0)
		(void)unlink(tmp);
	free(tmp);
	return ret;
}

static int output(const struct report_summary *s, const struct args *a)
{
	if (a->html != NULL && write_html_file(s, a->html) != 0)
		return -1;
	if (a->html != NULL && !a->format_given)
		return 0;
	write_report(s, a->format, stdout);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		log_msg(LOG_ERR, "writing the report: %s",
			strerror(errno));
		return -1;
	}
	return 0;
}

static int format_option(const char *arg, struct args *a)
{
	static const char *const names[] = {"text", "json", "html"};

	for (size_t i = 0; i < DG_ARRAY_LEN(names); i++)
		if (strcmp(arg, names[i]) == 0) {
			a->format = (enum format)i;
			a->format_given = true;
			return 0;
		}
	log_msg(LOG_ERR, "--format: \"%s\" is not text, json "
		"or html", arg);
	return -1;
}

/* option - one option of getopt_long(); 1 to go on, 0 or EXIT_* to stop. */
static int option(int c, struct args *a)
{
	switch (c) {
	case 's':
		a->w.has_since = true;
		return time_option("--since", optarg, &a->w.since) ? EXIT_USAGE : 1;
	case 'u':
		a->w.has_until = true;
		return time_option("--until", optarg, &a->w.until) ? EXIT_USAGE : 1;
	case 'j':
		a->format = FMT_JSON;
		a->format_given = true;
		return 1;
	case 'f':
		return format_option(optarg, a) ? EXIT_USAGE : 1;
	case 'o':
		a->html = optarg;
		return 1;
	case 'H':
		a->w.host = optarg;
		return 1;
	case 't':
		return threads_option(optarg, &a->threads) ? EXIT_USAGE : 1;
	case 'h':
		usage(stdout);
		return 0;
	case 'V':
		printf("dotgate-report %s\n", PACKAGE_VERSION);
		return 0;
	default:
		usage(stderr);
		return EXIT_USAGE;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"until", required_argument, NULL, 'u'},
		{"json", no_argument, NULL, 'j'},
		{"format", required_argument, NULL, 'f'},
		{"html", required_argument, NULL, 'o'},
		{"host", required_argument, NULL, 'H'},
		{"threads", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct args a = {{false, false, 0, 0, NULL}, default_threads(), false,
			 FMT_TEXT, NULL};
	int c, k, status = 0;
	struct report_summary *s;
	struct report_pipe *pipe;
	char *buf;

	log_init("dotgate-report");
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1)
		if ((k = option(c, &a)) != 1)
			return k;
	s = report_summary_new(REPORT_CAP);
	pipe = report_pipe_new(s, &a.w, a.threads);
	buf = xmalloc(REPORT_LINE_MAX + READ_CHUNK);
	if (optind == argc && read_file("-", buf, pipe) != 0)
		status = EXIT_READ;
	for (int i = optind; i < argc; i++)
		if (read_file(argv[i], buf, pipe) != 0)
			status = EXIT_READ;
	report_pipe_finish(pipe);
	if (output(s, &a) != 0)
		status = EXIT_READ;
	free(buf);
	report_summary_free(s);
	return status;
}
