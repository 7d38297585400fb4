#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# report_fixture.sh: dotgate-report on fixed logs, every number asserted.
# fixture.jsonl holds one record of every kind (each rule, verdict, stage,
# anomaly class, monitor mode, hostile strings); fixture.expected.json is
# its summary, checked by hand against the records.  The same file is
# read gzipped (under a name without .gz), from standard input, and with
# --since/--until; fixture.syslog mixes dotgate's key="value" messages,
# JSON records carried by syslog and other programs' lines; garbage
# lines are counted, never fatal.  fixture_hfrom.records holds header From
# refusals (dotgate-report(1), JSON OUTPUT, header_not_owned) in both
# forms, enforce and monitor, and two records whose header_from has the
# wrong type.  Prints TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
src=$top_srcdir/tests/report
report=$top_builddir/filter/report/dotgate-report
jeq=$top_builddir/tests/report/json_equal

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-report.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

. "$top_srcdir/tests/lib/tap.sh"

# json_is MODE EXPECTED REPORT-ARGS...: the report's --json equals
# EXPECTED (MODE --subset: holds it).
json_is() {
	_mode=$1 _expected=$2
	shift 2
	"$report" --json "$@" >"$tmp/out.json" &&
		$jeq $_mode "$_expected" "$tmp/out.json"
}
# expect_json NAME EXPECTED-FILE [--subset] -- REPORT-ARGS...
expect_json() {
	_name=$1 _exp=$2
	shift 2
	_m=
	[ "$1" = --subset ] && { _m=--subset; shift; }
	[ "$1" = -- ] && shift
	check "$_name" json_is "$_m" "$_exp" "$@"
}

tap_plan 40

expect_json "JSON Lines fixture: every table" "$src/fixture.expected.json" \
	-- "$src/fixture.jsonl"

expect_json "parsed on the main thread (--threads 0)" \
	"$src/fixture.expected.json" -- --threads 0 "$src/fixture.jsonl"
expect_json "parsed by three workers (--threads 3)" \
	"$src/fixture.expected.json" -- --threads 3 "$src/fixture.jsonl"

gzip -c "$src/fixture.jsonl" >"$tmp/audit.log"
expect_json "gzip input found by its magic, not its name" \
	"$src/fixture.expected.json" -- "$tmp/audit.log"

if "$report" --json <"$src/fixture.jsonl" >"$tmp/out.json" 2>"$tmp/err" &&
    $jeq "$src/fixture.expected.json" "$tmp/out.json" >>"$tmp/err" 2>&1; then
	ok "standard input"
else
	not_ok "standard input" "$(cat "$tmp/err" 2>/dev/null)"
fi

if gzip -c "$src/fixture.jsonl" | "$report" --json - >"$tmp/out.json" \
    2>"$tmp/err" &&
    $jeq "$src/fixture.expected.json" "$tmp/out.json" >>"$tmp/err" 2>&1; then
	ok "gzip on standard input"
else
	not_ok "gzip on standard input" "$(cat "$tmp/err" 2>/dev/null)"
fi

# A rotated log: several gzip members, as "cat a.gz b.gz" makes.
head -n 10 "$src/fixture.jsonl" | gzip -c >"$tmp/multi.gz"
tail -n +11 "$src/fixture.jsonl" | gzip -c >>"$tmp/multi.gz"
expect_json "multi-member gzip" "$src/fixture.expected.json" -- "$tmp/multi.gz"

expect_json "syslog file: key=value and JSON messages, other lines" \
	"$src/fixture.syslog.expected.json" -- "$src/fixture.syslog"

cat >"$tmp/both.json" <<'EOF'
{"records": 37, "malformed": 3, "other_lines": 4,
 "from": "2026-11-29T00:05:00.000Z", "to": "2026-11-30T05:00:00.000Z",
 "by_verdict": {"accept": 10, "log": 3, "tag": 1, "quarantine": 1,
                "tempfail": 1, "reject": 17, "abort": 4},
 "unauthenticated": [{"addr": "203.0.113.9", "count": 5},
                     {"addr": "2001:db8::25", "count": 1}],
 "monitor": {"records": 9, "would": {"reject": 8}}}
EOF
expect_json "several files add up" "$tmp/both.json" --subset -- \
	"$src/fixture.jsonl" "$src/fixture.syslog"

