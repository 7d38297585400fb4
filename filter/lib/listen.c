/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * listen.c: listening addresses for the metrics endpoint (see listen.h).
 * Only literal addresses: a name would resolve to something else on the
 * next start, and the loopback check must judge what is really bound.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "listen.h"

static int port_of(const char *s, unsigned *port)
{
	char *end;
	unsigned long n;

	if (!isdigit((unsigned char)*s))
		return -1;
	n = strtoul(s, &end, 10);
	if (*end != '\0' || n < 1 || n > 65535)
		return -1;
	*port = (unsigned)n;
	return 0;
}

static int parse_unix(const char *path, struct listen_addr *out, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&out->sa;

	if (*path != '/' || strlen(path) >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "unix: needs an absolute path under %zu bytes",
			 sizeof(sun->sun_path));
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	out->salen = sizeof(*sun);
	out->loopback = true;
	return 0;
}

/* "1.2.3.4:P" or "[::1]:P": host in host[], port after the last colon. */
static int split(const char *spec, char *host, size_t hostlen, const char **port)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec, *hend = colon;

	if (colon == NULL)
		return -1;
	if (*spec == '[') {
		h = spec + 1;
		hend = strchr(spec, ']');
		if (hend == NULL || hend + 1 != colon)
			return -1;
	}
	if ((size_t)(hend - h) >= hostlen || hend == h)
		return -1;
	memcpy(host, h, (size_t)(hend - h));
	host[hend - h] = '\0';
	*port = colon + 1;
	return 0;
}

static int parse_inet(const char *spec, struct listen_addr *out, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *ps;
	unsigned port;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&out->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&out->sa;

	if (split(spec, host, sizeof(host), &ps) < 0 || port_of(ps, &port) < 0) {
		snprintf(err, errlen, "not HOST:PORT, [ADDR]:PORT or unix:/path (port 1-65535)");
		return -1;
	}
	if (*spec != '[' && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)port);
		out->salen = sizeof(*v4);
		out->loopback = (ntohl(v4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (*spec == '[' && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		out->salen = sizeof(*v6);
		out->loopback = IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr);
		return 0;
	}
	snprintf(err, errlen, "\"%.64s\" is not an IPv4 address or a bracketed IPv6 address", host);
	return -1;
}

int listen_parse(const char *spec, struct listen_addr *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (strncmp(spec, "unix:", 5) == 0)
		return parse_unix(spec + 5, out, err, errlen);
	return parse_inet(spec, out, err, errlen);
}
