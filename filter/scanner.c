/*
 * scanner.c: the streaming body scanner (see scanner.h): finds the byte
 * sequences behind SMTP smuggling in a message body handed over in
 * chunks, and the residue MTAs leave when they rewrite such sequences.
 *
 * NAME
 *	scanner - streaming detector of line-ending and end-of-data anomalies
 * SYNOPSIS
 *	#include "scanner.h"
 *
 *	struct scanner *scanner_new(size_t max_line_length);
 *	void scanner_reset(struct scanner *s);
 *	void scanner_push(struct scanner *s, const unsigned char *buf, size_t len);
 *	void scanner_finish(struct scanner *s, struct scan_result *out);
 *	void scanner_free(struct scanner *s);
 * DESCRIPTION
 *	The classes are those of contract section 5.  Where the contract
 *	leaves room, this module decides as follows.
 *
 *	Lines.  A line ends at CRLF, at a bare CR and at a bare LF.  The
 *	body start counts as the start of a line that follows a CRLF (the
 *	MTA's header/body separator), so ".\r\n" at offset 0 is a lone_dot
 *	and ".\n" there a smuggle_eod.  The end of the body ends a last,
 *	unterminated line as a CRLF would (the CRLF that opens the
 *	end-of-data sequence); a CR that is the last byte of the body is
 *	bare.  An LF at offset 0 is bare.
 *
 *	Dot lines.  A line that is exactly "." is lone_dot when the
 *	terminators on both sides are CRLF (or body start/end), smuggle_eod
 *	otherwise; this covers every listed form, "\r\n.\r\r\n" and
 *	"\r\r\n.\r\r\n" included (the dot line ends at a bare CR).  A line
 *	made of one dot and one or more NULs ("\0.", ".\0", "\0.\0") is a
 *	NUL-dot: smuggle_eod at the dot, whatever its terminators.
 *
 *	Commands.  Case-insensitive (ASCII), after leading spaces or tabs:
 *	"MAIL" then one or more spaces/tabs then "FROM:", anything after;
 *	"RCPT" spaces/tabs "TO:", anything after; "DATA" followed by
 *	nothing but spaces/tabs.  A transaction is a MAIL line, one or more
 *	RCPT lines, a DATA line, on consecutive lines; it counts once, when
 *	its DATA line ends, at the offset of the "M" of its MAIL.
 *
 *	Triggers.  The transaction is smuggled_transaction when the line
 *	just before its MAIL line is a trigger, else smtp_commands.
 *	Trigger lines: any dot line or NUL-dot line; a line made only of
 *	NULs (what Postfix leaves of ".\0" after dot-unstuffing); a
 *	non-empty line that, with trailing spaces removed, is empty, is
 *	".", or ends in " ." (this covers "a line of spaces with at most
 *	one dot" and "a line ending in ' .'", also when the MTA left a
 *	space after the dot, as Postfix does with "\r.\r\r\n").  The
 *	transaction is also smuggled when its MAIL FROM: follows " . "
 *	(then any spaces) on the same line, and when its MAIL line starts
 *	with exactly one space and its first RCPT line starts with no
 *	space or tab.  An empty line is no trigger and breaks a trigger,
 *	except the empty CRLF line right after a line ended by a bare CR:
 *	"\r\r\n" then acts as one terminator, as in the listed forms
 *	"\r\n.\r\r\n" + MAIL FROM.
 *
 *	Offsets are 0-based body offsets of all chunks concatenated;
 *	first is the CR, the LF, the dot, the NUL, the "M", or the first
 *	byte of the line, as the contract says.
 *
 *	Speed: the body is read in 64-byte windows, each turned into
 *	bitmasks of CR, LF, NUL, dot, space and the letters commands begin
 *	with (SSE2, or AVX2 / AVX-512 picked at run time on x86-64; a plain
 *	loop with DG_SCANNER_SCALAR or elsewhere).  A window of plain CRLF
 *	text, empty lines and lone dots, or of nothing but CR and LF, is
 *	settled from the masks alone (popcounts, the last LF); runs of NUL
 *	are counted at once.  Anything else (a command, residue, a bare CR
 *	or LF among text, max_line_length below 64) goes byte by byte
 *	through the line matcher from the first byte that needs it, with a
 *	vector skip over mid-line text.  Windows never end between CR and LF
 *	or inside a dot line, so the state at their edges is the one the
 *	byte path would have.  State across chunks is the last byte, a
 *	pending CR, the line's start offset and a few small fields: the
 *	body is never kept.
 * DIAGNOSTICS
 *	scanner_new() dies on out of memory (xmalloc); nothing else fails.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(DG_SCANNER_SCALAR)
#include <emmintrin.h>
#define DG_SCANNER_SSE2 1
#endif
/* AVX2 and AVX-512 copies of the window loop, chosen at run time. */
#if defined(DG_SCANNER_SSE2) && defined(__x86_64__) && defined(__GNUC__) \
    && !defined(DG_SCANNER_NO_DISPATCH)
#define DG_SCANNER_X86_DISPATCH 1
#endif

#include "scanner.h"
#include "util.h"

