/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	report - the pure parts of dotgate-report: read a record, sum it up
 * SYNOPSIS
 *	#include "report.h"
 *
 *	int report_ts_parse(const char *s, int64_t *ms);
 *	int report_time_arg(const char *s, int64_t now_ms, int64_t *ms);
 *	void report_ts_format(int64_t ms, char out[REPORT_TS_LEN]);
 *	int report_rec_slot(const struct report_rec *r);
 *	bool report_rec_anomalous(const struct report_rec *r);
 *
 *	int report_kv_next(const char **p, const char *end, char *key,
 *			   size_t keymax, char *val, size_t valmax,
 *			   size_t *vallen);
 *	bool report_syslog_header(const char *line, size_t len,
 *				  const char **host, size_t *hostlen);
 *
 *	struct report_parser *report_parser_new(void);
 *	enum rp_kind report_parser_line(struct report_parser *rp,
 *					const char *line, size_t len,
 *					struct report_rec *out);
 *	void report_parser_free(struct report_parser *rp);
 *
 *	struct report_summary *report_summary_new(size_t cap);
 *	void report_summary_add(struct report_summary *s,
 *				const struct report_rec *r);
 *	void report_summary_note(struct report_summary *s, enum rp_kind k);
 *	json_t *report_summary_json(const struct report_summary *s);
 *	void report_summary_print(const struct report_summary *s, FILE *fp);
 *	void report_summary_html(const struct report_summary *s, FILE *fp);
 *	const struct report_series *report_summary_series(
 *		const struct report_summary *s);
 *	void report_summary_free(struct report_summary *s);
 *
 *	struct report_pipe *report_pipe_new(struct report_summary *s,
 *					    const struct report_window *w,
 *					    int workers);
 *	void report_pipe_line(struct report_pipe *p, const char *line,
 *			      size_t len);
 *	void report_pipe_overlong(struct report_pipe *p);
 *	void report_pipe_finish(struct report_pipe *p);
 * DESCRIPTION
 *	report_ts_parse() reads a record time, "YYYY-MM-DDThh:mm:ss" with
 *	optional fraction and "Z" or "+hh:mm"/"-hh:mm", into milliseconds
 *	since the epoch.  report_time_arg() reads a --since/--until value:
 *	a record time, a date "YYYY-MM-DD" (midnight UTC), a time without
 *	zone (UTC), or "-N" followed by s, m, h, d or w (N units before
 *	now_ms).  Both return 0, or -1 for anything else.
 *	report_ts_format() writes ms as "YYYY-MM-DDThh:mm:ss.mmmZ".
 *	A record's stage, rule, verdict and mode are read with the tables
 *	dotgate writes them with (record.h), so the two cannot disagree.
 *
 *	report_kv_next() reads the next ` key="value"` pair of an audit
 *	syslog message at *p (before end), undoing the escapes of
 *	audit_syslog() (\\ \" \xNN) into val (NUL-terminated, *vallen
 *	bytes, which may include NUL); it returns 1 and advances *p, 0 at
 *	the end (only blanks left), -1 when the text is not such a pair or
 *	does not fit.
 *
 *	report_syslog_header() says whether line starts like a line of a
 *	syslog file: an RFC 3164 stamp ("Nov 29 01:02:03 "), an ISO 8601
 *	one (rsyslog's high-precision format, journalctl -o short-iso), or
 *	a PRI ("<22>"), RFC 5424 included; *host and *hostlen are then the
 *	host name the header carries (NULL and 0 when it has none, "-", or
 *	one longer than REPORT_HOST_MAX), pointing into line.
 *
 *	report_parser_line() classifies one line (without its newline)
 *	and, for a record, fills out; out's strings point into the parser
 *	and stay valid until the next call.  A line is
 *	  RP_BLANK	empty or blanks only;
 *	  RP_RECORD	an audit record: a JSON object (the JSON Lines file),
 *			a syslog line whose message is such an object, or a
 *			syslog line carrying the "QID: ts=\"...\" ..." form;
 *			the record's host is its "host" field or, when it
 *			has none, the host of the syslog header before it;
 *	  RP_OTHER	a syslog line (RFC 3164 or ISO 8601 time stamp) that
 *			carries no audit record: other programs, dotgate's
 *			own start-up and error messages;
 *	  RP_MALFORMED	anything else, or a record that fails validation:
 *			ts, stage, rule and mode are required and must be
 *			known values, a record that is not an abort needs a
 *			verdict, other fields must have their types.
 *
 *	A record's header_from (a JSON array of strings, or the syslog
 *	form "a@b,c@d" with a comma inside an address written \x2c) keeps
 *	its first REPORT_HFROM_MAX addresses, each cut to REPORT_HFROM_LEN
 *	bytes; null or absent means not checked (hfrom NULL).  A JSON
 *	header_from that is neither null nor an array of strings makes the
 *	record malformed.
 *
 *	A summary counts records without keeping them: totals by verdict
 *	(abort records under "abort") and by rule; enforce-mode refusals as
 *	unauthenticated by client address and as sender.not_owned by login
 *	with the senders tried, and as sender.header_not_owned or
 *	sender.header_malformed by login with the header From addresses
 *	tried; anomaly classes with the number of records
 *	and occurrences and their top clients and logins; and for monitor
 *	mode what would have been done, with the same client and login
 *	tables.  Every table keeps at most cap keys (see topk.h): exact
 *	below that, approximate (and flagged) above it; a cap of 0 means
 *	REPORT_CAP.  report_summary_note() counts a line that is not a
 *	record.  report_summary_json() returns the summary as the object of
 *	dotgate-report(1), JSON OUTPUT (a new reference);
 *	report_summary_print() writes
 *	it as aligned text tables, with every byte from the logs outside
 *	printable ASCII shown as \xNN.  report_summary_html() writes it as
 *	one self-contained HTML5 page with the charts of the summary's
 *	series (report_series.h), which report_summary_series() returns.
 *	A summary also counts records per host (the "hosts" list of the
 *	JSON object, most records first).
 *
 *	A report pipe parses lines on worker threads and adds them to s on
 *	the calling thread, in input order, so the summary is the same as
 *	with report_parser_line() + report_summary_add() on each line;
 *	records outside the window w are dropped (w->host, when not NULL,
 *	keeps only the records of that host).  With no workers (0, or
 *	when no thread can be started) the calling thread parses each line
 *	itself.  report_pipe_line() copies the line; report_pipe_overlong()
 *	counts a line too long to be read as malformed; report_pipe_finish()
 *	waits for every line, stops the workers and frees the pipe.  Memory
 *	stays bounded: a few batches of lines are in flight at a time.
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h), and so is a failed mutex or
 *	condition variable call in a report pipe (a dg_panic()).
 */
