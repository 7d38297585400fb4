#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/load/diskfull.sh: the audit disk fills under load (dotgate.conf(5),
# "THE AUDIT SECTION"; dotgate(8), "AUDIT RECORD").  The audit file lives
# on a small tmpfs; tests/bench/mltload runs transactions through the
# daemon while a filler file takes every free byte of the tmpfs, and is
# removed again while the load goes on.  Two rounds:
#   required = false: every message is accepted; the intact records in
#     the file plus the records lost equal the transactions sent exactly,
#     and the records lost are counted exactly by the metrics endpoint
#     (dotgate_audit_write_errors_total{sink="file"},
#     dotgate_audit_records_dropped_total) and by the log ("writing
#     again (N records lost so far)"); records are written again once
#     the filler is gone.
#   required = true: no message is accepted without its record: every
#     transaction mltload saw accepted has its record in the file
#     (matched by sender, which carries mltload's transaction key), the
#     ones deferred with 451 equal the records lost and
#     dotgate_audit_required_tempfails_total; after the filler is gone,
#     messages are accepted again with no restart and no signal.
# syslog is off: the file is then the only sink that keeps records, so
# every record it loses is a record no sink kept (with syslog on, the
# syslog sink would keep them and required would rightly defer nothing).
# Root only (mount); figures as TAP comments.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (mount -t tmpfs)"
	exit 0
fi
command -v curl >/dev/null || { echo "Bail out! curl missing"; exit 1; }

CONNS=4
PER=${DISKFULL_MSGS:-4000}	# per connection thread
ld_init
DISK=$LD_DIR/disk
mkdir "$DISK"
if ! err=$(mount -t tmpfs -o size=16m,mode=0755 dotgate-diskfull "$DISK" 2>&1); then
	echo "1..0 # SKIP mount -t tmpfs not permitted here: $err"
	exit 0
fi
LD_AUDIT=$DISK/audit.jsonl

# Run by ld_cleanup once the daemon, which holds the file open, is gone.
df_umount() { umount "$DISK" 2>/dev/null || umount -l "$DISK"; }
LD_AT_EXIT=df_umount

tap_plan 16
PORT=$(free_port)
URL=http://127.0.0.1:$PORT/metrics

conf() {
	cat > "$LD_DIR/dotgate.conf" <<EOF
# written by tests/load/diskfull.sh
socket_mode = "0666"
audit {
  syslog = false
  file = "$LD_AUDIT"
  required = $1
}
metrics {
  listen = "127.0.0.1:$PORT"
}
EOF
	chmod 644 "$LD_DIR/dotgate.conf"
}

# metric NAME: its value (label selector included in NAME), 0 when absent.
metric() {
	curl -s --max-time 5 "$URL" |
		awk -v n="$1" '$1 == n { v = $2 } END { print v + 0 }'
}
file_errors() { metric 'dotgate_audit_write_errors_total{sink="file"}'; }
lines() { wc -l < "$LD_AUDIT" 2>/dev/null || echo 0; }
more_lines() { [ "$(lines)" -ge "$1" ]; }
errors_at_least() { [ "$(file_errors)" -ge "$1" ]; }

# round TAG REQUIRED: starts the daemon, runs the load, fills the disk
# once $LD_AUDIT has 1000 lines, frees it once 100 writes failed; sets
# FREED_LINES (the file's lines when the space came back), LOAD_RUNNING.
round() {
	rm -f "$LD_AUDIT" "$DISK/filler"
	conf "$2"
	ld_start "$LD_DIR/dotgate.conf" || { echo "Bail out! dotgate did not start"; exit 1; }
	wait_until 10 curl -s -o /dev/null "$URL"
	"$MLTLOAD" -s "unix:$LD_SOCK" -c $CONNS -m "$PER" -k 50 -t 20000 -j -q \
		--tag "$1" -l "$LD_DIR/$1.log" > "$LD_DIR/$1.json" 2>&1 &
	_load=$!
	LD_EXTRA_PIDS=$_load
	wait_until 20 more_lines 1000
	dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null
	wait_until 20 errors_at_least 100
	FREED_LINES=$(lines)
	rm -f "$DISK/filler"
	LOAD_RUNNING=no
	kill -0 "$_load" 2>/dev/null && LOAD_RUNNING=yes
	wait "$_load"
	LOAD_RC=$?
	LD_EXTRA_PIDS=
}

