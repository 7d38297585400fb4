/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report_print.c: dotgate-report's text output (see report.h).  The
 * tables are printed from the JSON summary, so that the text and --json
 * always agree.  Every value that came from a log is shown with bytes
 * outside printable ASCII as \xNN and cut at DISPLAY_MAX columns: a
 * hostile sender address must not reach a postmaster's terminal as an
 * escape sequence, nor push the table off the screen.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "report.h"
#include "util.h"

#define DISPLAY_MAX 60
#define MAX_COLS 4

struct table {
	const char *title;
	size_t ncols;
	const char *head[MAX_COLS];
	bool right[MAX_COLS];		/* numbers are right-aligned */
	char **cells;			/* nrows * ncols, malloc'd */
	size_t nrows;
};

/* disp - a log value made safe and short for a terminal. */
static char *disp(const char *s)
{
	size_t o = 0;
	char *out = xmalloc(DISPLAY_MAX + 8);

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		size_t n = (*p >= 0x20 && *p < 0x7f) ? 1 : 4;

		if (o + n > DISPLAY_MAX) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n == 1)
			out[o] = (char)*p;
		else
			snprintf(out + o, 5, "\\x%02x", *p);
		o += n;
	}
	out[o] = '\0';
	return out;
}

static char *num(json_t *v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
	return xstrdup(buf);
}

static void row(struct table *t, char *c0, char *c1, char *c2, char *c3)
{
	char *c[MAX_COLS] = {c0, c1, c2, c3};

	t->cells = xrealloc(t->cells, (t->nrows + 1) * t->ncols *
			    sizeof(*t->cells));
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = c[i];
	t->nrows++;
}

static void table_print(FILE *fp, struct table *t)
{
	size_t w[MAX_COLS];

	fprintf(fp, "\n%s\n", t->title);
	if (t->nrows == 0) {
		fprintf(fp, "  (none)\n");
		return;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		w[i] = strlen(t->head[i]);
		for (size_t r = 0; r < t->nrows; r++) {
			size_t n = strlen(t->cells[r * t->ncols + i]);

			if (n > w[i])
				w[i] = n;
		}
	}
	for (size_t r = 0; r <= t->nrows; r++) {
		for (size_t i = 0; i < t->ncols; i++) {
			const char *c = r == 0 ? t->head[i] :
				t->cells[(r - 1) * t->ncols + i];
			bool last = i + 1 == t->ncols;

			/* Two blanks before each column, none after the last. */
			if (t->right[i])
				fprintf(fp, "  %*s", (int)w[i], c);
			else
				fprintf(fp, "  %-*s", last ? 0 : (int)w[i], c);
		}
		fputs("\n", fp);
	}
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->nrows = 0;
}

static void counts_table(FILE *fp, const char *title, const char *what,
			 json_t *obj, bool skip_zero)
{
	struct table t = {title, 2, {what, "records"}, {false, true}, NULL, 0};
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v)
		if (!skip_zero || json_integer_value(v) > 0)
			row(&t, xstrdup(key), num(v), NULL, NULL);
	table_print(fp, &t);
}

static void clients_table(FILE *fp, const char *title, json_t *list,
			  const char *count_head)
{
	struct table t = {title, 2, {"client", count_head}, {false, true},
			  NULL, 0};
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *a = json_string_value(json_object_get(e, "addr"));

		row(&t, disp(a[0] ? a : "(no address)"),
		    num(json_object_get(e, "count")), NULL, NULL);
	}
	table_print(fp, &t);
}

static char *sender_list(json_t *senders, const char *empty)
{
	struct buf out = BUF_INIT;
	size_t i;
	json_t *s;

	buf_reserve(&out, 0);		/* "" for an empty list */
	json_array_foreach(senders, i, s) {
		const char *v = json_string_value(s);
		char *d = disp(v[0] ? v : empty);

		if (i > 0)
			buf_add(&out, ", ", 2);
		buf_add(&out, d, strlen(d));
		free(d);
	}
	return out.p;
}

static void logins_table(FILE *fp, const char *title, json_t *list,
			 const char *count_head, const struct report_tried *how)
{
	struct table t = {title, 3, {"login", count_head, how->head},
			  {false, true, false}, NULL, 0};
	size_t i;
	json_t *e;

	json_array_foreach(list, i, e) {
		const char *l = json_string_value(json_object_get(e, "login"));

		row(&t, disp(l[0] ? l : "(none)"),
		    num(json_object_get(e, "count")),
		    sender_list(json_object_get(e, how->key), how->empty),
		    NULL);
	}
	table_print(fp, &t);
}

