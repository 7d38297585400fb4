/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	utf8 - outside bytes made valid UTF-8
 * SYNOPSIS
 *	#include "utf8.h"
 *
 *	char *utf8_repair(const char *s);
 * DESCRIPTION
 *	utf8_repair() returns a malloc'd copy of s in which each byte that
 *	does not belong to a well-formed UTF-8 sequence (RFC 3629: no
 *	overlong forms, no surrogates, nothing above U+10FFFF) is replaced
 *	by U+FFFD; valid sequences are kept.  Client bytes go through it
 *	before jansson, which refuses invalid UTF-8 (dgjson.h).
 * DIAGNOSTICS
 *	Out of memory is fatal (util.h).
 */
#ifndef DG_UTF8_H
#define DG_UTF8_H

char *utf8_repair(const char *s);

#endif
