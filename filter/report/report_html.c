/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_html.c: dotgate-report --html (see report.h and
 * dotgate-report(1)).  One self-contained HTML5 page: inline CSS, inline
 * SVG charts (report_svg.c), no script, no font, no request to anything.
 * The tables come from the same JSON summary as --json and the text
 * report, so the three agree.  Every string that came from a log goes
 * through html_text(): markup characters become entities and control
 * bytes are shown as \xNN, so a sender "<script>" is read, not run.
 */
#include <inttypes.h>
#include <string.h>

#include "report.h"
#include "report_series.h"
#include "report_svg.h"
#include "util.h"

static const char STYLE[] =
	"body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;"
	"max-width:1200px;padding:0 16px 32px;color:#1d2430;background:#fff}"
	"h1{font-size:1.6em;margin:20px 0 4px}h2{font-size:1.2em;"
	"margin:28px 0 8px;border-bottom:1px solid #d5dae1}"
	".wrap{overflow-x:auto}table{border-collapse:collapse;margin:6px 0}"
	"th,td{padding:3px 10px;border-bottom:1px solid #e4e7eb;"
	"text-align:left;vertical-align:top}td.n,th.n{text-align:right;"
	"font-variant-numeric:tabular-nums}td{overflow-wrap:anywhere}"
	"svg.chart{width:100%;height:auto;display:block}"
	".grid{stroke:#e4e7eb}.axis{stroke:#7a8594}"
	".ylab{font-size:12px;text-anchor:end;fill:#4a5563}"
	".xlab{font-size:12px;fill:#4a5563}"
	".legend span{display:inline-block;margin:0 14px 4px 0}"
	".legend svg{margin-right:5px;vertical-align:-1px}"
	".note{color:#4a5563}.big{font-size:1.3em;font-weight:600}"
	"dl{display:grid;grid-template-columns:max-content auto;gap:2px 16px}"
	"dt{color:#4a5563}dd{margin:0}"
	/* On a phone the chart shrinks to 40%: its text must not. */
	"@media (max-width:640px){.xlab,.ylab{font-size:26px}"
	".xlab.odd{display:none}body{padding:0 8px 24px}}";

/* Verdicts bottom-up: what passed, then what was held back. */
static const struct svg_layer VERDICT_LAYERS[] = {
	{"accept", "#4c9a5f", 0}, {"log", "#8fc3e8", 1},
	{"tag", "#3f7fbf", 2}, {"quarantine", "#9b6bc4", 3},
	{"tempfail", "#e8a33d", 4}, {"reject", "#d2423b", 5},
	{"abort", "#a7adb6", SERIES_ABORT},
};

static const char *const CLASS_COLOURS[] = {
	"#d2423b", "#e8a33d", "#9b6bc4", "#3f7fbf",
	"#4c9a5f", "#b5651d", "#c2185b", "#607d8b",
};

/* html_text - s as element text or attribute value. */
static void html_text(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", fp); break;
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '"': fputs("&quot;", fp); break;
		case '\'': fputs("&#39;", fp); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02x", *p);
			else
				fputc(*p, fp);
		}
	}
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static long long num(json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

static void cell(FILE *fp, const char *s, const char *empty)
{
	fputs("<td>", fp);
	html_text(fp, s[0] ? s : empty);
	fputs("</td>", fp);
}

static void ncell(FILE *fp, long long n)
{
	fprintf(fp, "<td class=\"n\">%lld</td>", n);
}

/* head - "<table><tr><th>...": a trailing '#' marks a number column. */
static void head(FILE *fp, const char *const *cols, size_t n)
{
	fputs("<div class=\"wrap\"><table><thead><tr>", fp);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(cols[i]);
		bool numeric = len > 0 && cols[i][len - 1] == '#';

		fprintf(fp, "<th%s>%.*s</th>", numeric ? " class=\"n\"" : "",
			(int)(numeric ? len - 1 : len), cols[i]);
	}
	fputs("</tr></thead><tbody>\n", fp);
}

static void foot(FILE *fp, size_t rows, size_t ncols)
{
	if (rows == 0)
		fprintf(fp, "<tr><td colspan=\"%zu\" class=\"note\">none</td>"
			"</tr>\n", ncols);
	fputs("</tbody></table></div>\n", fp);
}

/* A list of {name: ..., count: N} as "a (3), b (1)". */
static void count_list(FILE *fp, json_t *list, const char *name,
		       const char *empty)
{
	size_t i;
	json_t *e;

	fputs("<td>", fp);
	json_array_foreach(list, i, e) {
		const char *s = str(e, name);

		if (i > 0)
			fputs(", ", fp);
		html_text(fp, s[0] ? s : empty);
		fprintf(fp, " (%lld)", num(e, "count"));
	}
	fputs("</td>", fp);
}