static void anomaly_tables(FILE *fp, json_t *anomalies)
{
	struct table cls = {"Anomalies by class", 3,
			    {"class", "records", "occurrences"},
			    {false, true, true}, NULL, 0};
	struct table cli = {"Top clients by anomaly class", 3,
			    {"class", "client", "records"},
			    {false, false, true}, NULL, 0};
	struct table lgn = {"Top logins by anomaly class", 3,
			    {"class", "login", "records"},
			    {false, false, true}, NULL, 0};
	const char *name;
	json_t *c, *e;
	size_t i;

	json_object_foreach(anomalies, name, c) {
		row(&cls, xstrdup(name), num(json_object_get(c, "count")),
		    num(json_object_get(c, "occurrences")), NULL);
		json_array_foreach(json_object_get(c, "clients"), i, e) {
			const char *a = json_string_value(
				json_object_get(e, "addr"));

			row(&cli, xstrdup(name),
			    disp(a[0] ? a : "(no address)"),
			    num(json_object_get(e, "count")), NULL);
		}
		json_array_foreach(json_object_get(c, "logins"), i, e)
			row(&lgn, xstrdup(name), disp(json_string_value(
				json_object_get(e, "login"))),
			    num(json_object_get(e, "count")), NULL);
	}
	table_print(fp, &cls);
	table_print(fp, &cli);
	table_print(fp, &lgn);
}

static void hosts_table(FILE *fp, json_t *hosts)
{
	struct table t = {"Records by host", 4,
			  {"host", "records", "rejected", "anomalous"},
			  {false, true, true, true}, NULL, 0};
	size_t i;
	json_t *h;

	json_array_foreach(hosts, i, h) {
		const char *name = json_string_value(json_object_get(h, "host"));

		row(&t, disp(name[0] ? name : "(unnamed)"),
		    num(json_object_get(h, "records")),
		    num(json_object_get(json_object_get(h, "by_verdict"),
					"reject")),
		    num(json_object_get(h, "anomalous")));
	}
	table_print(fp, &t);
}

static void monitor_tables(FILE *fp, json_t *m)
{
	long long n = (long long)json_integer_value(
		json_object_get(m, "records"));

	if (n == 0)
		return;
	fprintf(fp, "\nMonitor mode: %lld record%s; what enforce mode would "
		"have done instead\n", n, n == 1 ? "" : "s");
	counts_table(fp, "Monitor mode: would-be verdicts", "would",
		     json_object_get(m, "would"), true);
	counts_table(fp, "Monitor mode: would-be verdicts by rule", "rule",
		     json_object_get(m, "by_rule"), true);
	clients_table(fp, "Monitor mode: top clients that would have been "
		      "rejected as unauthenticated",
		      json_object_get(m, "unauthenticated"), "would-be");
	logins_table(fp, "Monitor mode: sender-ownership refusals by login "
		     "that would have been made",
		     json_object_get(m, "not_owned"), "would-be", &report_tried_envelope);
	logins_table(fp, "Monitor mode: From header refusals by login "
		     "that would have been made",
		     json_object_get(m, "header_not_owned"), "would-be",
		     &report_tried_header);
}

static void header(FILE *fp, json_t *j)
{
	long long n = (long long)json_integer_value(json_object_get(j, "records"));
	long long bad = (long long)json_integer_value(
		json_object_get(j, "malformed"));
	long long other = (long long)json_integer_value(
		json_object_get(j, "other_lines"));

	if (n == 0)
		fprintf(fp, "dotgate-report: no records\n");
	else
		fprintf(fp, "dotgate-report: %lld record%s from %s to %s\n", n,
			n == 1 ? "" : "s",
			json_string_value(json_object_get(j, "from")),
			json_string_value(json_object_get(j, "to")));
	if (bad > 0 || other > 0)
		fprintf(fp, "skipped: %lld malformed line%s, %lld other syslog "
			"line%s\n", bad, bad == 1 ? "" : "s", other,
			other == 1 ? "" : "s");
	if (json_is_true(json_object_get(j, "approximate")))
		fprintf(fp, "note: more distinct keys than a table keeps; "
			"top counts are upper bounds\n");
}

void report_summary_print(const struct report_summary *s, FILE *fp)
{
	json_t *j = report_summary_json(s);

	header(fp, j);
	hosts_table(fp, json_object_get(j, "hosts"));
	counts_table(fp, "Totals by verdict", "verdict",
		     json_object_get(j, "by_verdict"), false);
	counts_table(fp, "Totals by rule", "rule",
		     json_object_get(j, "by_rule"), false);
	clients_table(fp, "Top clients rejected as unauthenticated",
		      json_object_get(j, "unauthenticated"), "rejections");
	logins_table(fp, "Sender-ownership rejections by login",
		     json_object_get(j, "not_owned"), "rejections", &report_tried_envelope);
	logins_table(fp, "From header refusals by login",
		     json_object_get(j, "header_not_owned"), "rejections",
		     &report_tried_header);
	anomaly_tables(fp, json_object_get(j, "anomalies"));
	monitor_tables(fp, json_object_get(j, "monitor"));
	json_decref(j);
}