/* What ended a line (and so began the next one). */
enum term { T_CRLF, T_CR, T_LF, T_EOF };

/* The per-line matcher: it runs at line starts and after " .", and
 * hands over to the vector skip (MS_OTHER) as soon as it can. */
enum mstate {
	MS_START,		/* nothing of the line seen yet */
	MS_WS,			/* leading spaces/tabs */
	MS_WORD1,		/* "mail" / "rcpt" / "data" */
	MS_GAP,			/* spaces/tabs between the two words */
	MS_WORD2,		/* "from:" / "to:" */
	MS_DATA_TAIL,		/* "data" seen: only spaces/tabs may follow */
	MS_DOT,			/* only dots (at most one) and NULs so far */
	MS_OTHER,		/* mid-line: nothing to match until " ." */
	MS_SPDOT,		/* " ." seen mid-line: need a space */
	MS_SPDOT_WS		/* " . " seen: spaces, then "mail" */
};

/* What a line turned out to be. */
enum kind {
	K_NONE, K_EMPTY, K_MAIL, K_MAIL_MID, K_RCPT, K_DATA,
	K_DOT, K_NULDOT, K_NULONLY
};

enum kw { KW_MAIL, KW_RCPT, KW_DATA };

/* What precedes the last non-space byte of a line. */
enum before { B_LINESTART, B_SPACE, B_OTHER };

/* Where the transaction matcher is, over lines. */
enum seq { SEQ_NONE, SEQ_MAIL, SEQ_RCPT };

static const char *const word1[] = { "mail", "rcpt", "data" };
static const char *const word2[] = { "from:", "to:", "" };

struct scanner;
struct chunk;

/* Settles whole windows from b[i]; returns where the slow path resumes. */
typedef size_t windows_fn(struct scanner *s, const struct chunk *ck,
			  size_t i);

struct scanner {
	size_t maxlen;
	windows_fn *windows;		/* for this CPU, kept across resets */
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
	bool pending_trigger;		/* the previous line was a trigger */
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

static void found(struct scanner *s, enum dg_class c, uint64_t at)
{
	if (s->res.cls[c].count++ == 0)
		s->res.cls[c].first = at;
}

/* n occurrences of class c, the first at offset at (runs counted at once). */
static void found_n(struct scanner *s, enum dg_class c, uint64_t at,
		    uint64_t n)
{
	if (n == 0)
		return;
	if (s->res.cls[c].count == 0)
		s->res.cls[c].first = at;
	s->res.cls[c].count += n;
}

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* A pattern byte: letters compare case-insensitively, the rest exactly. */
static bool pat_eq(unsigned char c, char p)
{
	if (p >= 'a' && p <= 'z')
		return (c | 0x20) == (unsigned char)p;
	return c == (unsigned char)p;
}

static void new_line(struct scanner *s, uint64_t start, enum term t)
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
 * Line matcher, one byte (never CR or LF).  A byte that does not fit
 * the current state drops the matcher to MS_OTHER and is looked at again
 * there, since it may begin " ." itself.
 */
static bool start_word(struct scanner *s, unsigned char c, uint64_t at,
		       bool mid)
{
	for (int k = mid ? KW_MAIL : KW_DATA; k >= KW_MAIL; k--) {
		if (pat_eq(c, word1[k][0])) {
			s->kw = (enum kw)k;
			s->idx = 1;
			s->mid = mid;
			s->word_at = at;
			s->ms = MS_WORD1;
			return true;
		}
	}
	return false;
}

static unsigned lead_class(const struct scanner *s)
{
	if (s->lead_tab || s->lead_sp > 1)
		return 2;
	return s->lead_sp;
}

static bool match_step(struct scanner *s, unsigned char c, uint64_t at,
		       unsigned char prev)
{
	switch (s->ms) {
	case MS_START:
		if (c == '.' || c == '\0') {
			s->ms = MS_DOT;
			break;
		}
		s->ms = MS_WS;
		/* FALLTHROUGH */
	case MS_WS:
		if (c == ' ') {
			if (s->lead_sp < 2)
				s->lead_sp++;
			return true;
		}
		if (c == '\t') {
			s->lead_tab = true;
			return true;
		}
		return start_word(s, c, at, false);
	case MS_WORD1:
		if (!pat_eq(c, word1[s->kw][s->idx]))
			return false;
		if (word1[s->kw][++s->idx] == '\0') {
			s->ms = s->kw == KW_DATA ? MS_DATA_TAIL : MS_GAP;
			s->gap = 0;
		}
		return true;
	case MS_GAP:
		if (is_blank(c)) {
			s->gap = 1;
			return true;
		}
		if (s->gap == 0 || !pat_eq(c, word2[s->kw][0]))
			return false;
		s->ms = MS_WORD2;
		s->idx = 1;
		return true;
	case MS_WORD2:
		if (!pat_eq(c, word2[s->kw][s->idx]))
			return false;
		if (word2[s->kw][++s->idx] == '\0') {
			s->m_off = s->word_at;
			s->kind = s->mid ? K_MAIL_MID :
			    s->kw == KW_MAIL ? K_MAIL : K_RCPT;
			s->lead = s->mid ? 2 : lead_class(s);
			s->ms = MS_OTHER;
		}
		return true;
	case MS_DATA_TAIL:
		return is_blank(c);
	case MS_DOT:
		break;
	case MS_OTHER:
		if (c == '.' && prev == ' ')
			s->ms = MS_SPDOT;
		return true;
	case MS_SPDOT:
		if (c != ' ')
			return false;
		s->ms = MS_SPDOT_WS;
		return true;
	case MS_SPDOT_WS:
		if (is_blank(c))
			return true;
		return start_word(s, c, at, true);
	}
	/* MS_DOT */
	if (c == '.') {
		if (s->ndot++ > 0)
			return false;
		s->dot_off = at;
		return true;
	}
	if (c == '\0') {
		if (s->nnul < 2)
			s->nnul++;
		return true;
	}
	return false;
}

static void match_byte(struct scanner *s, unsigned char c, uint64_t at,
		       unsigned char prev)
{
	if (!match_step(s, c, at, prev)) {
		s->ms = MS_OTHER;
		(void)match_step(s, c, at, prev);
	}
}

/*
 * Tail of the line: the last non-space byte in b[lo, e) and what
 * precedes it.  Returns false when that range holds only spaces, in
 * which case the caller keeps what earlier chunks said.
 */
static bool tail_scan(const struct scanner *s, const struct chunk *ck,
		      size_t e, bool *valid, unsigned char *c,
		      enum before *before)
{
	size_t lo = s->line_start > ck->base ?
	    (size_t)(s->line_start - ck->base) : 0;
	size_t j = e;

