/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner_window.c: the body scanner's fast path (see scanner.c for the
 * module and scanner_impl.h for what it must leave to the slow path):
 * 64 bytes at a time, judged from bitmasks (bit k = byte k).  The masks
 * and their builder are in scanner_wmask.h; this file judges what they
 * say about the lines of a window.
 *
 * SYNOPSIS
 *	#include "scanner_impl.h"
 *
 *	size_t scanner_windows(struct scanner *s, const struct chunk *ck,
 *			       size_t i);
 * DESCRIPTION
 *	scanner_windows() settles whole windows of the chunk from b[i] and
 *	returns where the exact matcher must resume.
 *
 *	Each window becomes bitmasks of CR, LF, NUL, dot, space and the
 *	places a command may begin (a tab, or the first two letters of
 *	MAIL, RCPT, DATA, BDAT).  A window of plain CRLF text, empty
 *	lines and lone dots, or of nothing but CR and LF, is settled from
 *	the masks alone (popcounts, the last LF); a run of plain text
 *	windows is settled in a tight loop of its own with its state in
 *	locals, and without branches on what varies from window to window
 *	of text.  Anything else (a command, residue, a bare CR or LF among
 *	text, a NUL, max_line_length below 64) is handed back to the exact
 *	matcher in scanner_line.c at the first byte that needs it.  Windows
 *	never end between CR and LF or inside a dot line, so the state at
 *	their edges is the one the byte path would have.
 *
 *	The mask builder is SSE2, which every x86-64 CPU has.  AVX2 and
 *	AVX-512 copies picked at run time scanned text up to 5 times
 *	faster but saved about 1 us on a 4 KB message and 0.3-0.4 ms on a
 *	1 MB one: they were removed (README.md, "What it costs").
 *
 *	The window loop and the quick loop stay in this one file: the
 *	window loop must see the quick loop it calls.  With the quick loops
 *	in a file of their own (tried), runs of CR and LF, which never enter
 *	them, went 20-25% slower: the window loop's code around the call got
 *	worse.
 */
#include <stdbool.h>
#include <stdint.h>

#include "scanner_impl.h"
#include "scanner_wmask.h"

/* How far ahead of the window loop to prefetch, in bytes. */
#define PREFETCH 1024

