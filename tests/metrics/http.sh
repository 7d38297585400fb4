#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/metrics/http.sh: the metrics endpoint under hostile HTTP
# clients, and what it costs when it is off.
#   - config: a non-loopback listen without allow_remote, port 0 or
#     70000, a host name, a relative unix path are FILE:LINE errors (78);
#   - off: no TCP or unix listener and one thread fewer than on;
#   - the paths: /metrics 200 in text format 0.0.4, /healthz 200 "ok",
#     other paths 404, other methods 405, also over unix:/path;
#   - malformed request lines, binary junk and a 1 MB header block get an
#     error or a hang-up, never a 200, and do not grow the daemon;
#   - 500 idle connections: the milter keeps answering at once, the
#     daemon's descriptors stay bounded by the connection limit; 20
#     half-sent requests are dropped after the server's 10 s timeout;
#     and afterwards /metrics answers again with no descriptor kept.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"
HTTPFLOOD=$top_builddir/tests/metrics/httpflood

tap_plan 14
command -v curl >/dev/null || { echo "Bail out! curl missing"; exit 1; }
[ -x "$HTTPFLOOD" ] || { echo "Bail out! $HTTPFLOOD not built"; exit 1; }
ld_init
MPORT=$(free_port) || { echo "Bail out! no free port"; exit 1; }
URL=http://127.0.0.1:$MPORT


# conf_error LISTEN [EXTRA]: dotgate -n refuses it with 78 at FILE:2.
conf_error() {
	printf 'metrics {\n  listen = "%s"\n%s}\n' "$1" "${2:-}" > "$LD_DIR/m.conf"
	"$DOTGATE" -n -c "$LD_DIR/m.conf" > "$LD_DIR/n.out" 2>&1
	_rc=$?
	[ $_rc = 78 ] && grep -q "^$LD_DIR/m.conf:2: listen: " "$LD_DIR/n.out" ||
		{ echo "# $1: exit $_rc: $(cat "$LD_DIR/n.out")"; return 1; }
}

conf_errors() {
	conf_error 192.0.2.1:9367 && conf_error 127.0.0.1:0 &&
	conf_error 127.0.0.1:70000 && conf_error localhost:9367 &&
	conf_error unix:rel/m.sock && conf_error 127.0.0.1: &&
	printf 'metrics {\n  listen = "192.0.2.1:9367"\n  allow_remote = true\n}\n' \
		> "$LD_DIR/m.conf" && "$DOTGATE" -n -c "$LD_DIR/m.conf"
}

threads() { awk '$1 == "Threads:" { print $2 }' "/proc/$LD_PID/status"; }

# Sockets the daemon listens on besides the milter socket.
listeners() {
	ss -Hlpn 2>/dev/null | grep "pid=$LD_PID," | grep -v -F "$LD_SOCK" | wc -l
}

# code [CURL ARGS]: the HTTP status curl got, 000 when none.
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }

paths() {
	_ct=$(curl -s -o /dev/null -w '%{content_type}' "$URL/metrics")
	[ "$_ct" = "text/plain; version=0.0.4; charset=utf-8" ] ||
		{ echo "# content type $_ct"; return 1; }
	[ "$(curl -s "$URL/healthz")" = ok ] &&
	[ "$(code "$URL/metrics")" = 200 ] && [ "$(code "$URL/healthz")" = 200 ] &&
	[ "$(code "$URL/")" = 404 ] && [ "$(code "$URL/metrics/x")" = 404 ] &&
	[ "$(code "$URL/../etc/passwd" --path-as-is)" = 404 ] &&
	[ "$(code -X POST -d x=1 "$URL/metrics")" = 405 ] &&
	[ "$(code -X DELETE "$URL/healthz")" = 405 ] &&
	[ "$(code -X PUT -d x "$URL/metrics")" = 405 ]
}

# junk NAME BYTES: sends BYTES (printf format) raw; no 200 comes back.
junk() {
	printf "$2" > "$LD_DIR/junk.$1"
	_st=$("$HTTPFLOOD" 127.0.0.1 "$MPORT" send "$LD_DIR/junk.$1")
	echo "# $1: $_st"
	case $_st in
	*" 200 "*|"") return 1 ;;
	esac
}

