#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/bench/smoke.sh: "make bench" at its smallest (one message per
# configuration, one round, 1 MB of scanner input), so that CI notices
# when the benchmark harness itself breaks: a tool that no longer builds
# or speaks the protocol, a section that errors, results.json missing a
# figure; and scanbench -p, which make bench does not use.  Timing at
# this size means nothing, so no target is judged; only that every
# section ran and wrote what the table and the issue's targets are built
# from.  Needs root for the Postfix section (as in CI);
# without root that section must say it was skipped.  Prints TAP.
# Usage (from the build directory): sh SRCDIR/tests/bench/smoke.sh
set -u

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$(pwd)}"
out=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-bench-smoke.XXXXXX") || exit 2
trap 'rm -rf "$out"' EXIT
. "$top_srcdir/tests/lib/tap.sh"

# jq -e over the results: true when the expression holds.
holds() { jq -e "$1" "$out/results.json" >/dev/null 2>&1; }

# make bench at its smallest; on failure its last lines, as TAP comments.
run_bench() {
	BENCH_SCALE=0 BENCH_ROUNDS=1 BENCH_SCAN_MB=1 \
	BENCH_RESULTS="$out/results.json" \
		make -C "$top_builddir" bench >"$out/bench.out" 2>&1 && return 0
	tail -n 40 "$out/bench.out" | sed 's/^/# /'
	return 1
}

# The table's CPU block: a heading, a header and one row per configuration.
cpu_table() {
	sed -n '/^== Postfix CPU per message/,/^$/p' "$out/bench.out" |
		grep -c '^ *[0-9]' | grep -qx 4
}

# scanbench -p: a body of "a\r" over and over is one bare CR every 2 bytes.
pattern_counts() {
	"$top_builddir/tests/bench/scanbench" -m 1 -r 1 -p 'a\r' \
		>"$out/pattern.out" 2>&1 &&
	grep -q '^pattern .* bare_cr=524288$' "$out/pattern.out"
}

tap_plan 15
check "make bench runs every section without an error" run_bench
check "the table ends with the targets and the results file" \
	grep -q "^results: $out/results.json" "$out/bench.out"
check "protocol: 4 configurations, dotgate and null milter each completed" \
	holds '.protocol | length == 4 and
	       all(.[]; .dotgate.completed > 0 and .null.completed > 0 and
		   (.ratio | type) == "number")'
check "scanner: every input scanned with the right counts, every mail body timed" \
	holds '[.scanner | to_entries[] | select(.value | type == "object")] |
	       map(select(.key | startswith("mail_") | not)) as $in |
	       map(select(.key | startswith("mail_"))) as $mail |
	       ($in | length) == 7 and ($mail | length) == 4 and
	       all($in[]; .value.check == true and .value.gbps > 0) and
	       all($mail[]; .value.gbps > 0)'
if [ "$(id -u)" = 0 ]; then
	check "Postfix: 4 configurations, every variant measured" \
		holds '.postfix | length == 4 and
		       all(.[]; .nomilter.msgs_per_s > 0 and
			   .null.msgs_per_s > 0 and .dotgate.msgs_per_s > 0 and
			   (.ratio_null | type) == "number" and
			   (.ratio_nomilter | type) == "number")'
	check "Postfix CPU: the table has its block, one row per configuration" \
		cpu_table
	check "Postfix CPU: per-message medians of every variant, added and milter-side" \
		holds '.postfix | length == 4 and
		       all(.[]; ([.cpu_ms_per_msg | .nomilter, .null, .lean_null,
				  .dotgate] +
				 [.added_ms_per_msg | .null, .lean_null, .dotgate] +
				 [.milter_cpu_ms_per_msg | .null, .lean_null,
				  .dotgate]) |
			   length == 10 and all(type == "number"))'
	# One message cannot show what a milter adds: a round's added CPU is
	# often zero or below, and has no ratio.  So the ratios must be
	# numbers exactly when some round's denominator was above zero.
	check "Postfix CPU: both added-CPU ratios, computed whenever they can be" \
		holds 'def pos(a): [a[] | select(. > 0)] | length;
		       def judged(r; a; n): n == pos(a) and
			   (if n > 0 then (r | type) == "number" else r == null end);
		       .postfix | length == 4 and
		       all(.[]; judged(.ratio_added_null; .added_runs.null;
				       .ratio_added_rounds.null) and
				judged(.ratio_added_lean; .added_runs.lean_null;
				       .ratio_added_rounds.lean_null))'
	check "Postfix: every run kept whole, with its CPU figures" \
		holds '.rounds as $r | .postfix | length == 4 and
		       all(.[]; (.runs | [.nomilter, .null, .lean_null,
					  .dotgate][] | length == $r) and
			   all(.runs[][]; [.seconds, .msgs_per_s, .busy_ms,
					   .cpu_ms_per_msg] |
			       all(type == "number")) and
			   all(.runs.nomilter[]; .milter_cpu_ms_per_msg == null) and
			   all(.runs | .null[], .lean_null[], .dotgate[];
			       .milter_cpu_ms_per_msg | type == "number") and
			   all(.added_runs | .null, .lean_null, .dotgate;
			       length == $r and all(type == "number")))'
	check "Postfix targets: added CPU against null and lean, msgs/s against null" \
		holds '.targets | all(.postfix_added_vs_null,
				      .postfix_added_vs_lean,
				      .postfix_msgs_vs_null; length == 4) and
		       all(.postfix_msgs_vs_null[]; (.ok | type) == "boolean")'
else
	check "Postfix: skipped without root, and says so" \
		holds '.postfix.skipped == "not root"'
	for _s in "CPU table" "CPU medians" "added-CPU ratios" "runs kept" \
		  "targets"; do
		skip "Postfix $_s" "not root"
	done
fi
check "peak RSS: 4 KB, 1 MB and 16 MB bodies measured" \
	holds '[.rss[] | .body_size] == [4096, 1048576, 16777216] and
	       all(.rss[]; .peak_kb > 0)'
metrics_measured() {
	holds '.metrics | length == 2 and
	       all(.[]; .on.completed > 0 and .off.completed > 0 and
		   (.ratio | type) == "number" and
		   (.on.cpu_ms_per_msg | type) == "number") and
	       ([.[] | .conns] == [1, 32])' &&
	holds '.targets.metrics_on_vs_off | length == 2 and
	       all(.[]; (.ok | type) == "boolean")'
}
check "metrics: on and off measured, msgs/s and CPU ratios, the target judged" \
	metrics_measured
check "report: --html and --json timed on the same log, the target judged" \
	holds '.report.records >= 1 and .report.html.out_bytes > 1000 and
	       (.report.ratio | type) == "number" and
	       (.targets.report_html_vs_json.ok | type) == "boolean"'
check "every target of the issue is judged" \
	holds '.targets | (.protocol_vs_null | length == 4) and
	       (.scanner_text.ok | type) == "boolean" and
	       (.peak_rss_flat.ok | type) == "boolean" and
	       (.peak_rss_kb | length == 3)'
check "scanbench -p times a pattern with escapes and counts it" pattern_counts
tap_done
