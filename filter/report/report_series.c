/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_series.c: records over time for the HTML report's charts (see
 * report_series.h).  The buckets are a window of SERIES_MAX slots that
 * moves and widens as records arrive; it is re-centred with slack on
 * both sides, so that even records in reverse order move it only once
 * per SERIES_MAX/2 buckets.
 */
#include <stdlib.h>
#include <string.h>

#include "report_series.h"
#include "util.h"

#define MINUTE 60000LL
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)

typedef uint64_t bucket[SERIES_COLS];

struct report_series {
	bool any;
	int64_t first_ms, last_ms;	/* of the records: the span shown */
	int64_t base, width;		/* slot i starts at base + i * width */
	size_t lo, hi;			/* slots [lo, hi) may be non-zero */
	bucket *b;			/* SERIES_MAX slots */
};

static int64_t fdiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static int64_t next_width(int64_t w)
{
	static const int64_t ladder[] = {MINUTE, 5 * MINUTE, 15 * MINUTE,
					 HOUR, 4 * HOUR, DAY, WEEK};

	for (size_t i = 0; i + 1 < DG_ARRAY_LEN(ladder); i++)
		if (w == ladder[i])
			return ladder[i + 1];
	return w * 4;
}

struct report_series *report_series_new(void)
{
	struct report_series *s = xcalloc(1, sizeof(*s));

	s->b = xcalloc(SERIES_MAX, sizeof(*s->b));
	s->width = MINUTE;
	return s;
}

/* refit - move (and widen if need be) the window so that ts fits. */
static void refit(struct report_series *s, int64_t ts)
{
	int64_t first = s->base + (int64_t)s->lo * s->width;
	int64_t last = s->base + (int64_t)s->hi * s->width - 1;
	int64_t w = s->width, n, base;
	bucket *nb = xcalloc(SERIES_MAX, sizeof(*nb));
	size_t lo = SERIES_MAX, hi = 0;

	if (s->lo >= s->hi)
		first = last = ts;
	first = ts < first ? ts : first;
	last = ts > last ? ts : last;
	while ((n = fdiv(last, w) - fdiv(first, w) + 1) > SERIES_MAX)
		w = next_width(w);
	base = (fdiv(first, w) - (SERIES_MAX - n) / 2) * w;
	for (size_t i = s->lo; i < s->hi; i++) {
		size_t j = (size_t)fdiv(s->base + (int64_t)i * s->width - base,
					w);

		for (int c = 0; c < SERIES_COLS; c++)
			nb[j][c] += s->b[i][c];
		lo = j < lo ? j : lo;
		hi = j + 1 > hi ? j + 1 : hi;
	}
	free(s->b);
	s->b = nb;
	s->base = base;
	s->width = w;
	s->lo = lo < hi ? lo : 0;
	s->hi = lo < hi ? hi : 0;
}

void report_series_add(struct report_series *s, const struct report_rec *r)
{
	int64_t i;
	uint64_t *b;
	int slot = report_rec_slot(r);

	if (!s->any || r->ts_ms < s->first_ms)
		s->first_ms = r->ts_ms;
	if (!s->any || r->ts_ms > s->last_ms)
		s->last_ms = r->ts_ms;
	if (!s->any) {
		s->any = true;
		s->base = (fdiv(r->ts_ms, s->width) - SERIES_MAX / 2) * s->width;
	}
	i = fdiv(r->ts_ms - s->base, s->width);
	if (i < 0 || i >= SERIES_MAX) {
		refit(s, r->ts_ms);
		i = fdiv(r->ts_ms - s->base, s->width);
	}
	b = s->b[i];
	if (slot >= 0)
		b[slot]++;
	for (int c = 0; c < DG_CLASS_COUNT; c++)
		b[SERIES_CLASS(c)] += r->count[c] > 0;
	b[SERIES_ANOMALOUS] += report_rec_anomalous(r);
	if (s->lo >= s->hi) {
		s->lo = (size_t)i;
		s->hi = (size_t)i + 1;
	}
	s->lo = (size_t)i < s->lo ? (size_t)i : s->lo;
	s->hi = (size_t)i + 1 > s->hi ? (size_t)i + 1 : s->hi;
}

static void view_unit(int64_t span, int64_t width, struct series_view *v)
{
	if (span <= 6 * HOUR) {
		v->unit_ms = MINUTE;
		v->unit = "minute";
	} else if (span <= 14 * DAY) {
		v->unit_ms = HOUR;
		v->unit = "hour";
	} else if (span <= 1000 * DAY) {
		v->unit_ms = DAY;
		v->unit = "day";
	} else {
		v->unit_ms = WEEK;
		v->unit = "week";
	}
	if (width > v->unit_ms)
		v->unit_ms = width;	/* a span of more than 39 years */
}

bool report_series_view(const struct report_series *s, struct series_view *v)
{
	int64_t first, last, f0;

	memset(v, 0, sizeof(*v));
	if (!s->any || s->lo >= s->hi)
		return false;
	first = s->base + (int64_t)s->lo * s->width;
	last = s->base + (int64_t)s->hi * s->width - 1;
	view_unit(s->last_ms - s->first_ms, s->width, v);
	f0 = fdiv(first, v->unit_ms);
	v->start_ms = f0 * v->unit_ms;
	v->n = (size_t)(fdiv(last, v->unit_ms) - f0 + 1);
	v->v = xcalloc(v->n, sizeof(*v->v));
	for (size_t i = s->lo; i < s->hi; i++) {
		int64_t t = s->base + (int64_t)i * s->width;
		size_t j = (size_t)(fdiv(t, v->unit_ms) - f0);

		for (int c = 0; c < SERIES_COLS; c++)
			v->v[j][c] += s->b[i][c];
	}
	return true;
}

void report_series_view_free(struct series_view *v)
{
	free(v->v);
	v->v = NULL;
}

void report_series_free(struct report_series *s)
{
	if (s == NULL)
		return;
	free(s->b);
	free(s);
}
