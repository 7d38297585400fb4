/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	cidr - lists of IPv4/IPv6 networks and matching client addresses
 * SYNOPSIS
 *	struct cidr_list *cidr_list_new(void);
 *	int  cidr_list_add(struct cidr_list *l, const char *text);
 *	bool cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa);
 *	bool cidr_list_match_text(const struct cidr_list *l, const char *addr);
size_t cidr_list_count(const struct cidr_list *l);
int cidr_list_text(const struct cidr_list *l, size_t i, char *buf, size_t len);
bool cidr_list_covers(const struct cidr_list *l, const char *net);
 *	size_t cidr_list_count(const struct cidr_list *l);
 *	int  cidr_list_text(const struct cidr_list *l, size_t i, char *buf,
 *			    size_t len);
 *	bool cidr_list_covers(const struct cidr_list *l, const char *net);
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
 *	cidr_list_count() and cidr_list_text() give the networks back, in
 *	the order added, as "a.b.c.d/n" or "x::/n" with the host bits
 *	masked (dotgate-doctor(8) names them); cidr_list_text() returns 0,
 *	or -1 when i is out of range or buf too small.  cidr_list_covers()
 *	is true when one network of l holds the whole network net (text as
 *	cidr_list_add() takes it; false when it does not parse).
 */
#ifndef DG_CIDR_H
#define DG_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct cidr_list;

struct cidr_list *cidr_list_new(void);
int cidr_list_add(struct cidr_list *l, const char *text);
bool cidr_list_match(const struct cidr_list *l, const struct sockaddr *sa);
bool cidr_list_match_text(const struct cidr_list *l, const char *addr);
size_t cidr_list_count(const struct cidr_list *l);
int cidr_list_text(const struct cidr_list *l, size_t i, char *buf, size_t len);
bool cidr_list_covers(const struct cidr_list *l, const char *net);
void cidr_list_free(struct cidr_list *l);

#endif
