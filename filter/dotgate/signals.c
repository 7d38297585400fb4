/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * signals.c: SIGHUP/SIGUSR1 reload, SIGUSR2 reopens, SIGTERM/SIGINT stop
 * (see signals.h for why the main thread must be the one that takes
 * them all).  A handler writes one byte to a self-pipe; the main
 * thread reads the pipe and does the work, so nothing but write(2) ever
 * runs in signal context.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <string.h>
#include <sysexits.h>
#include <syslog.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "log.h"
#include "signals.h"

enum { CMD_RELOAD = 'r', CMD_REOPEN = 'o', CMD_STOP = 's', CMD_STOPPED = 'x' };

static int pipefd[2] = {-1, -1};

struct serve_arg {
	int (*serve)(void);
	int rc;
};

/* The signals the main thread takes. */
static void ours(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
}

int signals_block(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	ours(&set);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) {
		log_msg(LOG_ERR, "cannot block signals");
		return EX_OSERR;
	}
	return 0;
}

/* A full pipe already holds a byte that will do the same work. */
static void post(char cmd)
{
	int saved = errno;

	(void)!write(pipefd[1], &cmd, 1);
	errno = saved;
}

static void on_signal(int sig)
{
	if (sig == SIGTERM || sig == SIGINT)
		post(CMD_STOP);
	else
		post(sig == SIGUSR2 ? CMD_REOPEN : CMD_RELOAD);
}

static void *serve_thread(void *arg)
{
	struct serve_arg *a = arg;

	a->rc = a->serve();
	post(CMD_STOPPED);
	return NULL;
}

static int setup(void)
{
	struct sigaction sa;
	int sigs[] = {SIGHUP, SIGUSR1, SIGUSR2, SIGTERM, SIGINT};

	if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) {
		log_msg(LOG_ERR, "cannot make the signal pipe: %s", strerror(errno));
		return EX_OSERR;
	}
	(void)fcntl(pipefd[0], F_SETFL, 0);	/* the reader waits */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigaction(sigs[i], &sa, NULL) != 0) {
			log_msg(LOG_ERR, "cannot handle signal %d: %s", sigs[i],
				strerror(errno));
			return EX_OSERR;
		}
	return 0;
}

/*
 * The main thread's loop: a batch of bytes makes at most one reload.
 * False when the pipe fails: signals can no longer reach us.
 */
static bool dispatch(void (*reload)(void), void (*reopen)(void),
		     void (*stop)(void))
{
	char buf[64];
	ssize_t n;
	bool stopped = false, stopping = false;

	while (!stopped) {
		bool want_reload = false, want_reopen = false, want_stop = false;

		if ((n = read(pipefd[0], buf, sizeof(buf))) <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			log_msg(LOG_ERR, "signal pipe: %s", n ? strerror(errno) : "closed");
			return false;
		}
		for (ssize_t i = 0; i < n; i++) {
			want_reload |= buf[i] == CMD_RELOAD;
			want_reopen |= buf[i] == CMD_REOPEN;
			want_stop |= buf[i] == CMD_STOP;
			stopped |= buf[i] == CMD_STOPPED;
		}
		if (want_stop && !stopping && !stopped) {
			stopping = true;
			stop();
		}
		if (stopping || stopped)
			continue;	/* no reload while the milter winds down */
		if (want_reload)
			reload();	/* reopens the sinks too */
		else if (want_reopen)
			reopen();
	}
	return true;
}

int signals_serve(int (*serve)(void), void (*reload)(void),
		  void (*reopen)(void), void (*stop)(void))
{
	struct serve_arg a = {serve, EX_SOFTWARE};
	pthread_t tid;
	sigset_t set;
	bool ok;
	int rc;

	if ((rc = setup()) != 0)
		return rc;
	if (pthread_create(&tid, NULL, serve_thread, &a) != 0) {
		log_msg(LOG_ERR, "cannot start the milter thread");
		return EX_OSERR;
	}
	ours(&set);
	if (pthread_sigmask(SIG_UNBLOCK, &set, NULL) != 0)
		log_msg(LOG_WARNING, "cannot unblock SIGHUP/SIGUSR1/SIGUSR2 "
			"in the main thread: they may stop the milter");
	ok = dispatch(reload, reopen, stop);
	if (!ok) {
		/*
		 * A daemon deaf to reload and logrotate would keep running on
		 * a stale policy and a rotated-away file; stopping lets
		 * systemd (Restart=on-failure) bring up a whole one.
		 */
		log_msg(LOG_ERR, "stopping: signals can no longer be handled");
		smfi_stop();
	}
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pthread_join(tid, NULL);
	return ok ? a.rc : EX_OSERR;
}
