/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * addrlist.c: the addresses of a From:, Sender: or Resent-From: value
 * (addrlist.h, dotgate.conf(5) HEADER FROM), parsed as a stream: one
 * state machine step per byte, all state in struct addrlist, so that a
 * value split anywhere by libmilter or a client gives what one push
 * gives, in fixed memory whatever its length.  The words before '@',
 * '<' or ':' are kept as a candidate local part in the text area until
 * that byte says whether they were one (an address) or a display or
 * group name (dropped); what does not fit is only counted, so a long
 * display name costs nothing and a long address is refused.
 */
#include <string.h>

#include "addrlist.h"

/* Where in the grammar (struct addrlist_parser.state). */
enum {
	ST_ELEM,	/* start of a list element: nothing of the mailbox yet */
	ST_PHRASE,	/* between the words of a name or local part */
	ST_ATOM,	/* in an atom of those */
	ST_QUOTED,	/* in a quoted string */
	ST_QESC,	/* after its backslash */
	ST_COMMENT,	/* in a comment (depth deep) */
	ST_CESC,	/* after a backslash in a comment */
	ST_ANGLE,	/* just after '<' */
	ST_ROUTE,	/* in an obs-route, up to its ':' */
	ST_RATOM,	/* in a domain atom of the route */
	ST_DOMAIN,	/* after '@' or a domain's '.': an atom must come */
	ST_DATOM,	/* in a domain atom */
	ST_DAFTER,	/* after a domain atom or literal */
	ST_LITERAL,	/* in a domain literal */
	ST_LESC,	/* after a backslash in a domain literal */
	ST_DONE,	/* after '>' or a group's ';': ',' must come */
	ST_FAIL		/* error set: every later byte ignored */
};

/* Flags of the mailbox and list (struct addrlist_parser.flags). */
#define F_ANGLE 1u	/* inside '<' ... '>' */
#define F_GROUP 2u	/* inside "name:" ... ';' */
#define F_NOTLOCAL 4u	/* the candidate words cannot be a local part */