# Garbage: the stored lines plus NUL bytes, a line over the 1 MiB limit
# and a last record without its newline.
cp "$src/garbage.jsonl" "$tmp/garbage.jsonl"
printf '\000\001\002{"ts":"2026-11-29T00:00:06.000Z"}\000\n' >>"$tmp/garbage.jsonl"
printf '{"ts":"2026-11-29T00:00:07.000Z","stage":"eom","verdict":"accept","rule":"pass","mode":"enforce","from":"' >>"$tmp/garbage.jsonl"
head -c 1100000 /dev/zero | tr '\000' a >>"$tmp/garbage.jsonl"
printf '"}\n' >>"$tmp/garbage.jsonl"
printf '{"ts":"2026-11-29T00:00:08.000Z","stage":"eom","verdict":"tag","rule":"body","mode":"enforce","anomalies":{"nul":{"count":9,"first":0}}}' >>"$tmp/garbage.jsonl"
cat >"$tmp/garbage.json" <<'EOF'
{"records": 4, "malformed": 6, "other_lines": 0,
 "from": "2026-11-29T00:00:01.000Z", "to": "2026-11-29T00:00:08.000Z",
 "by_verdict": {"accept": 1, "log": 0, "tag": 1, "quarantine": 0,
                "tempfail": 0, "reject": 1, "abort": 1},
 "unauthenticated": [{"addr": "192.0.2.2", "count": 1}],
 "anomalies": {"nul": {"count": 1, "occurrences": 9, "clients": [{"addr": "", "count": 1}], "logins": []}}}
EOF
expect_json "garbage, NUL bytes and an overlong line are counted" \
	"$tmp/garbage.json" --subset -- "$tmp/garbage.jsonl"
expect_json "an empty file adds nothing" "$src/fixture.expected.json" \
	--subset -- "$src/fixture.jsonl" /dev/null

cat >"$tmp/since.json" <<'EOF'
{"records": 6, "malformed": 0,
 "from": "2026-11-30T01:00:00.000Z", "to": "2026-11-30T05:00:00.000Z",
 "by_verdict": {"accept": 4, "log": 1, "tag": 0, "quarantine": 0,
                "tempfail": 0, "reject": 0, "abort": 1},
 "unauthenticated": [], "not_owned": [],
 "monitor": {"records": 6, "would": {"log": 0, "tag": 0, "quarantine": 0,
             "tempfail": 0, "reject": 5}}}
EOF
expect_json "--since a date (midnight UTC)" "$tmp/since.json" --subset -- \
	--since 2026-11-30 "$src/fixture.jsonl"

cat >"$tmp/until.json" <<'EOF'
{"records": 6, "to": "2026-11-29T09:00:00.000Z",
 "by_rule": {"pass": 0, "auth.exempt": 0, "auth.unauthenticated": 4,
             "auth.mechanism": 1, "auth.plaintext": 1,
             "sender.not_owned": 0, "body": 0},
 "unauthenticated": [{"addr": "203.0.113.9", "count": 3},
                     {"addr": "2001:db8::25", "count": 1}],
 "anomalies": {}, "monitor": {"records": 0}}
EOF
expect_json "--until is exclusive" "$tmp/until.json" --subset -- \
	--until 2026-11-29T10:00:00Z "$src/fixture.jsonl"

cat >"$tmp/window.json" <<'EOF'
{"records": 1, "by_verdict": {"reject": 1},
 "not_owned": [{"login": "bob@example.test", "count": 1,
                "senders": ["ceo@example.test"]}]}
EOF
expect_json "--since is inclusive; zone offsets" "$tmp/window.json" --subset -- \
	--since 2026-11-29T11:00:00+01:00 --until 2026-11-29T10:01:00.000Z \
	"$src/fixture.jsonl"

echo '{"records": 27}' >"$tmp/all.json"
expect_json "relative --since" "$tmp/all.json" --subset -- \
	--since -100000d "$src/fixture.jsonl"
echo '{"records": 0, "from": null, "to": null}' >"$tmp/none.json"
expect_json "relative --until" "$tmp/none.json" --subset -- \
	--until -100000d "$src/fixture.jsonl"

"$report" --since yesterday "$src/fixture.jsonl" >"$tmp/err" 2>&1
check "a bad time is a usage error (exit 2)" test $? -eq 2
"$report" --threads many "$src/fixture.jsonl" >"$tmp/err" 2>&1
check "a bad --threads is a usage error (exit 2)" test $? -eq 2