static void legend(FILE *fp, const struct svg_layer *l, size_t n)
{
	fputs("<p class=\"legend\">", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "<span><svg width=\"12\" height=\"12\" "
			"aria-hidden=\"true\"><rect width=\"12\" height=\"12\" "
			"fill=\"%s\"/></svg>%s</span>", l[i].colour, l[i].name);
	fputs("</p>\n", fp);
}

static void period(FILE *fp, json_t *j)
{
	const char *const cols[] = {"verdict", "records#"};
	json_t *v;
	const char *key;
	size_t rows = 0;

	fputs("<h2>Period and records</h2>\n<dl>", fp);
	fputs("<dt>From</dt><dd>", fp);
	html_text(fp, json_is_string(json_object_get(j, "from")) ?
		  str(j, "from") : "(no records)");
	fputs("</dd><dt>To</dt><dd>", fp);
	html_text(fp, str(j, "to"));
	fprintf(fp, "</dd><dt>Records</dt><dd class=\"big\">%lld</dd>"
		"<dt>Malformed lines</dt><dd>%lld</dd>"
		"<dt>Other syslog lines</dt><dd>%lld</dd>"
		"<dt>Hosts</dt><dd>%zu</dd></dl>\n", num(j, "records"),
		num(j, "malformed"), num(j, "other_lines"),
		json_array_size(json_object_get(j, "hosts")));
	if (json_is_true(json_object_get(j, "approximate")))
		fputs("<p class=\"note\">More distinct keys than a table keeps: "
		      "top counts are upper bounds.</p>\n", fp);
	head(fp, cols, 2);
	json_object_foreach(json_object_get(j, "by_verdict"), key, v) {
		fprintf(fp, "<tr><td>%s</td>", key);
		ncell(fp, (long long)json_integer_value(v));
		fputs("</tr>\n", fp);
		rows++;
	}
	foot(fp, rows, 2);
}

static void chart_note(FILE *fp, const struct series_view *v)
{
	char from[REPORT_TS_LEN];

	report_ts_format(v->start_ms, from);
	from[16] = '\0';
	from[10] = ' ';
	fprintf(fp, "<p class=\"note\">One bar per %s from %s UTC; hover a bar "
		"for its counts.</p>\n", v->unit, from);
}

static void charts(FILE *fp, const struct report_series *sr)
{
	struct svg_layer cls[DG_CLASS_COUNT];
	struct series_view v;

	fputs("<h2>Decisions over time</h2>\n", fp);
	if (!report_series_view(sr, &v)) {
		fputs("<p class=\"note\">No records.</p>\n", fp);
		fputs("<h2>Anomalies over time</h2>\n<p class=\"note\">No "
		      "records.</p>\n", fp);
		return;
	}
	chart_note(fp, &v);
	report_svg_bars(fp, &v, VERDICT_LAYERS, DG_ARRAY_LEN(VERDICT_LAYERS),
			"Records per bucket, stacked by verdict");
	legend(fp, VERDICT_LAYERS, DG_ARRAY_LEN(VERDICT_LAYERS));
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		cls[c].name = dg_class_name((enum dg_class)c);
		cls[c].colour = CLASS_COLOURS[c % DG_ARRAY_LEN(CLASS_COLOURS)];
		cls[c].col = SERIES_CLASS(c);
	}
	fputs("<h2>Anomalies over time</h2>\n", fp);
	chart_note(fp, &v);
	report_svg_bars(fp, &v, cls, DG_CLASS_COUNT,
			"Records with each anomaly class per bucket");
	legend(fp, cls, DG_CLASS_COUNT);
	report_series_view_free(&v);
}

static void anomaly_table(FILE *fp, json_t *anomalies)
{
	const char *const cols[] = {"class", "records#", "occurrences#",
				    "top clients", "top logins"};
	const char *name;
	json_t *c;
	size_t rows = 0;

	fputs("<h2>Anomaly classes</h2>\n", fp);
	head(fp, cols, 5);
	json_object_foreach(anomalies, name, c) {
		fprintf(fp, "<tr><td>%s</td>", name);
		ncell(fp, num(c, "count"));
		ncell(fp, num(c, "occurrences"));
		count_list(fp, json_object_get(c, "clients"), "addr",
			   "(no address)");
		count_list(fp, json_object_get(c, "logins"), "login", "(none)");
		fputs("</tr>\n", fp);
		rows++;
	}
	foot(fp, rows, 5);
}

