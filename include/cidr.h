/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	cidr - lists of IPv4/IPv6 networks and matching client addresses
 * SYNOPSIS
 *	struct cidr_list *cidr_list_new(void);
 *	int  cidr_list_add(struct cidr_list *l, const char *text);
 *	bool cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa);
 *	bool cidr_list_match_text(const struct cidr_list *l, const char *addr);
 *	void cidr_list_free(struct cidr_list *l);
 * DESCRIPTION
 *	cidr_list_add() parses "a.b.c.d/n", "x:y::z/n" or a bare address
 *	(a host route) and returns 0, or -1 when the text is not a network
 *	(bad address, prefix out of range, host bits set are accepted and
 *	masked as Postfix's mynetworks does).
 *	cidr_list_match() compares a socket address; an IPv4-mapped IPv6
 *	address (::ffff:a.b.c.d) matches the IPv4 networks, and an IPv4
 *	client matches only IPv4 networks (or ::ffff:a.b.c.d/96+ ones), so
 *	"::/0" is every IPv6 client, not every client.  A NULL or
 *	non-IP sockaddr never matches.  The list is immutable once built
 *	and may be read from any thread.
 */
#ifndef DG_CIDR_H
#define DG_CIDR_H

#include <stdbool.h>
#include <sys/socket.h>

struct cidr_list;

struct cidr_list *cidr_list_new(void);
int cidr_list_add(struct cidr_list *l, const char *text);
bool cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa);
bool cidr_list_match_text(const struct cidr_list *l, const char *addr);
void cidr_list_free(struct cidr_list *l);

#endif
