/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mapd.c: a small lookup server for the tests of socketmap: and tcp:
 * login maps.  It serves a login map file (the format dotgate reads)
 * over Postfix's socketmap protocol (netstrings, socketmap_table(5)) or
 * its tcp_table protocol ("get KEY" lines, tcp_table(5)), the way a
 * site's gateway in front of mysql:/ldap: tables would.  Every request
 * is appended to a log, so a test can count lookups (the cache).
 *
 * usage: mapd -p socketmap|tcp -l unix:/PATH|inet:127.0.0.1:PORT
 *	       -f MAP -n NAME -L LOG [-d DELAY_MS] [-t] [-1] [-N]
 *	-n	the socketmap name answered (other names get PERM)
 *	-d	wait this long before each reply (a slow database)
 *	-t	answer every lookup with a temporary error
 *	-1	close the connection after each reply
 *	-N	never answer: read each request and keep the connection open
 *		without a reply until the client hangs up (a hung database)
 * It runs in the foreground until SIGTERM; one thread per client.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "loginmap.h"

static struct loginmap *map;
static const char *name = "senders";
static int tcp, delay_ms, temp, one_reply, never;
static FILE *lookup_log;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void map_err(void *arg, const char *file, unsigned line, const char *msg)
{
	(void)arg;
	fprintf(stderr, "mapd: %s:%u: %s\n", file, line, msg);
}

static void note(const char *key)
{
	pthread_mutex_lock(&log_lock);
	fprintf(lookup_log, "%s\n", key);
	fflush(lookup_log);
	pthread_mutex_unlock(&log_lock);
}

/* The logins of key joined by ", "; NULL when the map has no such key. */
static const char *answer(const char *key, char *buf, size_t size)
{
	char low[2048];
	const struct loginmap_entry *e;
	size_t o = 0;

	(void)snprintf(low, sizeof(low), "%s", key);
	for (char *c = low; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c += 32;
	if ((e = loginmap_get(map, low)) == NULL)
		return NULL;
	buf[0] = '\0';
	for (size_t i = 0; i < e->nlogins && o < size; i++)
		o += (size_t)snprintf(buf + o, size - o, "%s%s", i ? ", " : "", e->logins[i]);
	return buf;
}

/* -N: the request is in; nothing ever comes back.  Reading on to the
 * client's hang-up ends the thread with the connection. */
static void hang(FILE *in)
{
	while (getc(in) != EOF)
		;
}

static void pause_reply(void)
{
	struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };

	if (delay_ms > 0)
		(void)nanosleep(&ts, NULL);
}

static int netstring(FILE *in, char *out, size_t size)
{
	size_t len = 0;
	int c;

	while ((c = getc(in)) >= '0' && c <= '9')
		len = len * 10 + (size_t)(c - '0');
	if (c != ':' || len >= size || fread(out, 1, len, in) != len || getc(in) != ',')
		return -1;
	out[len] = '\0';
	return 0;
}

static void serve_socketmap(FILE *in, FILE *out)
{
	char req[4096], buf[4096], rep[4200];
	const char *v, *key;

	while (netstring(in, req, sizeof(req)) == 0) {
		key = strchr(req, ' ');
		key = key ? key + 1 : "";
		note(key);
		if (never) {
			hang(in);
			return;
		}
		pause_reply();
		if (strncmp(req, name, strlen(name)) != 0 || req[strlen(name)] != ' ')
			(void)snprintf(rep, sizeof(rep), "PERM no map named so");
		else if (temp)
			(void)snprintf(rep, sizeof(rep), "TEMP database unavailable");
		else if ((v = answer(key, buf, sizeof(buf))) != NULL)
			(void)snprintf(rep, sizeof(rep), "OK %s", v);
		else
			(void)snprintf(rep, sizeof(rep), "NOTFOUND ");
		fprintf(out, "%zu:%s,", strlen(rep), rep);
		fflush(out);
		if (one_reply)
			return;
	}
}

