#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/load/manyconn.sh: many concurrent MTA connections, and the
# descriptor limit a real site hits first (dotgate(8) "LIMITS").
#   - 2,000 concurrent milter connections (MANYCONN_CONNS), 5
#     transactions each, 0.4 s apart so that all are open at once: no error, one audit record per transaction,
#     peak resident memory (VmHWM) and threads bounded, the descriptors
#     back to the idle level afterwards;
#   - the start-up warning: present under "ulimit -n 64", absent under
#     1024, and a soft limit below the hard one raised
#     to it at start;
#   - twice as many connections as a limit of 64 holds: the daemon
#     neither dies nor stops accepting (libmilter retries EMFILE), the
#     waiting connections are served, and it answers afterwards;
#   - the packaged unit sets LimitNOFILE= to at least what the LIMITS
#     section asks for a site with a remote login map (648).
# The figures are printed as TAP comments.  The client's 2,000
# connections need a hard descriptor limit above 2,256 (skipped below).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"
. "$top_srcdir/tests/lib/sample.sh"

CONNS=${MANYCONN_CONNS:-2000}
PER=${MANYCONN_PER:-5}
HWM_MAX_KB=${MANYCONN_HWM_KB:-65536}	# 24 MB measured; twice and more
IDLE_THREADS=16		# main, signals, libmilter's controller and 2 workers

if ! ulimit -S -n $((CONNS + 256)) 2>/dev/null; then
	echo "1..0 # SKIP the hard descriptor limit $(ulimit -H -n) is below $((CONNS + 256))"
	exit 0
fi
tap_plan 15
ld_init
ld_conf "$LD_DIR/dotgate.conf"

# started_under LIMITS...: dotgate started and stopped under those ulimit
# arguments; its output (the start-up lines) in $LD_DIR/limit.out.
started_under() {
	rm -f "$LD_SOCK"
	: > "$LD_DIR/limit.out"
	(ulimit "$@" && exec "$DOTGATE" -f -c "$LD_DIR/dotgate.conf" \
		-p "unix:$LD_SOCK" > "$LD_DIR/limit.out" 2>&1) &
	_p=$!
	# The limit is checked before the "starting" line is logged.
	wait_until 20 grep -q 'dotgate.* starting' "$LD_DIR/limit.out"
	grep 'Max open files' "/proc/$_p/limits" | tr -s ' ' | sed 's/^/# under ulimit '"$*"': /'
	# Only its start-up matters here: a SIGTERM would cost libmilter's
	# seconds of shutdown.
	kill -KILL "$_p"
	wait "$_p" 2>/dev/null
	sed 's/^/# /' "$LD_DIR/limit.out"
}
warned() { grep -q 'descriptor limit [0-9]* cannot hold 300 concurrent MTA connections' "$LD_DIR/limit.out"; }

started_under -n 64
check "ulimit -n 64: the start-up warning names the limit and the need (348)" \
	grep -q 'descriptor limit 64 cannot hold 300 concurrent MTA connections (1 descriptor each, plus 48): raise LimitNOFILE= or ulimit -n to 348 or more' "$LD_DIR/limit.out"
started_under -n 1024
check "ulimit -n 1024: no warning" eval '! warned'
started_under -S -n 200
check "soft limit 200 under a higher hard one: raised at start, and no warning" \
	eval 'grep -q "descriptor limit raised from 200 to " "$LD_DIR/limit.out" && ! warned'

# ---- many connections ---------------------------------------------------
ld_start "$LD_DIR/dotgate.conf" || tap_bail "dotgate did not start"
"$MLTLOAD" -s "unix:$LD_SOCK" -c 20 -m 5 -k 0 -q -t 20000 --tag w || true
sleep 0.3
IDLE=$(ld_fds)
: > "$LD_AUDIT"
sample_start "$LD_PID" "$LD_DIR/peak"
t0=$(date +%s%N)
"$MLTLOAD" -s "unix:$LD_SOCK" -c "$CONNS" -m "$PER" -k 0 -b 2K -t 30000 -q -j --pause 400 \
	--tag m > "$LD_DIR/many.json"
