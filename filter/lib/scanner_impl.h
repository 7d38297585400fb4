/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner_impl.h: private to the body scanner, shared by its files:
 * scanner.c (public API), scanner_line.c (the exact per-byte line
 * matcher, the slow path) and scanner_window.c (the 64-byte bitmask
 * fast path, with its masks in scanner_wmask.h).  Nothing outside those
 * files includes it.
 *
 * What the files agree on:
 *	scanner.c owns struct scanner: it creates and resets it.  Each
 *	push alternates scanner_windows() and the slow path,
 *	scanner_slow_until().  Only scanner_line.c runs the line matcher
 *	(match_byte(), content_end(), finalize()).
 *
 *	scanner_windows() settles whole windows of ck->b from index i and
 *	returns where the slow path must resume (i itself when it cannot
 *	start; it never reads past ck->len).  It may only leave the scanner
 *	in a state the byte path would have reached at the same offset:
 *	never between a CR and its LF (a CR it leaves pending is one step()
 *	would leave pending too), never inside a dot line, with every
 *	occurrence it settled counted through found() / found_n() and every
 *	line it ended restarted by new_line().
 *
 * Both paths use SSE2 where the compiler targets it (every x86-64 CPU
 * has it) and plain C elsewhere or with DG_SCANNER_SCALAR; the unit
 * tests build the scanner both ways, so that the plain C path is tested
 * on x86-64 too.
 */
#ifndef DG_SCANNER_IMPL_H
#define DG_SCANNER_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__) && !defined(DG_SCANNER_SCALAR)
#include <emmintrin.h>
#define DG_SCANNER_SSE2 1
#endif

#include "scanner.h"

/* The window of the fast path, in bytes (one bit each in a uint64_t). */
#define WIN 64

/* What ended a line (and so began the next one). */
enum term { T_CRLF, T_CR, T_LF, T_EOF };

/* The per-line matcher: it runs at line starts and after " .", and
 * hands over to the vector skip (MS_OTHER) as soon as it can. */
enum mstate {
	MS_START,		/* nothing of the line seen yet */
	MS_WS,			/* leading spaces/tabs */
	MS_WORD1,		/* "mail" / "rcpt" / "data" / "bdat" */
	MS_GAP,			/* spaces/tabs between the two words */
	MS_WORD2,		/* "from:" / "to:" / "last" */
	MS_DATA_TAIL,		/* "data", "bdat n last": only blanks may follow */
	MS_NUM,			/* "bdat" blanks: the chunk size's digits */
	MS_NUM_WS,		/* blanks after the digits: "last" may follow */
	MS_DOT,			/* only dots (at most one) and NULs so far */
	MS_OTHER,		/* mid-line: nothing to match until " ." */
	MS_SPDOT,		/* " ." seen mid-line: need a space */
	MS_SPDOT_WS		/* " . " seen: spaces, then "mail" */
};

/* What a line turned out to be (K_DATA: a DATA or BDAT command). */
enum kind {
	K_NONE, K_EMPTY, K_MAIL, K_MAIL_MID, K_RCPT, K_DATA,
	K_DOT, K_NULDOT, K_NULONLY
};

enum kw { KW_MAIL, KW_RCPT, KW_DATA, KW_BDAT };

/* What precedes the last non-space byte of a line. */
enum before { B_LINESTART, B_SPACE, B_OTHER };

/* Where the transaction matcher is, over lines. */
enum seq { SEQ_NONE, SEQ_MAIL, SEQ_RCPT };

/*
 * What the lines before the next one say about a MAIL line there: the
 * line before is a trigger (P_TRIG), or one or two empty lines stand
 * between it and a trigger (P_GAP1, P_GAP2), or neither.  Postfix leaves
 * such empty lines of the line ends that test tools send between the
 * end-of-data sequence and the hidden MAIL: one for their CRLF template,
 * two for CRLF CRLF after a sequence that itself ends in CRLF (\r.\r\n
 * arrives as "hello .", then two empty lines).
 */
