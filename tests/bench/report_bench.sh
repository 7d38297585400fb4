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
# it.  Other load on the machine shows as CPU below 100% per thread.  Targets (issue 4): 1,000,000 records in under
# 10 s and under 50 MB.  Not part of "make check": nothing is asserted.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
n=${1:-1000000}
report=$top_builddir/filter/report/dotgate-report
[ -x "$report" ] || { echo "build $report first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-report-bench.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

awk -v n="$n" 'BEGIN {
	srand(4);
	split("bare_cr bare_lf smuggle_eod nul smuggled_transaction smtp_commands long_line lone_dot", cls, " ");
	for (i = 0; i < n; i++) {
		# one week from 2026-11-01, in order (no strftime in mawk)
		t = int(i * 86400 * 7 / n);
		ts = sprintf("2026-11-%02dT%02d:%02d:%02d.%03dZ", 1 + int(t / 86400),
			int(t % 86400 / 3600), int(t % 3600 / 60), t % 60, i % 1000);
		r = rand();
		# a few heavy clients and many light ones
		ip = (rand() < 0.3) ? sprintf("203.0.113.%d", int(rand() * 20)) \
			: sprintf("10.%d.%d.%d", int(rand() * 4), int(rand() * 250), int(rand() * 250));
		login = sprintf("user%d@example.test", int(rand() * rand() * 5000));
		mode = "enforce"; would = "null"; anom = "{}"; qid = sprintf("\"Q%X\"", i);
		auth = sprintf("{\"user\":\"%s\",\"mech\":\"PLAIN\"}", login);
		from = login; rcpts = "[\"rcpt@example.org\"]"; size = int(rand() * 100000);
		reply = "null"; stage = "eom"; verdict = "\"accept\""; rule = "pass";
		if (r < 0.10) {
			stage = "mail"; qid = "null"; auth = "null"; rcpts = "[]"; size = 0;
			verdict = "\"reject\""; rule = "auth.unauthenticated";
			from = sprintf("spam%d@example.net", int(rand() * 1000));
			reply = "\"530 5.7.0 Authentication required\"";
		} else if (r < 0.13) {
			stage = "mail"; qid = "null"; rcpts = "[]"; size = 0;
			verdict = "\"reject\""; rule = "sender.not_owned";
			from = sprintf("someone%d@example.test", int(rand() * 100000));
			reply = sprintf("\"553 5.7.1 <%s>: Sender address rejected: not owned by user %s\"", from, login);
		} else if (r < 0.28) {
			c = cls[1 + int(rand() * 8)];
			anom = sprintf("{\"%s\":{\"count\":%d,\"first\":%d}}", c, 1 + int(rand() * 5), int(rand() * 5000));
			rule = "body";
			verdict = (c == "smtp_commands" || c == "long_line") ? "\"log\"" : "\"reject\"";
			if (c == "lone_dot") { rule = "pass"; verdict = "\"accept\""; }
			if (verdict == "\"reject\"")
				reply = sprintf("\"550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (%s)\"", c);
		} else if (r < 0.33) {
			stage = "abort"; verdict = "null"; size = 0;
		} else if (r < 0.40) {
			mode = "monitor";
			if (rand() < 0.5) { auth = "null"; rule = "auth.unauthenticated"; would = "\"reject\""; }
		}
		printf "{\"ts\":\"%s\",\"stage\":\"%s\",\"qid\":%s,\"client\":{\"addr\":\"%s\",\"port\":%d,\"name\":null},\"helo\":\"client.example\",\"daemon\":\"submission\",\"auth\":%s,\"tls\":\"TLSv1.3\",\"from\":\"%s\",\"rcpts\":%s,\"size\":%d,\"anomalies\":%s,\"verdict\":%s,\"would\":%s,\"rule\":\"%s\",\"reply\":%s,\"mode\":\"%s\"}\n", \
			ts, stage, qid, ip, 1024 + int(rand() * 60000), auth, from, rcpts, size, anom, verdict, would, rule, reply, mode;
	}
}' >"$tmp/audit.jsonl" || exit 2
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
