/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	audit - one audit record per transaction: JSON Lines and syslog
 * SYNOPSIS
 *	#include "audit.h"
 *
 *	char *audit_json(const struct dg_record *r, const struct timespec *ts);
 *	char *audit_json_into(const struct dg_record *r, const struct timespec *ts,
 *			      char *buf, size_t size, size_t *len);
 *	char *audit_syslog(const struct dg_record *r, const struct timespec *ts);
 *	size_t audit_syslog_fmt(const struct dg_record *r, const struct timespec *ts,
 *				char out[AUDIT_SYSLOG_MAX + 1]);
 * DESCRIPTION
 *	The two encoders of the record (record.h), each on its own: the
 *	names, rule and time they write come from record.h; where records
 *	go is sink.h.
 *
 *	audit_json() encodes the record of dotgate.conf(5), AUDIT RECORD,
 *	with jansson
 *	as one line ending in "\n" (a malloc'd string the caller frees),
 *	fields in that page's order.  ts is the record time (NULL: now); it is
 *	written in UTC with milliseconds ("2026-11-29T01:02:03.456Z").
 *	Every string is valid JSON whatever bytes the client sent: control
 *	bytes are escaped by jansson, each byte that is not part of a valid
 *	UTF-8 sequence becomes U+FFFD (utf8.h).  Absent values are null: qid before
 *	the queue id is known, client.addr for a client without an IP
 *	address (local submission, unix socket), client.port when unknown,
 *	client.name/helo/daemon/from when the MTA gave none, auth when not
 *	authenticated (auth.mech null when only the login is known), tls
 *	without TLS, verdict on abort records, would unless monitor mode
 *	would have done something other than accept, reply when none.
 *
 *	audit_json_into() writes the same line into buf (size bytes) and
 *	returns buf, with its length (newline included) in *len; a record
 *	that does not fit is returned in a new buffer instead, which the
 *	caller frees (line != buf).  The sinks write records from a buffer
 *	on their stack this way, so that a record costs no allocation of
 *	the line (jansson still allocates its tree).
 *
 *	audit_syslog() makes the same record as one syslog message,
 *	"QID: ts=\"...\" stage=\"eom\" client=\"192.0.2.1\" port=\"25\" ..."
 *	(or "NOQUEUE: ..." without a queue id), without trailing newline.
 *	Keys, in order: ts stage client port client_name helo daemon
 *	auth_user auth_mech tls from rcpts size anomalies verdict would
 *	rule reply mode; a key whose value is null is left out.  rcpts is
 *	the recipients joined by ","; anomalies is "class=count@first,..."
 *	in class order.  Every value is quoted; inside the quotes "\\" and
 *	"\"" are escaped, every byte outside printable ASCII (and "," in a
 *	recipient) is written "\xNN", so a client can forge neither a line
 *	break nor a key.  A value longer than its budget is cut on an
 *	escape boundary and ends in "..." (outside any escape); the whole
 *	message stays under AUDIT_SYSLOG_MAX bytes, below the 8 KB that
 *	common syslog daemons keep.  The JSON record is the complete one.
 *	audit_syslog_fmt() writes it into out and returns its length;
 *	audit_syslog() returns it in a new buffer.
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h).
 */
#ifndef DG_AUDIT_H
#define DG_AUDIT_H

#include <stddef.h>
#include <time.h>

#include "record.h"

#define AUDIT_SYSLOG_MAX 7900

char *audit_json(const struct dg_record *r, const struct timespec *ts);
char *audit_json_into(const struct dg_record *r, const struct timespec *ts,
		      char *buf, size_t size, size_t *len);
size_t audit_syslog_fmt(const struct dg_record *r, const struct timespec *ts,
			char out[AUDIT_SYSLOG_MAX + 1]);
char *audit_syslog(const struct dg_record *r, const struct timespec *ts);

#endif
