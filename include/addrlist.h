/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	addrlist - the addresses of a From:, Sender: or Resent-From: header
 *	value, parsed as a stream in bounded memory (dotgate.conf(5),
 *	HEADER FROM)
 * SYNOPSIS
 *	void addrlist_init(struct addrlist *a);
 *	void addrlist_push(struct addrlist *a, const char *bytes, size_t len);
 *	enum addrlist_error addrlist_finish(struct addrlist *a);
 *	const char *addrlist_addr(const struct addrlist *a, size_t i);
 *	const char *addrlist_error_name(enum addrlist_error e);
 * DESCRIPTION
 *	One header field value (RFC 5322 3.4 address-list or mailbox-list,
 *	with RFC 6532's UTF-8) is pushed in pieces of any size, split
 *	anywhere: the result is the same as for one push of the whole
 *	value.  The parser keeps a fixed-size state (struct addrlist holds
 *	everything; nothing is allocated) and looks at each byte once.
 *
 *	Accepted: mailboxes with or without a display name (atoms, quoted
 *	strings with backslash escapes, RFC 2047 encoded words, which are
 *	atoms here and never decoded; obs-phrase's '.'), angle addresses,
 *	comments (nested, with escapes) and white space anywhere CFWS may
 *	be, folding (CR and LF count as white space, as libmilter hands a
 *	folded value), groups ("name: a@b, c@d;", the empty group
 *	"undisclosed-recipients:;"), obs-route in angle brackets
 *	("<@a,@b:user@domain>", the route dropped), obs-local-part (words
 *	joined by '.' with CFWS between), empty list elements ("a@b, , c@d"),
 *	domain literals ("user@[192.0.2.1]"), and bytes 0x80-0xFF in atoms,
 *	quoted strings and comments (UTF-8, RFC 6532; not validated here).
 *
 *	Each address is stored as its addr-spec with all CFWS removed:
 *	the local part as written (a dot-atom, or a quoted string kept with
 *	its quotes and escapes, as owner_lookup() expects), '@', the domain
 *	(a dot-atom or a domain literal) as written; case is kept.  Group
 *	names and display names are not stored.
 *
 *	Refused (error set, parsing stops, the addresses before it stay):
 *	ADDRLIST_SYNTAX  anything else: an address without '@' or domain,
 *			 a display name with no angle address, '@' or other
 *			 specials unquoted in a display name (as in
 *			 'alice@example.test <mallory@evil.test>'), two angle
 *			 addresses in one mailbox, an unclosed quote, comment,
 *			 angle bracket, group or domain literal, nesting deeper
 *			 than ADDRLIST_DEPTH, control bytes (other than TAB,
 *			 CR, LF) outside quoted strings and comments, NUL.
 *	ADDRLIST_TOO_MANY more than ADDRLIST_MAX addresses, or more than
 *			 ADDRLIST_TEXT_MAX bytes of them in all.
 *	ADDRLIST_TOO_LONG one address longer than ADDRLIST_ADDR_MAX bytes.
 *	An empty value or one empty group is not an error: n is 0.
 *	Read strictly where the grammar leaves room (each is SYNTAX): a
 *	local part with a leading, trailing or doubled '.', a domain with a
 *	trailing '.', a domain literal that is not the whole domain, a
 *	route that is not "@domain" items separated by ',', a group in a
 *	group or with no name, a mailbox after a group's ';' without ',',
 *	a backslash before CR, LF or NUL.  Control bytes other than NUL
 *	inside a quoted local part are kept (obs-qtext).  error_at is the
 *	offset of the byte refused, the value's length for an unclosed
 *	construct; a local part's bytes are counted, not refused, until
 *	its '@' shows it is one (TOO_LONG or TOO_MANY there or at the first
 *	domain byte past the bound), and the address past ADDRLIST_MAX is
 *	refused where it ends.
 *
 *	addrlist_finish() ends the value (an unclosed construct becomes
 *	ADDRLIST_SYNTAX) and returns the error, ADDRLIST_OK when none;
 *	push after finish is ignored.  addrlist_addr() is the i-th address
 *	(i < a->n), NUL-terminated.  Any thread may use its own addrlist.
 */
#ifndef DG_ADDRLIST_H
#define DG_ADDRLIST_H

#include <stddef.h>
#include <stdint.h>

#define ADDRLIST_MAX 32		/* addresses kept of one header field */
#define ADDRLIST_ADDR_MAX 320	/* bytes of one addr-spec as stored */
#define ADDRLIST_TEXT_MAX 2048	/* bytes of all of them, NULs included */
#define ADDRLIST_DEPTH 16	/* nested comments */

enum addrlist_error {
	ADDRLIST_OK,
	ADDRLIST_SYNTAX,
	ADDRLIST_TOO_MANY,
	ADDRLIST_TOO_LONG
};

/* The parser's state between pushes: private to addrlist.c. */
struct addrlist_parser {
	int state;			/* where in the grammar */
	int ret;			/* state to return to after a comment */
	unsigned depth;			/* comment nesting */
	unsigned flags;			/* in angle brackets, in a group, ... */
	int last;			/* last token of local part or domain */
	size_t start;			/* text offset of the address being built */
	size_t len;			/* its length so far (may pass what fits) */
	size_t pos;			/* bytes pushed, for error_at */
	int finished;
};

struct addrlist {
	size_t n;				/* addresses found */
	uint16_t off[ADDRLIST_MAX];		/* address i at text + off[i] */
	char text[ADDRLIST_TEXT_MAX];
	enum addrlist_error error;
	size_t error_at;			/* byte offset of the error */
	struct addrlist_parser ps;
};

void addrlist_init(struct addrlist *a);
void addrlist_push(struct addrlist *a, const char *bytes, size_t len);
enum addrlist_error addrlist_finish(struct addrlist *a);
const char *addrlist_addr(const struct addrlist *a, size_t i);
const char *addrlist_error_name(enum addrlist_error e);

#endif
