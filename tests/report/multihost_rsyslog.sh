#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# multihost_rsyslog.sh: the audit records of two MTAs collected by a real
# rsyslog, and dotgate-report on the collected files.  Two dotgate
# daemons (host = "mx1" and host = "mx2", each with its own socket and
# audit file) log every record to their own local rsyslogd (imuxsock on
# a socket in the test directory, localHostName mx1 or mx2), which
# forwards it over TCP to a central rsyslogd on a free loopback port;
# the central one writes what it receives in the traditional format and
# in RFC 5424.  The protocol load client drives a different known mix
# through each daemon.  On either central file the report must count
# exactly the records of each host's JSON file, per host and per
# verdict, the totals must equal those of the two JSON files, --host
# must select one host, the syslog headers must name the forwarding
# hosts, and the HTML page must list both.  Every rsyslogd and daemon is
# started here and stopped by PID; nothing listens or connects beyond
# 127.0.0.1.  Needs root (rsyslogd) and Debian's rsyslog.  Prints TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"
: "${RSYSLOGD:=$(command -v rsyslogd || echo /usr/sbin/rsyslogd)}"
REPORT=$top_builddir/filter/report/dotgate-report

tap_plan 17
[ -x "$RSYSLOGD" ] ||
	{ echo "Bail out! rsyslogd missing (sh tests/deps.sh installs it)"; exit 1; }
for _t in jq ss; do
	command -v "$_t" >/dev/null ||
		{ echo "Bail out! $_t missing (sh tests/deps.sh installs it)"; exit 1; }
done
[ -x "$REPORT" ] || { echo "Bail out! $REPORT not built"; exit 1; }
ld_init
D=$LD_DIR
PORT=$(free_port) || { echo "Bail out! no free port"; exit 1; }
TRAD=$D/central/traditional.log
R5424=$D/central/rfc5424.log
# What each host's mix must leave: one record per transaction.
MX1_WANT=25
MX2_WANT=23

# rsyslog_start NAME: rsyslogd -n on $D/NAME.rsyslog.conf, pidfile and
# work directory of its own, output in $D/NAME.rsyslog.out; its PID is
# killed at exit.
rsyslog_start() {
	mkdir -p "$D/$1.work"
	"$RSYSLOGD" -n -f "$D/$1.rsyslog.conf" -i "$D/$1.rsyslog.pid" \
		> "$D/$1.rsyslog.out" 2>&1 &
	_pid=$!
	LD_EXTRA_PIDS="$LD_EXTRA_PIDS $_pid"
	eval "RS_$1=\$_pid"
}

# rsyslog_quiet NAME: rsyslogd said nothing (a config error or unknown
# parameter is printed on stderr at start-up and otherwise ignored).
rsyslog_quiet() {
	[ ! -s "$D/$1.rsyslog.out" ] || { sed "s/^/$1: /" "$D/$1.rsyslog.out"; return 1; }
}

# The collector: everything imtcp receives goes to both files; its own
# messages go elsewhere.
central_conf() {
	mkdir -p "$D/central"
	cat > "$D/central.rsyslog.conf" <<EOF
global(workDirectory="$D/central.work" localHostName="central")
module(load="imtcp")
input(type="imtcp" port="$PORT" address="127.0.0.1" ruleset="collect"
      rateLimit.interval="0")
ruleset(name="collect") {
  action(type="omfile" file="$TRAD" template="RSYSLOG_TraditionalFileFormat")
  action(type="omfile" file="$R5424" template="RSYSLOG_SyslogProtocol23Format")
}
*.* action(type="omfile" file="$D/central.rsyslog.log")
EOF
}

