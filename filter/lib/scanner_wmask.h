/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner_wmask.h: private to the body scanner's window path
 * (scanner_window.c): what the 64 bytes of a window are, as bitmasks
 * (bit k = byte k), and the builders of those masks for each
 * instruction set (plain C, SSE2, AVX2, AVX-512), with the bit helpers
 * that read them.  What the masks mean for the lines of the window is
 * judged in scanner_window.c.
 *
 * It is a header, not a file of its own, because every function here
 * must be inlined into the loops that use it: each copy of the window
 * loops in scanner_window.c takes its builder as a constant and is
 * compiled with it for one vector unit (see INLINE below); out of line,
 * a builder would cost a call per window and its masks would go
 * through memory.
 */
#ifndef DG_SCANNER_WMASK_H
#define DG_SCANNER_WMASK_H

#include <stdint.h>
#include <string.h>

#include "scanner_impl.h"

#ifdef DG_SCANNER_X86_DISPATCH
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,popcnt,bmi,lzcnt")))
#define AVX512 __attribute__((target("avx512f,avx512bw,popcnt,bmi,lzcnt")))
#endif

/*
 * The helpers of the window path are inlined into one copy of the loops
 * per instruction set (windows_base() and quick_base(), ..._avx2(),
 * ..._avx512() in scanner_window.c), so that each copy is compiled for
 * the vector unit it runs on.
 */
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
 * How a builder finds where commands may begin (m->lead): LEAD_WINDOW
 * from the window alone, as lead_mask() says; LEAD_PAIRS may also read
 * p[64], the byte after the window, to see the second letter of a pair
 * at bit 63 too (the AVX-512 builder does so, with masked compares);
 * LEAD_NONE may leave it out (empty_run() does not look at it).  Masks
 * built with LEAD_PAIRS serve plain_window() as well: a line start they
 * leave out is plain text for sure.
 */
enum lead_mode { LEAD_NONE, LEAD_WINDOW, LEAD_PAIRS };

/* A builder of the masks of the 64 bytes at p. */
typedef void wmask_fn(const unsigned char *p, struct wmask *m,
		      enum lead_mode mode);

#ifndef DG_SCANNER_SSE2	/* the SSE2 builder replaces it */
INLINE void wmask_scalar(const unsigned char *p, struct wmask *m,
			  enum lead_mode mode)
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
	m->lead = mode == LEAD_NONE ? 0 : lead_mask(&t);
}
#endif

#ifdef DG_SCANNER_SSE2
/* 16 bytes of mask from a comparison, placed at bit 16 * k. */
INLINE uint64_t mask16(__m128i eq, unsigned k)
{
	return (uint64_t)(unsigned)_mm_movemask_epi8(eq) << (16 * k);
}

INLINE void wmask_sse2(const unsigned char *p, struct wmask *m,
			enum lead_mode mode)
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
		if (mode == LEAD_NONE)
			continue;
		t.tab |= mask16(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), k);
		t.m |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('m')), k);
		t.r |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('r')), k);
		t.d |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('d')), k);
		t.a |= mask16(_mm_cmpeq_epi8(l, _mm_set1_epi8('a')), k);
		t.bc |= mask16(_mm_cmpeq_epi8(_mm_and_si128(l,
		    _mm_set1_epi8(~1)), _mm_set1_epi8('b')), k);
	}
	m->lead = mode == LEAD_NONE ? 0 : lead_mask(&t);
}
#endif

/* The builder of the copy that is not picked at run time. */
#ifdef DG_SCANNER_SSE2
#define BASE_BUILD wmask_sse2
#else
#define BASE_BUILD wmask_scalar
#endif

#ifdef DG_SCANNER_X86_DISPATCH
/*
 * LEAD_PAIRS in vector registers: a byte shuffle maps each byte, by its
 * index (see pair_index()), to the lowered letter that must follow it
 * for MAIL, RCPT, DATA or BDAT to begin there (m -> a, r -> c, d -> a,
 * b -> d), and one compare with the next bytes (p + 1), lowered,
 * replaces eight.  The shuffle reads 4 bits of the index, and the low 4
 * bits of the byte itself are the same for r and b (0x72, 0x62); those
 * of (byte + 1) / 2 tell m, r, d, b apart in either case (7, 9, 2, 1),
 * and one instruction, the unsigned average with 0, computes it (a shift
 * would move bits across bytes and need a mask too).  Other bytes with
 * the same index ("ca", "ad", "na", bytes >= 0x80) only cost a closer
 * look: of the lines of Debian's /usr/share/doc, 1.33% start with a pair
 * flagged so, 1.25% with the old index (the low 4 bits, "ta" for one)
 * and 1.23% with "ma", "rc", "da" or "bd" themselves.  The average with
 * 1 pairs the letters the other way ("la", "sc", "ea": 1.27%) but ran
 * scanbench's text 7% slower, whose words include "schedule".  The
 * other indexes map to 0, which a lowered byte never is, and so does
 * 0xff (its index has bit 7, for which the shuffle gives 0).
 */
