#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/load/fault.sh: the load-and-fault test.  The
# protocol load client drives dotgate with concurrent connections from
# four kinds of clients (exempt with clean text, exempt with anomalous
# bodies, authenticated owners from outside, unauthenticated outsiders)
# while it drops 5% of connections at random points mid-transaction and
# sends MTA aborts mid-body, and this script sends SIGUSR1 every 100 ms,
# alternating a good and a broken configuration file.  Afterwards:
#   - the daemon is alive and answers;
#   - every completed transaction has exactly one audit record (at eom,
#     or at mail when refused there), every MTA abort and every dropped
#     transaction exactly one abort record, a connection dropped before
#     MAIL none, and there is no record nobody asked for;
#   - every audit line is one JSON object;
#   - resident memory is within 10% of its level after a warm-up run of
#     the same concurrency, and no file descriptor leaked;
#   - the reloads happened: good ones installed, bad ones refused with
#     FILE:LINE errors.
# Numbers are printed as TAP comments.  Moderate by default (50
# connections, 20,000 messages); --full (or LOAD_FULL=1) runs the full
# 200 connections and 50,000 messages; LOAD_CONNS and LOAD_MSGS override.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"

CONNS=50
MSGS=20000
if [ "${1:-}" = --full ] || [ "${LOAD_FULL:-0}" = 1 ]; then
	CONNS=200
	MSGS=50000
fi
CONNS=${LOAD_CONNS:-$CONNS}
MSGS=${LOAD_MSGS:-$MSGS}
[ "$CONNS" -ge 4 ] || CONNS=4

tap_plan 10
ld_init
# alice owns the load client's senders, so authenticated outsiders pass.
ld_conf "$LD_DIR/good.conf" 'user "carol@example.test" {
  senders = {"@load.test"}
}'
{
	cat "$LD_DIR/good.conf"
	echo 'mode = sometimes'
	echo 'body {'
	echo '  nul = explode'
	echo '}'
	echo 'senders { unlisted = maybe'
} > "$LD_DIR/bad.conf"
cp "$LD_DIR/good.conf" "$LD_DIR/dotgate.conf"
ld_start "$LD_DIR/dotgate.conf" || { echo "Bail out! dotgate did not start"; exit 1; }

# Four streams share the connections; each thread runs MSGS/CONNS messages.
c_text=$((CONNS / 2))
c_anom=$((CONNS / 4))
c_auth=$((CONNS / 8 > 0 ? CONNS / 8 : 1))
c_unauth=$((CONNS - c_text - c_anom - c_auth))
per=$((MSGS / CONNS > 0 ? MSGS / CONNS : 1))

# load TAG PHASE DROP ABORT: the four streams in parallel; 0 if all clean.
load() {
	_tag=$1 _ph=$2 _drop=$3 _abort=$4
	_common="-s unix:$LD_SOCK -m $per -k 10 -d $_drop -A $_abort -t 20000 -j -q"
	"$MLTLOAD" $_common -c "$c_text" --tag "${_tag}t" --seed 11 \
		-l "$LD_DIR/$_ph.t.log" > "$LD_DIR/$_ph.t.json" 2>&1 &
	_p1=$!
	"$MLTLOAD" $_common -c "$c_anom" --tag "${_tag}n" --seed 12 -B anomalies \
		-l "$LD_DIR/$_ph.n.log" > "$LD_DIR/$_ph.n.json" 2>&1 &
	_p2=$!
	"$MLTLOAD" $_common -c "$c_auth" --tag "${_tag}a" --seed 13 \
		-C 192.0.2.25 -a carol@example.test --tls \
		-l "$LD_DIR/$_ph.a.log" > "$LD_DIR/$_ph.a.json" 2>&1 &
	_p3=$!
	"$MLTLOAD" $_common -c "$c_unauth" --tag "${_tag}u" --seed 14 \
		-C 198.51.100.7 \
		-l "$LD_DIR/$_ph.u.log" > "$LD_DIR/$_ph.u.json" 2>&1 &
	_p4=$!
	_rc=0
	for _p in $_p1 $_p2 $_p3 $_p4; do
		wait "$_p" || _rc=1
	done
	return $_rc
}