secs=$(( ($(date +%s%N) - t0) / 1000000 ))
sample_stop
AFTER=$(ld_settle_fds "$IDLE")
ld_threads() { ls "/proc/$LD_PID/task" | wc -l; }
threads_settled() { [ "$(ld_threads)" -le "$IDLE_THREADS" ]; }
wait_until 12 threads_settled
THREADS_AFTER=$(ld_threads)
HWM=$(ld_hwm)
j() { jq -r ".$1" "$LD_DIR/many.json"; }
echo "# $CONNS connections x $PER: $(j completed) transactions in $secs ms," \
	"p50 $(j p50_ms) ms p99 $(j p99_ms) ms max $(j max_ms) ms, errors $(j errors);" \
	"daemon peak: $(sample_threads "$LD_DIR/peak") threads," \
	"$(sample_fds "$LD_DIR/peak") descriptors, VmHWM $HWM kB; descriptors idle $IDLE, after $AFTER;" \
	"threads after $THREADS_AFTER"
check "$((CONNS * PER)) transactions on $CONNS concurrent connections, 0 errors" \
	[ "$(j completed) $(j errors)" = "$((CONNS * PER)) 0" ]
check "one audit record per transaction" \
	[ "$(wc -l < "$LD_AUDIT")" = $((CONNS * PER)) ]
check "the connections were concurrent: peak descriptors $(sample_fds "$LD_DIR/peak") >= $((CONNS / 2))" \
	[ "$(sample_fds "$LD_DIR/peak")" -ge $((CONNS / 2)) ]
if ld_rss_measured; then
	check "peak resident memory $HWM kB <= $HWM_MAX_KB kB" [ "$HWM" -le "$HWM_MAX_KB" ]
else
	skip "peak resident memory (valgrind or ASan own it)"
fi
# libmilter's pool has no maximum: a worker per connection busy at once,
# at most (dotgate(8) LIMITS); idle ones beyond two exit.
check "threads bounded: peak $(sample_threads "$LD_DIR/peak") <= one per connection + $IDLE_THREADS, $THREADS_AFTER <= $IDLE_THREADS after the load" \
	eval '[ "$(sample_threads "$LD_DIR/peak")" -le $((CONNS + IDLE_THREADS)) ] && [ "$THREADS_AFTER" -le "$IDLE_THREADS" ]'
check "descriptors back to the idle level ($IDLE) after the load: $AFTER" [ "$AFTER" = "$IDLE" ]
ld_stop

# ---- past the descriptor limit ------------------------------------------
# 64 descriptors, 11 of them the daemon's: 128 connections, each open
# about 1.5 s (3 transactions 0.5 s apart), so that half of them wait
# in the listen backlog while accept() fails with EMFILE.
rm -f "$LD_SOCK"
(ulimit -n 64 && exec "$DOTGATE" -f -c "$LD_DIR/dotgate.conf" -p "unix:$LD_SOCK" \
	>> "$LD_DIR/daemon.out" 2>&1) &
LD_PID=$!
wait_socket "$LD_SOCK" "$LD_PID" 20 || tap_bail "dotgate did not start under ulimit -n 64"
"$MLTLOAD" -s "unix:$LD_SOCK" -c 128 -m 3 -k 0 --pause 500 -t 20000 -q -j \
	--tag e > "$LD_DIR/emfile.json" &
load=$!
sleep 0.7
FULL=$(ld_fds)
c0=$(awk '{ print $14 + $15 }' "/proc/$LD_PID/stat")
sleep 1
c1=$(awk '{ print $14 + $15 }' "/proc/$LD_PID/stat")
wait "$load"
e() { jq -r ".$1" "$LD_DIR/emfile.json"; }
echo "# ulimit -n 64, 128 connections: $FULL descriptors open at the peak," \
	"daemon CPU $((c1 - c0)) ticks (1/100 s) in 1 s of it (libmilter retrying accept);" \
	"$(e completed) transactions, max latency $(e max_ms) ms, errors $(e errors)"
check "at the limit ($FULL descriptors listed, ulimit 64) the waiting connections were served: 384 transactions, 0 errors" \
	[ "$(e completed) $(e errors)" = "384 0" ]
check "after it the daemon runs, accepts and answers" ld_alive
check "its descriptors back to the idle level" [ "$(ld_settle_fds "$IDLE")" = "$IDLE" ]

# ---- the packaged unit --------------------------------------------------
UNIT=$top_srcdir/packaging/systemd/dotgate.service
NOFILE=$(sed -n 's/^LimitNOFILE=\([0-9]*\)$/\1/p' "$UNIT")
echo "# $UNIT: LimitNOFILE=$NOFILE"
check "dotgate.service sets LimitNOFILE= >= 648 (300 connections with a remote map, dotgate(8) LIMITS)" \
	[ "${NOFILE:-0}" -ge 648 ]
ld_finish
