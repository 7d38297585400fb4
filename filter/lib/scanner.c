/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scanner.c: the streaming body scanner (see scanner.h): finds the byte
 * sequences behind SMTP smuggling in a message body handed over in
 * chunks, and the residue MTAs leave when they rewrite such sequences.
 * This file holds the public API and the loop over a chunk that
 * alternates the two paths: the 64-byte window fast path in
 * scanner_window.c and the exact per-byte line matcher in
 * scanner_line.c; what they share is in scanner_impl.h.
 *
 * NAME
 *	scanner - streaming detector of line-ending and end-of-data anomalies
 * SYNOPSIS
 *	#include "scanner.h"
 *
 *	struct scanner *scanner_new(size_t max_line_length);
 *	void scanner_reset(struct scanner *s);
 *	void scanner_push(struct scanner *s, const unsigned char *buf, size_t len);
 *	void scanner_finish(struct scanner *s, struct scan_result *out);
 *	void scanner_free(struct scanner *s);
 * DESCRIPTION
 *	The classes are those of dotgate.conf(5), BODY ANOMALY CLASSES.
 *	Where that page leaves room, this module decides as follows.
 *
 *	Lines.  A line ends at CRLF, at a bare CR and at a bare LF.  The
 *	body start counts as the start of a line that follows a CRLF (the
 *	MTA's header/body separator), so ".\r\n" at offset 0 is a lone_dot
 *	and ".\n" there a smuggle_eod.  The end of the body ends a last,
 *	unterminated line as a CRLF would (the CRLF that opens the
 *	end-of-data sequence); a CR that is the last byte of the body is
 *	bare.  An LF at offset 0 is bare.
 *
 *	Dot lines.  A line that is exactly "." is lone_dot when the
 *	terminators on both sides are CRLF (or body start/end), smuggle_eod
 *	otherwise; this covers every listed form, "\r\n.\r\r\n" and
 *	"\r\r\n.\r\r\n" included (the dot line ends at a bare CR).  A line
 *	made of one dot and one or more NULs ("\0.", ".\0", "\0.\0") is a
 *	NUL-dot: smuggle_eod at the dot, whatever its terminators.
 *
 *	Commands.  Case-insensitive (ASCII), after leading spaces or tabs:
 *	"MAIL" then one or more spaces/tabs then "FROM:", anything after;
 *	"RCPT" spaces/tabs "TO:", anything after; "DATA" followed by
 *	nothing but spaces/tabs; "BDAT" spaces/tabs, one or more digits,
 *	optionally spaces/tabs and "LAST", then nothing but spaces/tabs
 *	(RFC 3030's BDAT n and BDAT n LAST: a client that smuggles with
 *	CHUNKING sends its hidden message so, and the first chunk starts it
 *	whether it is the last or not).  A transaction is a MAIL line, one
 *	or more RCPT lines, a DATA or BDAT line, on consecutive lines; it
 *	counts once, when its DATA or BDAT line ends, at the offset of the
 *	"M" of its MAIL.
 *
 *	Triggers.  The transaction is smuggled_transaction when the line
 *	just before its MAIL line is a trigger, or when one or two empty
 *	lines stand between a trigger and it, else smtp_commands.  (Test
 *	tools send CRLF or CRLF CRLF between the end-of-data sequence and
 *	the hidden MAIL; behind Postfix that leaves the residue line, one
 *	empty line, or two after a sequence that ends in CRLF itself, such
 *	as "\r.\r\n", which arrives as "hello .", then MAIL.)
 *	Trigger lines: any dot line or NUL-dot line; a line made only of
 *	NULs (what Postfix leaves of ".\0" after dot-unstuffing); a
 *	non-empty line that, with trailing spaces removed, is empty, is
 *	".", or ends in " ." (this covers "a line of spaces with at most
 *	one dot" and "a line ending in ' .'", also when the MTA left a
 *	space after the dot, as Postfix does with "\r.\r\r\n").  The
 *	transaction is also smuggled when its MAIL FROM: follows " . "
 *	(then any spaces) on the same line, and when its MAIL line starts
 *	with exactly one space and its first RCPT line starts with no
 *	space or tab.  An empty line (ended by CRLF, a bare CR or a bare
 *	LF) is no trigger; a third empty line after a trigger, or any other
 *	line that is no trigger, breaks it (a line of spaces is a trigger
 *	itself: the count starts again after it).
 *	The empty CRLF line right after a line ended by a bare CR does not
 *	count at all: "\r\r\n" then acts as one terminator, as in the
 *	listed forms "\r\n.\r\r\n" + MAIL FROM.
 *
 *	Offsets are 0-based body offsets of all chunks concatenated;
 *	first is the CR, the LF, the dot, the NUL, the "M", or the first
 *	byte of the line, as dotgate.conf(5) says.
 *
 *	Speed: whole 64-byte windows of plain CRLF text, empty lines, lone
 *	dots and runs of CR/LF are settled from bitmasks in scanner_window.c
 *	(SSE2 on x86-64, plain C elsewhere).  Anything else goes
 *	byte by byte through the line matcher in scanner_line.c, from the
 *	first byte that needs it, with a vector skip over mid-line text and
 *	runs of NUL counted at once.  State across chunks is the last byte,
 *	a pending CR, the line's start offset and a few small fields: the
 *	body is never kept.
 * DIAGNOSTICS
 *	scanner_new() dies on out of memory (xmalloc); nothing else fails.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scanner.h"
#include "scanner_impl.h"
#include "util.h"

struct scanner *scanner_new(size_t max_line_length)
{
	struct scanner *s = xmalloc(sizeof(*s));

	s->maxlen = max_line_length;
	scanner_reset(s);
	return s;
}

void scanner_reset(struct scanner *s)
{
	size_t maxlen = s->maxlen;

	memset(s, 0, sizeof(*s));
	s->maxlen = maxlen;
	s->prev = '\n';
	s->seq = SEQ_NONE;
	new_line(s, 0, T_CRLF);
}

void scanner_push(struct scanner *s, const unsigned char *buf, size_t len)
{
	struct chunk ck = { buf, len, s->off };
	size_t i = 0;

	if (len == 0)
		return;
	while (i < len) {
		i = scanner_windows(s, &ck, i);
		if (i < len)
			i = scanner_slow_until(s, &ck, i,
					       len - i > WIN ? i + WIN : len);
	}
	scanner_carry_tail(s, &ck);
	s->prev = buf[len - 1];
	s->off += len;
}

void scanner_finish(struct scanner *s, struct scan_result *out)
{
	scanner_end_body(s);
	*out = s->res;
	out->size = s->off;
}

void scanner_free(struct scanner *s)
{
	free(s);
}
