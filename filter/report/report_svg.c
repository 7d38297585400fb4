/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_svg.c: the HTML report's charts (see report_svg.h), drawn by
 * dotgate-report itself so that the page needs no script, no library
 * and no network.  Only non-empty bars are written: a quiet week of
 * minute buckets stays small.
 */
#include <inttypes.h>
#include <string.h>

#include "report_svg.h"

#define W 960				/* viewBox */
#define H 300
#define LEFT 64				/* room for the y labels */
#define RIGHT 12
#define TOP 12
#define BOTTOM 36			/* room for the x labels */
#define X_LABELS 6

/* nice_step - the smallest 1, 2 or 5 x 10^k with max / step <= 5. */
static uint64_t nice_step(uint64_t max)
{
	uint64_t p = 1;

	for (;;) {
		if (max <= 5 * p)
			return p;
		if (max <= 10 * p)
			return 2 * p;
		if (max <= 25 * p)
			return 5 * p;
		if (p > UINT64_MAX / 100)
			return p * 10;
		p *= 10;
	}
}

static uint64_t stack_height(const struct series_view *v, size_t i,
			     const struct svg_layer *layers, size_t n)
{
	uint64_t sum = 0;

	for (size_t k = 0; k < n; k++)
		sum += v->v[i][layers[k].col];
	return sum;
}

/* time_label - "2026-11-29 10:00" (minutes, hours) or "2026-11-29". */
static void time_label(const struct series_view *v, int64_t ms, char *out)
{
	char ts[REPORT_TS_LEN];

	report_ts_format(ms, ts);
	ts[10] = ' ';
	ts[v->unit_ms < 86400000LL ? 16 : 10] = '\0';
	memcpy(out, ts, strlen(ts) + 1);
}

static void y_axis(FILE *fp, uint64_t top, uint64_t step)
{
	for (uint64_t y = 0; y <= top; y += step) {
		double py = TOP + (H - TOP - BOTTOM) * (1.0 - (double)y / (double)top);

		fprintf(fp, "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" "
			"y2=\"%.1f\"/><text class=\"ylab\" x=\"%d\" y=\"%.1f\">%"
			PRIu64 "</text>\n", LEFT, W - RIGHT, py, py, LEFT - 6,
			py + 4, y);
	}
}

static void x_axis(FILE *fp, const struct series_view *v, double bw)
{
	size_t every = v->n / X_LABELS + 1;
	char label[REPORT_TS_LEN];

	/* Every other label is "odd": a phone-width page hides those. */
	for (size_t i = 0, k = 0; i < v->n; i += every, k++) {
		if (LEFT + bw * (double)i > W - RIGHT - 110)
			break;		/* a label would run off the chart */
		time_label(v, v->start_ms + (int64_t)i * v->unit_ms, label);
		fprintf(fp, "<text class=\"xlab%s\" x=\"%.1f\" y=\"%d\">%s"
			"</text>\n", k % 2 ? " odd" : "", LEFT + bw * (double)i,
			H - BOTTOM + 22, label);
	}
}

static void bar(FILE *fp, const struct series_view *v, size_t i, double bw,
		uint64_t top, const struct svg_layer *layers, size_t n)
{
	double scale = (H - TOP - BOTTOM) / (double)top, y = H - BOTTOM;
	double x = LEFT + bw * (double)i, w = bw > 2 ? bw * 0.85 : bw;
	char label[REPORT_TS_LEN];

	time_label(v, v->start_ms + (int64_t)i * v->unit_ms, label);
	fprintf(fp, "<g><title>%s UTC (%s):", label, v->unit);
	for (size_t k = 0; k < n; k++)
		if (v->v[i][layers[k].col] > 0)
			fprintf(fp, " %" PRIu64 " %s", v->v[i][layers[k].col],
				layers[k].name);
	fputs("</title>", fp);
	for (size_t k = 0; k < n; k++) {
		double h = scale * (double)v->v[i][layers[k].col];

		if (h <= 0)
			continue;
		y -= h;
		fprintf(fp, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
			"height=\"%.2f\" fill=\"%s\"/>", x, y, w, h,
			layers[k].colour);
	}
	fputs("</g>\n", fp);
}

void report_svg_bars(FILE *fp, const struct series_view *v,
		     const struct svg_layer *layers, size_t n,
		     const char *label)
{
	uint64_t max = 0, step, top;
	double bw = (double)(W - LEFT - RIGHT) / (double)(v->n ? v->n : 1);

	for (size_t i = 0; i < v->n; i++) {
		uint64_t h = stack_height(v, i, layers, n);

		max = h > max ? h : max;
	}
	step = nice_step(max ? max : 1);
	top = (max ? (max + step - 1) / step : 1) * step;
	fprintf(fp, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\" "
		"aria-label=\"%s\" xmlns=\"http://www.w3.org/2000/svg\">\n",
		W, H, label);
	y_axis(fp, top, step);
	for (size_t i = 0; i < v->n; i++)
		if (stack_height(v, i, layers, n) > 0)
			bar(fp, v, i, bw, top, layers, n);
	fprintf(fp, "<line class=\"axis\" x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		"y2=\"%d\"/>\n", LEFT, W - RIGHT, H - BOTTOM, H - BOTTOM);
	x_axis(fp, v, bw);
	fputs("</svg>\n", fp);
}
