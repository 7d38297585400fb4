/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_verdict.c: unit tests of verdict.h.  verdict_body(): the verdict
 * is the strongest action among the classes seen, ignore classes are not
 * seen, "%a" and the tag value list classes in the order of
 * dotgate.conf(5), BODY ANOMALY CLASSES, the tag
 * is due only when not rejected or deferred, and replies are expanded.
 * verdict_final(): one table row per rule of dotgate.conf(5), DECISIONS
 * AT MAIL FROM, THE VERDICT, MONITOR MODE and AUDIT RECORD
 * (enforce and monitor mode, at MAIL, end of message and abort).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conftext.h"
#include "util.h"
#include "verdict.h"

/*
 * The default policy, as the loader makes it from an empty file
 * (dotgate.conf(5), "THE BODY SECTION"), moved into the caller's struct:
 * the tests change its actions and replies in place.
 */
static void default_policy(struct dg_policy *p)
{
	struct dg_policy *loaded = conftext_load("");

	memcpy(p, loaded, sizeof(*p));
	free(loaded);
	/* what the tests below were written against */
	assert_int_equal(p->body.action[DG_CLASS_BARE_CR], DG_ACT_REJECT);
	assert_int_equal(p->body.action[DG_CLASS_LONE_DOT], DG_ACT_IGNORE);
	assert_int_equal(p->body.max_line_length, 998);
}

/* Hands the policy back to policy_unref(), which frees a heap policy. */
static void free_policy(struct dg_policy *p)
{
	struct dg_policy *heap = xmalloc(sizeof(*heap));

	memcpy(heap, p, sizeof(*heap));
	policy_unref(heap);
}

static void set(struct scan_result *r, enum dg_class c, uint64_t count)
{
	r->cls[c].count = count;
	r->cls[c].first = 7;
}

static void test_nothing(void **state)
{
	struct dg_policy p;
	struct scan_result r;
	struct body_verdict v;

	(void)state;
	default_policy(&p);
	memset(&r, 0, sizeof(r));
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_ACCEPT);
	assert_false(v.seen);
	assert_false(v.tag);
	assert_string_equal(v.alist, "");
	assert_string_equal(v.reply, "");
	/* an ignored class is found but not seen */
	set(&r, DG_CLASS_LONE_DOT, 3);
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_ACCEPT);
	assert_false(v.seen);
	assert_string_equal(v.alist, "");
	assert_string_equal(v.tag_value, "");
	free_policy(&p);
}

static void test_reject_default(void **state)
{
	struct dg_policy p;
	struct scan_result r;
	struct body_verdict v;

	(void)state;
	default_policy(&p);
	memset(&r, 0, sizeof(r));
	set(&r, DG_CLASS_SMUGGLED_TRANSACTION, 1);
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_REJECT);
	assert_true(v.seen);
	assert_false(v.tag);
	assert_string_equal(v.alist, "smuggled_transaction");
	assert_string_equal(v.reply, "550 5.6.0 Message rejected: malformed line "
			    "endings or end-of-data sequence (smuggled_transaction)");
	/* several classes: the order of dotgate.conf(5), log ones included,
	 * ignore not */
	set(&r, DG_CLASS_LONE_DOT, 1);
	set(&r, DG_CLASS_LONG_LINE, 2);
	set(&r, DG_CLASS_BARE_CR, 2);
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_REJECT);
	assert_string_equal(v.alist, "bare_cr, smuggled_transaction, long_line");
	assert_string_equal(v.tag_value, "bare_cr=2, smuggled_transaction=1, long_line=2");
	assert_string_equal(v.reply, "550 5.6.0 Message rejected: malformed line "
			    "endings or end-of-data sequence (bare_cr, "
			    "smuggled_transaction, long_line)");
	free_policy(&p);
}

