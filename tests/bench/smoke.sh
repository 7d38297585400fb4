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
n=0
fails=0

ok() {			# ok DESCRIPTION COMMAND...
	n=$((n + 1))
	_d=$1
	shift
	if "$@"; then
		echo "ok $n - $_d"
	else
		echo "not ok $n - $_d"
		fails=$((fails + 1))
	fi
}

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

# scanbench -p: a body of "a\r" over and over is one bare CR every 2 bytes.
pattern_counts() {
	"$top_builddir/tests/bench/scanbench" -m 1 -r 1 -p 'a\r' \
		>"$out/pattern.out" 2>&1 &&
	grep -q '^pattern .* bare_cr=524288$' "$out/pattern.out"
}

echo "1..8"
ok "make bench runs every section without an error" run_bench
ok "the table ends with the targets and the results file" \
	grep -q "^results: $out/results.json" "$out/bench.out"
ok "protocol: 4 configurations, dotgate and null milter each completed" \
	holds '.protocol | length == 4 and
	       all(.[]; .dotgate.completed > 0 and .null.completed > 0 and
		   (.ratio | type) == "number")'
ok "scanner: every input scanned with the right counts" \
	holds '[.scanner | to_entries[] | select(.value | type == "object")] |
	       length == 7 and all(.[]; .value.check == true and .value.gbps > 0)'
if [ "$(id -u)" = 0 ]; then
	ok "Postfix: 4 configurations, every variant measured" \
		holds '.postfix | length == 4 and
		       all(.[]; .nomilter.msgs_per_s > 0 and
			   .null.msgs_per_s > 0 and .dotgate.msgs_per_s > 0 and
			   (.ratio_null | type) == "number" and
			   (.ratio_nomilter | type) == "number")'
else
	ok "Postfix: skipped without root, and says so" \
		holds '.postfix.skipped == "not root"'
fi
ok "peak RSS: 4 KB, 1 MB and 16 MB bodies measured" \
	holds '[.rss[] | .body_size] == [4096, 1048576, 16777216] and
	       all(.rss[]; .peak_kb > 0)'
ok "every target of the issue is judged" \
	holds '.targets | (.protocol_vs_null | length == 4) and
	       (.scanner_text.ok | type) == "boolean" and
	       (.peak_rss_flat.ok | type) == "boolean" and
	       (.peak_rss_kb | length == 3)'
ok "scanbench -p times a pattern with escapes and counts it" pattern_counts
[ "$fails" = 0 ]