"$report" --json "$tmp/missing" "$src/fixture.jsonl" >"$tmp/out.json" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q missing "$tmp/err" &&
    $jeq "$src/fixture.expected.json" "$tmp/out.json" >"$tmp/err" 2>&1; then
	ok "a missing file: exit 1, the others still summed"
else
	not_ok "a missing file: exit 1, the others still summed (rc=$rc)" "$(cat "$tmp/err" 2>/dev/null)"
fi

head -c 300 "$tmp/multi.gz" >"$tmp/cut.gz"
"$report" --json "$tmp/cut.gz" >"$tmp/out.json" 2>"$tmp/err"
check "a truncated gzip file is an error (exit 1)" test $? -eq 1

# Text tables.
"$report" "$src/fixture.jsonl" >"$tmp/out.txt" 2>"$tmp/err"
check "text report exits 0" test $? -eq 0
check "text: header" grep -qx \
	"dotgate-report: 27 records from 2026-11-29T00:05:00.000Z to 2026-11-30T05:00:00.000Z" \
	"$tmp/out.txt"
check "text: aligned columns" sh -c "
	grep -qx '  client        rejections' '$tmp/out.txt' &&
	grep -qx '  203.0.113.9            3' '$tmp/out.txt' &&
	grep -qx '  2001:db8::25           1' '$tmp/out.txt'"
check "text: every table is there" sh -c "
	for t in 'Totals by verdict' 'Totals by rule' \
	    'Top clients rejected as unauthenticated' \
	    'Sender-ownership rejections by login' 'Anomalies by class' \
	    'Top clients by anomaly class' 'Top logins by anomaly class' \
	    'Monitor mode: would-be verdicts' \
	    'Monitor mode: would-be verdicts by rule'; do
		grep -qx \"\$t\" '$tmp/out.txt' || { echo \"missing: \$t\"; exit 1; }
	done"
# A login "mallory\r\n" and a sender with BEL must not reach the terminal.
check "text: log bytes escaped, nothing outside printable ASCII" sh -c "
	grep -q 'mallory\\\\x0d\\\\x0a' '$tmp/out.txt' &&
	grep -q 'x\\\\x07\"y' '$tmp/out.txt' &&
	! LC_ALL=C grep -q '[^ -~]' '$tmp/out.txt'"

