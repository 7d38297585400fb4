/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_report.c: fuzz target for dotgate-report's reader.  The input is
 * a log file: each line (copied into an exactly-sized buffer, so a read
 * past the line is caught) goes through report_parser_line(), records
 * into a summary with a small table cap (so the approximate top-k path
 * runs too), other lines are noted.  Then the summary is rendered as JSON,
 * which must dump and parse back, and as text.  A record's fields must
 * be in range; the time arguments and the key="value" reader get the
 * first line as well.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fuzz.h"
#include "report.h"

static void check_rec(const struct report_rec *r)
{
	int c;

	if ((unsigned)r->stage > DG_STAGE_ABORT || (unsigned)r->rule >= GATE_RULE_COUNT ||
	    r->verdict < -1 || r->verdict > 5 || r->would < -1 || r->would > 5)
		fuzz_fail("record field out of range");
	if (r->addr == NULL)
		fuzz_fail("record without addr string");
	/* header_from stays within its bounds, whatever the line. */
	if (r->hfrom_n > REPORT_HFROM_MAX || (r->hfrom == NULL && r->hfrom_n))
		fuzz_fail("header_from list out of bounds");
	for (unsigned i = 0, o = 0; i < r->hfrom_n; i++) {
		size_t len = strlen(r->hfrom + o);

		if (len > REPORT_HFROM_LEN)
			fuzz_fail("header_from address not cut");
		o += (unsigned)len + 1;
	}
	for (c = 0; c < DG_CLASS_COUNT; c++)
		(void)r->count[c];
}

static void misc(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1), key[64], val[256];
	const char *p, *end;
	int64_t ms;
	size_t vl;
	int guard = 0;

	if (s == NULL)
		abort();
	memcpy(s, d, n);
	s[n] = '\0';
	if (report_ts_parse(s, &ms) == 0) {
		char out[REPORT_TS_LEN];

		report_ts_format(ms, out);
	}
	(void)report_time_arg(s, 1795914123000LL, &ms);
	p = s;
	end = s + n;
	while (report_kv_next(&p, end, key, sizeof(key), val, sizeof(val),
			      &vl) == 1)
		if (vl >= sizeof(val) || ++guard > 100000)
			fuzz_fail("report_kv_next value length %zu", vl);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct report_parser *rp;
	struct report_summary *sum;
	struct report_rec rec;
	size_t off = 0;
	json_t *j, *back;
	char *text;

	if (size > 1 << 20)
		return 0;
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	rp = report_parser_new();
	sum = report_summary_new(4);
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len ? len : 1);
		enum rp_kind k;

		if (line == NULL)
			abort();
		memcpy(line, data + off, len);
		if (off == 0)
			misc(data, len);
		k = report_parser_line(rp, line, len, &rec);
		if (k == RP_RECORD) {
			check_rec(&rec);
			report_summary_add(sum, &rec);
		} else {
			report_summary_note(sum, k);
		}
		free(line);
		off += len + 1;
	}
	j = report_summary_json(sum);
	if (j == NULL)
		fuzz_fail("report_summary_json returned NULL");
	text = json_dumps(j, JSON_COMPACT);
	if (text == NULL)
		fuzz_fail("summary does not dump as JSON");
	back = json_loads(text, 0, NULL);
	if (back == NULL)
		fuzz_fail("summary JSON does not parse back: %s", text);
	json_decref(back);
	free(text);
	json_decref(j);
	report_summary_print(sum, devnull);
	report_summary_free(sum);
	report_parser_free(rp);
	return 0;
}
