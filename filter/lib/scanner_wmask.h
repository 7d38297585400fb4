/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner_wmask.h: private to the body scanner's window path
 * (scanner_window.c): what the 64 bytes of a window are, as bitmasks
 * (bit k = byte k), and their builder (SSE2, part of every x86-64
 * CPU, or plain C elsewhere and with DG_SCANNER_SCALAR), with the bit
 * helpers that read them.  What the masks mean for the lines of the
 * window is judged in scanner_window.c.
 *
 * It is a header, not a file of its own, because every function here
 * must be inlined into the loops that use it: out of line, the builder
 * would cost a call per window and its masks would go through memory.
 */
#ifndef DG_SCANNER_WMASK_H
#define DG_SCANNER_WMASK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "scanner_impl.h"

#define INLINE static inline __attribute__((always_inline))

/* Where in a window the bytes that shape lines are. */
struct wmask {
	uint64_t cr, lf, nul, dot, sp;
	uint64_t lead;		/* where a command may begin: see lead_mask() */
};

/*
 * The bytes a line starting there could begin a command with: a tab,
 * or "ma", "rc", "da", "bd" in any case (the first two letters of MAIL,
 * RCPT, DATA, BDAT), or M, R, D, B as the window's last byte, whose next
 * byte is not in these masks.  Anywhere else a line start is plain text
 * for sure, so the rare lines that may be commands are the only ones
 * looked at byte by byte: text is full of lines starting "message" or
 * "report".  The letters come in one struct, as masks of where each is
 * (lowered); b and c share one mask, bc, which the SSE2 builder gets from
 * one compare (l & ~1 == 'b'): a seventh mask cost it 8% on text.  The
 * pairs that makes for ("rb", "cd", and C, c, B, b at bit 63) only cost
 * a closer look.
 */
struct letters {
	uint64_t tab, m, r, d, a, bc;
};

INLINE uint64_t lead_mask(const struct letters *l)
{
	uint64_t last = (l->m | l->r | l->d | l->bc) & (uint64_t)1 << 63;

	return l->tab | (l->m & l->a >> 1) | (l->r & l->bc >> 1) |
	    (l->d & l->a >> 1) | (l->bc & l->d >> 1) | last;
}

/*
 * The masks of the 64 bytes at p; m->lead only when lead is true
 * (empty_run() does not look at it).
 */
#ifndef DG_SCANNER_SSE2
INLINE void wmask_build(const unsigned char *p, struct wmask *m, bool lead)
{
	struct letters t = { 0 };

	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN; k++) {
		uint64_t bit = (uint64_t)1 << k;
		unsigned char l = p[k] | 0x20;

		m->cr |= p[k] == '\r' ? bit : 0;
		m->lf |= p[k] == '\n' ? bit : 0;
		m->nul |= p[k] == '\0' ? bit : 0;
		m->dot |= p[k] == '.' ? bit : 0;
		m->sp |= p[k] == ' ' ? bit : 0;
		t.tab |= p[k] == '\t' ? bit : 0;
		t.m |= l == 'm' ? bit : 0;
		t.r |= l == 'r' ? bit : 0;
		t.d |= l == 'd' ? bit : 0;
		t.a |= l == 'a' ? bit : 0;
		t.bc |= (l & ~1) == 'b' ? bit : 0;
	}
	m->lead = lead ? lead_mask(&t) : 0;
}
#else /* DG_SCANNER_SSE2 */
/* 16 bytes of mask from a comparison, placed at bit 16 * k. */
INLINE uint64_t mask16(__m128i eq, unsigned k)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(eq) << (16 * k);
}

INLINE void wmask_build(const unsigned char *p, struct wmask *m, bool lead)
{
	const __m128i low = _mm_set1_epi8(0x20);
	struct letters t = { 0 };

	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN / 16; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(p + 16 * k));
		__m128i l = _mm_or_si128(v, low);

		m->cr |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\r')), k);
		m->lf |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), k);
		m->nul |= mask16(_mm_cmpeq_epi8(v, _mm_setzero_si128()), k);
		m->dot |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), k);
		m->sp |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), k);
		if (!lead)
			continue;
		t.tab |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), k);
		t.m |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('m')), k);
		t.r |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('r')), k);
		t.d |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('d')), k);
		t.a |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('a')), k);
		t.bc |= mask16(_mm_cmpeq_epi8(_mm_and_si128(l,
		    _mm_set1_epi8(~1)), _mm_set1_epi8('b')), k);
	}
	m->lead = lead ? lead_mask(&t) : 0;
}
#endif

/* Reading the masks: ctz64() of no bit is WIN, past the window. */
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

#endif
