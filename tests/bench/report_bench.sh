#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# report_bench.sh: dotgate-report on a large generated audit log.
#
#	tests/bench/report_bench.sh [RECORDS]	(default 1000000)
#
# Generates RECORDS audit records of every kind (tens of thousands of
# distinct clients, logins and senders, so that the top-K tables overflow
# their caps as on a busy site), then runs dotgate-report on the plain and
# on the gzipped file (and once with parsing on the main thread only)
# and prints the elapsed time, peak resident memory and CPU use of each,
# with the time of "wc -l" on the same file as the baseline for reading
# it.  Other load on the machine shows as CPU below 100% per thread.  Targets: 1,000,000 records in under
# 10 s and under 50 MB.  Not part of "make check": nothing is asserted.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
n=${1:-1000000}
report=$top_builddir/filter/report/dotgate-report
[ -x "$report" ] || { echo "build $report first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-report-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

sh "$top_srcdir/tests/bench/gen_audit.sh" "$n" "${BENCH_HOSTS:-4}" >"$tmp/audit.jsonl" || exit 2
gzip -1 -c "$tmp/audit.jsonl" >"$tmp/audit.jsonl.gz"

bytes=$(wc -c <"$tmp/audit.jsonl")
echo "dotgate-report benchmark: $n records, $bytes bytes ($(nproc) CPUs)"
/usr/bin/time -f "%e %M" -o "$tmp/time" wc -l "$tmp/audit.jsonl" >/dev/null
read -r base _ <"$tmp/time"
printf '%-46s %6s s\n' "baseline: wc -l (reading the file)" "$base"
for args in "--json $tmp/audit.jsonl" "$tmp/audit.jsonl" \
    "--json $tmp/audit.jsonl.gz" "--threads 0 --json $tmp/audit.jsonl"; do
	# shellcheck disable=SC2086
	/usr/bin/time -f "%e %M %P" -o "$tmp/time" "$report" $args >"$tmp/out" 2>"$tmp/err" ||
		{ echo "dotgate-report $args failed:" >&2; cat "$tmp/err" >&2; exit 1; }
	read -r secs kb cpu <"$tmp/time"
	label=$(echo "dotgate-report $args" | sed "s|$tmp/||")
	ratio=$(awk -v a="$secs" -v b="$base" 'BEGIN { printf "%.0f", (b > 0 ? a / b : 0) }')
	printf '%-46s %6s s %7s KB %5s CPU (%sx wc -l)\n' "$label" "$secs" "$kb" "$cpu" "$ratio"
done
echo "records counted: $(grep -m1 '"records"' "$tmp/out" | tr -dc 0-9)," \
	"approximate tables: $(grep -m1 '"approximate"' "$tmp/out" | tr -dc a-z | sed 's/approximate//')"
echo "targets: < 10 s, < 51200 KB"
