/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milter.h: the libmilter glue of dotgate (milter.c).
 *
 *	struct smfiDesc *milter_desc(void);
unsigned milter_inflight(void);
 *	unsigned milter_inflight(void);
 *
 * milter_desc() is the filter description to hand to smfi_register().
 * milter_inflight() is the number of transactions begun (MAIL FROM) whose
 * record is not written yet, in all connections: what a stop waits for.
 * Records go to the process's current audit sinks (sink.h).
 */
#ifndef DG_MILTER_H
#define DG_MILTER_H

#include <libmilter/mfapi.h>

struct smfiDesc *milter_desc(void);
unsigned milter_inflight(void);

#endif