static void clients_table(FILE *fp, const char *title, json_t *list,
			  const char *what)
{
	const char *const cols[] = {"client", what};
	size_t i;
	json_t *e;

	fprintf(fp, "<h2>%s</h2>\n", title);
	head(fp, cols, 2);
	json_array_foreach(list, i, e) {
		fputs("<tr>", fp);
		cell(fp, str(e, "addr"), "(no address)");
		ncell(fp, num(e, "count"));
		fputs("</tr>\n", fp);
	}
	foot(fp, json_array_size(list), 2);
}

static void logins_table(FILE *fp, const char *title, json_t *list,
			 const char *what, const struct report_tried *how)
{
	const char *const cols[] = {"login", what, how->head};
	size_t i, k;
	json_t *e, *snd;

	fprintf(fp, "<h2>%s</h2>\n", title);
	head(fp, cols, 3);
	json_array_foreach(list, i, e) {
		fputs("<tr>", fp);
		cell(fp, str(e, "login"), "(none)");
		ncell(fp, num(e, "count"));
		fputs("<td>", fp);
		json_array_foreach(json_object_get(e, how->key), k, snd) {
			const char *s = json_string_value(snd);

			if (k > 0)
				fputs(", ", fp);
			html_text(fp, s && s[0] ? s : how->empty);
		}
		fputs("</td></tr>\n", fp);
	}
	foot(fp, json_array_size(list), 3);
}

static void monitor(FILE *fp, json_t *m)
{
	const char *const cols[] = {"would have been", "records#"};
	const char *key;
	json_t *v;
	size_t rows = 0;

	fputs("<h2>Monitor mode: what enforce mode would have done</h2>\n", fp);
	fprintf(fp, "<p>%lld record%s written in monitor mode.</p>\n",
		num(m, "records"), num(m, "records") == 1 ? "" : "s");
	head(fp, cols, 2);
	json_object_foreach(json_object_get(m, "would"), key, v) {
		if (json_integer_value(v) == 0)
			continue;
		fprintf(fp, "<tr><td>%s</td>", key);
		ncell(fp, (long long)json_integer_value(v));
		fputs("</tr>\n", fp);
		rows++;
	}
	foot(fp, rows, 2);
	clients_table(fp, "Monitor mode: clients that would have been "
		      "rejected as unauthenticated",
		      json_object_get(m, "unauthenticated"), "would-be#");
	logins_table(fp, "Monitor mode: sender ownership refusals that would "
		     "have been made", json_object_get(m, "not_owned"),
		     "would-be#", &report_tried_envelope);
	logins_table(fp, "Monitor mode: From header refusals that would "
		     "have been made", json_object_get(m, "header_not_owned"),
		     "would-be#", &report_tried_header);
}

static void hosts(FILE *fp, json_t *list)
{
	const char *const cols[] = {"host", "records#", "accept#", "reject#",
				    "tempfail#", "anomalous#", "first", "last"};
	size_t i;
	json_t *h;

	fputs("<h2>Hosts</h2>\n", fp);
	head(fp, cols, 8);
	json_array_foreach(list, i, h) {
		json_t *v = json_object_get(h, "by_verdict");

		fputs("<tr>", fp);
		cell(fp, str(h, "host"), "(unnamed)");
		ncell(fp, num(h, "records"));
		ncell(fp, num(v, "accept"));
		ncell(fp, num(v, "reject"));
		ncell(fp, num(v, "tempfail"));
		ncell(fp, num(h, "anomalous"));
		cell(fp, str(h, "from"), "");
		cell(fp, str(h, "to"), "");
		fputs("</tr>\n", fp);
	}
	foot(fp, json_array_size(list), 8);
}

void report_summary_html(const struct report_summary *s, FILE *fp)
{
	json_t *j = report_summary_json(s);

	fprintf(fp, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		"<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
		"content=\"width=device-width, initial-scale=1\">\n"
		"<title>dotgate audit report</title>\n<style>%s</style>\n"
		"</head>\n<body>\n<h1>dotgate audit report</h1>\n", STYLE);
	period(fp, j);
	charts(fp, report_summary_series(s));
	anomaly_table(fp, json_object_get(j, "anomalies"));
	clients_table(fp, "Top unauthenticated clients",
		      json_object_get(j, "unauthenticated"), "rejections#");
	logins_table(fp, "Sender ownership refusals by login",
		     json_object_get(j, "not_owned"), "rejections#", &report_tried_envelope);
	logins_table(fp, "From header refusals by login",
		     json_object_get(j, "header_not_owned"), "rejections#",
		     &report_tried_header);
	monitor(fp, json_object_get(j, "monitor"));
	hosts(fp, json_object_get(j, "hosts"));
	fputs("</body>\n</html>\n", fp);
	json_decref(j);
}