# mx_conf HOST: the local rsyslogd of HOST (its socket forwarded to the
# collector, retried until it takes the records) and dotgate's config.
mx_conf() {
	cat > "$D/$1.rsyslog.conf" <<EOF
global(workDirectory="$D/$1.work" localHostName="$1")
module(load="imuxsock" SysSock.Use="off")
input(type="imuxsock" Socket="$D/$1.log" ruleset="forward"
      RateLimit.Interval="0")
ruleset(name="forward") {
  action(type="omfwd" target="127.0.0.1" port="$PORT" protocol="tcp"
         action.resumeRetryCount="-1" action.resumeInterval="1")
}
*.* action(type="omfile" file="$D/$1.rsyslog.log")
EOF
	cat > "$D/$1.conf" <<EOF
# written by tests/report/multihost_rsyslog.sh
host = "$1"
socket_mode = "0666"
user "alice@example.test" {
  senders = {"alice@example.test", "@example.org"}
}
user "carol@example.test" {
  senders = {"@load.test"}
}
audit {
  syslog = true
  syslog_socket = "$D/$1.log"
  file = "$D/$1.jsonl"
}
EOF
	chmod 644 "$D/$1.conf"
}

# wait_for SECONDS COMMAND...: polls every 0.1 s until COMMAND succeeds.
wait_for() {
	_i=0
	_max=$(($1 * 10))
	shift
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -lt $_max ] || return 1
		sleep 0.1
	done
}

listening() { [ -n "$(ss -Hltn "sport = :$PORT" 2>/dev/null)" ]; }
has_socket() { [ -S "$D/$1.log" ]; }

start_central() {
	central_conf
	rsyslog_start central
	wait_for 10 listening && kill -0 "$RS_central" 2>/dev/null || {
		sed 's/^/central: /' "$D/central.rsyslog.out"; return 1; }
	ss -Hltn "sport = :$PORT"
	rsyslog_quiet central
}

start_locals() {
	for _h in mx1 mx2; do
		mx_conf $_h
		rsyslog_start $_h
	done
	for _h in mx1 mx2; do
		wait_for 10 has_socket $_h && eval "kill -0 \$RS_$_h" 2>/dev/null || {
			sed "s/^/$_h: /" "$D/$_h.rsyslog.out"; return 1; }
		rsyslog_quiet $_h || return 1
	done
}

# dotgate_start HOST: ld_start on $D/HOST.sock; the PID is killed at exit.
dotgate_start() {
	LD_SOCK=$D/$1.sock
	LD_PID=
	ld_start "$D/$1.conf" || return 1
	eval "DG_$1=\$LD_PID"
	LD_EXTRA_PIDS="$LD_PID $LD_EXTRA_PIDS"
	LD_PID=
}

start_dotgates() { dotgate_start mx1 && dotgate_start mx2; }

# The mixes, one connection per client thread.  mx1: 20 clean exempt
# messages, 5 unauthenticated outsiders (530).  mx2: 12 clean, 4 bodies
# with smuggling residue (body reject), 3 unauthenticated, 2 from a login
# using senders it does not own (553) and 2 from their owner (pass).
# One message at a time, each forwarded before the next: dotgate's
# syslog sink never waits for a syslog daemon (a record the socket cannot
# take at once is counted as lost, by design, so mail is never held up),
# and a Linux datagram socket queues only net.unix.max_dgram_qlen (10)
# messages; a burst on a busy CI machine lost one.  This test is about
# what the report makes of the collected lines, not about that queue.
SENT=0
paced() {	# paced HOST COUNT MLTLOAD-ARGS...
	_h=$1 _k=$2
	shift 2
	while [ "$_k" -gt 0 ]; do
		"$MLTLOAD" -s "unix:$D/$_h.sock" -k 0 -t 20000 -q -c 1 -m 1 "$@" || return 1
		SENT=$((SENT + 1))
		_k=$((_k - 1))
		wait_for 10 eval '[ "$(collected "$TRAD")" -ge $SENT ]' || true
	done
}
drive() {
	paced mx1 20 --tag c &&
	paced mx1 5 -C 198.51.100.7 --tag u &&
	paced mx2 12 -b 10K --tag c &&
	paced mx2 4 -B anomalies --tag s &&
	paced mx2 3 -C 203.0.113.9 --tag u &&
	paced mx2 2 -C 192.0.2.25 -a alice@example.test --tls --tag n &&
	paced mx2 2 -C 192.0.2.25 -a carol@example.test --tls --tag o
}

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }
# dotgate's records among the collected lines.
collected() { cat "$1" 2>/dev/null | grep -c ' dotgate[[ ].* ts="'; }

