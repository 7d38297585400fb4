#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/soak/soak.sh: "make soak" (as root; not in "make check", not in
# CI): an hour of steady mixed traffic through a private Postfix
# (tests/postfix/lib.sh) with dotgate attached, a reload every minute and
# a log rotation every ten, watching the daemon for leaks and lost
# records.  TAP, with one "# minute" line a minute.
#
#	make soak				the hour
#	make soak SOAK_MINUTES=3 SOAK_ROTATE_EVERY=90	a short proof
#					(2 reloads, 1 rotation)
#
# Environment (the defaults in brackets):
#	SOAK_MINUTES [60]	how long the traffic runs
#	SOAK_RATE [8]		transactions a second (tests/soak/smtpsoak)
#	SOAK_RELOAD_EVERY [60]	seconds between reloads (SIGUSR1; each
#				installs a new host name, soak-N, so the
#				records show it took effect)
#	SOAK_ROTATE_EVERY [600]	seconds between rotations: the audit file
#				renamed to audit.jsonl.N, then SIGUSR2, which
#				reopens the audit sinks (dotgate(8), SIGNALS)
#	SOAK_LARGE_KB [1000]	the largest body (bob sends 10%, 30% and 100%)
#	SOAK_RSS_BASE [5]	the minute whose RSS is the baseline (the
#				first when the run is not longer)
#	SOAK_RSS_GROWTH [20]	percent the RSS may grow over the baseline
# The traffic (tests/soak/smtpsoak.c, which says which record each
# transaction must leave): alice authenticated with her own sender, with
# bob's (553) and with a body anomaly (bare LF, bare CR, a lone dot,
# NUL, ...); an exempt relay on the plain port with an anomaly and clean
# text; bob with a large body, then MAIL, RCPT, RSET (an abort); an
# unauthenticated client (530).  Postfix discards what it accepts
# (virtual_transport = discard), so an hour fills no disk.
#
# Each minute: "# minute M: rss KB fds N threads N cpu S txns N expected
# N found N (in flight N) reloads OK/SENT rotations OK/DONE" (VmRSS,
# /proc/PID/fd, /proc/PID/task and CPU time of dotgate; records expected
# as counted by the client, found in the audit file and every rotated
# one).  Fails (not ok, exit 1, a FAILED line) when, after the client
# stopped and the records drained: records found differ from expected,
# in total or by stage (dotgate(8), AUDIT RECORD: mail, eom, abort), a
# line is not one JSON object, the client met an error or an unexpected
# reply, a reload did not install its policy or a policy served no mail,
# a rotation did not reopen a new file or the daemon wrote to a rotated
# one after, dotgate logged an error, the RSS of the last minute exceeds
# the baseline by more than SOAK_RSS_GROWTH percent, or the daemon holds
# more descriptors idle at the end than idle before the traffic.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate jq
SMTPSOAK=${SMTPSOAK:-$top_builddir/tests/soak/smtpsoak}
[ -x "$SMTPSOAK" ] || tap_bail "$SMTPSOAK not built (make tests/soak/smtpsoak)"

MINUTES=${SOAK_MINUTES:-60}
RATE=${SOAK_RATE:-8}
RELOAD_EVERY=${SOAK_RELOAD_EVERY:-60}
ROTATE_EVERY=${SOAK_ROTATE_EVERY:-600}
LARGE_KB=${SOAK_LARGE_KB:-1000}
RSS_BASE=${SOAK_RSS_BASE:-5}
RSS_GROWTH=${SOAK_RSS_GROWTH:-20}
[ "$RSS_BASE" -lt "$MINUTES" ] || RSS_BASE=1

pf_init
DRV_PID=
_soak_rc=0
trap '_soak_rc=$?; soak_stop; (exit $_soak_rc); pf_cleanup' EXIT
soak_stop() { [ -n "$DRV_PID" ] && stop_pid "$DRV_PID" 5; DRV_PID=; }