static void test_order(void **state)
{
	static const enum dg_action acts[] = {
		DG_ACT_LOG, DG_ACT_TAG, DG_ACT_QUARANTINE, DG_ACT_TEMPFAIL, DG_ACT_REJECT,
	};
	static const enum dg_verdict verdicts[] = {
		DG_VERDICT_LOG, DG_VERDICT_TAG, DG_VERDICT_QUARANTINE,
		DG_VERDICT_TEMPFAIL, DG_VERDICT_REJECT,
	};
	struct dg_policy p;
	struct scan_result r;
	struct body_verdict v;

	(void)state;
	default_policy(&p);
	/* every pair of actions on two classes: the stronger one wins */
	for (size_t a = 0; a < 5; a++) {
		for (size_t b = 0; b < 5; b++) {
			size_t w = a > b ? a : b;

			memset(&r, 0, sizeof(r));
			p.body.action[DG_CLASS_NUL] = acts[a];
			p.body.action[DG_CLASS_LONG_LINE] = acts[b];
			set(&r, DG_CLASS_NUL, 1);
			set(&r, DG_CLASS_LONG_LINE, 4);
			verdict_body(&p, &r, &v);
			assert_int_equal(v.verdict, verdicts[w]);
			assert_true(v.seen);
			assert_string_equal(v.alist, "nul, long_line");
			assert_string_equal(v.tag_value, "nul=1, long_line=4");
			/* tag due: a tag action among them or quarantine,
			 * and neither reject nor tempfail */
			assert_int_equal(v.tag,
			    (acts[a] == DG_ACT_TAG || acts[b] == DG_ACT_TAG
			     || verdicts[w] == DG_VERDICT_QUARANTINE)
			    && verdicts[w] != DG_VERDICT_REJECT
			    && verdicts[w] != DG_VERDICT_TEMPFAIL);
			if (verdicts[w] == DG_VERDICT_REJECT)
				assert_true(strncmp(v.reply, "550 5.6.0 ", 10) == 0);
			else if (verdicts[w] == DG_VERDICT_TEMPFAIL)
				assert_string_equal(v.reply, "451 4.6.0 Message deferred: "
						    "malformed content (nul, long_line)");
			else
				assert_string_equal(v.reply, "");
		}
	}
	free_policy(&p);
}

static void test_tag_and_quarantine(void **state)
{
	struct dg_policy p;
	struct scan_result r;
	struct body_verdict v;

	(void)state;
	default_policy(&p);
	memset(&r, 0, sizeof(r));
	p.body.action[DG_CLASS_BARE_CR] = DG_ACT_TAG;
	set(&r, DG_CLASS_BARE_CR, 2);
	set(&r, DG_CLASS_SMTP_COMMANDS, 1);
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_TAG);
	assert_true(v.tag);
	assert_string_equal(v.tag_value, "bare_cr=2, smtp_commands=1");
	assert_string_equal(v.alist, "bare_cr, smtp_commands");
	assert_string_equal(v.reply, "");
	/* quarantine alone: tag header too */
	p.body.action[DG_CLASS_BARE_CR] = DG_ACT_QUARANTINE;
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_QUARANTINE);
	assert_true(v.tag);
	assert_string_equal(v.alist, "bare_cr, smtp_commands");
	/* log only: no tag */
	p.body.action[DG_CLASS_BARE_CR] = DG_ACT_LOG;
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_LOG);
	assert_false(v.tag);
	/* a tag class but another rejects: no tag */
	p.body.action[DG_CLASS_BARE_CR] = DG_ACT_TAG;
	p.body.action[DG_CLASS_SMTP_COMMANDS] = DG_ACT_REJECT;
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_REJECT);
	assert_false(v.tag);
	free_policy(&p);
}