# json KEY FILE: a number from mltload's JSON line.
json() { sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p" "$2"; }

# intact TAG: the keys of the records that parse (jansson), one a line;
# the malformed lines are counted in $LD_DIR/bad.
intact() {
	"$JSONL" "$LD_AUDIT" 2> "$LD_DIR/jsonl.err" |
		awk -F '\t' -v t="u$1" '$1 == "eom" { k = $2; sub(/@load\.test$/, "", k); if (index(k, t) == 1) print k }' |
		sort > "$LD_DIR/$1.intact"
	grep -c . "$LD_DIR/jsonl.err" > "$LD_DIR/bad"
	sort -u "$LD_DIR/$1.intact" | wc -l
}

# ---- round 1: required = false -------------------------------------------
round f false
sent=$(json eom "$LD_DIR/f.json")
cont=$(sed -n 's/.*"continue":\([0-9]*\).*/\1/p' "$LD_DIR/f.json")
lost=$(file_errors)
dropped=$(metric dotgate_audit_records_dropped_total)
found=$(intact f)
bad=$(cat "$LD_DIR/bad")
total=$(lines)
after=$((total - FREED_LINES))
loglost=$(sed -n 's/.*audit file .*: writing again (\([0-9]*\) records lost so far).*/\1/p' \
	"$LD_DIR/daemon.out" | tail -n 1)
echo "# required=false: $sent transactions sent, $cont accepted; $found records intact, $bad malformed lines; lost: metrics $lost (dropped $dropped), log ${loglost:-none}; $after lines written after the space came back"
check_sh "required=false: the load ran without error and every message was accepted" \
	'[ "$LOAD_RC" = 0 ] && [ "$sent" = $((CONNS * PER)) ] && [ "$cont" = "$sent" ]'
check_sh "required=false: the disk was full ($lost writes failed) and freed while the load ran" \
	'[ "$lost" -ge 100 ] && [ "$LOAD_RUNNING" = yes ]'
check "required=false: records intact + records lost = transactions sent ($found + $lost = $sent)" \
	[ $((found + lost)) = "$sent" ]
check "required=false: each intact record once ($(wc -l < "$LD_DIR/f.intact") lines, $found keys)" \
	[ "$(wc -l < "$LD_DIR/f.intact")" = "$found" ]
check "required=false: records no sink kept = records lost ($dropped = $lost)" \
	[ "$dropped" = "$lost" ]
check "required=false: the log's count of lost records = the metrics' ($loglost = $lost)" \
	[ "${loglost:-x}" = "$lost" ]
check "required=false: at most one malformed line per lost record, none glued ($bad <= $lost)" \
	[ "$bad" -le "$lost" ]
check "required=false: records written again after the space came back ($after)" \
	[ "$after" -gt 0 ]
ld_stop

# ---- round 2: required = true --------------------------------------------
round r true
sent=$(json eom "$LD_DIR/r.json")
lost=$(file_errors)
tempfails=$(metric dotgate_audit_required_tempfails_total)
found=$(intact r)
bad=$(cat "$LD_DIR/bad")
awk '$2 == "eom" && $3 == "c" { print $1 }' "$LD_DIR/r.log" | sort > "$LD_DIR/r.accepted"
awk '$2 == "eom" && $3 == "y451" { print $1 }' "$LD_DIR/r.log" | sort > "$LD_DIR/r.deferred"
accepted=$(wc -l < "$LD_DIR/r.accepted")
deferred=$(wc -l < "$LD_DIR/r.deferred")
unaudited=$(comm -23 "$LD_DIR/r.accepted" "$LD_DIR/r.intact" | wc -l)
comm -23 "$LD_DIR/r.accepted" "$LD_DIR/r.intact" | head -n 3 | sed 's/^/# accepted without record: /'
echo "# required=true: $sent transactions sent: $accepted accepted, $deferred deferred 451; $found records intact, $bad malformed lines; lost: metrics $lost, tempfails metric $tempfails; accepted without record: $unaudited"
check_sh "required=true: the load ran without error, every message accepted or deferred" \
	'[ "$LOAD_RC" = 0 ] && [ $((accepted + deferred)) = "$sent" ] && [ "$sent" = $((CONNS * PER)) ]'
check_sh "required=true: the disk was full ($lost writes failed) and freed while the load ran" \
	'[ "$lost" -ge 100 ] && [ "$LOAD_RUNNING" = yes ]'
check_sh "required=true: no message accepted without its record ($unaudited)" \
	'[ "$unaudited" = 0 ] && [ "$found" = "$accepted" ]'
check_sh "required=true: messages deferred = records lost = tempfails counted ($deferred = $lost = $tempfails)" \
	'[ "$deferred" = "$lost" ] && [ "$tempfails" = "$lost" ]'

# After the space came back: accepted again, same process, no signal.
pid=$LD_PID
"$MLTLOAD" -s "unix:$LD_SOCK" -c 2 -m 100 -k 50 -t 20000 -j -q --tag c \
	-l "$LD_DIR/c.log" > "$LD_DIR/c.json" 2>&1
crc=$?
cacc=$(awk '$2 == "eom" && $3 == "c"' "$LD_DIR/c.log" | wc -l)
cfound=$(intact c)
echo "# after the space came back: 200 sent, $cacc accepted, $cfound records intact"
check_sh "required=true: after the space came back, 200 of 200 accepted with their records, same daemon" \
	'[ "$crc" = 0 ] && [ "$cacc" = 200 ] && [ "$cfound" = 200 ] && [ "$LD_PID" = "$pid" ]'
check "the log says which records were lost and when writing resumed" \
	grep -q 'records lost so far' "$LD_DIR/daemon.out"
ld_finish
tap_done