	while (j > lo && ck->b[j - 1] == ' ')
		j--;
	if (j == lo)
		return false;
	*valid = true;
	*c = ck->b[j - 1];
	if (j - 1 > lo)
		*before = ck->b[j - 2] == ' ' ? B_SPACE : B_OTHER;
	else if (s->line_start >= ck->base)
		*before = B_LINESTART;
	else
		*before = s->prev == ' ' ? B_SPACE : B_OTHER;
	return true;
}

/* The line's content ends at chunk index e (a CR, an LF, or the end). */
static void content_end(struct scanner *s, const struct chunk *ck, size_t e)
{
	uint64_t at = ck->base + e;
	uint64_t len = at - s->line_start;
	bool valid = s->t_valid;
	unsigned char c = s->t_c;
	enum before before = s->t_before;

	if (len > s->maxlen)
		found(s, DG_CLASS_LONG_LINE, s->line_start);
	if (s->kind == K_NONE) {
		if (s->ms == MS_START)
			s->kind = K_EMPTY;
		else if (s->ms == MS_DATA_TAIL)
			s->kind = K_DATA;
		else if (s->ms == MS_DOT)
			s->kind = s->ndot == 0 ? K_NULONLY :
			    s->nnul == 0 ? K_DOT : K_NULDOT;
	}
	(void)tail_scan(s, ck, e, &valid, &c, &before);
	s->trig = s->kind == K_DOT || s->kind == K_NULDOT ||
	    s->kind == K_NULONLY ||
	    (len > 0 && (!valid || (c == '.' && before != B_OTHER)));
}

/* Transactions over lines: MAIL, RCPT..., DATA. */
static void seq_line(struct scanner *s)
{
	switch (s->kind) {
	case K_MAIL:
	case K_MAIL_MID:
		s->seq = SEQ_MAIL;
		s->seq_m_off = s->m_off;
		s->seq_trig = s->kind == K_MAIL_MID || s->pending_trigger;
		s->seq_onespace = s->lead == 1;
		return;
	case K_RCPT:		/* a RCPT outside a transaction leaves SEQ_NONE */
		if (s->seq == SEQ_MAIL) {
			if (s->seq_onespace && s->lead == 0)
				s->seq_trig = true;
			s->seq = SEQ_RCPT;
		}
		return;
	case K_DATA:
		if (s->seq == SEQ_RCPT)
			found(s, s->seq_trig ? DG_CLASS_SMUGGLED_TRANSACTION :
			      DG_CLASS_SMTP_COMMANDS, s->seq_m_off);
		/* FALLTHROUGH */
	default:
		s->seq = SEQ_NONE;
		return;
	}
}

/* The terminator of the line is known: settle what depends on it. */
static void finalize(struct scanner *s, enum term t)
{
	if (s->kind == K_DOT) {
		if (s->prev_term == T_CRLF && (t == T_CRLF || t == T_EOF))
			found(s, DG_CLASS_LONE_DOT, s->dot_off);
		else
			found(s, DG_CLASS_SMUGGLE_EOD, s->dot_off);
	} else if (s->kind == K_NULDOT) {
		found(s, DG_CLASS_SMUGGLE_EOD, s->dot_off);
	}
	seq_line(s);
	/* "\r\r\n" after a trigger line: the CRLF line belongs to it. */
	if (!(s->kind == K_EMPTY && t == T_CRLF && s->prev_term == T_CR))
		s->pending_trigger = s->trig;
}

/* The first index >= i in b[0, n) whose byte is not c. */
static size_t span_byte(const unsigned char *b, size_t i, size_t n,
			unsigned char c)
{
#ifdef DG_SCANNER_SSE2
	const __m128i v = _mm_set1_epi8((char)c);

	for (; i + 16 <= n; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(b + i));
		unsigned eq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, v));

		if (eq != 0xffff)
			return i + (size_t)__builtin_ctz(~eq);
	}
