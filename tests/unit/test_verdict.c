/*
 * test_verdict.c: unit tests of verdict_body() (verdict.h): the verdict
 * is the strongest action among the classes seen, ignore classes are not
 * seen, "%a" and the tag value list classes in contract order, the tag
 * is due only when not rejected or deferred, and replies are expanded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "verdict.h"

/* The default policy's body section (contract section 3). */
static void default_policy(struct dg_policy *p)
{
	char err[256];

	memset(p, 0, sizeof(*p));
	p->body.action[DG_CLASS_BARE_CR] = DG_ACT_REJECT;
	p->body.action[DG_CLASS_BARE_LF] = DG_ACT_REJECT;
	p->body.action[DG_CLASS_SMUGGLE_EOD] = DG_ACT_REJECT;
	p->body.action[DG_CLASS_NUL] = DG_ACT_REJECT;
	p->body.action[DG_CLASS_SMUGGLED_TRANSACTION] = DG_ACT_REJECT;
	p->body.action[DG_CLASS_SMTP_COMMANDS] = DG_ACT_LOG;
	p->body.action[DG_CLASS_LONG_LINE] = DG_ACT_LOG;
	p->body.action[DG_CLASS_LONE_DOT] = DG_ACT_IGNORE;
	p->body.max_line_length = 998;
	assert_int_equal(reply_parse(&p->body.reject,
	    "550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (%a)",
	    err, sizeof(err)), 0);
	assert_int_equal(reply_parse(&p->body.tempfail,
	    "451 4.6.0 Message deferred: malformed content (%a)", err, sizeof(err)), 0);
}

static void free_policy(struct dg_policy *p)
{
	reply_free(&p->body.reject);
	reply_free(&p->body.tempfail);
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
	/* several classes: contract order, log ones included, ignore not */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_reject_default),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_tag_and_quarantine),
		cmocka_unit_test(test_all_classes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