/* The last token of the candidate local part or of the domain. */
enum { T_NONE, T_WORD, T_DOT, T_LITERAL };

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 5322 3.2.3 atext, with RFC 6532's UTF-8 bytes. */
static int is_atext(unsigned char c)
{
	if (c >= 0x80)
		return 1;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != 0 && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Control bytes, refused outside quoted strings and comments. */
static int is_ctl(unsigned char c)
{
	return (c < 0x20 && !is_ws(c)) || c == 0x7f;
}

static void fail(struct addrlist *a, enum addrlist_error e)
{
	a->error = e;
	a->error_at = a->ps.pos;
	a->ps.state = ST_FAIL;
}

/*
 * One byte of the address being built.  Past what may be stored it is
 * only counted: the words may still turn out to be a display name.
 */
static void put(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (p->len < ADDRLIST_ADDR_MAX && p->start + p->len < ADDRLIST_TEXT_MAX - 1)
		a->text[p->start + p->len] = (char)c;
	p->len++;
}

/* Once the bytes are known to be an address: do they fit?  0 if not. */
static int fits(struct addrlist *a)
{
	struct addrlist_parser *p = &a->ps;

	if (p->len > ADDRLIST_ADDR_MAX) {
		fail(a, ADDRLIST_TOO_LONG);
		return 0;
	}
	if (p->start + p->len >= ADDRLIST_TEXT_MAX) {
		fail(a, ADDRLIST_TOO_MANY);
		return 0;
	}
	return 1;
}

/* The words were a name, not a local part: forget them. */
static void drop_candidate(struct addrlist_parser *p)
{
	p->len = 0;
	p->last = T_NONE;
	p->flags &= ~F_NOTLOCAL;
}

/* The address is complete: keep it.  0 on an error. */
static int keep(struct addrlist *a)
{
	struct addrlist_parser *p = &a->ps;

	if (!fits(a))
		return 0;
	if (a->n == ADDRLIST_MAX) {
		fail(a, ADDRLIST_TOO_MANY);
		return 0;
	}
	a->text[p->start + p->len] = '\0';
	a->off[a->n++] = (uint16_t)p->start;
	p->start += p->len + 1;
	drop_candidate(p);
	return 1;
}

/* White space and comments, allowed where CFWS is: 1 if c was one. */
static int cfws(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (is_ws(c))
		return 1;
	if (c != '(')
		return 0;
	p->ret = p->state;
	p->depth = 1;
	p->state = ST_COMMENT;
	return 1;
}

static void comment(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (c == '\0')
		fail(a, ADDRLIST_SYNTAX);
	else if (c == '\\')
		p->state = ST_CESC;
	else if (c == '(' && ++p->depth > ADDRLIST_DEPTH)
		fail(a, ADDRLIST_SYNTAX);
	else if (c == ')' && --p->depth == 0)
		p->state = p->ret;
}

static void comment_escaped(struct addrlist *a, unsigned char c)
{
	if (c == '\0')
		fail(a, ADDRLIST_SYNTAX);
	else
		a->ps.state = ST_COMMENT;
}

/* A new word of the candidate: two words in a row are a phrase. */
static void word_begins(struct addrlist_parser *p)
{
	if (p->last == T_WORD)
		p->flags |= F_NOTLOCAL;
	p->last = T_WORD;
}

/* A word or a dot in a phrase or local part: 1 if c began one. */
static int word(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (is_atext(c) || c == '"') {
		word_begins(p);
		p->state = c == '"' ? ST_QUOTED : ST_ATOM;
	} else if (c == '.') {
		/* obs-phrase's '.'; a local part's only between words */
		if (p->last != T_WORD)
			p->flags |= F_NOTLOCAL;
		p->last = T_DOT;
		p->state = ST_PHRASE;
	} else
		return 0;
	put(a, c);
	return 1;
}

/* '@' after the candidate: it must be a whole local part. */
static void at_sign(struct addrlist *a)
{
	struct addrlist_parser *p = &a->ps;

	if ((p->flags & F_NOTLOCAL) || p->last != T_WORD) {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	put(a, '@');
	if (!fits(a))
		return;
	p->last = T_NONE;
	p->state = ST_DOMAIN;
}

/* Between the words of a display name, group name or local part. */
static void phrase(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (cfws(a, c) || word(a, c))
		return;
	if (c == '@')
		at_sign(a);
	else if (c == '<' && !(p->flags & F_ANGLE) && p->last != T_NONE) {
		drop_candidate(p);
		p->flags |= F_ANGLE;
		p->state = ST_ANGLE;
	} else if (c == ':' && !(p->flags & (F_ANGLE | F_GROUP)) &&
		   p->last != T_NONE) {
		drop_candidate(p);
		p->flags |= F_GROUP;
		p->state = ST_ELEM;
	} else
		fail(a, ADDRLIST_SYNTAX);
}

/* Start of a list element: a mailbox, a group, or nothing. */
static void elem(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (cfws(a, c) || c == ',' || word(a, c))
		return;
	if (c == '<') {
		p->flags |= F_ANGLE;
		p->state = ST_ANGLE;
	} else if (c == ';' && (p->flags & F_GROUP)) {
		p->flags &= ~F_GROUP;
		p->state = ST_DONE;
	} else
		fail(a, ADDRLIST_SYNTAX);
}

static void atom(struct addrlist *a, unsigned char c)
{
	if (is_atext(c)) {
		put(a, c);
		return;
	}
	a->ps.state = ST_PHRASE;
	phrase(a, c);
}

/* Kept with its quotes and escapes; folding's CR and LF dropped. */
static void quoted(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (c == '\0') {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	if (c == '\r' || c == '\n')
		return;
	put(a, c);
	if (c == '"')
		p->state = ST_PHRASE;
	else if (c == '\\')
		p->state = ST_QESC;
}

/* After a backslash in a quoted string or domain literal. */
static void escaped(struct addrlist *a, unsigned char c, int back)
{
	if (c == '\0' || c == '\r' || c == '\n') {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	put(a, c);
	a->ps.state = back;
}

/* Just after '<': an obs-route, or the local part. */
static void angle(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (cfws(a, c) || word(a, c))
		return;
	if (c == '@') {
		p->last = T_DOT;
		p->state = ST_ROUTE;
	} else
		fail(a, ADDRLIST_SYNTAX);
}

/*
 * "@a,@b:" before the address, skipped: it names no mailbox.  last is
 * T_DOT where a domain atom must come (after '@' or '.'), T_WORD after
 * one, T_NONE after ','.
 */
static void route(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;
	int ok = 1;

	if (cfws(a, c))
		return;
	if (is_atext(c) && p->last == T_DOT) {
		p->last = T_WORD;
		p->state = ST_RATOM;
	} else if (c == '.' && p->last == T_WORD)
		p->last = T_DOT;
	else if (c == ',' && p->last != T_DOT)
		p->last = T_NONE;
	else if (c == '@' && p->last == T_NONE)
		p->last = T_DOT;
	else if (c == ':' && p->last == T_WORD) {
		p->last = T_NONE;
		p->state = ST_PHRASE;
	} else
		ok = 0;
	if (!ok)
		fail(a, ADDRLIST_SYNTAX);
}

static void route_atom(struct addrlist *a, unsigned char c)
{
	if (is_atext(c))
		return;
	a->ps.state = ST_ROUTE;
	route(a, c);
}

/* After '@' or a '.' of the domain. */
static void domain(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (cfws(a, c))
		return;
	if (is_atext(c)) {
		p->last = T_WORD;
		p->state = ST_DATOM;
	} else if (c == '[' && p->last == T_NONE)
		p->state = ST_LITERAL;
	else {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	put(a, c);
	fits(a);
}

/* The address ends at c (',', ';' or '>'): keep it, go on. */
static void addr_end(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (!keep(a))
		return;
	if (c == ',') {
		p->state = ST_ELEM;
		return;
	}
	p->flags &= c == '>' ? ~F_ANGLE : ~F_GROUP;
	p->state = ST_DONE;
}

/* After a domain atom or literal: more domain, or the address ends. */
static void dafter(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;
	int angled = (p->flags & F_ANGLE) != 0;

	if (cfws(a, c))
		return;
	if (c == '.' && p->last == T_WORD) {
		put(a, c);
		p->last = T_DOT;
		p->state = ST_DOMAIN;
		fits(a);
	} else if ((c == '>' && angled) || (c == ',' && !angled) ||
		   (c == ';' && !angled && (p->flags & F_GROUP)))
		addr_end(a, c);
	else
		fail(a, ADDRLIST_SYNTAX);
}

static void datom(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (is_atext(c)) {
		put(a, c);
		fits(a);
		return;
	}
	p->state = ST_DAFTER;
	dafter(a, c);
}

/* "[192.0.2.1]": kept as written, folding white space dropped. */
static void literal(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (is_ws(c))
		return;
	if (c == '[') {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	put(a, c);
	if (c == ']') {
		p->last = T_LITERAL;
		p->state = ST_DAFTER;
	} else if (c == '\\')
		p->state = ST_LESC;
	fits(a);
}

/* After '>' or a group's ';': the element is over. */
static void done(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (cfws(a, c))
		return;
	if (c == ',')
		p->state = ST_ELEM;
	else if (c == ';' && (p->flags & F_GROUP))
		p->flags &= ~F_GROUP;
	else
		fail(a, ADDRLIST_SYNTAX);
}

static void quoted_escaped(struct addrlist *a, unsigned char c)
{
	escaped(a, c, ST_QUOTED);
}

static void literal_escaped(struct addrlist *a, unsigned char c)
{
	escaped(a, c, ST_LITERAL);
}

/* What each state does with the next byte (ST_FAIL takes none). */
static void (*const steps[ST_FAIL])(struct addrlist *, unsigned char) = {
	[ST_ELEM] = elem,		[ST_PHRASE] = phrase,
	[ST_ATOM] = atom,		[ST_QUOTED] = quoted,
	[ST_QESC] = quoted_escaped,	[ST_COMMENT] = comment,
	[ST_CESC] = comment_escaped,	[ST_ANGLE] = angle,
	[ST_ROUTE] = route,		[ST_RATOM] = route_atom,
	[ST_DOMAIN] = domain,		[ST_DATOM] = datom,
	[ST_DAFTER] = dafter,		[ST_LITERAL] = literal,
	[ST_LESC] = literal_escaped,	[ST_DONE] = done,
};

/* Control bytes are refused wherever they are not quoted or comment. */
static int ctl_allowed(int state)
{
	return state == ST_QUOTED || state == ST_QESC || state == ST_COMMENT ||
	       state == ST_CESC;
}

static void step(struct addrlist *a, unsigned char c)
{
	struct addrlist_parser *p = &a->ps;

	if (is_ctl(c) && !ctl_allowed(p->state)) {
		fail(a, ADDRLIST_SYNTAX);
		return;
	}
	steps[p->state](a, c);
}

void addrlist_init(struct addrlist *a)
{
	memset(a, 0, sizeof(*a));
	a->error = ADDRLIST_OK;
	a->ps.state = ST_ELEM;
	a->ps.last = T_NONE;
}

void addrlist_push(struct addrlist *a, const char *bytes, size_t len)
{
	for (size_t i = 0; i < len && !a->ps.finished; i++) {
		if (a->ps.state == ST_FAIL)
			break;
		step(a, (unsigned char)bytes[i]);
		a->ps.pos++;
	}
}

enum addrlist_error addrlist_finish(struct addrlist *a)
{
	struct addrlist_parser *p = &a->ps;

	if (p->finished || p->state == ST_FAIL) {
		p->finished = 1;
		return a->error;
	}
	p->finished = 1;
	if (p->state == ST_DATOM || p->state == ST_DAFTER) {
		if ((p->flags & F_ANGLE) || !keep(a)) {
			if (a->error == ADDRLIST_OK)
				fail(a, ADDRLIST_SYNTAX);
			return a->error;
		}
	} else if (p->state != ST_ELEM && p->state != ST_DONE) {
		fail(a, ADDRLIST_SYNTAX);
		return a->error;
	}
	if (p->flags & F_GROUP)
		fail(a, ADDRLIST_SYNTAX);	/* an unclosed group */
	return a->error;
}

const char *addrlist_addr(const struct addrlist *a, size_t i)
{
	return i < a->n ? a->text + a->off[i] : NULL;
}

const char *addrlist_error_name(enum addrlist_error e)
{
	switch (e) {
	case ADDRLIST_OK:	return "ok";
	case ADDRLIST_SYNTAX:	return "syntax";
	case ADDRLIST_TOO_MANY:	return "too_many";
	case ADDRLIST_TOO_LONG:	return "too_long";
	}
	return "unknown";
}
