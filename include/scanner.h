/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	scanner - streaming detector of line-ending and end-of-data anomalies
 * SYNOPSIS
 *	struct scanner *scanner_new(size_t max_line_length);
 *	void scanner_reset(struct scanner *s);
 *	void scanner_push(struct scanner *s, const unsigned char *buf, size_t len);
 *	void scanner_finish(struct scanner *s, struct scan_result *out);
 *	void scanner_free(struct scanner *s);
 * DESCRIPTION
 *	A scanner reads one message body, dot-unstuffed as the MTA hands it
 *	to a milter, in pieces of any size, and counts every anomaly class
 *	of dotgate.conf(5), BODY ANOMALY CLASSES, with the 0-based body
 *	offset of its first
 *	occurrence.  The result is identical however the body is split.
 *	It keeps a bounded amount of state (never the body) and allocates
 *	nothing after scanner_new().  scanner_reset() prepares it for the
 *	next message; scanner_finish() settles anything pending at the end
 *	of the body (a trailing CR is bare) and fills out.  One scanner is
 *	used by one thread at a time.  How each class is read where the
 *	manual page leaves room (body start and end, NUL-dot lines, command
 *	syntax, triggers, empty lines) is documented in filter/lib/scanner.c.
 */
#ifndef DG_SCANNER_H
#define DG_SCANNER_H

#include <stddef.h>
#include <stdint.h>

#include "anomaly.h"

struct scan_class_result {
	uint64_t count;
	uint64_t first;		/* valid when count > 0 */
};

struct scan_result {
	struct scan_class_result cls[DG_CLASS_COUNT];
	uint64_t size;		/* body bytes pushed */
};

struct scanner;

struct scanner *scanner_new(size_t max_line_length);
void scanner_reset(struct scanner *s);
void scanner_push(struct scanner *s, const unsigned char *buf, size_t len);
void scanner_finish(struct scanner *s, struct scan_result *out);
void scanner_free(struct scanner *s);

#endif