# Hosts: the records' own host field, else the syslog header's.
check "hosts: counted from the host field and the syslog header" sh -c "
	'$report' --json '$src/fixture.jsonl' '$src/fixture.syslog' |
	    jq -e '[.hosts[] | [.host, .records]] ==
		[[\"mx1.example.net\",14],[\"mx\",10],[\"mx2.example.net\",10],[\"\",3]]'"
check "--host keeps one host's records" sh -c "
	'$report' --json --host mx2.example.net '$src/fixture.jsonl' |
	    jq -e '.records == 10 and (.hosts | length) == 1 and
		.hosts[0].by_verdict.reject == 2 and .hosts[0].anomalous == 7'"
check "--host \"\": the records without a host" sh -c "
	'$report' --json --host '' '$src/fixture.jsonl' | jq -e '.records == 3'"
check "text: the hosts table" grep -qx \
	"  mx2.example.net       10         2          7" "$tmp/out.txt"

# HTML: one page, valid, the same from --html and --format html.
"$report" --html "$tmp/r.html" "$src/fixture.jsonl" "$src/fixture.syslog" \
	>"$tmp/stdout" 2>"$tmp/err"
check "--html writes the page and nothing on standard output" sh -c "
	test -s '$tmp/r.html' && ! test -s '$tmp/stdout' &&
	! ls '$tmp'/r.html.tmp* 2>/dev/null"
if command -v tidy >/dev/null; then
	check "the page is valid HTML5 (tidy -errors)" tidy -errors -q "$tmp/r.html"
else
	skip "the page is valid HTML5 (tidy -errors)" "tidy is not installed"
fi
"$report" --format html "$src/fixture.jsonl" "$src/fixture.syslog" \
	>"$tmp/r2.html" 2>"$tmp/err"
check "--format html prints the same page" cmp "$tmp/r.html" "$tmp/r2.html"
# A sender <script> from the log is text in the page, never markup.
printf '%s\n' '{"ts":"2026-11-29T01:00:00Z","host":"<b>mx</b>","stage":"mail","client":{"addr":"192.0.2.9"},"auth":{"user":"eve<img src=x onerror=alert(1)>"},"from":"<script>alert(1)</script>","verdict":"reject","rule":"sender.not_owned","mode":"enforce"}' \
	>"$tmp/hostile.jsonl"
"$report" --html "$tmp/h.html" "$tmp/hostile.jsonl" 2>"$tmp/err"
check "log strings are escaped: <script>, <img>, <b> show as text" sh -c "
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' '$tmp/h.html' &&
	grep -q 'eve&lt;img src=x onerror=alert(1)&gt;' '$tmp/h.html' &&
	grep -q '<td>&lt;b&gt;mx&lt;/b&gt;</td>' '$tmp/h.html' &&
	! grep -qi '<script\|<img\|<b>' '$tmp/h.html'"
"$report" --json --html "$tmp/r3.html" "$src/fixture.jsonl" \
	>"$tmp/out.json" 2>"$tmp/err"
check "--json with --html: both from one pass" sh -c "
	$jeq '$src/fixture.expected.json' '$tmp/out.json' &&
	grep -q '<h2>Hosts</h2>' '$tmp/r3.html'"
"$report" --html "$tmp/nodir/r.html" "$src/fixture.jsonl" 2>"$tmp/err"
check "--html into a missing directory: exit 1" test $? -eq 1
"$report" --format pdf "$src/fixture.jsonl" >/dev/null 2>"$tmp/err"
check "--format pdf is a usage error (exit 2)" test $? -eq 2

# From header refusals: the same numbers in --json, text and --html.
hf=$src/fixture_hfrom.records
cat >"$tmp/hfrom.json" <<'EOF'
{"records": 9, "malformed": 2,
 "by_rule": {"sender.header_not_owned": 4, "sender.header_malformed": 3},
 "not_owned": [],
 "header_not_owned": [
   {"login": "bob@example.test", "count": 3, "addresses":
    ["ceo@example.test", "a,b@example.test", "bob@example.test"]},
   {"login": "carol@example.test", "count": 2, "addresses":
    ["", "x@example.test", "y@example.test"]}],
 "monitor": {"records": 2, "would": {"reject": 2},
   "by_rule": {"sender.header_not_owned": 1, "sender.header_malformed": 1},
   "not_owned": [],
   "header_not_owned": [{"login": "erin@example.test", "count": 2,
                         "addresses": ["", "boss@example.test"]}]}}
EOF
expect_json "header From refusals: by login, addresses tried, monitor" \
	"$tmp/hfrom.json" --subset -- "$hf"
"$report" "$hf" >"$tmp/hf.txt" 2>"$tmp/err"
check "text: From header refusals right after the envelope table" sh -c "
	awk '/^[^ ]/ { if (p == \"Sender-ownership rejections by login\") n = \$0; p = \$0 }
	    END { exit n != \"From header refusals by login\" }' '$tmp/hf.txt' &&
	grep -qx '  login               rejections  From addresses tried' '$tmp/hf.txt' &&
	grep -qx '  bob@example.test             3  ceo@example.test, a,b@example.test, bob@example.test' '$tmp/hf.txt' &&
	grep -qx '  carol@example.test           2  (none), x@example.test, y@example.test' '$tmp/hf.txt'"
check "text: the monitor-mode From header table" sh -c "
	grep -A2 -x 'Monitor mode: From header refusals by login that would have been made' '$tmp/hf.txt' |
	    grep -qx '  erin@example.test         2  (none), boss@example.test'"
"$report" --html "$tmp/hf.html" "$hf" 2>"$tmp/err"
check "HTML: From header refusals, enforce and monitor" sh -c "
	grep -A3 -x '<h2>From header refusals by login</h2>' '$tmp/hf.html' |
	    grep -qx '<tr><td>carol@example.test</td><td class=\"n\">2</td><td>(none), x@example.test, y@example.test</td></tr>' &&
	grep -A3 -x '<h2>Monitor mode: From header refusals that would have been made</h2>' '$tmp/hf.html' |
	    grep -qx '<tr><td>erin@example.test</td><td class=\"n\">2</td><td>(none), boss@example.test</td></tr>'"

tap_done
