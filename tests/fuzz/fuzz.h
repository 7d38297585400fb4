/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * NAME
 *	fuzz.h - what the libFuzzer targets and their replay driver share
 * SYNOPSIS
 *	int  LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
 *	int  LLVMFuzzerInitialize(int *argc, char ***argv);
 *	const char *fuzz_tmpfile(const uint8_t *data, size_t size);
 *	void fuzz_fail(const char *fmt, ...);
 *	void fuzz_findings_check(const struct dr_report *r);
 * DESCRIPTION
 *	Each tests/fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput() (and may
 *	define LLVMFuzzerInitialize()).  The same file is linked either with
 *	libFuzzer (clang -fsanitize=fuzzer, "make fuzz") or with replay.c,
 *	which feeds it the seed corpus and the crash regression inputs in
 *	"make check" with any compiler.
 *	fuzz_tmpfile() writes data to a private file (mode 0600, made once
 *	per process) and returns its path, for parsers that read files.
 *	fuzz_fail() reports a broken property and aborts, so that libFuzzer
 *	keeps the input as a crash and the replay driver fails.
 *	fuzz_findings_check() (fuzz_findings.c, dotgate-doctor's targets
 *	only) fails unless the findings' JSON parses back and their text
 *	prints.
 */
#ifndef DG_FUZZ_H
#define DG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);
const char *fuzz_tmpfile(const uint8_t *data, size_t size);
void fuzz_fail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

struct dr_report;
void fuzz_findings_check(const struct dr_report *r);

#endif
