/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	report_series - records over time in bounded memory
 * SYNOPSIS
 *	#include "report_series.h"
 *
 *	struct report_series *report_series_new(void);
 *	void report_series_add(struct report_series *s,
 *			       const struct report_rec *r);
 *	bool report_series_view(const struct report_series *s,
 *				struct series_view *v);
 *	void report_series_view_free(struct series_view *v);
 *	void report_series_free(struct report_series *s);
 * DESCRIPTION
 *	A series counts records in at most SERIES_MAX time buckets, by
 *	column: the verdict (0 to 5, enum dg_verdict), SERIES_ABORT,
 *	SERIES_ANOMALOUS (a record with any class) and SERIES_CLASS(c)
 *	(records with class c).  Records may come in any order (several
 *	files, rotations read in any order).  Buckets start one minute
 *	wide; when the records span more than SERIES_MAX buckets the
 *	width steps up a ladder in which each width divides the next
 *	(1, 5, 15 minutes, 1, 4 hours, 1 day, 1 week, then x4), so buckets
 *	merge exactly and every count stays exact: a 10-year log costs the
 *	same 2048 buckets as an hour's.
 *
 *	report_series_view() sums the buckets into the unit a reader wants
 *	for the span: minutes up to 6 hours, hours up to 14 days, days up
 *	to 1000 days, weeks beyond.  v->n buckets of v->unit_ms from
 *	v->start_ms; v->unit is "minute", "hour", "day" or "week".  It
 *	returns false (and fills nothing) when the series is empty.
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h).
 */
#ifndef DG_REPORT_SERIES_H
#define DG_REPORT_SERIES_H

#include "report.h"

#define SERIES_MAX 2048
#define SERIES_ABORT RR_SLOT_ABORT
#define SERIES_ANOMALOUS 7
#define SERIES_CLASS(c) (8 + (c))
#define SERIES_COLS SERIES_CLASS(DG_CLASS_COUNT)

struct series_view {
	int64_t start_ms, unit_ms;
	const char *unit;
	size_t n;
	uint64_t (*v)[SERIES_COLS];
};

struct report_series;

struct report_series *report_series_new(void);
void report_series_add(struct report_series *s, const struct report_rec *r);
bool report_series_view(const struct report_series *s, struct series_view *v);
void report_series_view_free(struct series_view *v);
void report_series_free(struct report_series *s);

#endif
