/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner_line.c: the body scanner's exact path (see scanner.c for the
 * module and the rules it applies, scanner_impl.h for what its files
 * share): the per-byte line matcher, the settling of each line at its
 * terminator (dot lines, triggers, transactions), and the byte loop
 * that drives them, with a vector skip over mid-line text and runs of
 * NUL counted at once.  scanner.c hands it whatever the window path
 * (scanner_window.c) leaves, the tail of each chunk, and the end of the
 * body.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner.h"
#include "scanner_impl.h"

static const char *const word1[] = { "mail", "rcpt", "data", "bdat" };
static const char *const word2[] = { "from:", "to:", "", "last" };

static bool is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A pattern byte: letters compare case-insensitively, the rest exactly. */
static bool pat_eq(unsigned char c, char p)
{
	if (p >= 'a' && p <= 'z')
		return (c | 0x20) == (unsigned char)p;
	return c == (unsigned char)p;
}

/*
 * Line matcher, one byte (never CR or LF).  A byte that does not fit
 * the current state drops the matcher to MS_OTHER and is looked at again
 * there, since it may begin " ." itself.
 */
static bool start_word(struct scanner *s, unsigned char c, uint64_t at,
		       bool mid)
{
	for (int k = mid ? KW_MAIL : KW_BDAT; k >= KW_MAIL; k--) {
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

/* MS_WS: leading blanks (counted for the one-space rule), then a command. */
static bool lead_step(struct scanner *s, unsigned char c, uint64_t at)
{
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
}

/* MS_WORD1: the rest of "mail", "rcpt" or "data". */
static bool word1_step(struct scanner *s, unsigned char c)
{
	if (!pat_eq(c, word1[s->kw][s->idx]))
		return false;
	if (word1[s->kw][++s->idx] == '\0') {
		s->ms = s->kw == KW_DATA ? MS_DATA_TAIL : MS_GAP;
		s->gap = 0;
	}
	return true;
}

/*
 * MS_GAP: at least one blank, then the first letter of "from:" / "to:",
 * or for BDAT the first digit of its chunk size (RFC 3030: at least one).
 */
static bool gap_step(struct scanner *s, unsigned char c)
{
	if (is_blank(c)) {
		s->gap = 1;
		return true;
	}
	if (s->gap == 0)
		return false;
	if (s->kw == KW_BDAT) {
		s->ms = MS_NUM;
		return is_digit(c);
	}
	if (!pat_eq(c, word2[s->kw][0]))
		return false;
	s->ms = MS_WORD2;
	s->idx = 1;
	return true;
}

/* MS_NUM, MS_NUM_WS: BDAT's digits, blanks, then "last" or nothing. */
static bool num_step(struct scanner *s, unsigned char c)
{
	if (is_blank(c)) {
		s->ms = MS_NUM_WS;
		return true;
	}
	if (s->ms == MS_NUM)
		return is_digit(c);
	s->ms = MS_WORD2;
	s->idx = 1;
	return pat_eq(c, word2[KW_BDAT][0]);
}

/*
 * MS_WORD2: the rest of "from:" / "to:", then the line is a command;
 * or of BDAT's "last", after which only blanks may follow.
 */
static bool word2_step(struct scanner *s, unsigned char c)
{
	if (!pat_eq(c, word2[s->kw][s->idx]))
		return false;
	if (word2[s->kw][++s->idx] != '\0')
		return true;
	if (s->kw == KW_BDAT) {
		s->ms = MS_DATA_TAIL;
		return true;
	}
	s->m_off = s->word_at;
	s->kind = s->mid ? K_MAIL_MID : s->kw == KW_MAIL ? K_MAIL : K_RCPT;
	s->lead = s->mid ? 2 : lead_class(s);
	s->ms = MS_OTHER;
	return true;
}

/* MS_DOT: at most one dot among NULs. */
static bool dot_step(struct scanner *s, unsigned char c, uint64_t at)
{
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

static bool match_step(struct scanner *s, unsigned char c, uint64_t at,
		       unsigned char prev)
{
	switch (s->ms) {
	case MS_START:
		if (c == '.' || c == '\0') {
			s->ms = MS_DOT;
			return dot_step(s, c, at);
		}
		s->ms = MS_WS;
		/* FALLTHROUGH */
	case MS_WS:
		return lead_step(s, c, at);
	case MS_WORD1:
		return word1_step(s, c);
	case MS_GAP:
		return gap_step(s, c);
	case MS_WORD2:
		return word2_step(s, c);
	case MS_DATA_TAIL:
		return is_blank(c);
	case MS_NUM:
	case MS_NUM_WS:
		return num_step(s, c);
	case MS_DOT:
		return dot_step(s, c, at);
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
		else if (s->ms == MS_DATA_TAIL || s->ms == MS_NUM ||
			 s->ms == MS_NUM_WS)
			s->kind = K_DATA;	/* DATA, BDAT n [LAST] */
		else if (s->ms == MS_DOT)
			s->kind = s->ndot == 0 ? K_NULONLY :
			    s->nnul == 0 ? K_DOT : K_NULDOT;
	}
	(void)tail_scan(s, ck, e, &valid, &c, &before);
	s->trig = s->kind == K_DOT || s->kind == K_NULDOT ||
	    s->kind == K_NULONLY ||
	    (len > 0 && (!valid || (c == '.' && before != B_OTHER)));
}

/*
 * Transactions over lines: MAIL, RCPT..., then DATA or BDAT, whose
 * first chunk starts the message as DATA does (with or without LAST).
 */
static void seq_line(struct scanner *s)
{
	switch (s->kind) {
	case K_MAIL:
	case K_MAIL_MID:
		s->seq = SEQ_MAIL;
		s->seq_m_off = s->m_off;
		s->seq_trig = s->kind == K_MAIL_MID || s->pending != P_NONE;
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
	if (s->kind == K_EMPTY && t == T_CRLF && s->prev_term == T_CR)
		return;
	/*
	 * Up to two empty lines may follow a trigger: test tools send CRLF
	 * or CRLF CRLF after the end-of-data sequence, which Postfix leaves
	 * as one or (after a sequence that ends in CRLF itself) two empty
	 * lines between the residue and MAIL.  A third breaks the trigger.
	 */
	if (s->trig)
		s->pending = P_TRIG;
	else if (s->kind == K_EMPTY)
		s->pending = pend_after_empty(s->pending);
	else
		s->pending = P_NONE;
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
	s->pending = P_NONE;
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
	['B'] = 1, ['b'] = 1,
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

/*
 * The exact logic from b[i] until at least lim: the vector skip over
 * mid-line text, the plain CRLF shortcut, and step() for the rest.
 */
size_t scanner_slow_until(struct scanner *s, const struct chunk *ck, size_t i,
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

/* Carry the tail of an unfinished line into the next chunk. */
void scanner_carry_tail(struct scanner *s, const struct chunk *ck)
{
	if (!s->pending_cr)
		(void)tail_scan(s, ck, ck->len, &s->t_valid, &s->t_c,
				&s->t_before);
}

/*
 * The end of the body: a CR still pending is bare, and an unterminated
 * last line ends as at a CRLF (see "Lines" in scanner.c).
 */
void scanner_end_body(struct scanner *s)
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
}