static inline __m128i second_letter(void)
{
	return _mm_setr_epi8(0, 'd', 'a', 0, 0, 0, 0, 'a',
			     0, 'c', 0, 0, 0, 0, 0, 0);
}

AVX2 INLINE uint64_t mask32(__m256i eq, unsigned k)
{
	return (uint64_t)(unsigned)_mm256_movemask_epi8(eq) << (32 * k);
}

/* Bytes equal to c, as a vector of 0xff / 0 */
AVX2 INLINE __m256i eq32(__m256i v, char c)
{
	return _mm256_cmpeq_epi8(v, _mm256_set1_epi8(c));
}

/* The shuffle index of second_letter(): (byte + 1) / 2. */
AVX2 INLINE __m256i pair_index(__m256i v)
{
	return _mm256_avg_epu8(v, _mm256_setzero_si256());
}

/* LEAD_PAIRS, see second_letter(). */
AVX2 INLINE __m256i pairs32(const unsigned char *p, __m256i v)
{
	const __m256i low = _mm256_set1_epi8(0x20);
	__m256i n = _mm256_or_si256(_mm256_loadu_si256((const __m256i *)(p + 1)),
				    low);
	__m256i want = _mm256_shuffle_epi8(
	    _mm256_broadcastsi128_si256(second_letter()), pair_index(v));

	return _mm256_or_si256(eq32(v, '\t'), _mm256_cmpeq_epi8(want, n));
}

AVX2 INLINE void wmask_avx2(const unsigned char *p, struct wmask *m,
			    enum lead_mode mode)
{
	const __m256i low = _mm256_set1_epi8(0x20);
	struct letters t = { 0 };

	memset(m, 0, sizeof(*m));
	for (unsigned k = 0; k < WIN / 32; k++) {
		const unsigned char *q = p + 32 * k;
		__m256i v = _mm256_loadu_si256((const __m256i *)q);
		__m256i l = _mm256_or_si256(v, low);

		m->cr |= mask32(eq32(v, '\r'), k);
		m->lf |= mask32(eq32(v, '\n'), k);
		m->nul |= mask32(eq32(v, '\0'), k);
		m->dot |= mask32(eq32(v, '.'), k);
		m->sp |= mask32(eq32(v, ' '), k);
		if (mode == LEAD_PAIRS)
			m->lead |= mask32(pairs32(q, v), k);
		if (mode != LEAD_WINDOW)
			continue;
		t.tab |= mask32(eq32(v, '\t'), k);
		t.m |= mask32(eq32(l, 'm'), k);
		t.r |= mask32(eq32(l, 'r'), k);
		t.d |= mask32(eq32(l, 'd'), k);
		t.a |= mask32(eq32(l, 'a'), k);
		t.bc |= mask32(_mm256_or_si256(eq32(l, 'b'), eq32(l, 'c')), k);
	}
	if (mode == LEAD_WINDOW)
		m->lead = lead_mask(&t);
}

#ifdef DG_SCANNER_AVX512
AVX512 INLINE uint64_t eq64(__m512i v, char c)
{
	return _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(c));
}


AVX512 INLINE void wmask_avx512(const unsigned char *p, struct wmask *m,
				enum lead_mode mode)
{
	const __m512i low = _mm512_set1_epi8(0x20);
	__m512i v = _mm512_loadu_si512((const void *)p);
	__m512i l = _mm512_or_si512(v, low), n, idx;

	m->cr = eq64(v, '\r');
	m->lf = eq64(v, '\n');
	m->nul = eq64(v, '\0');
	m->dot = eq64(v, '.');
	m->sp = eq64(v, ' ');
	if (mode == LEAD_NONE) {
		m->lead = 0;
		return;
	}
	if (mode == LEAD_WINDOW) {
		struct letters t = {
			eq64(v, '\t'), eq64(l, 'm'), eq64(l, 'r'), eq64(l, 'd'),
			eq64(l, 'a'), eq64(l, 'b') | eq64(l, 'c')
		};

		m->lead = lead_mask(&t);
		return;
	}
	n = _mm512_or_si512(_mm512_loadu_si512((const void *)(p + 1)), low);
	idx = _mm512_avg_epu8(v, _mm512_setzero_si512());	/* pair_index() */
	m->lead = eq64(v, '\t') |
	    _mm512_cmpeq_epi8_mask(_mm512_shuffle_epi8(
		_mm512_broadcast_i32x4(second_letter()), idx), n);
}
#endif /* DG_SCANNER_AVX512 */
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
