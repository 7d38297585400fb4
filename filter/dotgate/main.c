/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c: the dotgate milter daemon: command line, startup order and
 * reload (dotgate(8), OPTIONS, SIGNALS, STARTUP).  The startup order
 * follows OpenDKIM:
 * parse and validate the configuration, initialise SASL in the main
 * thread, daemonize, write the pid file, set up signals, open the audit
 * file, drop privileges, set the umask, open the socket, raise the
 * descriptor limit and check it (fdlimit.c), smfi_main().
 */
#include <confuse.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sasl/sasl.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <sysexits.h>
#include <unistd.h>

#include <libmilter/mfapi.h>
#include <systemd/sd-daemon.h>

#include "autoconfig.h"
#include "daemon.h"
#include "fdlimit.h"
#include "log.h"
#include "mechclass.h"
#include "metrics.h"
#include "metrics_http.h"
#include "milter.h"
#include "policy.h"
#include "signals.h"
#include "sink.h"
#include "util.h"

#define DEFAULT_CONF SYSCONFDIR "/dotgate/dotgate.conf"

struct options {
	bool foreground, check_only, dump;
	const char *conf, *socket, *user, *pidfile;
};

static struct options opt;
static char conf_path[PATH_MAX];
static char socket_spec[DG_SOCKET_MAX];	/* -p, normalised */
static const char *running_spec = "";	/* the socket smfi_main() serves */
static unsigned long long generation;	/* of the running policy; 1 at start */

/* What a step of the start-up returns to go on; anything else is the
 * status main() returns (dotgate(8), EXIT STATUS). */
#define RUN (-1)

static void usage(FILE *fp)
{
	fprintf(fp, "usage: dotgate [-f] [-n | -d] [-c FILE] [-p SOCKET] [-u USER[:GROUP]] [-P PIDFILE] [-V] [-h]\n"
		"  -c FILE    configuration file (default %s)\n"
		"  -p SOCKET  /path, unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST\n"
		"  -f         stay in the foreground, log to stderr too\n"
		"  -n         check the configuration and every file it names, then exit\n"
		"  -d         as -n, and print the effective configuration, defaults included\n"
		"  -u USER    drop privileges to USER[:GROUP] after opening what needs root\n"
		"  -P FILE    write the process id to FILE\n"
		"  -V         print the version and the library versions\n"
		"  -h         this help\n", DEFAULT_CONF);
}

static void version(void)
{
	unsigned maj = 0, min = 0, pl = 0;
	const char *impl = NULL, *sasl_ver = NULL;

	(void)smfi_version(&maj, &min, &pl);
	sasl_version_info(&impl, &sasl_ver, NULL, NULL, NULL, NULL);
	printf("dotgate %s\n", PACKAGE_VERSION);
	printf("  libmilter %u.%u.%u\n", maj, min, pl);
	printf("  libsasl2 %s %s\n", impl ? impl : "", sasl_ver ? sasl_ver : "?");
	printf("  libconfuse %s\n", confuse_version);
}