#endif
	while (i < n && b[i] == c)
		i++;
	return i;
}

/*
 * A run of NULs from b[i]: each is a nul, but after two of them the line
 * matcher no longer changes (MS_DOT saturates its NUL count, any other
 * state has dropped to MS_OTHER), so the rest is only counted.
 */
static size_t nul_run(struct scanner *s, const struct chunk *ck, size_t i)
{
	size_t k = span_byte(ck->b, i, ck->len, '\0') - i;
	uint64_t at = ck->base + i;

	match_byte(s, '\0', at, i > 0 ? ck->b[i - 1] : s->prev);
	if (k >= 2)
		match_byte(s, '\0', at + 1, '\0');
	found_n(s, DG_CLASS_NUL, at, k);
	return k;
}

/*
 * One byte that the skip loop stopped at, or that the matcher wants;
 * returns how many bytes it consumed (2 for a CRLF seen whole, all of a
 * run of NULs).
 */
static size_t step(struct scanner *s, const struct chunk *ck, size_t i)
{
	unsigned char c = ck->b[i];
	uint64_t at = ck->base + i;

	if (c == '\r' && !s->pending_cr && i + 1 < ck->len && ck->b[i + 1] == '\n') {
		content_end(s, ck, i);
		finalize(s, T_CRLF);
		new_line(s, at + 2, T_CRLF);
		return 2;
	}
	if (s->pending_cr) {
		s->pending_cr = false;
		if (c == '\n') {
			finalize(s, T_CRLF);
			new_line(s, at + 1, T_CRLF);
			return 1;
		}
		found(s, DG_CLASS_BARE_CR, at - 1);
		finalize(s, T_CR);
		new_line(s, at, T_CR);
	}
	if (c == '\r') {
		content_end(s, ck, i);
		s->pending_cr = true;
		return 1;
	}
	if (c == '\n') {
		found(s, DG_CLASS_BARE_LF, at);
		content_end(s, ck, i);
		finalize(s, T_LF);
		new_line(s, at + 1, T_LF);
		return 1;
	}
	if (c == '\0')
		return nul_run(s, ck, i);
	match_byte(s, c, at, i > 0 ? ck->b[i - 1] : s->prev);
	return 1;
}

/*
 * The common case, a CRLF ending a line of plain text: no command, no
 * dot or NUL line, and a last byte that is neither space nor dot (so no
 * residue trigger).  Settles the line as step() would, in fewer steps.
 */
static bool plain_crlf(struct scanner *s, const struct chunk *ck, size_t i)
{
	uint64_t at = ck->base + i;
	unsigned char last;

	if (ck->b[i] != '\r' || i + 1 >= ck->len || ck->b[i + 1] != '\n'
	    || s->kind != K_NONE || i == 0 || s->line_start >= at)
		return false;
	last = ck->b[i - 1];
	if (last == ' ' || last == '.')
		return false;
	if (at - s->line_start > s->maxlen)
		found(s, DG_CLASS_LONG_LINE, s->line_start);
	s->seq = SEQ_NONE;
	s->pending_trigger = false;
	new_line(s, at + 2, T_CRLF);
	return true;
}

/*
 * Bytes that can begin a line the matcher cares about: blanks, the
 * first letters of the commands, dot and NUL, and the terminators.  Any
 * other first byte sends the line straight to the skip loop.
 */
static const unsigned char line_lead[256] = {
	['\0'] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1, [' '] = 1, ['.'] = 1,
	['M'] = 1, ['m'] = 1, ['R'] = 1, ['r'] = 1, ['D'] = 1, ['d'] = 1,
};

/*
 * The skip: the first index >= i of a byte that matters mid-line: CR,
 * LF, NUL, or a dot after a space.  prev is the byte before b[i].
 */
static size_t skip_plain(const unsigned char *b, size_t i, size_t n,
			 unsigned char prev)
{
	if (i >= n)
		return n;
	if (b[i] == '\r' || b[i] == '\n' || b[i] == '\0'
	    || (b[i] == '.' && prev == ' '))
		return i;
	i++;
#ifdef DG_SCANNER_SSE2
	{
		const __m128i cr = _mm_set1_epi8('\r');
		const __m128i lf = _mm_set1_epi8('\n');
		const __m128i zero = _mm_setzero_si128();
		const __m128i dot = _mm_set1_epi8('.');
		const __m128i sp = _mm_set1_epi8(' ');

		for (; i + 32 <= n; i += 32) {
			__m128i v0 = _mm_loadu_si128((const __m128i *)(b + i));
			__m128i v1 = _mm_loadu_si128((const __m128i *)(b + i + 16));
			__m128i w0 = _mm_loadu_si128((const __m128i *)(b + i - 1));
			__m128i w1 = _mm_loadu_si128((const __m128i *)(b + i + 15));
			__m128i m0 = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v0, cr), _mm_cmpeq_epi8(v0, lf)),
			    _mm_or_si128(_mm_cmpeq_epi8(v0, zero),
					 _mm_and_si128(_mm_cmpeq_epi8(v0, dot),
						       _mm_cmpeq_epi8(w0, sp))));
			__m128i m1 = _mm_or_si128(
			    _mm_or_si128(_mm_cmpeq_epi8(v1, cr), _mm_cmpeq_epi8(v1, lf)),
			    _mm_or_si128(_mm_cmpeq_epi8(v1, zero),
					 _mm_and_si128(_mm_cmpeq_epi8(v1, dot),
						       _mm_cmpeq_epi8(w1, sp))));
			unsigned mask = (unsigned)_mm_movemask_epi8(m0)
			    | ((unsigned)_mm_movemask_epi8(m1) << 16);

			if (mask != 0)
				return i + (size_t)__builtin_ctz(mask);
		}
	}
