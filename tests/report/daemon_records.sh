#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# daemon_records.sh: the audit records the real daemon writes, and
# dotgate-report on them.  daemon_sessions.lua drives dotgate through
# miltertest, first in enforce mode (refused unauthenticated, refused
# sender, clean, tagged, rejected body, aborted, a client that leaves
# before MAIL, local submission, lost connection), then, restarted on the
# same audit file, in monitor mode.  Every transaction must leave exactly
# one record with the right stage, rule, verdict and reply (each line is
# compared with daemon_records.expected, one JSON subset per line), and
# the report on that file must give every table's numbers.  Prints TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DOTGATE:=$top_builddir/filter/dotgate/dotgate}"
: "${MILTERTEST:=miltertest}"
src=$top_srcdir/tests/report
report=$top_builddir/filter/report/dotgate-report
jeq=$top_builddir/tests/report/json_equal
nrec=12
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/proc.sh"

tap_plan $((nrec + 5))
if ! command -v "$MILTERTEST" >/dev/null 2>&1; then
	while [ "$TAP_N" -lt $((nrec + 5)) ]; do
		not_ok "miltertest not installed (apt-get install miltertest)" "$(cat "$tmp/err" 2>/dev/null)"
	done
	exit 0
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-records.XXXXXX") || exit 1
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
chmod 755 "$tmp"

# audit_holds N: the audit file has N lines or more.
audit_holds() { [ "$(cat "$tmp/audit.jsonl" 2>/dev/null | wc -l)" -ge "$1" ]; }

# phase NAME CONF RECORDS: one daemon, one miltertest run, then wait
# until the audit file holds RECORDS lines (the record of a lost
# connection is written when libmilter sees the close) before stopping
# the daemon; 0 when miltertest succeeded.
phase() {
	sed -e "s|@TMPDIR@|$tmp|g" -e "s|@SRCDIR@|$top_srcdir|g" \
		"$src/$2" >"$tmp/$1.conf"
	rm -f "$tmp/sock"
	"$DOTGATE" -f -c "$tmp/$1.conf" -p "unix:$tmp/sock" \
		>"$tmp/$1.daemon" 2>&1 &
	pid=$!
	wait_socket "$tmp/sock" "$pid" 5
	"$MILTERTEST" -D "socket=unix:$tmp/sock" -D "tmpdir=$tmp" \
		-D "audit=$tmp/audit.jsonl" -D "srcdir=$top_srcdir" \
		-D "phase=$1" -s "$src/daemon_sessions.lua" >"$tmp/$1.mt" 2>&1
	rc=$?
	wait_until 5 audit_holds "$3"
	sleep 0.1		# a record too many must be seen too
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
	return $rc
}

if phase enforce daemon.conf 9 && phase monitor daemon_monitor.conf 12; then
	ok "miltertest sessions (enforce, then monitor)"
else
	cat "$tmp"/*.mt "$tmp"/*.daemon >"$tmp/err" 2>/dev/null
	not_ok "miltertest sessions (enforce, then monitor)" "$(cat "$tmp/err" 2>/dev/null)"
fi

lines=$(wc -l <"$tmp/audit.jsonl" 2>/dev/null || echo 0)
if [ "$lines" -eq $nrec ]; then
	ok "exactly $nrec records for $nrec transactions"
else
	sed 's/^/audit: /' "$tmp/audit.jsonl" >"$tmp/err" 2>/dev/null
	not_ok "exactly $nrec records for $nrec transactions (got $lines)" "$(cat "$tmp/err" 2>/dev/null)"
fi

# Record i against line i of the expected subsets.
i=0
while [ $i -lt $nrec ]; do
	i=$((i + 1))
	sed -n "${i}p" "$src/daemon_records.expected" >"$tmp/want.json"
	sed -n "${i}p" "$tmp/audit.jsonl" >"$tmp/got.json"
	what=$(sed -n "${i}p" "$src/daemon_records.expected" |
		sed 's/.*"stage":"\([a-z]*\)".*"rule":"\([a-z._]*\)".*/\1 \2/')
	if [ -s "$tmp/got.json" ] &&
	    $jeq --subset "$tmp/want.json" "$tmp/got.json" >"$tmp/err" 2>&1; then
		ok "record $i: $what"
	else
		echo "record: $(cat "$tmp/got.json")" >>"$tmp/err"
		not_ok "record $i: $what" "$(cat "$tmp/err" 2>/dev/null)"
	fi
done

# report_holds FILE: the report's --json on FILE holds every number of
# daemon_records.report.json.
report_holds() {
	"$report" --json "$1" >"$tmp/out.json" &&
		$jeq --subset "$src/daemon_records.report.json" "$tmp/out.json"
}
# Every record is valid for the report, and the tables add up.
check "dotgate-report on the daemon's records: every table" \
	report_holds "$tmp/audit.jsonl"
gzip -c "$tmp/audit.jsonl" >"$tmp/audit.jsonl.1"
check "the same, rotated and gzipped" report_holds "$tmp/audit.jsonl.1"

"$report" "$tmp/audit.jsonl" >"$tmp/out.txt" 2>"$tmp/err"
if [ $? -eq 0 ] && grep -q "^  192.0.2.50 *2$" "$tmp/out.txt"; then
	ok "text report"
else
	cat "$tmp/out.txt" >>"$tmp/err"
	not_ok "text report" "$(cat "$tmp/err" 2>/dev/null)"
fi
tap_done