# soak_conf GEN: the policy, its host name the reload generation.  The
# exempt relay is 127.0.0.2 (the client binds it); everyone else on
# loopback must authenticate.  PLAIN without TLS is allowed: the client
# stays light (no SASL library, no TLS).
soak_conf() {
	pf_dotgate_conf soak <<EOF
host = "soak-$1"
auth {
  exempt_networks = {"127.0.0.2/32"}
  plaintext_needs_tls = false
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
user "bob@example.test" {
  senders = {"bob@example.test"}
}
EOF
}
CONF=$(soak_conf 0)
pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
DG=$PF_DG_PID
pf_postfix_config milter
postconf -c "$PF_DIR/etc" -e 'virtual_transport = discard:soak' ||
	tap_bail "postconf failed"
pf_postfix_start
echo "# Postfix $(postconf -d -h mail_version), dotgate pid $DG," \
	"$MINUTES min at $RATE/s, reload every ${RELOAD_EVERY}s," \
	"rotation every ${ROTATE_EVERY}s"

rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$DG/status" 2>/dev/null; }
fds() { ls "/proc/$DG/fd" 2>/dev/null | wc -l | tr -d ' '; }
threads() { ls "/proc/$DG/task" 2>/dev/null | wc -l | tr -d ' '; }
# CPU seconds (user + system) the daemon has used so far.
cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.1f", ($12 + $13) / hz }' \
		"/proc/$DG/stat" 2>/dev/null
}
found() { cat "$PF_AUDIT"* 2>/dev/null | wc -l | tr -d ' '; }
stat_of() { sed -n "s/^$1=//p" "$PF_DIR/soak.stats" 2>/dev/null; }
expected() {
	echo $(($(stat_of exp_mail) + $(stat_of exp_eom) + $(stat_of exp_abort)))
}
logged() { grep -c "$1" "$PF_DIR/dg/daemon.out"; }

IDLE_FDS0=$(fds)
printf 'exp_mail=0\nexp_eom=0\nexp_abort=0\ntxns=0\n' >"$PF_DIR/soak.stats"
"$SMTPSOAK" -s "$PF_SMTP_PORT" -u "$PF_SUB_PORT" -a "$PF_DIR/alice.pw" \
	-b "$PF_DIR/bob.pw" -t $((MINUTES * 60)) -r "$RATE" -l "$LARGE_KB" \
	-o "$PF_DIR/soak.stats" 2>"$PF_DIR/smtpsoak.err" &
DRV_PID=$!

RELOADS=0 ROTATIONS=0 ROTATED_OK=0 MINUTE=0
RSS_FIRST='' RSS_BASEVAL='' FDS_FIRST='' RSS_LAST='' FDS_LAST=''

reload() {
	RELOADS=$((RELOADS + 1))
	soak_conf "$RELOADS" >/dev/null
	kill -USR1 "$DG"
}

# The audit file renamed, then SIGUSR2: records written in between go to
# the renamed file (same inode), then to a new audit file.
rotate() {
	ROTATIONS=$((ROTATIONS + 1))
	mv "$PF_AUDIT" "$PF_AUDIT.$ROTATIONS" || return
	kill -USR2 "$DG"
	wait_until 10 test -f "$PF_AUDIT" || return
	ROTATED_OK=$((ROTATED_OK + 1))
	# One transaction at a time: once the new file has a record, the
	# renamed one is closed for good; rotated_closed checks it at the end.
	wait_until 10 test -s "$PF_AUDIT"
	echo "$ROTATIONS $(wc -l <"$PF_AUDIT.$ROTATIONS")" >>"$PF_DIR/rotated"
}
# Each rotated file still has the lines it had once its successor had
# records: the daemon wrote nothing more to the renamed file.
rotated_closed() {
	[ -f "$PF_DIR/rotated" ] || return 0
	while read -r _n _lines; do
		[ "$(wc -l <"$PF_AUDIT.$_n")" = "$_lines" ] ||
			{ echo "audit.jsonl.$_n grew after its rotation"; return 1; }
	done <"$PF_DIR/rotated"
}

sample() {
	MINUTE=$((MINUTE + 1))
	RSS_LAST=$(rss) FDS_LAST=$(fds)
	[ -n "$RSS_FIRST" ] || { RSS_FIRST=$RSS_LAST; FDS_FIRST=$FDS_LAST; }
	[ "$MINUTE" = "$RSS_BASE" ] && RSS_BASEVAL=$RSS_LAST
	# Expected first: each record is written before the reply that
	# ends its transaction, so found - expected is what is in flight.
	_e=$(expected)
	_f=$(found)
	echo "# minute $MINUTE: rss $RSS_LAST kB fds $FDS_LAST" \
		"threads $(threads) cpu $(cpu)s txns $(stat_of txns)" \
		"expected $_e found $_f (in flight $((_f - _e)))" \
		"reloads $(logged 'reloaded ')/$RELOADS" \
		"rotations $ROTATED_OK/$ROTATIONS"
}