/* %XX decoding in place (tcp_table(5)). */
static void decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		unsigned x;

		if (*s == '%' && sscanf(s + 1, "%2x", &x) == 1) {
			*o++ = (char)x;
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static void serve_tcp(FILE *in, FILE *out)
{
	char line[4096], buf[4096];
	const char *v;

	while (fgets(line, sizeof(line), in) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "get ", 4) != 0) {
			fprintf(out, "500 unknown request\n");
		} else {
			decode(line + 4);
			note(line + 4);
			if (never) {
				hang(in);
				return;
			}
			pause_reply();
			if (temp)
				fprintf(out, "400 database unavailable\n");
			else if ((v = answer(line + 4, buf, sizeof(buf))) != NULL)
				fprintf(out, "200 %s\n", v);	/* logins: nothing to encode */
			else
				fprintf(out, "500 not found\n");
		}
		fflush(out);
		if (one_reply)
			return;
	}
}

static void *client(void *arg)
{
	int fd = (int)(long)arg;
	FILE *in = fdopen(fd, "r"), *out = fdopen(dup(fd), "w");

	if (in != NULL && out != NULL) {
		if (tcp)
			serve_tcp(in, out);
		else
			serve_socketmap(in, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return NULL;
}

static int listen_on(const char *spec)
{
	int fd;

	if (strncmp(spec, "unix:", 5) == 0) {
		struct sockaddr_un un = { .sun_family = AF_UNIX };

		(void)snprintf(un.sun_path, sizeof(un.sun_path), "%s", spec + 5);
		(void)unlink(un.sun_path);
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0)
			return -1;
	} else if (strncmp(spec, "inet:127.0.0.1:", 15) == 0) {
		struct sockaddr_in in = { .sin_family = AF_INET };
		int one = 1;

		in.sin_port = htons((unsigned short)atoi(spec + 15));
		in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = socket(AF_INET, SOCK_STREAM, 0);
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof(in)) < 0)
			return -1;
	} else {
		return -1;
	}
	return listen(fd, 256) < 0 ? -1 : fd;
}

int main(int argc, char **argv)
{
	const char *proto = NULL, *where = NULL, *file = NULL, *logpath = NULL;
	int ch, fd;

	while ((ch = getopt(argc, argv, "p:l:f:n:L:d:t1N")) != -1) {
		switch (ch) {
		case 'p': proto = optarg; break;
		case 'l': where = optarg; break;
		case 'f': file = optarg; break;
		case 'n': name = optarg; break;
		case 'L': logpath = optarg; break;
		case 'd': delay_ms = atoi(optarg); break;
		case 't': temp = 1; break;
		case '1': one_reply = 1; break;
		case 'N': never = 1; break;
		default: return 64;
		}
	}
	if (!proto || !where || !file || !logpath ||
	    (strcmp(proto, "socketmap") != 0 && strcmp(proto, "tcp") != 0)) {
		fprintf(stderr, "usage: mapd -p socketmap|tcp -l unix:/PATH|inet:127.0.0.1:PORT "
			"-f MAP -n NAME -L LOG [-d MS] [-t] [-1] [-N]\n");
		return 64;
	}
	tcp = strcmp(proto, "tcp") == 0;
	signal(SIGPIPE, SIG_IGN);
	map = loginmap_new();
	if (loginmap_load(map, file, map_err, NULL) != 0 || (lookup_log = fopen(logpath, "a")) == NULL)
		return 78;
	if ((fd = listen_on(where)) < 0) {
		fprintf(stderr, "mapd: %s: %s\n", where, strerror(errno));
		return 69;
	}
	for (;;) {
		pthread_t t;
		int c = accept(fd, NULL, NULL);

		if (c < 0)
			continue;
		if (pthread_create(&t, NULL, client, (void *)(long)c) != 0)
			close(c);
		else
			pthread_detach(t);
	}
}