malformed() {
	junk garbage 'GARBAGE\r\n\r\n' && junk no-path 'GET\r\n\r\n' &&
	junk version 'GET /metrics HTTP/9.9\r\n\r\n' &&
	junk no-crlf 'GET /metrics HTTP/1.1' &&
	junk binary '\001\002\377\376\000\000GET / HTTP/1.1\r\n\r\n' &&
	junk header 'GET /metrics HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n' &&
	junk absolute 'GET http://192.0.2.1/metrics HTTP/1.1\r\n\r\n' &&
	junk nul-path 'GET /met\000rics HTTP/1.1\r\nHost: x\r\n\r\n'
}

big_header() {
	{
		printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: '
		head -c 1048576 /dev/zero | tr '\0' a
		printf '\r\n\r\n'
	} > "$LD_DIR/junk.big"
	_st=$("$HTTPFLOOD" 127.0.0.1 "$MPORT" send "$LD_DIR/junk.big")
	echo "# 1 MB header: $_st"
	case $_st in *" 200 "*|"") return 1 ;; esac
}

# The milter answers 200 transactions within 10 s while the flood holds.
milter_answers() {
	"$MLTLOAD" -s "unix:$LD_SOCK" -c 4 -m 50 -q -t 10000 --tag f
}

ld_conf "$LD_DIR/off.conf"
ld_conf "$LD_DIR/on.conf" "metrics {
  listen = \"127.0.0.1:$MPORT\"
}"
check "-n: bad metrics.listen values are FILE:LINE errors (78)" conf_errors

ld_start "$LD_DIR/off.conf" && ld_alive
off_threads=$(threads)
check "metrics off: nothing but the milter socket listens" \
	test "$(listeners)" = 0 -a "$(code "$URL/metrics")" = 000
ld_stop

ld_start "$LD_DIR/on.conf" && ld_alive
on_threads=$(threads)
echo "# threads: $off_threads with metrics off, $on_threads on"
check "metrics on: one listener, one thread more than off" \
	test "$(listeners)" = 1 -a "$on_threads" = $((off_threads + 1))
check "GET /metrics and /healthz 200, other paths 404, other methods 405" paths
curl -s "$URL/metrics" > /dev/null
fd0=$(ld_fds)
rss0=$(ld_rss)
check "malformed requests get an error or a hang-up, never 200" malformed
check "a 1 MB header block is refused" big_header
rss1=$(ld_rss)
echo "# RSS $rss0 kB before the hostile requests, $rss1 kB after"
check "the hostile requests did not grow the daemon by 1 MB" \
	[ $((rss1 - rss0)) -lt 1024 ]

# Phase 1: 500 connections that never send a byte fill the 32 slots and
# the listen backlog; the milter must not notice.
"$HTTPFLOOD" 127.0.0.1 "$MPORT" idle 500 6 > "$LD_DIR/idle.out" &
p_idle=$!
LD_EXTRA_PIDS=$p_idle
sleep 2
check "the milter answers during 500 stalled HTTP connections" milter_answers
fd_flood=$(ld_fds)
echo "# descriptors: $fd0 before the flood, $fd_flood during it"
check "descriptors during the flood bounded by the 32-connection limit" \
	[ "$fd_flood" -le $((fd0 + 40)) ]
wait "$p_idle"
echo "# 500 idle: $(cat "$LD_DIR/idle.out")"
# Phase 2: 20 requests stopped after their first header line (slowloris)
# are dropped by the server's 10 s timeout, not held for ever.
"$HTTPFLOOD" 127.0.0.1 "$MPORT" idle 20 13 'GET /metrics HTTP/1.1\r\nHost: x\r\n' \
	> "$LD_DIR/partial.out"
LD_EXTRA_PIDS=
echo "# 20 half-sent: $(cat "$LD_DIR/partial.out")"
check "the server timed out all 20 half-sent requests" \
	grep -q '^opened 20 refused 0 pending 0 closed 20$' "$LD_DIR/partial.out"
check "after the flood /metrics answers 200 again" \
	[ "$(code "$URL/metrics")" = 200 ]
check "no descriptor kept after the flood" [ "$(ld_settle_fds "$fd0")" -le "$fd0" ]

# The unix: form, and the daemon after all this.
ld_stop
ld_conf "$LD_DIR/unix.conf" "metrics {
  listen = \"unix:$LD_DIR/metrics.sock\"
}"
ld_start "$LD_DIR/unix.conf"
check "unix:/path: /metrics over the unix socket" \
	[ "$(code --unix-socket "$LD_DIR/metrics.sock" http://localhost/metrics)" = 200 ]
check "the daemon is alive and its output clean" eval 'ld_alive && ld_output_clean'
tap_done