static int parse_args(int argc, char **argv)
{
	int ch;

	opt.conf = DEFAULT_CONF;
	while ((ch = getopt(argc, argv, "fndc:p:u:P:Vh")) != -1) {
		switch (ch) {
		case 'f': opt.foreground = true; break;
		case 'n': opt.check_only = true; break;
		case 'd': opt.check_only = opt.dump = true; break;
		case 'c': opt.conf = optarg; break;
		case 'p': opt.socket = optarg; break;
		case 'u': opt.user = optarg; break;
		case 'P': opt.pidfile = optarg; break;
		case 'V': version(); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return RUN;
}

/* ---- reload ---------------------------------------------------------- */

/* The sinks the new policy wants; one that cannot be had keeps the old
 * one of its kind (sink.h), and the reload goes on. */
static void reconfigure_sinks(const struct dg_policy *p)
{
	struct audit_sinks *old = sinks_current();
	bool complete;

	sinks_install(sinks_configure(p, old, &complete));
	sinks_unref(old);
}

static void reopen_sinks(void)
{
	struct audit_sinks *cur = sinks_current();

	sinks_reopen(cur);
	sinks_unref(cur);
}

/* sd_notify(3) is a no-op without NOTIFY_SOCKET (not under systemd). */
static void notify(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		log_msg(LOG_WARNING, "sd_notify: %s", strerror(-rc));
}

static void reload(void)
{
	struct dg_policy *p, *old;

	notify("RELOADING=1");
	p = policy_load(conf_path, log_conf_error, &opt.foreground);
	old = policy_current();

	metrics_reload(p != NULL);
	if (p == NULL) {
		log_msg(LOG_ERR, "reload of %s failed: keeping the running policy "
			"(generation %llu)", conf_path, generation);
		reopen_sinks();		/* logrotate still works */
	} else {
		if (old && opt.socket == NULL && strcmp(old->socket, p->socket) != 0)
			log_msg(LOG_WARNING, "socket changed in %s: takes effect at restart", conf_path);
		if (old && strcmp(old->metrics.listen, p->metrics.listen) != 0)
			log_msg(LOG_WARNING, "metrics.listen changed in %s: takes effect at restart",
				conf_path);
		reconfigure_sinks(p);
		fdlimit_check(p);
		policy_install(p);
		metrics_policy_loaded(++generation);
		log_msg(LOG_NOTICE, "reloaded %s (policy generation %llu)", conf_path,
			generation);
	}
	policy_unref(old);
	notify("READY=1");
}

/* SIGUSR2 (logrotate): the audit file again, the policy untouched. */
static void reopen(void)
{
	reopen_sinks();
	log_msg(LOG_NOTICE, "reopened the audit sinks (policy generation %llu)",
		generation);
}

/*
 * SIGTERM, SIGINT.  smfi_stop() waits for the mutex libmilter's listener
 * holds across each select(2) of 5 seconds, so it runs on a thread of its
 * own while this one connects to the socket until it has returned: each
 * connection wakes the listener, which lets the mutex go (dotgate(8),
 * SIGNALS).  A stop then takes milliseconds, not up to 5 seconds.
 */
static atomic_bool stop_done;

/* A stop's steps: STOP_STEPS naps of 20 ms, 5 s in all. */
#define STOP_STEPS 250

static void nap(void)
{
	(void)nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
}

static void *stopper(void *arg)
{
	(void)arg;
	smfi_stop();
	atomic_store(&stop_done, true);
	return NULL;
}

static void stop(void)
{
	pthread_t tid;

	log_msg(LOG_NOTICE, "stopping on signal");
	if (pthread_create(&tid, NULL, stopper, NULL) != 0) {
		smfi_stop();	/* the slow way */
		return;
	}
	for (int i = 0; i < STOP_STEPS && !atomic_load(&stop_done); i++) {
		daemon_wake_socket(running_spec);
		nap();
	}
	pthread_join(tid, NULL);
}

/*
 * The listener is closed; the transactions in flight on open MTA
 * connections may still end, with their records, for up to 5 seconds
 * (what libmilter's own stop used to leave them by accident).
 */
static void drain(void)
{
	for (int i = 0; i < STOP_STEPS && milter_inflight() > 0; i++)
		nap();
	if (milter_inflight() > 0)
		log_msg(LOG_WARNING, "stopping with %u transactions in flight",
			milter_inflight());
}

static int serve_milter(void)
{
	return smfi_main() == MI_SUCCESS ? 0 : EX_SOFTWARE;
}

/* ---- startup --------------------------------------------------------- */

/* The policy into *pp, and RUN; or the status to exit with. */
static int load(struct dg_policy **pp)
{
	bool to_stderr = opt.foreground || opt.check_only || isatty(2);

	if (realpath(opt.conf, conf_path) == NULL)
		snprintf(conf_path, sizeof(conf_path), "%s", opt.conf);
	*pp = policy_load_dump(conf_path, log_conf_error, &to_stderr,
			       opt.dump ? stdout : NULL);
	if (*pp == NULL)
		return EX_CONFIG;
	if (opt.socket && policy_socket_spec(opt.socket, socket_spec, sizeof(socket_spec)) != 0) {
		log_msg(LOG_ERR, "-p %s: not /path, unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST (PORT 1 to 65535)", opt.socket);
		policy_unref(*pp);
		return EX_USAGE;
	}
	if (opt.socket)
		opt.socket = socket_spec;
	return RUN;
}

/* Before the privilege drop: the audit file may be root's to open. */
static int open_sinks(const struct dg_policy *p)
{
	bool complete;
	struct audit_sinks *set = sinks_configure(p, NULL, &complete);

	if (!complete) {
		sinks_unref(set);
		return EX_CANTCREAT;
	}
	sinks_install(set);
	return 0;
}

static int open_socket(const char *spec, mode_t mode, gid_t gid)
{
	int rc;

	if ((rc = daemon_check_socket(spec)) != 0)
		return rc;
	if (smfi_setconn((char *)spec) != MI_SUCCESS || smfi_register(*milter_desc()) != MI_SUCCESS) {
		log_msg(LOG_ERR, "cannot register the filter on %s", spec);
		return EX_SOFTWARE;
	}
	if (smfi_opensocket(false) != MI_SUCCESS) {
		log_msg(LOG_ERR, "cannot open socket %s: %s", spec, strerror(errno));
		return EX_UNAVAILABLE;
	}
	return daemon_chmod_socket(spec, mode, gid);
}

static int run(struct dg_policy *p)
{
	const char *spec = opt.socket ? opt.socket : p->socket;
	uid_t uid = 0;
	gid_t gid = 0;
	char *user = NULL;
	int rc;

	if (opt.user && (rc = daemon_lookup_user(opt.user, &uid, &gid, &user)) != 0)
		return rc;
	if (mechclass_init() < 0)
		log_msg(LOG_WARNING, "libsasl2 did not initialise; using the built-in mechanism table");
	if (!opt.foreground && (rc = daemon_detach()) != 0)
		return rc;
	if (opt.pidfile && (rc = daemon_write_pidfile(opt.pidfile)) != 0)
		return rc;
	if ((rc = signals_block()) != 0)
		return rc;
	if ((rc = open_sinks(p)) != 0)
		return rc;
	if (opt.user && (rc = daemon_drop_privileges(uid, gid, user)) != 0)
		return rc;
	free(user);
	umask(007);
	policy_install(policy_ref(p));
	metrics_policy_loaded(generation = 1);
	if ((rc = open_socket(spec, p->socket_mode, p->socket_gid)) != 0)
		return rc;
	if (p->metrics.listen[0] != '\0' && (rc = metrics_http_start(p->metrics.listen)) != 0)
		return rc;
	fdlimit_raise();
	fdlimit_check(p);
	log_msg(LOG_NOTICE, "dotgate %s starting: config %s, socket %s, mode %s",
		PACKAGE_VERSION, conf_path, spec,
		dg_name(dg_mode_names, DG_MODE_COUNT, p->mode, "mode"));
	metrics_http_ready(true);
	/* The socket listens (smfi_opensocket): the MTA may connect now. */
	notify("READY=1\nSTATUS=serving");
	running_spec = spec;
	rc = signals_serve(serve_milter, reload, reopen, stop);
	notify("STOPPING=1");
	drain();
	metrics_http_ready(false);
	log_msg(LOG_NOTICE, "dotgate stopping");
	metrics_http_stop();
	return rc;
}

int main(int argc, char **argv)
{
	struct dg_policy *p;
	int rc;

	log_init("dotgate");
	if ((rc = parse_args(argc, argv)) != RUN || (rc = load(&p)) != RUN)
		return rc;
	if (opt.check_only) {
		policy_unref(p);
		return 0;
	}
	log_open(p->audit.facility, opt.foreground);
	rc = run(p);
	if (opt.pidfile && rc == 0)
		(void)unlink(opt.pidfile);
	/*
	 * The sinks and libsasl2 stay: libmilter's workers may still be in a
	 * callback of an MTA connection left open (they end with the
	 * process), and must not find them gone.  The policy is the
	 * current one's and each connection's reference.
	 */
	policy_unref(p);
	return rc;
}