START=$(date +%s)
NEXT_RELOAD=$RELOAD_EVERY NEXT_ROTATE=$ROTATE_EVERY NEXT_SAMPLE=60
while [ "$MINUTE" -lt "$MINUTES" ]; do
	sleep 1
	kill -0 "$DG" 2>/dev/null || break
	t=$(($(date +%s) - START))
	# The last minute's sample comes before its reload and rotation.
	if [ "$t" -ge "$NEXT_SAMPLE" ]; then
		sample
		NEXT_SAMPLE=$((NEXT_SAMPLE + 60))
	fi
	[ "$MINUTE" -lt "$MINUTES" ] || break
	if [ "$t" -ge "$NEXT_ROTATE" ]; then
		rotate
		NEXT_ROTATE=$((NEXT_ROTATE + ROTATE_EVERY))
	fi
	if [ "$t" -ge "$NEXT_RELOAD" ]; then
		reload
		NEXT_RELOAD=$((NEXT_RELOAD + RELOAD_EVERY))
	fi
done

# The client stops at the end of its time; every record must be there
# once it has gone (each is written before the reply that ends its
# transaction): the wait only covers a slow disk.
alive=yes
kill -0 "$DG" 2>/dev/null || alive=no
# smtpsoak ends at its time, after its current session (30 s deadlines).
wait "$DRV_PID" 2>/dev/null
DRV_PID=
_soak_rc=0
drained() { [ "$(found)" -ge "$(expected)" ]; }
wait_until 30 drained
ELAPSED=$(stat_of elapsed)
TXNS=$(stat_of txns)
echo "# client: $TXNS transactions in $(stat_of sessions) sessions," \
	"${ELAPSED}s, $(awk -v n="$TXNS" -v s="$ELAPSED" 'BEGIN { printf "%.1f", s ? n / s : 0 }')/s;" \
	"replies 250 $(stat_of r250), 550 $(stat_of r550), 530 $(stat_of r530)," \
	"553 $(stat_of r553), other $(stat_of other); errors $(stat_of errors);" \
	"$(($(stat_of bytes) / 1048576)) MB of bodies; slowest transaction $(stat_of max_ms) ms"
[ -s "$PF_DIR/smtpsoak.err" ] && sed 's/^/# smtpsoak: /' "$PF_DIR/smtpsoak.err"

is "dotgate ran throughout (pid $DG)" "$alive" yes
is "the client finished its run" "$(stat_of "done")" 1
is "no client error, no unexpected reply" \
	"$(stat_of errors) $(stat_of other)" "0 0"
EXP=$(expected)
FOUND=$(found)
echo "# records: expected $EXP, found $FOUND over $((ROTATED_OK + 1)) files"
is "records found = records expected" "$FOUND" "$EXP"
by_stage=$(cat "$PF_AUDIT"* | jq -r .stage | sort | uniq -c |
	awk '{ printf "%s %s ", $2, $1 }')
echo "# records by stage: $by_stage"
is "records by stage" "$by_stage" \
	"abort $(stat_of exp_abort) eom $(stat_of exp_eom) mail $(stat_of exp_mail) "
is "every record is one JSON object" \
	"$(cat "$PF_AUDIT"* | jq -c . 2>/dev/null | wc -l | tr -d ' ')" "$FOUND"
is "every policy installed served mail (host soak-0 to soak-$RELOADS in the records)" \
	"$(cat "$PF_AUDIT"* | jq -r .host | sort -u | wc -l | tr -d ' ')" $((RELOADS + 1))
is "every reload installed its policy" \
	"$(logged 'reloaded ') $(logged 'reload of .* failed')" "$RELOADS 0"
is "every rotation reopened a new audit file" \
	"$ROTATED_OK $(logged 'reopened the audit sinks')" "$ROTATIONS $ROTATIONS"
check "no record went to a rotated file after its successor had one" rotated_closed
echo "# drift: rss $RSS_FIRST -> $RSS_LAST kB (minute $RSS_BASE: $RSS_BASEVAL kB)," \
	"fds $FDS_FIRST -> $FDS_LAST (sampled under load)"
is "RSS within ${RSS_GROWTH}% of minute $RSS_BASE's" \
	"$(awk -v b="$RSS_BASEVAL" -v l="$RSS_LAST" -v g="$RSS_GROWTH" \
		'BEGIN { print (b > 0 && l <= b * (1 + g / 100)) ? "yes" : "no: " l " kB" }')" yes
idle_fds() { [ "$(fds)" -le "$IDLE_FDS0" ]; }
wait_until 10 idle_fds
echo "# idle descriptors: $IDLE_FDS0 before the traffic, $(fds) after"
check "no descriptor leaked (idle $IDLE_FDS0 before, $(fds) after)" idle_fds
check "dotgate logged no error" \
	sh -c "! grep -i 'error\\|fatal\\|panic\\|fail' '$PF_DIR/dg/daemon.out'"
echo "# queue at the end: $(pf_queue_json | jq -r .queue_name | sort | uniq -c | tr '\n' ' ')"
if pf_done; then
	echo "# soak: PASSED"
else
	echo "FAILED: soak (see the not ok lines above)"
	exit 1
fi