audit_complete() {
	wait_for 10 eval '[ "$(lines "$D/mx1.jsonl")" -ge $MX1_WANT ] &&
		[ "$(lines "$D/mx2.jsonl")" -ge $MX2_WANT ]'
	sleep 0.2		# a record too many must be seen too
	echo "mx1.jsonl: $(lines "$D/mx1.jsonl"), mx2.jsonl: $(lines "$D/mx2.jsonl")"
	[ "$(lines "$D/mx1.jsonl")" -eq $MX1_WANT ] &&
		[ "$(lines "$D/mx2.jsonl")" -eq $MX2_WANT ]
}

central_complete() {
	_want=$(($(lines "$D/mx1.jsonl") + $(lines "$D/mx2.jsonl")))
	wait_for 20 eval '[ "$(collected "$TRAD")" -ge $_want ] &&
		[ "$(collected "$R5424")" -ge $_want ]'
	sleep 0.3
	echo "want $_want; traditional: $(collected "$TRAD"), RFC 5424: $(collected "$R5424")"
	[ "$(collected "$TRAD")" -eq "$_want" ] && [ "$(collected "$R5424")" -eq "$_want" ]
}

# verdicts FILE: the records of a JSON Lines file by verdict (abort
# records have none), keys sorted, zeros left out.
verdicts() {
	jq -s -c -S 'group_by(.verdict // "abort") |
		map({key: (.[0].verdict // "abort"), value: length}) | from_entries' "$1"
}

# What the report must say per host: the two audit files' own counts.
expected_hosts() {
	for _h in mx1 mx2; do
		jq -n -c -S --arg h $_h --argjson r "$(lines "$D/$_h.jsonl")" \
			--argjson v "$(verdicts "$D/$_h.jsonl")" \
			'{host: $h, records: $r, by_verdict: $v}'
	done | jq -s -c -S .
}

# report_matches FILE: dotgate-report --json FILE counts every record,
# none malformed, and per host exactly what that host's audit file holds.
report_matches() {
	"$REPORT" --json "$1" > "$D/rep.json" || { echo "dotgate-report failed"; return 1; }
	_total=$(($(lines "$D/mx1.jsonl") + $(lines "$D/mx2.jsonl")))
	_want=$(expected_hosts)
	_got=$(jq -c -S '[.hosts[] | {host, records,
		by_verdict: (.by_verdict | with_entries(select(.value > 0)))}] |
		sort_by(.host)' "$D/rep.json")
	_rec=$(jq .records "$D/rep.json")
	_mal=$(jq .malformed "$D/rep.json")
	echo "records $_rec (want $_total), malformed $_mal"
	echo "hosts: $_got"
	echo "want:  $_want"
	[ "$_rec" = "$_total" ] && [ "$_mal" = 0 ] && [ "$_got" = "$_want" ]
}

# The central report's totals equal those of the two audit files.
totals_match() {
	"$REPORT" --json "$D/mx1.jsonl" "$D/mx2.jsonl" > "$D/files.json" &&
		"$REPORT" --json "$TRAD" > "$D/trad.json" &&
		"$REPORT" --json "$R5424" > "$D/5424.json" || return 1
	_want=$(jq -c -S '{by_verdict, by_rule}' "$D/files.json")
	echo "audit files: $_want"
	for _f in trad 5424; do
		_got=$(jq -c -S '{by_verdict, by_rule}' "$D/$_f.json")
		echo "$_f: $_got"
		[ "$_got" = "$_want" ] || return 1
	done
}

# Everything else the report says (the unauthenticated clients, the
# anomaly classes, monitor, the hosts with their periods) is the same
# from syslog as from the audit files; other_lines may differ.
summary_matches() {
	for _f in trad 5424; do
		_a=$(jq -c -S 'del(.other_lines)' "$D/files.json")
		_b=$(jq -c -S 'del(.other_lines)' "$D/$_f.json")
		[ "$_a" = "$_b" ] || {
			echo "$_f differs:"; echo "files: $_a"; echo "$_f:   $_b"; return 1; }
	done
}

host_filter() {
	_ok=0
	for _f in "$TRAD" "$R5424"; do
		"$REPORT" --json --host mx1 "$_f" > "$D/host.json" || return 1
		_got=$(jq -c '[.records, [.hosts[].host]]' "$D/host.json")
		echo "$(basename "$_f"): $_got"
		[ "$_got" = "[$(lines "$D/mx1.jsonl"),[\"mx1\"]]" ] || _ok=1
	done
	return $_ok
}

# The syslog header of every collected record names the host that
# forwarded it, and that is the host the record itself carries.
headers_name_hosts() {
	_ok=0
	for _h in mx1 mx2; do
		_want=$(lines "$D/$_h.jsonl")
		_t=$(grep -E -c "^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} $_h dotgate\[[0-9]+\]: .* host=\"$_h\"" "$TRAD")
		_r=$(grep -E -c "^<[0-9]+>1 [0-9T:.+Z-]+ $_h dotgate [0-9]+ - - .* host=\"$_h\"" "$R5424")
		echo "$_h: $_t traditional, $_r RFC 5424 lines, want $_want"
		[ "$_t" = "$_want" ] && [ "$_r" = "$_want" ] || _ok=1
	done
	head -n 1 "$TRAD"
	head -n 1 "$R5424"
	return $_ok
}

html_report() { "$REPORT" --html "$D/report.html" "$TRAD" && [ -s "$D/report.html" ]; }

html_hosts() {
	grep -c -e '<td>mx1</td>' -e '<td>mx2</td>' "$D/report.html"
	grep -q '<td>mx1</td>' "$D/report.html" && grep -q '<td>mx2</td>' "$D/report.html"
}

# Every TCP or UDP socket of the rsyslogds and dotgates, listening or
# connected, is on 127.0.0.1, and so is every peer.
loopback_only() {
	_pids="$RS_central $RS_mx1 $RS_mx2 $DG_mx1 $DG_mx2"
	ss -Hantup > "$D/ss.out"
	_ok=0
	_seen=0
	for _p in $_pids; do
		grep "pid=$_p," "$D/ss.out" > "$D/ss.mine"
		while read -r _proto _state _rq _sq _local _peer _rest; do
			_seen=$((_seen + 1))
			case "$_local" in 127.0.0.1:*) ;; *) _ok=1 ;; esac
			case "$_peer" in 127.0.0.1:*|0.0.0.0:\*|\*:\*) ;; *) _ok=1 ;; esac
			echo "$_proto $_state $_local $_peer $_rest"
		done < "$D/ss.mine"
	done
	# at least the collector's listener and the two forwarding connections
	[ $_seen -ge 3 ] && [ $_ok = 0 ]
}