#endif
	for (; i < n; i++) {
		unsigned char c = b[i];

		if (c == '\r' || c == '\n' || c == '\0'
		    || (c == '.' && b[i - 1] == ' '))
			return i;
	}
	return n;
}

/* ---------------------------------------------------------------------
 * Windows: 64 bytes at a time, judged from bitmasks (bit k = byte k).
 * ------------------------------------------------------------------- */

#define WIN 64

/*
 * The helpers of the window path are inlined into one loop per
 * instruction set (windows_base(), windows_avx2(), windows_avx512()), so
 * that each copy is compiled for the vector unit it runs on.
 */
#define INLINE static inline __attribute__((always_inline))

/* Where in a window the bytes that shape lines are. */
struct wmask {
	uint64_t cr, lf, nul, dot, sp;
	uint64_t lead;		/* tab, and M, R, D in either case */
};

/* A builder of the masks of the 64 bytes at p. */
typedef void wmask_fn(const unsigned char *p, struct wmask *m);

INLINE void wmask_scalar(const unsigned char *p, struct wmask *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN; k++) {
		uint64_t bit = (uint64_t)1 << k;
		unsigned char l = p[k] | 0x20;

		m->cr |= p[k] == '\r' ? bit : 0;
		m->lf |= p[k] == '\n' ? bit : 0;
		m->nul |= p[k] == '\0' ? bit : 0;
		m->dot |= p[k] == '.' ? bit : 0;
		m->sp |= p[k] == ' ' ? bit : 0;
		m->lead |= p[k] == '\t' || l == 'm' || l == 'r' || l == 'd' ?
		    bit : 0;
	}
}

#ifdef DG_SCANNER_SSE2
/* 16 bytes of mask from a comparison, placed at bit 16 * k. */
INLINE uint64_t mask16(__m128i eq, unsigned k)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(eq) << (16 * k);
}

INLINE void wmask_sse2(const unsigned char *p, struct wmask *m)
{
	const __m128i low = _mm_set1_epi8(0x20);

	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN / 16; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i l = _mm_or_si128(v, low);
		__m128i lead = _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')),
				 _mm_cmpeq_epi8(l, _mm_set1_epi8('m'))),
		    _mm_or_si128(_mm_cmpeq_epi8(l, _mm_set1_epi8('r')),
				 _mm_cmpeq_epi8(l, _mm_set1_epi8('d'))));

		m->cr |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), k);
		m->lf |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), k);
		m->nul |= mask16(_mm_cmpeq_epi8(v, _mm_setzero_si128()), k);
		m->dot |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), k);
		m->sp |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), k);
		m->lead |= mask16(lead, k);
	}
}
#endif

#ifdef DG_SCANNER_X86_DISPATCH
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,popcnt,bmi,lzcnt")))
#define AVX512 __attribute__((target("avx512f,avx512bw,popcnt,bmi,lzcnt")))

AVX2 static inline uint64_t mask32(__m256i eq, unsigned k)
{
	return (uint64_t)(unsigned)_mm256_movemask_epi8(eq) << (32 * k);
}

AVX2 static inline void wmask_avx2(const unsigned char *p, struct wmask *m)
{
	const __m256i low = _mm256_set1_epi8(0x20);

	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN / 32; k++) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(p + 32 * k));
		__m256i l = _mm256_or_si256(v, low);
		__m256i lead = _mm256_or_si256(
		    _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\t')),
				    _mm256_cmpeq_epi8(l, _mm256_set1_epi8('m'))),
		    _mm256_or_si256(_mm256_cmpeq_epi8(l, _mm256_set1_epi8('r')),
				    _mm256_cmpeq_epi8(l, _mm256_set1_epi8('d'))));

		m->cr |= mask32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\r')), k);
		m->lf |= mask32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('\n')), k);
		m->nul |= mask32(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()), k);
		m->dot |= mask32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')), k);
		m->sp |= mask32(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(' ')), k);
		m->lead |= mask32(lead, k);
	}
}

AVX512 static inline uint64_t eq64(__m512i v, char c)
{
	return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c));
}

