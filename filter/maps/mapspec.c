/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mapspec.c: the socketmap: and tcp: forms of login_map, parsed into an
 * address and a protocol when the configuration is loaded (see
 * mapspec.h), so that a lookup at MAIL FROM (remotemap.c) neither parses
 * nor resolves anything.
 */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "mapspec.h"
#include "util.h"

static int set_unix(struct mapspec *m, const char *path, size_t len)
{
	struct sockaddr_un *un = (struct sockaddr_un *)&m->addr;

	if (len == 0 || path[0] != '/' || len >= sizeof(un->sun_path))
		return -1;
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, path, len);
	un->sun_path[len] = '\0';
	m->addrlen = sizeof(*un);
	return 0;
}

/* ADDRESS:PORT (ADDRESS may be [IPV6]) into a sockaddr. */
static int set_inet(struct mapspec *m, const char *hp, size_t len,
		    char *err, size_t errsize)
{
	char host[256], port[8];
	const char *colon = NULL;
	struct addrinfo hints = {0}, *res;
	size_t hlen;
	int rc;

	for (size_t i = 0; i < len; i++)
		if (hp[i] == ':')
			colon = hp + i;
	if (colon == NULL || (hlen = (size_t)(colon - hp)) == 0 ||
	    hlen >= sizeof(host) || len - hlen - 1 == 0 ||
	    len - hlen - 1 >= sizeof(port))
		return -1;
	if (hp[0] == '[' && hp[hlen - 1] == ']') {
		memcpy(host, hp + 1, hlen - 2);
		host[hlen - 2] = '\0';
	} else {
		memcpy(host, hp, hlen);
		host[hlen] = '\0';
	}
	memcpy(port, colon + 1, len - hlen - 1);
	port[len - hlen - 1] = '\0';
	if (strspn(port, "0123456789") != strlen(port) || atoi(port) < 1 ||
	    atoi(port) > 65535)
		return -1;
	/* A numeric address: a lookup must not wait for DNS, and neither
	 * must a reload (Postfix's own socketmap clients are local too). */
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_NUMERICHOST;
	if ((rc = getaddrinfo(host, port, &hints, &res)) != 0) {
		(void)snprintf(err, errsize, "%.200s: not a numeric address: %s",
			       host, gai_strerror(rc));
		return -2;
	}
	memcpy(&m->addr, res->ai_addr, res->ai_addrlen);
	m->addrlen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* socketmap:unix:/PATH:NAME or socketmap:inet:HOST:PORT:NAME */
static int parse_socketmap(struct mapspec *m, const char *s, char *err,
			   size_t errsize)
{
	const char *name = strrchr(s, ':');

	if (name == NULL || name[1] == '\0' || strlen(name + 1) >= MAPSPEC_NAME_MAX ||
	    strpbrk(name + 1, " \t\r\n") != NULL)
		return -1;
	(void)snprintf(m->name, sizeof(m->name), "%s", name + 1);
	if (strncmp(s, "unix:", 5) == 0)
		return set_unix(m, s + 5, (size_t)(name - s - 5));
	if (strncmp(s, "inet:", 5) != 0)
		return -1;
	return set_inet(m, s + 5, (size_t)(name - s - 5), err, errsize);
}

int mapspec_parse(const char *spec, int timeout_ms, struct mapspec **out,
		  char *err, size_t errsize)
{
	struct mapspec *m;
	int rc;

	*out = NULL;
	err[0] = '\0';
	if (strncmp(spec, "socketmap:", 10) != 0 && strncmp(spec, "tcp:", 4) != 0)
		return 0;
	m = xcalloc(1, sizeof(*m));
	m->timeout_ms = timeout_ms;
	if (spec[0] == 's') {
		m->kind = MAPSPEC_SOCKETMAP;
		rc = parse_socketmap(m, spec + 10, err, errsize);
	} else {
		m->kind = MAPSPEC_TCP;
		rc = set_inet(m, spec + 4, strlen(spec + 4), err, errsize);
	}
	if (rc != 0) {
		if (err[0] == '\0')
			(void)snprintf(err, errsize, "%s: expected "
				       "socketmap:unix:/PATH:NAME, "
				       "socketmap:inet:ADDR:PORT:NAME or "
				       "tcp:ADDR:PORT", spec);
		free(m);
		return -1;
	}
	m->spec = xstrdup(spec);
	*out = m;
	return 1;
}

void mapspec_free(struct mapspec *m)
{
	if (m == NULL)
		return;
	free(m->spec);
	free(m);
}
