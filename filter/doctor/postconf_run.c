/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * postconf_run.c: pf_read() (doctor.h), which runs postconf(1) three
 * times, without a shell, and hands each output to its parser
 * (postconf.c).  postconf is the only reader of main.cf and master.cf
 * that knows every default, every $name and every "-o { }" form of the
 * installed release, so the doctor never parses those files itself.
 * Its output is bounded (PF_OUTPUT_MAX) and so is its time
 * (PF_TIMEOUT_MS); a postconf that is missing, fails, or prints nothing
 * is an error with the first line it wrote on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "doctor.h"
#include "util.h"

#define PF_OUTPUT_MAX (16 * 1024 * 1024)
#define PF_TIMEOUT_MS 30000
#define PF_FALLBACK "/usr/sbin/postconf"

/* postconf on PATH, else where Debian installs it. */
static char *find_postconf(void)
{
	const char *path = getenv("PATH");
	struct buf b = BUF_INIT;

	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");

		b.len = 0;
		if (n > 0)
			buf_printf(&b, "%.*s/postconf", (int)n, path);
		if (n > 0 && access(b.p, X_OK) == 0)
			return b.p;
		path += n + (path[n] == ':');
	}
	buf_free(&b);
	return xstrdup(PF_FALLBACK);
}

struct child {
	pid_t pid;
	int out, err;
};

static _Noreturn void child_exec(const char *bin, char *const argv[],
				 int out[2], int err[2])
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0 ||
	    dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0)
		_exit(126);
	execv(bin, argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", bin, strerror(errno));
	_exit(127);
}

static int spawn(const char *bin, char *const argv[], struct child *c)
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(err, O_CLOEXEC) < 0) {
		(void)close(out[0]);
		(void)close(out[1]);
		return -1;
	}
	if ((c->pid = fork()) == 0)
		child_exec(bin, argv, out, err);
	(void)close(out[1]);
	(void)close(err[1]);
	c->out = out[0];
	c->err = err[0];
	if (c->pid < 0) {
		(void)close(c->out);
		(void)close(c->err);
		return -1;
	}
	return 0;
}

static long now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads one chunk of fd into b (stderr: only its first bytes kept). */
static int drain(int fd, struct buf *b, size_t max)
{
	char chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 1 : -1;
	if (n == 0)
		return 0;
	if (b->len < max)
		buf_add(b, chunk, (size_t)n > max - b->len ? max - b->len
							   : (size_t)n);
	return b->len >= max && max == PF_OUTPUT_MAX ? -2 : 1;
}

/*
 * collect - stdout into out, the first bytes of stderr into err, until
 * both end.  Returns 0, -1 on a read error, -2 when the output is too
 * long, -3 on timeout (the child is then killed).
 */
static int collect(struct child *c, struct buf *out, struct buf *errb)
{
	long deadline = now_ms() + PF_TIMEOUT_MS;
	struct pollfd p[2] = { { c->out, POLLIN, 0 }, { c->err, POLLIN, 0 } };
	int ret = 0;

	while (ret == 0 && (p[0].fd >= 0 || p[1].fd >= 0)) {
		long left = deadline - now_ms();
		int i;

		if (left <= 0) {
			ret = -3;
			break;
		}
		if (poll(p, 2, (int)left) < 0 && errno != EINTR) {
			ret = -1;
			break;
		}
		for (i = 0; i < 2 && ret == 0; i++) {
			int k;

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			k = drain(p[i].fd, i == 0 ? out : errb,
				  i == 0 ? PF_OUTPUT_MAX : 512);
			if (k < 0)
				ret = k;
			else if (k == 0)
				p[i].fd = -1;
		}
	}
	if (ret != 0)
		(void)kill(c->pid, SIGKILL);
	(void)close(c->out);
	(void)close(c->err);
	return ret;
}

/* The first line of what postconf wrote on stderr, or a default. */
static const char *first_line(struct buf *b, const char *dflt)
{
	if (b->len == 0)
		return dflt;
	b->p[strcspn(b->p, "\n")] = '\0';
	return b->p;
}

/*
 * run_postconf - "postconf [-c dir] [flag]", its output into out.
 * Returns 0, or -1 with a message in err.
 */
static int run_postconf(const char *dir, const char *flag, struct buf *out,
			char *err, size_t errlen)
{
	char *bin = find_postconf(), *argv[5];
	const char *what = flag == NULL ? "" : flag[1] == 'M' ? " -M" : " -P";
	struct buf errb = BUF_INIT;
	struct child c;
	int argc = 0, ret, status = 0, e;

	argv[argc++] = "postconf";
	if (dir != NULL) {
		argv[argc++] = "-c";
		argv[argc++] = (char *)dir;
	}
	if (flag != NULL)
		argv[argc++] = (char *)flag;
	argv[argc] = NULL;
	if (spawn(bin, argv, &c) < 0) {
		snprintf(err, errlen, "%s: %s", bin, strerror(errno));
		free(bin);
		return -1;
	}
	ret = collect(&c, out, &errb);
	e = errno;
	while (waitpid(c.pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == -2)
		snprintf(err, errlen, "postconf%s: output longer than %d bytes",
			 what, PF_OUTPUT_MAX);
	else if (ret == -3)
		snprintf(err, errlen, "postconf%s: no answer in %d s", what,
			 PF_TIMEOUT_MS / 1000);
	else if (ret < 0)
		snprintf(err, errlen, "postconf%s: %s", what, strerror(e));
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(err, errlen, "%s%s failed (%s %d): %s", bin, what,
			 WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status)
					   : WTERMSIG(status),
			 first_line(&errb, "no message"));
		ret = -1;
	}
	buf_free(&errb);
	free(bin);
	return ret < 0 ? -1 : 0;
}

int pf_read(struct pf_conf *pf, const char *config_dir, char *err,
	    size_t errlen)
{
	static const char *const flags[] = { NULL, "-M", "-P" };
	int (*const parse[])(struct pf_conf *, const char *, size_t) = {
		pf_parse_main, pf_parse_master, pf_parse_overrides
	};
	size_t i;

	for (i = 0; i < DG_ARRAY_LEN(flags); i++) {
		struct buf out = BUF_INIT;
		int n;

		if (run_postconf(config_dir, flags[i], &out, err, errlen) < 0) {
			buf_free(&out);
			return -1;
		}
		n = parse[i](pf, out.p != NULL ? out.p : "", out.len);
		buf_free(&out);
		/* Without -n, postconf prints every parameter, defaults too. */
		if (i == 0 && n == 0) {
			snprintf(err, errlen, "postconf printed no parameter");
			return -1;
		}
	}
	return 0;
}