#ifndef DG_REPORT_H
#define DG_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "anomaly.h"
#include "gate.h"
#include "verdict.h"

#define REPORT_TS_LEN 32
#define REPORT_LINE_MAX (1024 * 1024)	/* longer lines are malformed */
#define REPORT_TOP 10			/* rows of each "top" table */
#define REPORT_CAP 2048			/* keys kept per table */
#define REPORT_SENDERS 10		/* senders kept per login */
#define REPORT_HOST_MAX 255		/* longer syslog host names: none */
#define REPORT_HFROM_MAX 4		/* header From addresses kept a record */
#define REPORT_HFROM_LEN 255		/* bytes kept of each (as topk.h) */

/*
 * The short prefixes are the module's too: rr_/RR_ for the fields of a
 * report record, rp_/RP_ for what the report parser made of a line.
 */
struct report_rec {
	int64_t ts_ms;
	char ts[REPORT_TS_LEN];		/* as written in the record */
	const char *host;		/* NULL when neither record nor syslog
					   header names one */
	enum dg_stage stage;
	const char *addr;		/* "" when the client had no address */
	const char *login;		/* NULL when not authenticated */
	const char *from;		/* NULL when absent */
	const char *hfrom;		/* header_from: NULL when not checked,
					   else hfrom_n strings back to back,
					   each NUL-terminated */
	unsigned hfrom_n;		/* <= REPORT_HFROM_MAX */
	int verdict;			/* enum dg_verdict, -1 when null */
	int would;			/* enum dg_verdict, -1 when null */
	enum gate_rule rule;
	bool monitor;
	uint64_t count[DG_CLASS_COUNT];	/* 0: class not found */
};

/*
 * The two tables of logins and what they tried, envelope senders and
 * header From addresses: the column that lists them, its member in the
 * JSON summary, and what the text and HTML reports show for "".
 */
struct report_tried {
	const char *head;
	const char *key;
	const char *empty;
};

extern const struct report_tried report_tried_envelope, report_tried_header;

/* A record's verdict column: enum dg_verdict, or RR_SLOT_ABORT. */
#define RR_SLOT_ABORT DG_VERDICT_COUNT

enum rp_kind { RP_RECORD, RP_BLANK, RP_OTHER, RP_MALFORMED };

struct report_window {
	bool has_since, has_until;
	int64_t since, until;		/* since <= ts < until */
	const char *host;		/* NULL: every host */
};

struct report_parser;
struct report_summary;
struct report_series;

int report_ts_parse(const char *s, int64_t *ms);
int report_time_arg(const char *s, int64_t now_ms, int64_t *ms);
void report_ts_format(int64_t ms, char out[REPORT_TS_LEN]);
int report_rec_slot(const struct report_rec *r);
bool report_rec_anomalous(const struct report_rec *r);

int report_kv_next(const char **p, const char *end, char *key, size_t keymax,
		   char *val, size_t valmax, size_t *vallen);
bool report_syslog_header(const char *line, size_t len, const char **host,
			  size_t *hostlen);

struct report_parser *report_parser_new(void);
enum rp_kind report_parser_line(struct report_parser *rp, const char *line,
				size_t len, struct report_rec *out);
void report_parser_free(struct report_parser *rp);

struct report_summary *report_summary_new(size_t cap);
void report_summary_add(struct report_summary *s, const struct report_rec *r);
void report_summary_note(struct report_summary *s, enum rp_kind k);
json_t *report_summary_json(const struct report_summary *s);
void report_summary_print(const struct report_summary *s, FILE *fp);
void report_summary_html(const struct report_summary *s, FILE *fp);
const struct report_series *report_summary_series(
	const struct report_summary *s);
void report_summary_free(struct report_summary *s);

struct report_pipe;

struct report_pipe *report_pipe_new(struct report_summary *s,
				    const struct report_window *w,
				    int workers);
void report_pipe_line(struct report_pipe *p, const char *line, size_t len);
void report_pipe_overlong(struct report_pipe *p);
void report_pipe_finish(struct report_pipe *p);

#endif