stop_all() {
	_ok=0
	for _p in $DG_mx1 $DG_mx2 $RS_mx1 $RS_mx2 $RS_central; do
		kill "$_p" 2>/dev/null && wait "$_p" || { echo "PID $_p: status $?"; _ok=1; }
	done
	LD_EXTRA_PIDS=
	return $_ok
}

check "central rsyslogd listens on 127.0.0.1:$PORT" start_central
check "local rsyslogds of mx1 and mx2 listen on their sockets" start_locals
check "both dotgates start (host mx1, host mx2)" start_dotgates
check "the load client ran both mixes through the milter sockets" drive
check "mx1.jsonl holds $MX1_WANT records, mx2.jsonl $MX2_WANT" audit_complete
check "the collector received every record in both formats" central_complete
check "traditional file: records, per-host records and verdicts exact" \
	report_matches "$TRAD"
check "RFC 5424 file: records, per-host records and verdicts exact" \
	report_matches "$R5424"
check "by_verdict and by_rule of both central files equal the audit files'" \
	totals_match
check "the whole summary from syslog equals that from the audit files" \
	summary_matches
check "--host mx1 gives mx1's records and only host mx1" host_filter
check "syslog headers name the forwarding hosts mx1 and mx2" headers_name_hosts
check "dotgate-report --html on the collected file" html_report
if command -v tidy >/dev/null; then
	check "the page is valid HTML5 (tidy -errors)" tidy -errors -q "$D/report.html"
else
	skip "the page is valid HTML5 (tidy -errors)" "tidy is not installed"
fi
check "the Hosts table of the page lists mx1 and mx2" html_hosts
check "every socket is on loopback" loopback_only
check "the dotgates and rsyslogds stop cleanly" stop_all
tap_done