# The reload loop: a good and a broken file, swapped in with rename(2),
# SIGUSR1 every 100 ms; the count of signals sent goes to $LD_DIR/reloads.
start_reloader() {
	(
		n=0
		while :; do
			if [ $((n % 2)) = 0 ]; then f=bad; else f=good; fi
			cp "$LD_DIR/$f.conf" "$LD_DIR/next.conf" &&
				mv "$LD_DIR/next.conf" "$LD_DIR/dotgate.conf" &&
				kill -USR1 "$LD_PID" 2>/dev/null || exit 0
			n=$((n + 1))
			echo "$n" > "$LD_DIR/reloads"
			sleep 0.1
		done
	) &
	RELOADER=$!
	LD_EXTRA_PIDS=$RELOADER
}

# Stops the loop, ends on the good file and waits until it is installed.
stop_reloader() {
	kill "$RELOADER" 2>/dev/null
	wait "$RELOADER" 2>/dev/null
	LD_EXTRA_PIDS=
	cp "$LD_DIR/good.conf" "$LD_DIR/next.conf"
	mv "$LD_DIR/next.conf" "$LD_DIR/dotgate.conf"
	_before=$(ld_reloads)
	kill -USR1 "$LD_PID"
	wait_until 10 ld_reloaded_since "$_before"
}

# Warm-up: the same run at half the messages, faults and reloads
# included, so that every allocator arena and thread the run needs exists
# and the heap has reached its working size before the baseline is taken.
per_main=$per
per=$((per / 2 > 10 ? per / 2 : 10))
start_reloader
load w warm 0.05 0.02 || echo "# warm-up reported errors"
stop_reloader
per=$per_main
sleep 1
fd0=$(ld_fds)
rss0=$(ld_rss)
echo "# after warm-up: RSS $rss0 kB, $fd0 descriptors"
rm -f "$LD_DIR/reloads"
good0=$(ld_reloads)
failed0=$(grep -c 'reload of .* failed' "$LD_DIR/daemon.out")

start_reloader
t0=$(date +%s.%N)
load r main 0.05 0.02
load_rc=$?
t1=$(date +%s.%N)
stop_reloader
sent=$(cat "$LD_DIR/reloads" 2>/dev/null || echo 0)

for s in t n a u; do
	sed "s/^/# $s: /" "$LD_DIR/main.$s.json"
done
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
nconn=$(sed -n 's/.*"connections":\([0-9]*\).*/\1/p' "$LD_DIR"/main.?.json |
	awk '{ s += $1 } END { print s + 0 }')
ndrop=$(sed -n 's/.*"dropped":\([0-9]*\),"dropped_pre":\([0-9]*\),"dropped_idle":\([0-9]*\).*/\1 \2 \3/p' \
	"$LD_DIR"/main.?.json | awk '{ s += $1 + $2 + $3 } END { print s + 0 }')
echo "# $CONNS concurrent x $per messages in 4 streams, ${secs} s: $nconn connections opened, $ndrop dropped ($(awk -v d="$ndrop" -v c="$nconn" 'BEGIN { printf "%.1f", c ? 100 * d / c : 0 }')%), $sent SIGUSR1 sent"

desc="load client saw no protocol error (every reply well-formed, no timeout)"
check "$desc" [ "$load_rc" = 0 ]

desc="daemon alive and answering after the run"
check "$desc" ld_alive

# Wait for the records of connections that were cut at the end.
last=-1
i=0
while [ $i -lt 60 ]; do
	cur=$(wc -l < "$LD_AUDIT")
	[ "$cur" = "$last" ] && break
	last=$cur
	sleep 0.5
	i=$((i + 1))
