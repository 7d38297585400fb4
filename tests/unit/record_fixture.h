/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * record_fixture.h: the record of the transaction under test, for the
 * unit tests of the encoders and sinks, which set the decision by hand
 * where the milter calls record_make() (record.h).  new_txn() starts a
 * transaction and a blank record (stage mail, rule pass, enforce mode,
 * no verdict); rec(t) is that record, pointing to t.
 */
#ifndef DG_RECORD_FIXTURE_H
#define DG_RECORD_FIXTURE_H

#include <string.h>

#include "record.h"
#include "txn.h"

static struct dg_record R;

static inline struct dg_txn *new_txn(void)
{
	memset(&R, 0, sizeof(R));
	return txn_new();
}

static inline const struct dg_record *rec(const struct dg_txn *t)
{
	R.txn = t;
	return &R;
}

#endif
