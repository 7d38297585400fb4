/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_audit.c: fuzz target for the audit encoders.  The input becomes a
 * transaction the way the milter glue fills one (txn_set and
 * txn_add_rcpt, so the same bounds apply) and its record (record.h):
 * 24 bytes of decision fields,
 * then NUL-separated strings with whatever bytes a client can send
 * (client address, client name, helo, daemon, queue id, login,
 * mechanism, TLS version, sender, reply, recipients...).  Properties:
 *  - audit_json() is one line ending in "\n" that jansson parses as an
 *    object (so every string is valid UTF-8 and JSON), whose "from" is
 *    exactly utf8_repair() of the sender;
 *  - audit_syslog() is printable ASCII only (no forged line or key) and
 *    shorter than AUDIT_SYSLOG_MAX;
 *  - dotgate-report's parser reads both forms back as a record with the
 *    same stage, and the sender when the syslog form was not cut.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "audit.h"
#include "fuzz.h"
#include "record.h"
#include "report.h"
#include "txn.h"
#include "utf8.h"

#define HDR 24

/* Next NUL-terminated string of the input, or NULL when none is left. */
static const char *next_str(const uint8_t **p, const uint8_t *end,
			    char *buf, size_t bufsz)
{
	const uint8_t *nul;
	size_t len;

	if (*p >= end)
		return NULL;
	nul = memchr(*p, '\0', (size_t)(end - *p));
	len = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
	if (len >= bufsz)
		len = bufsz - 1;
	memcpy(buf, *p, len);
	buf[len] = '\0';
	*p = nul ? nul + 1 : end;
	return buf;
}

static void fill(struct dg_txn *t, struct dg_record *r, const uint8_t *d,
		 size_t size)
{
	const uint8_t *p = d + HDR, *end = d + size;
	char *buf = malloc(65536);
	const char *s;
	int c;

	if (buf == NULL)
		abort();
	memset(r, 0, sizeof(*r));
	r->txn = t;
	r->stage = (enum dg_stage)(d[0] % DG_STAGE_COUNT);
	r->mode = (d[1] & 1) ? DG_MODE_MONITOR : DG_MODE_ENFORCE;
	t->scanned = (d[1] & 2) != 0;
	r->decision.has_would = (d[1] & 4) != 0;
	r->decision.body_rule = (d[1] & 8) != 0;
	r->decision.has_verdict = r->stage != DG_STAGE_ABORT;
	r->decision.verdict = (enum dg_verdict)(d[2] % DG_VERDICT_COUNT);
	r->decision.would = (enum dg_verdict)(d[3] % DG_VERDICT_COUNT);
	r->mail_rule = (enum gate_rule)(d[4] % GATE_BODY);
	t->client_port = (d[1] & 16) ? -1 : (int)(d[5] << 8 | d[6]);
	t->size = (uint64_t)d[7] << 24 | (uint64_t)d[8] << 8 | d[9];
	for (c = 0; c < DG_CLASS_COUNT; c++) {
		t->scan.cls[c].count = d[10 + c] % 4 == 0 ? 0 : d[10 + c];
		t->scan.cls[c].first = (uint64_t)d[10 + c] * 977;
	}
	t->scan.size = t->size;
	if ((s = next_str(&p, end, buf, sizeof(t->client_addr))) != NULL)
		strcpy(t->client_addr, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->client_name, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->helo, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->daemon, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->qid, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->auth_user, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->auth_mech, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->tls, s);
	if ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_set(&t->from, s);
	if ((s = next_str(&p, end, buf, sizeof(r->decision.reply))) != NULL)
		strcpy(r->decision.reply, s);
	while ((s = next_str(&p, end, buf, 65536)) != NULL)
		txn_add_rcpt(t, s);
	free(buf);
}

static void check_json(const struct dg_record *r, const char *line,
		       struct report_parser *rp)
{
	const struct dg_txn *t = r->txn;
	size_t len = strlen(line);
	json_error_t jerr;
	json_t *o, *from;
	struct report_rec rec;
	char *want;

	if (len == 0 || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		fuzz_fail("audit_json is not one line: %s", line);
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL || !json_is_object(o))
		fuzz_fail("audit_json does not parse (%s): %s", jerr.text, line);
	from = json_object_get(o, "from");
	if (t->from != NULL) {
		want = utf8_repair(t->from);
		if (!json_is_string(from) ||
		    strcmp(json_string_value(from), want) != 0)
			fuzz_fail("from does not round-trip: %s", line);
		free(want);
	}
	json_decref(o);
	if (report_parser_line(rp, line, len, &rec) != RP_RECORD)
		fuzz_fail("dotgate-report rejects the JSON record: %s", line);
	if ((int)rec.stage != (int)r->stage)
		fuzz_fail("report read stage %d for %s", (int)rec.stage,
			  verdict_stage_name(r->stage));
}

static void check_syslog(const struct dg_record *r, const char *msg,
			 struct report_parser *rp)
{
	const struct dg_txn *t = r->txn;
	static const char prefix[] =
	    "Nov 29 01:02:03 mx dotgate[4242]: ";
	size_t len = strlen(msg), i;
	struct report_rec rec;
	char *line;

	if (len >= AUDIT_SYSLOG_MAX)
		fuzz_fail("syslog message of %zu bytes", len);
	for (i = 0; i < len; i++)
		if ((unsigned char)msg[i] < 0x20 || (unsigned char)msg[i] > 0x7e)
			fuzz_fail("syslog byte 0x%02x at %zu: %s",
				  (unsigned char)msg[i], i, msg);
	line = malloc(sizeof(prefix) + len);
	if (line == NULL)
		abort();
	memcpy(line, prefix, sizeof(prefix) - 1);
	memcpy(line + sizeof(prefix) - 1, msg, len);
	if (report_parser_line(rp, line, sizeof(prefix) - 1 + len,
			       &rec) != RP_RECORD)
		fuzz_fail("dotgate-report rejects the syslog record: %s", msg);
	if ((int)rec.stage != (int)r->stage)
		fuzz_fail("report read stage %d from syslog", (int)rec.stage);
	/* Values are cut only when long; a short sender must come back. */
	if (t->from != NULL && strlen(t->from) < 100 && len < 2000 &&
	    (rec.from == NULL || strcmp(rec.from, t->from) != 0))
		fuzz_fail("syslog from does not round-trip: %s", msg);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct report_parser *rp;
	struct timespec ts = { 1795914123, 456000000 };
	struct dg_txn *t;
	struct dg_record r;
	char *line;

	if (size < HDR || size > 200000)
		return 0;
	if (rp == NULL)
		rp = report_parser_new();
	t = txn_new();
	fill(t, &r, data, size);
	line = audit_json(&r, &ts);
	check_json(&r, line, rp);
	free(line);
	line = audit_syslog(&r, &ts);
	check_syslog(&r, line, rp);
	free(line);
	txn_free(t);
	return 0;
}
