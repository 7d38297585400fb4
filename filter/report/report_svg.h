/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	report_svg - stacked bar charts as inline SVG
 * SYNOPSIS
 *	#include "report_svg.h"
 *
 *	void report_svg_bars(FILE *fp, const struct series_view *v,
 *			     const struct svg_layer *layers, size_t n,
 *			     const char *label);
 * DESCRIPTION
 *	report_svg_bars() writes one <svg> element: a bar per bucket of v,
 *	stacked bottom-up in the order of layers (each the series column
 *	col drawn in colour), a y axis in steps of 1, 2 or 5 times a power
 *	of ten, about six time labels along the x axis, and a <title> on
 *	each bar (time and counts) that a browser shows on hover.  label
 *	is the chart's accessible name; it and the layer names must be
 *	plain text without markup (they are the program's, not the log's).
 *	Everything is drawn in a fixed viewBox that the page scales to its
 *	width, so the same chart reads at 1280 and at 400 pixels.
 */
#ifndef DG_REPORT_SVG_H
#define DG_REPORT_SVG_H

#include <stdio.h>

#include "report_series.h"

struct svg_layer {
	const char *name;
	const char *colour;		/* "#rrggbb" */
	int col;			/* series column */
};

void report_svg_bars(FILE *fp, const struct series_view *v,
		     const struct svg_layer *layers, size_t n,
		     const char *label);

#endif