enum pend { P_NONE, P_TRIG, P_GAP1, P_GAP2 };

/*
 * The pending state after an empty line that pend p came before (the
 * CRLF line right after a bare CR is no line here: finalize() leaves
 * pending alone for it).  A third empty line breaks the trigger.
 */
static inline enum pend pend_after_empty(enum pend p)
{
	static const unsigned char next[] = {
		[P_NONE] = P_NONE, [P_TRIG] = P_GAP1, [P_GAP1] = P_GAP2,
		[P_GAP2] = P_NONE
	};

	return (enum pend)next[p];
}

struct scanner {
	size_t maxlen;
	struct scan_result res;
	uint64_t off;			/* body offset of the next chunk */
	unsigned char prev;		/* last byte of the previous chunk */
	bool pending_cr;		/* last byte was CR; line content ended */

	/* the current line */
	uint64_t line_start;
	enum term prev_term;		/* terminator before this line */
	enum mstate ms;
	enum kind kind;
	enum kw kw;
	bool mid;			/* the word match follows " . " */
	unsigned idx;			/* position in the word */
	unsigned gap;			/* spaces/tabs between the words */
	unsigned lead_sp;		/* leading spaces (saturating) */
	bool lead_tab;			/* a tab among the leading blanks */
	uint64_t word_at;		/* offset of the word being matched */
	uint64_t m_off;			/* offset of the "M" of a MAIL line */
	unsigned ndot, nnul;		/* MS_DOT: dots and NULs (saturating) */
	uint64_t dot_off;
	unsigned lead;			/* MAIL/RCPT: 0, 1 (one space), 2 */
	bool t_valid;			/* tail: a non-space byte seen */
	unsigned char t_c;		/* tail: last non-space byte */
	enum before t_before;		/* tail: what precedes it */
	bool trig;			/* content ended: line is a trigger */

	/* across lines */
	enum pend pending;		/* a trigger just before this line */
	enum seq seq;
	bool seq_trig;			/* current transaction is smuggled */
	bool seq_onespace;		/* its MAIL line starts with one space */
	uint64_t seq_m_off;
};

/* One chunk being scanned: its bytes and body offset. */
struct chunk {
	const unsigned char *b;
	size_t len;
	uint64_t base;
};

/* One occurrence of class c at offset at. */
static inline void found(struct scanner *s, enum dg_class c, uint64_t at)
{
	if (s->res.cls[c].count++ == 0)
		s->res.cls[c].first = at;
}

/* n occurrences of class c, the first at offset at (runs counted at once). */
static inline void found_n(struct scanner *s, enum dg_class c, uint64_t at,
			   uint64_t n)
{
	if (n == 0)
		return;
	if (s->res.cls[c].count == 0)
		s->res.cls[c].first = at;
	s->res.cls[c].count += n;
}

/* A new line starts at offset start, after terminator t. */
static inline void new_line(struct scanner *s, uint64_t start, enum term t)
{
	s->line_start = start;
	s->prev_term = t;
	s->ms = MS_START;
	s->kind = K_NONE;
	s->mid = false;
	s->lead_sp = 0;
	s->lead_tab = false;
	s->ndot = s->nnul = 0;
	s->t_valid = false;
	s->trig = false;
}

/*
 * scanner_window.c: settles whole windows from b[i]; returns where the
 * slow path resumes.
 */
size_t scanner_windows(struct scanner *s, const struct chunk *ck, size_t i);

/*
 * scanner_line.c: the exact logic from b[i] until at least lim; the
 * tail of an unfinished line carried into the next chunk; the end of
 * the body (a pending CR, the last line).
 */
size_t scanner_slow_until(struct scanner *s, const struct chunk *ck, size_t i,
			  size_t lim);
void scanner_carry_tail(struct scanner *s, const struct chunk *ck);
void scanner_end_body(struct scanner *s);

#endif
