/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.c: dotgate's metrics endpoint (metrics.listen): GET
 * /metrics in the Prometheus text format and GET /healthz, served by
 * libmicrohttpd on its own thread, never on the milter path (see
 * metrics_http.h).  A scrape reads the atomic counters of metrics.c;
 * nothing it does takes a lock that a milter callback takes.
 *
 * Bounded against hostile clients: at most METRICS_CONNS connections
 * (more are refused at once), METRICS_MEMORY bytes per connection
 * (a request that does not fit, such as a 1 MB header, gets an error
 * and is closed), an idle connection is closed after METRICS_TIMEOUT
 * seconds, and no request body is ever read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "autoconfig.h"
#include "listen.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "policy.h"
#include "sink.h"

#define METRICS_CONNS 32
#define METRICS_MEMORY (32 * 1024)
#define METRICS_TIMEOUT 10

static struct MHD_Daemon *daemon_mhd;
static atomic_bool ready;
static double start_time;
static char unix_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static double count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	double n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1;		/* the directory's own descriptor */
}

static void process_figures(struct metrics_extra *x)
{
	struct rusage ru;
	struct rlimit rl;
	long pages = sysconf(_SC_PAGESIZE);
	unsigned long vm = 0, rss = 0;
	FILE *fp = fopen("/proc/self/statm", "r");

	if (fp != NULL) {
		if (fscanf(fp, "%lu %lu", &vm, &rss) != 2)
			vm = rss = 0;
		fclose(fp);
	}
	x->virtual_bytes = (double)vm * (double)pages;
	x->resident_bytes = (double)rss * (double)pages;
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		x->cpu_seconds = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
				 + (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	x->max_fds = getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (double)rl.rlim_cur : 0;
	x->open_fds = count_fds();
	x->start_time = start_time;
}

static struct MHD_Response *metrics_page(void)
{
	struct metrics_extra x;
	struct buf b = BUF_INIT;

	memset(&x, 0, sizeof(x));
	x.nsinks = sinks_kind_errors(x.sink_name, x.sink_errors, METRICS_SINKS);
	x.records_dropped = sinks_dropped();
	x.version = PACKAGE_VERSION;
	process_figures(&x);
	metrics_expose(&dg_metrics, &x, &b);
	return MHD_create_response_from_buffer(b.len, b.p, MHD_RESPMEM_MUST_FREE);
}

static struct MHD_Response *text(const char *s)
{
	return MHD_create_response_from_buffer(strlen(s), (void *)s,
					       MHD_RESPMEM_PERSISTENT);
}

/* Ready: the milter socket listens and a policy is loaded. */
static bool healthy(void)
{
	struct dg_policy *p = policy_current();

	policy_unref(p);
	return p != NULL && atomic_load(&ready);
}

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status,
			      struct MHD_Response *r, const char *type)
{
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **state)
{
	bool known = strcmp(url, "/metrics") == 0 || strcmp(url, "/healthz") == 0;
	bool ok;

	(void)cls;
	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (!known)
		return answer(conn, MHD_HTTP_NOT_FOUND, text("not found\n"), "text/plain");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0)
		return answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
			      text("method not allowed\n"), "text/plain");
	if (strcmp(url, "/metrics") == 0)
		return answer(conn, MHD_HTTP_OK, metrics_page(),
			      "text/plain; version=0.0.4; charset=utf-8");
	ok = healthy();
	return answer(conn, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
		      text(ok ? "ok\n" : "not ready\n"), "text/plain");
}

static int bind_listen(const char *spec)
{
	struct listen_addr la;
	char err[256];
	int fd, one = 1;

	if (listen_parse(spec, &la, err, sizeof(err)) < 0) {
		log_msg(LOG_ERR, "metrics: listen %s: %s", spec, err);
		return -1;
	}
	fd = socket(la.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (la.sa.ss_family == AF_UNIX) {
		snprintf(unix_path, sizeof(unix_path), "%s", spec + 5);
		(void)unlink(unix_path);	/* ours, left by a killed daemon */
	} else {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (bind(fd, (struct sockaddr *)&la.sa, la.salen) != 0 || listen(fd, 64) != 0) {
		log_msg(LOG_ERR, "metrics: cannot listen on %s: %s", spec, strerror(errno));
		(void)close(fd);
		unix_path[0] = '\0';
		return -1;
	}
	return fd;
}

int metrics_http_start(const char *spec)
{
	struct timespec now;
	int fd = bind_listen(spec);

	if (fd < 0)
		return EX_UNAVAILABLE;
	clock_gettime(CLOCK_REALTIME, &now);
	start_time = (double)now.tv_sec + now.tv_nsec / 1e9;
	daemon_mhd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD,
				      0, NULL, NULL, handle, NULL,
				      MHD_OPTION_LISTEN_SOCKET, fd,
				      MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONNS,
				      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_MEMORY,
				      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_TIMEOUT,
				      MHD_OPTION_END);
	if (daemon_mhd == NULL) {
		log_msg(LOG_ERR, "metrics: cannot start the HTTP server on %s", spec);
		(void)close(fd);
		return EX_SOFTWARE;
	}
	metrics_enable(true);
	log_msg(LOG_NOTICE, "metrics on %s", spec);
	return 0;
}

void metrics_http_ready(bool on)
{
	atomic_store(&ready, on);
}

void metrics_http_stop(void)
{
	if (daemon_mhd == NULL)
		return;
	metrics_enable(false);
	MHD_stop_daemon(daemon_mhd);
	daemon_mhd = NULL;
	if (unix_path[0] != '\0')
		(void)unlink(unix_path);
}