done
"$JSONL" "$LD_AUDIT" > "$LD_DIR/audit.tsv" 2> "$LD_DIR/jsonl.err"
jrc=$?
sed 's/^/# /' "$LD_DIR/jsonl.err" | head -n 5
desc="audit file: $(wc -l < "$LD_AUDIT") lines, each one JSON object"
check "$desc" [ $jrc = 0 ]

# Reconcile the client's transaction log with the audit records.
cat "$LD_DIR"/main.?.log > "$LD_DIR/tx.log"
awk -F '\t' -v tx="$LD_DIR/tx.log" '
	BEGIN {
		while ((getline l < tx) > 0) {
			split(l, f, " ")
			k = f[1]; o = substr(l, length(k) + 2)
			want[k] = o; nkeys++
			split(o, w, " "); kind[w[1]]++
		}
	}
	{
		k = $2; sub(/@load\.test$/, "", k)
		if (k !~ /^ur/) next	# warm-up and liveness probes
		cnt[k]++; stage[k] = $1; nrec++
	}
	function bad(msg) { nbad++; if (nbad <= 10) print "# mismatch: " msg }
	END {
		for (k in want) {
			split(want[k], w, " "); c = cnt[k] + 0
			if (w[1] == "error")
				bad(k " ended in a client error: " want[k])
			else if (w[1] == "droppre") {
				if (c != 0) bad(k " dropped before MAIL has " c " records")
			} else if (c != 1)
				bad(k " (" want[k] ") has " c " records")
			else if (w[1] == "eom" && stage[k] != "eom")
				bad(k " completed at eom, recorded at " stage[k])
			else if (w[1] == "mail" && stage[k] != "mail")
				bad(k " refused at MAIL, recorded at " stage[k])
			else if ((w[1] == "abort" || w[1] == "drop") && stage[k] != "abort")
				bad(k " " w[1] " recorded at " stage[k])
		}
		for (k in cnt) if (!(k in want)) bad("record for unknown " k)
		printf "# transactions %d: eom %d, refused at mail %d, MTA aborts %d, dropped mid-transaction %d, dropped before MAIL %d; records %d; mismatches %d\n", nkeys, kind["eom"], kind["mail"], kind["abort"], kind["drop"], kind["droppre"], nrec, nbad
		exit nbad > 0
	}' "$LD_DIR/audit.tsv"
rec_rc=$?
desc="exactly one record per transaction, aborts and drops recorded as aborts"
check "$desc" [ $rec_rc = 0 ]

desc="faults were injected (drops and aborts seen in the client logs)"
check_sh "$desc" "grep -q ' drop\$' '$LD_DIR/tx.log' && grep -q ' abort\$' '$LD_DIR/tx.log'"

good=$(($(ld_reloads) - good0))
failed=$(($(grep -c 'reload of .* failed' "$LD_DIR/daemon.out") - failed0))
echo "# reloads: $sent signals, $good installed, $failed refused"
desc="reloads: good files installed, broken ones refused with FILE:LINE"
check_sh "$desc" '[ "$good" -ge 2 ] && [ "$failed" -ge 1 ] &&
	grep -q "$LD_DIR/dotgate.conf:[0-9]*: " "$LD_DIR/daemon.out"'

sleep 1
fd1=$(ld_settle_fds "$fd0")
desc="no descriptor leaked ($fd0 after warm-up, $fd1 after the run)"
check "$desc" [ "$fd1" -le "$fd0" ]

rss1=$(ld_rss)
i=0
while [ $((rss1 * 10)) -gt $((rss0 * 11)) ] && [ $i -lt 20 ]; do
	sleep 0.25
	rss1=$(ld_rss)
	i=$((i + 1))
done
echo "# RSS: $rss0 kB after warm-up, $rss1 kB after the run, peak $(ld_hwm) kB"
if ! ld_rss_measured; then
	skip "RSS within 10%" "RSS under valgrind or ASan is theirs, not dotgate's"
else
	desc="RSS back within 10% of its post-warm-up level ($rss0 -> $rss1 kB)"
	check "$desc" [ $((rss1 * 10)) -le $((rss0 * 11)) ]
fi

ld_finish
tap_done