/* Every class at once with huge counts: lists stay terminated and bounded. */
static void test_all_classes(void **state)
{
	struct dg_policy p;
	struct scan_result r;
	struct body_verdict v;
	char err[256];

	(void)state;
	default_policy(&p);
	memset(&r, 0, sizeof(r));
	for (int c = 0; c < DG_CLASS_COUNT; c++) {
		p.body.action[c] = DG_ACT_TAG;
		set(&r, (enum dg_class)c, UINT64_MAX);
	}
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_TAG);
	assert_string_equal(v.alist, "bare_cr, bare_lf, smuggle_eod, nul, "
			    "smuggled_transaction, smtp_commands, long_line, lone_dot");
	assert_true(strlen(v.tag_value) < sizeof(v.tag_value));
	assert_true(strncmp(v.tag_value, "bare_cr=18446744073709551615, ", 30) == 0);
	/* a reply with %% and %a, and a long template: cut at 980 */
	reply_free(&p.body.reject);
	assert_int_equal(reply_parse(&p.body.reject, "554 5.6.0 100%% sure: %a", err,
				     sizeof(err)), 0);
	p.body.action[DG_CLASS_NUL] = DG_ACT_REJECT;
	verdict_body(&p, &r, &v);
	assert_int_equal(v.verdict, DG_VERDICT_REJECT);
	assert_string_equal(v.reply, "554 5.6.0 100% sure: bare_cr, bare_lf, "
			    "smuggle_eod, nul, smuggled_transaction, smtp_commands, "
			    "long_line, lone_dot");
	free_policy(&p);
}

/* ---- verdict_final() ------------------------------------------------- */

enum body_kind { NO_BODY, CLEAN, LOGGED, TAGGED, HELD, DEFERRED, REJECTED };

struct final_row {
	const char *what;
	enum dg_mode mode;
	enum dg_stage stage;
	const char *mail_reply;		/* NULL: the envelope passed */
	enum body_kind body;
	/* expected */
	bool record, refuse, quarantine, tag, has_verdict;
	enum dg_verdict verdict;
	bool has_would;
	enum dg_verdict would;
	bool body_rule;
	const char *reply;		/* a prefix of the reply, "" for none */
};

#define E DG_MODE_ENFORCE
#define M DG_MODE_MONITOR
#define ACC DG_VERDICT_ACCEPT
#define LOG DG_VERDICT_LOG
#define TAG DG_VERDICT_TAG
#define QUA DG_VERDICT_QUARANTINE
#define TMP DG_VERDICT_TEMPFAIL
#define REJ DG_VERDICT_REJECT
#define R530 "530 5.7.0 Authentication required"
#define R451 "451 4.7.1 Try again"
#define R553 "553 5.7.1 <x@evil.test>: From header address not owned by user alice"

