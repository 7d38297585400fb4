/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * findings.c: the findings of dotgate-doctor(8) and their two forms,
 * the text lines and the JSON object of dotgate-doctor(8), OUTPUT.
 * Every string is copied and bounded when it is added, because values
 * come from configuration files anyone may have written; control bytes
 * are escaped when printed so that a value can neither end a line nor
 * move the terminal's cursor, and JSON strings are repaired to UTF-8.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dgjson.h"
#include "doctor.h"
#include "util.h"

/* The longest field kept, in bytes; longer ones end in "...". */
#define DR_FIELD_MAX PF_VALUE_MAX

static const char *const level_names[] = { "ok", "warn", "risk" };

static char *bounded(const char *s)
{
	size_t n;
	char *out;

	if (s == NULL)
		return xstrdup("");
	n = strnlen(s, DR_FIELD_MAX + 1);
	if (n <= DR_FIELD_MAX)
		return xstrndup(s, n);
	out = xmalloc(DR_FIELD_MAX + 4);
	memcpy(out, s, DR_FIELD_MAX);
	memcpy(out + DR_FIELD_MAX, "...", 4);
	return out;
}

void dr_add(struct dr_report *r, enum dr_level level, const char *service,
	    const char *setting, const char *value, const char *fix,
	    const char *meaning_fmt, ...)
{
	struct dr_finding *f;
	char meaning[DR_FIELD_MAX + 2];	/* one more: a cut shows */
	va_list ap;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->f = xrealloc(r->f, r->cap * sizeof(*r->f));
	}
	va_start(ap, meaning_fmt);
	(void)vsnprintf(meaning, sizeof(meaning), meaning_fmt, ap);
	va_end(ap);
	f = &r->f[r->n++];
	f->level = level > DR_RISK ? DR_RISK : level;
	f->service = bounded(service);
	f->setting = bounded(setting);
	f->value = bounded(value);
	f->meaning = bounded(meaning);
	f->fix = bounded(fix);
}

/* Control bytes and DEL as \xHH, everything else as it is. */
static void put_escaped(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(fp, "\\x%02x", c);
		else
			putc(c, fp);
	}
}

static void count_levels(const struct dr_report *r, size_t n[3])
{
	size_t i;

	n[DR_OK] = n[DR_WARN] = n[DR_RISK] = 0;
	for (i = 0; i < r->n; i++)
		n[r->f[i].level]++;
}

static const char *mta_name(const struct dr_report *r)
{
	return r->mta != NULL ? r->mta : "unknown";
}

void dr_print_text(FILE *fp, const struct dr_report *r)
{
	size_t n[3], i;

	count_levels(r, n);
	fputs("dotgate-doctor: ", fp);
	put_escaped(fp, mta_name(r));
	putc(' ', fp);
	put_escaped(fp, r->mta_version != NULL ? r->mta_version
		    : "(version unknown)");
	fprintf(fp, ": %zu risk, %zu warn, %zu ok\n", n[DR_RISK], n[DR_WARN],
		n[DR_OK]);
	for (i = 0; i < r->n; i++) {
		const struct dr_finding *f = &r->f[i];

		fprintf(fp, "%-4s ", level_names[f->level]);
		put_escaped(fp, f->service);
		putc(' ', fp);
		put_escaped(fp, f->setting);
		fputs(" = ", fp);
		put_escaped(fp, f->value[0] != '\0' ? f->value : "(none)");
		fputs(": ", fp);
		put_escaped(fp, f->meaning);
		if (f->fix[0] != '\0') {
			fputs("; fix: ", fp);
			put_escaped(fp, f->fix);
		}
		putc('\n', fp);
	}
}

static json_t *finding_json(const struct dr_finding *f)
{
	json_t *o = dgjson_must(json_object());

	dgjson_set(o, "level", dgjson_str(level_names[f->level]));
	dgjson_set(o, "service", dgjson_str(f->service));
	dgjson_set(o, "setting", dgjson_str(f->setting));
	dgjson_set(o, "value", dgjson_str(f->value));
	dgjson_set(o, "meaning", dgjson_str(f->meaning));
	dgjson_set(o, "fix", dgjson_str(f->fix));
	return o;
}

void dr_print_json(FILE *fp, const struct dr_report *r)
{
	json_t *o = dgjson_must(json_object());
	json_t *a = dgjson_must(json_array());
	size_t n[3], i;

	count_levels(r, n);
	dgjson_set(o, "mta", dgjson_str(mta_name(r)));
	dgjson_set(o, "version", dgjson_str(r->mta_version));
	dgjson_set(o, "risk", dgjson_must(json_integer((json_int_t)n[DR_RISK])));
	dgjson_set(o, "warn", dgjson_must(json_integer((json_int_t)n[DR_WARN])));
	dgjson_set(o, "ok", dgjson_must(json_integer((json_int_t)n[DR_OK])));
	for (i = 0; i < r->n; i++)
		dgjson_push(a, finding_json(&r->f[i]));
	dgjson_set(o, "findings", a);
	/* A write error shows in ferror(fp), which main() checks. */
	(void)json_dumpf(o, fp, JSON_COMPACT);
	putc('\n', fp);
	json_decref(o);
}

int dr_exit_status(const struct dr_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->f[i].level == DR_RISK)
			return 1;
	return 0;
}

void dr_report_free(struct dr_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->f[i].service);
		free(r->f[i].setting);
		free(r->f[i].value);
		free(r->f[i].meaning);
		free(r->f[i].fix);
	}
	free(r->f);
	free(r->mta);
	free(r->mta_version);
	memset(r, 0, sizeof(*r));
}