/* The 4 bytes at p as a number, the same on any byte order. */
INLINE uint32_t word4(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/*
 * Does the line starting at b[k], whose first byte is a tab or one of
 * M, R, D, B, start as plain text?  Yes unless it is a tab or the line
 * begins "mail", "rcpt", "data" or "bdat" in any case (OR 0x20 lowers
 * exactly the ASCII letters here).  Four bytes must be in the chunk to
 * know; if not, the slow path decides.
 */
INLINE bool plain_letter(const struct chunk *ck, size_t k)
{
	static const unsigned char kw[4][4] = {
		"mail", "rcpt", "data", "bdat"
	};
	uint32_t w;

	if (ck->b[k] == '\t' || ck->len - k < 4)
		return false;
	w = word4(ck->b + k) | 0x20202020u;
	return w != word4(kw[0]) && w != word4(kw[1]) && w != word4(kw[2]) &&
	    w != word4(kw[3]);
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
 * What finalize() leaves pending after the window's last line, the one
 * its LF at bit last ends (last >= 1: an LF at bit 0 is bare).  Of the
 * lines a window settles only lone dots are triggers, and a dot line is
 * whole in the window (dots).  Every line ends in CRLF: an empty line
 * is a line start at a CR, and the line before it ends at the LF just
 * before that CR, or is the line pending on entry if the CR is at bit 0.
 * A lone dot leaves P_TRIG.  One or two empty lines at the end leave
 * P_GAP1 or P_GAP2 after a lone dot or, when the first of them is the
 * window's first line, what pend_after_empty() makes of what was
 * pending on entry; anything else (text before them, a third empty
 * line) leaves P_NONE.  Since an LF is never at bit 0, an empty line
 * whose CR is not at bit 0 has it at bit 2 at least, hence the bounds.
 */
INLINE enum pend window_pending(const struct scanner *s, unsigned last,
				uint64_t starts, uint64_t dots)
{
	if (last >= 2 && (dots >> (last - 2) & 1))
		return P_TRIG;
	if (!(starts >> (last - 1) & 1))
		return P_NONE;
	/* one empty line, its CR at bit last - 1 */
	if (last == 1)
		return pend_after_empty(s->pending);
	if (last >= 4 && (dots >> (last - 4) & 1))
		return P_GAP1;
	if (!(starts >> (last - 3) & 1))
		return P_NONE;
	/* two empty lines, their CRs at bits last - 3 and last - 1 */
	if (last == 3)
		return pend_after_empty(pend_after_empty(s->pending));
	return last >= 6 && (dots >> (last - 6) & 1) ? P_GAP2 : P_NONE;
}

/*
 * Settles the window at b[i] (64 bytes in the chunk) up to its first
 * byte that needs the exact logic, from the state plain_entry() allows.
 * Lines inside are plain text ending in CRLF, empty CRLF lines and lone
 * dots: each ends with seq reset, and what stays pending for the next
 * line is what window_pending() says.
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
	s->pending = window_pending(s, last, starts, dots);
	new_line(s, at + last + 1, T_CRLF);
	if (last + 1 < n)
		s->ms = MS_OTHER;
	return n;
}

/*
 * A run of CRs and LFs at the start of the window, entered at a line
 * start or with a pending CR that ended an empty line: every line it
 * ends is empty.  Empty lines only count bare CRs and LFs and reset seq.
 * Nothing is pending after them when nothing was on entry, or after six
 * lines or more: finalize() leaves pending alone only for the CRLF line
 * after a bare CR, which follows a line that is not that, so of every
 * two lines in a row one at least moves it on, and three do so from
 * P_TRIG to P_GAP1, P_GAP2, P_NONE ("\r\r\n" three times after a
 * trigger is six lines; five can still leave P_GAP2).  Shorter runs
 * after a trigger are rare: the slow path counts them.  A CR that ends
 * the run is left pending, as step() leaves it.  Returns the bytes
 * settled, 0 to leave the window to the slow path.
 */
INLINE size_t empty_run(struct scanner *s, const struct chunk *ck, size_t i,
			const struct wmask *m)
{
	uint64_t at = ck->base + i, run, cr, lf, done_cr, bare_cr, bare_lf;
	bool cin = s->pending_cr, cin_bare, tail_cr;
	unsigned r = ctz64(~(m->cr | m->lf)), end, lines;
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
	lines = pop64(bare_cr) + cin_bare + pop64(lf);
	if (lines < 2 || (lines < 6 && s->pending != P_NONE))
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
	s->pending = P_NONE;
	s->pending_cr = false;
	new_line(s, at + end, t);
	if (tail_cr) {
		s->kind = K_EMPTY;	/* content_end() of an empty line */
		s->pending_cr = true;
	}
	return r;
}

/*
 * The quick loops below settle a run of windows that are wholly plain
 * text (as plain_window() would settle them in full, with no line start
 * that is a dot or a blank or may be a command), with their state in
 * locals: the length of the line so far (tail) and what the bytes at a
 * window's edge say about the next one.  They stop at the first window
 * with anything else, or before the chunk's last bytes (they read past
 * the window).  A CRLF may straddle two windows of the run (a line in
 * 64 does, so stopping there cost text a fifth of its speed); a run
 * that stops right after such a CR steps back onto it (quick_end()), so
 * that it never returns between the two.
 */

/*
 * The tail and long-line step of a plain window at b[i] whose LFs are
 * lf.  The first line to end here has its CR just before its first LF
 * (in the window before if the LF is bit 0), so it is tail + first - 1
 * bytes long.  Text has an LF in most windows but not all: a branch on
 * that would often guess wrong, so masks instead (no LF: no line ends,
 * so none is long, and the tail grows by the window).  Setting bit 63 or
 * bit 0 only keeps ctz/clz defined; what they give is masked off.
 */
INLINE uint64_t quick_tail(struct scanner *s, const struct chunk *ck,
			   size_t i, uint64_t lf, uint64_t tail)
{
	uint64_t has_term = -(uint64_t)(lf != 0);
	uint64_t first = (unsigned)__builtin_ctzll(lf | (uint64_t)1 << 63);

	if (__builtin_expect(tail + first > ((s->maxlen + 1) | ~has_term), 0))
		found(s, DG_CLASS_LONG_LINE, ck->base + i - tail);
	return lf != 0 ? (unsigned)__builtin_clzll(lf | 1) : tail + WIN;
}

/*
 * A quick run from b[i0] stopped at b[i] with the line tail bytes long:
 * the scanner takes the state the byte path would have there.  Returns
 * where the slow path resumes; *built goes false if that moved.
 */
INLINE size_t quick_end(struct scanner *s, const struct chunk *ck,
			size_t i0, size_t i, uint64_t tail, bool *built)
{
	uint64_t line_start;

	if (i > i0 && ck->b[i - 1] == '\r') {	/* not between CR and LF */
		i--;
		tail--;
		*built = false;
	}
	/*
	 * A line ended in the run if the line start moved.  No line of a
	 * run is a trigger and each line it ends ends in CRLF, so nothing
	 * is pending after them unless they are one or two empty lines,
	 * each of which moves on what was pending on entry: the start
	 * moved by 2, or by 4 from a line whose start the run began at
	 * (MS_START: that is b[i0], in this chunk) and that starts with a
	 * CR.  (The line the run stopped in is then 59 bytes or more of
	 * text, which ends with what was pending unread; kept exact all
	 * the same, as scanner_impl.h asks.)
	 */
	line_start = ck->base + i - tail;
	if (line_start != s->line_start) {
		enum pend p = P_NONE;

		if (line_start == s->line_start + 2)
			p = pend_after_empty(s->pending);
		else if (line_start == s->line_start + 4 && s->ms == MS_START &&
			 ck->b[line_start - 4 - ck->base] == '\r')
			p = pend_after_empty(pend_after_empty(s->pending));
		s->seq = SEQ_NONE;
		s->pending = p;
		new_line(s, line_start, T_CRLF);
	}
	if (i > i0 && tail != 0)
		s->ms = MS_OTHER;
	return i;
}

/*
 * The quick loop: each window's masks, tested against the bytes before
 * it (sp_in, start_in and cr_in carry bit 63 of one window to the
 * next).  It leaves the masks of the window it stopped at in *mp with
 * *built true.  It is a function of its own so that its registers are
 * allocated for it alone: inlined into scanner_windows() it ran 10%
 * slower on text, and its speed moved with unrelated edits there.
 */
static __attribute__((noinline)) size_t
quick_windows(struct scanner *s, const struct chunk *ck, size_t i,
	      struct wmask *mp, bool *built)
{
	uint64_t tail = ck->base + i - s->line_start, sp_in, start_in;
	uint64_t cr_in = 0;
	size_t i0 = i;

	sp_in = (i > 0 ? ck->b[i - 1] : s->prev) == ' ';
	start_in = s->ms == MS_START;
	for (; ck->len - i > WIN; i += WIN) {
		uint64_t starts, bad;
		struct wmask m;

		wmask_build(ck->b + i, &m, true);
		starts = m.lf << 1 | start_in;
		/*
		 * A CR at bit 63 is bare unless the next byte is an LF; that
		 * LF, bit 0 of the next window, pairs with cr_in.
		 */
		bad = m.nul | (m.lf ^ (m.cr << 1 | cr_in)) |
		    (m.cr >> 63 & (ck->b[i + WIN] != '\n')) |
		    ((m.cr | m.dot) & (m.sp << 1 | sp_in)) |
		    (starts & (m.sp | m.dot));
		/* Both tests are almost never true: one branch for them. */
		if ((bad | (starts & m.lead)) != 0 &&
		    (bad != 0 || !plain_letters(ck, i, starts & m.lead))) {
			*mp = m;
			*built = true;
			break;
		}
		tail = quick_tail(s, ck, i, m.lf, tail);
		sp_in = m.sp >> 63;
		start_in = m.lf >> 63;
		cr_in = m.cr >> 63;
	}
	return quick_end(s, ck, i0, i, tail, built);
}

/*
 * Windows from b[i] for as long as masks can settle them; returns where
 * the slow path must take over (or the chunk's last, short window).
 */
size_t scanner_windows(struct scanner *s, const struct chunk *ck, size_t i)
{
	bool try_quick = true;

	while (ck->len - i >= WIN) {
		bool plain = plain_entry(s), built = false;
		struct wmask m = { 0 };	/* set by wmask_build() */
		size_t n = 0, i0 = i;

		if (!plain && !s->pending_cr && s->ms != MS_START)
			break;
		/*
		 * After the quick loop gave up on its first window, the next
		 * window skips it: in a run of dot lines or short commands
		 * it would give up every time.
		 */
		if (plain && try_quick &&
		    (s->ms != MS_START || s->prev_term == T_CRLF) &&
		    ck->len - (i = quick_windows(s, ck, i, &m, &built)) < WIN)
			break;
		try_quick = i != i0 || !built;
		/*
		 * Away from the quick loop the hardware prefetcher falls
		 * behind (measured: runs of CRs went 2.5x faster with this).
		 */
		__builtin_prefetch(ck->b + i + PREFETCH);
		/* an LF first is bare: plain_window() would settle nothing */
		plain = plain && ck->b[i] != '\n';
		/* the masks quick_windows() stopped at serve here too */
		if (!built)
			wmask_build(ck->b + i, &m, plain);
		if (plain)
			n = plain_window(s, ck, i, &m);
		if (n == 0 && (n = empty_run(s, ck, i, &m)) == 0)
			break;
		i += n;
	}
	return i;
}