static const struct final_row final_rows[] = {
	/* what, mode, stage, mail reply, body:
	 *	record refuse quar tag has_verdict verdict has_would would body_rule reply */
	{ "enforce: envelope passes at MAIL", E, DG_STAGE_MAIL, NULL, NO_BODY,
	  0, 0, 0, 0, 0, ACC, 0, ACC, 0, "" },
	{ "enforce: 530 at MAIL, recorded there", E, DG_STAGE_MAIL, R530, NO_BODY,
	  1, 1, 0, 0, 1, REJ, 0, ACC, 0, R530 },
	{ "enforce: a 4xx MAIL reply defers", E, DG_STAGE_MAIL, R451, NO_BODY,
	  1, 1, 0, 0, 1, TMP, 0, ACC, 0, R451 },
	{ "enforce: clean body accepted", E, DG_STAGE_EOM, NULL, CLEAN,
	  1, 0, 0, 0, 1, ACC, 0, ACC, 0, "" },
	{ "enforce: a log class", E, DG_STAGE_EOM, NULL, LOGGED,
	  1, 0, 0, 0, 1, LOG, 0, ACC, 1, "" },
	{ "enforce: a tag class", E, DG_STAGE_EOM, NULL, TAGGED,
	  1, 0, 0, 1, 1, TAG, 0, ACC, 1, "" },
	{ "enforce: quarantine also tags", E, DG_STAGE_EOM, NULL, HELD,
	  1, 0, 1, 1, 1, QUA, 0, ACC, 1, "" },
	{ "enforce: tempfail", E, DG_STAGE_EOM, NULL, DEFERRED,
	  1, 1, 0, 0, 1, TMP, 0, ACC, 1, "451 4.6.0 " },
	{ "enforce: reject", E, DG_STAGE_EOM, NULL, REJECTED,
	  1, 1, 0, 0, 1, REJ, 0, ACC, 1, "550 5.6.0 " },
	/* A refusal made at end of message (the From: header, dotgate.conf(5)
	 * HEADER FROM) reaches verdict_final() as the MAIL decision. */
	{ "enforce: a header refusal at eom, clean body", E, DG_STAGE_EOM, R553, CLEAN,
	  1, 1, 0, 0, 1, REJ, 0, ACC, 0, R553 },
	{ "enforce: a header refusal before the body's reject", E, DG_STAGE_EOM, R553, REJECTED,
	  1, 1, 0, 0, 1, REJ, 0, ACC, 0, R553 },
	{ "enforce: a header refusal before a held body", E, DG_STAGE_EOM, R553, HELD,
	  1, 1, 0, 0, 1, REJ, 0, ACC, 0, R553 },
	{ "enforce: a 4xx header refusal (map down) defers", E, DG_STAGE_EOM, R451, TAGGED,
	  1, 1, 0, 0, 1, TMP, 0, ACC, 0, R451 },
	{ "enforce: abort before the body", E, DG_STAGE_ABORT, NULL, NO_BODY,
	  1, 0, 0, 0, 0, ACC, 0, ACC, 0, "" },
	{ "enforce: abort after an anomalous body", E, DG_STAGE_ABORT, NULL, REJECTED,
	  1, 0, 0, 0, 0, ACC, 0, ACC, 1, "" },
	{ "enforce: abort after a clean body", E, DG_STAGE_ABORT, NULL, CLEAN,
	  1, 0, 0, 0, 0, ACC, 0, ACC, 0, "" },
	{ "monitor: 530 at MAIL goes on to the body", M, DG_STAGE_MAIL, R530, NO_BODY,
	  0, 0, 0, 0, 0, ACC, 0, ACC, 0, "" },
	{ "monitor: envelope passes at MAIL", M, DG_STAGE_MAIL, NULL, NO_BODY,
	  0, 0, 0, 0, 0, ACC, 0, ACC, 0, "" },
	{ "monitor: would 530, clean body", M, DG_STAGE_EOM, R530, CLEAN,
	  1, 0, 0, 0, 1, LOG, 1, REJ, 0, R530 },
	{ "monitor: the MAIL decision comes before the body", M, DG_STAGE_EOM, R530, REJECTED,
	  1, 0, 0, 0, 1, LOG, 1, REJ, 0, R530 },
	{ "monitor: would defer at MAIL", M, DG_STAGE_EOM, R451, TAGGED,
	  1, 0, 0, 0, 1, LOG, 1, TMP, 0, R451 },
	{ "monitor: clean", M, DG_STAGE_EOM, NULL, CLEAN,
	  1, 0, 0, 0, 1, ACC, 0, ACC, 0, "" },
	{ "monitor: a log class", M, DG_STAGE_EOM, NULL, LOGGED,
	  1, 0, 0, 0, 1, LOG, 1, LOG, 1, "" },
	{ "monitor: would tag, does not", M, DG_STAGE_EOM, NULL, TAGGED,
	  1, 0, 0, 0, 1, LOG, 1, TAG, 1, "" },
	{ "monitor: would hold, does not", M, DG_STAGE_EOM, NULL, HELD,
	  1, 0, 0, 0, 1, LOG, 1, QUA, 1, "" },
	{ "monitor: would defer the body", M, DG_STAGE_EOM, NULL, DEFERRED,
	  1, 0, 0, 0, 1, LOG, 1, TMP, 1, "451 4.6.0 " },
	{ "monitor: would reject the body", M, DG_STAGE_EOM, NULL, REJECTED,
	  1, 0, 0, 0, 1, LOG, 1, REJ, 1, "550 5.6.0 " },
	{ "monitor: abort of a would-530 envelope", M, DG_STAGE_ABORT, R530, NO_BODY,
	  1, 0, 0, 0, 0, ACC, 1, REJ, 0, R530 },
	{ "monitor: abort, would-530 before the body's rule", M, DG_STAGE_ABORT, R530, REJECTED,
	  1, 0, 0, 0, 0, ACC, 1, REJ, 0, R530 },
	{ "monitor: abort after an anomalous body", M, DG_STAGE_ABORT, NULL, REJECTED,
	  1, 0, 0, 0, 0, ACC, 0, ACC, 1, "" },
};

