/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cidr.c: IPv4/IPv6 network lists for exempt_networks (see cidr.h).
 * Networks are stored as 16-byte IPv6 values (IPv4 as ::ffff:a.b.c.d
 * with the prefix moved by 96), so one comparison serves both families
 * and IPv4-mapped client addresses match IPv4 networks for free.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "util.h"

struct cidr_net {
	uint8_t addr[16];
	unsigned prefix;		/* 0..128 on the mapped value */
};

struct cidr_list {
	struct cidr_net *nets;
	size_t n;
};

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

struct cidr_list *cidr_list_new(void)
{
	return xcalloc(1, sizeof(struct cidr_list));
}

static void mask(uint8_t a[16], unsigned prefix)
{
	for (unsigned i = 0; i < 16; i++) {
		unsigned bits = prefix > i * 8 ? prefix - i * 8 : 0;

		if (bits < 8)
			a[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static int parse_prefix(const char *s, unsigned max, unsigned *out)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end != '\0' || v < 0 || (unsigned long)v > max)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_addr(const char *text, struct cidr_net *n, unsigned *max)
{
	struct in_addr a4;

	if (inet_pton(AF_INET, text, &a4) == 1) {
		memcpy(n->addr, v4mapped, 12);
		memcpy(n->addr + 12, &a4, 4);
		*max = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, text, n->addr) == 1) {
		*max = 128;
		return 0;
	}
	return -1;
}

/* "a.b.c.d/n", "x::y/n" or a bare address into a masked network. */
static int parse_net(const char *text, struct cidr_net *n)
{
	char buf[INET6_ADDRSTRLEN + 8];
	unsigned max, prefix;
	char *slash;

	if (strlen(text) >= sizeof(buf))
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	if (parse_addr(buf, n, &max) < 0)
		return -1;
	prefix = max;
	if (slash && parse_prefix(slash, max, &prefix) < 0)
		return -1;
	n->prefix = prefix + (128 - max);
	mask(n->addr, n->prefix);
	return 0;
}

int cidr_list_add(struct cidr_list *l, const char *text)
{
	struct cidr_net n;

	if (parse_net(text, &n) < 0)
		return -1;
	l->nets = xrealloc(l->nets, (l->n + 1) * sizeof(*l->nets));
	l->nets[l->n++] = n;
	return 0;
}

/* True when the network lies inside ::ffff:0:0/96, i.e. it is IPv4. */
static bool net_is_v4(const struct cidr_net *n)
{
	return n->prefix >= 96 && memcmp(n->addr, v4mapped, 12) == 0;
}

/*
 * An IPv4 client (mapped or not) matches only IPv4 networks: "::/0"
 * means every IPv6 client, as in Postfix, not every client.
 */
static bool match16(const struct cidr_list *l, const uint8_t a[16])
{
	bool client_v4 = memcmp(a, v4mapped, 12) == 0;

	for (size_t i = 0; i < l->n; i++) {
		uint8_t m[16];

		if (client_v4 && !net_is_v4(&l->nets[i]))
			continue;
		memcpy(m, a, 16);
		mask(m, l->nets[i].prefix);
		if (memcmp(m, l->nets[i].addr, 16) == 0)
			return true;
	}
	return false;
}

bool cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa)
{
	uint8_t a[16];

	if (l == NULL || sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		memcpy(a, v4mapped, 12);
		memcpy(a + 12, &s4->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(a, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
	} else {
		return false;
	}
	return match16(l, a);
}

bool cidr_list_match_text(const struct cidr_list *l, const char *addr)
{
	struct cidr_net n;
	unsigned max;

	if (l == NULL || addr == NULL || parse_addr(addr, &n, &max) < 0)
		return false;
	return match16(l, n.addr);
}

size_t cidr_list_count(const struct cidr_list *l)
{
	return l ? l->n : 0;
}

int cidr_list_text(const struct cidr_list *l, size_t i, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];
	const struct cidr_net *n;
	int w;

	if (l == NULL || i >= l->n)
		return -1;
	n = &l->nets[i];
	if (net_is_v4(n)) {
		if (inet_ntop(AF_INET, n->addr + 12, a, sizeof(a)) == NULL)
			return -1;
		w = snprintf(buf, len, "%s/%u", a, n->prefix - 96);
	} else {
		if (inet_ntop(AF_INET6, n->addr, a, sizeof(a)) == NULL)
			return -1;
		w = snprintf(buf, len, "%s/%u", a, n->prefix);
	}
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

/*
 * One network of l holds all of net: as wide or wider, and net's
 * address inside it.  The IPv4 rule of match16() holds here too.
 */
bool cidr_list_covers(const struct cidr_list *l, const char *net)
{
	struct cidr_net n;

	if (l == NULL || net == NULL || parse_net(net, &n) < 0)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		uint8_t m[16];

		if (l->nets[i].prefix > n.prefix)
			continue;
		if (net_is_v4(&n) && !net_is_v4(&l->nets[i]))
			continue;
		memcpy(m, n.addr, 16);
		mask(m, l->nets[i].prefix);
		if (memcmp(m, l->nets[i].addr, 16) == 0)
			return true;
	}
	return false;
}

void cidr_list_free(struct cidr_list *l)
{
	if (l == NULL)
		return;
	free(l->nets);
	free(l);
}