AVX512 static inline void wmask_avx512(const unsigned char *p,
				       struct wmask *m)
{
	__m512i v = _mm512_loadu_si512((const void *)p);
	__m512i l = _mm512_or_si512(v, _mm512_set1_epi8(0x20));

	m->cr = eq64(v, '\r');
	m->lf = eq64(v, '\n');
	m->nul = eq64(v, '\0');
	m->dot = eq64(v, '.');
	m->sp = eq64(v, ' ');
	m->lead = eq64(v, '\t') | eq64(l, 'm') | eq64(l, 'r') | eq64(l, 'd');
}
#endif

INLINE unsigned ctz64(uint64_t x)
{
	return x == 0 ? WIN : (unsigned)__builtin_ctzll(x);
}

INLINE unsigned top64(uint64_t x)	/* index of the highest set bit */
{
	return 63u - (unsigned)__builtin_clzll(x);
}

INLINE unsigned pop64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}

INLINE uint64_t below(unsigned n)	/* bits 0 .. n-1 */
{
	return n >= WIN ? ~(uint64_t)0 : ((uint64_t)1 << n) - 1;
}

/* The 4 bytes at p as a number, the same on any byte order. */
INLINE uint32_t word4(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * Does the line starting at b[k], whose first byte is a tab or one of
 * M, R, D, start as plain text?  Yes unless it is a tab or the line
 * begins "mail", "rcpt" or "data" in any case (OR 0x20 lowers exactly
 * the ASCII letters here).  Four bytes must be in the chunk to know;
 * if not, the slow path decides.
 */
INLINE bool plain_letter(const struct chunk *ck, size_t k)
{
	static const unsigned char kw[3][4] = { "mail", "rcpt", "data" };
	uint32_t w;

	if (ck->b[k] == '\t' || ck->len - k < 4)
		return false;
	w = word4(ck->b + k) | 0x20202020u;
	return w != word4(kw[0]) && w != word4(kw[1]) && w != word4(kw[2]);
}

/* Do all the lines starting at b[i + k], k in letters, start plainly? */
INLINE bool plain_letters(const struct chunk *ck, size_t i, uint64_t letters)
{
	for (; letters != 0; letters &= letters - 1)
		if (!plain_letter(ck, i + ctz64(letters)))
			return false;
	return true;
}

/*
 * The state a window can be settled from by masks alone: no CR pending,
 * nothing matched on the current line, and either mid-line in MS_OTHER
 * or at a line start.
 */
INLINE bool plain_entry(const struct scanner *s)
{
	return s->maxlen >= WIN && !s->pending_cr && s->kind == K_NONE &&
	    (s->ms == MS_OTHER || s->ms == MS_START);
}

/*
 * The bytes of the window at b[i] that need the exact per-byte logic,
 * as a mask: a NUL; an LF not after a CR; a CR not before an LF (bit 63
 * too, whose next byte is in the next window); a CR or a dot after a
 * space (residue triggers, " . MAIL"); a line start that is not plain
 * text, an empty CRLF line or a lone dot line ".\r\n" (dots: lone dot
 * lines wholly inside the window).  Every terminator inside the window
 * is a CRLF, so an empty line or a dot line there follows a CRLF.
 */
INLINE uint64_t window_bad(const struct scanner *s, const struct chunk *ck,
			   size_t i, const struct wmask *m, uint64_t starts,
			   uint64_t dots)
{
	unsigned char before = i > 0 ? ck->b[i - 1] : s->prev;
	uint64_t spb = m->sp << 1 | (before == ' ');
	uint64_t bad, letters;

	/*
	 * An LF at bit 0 counts as bare: b[i - 1] is never a CR whose LF
	 * is still to come, since neither path stops between the two.
	 */
	bad = m->nul | (m->lf & ~(m->cr << 1)) | (m->cr & ~(m->lf >> 1)) |
	    ((m->cr | m->dot) & spb) | (starts & ~dots & (m->sp | m->dot));
	if ((starts & 1) && s->prev_term != T_CRLF)
		bad |= 1;	/* "\r\r\n" and bare-ended dot lines: slow */
	letters = starts & m->lead & below(ctz64(bad));
	while (letters != 0) {
		unsigned k = ctz64(letters);

		if (!plain_letter(ck, i + k))
			return bad | (uint64_t)1 << k;
		letters &= letters - 1;
	}
	return bad;
}

/*
 * Settles the window at b[i] (64 bytes in the chunk) up to its first
 * byte that needs the exact logic, from the state plain_entry() allows.
 * Lines inside are plain text ending in CRLF, empty CRLF lines and lone
 * dots: each ends with seq reset and no trigger pending, except that a
 * lone dot line leaves a trigger for the next line, as finalize() does.
 * Only the first line can be long (the others are shorter than 64 <=
 * maxlen).  Never stops inside a dot line or between CR and LF.
 * Returns the bytes settled, 0 when the window starts with trouble.
 */
INLINE size_t plain_window(struct scanner *s, const struct chunk *ck,
			   size_t i, const struct wmask *m)
{
	uint64_t at = ck->base + i;
	uint64_t starts = m->lf << 1 | (s->ms == MS_START);
	uint64_t dots = starts & m->dot & m->cr >> 1 & below(WIN - 2);
	unsigned n = ctz64(window_bad(s, ck, i, m, starts, dots)), last;
	uint64_t lf, done;

	if (n > 0 && (dots >> (n - 1) & 1))
		n--;		/* not the dot without its CRLF */
	if (n == 0)
		return 0;
	done = below(n);
	if ((m->cr & done) != 0 &&
	    at + ctz64(m->cr) - s->line_start > s->maxlen)
		found(s, DG_CLASS_LONG_LINE, s->line_start);
	if ((dots & done) != 0)
		found_n(s, DG_CLASS_LONE_DOT, at + ctz64(dots),
			pop64(dots & done));
	lf = m->lf & done;
	if (lf == 0) {
		s->ms = MS_OTHER;	/* the first byte was plain text */
		return n;
	}
	last = top64(lf);
	s->seq = SEQ_NONE;
	s->pending_trigger = last >= 2 && (dots >> (last - 2) & 1);
	new_line(s, at + last + 1, T_CRLF);
	if (last + 1 < n)
		s->ms = MS_OTHER;
	return n;
}

/*
 * A run of CRs and LFs at the start of the window, entered at a line
 * start or with a pending CR that ended an empty line: every line it
 * ends is empty.  Empty lines only count bare CRs and LFs and reset seq;
 * from two lines on the trigger is off too (an empty line keeps it only
 * as the CRLF after a bare CR, and of two lines in a row one is not
 * that).  A CR that ends the run is left pending, as step() leaves it.
 * Returns the bytes settled, 0 to leave the window to the slow path.
 */
INLINE size_t empty_run(struct scanner *s, const struct chunk *ck, size_t i,
			const struct wmask *m)
{
	uint64_t at = ck->base + i, run, cr, lf, done_cr, bare_cr, bare_lf;
	bool cin = s->pending_cr, cin_bare, tail_cr;
	unsigned r = ctz64(~(m->cr | m->lf)), end;
	enum term t;

	if (cin ? s->kind != K_EMPTY || s->line_start + 1 != at :
	    s->ms != MS_START || s->kind != K_NONE)
		return 0;
	if (r == 0)
		return 0;
	run = below(r);
	cr = m->cr & run;
	lf = m->lf & run;
	tail_cr = cr >> (r - 1) & 1;
	done_cr = cr & ~((uint64_t)tail_cr << (r - 1));
	bare_cr = done_cr & ~(lf >> 1);
	cin_bare = cin && !(lf & 1);
	bare_lf = lf & ~(cr << 1 | cin);
	if (pop64(bare_cr) + cin_bare + pop64(lf) < 2)
		return 0;
	if (bare_cr != 0 || cin_bare)
		found_n(s, DG_CLASS_BARE_CR,
			cin_bare ? at - 1 : at + ctz64(bare_cr),
			pop64(bare_cr) + cin_bare);
	if (bare_lf != 0)
		found_n(s, DG_CLASS_BARE_LF, at + ctz64(bare_lf),
			pop64(bare_lf));
	/* The last terminator: an LF (after a CR or not) or a bare CR. */
	if (lf != 0 && (bare_cr == 0 || top64(lf) > top64(bare_cr))) {
		end = top64(lf) + 1;
		t = (bare_lf >> (end - 1) & 1) ? T_LF : T_CRLF;
	} else {
		end = top64(bare_cr) + 1;
		t = T_CR;
	}
	s->seq = SEQ_NONE;
	s->pending_trigger = false;
	s->pending_cr = false;
	new_line(s, at + end, t);
	if (tail_cr) {
		s->kind = K_EMPTY;	/* content_end() of an empty line */
		s->pending_cr = true;
	}
	return r;
}

/*
 * The common case first: a run of windows that are wholly plain text
 * (as plain_window() would settle them in full, with no line start that
 * is a dot or a blank), kept in locals: the line start and
 * the bits carried to the next window (a space, a line start).  *mp
 * holds the masks of the window at b[i]; at the first window with
 * anything else it stops, leaving that window's masks in *mp for
 * plain_window() to judge.
 */
INLINE size_t quick_windows(struct scanner *s, const struct chunk *ck,
			    size_t i, wmask_fn *build, struct wmask *mp)
{
	uint64_t line_start = s->line_start, sp_in, start_in;
	bool ended = false;
	size_t i0 = i;

	sp_in = (i > 0 ? ck->b[i - 1] : s->prev) == ' ';
	start_in = s->ms == MS_START;
	for (;;) {
		uint64_t at = ck->base + i, starts, bad;
		struct wmask m = *mp;

		starts = m.lf << 1 | start_in;
		bad = m.nul | (m.lf ^ m.cr << 1) | m.cr >> 63 |
		    ((m.cr | m.dot) & (m.sp << 1 | sp_in)) |
		    (starts & (m.sp | m.dot));
		if (bad != 0 || !plain_letters(ck, i, starts & m.lead))
			break;
		if (m.cr != 0 && at + ctz64(m.cr) - line_start > s->maxlen)
			found(s, DG_CLASS_LONG_LINE, line_start);
		if (m.lf != 0) {
			line_start = at + top64(m.lf) + 1;
			ended = true;
		}
		sp_in = m.sp >> 63;
		start_in = m.lf >> 63;
		i += WIN;
		if (ck->len - i < WIN)
			break;
		build(ck->b + i, mp);
	}
	if (ended) {
		s->seq = SEQ_NONE;
		s->pending_trigger = false;
		new_line(s, line_start, T_CRLF);
	}
	if (i > i0 && line_start != ck->base + i)
		s->ms = MS_OTHER;
	return i;
}

/*
 * Windows from b[i] for as long as masks can settle them; returns where
 * the slow path must take over (or the chunk's last, short window).
 */
INLINE size_t windows(struct scanner *s, const struct chunk *ck, size_t i,
		      wmask_fn *build)
{
	while (ck->len - i >= WIN) {
		bool plain = plain_entry(s);
		struct wmask m;
		size_t n = 0;

		if (!plain && !s->pending_cr && s->ms != MS_START)
			break;
		build(ck->b + i, &m);
		/* m stays the masks of the window at i */
		if (plain && (s->ms != MS_START || s->prev_term == T_CRLF) &&
		    ck->len - (i = quick_windows(s, ck, i, build, &m)) < WIN)
			break;
		if (plain)
			n = plain_window(s, ck, i, &m);
		if (n == 0 && (n = empty_run(s, ck, i, &m)) == 0)
			break;
		i += n;
	}
	return i;
}

static size_t windows_base(struct scanner *s, const struct chunk *ck,
			   size_t i)
{
#ifdef DG_SCANNER_SSE2
	return windows(s, ck, i, wmask_sse2);
#else
	return windows(s, ck, i, wmask_scalar);
#endif
}

#ifdef DG_SCANNER_X86_DISPATCH
AVX2 static size_t windows_avx2(struct scanner *s, const struct chunk *ck,
				size_t i)
{
	return windows(s, ck, i, wmask_avx2);
}

AVX512 static size_t windows_avx512(struct scanner *s,
				    const struct chunk *ck, size_t i)
{
	return windows(s, ck, i, wmask_avx512);
}
#endif

/* The window loop for this CPU's vector unit. */
static windows_fn *windows_pick(void)
{
#ifdef DG_SCANNER_X86_DISPATCH
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512bw"))
		return windows_avx512;
	if (__builtin_cpu_supports("avx2"))
		return windows_avx2;
#endif
	return windows_base;
}

/*
 * The exact logic from b[i] until at least lim: the vector skip over
 * mid-line text, the plain CRLF shortcut, and step() for the rest.
 */
static size_t slow_until(struct scanner *s, const struct chunk *ck, size_t i,
			 size_t lim)
{
	const unsigned char *buf = ck->b;

	while (i < lim) {
		if (!s->pending_cr) {
			if (s->ms == MS_START && !line_lead[buf[i]])
				s->ms = MS_OTHER;
			if (s->ms == MS_OTHER) {
				i = skip_plain(buf, i, ck->len,
					       i > 0 ? buf[i - 1] : s->prev);
				if (i == ck->len)
					break;
				if (plain_crlf(s, ck, i)) {
					i += 2;
					continue;
				}
			}
		}
		i += step(s, ck, i);
	}
	return i;
}

struct scanner *scanner_new(size_t max_line_length)
{
	struct scanner *s = xmalloc(sizeof(*s));

	s->maxlen = max_line_length;
	s->windows = windows_pick();
	scanner_reset(s);
	return s;
}

void scanner_reset(struct scanner *s)
{
	size_t maxlen = s->maxlen;
	windows_fn *pick = s->windows;

	memset(s, 0, sizeof(*s));
	s->maxlen = maxlen;
	s->windows = pick;
	s->prev = '\n';
	s->seq = SEQ_NONE;
	new_line(s, 0, T_CRLF);
}

void scanner_push(struct scanner *s, const unsigned char *buf, size_t len)
{
	struct chunk ck = { buf, len, s->off };
	size_t i = 0;

	if (len == 0)
		return;
	while (i < len) {
		i = s->windows(s, &ck, i);
		if (i < len)
			i = slow_until(s, &ck, i, len - i > WIN ? i + WIN : len);
	}
	/* Carry the tail of an unfinished line into the next chunk. */
	if (!s->pending_cr)
		(void)tail_scan(s, &ck, len, &s->t_valid, &s->t_c, &s->t_before);
	s->prev = buf[len - 1];
	s->off += len;
}

void scanner_finish(struct scanner *s, struct scan_result *out)
{
	struct chunk ck = { NULL, 0, s->off };

	if (s->pending_cr) {
		s->pending_cr = false;
		found(s, DG_CLASS_BARE_CR, s->off - 1);
		finalize(s, T_CR);
		new_line(s, s->off, T_CR);
	}
	if (s->line_start < s->off) {
		content_end(s, &ck, 0);
		finalize(s, T_EOF);
		new_line(s, s->off, T_EOF);
	}
	*out = s->res;
	out->size = s->off;
}

void scanner_free(struct scanner *s)
{
	free(s);
}