/* A body whose one class has the action that gives the kind's verdict. */
static const struct scan_result *final_body(struct dg_policy *p, enum body_kind k,
					     struct scan_result *r)
{
	static const enum dg_action act[] = {
		DG_ACT_IGNORE, DG_ACT_IGNORE, DG_ACT_LOG, DG_ACT_TAG,
		DG_ACT_QUARANTINE, DG_ACT_TEMPFAIL, DG_ACT_REJECT,
	};

	memset(r, 0, sizeof(*r));
	if (k == NO_BODY)
		return NULL;
	p->body.action[DG_CLASS_BARE_CR] = act[k];
	if (k != CLEAN)
		set(r, DG_CLASS_BARE_CR, 2);
	return r;
}

static void check_row(const struct final_row *row, const struct final_decision *d)
{
	print_message("# %s\n", row->what);
	assert_int_equal(d->record, row->record);
	assert_int_equal(d->refuse, row->refuse);
	assert_int_equal(d->quarantine, row->quarantine);
	assert_int_equal(d->tag, row->tag);
	assert_int_equal(d->has_verdict, row->has_verdict);
	if (row->has_verdict)
		assert_int_equal(d->verdict, row->verdict);
	assert_int_equal(d->has_would, row->has_would);
	if (row->has_would)
		assert_int_equal(d->would, row->would);
	assert_int_equal(d->body_rule, row->body_rule);
	if (*row->reply == '\0')
		assert_string_equal(d->reply, "");
	else
		assert_memory_equal(d->reply, row->reply, strlen(row->reply));
}

static void test_final_rows(void **state)
{
	struct dg_policy p;

	(void)state;
	default_policy(&p);
	for (size_t i = 0; i < DG_ARRAY_LEN(final_rows); i++) {
		const struct final_row *row = &final_rows[i];
		struct gate_result mail = { GATE_PASS, false, "", false, false, false };
		struct scan_result r;
		const struct scan_result *scan = final_body(&p, row->body, &r);
		struct final_decision d;

		if (row->mail_reply != NULL) {
			mail.rule = GATE_UNAUTHENTICATED;
			mail.refuse = true;
			snprintf(mail.reply, sizeof(mail.reply), "%s", row->mail_reply);
		}
		p.mode = row->mode;
		verdict_final(&p, row->stage, &mail, scan, &d);
		check_row(row, &d);
	}
	free_policy(&p);
}

/* What the glue hands libmilter comes from the body verdict. */
static void test_final_body_parts(void **state)
{
	struct dg_policy p;
	struct gate_result mail = { GATE_PASS, false, "", false, false, false };
	struct scan_result r;
	struct final_decision d;

	(void)state;
	default_policy(&p);
	verdict_final(&p, DG_STAGE_EOM, &mail, final_body(&p, HELD, &r), &d);
	assert_string_equal(d.body.alist, "bare_cr");
	assert_string_equal(d.body.tag_value, "bare_cr=2");
	assert_string_equal(verdict_stage_name(DG_STAGE_MAIL), "mail");
	assert_string_equal(verdict_stage_name(DG_STAGE_EOM), "eom");
	assert_string_equal(verdict_stage_name(DG_STAGE_ABORT), "abort");
	free_policy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_reject_default),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_tag_and_quarantine),
		cmocka_unit_test(test_all_classes),
		cmocka_unit_test(test_final_rows),
		cmocka_unit_test(test_final_body_parts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
