#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# socketmap.sh: login maps served by another process, through the milter
# socket.  A site whose smtpd_sender_login_maps are mysql:/ldap: tables
# serves them over Postfix's socketmap or tcp_table protocol; dotgate
# must then give exactly the 250/553 it gives with the same map as a
# file, cache per connection, and fail safe: a server that is down,
# slow or answering TEMP gives a 451 (on_error = tempfail) within the
# lookup timeout, or lets the mail through with on_error = accept.
# mapd (tests/daemon/mapd.c) is the server; the protocol load client
# drives each case.  Prints TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"
MAPD=$top_builddir/tests/daemon/mapd
[ -x "$MAPD" ] || { echo "Bail out! $MAPD not built"; exit 1; }

tap_plan 17
ld_init
MAP=$LD_DIR/senders.map
printf '# the site table\n@load.test  carol@example.test\nud0x1@load.test  dave@example.test, carol@example.test\n' > "$MAP"
PORT=$(free_port) && MPORT=$(free_port "$PORT") ||
	{ echo "Bail out! no free port"; exit 1; }
MAPD_PID=

# mapd_start PROTO WHERE [ARGS]: the server, its log of lookups emptied.
mapd_start() {
	: > "$LD_DIR/lookups"
	"$MAPD" -p "$1" -l "$2" -f "$MAP" -n senders -L "$LD_DIR/lookups" "$@" \
		2>>"$LD_DIR/mapd.out" &
	MAPD_PID=$!
	LD_EXTRA_PIDS=$MAPD_PID
	_i=0
	case $2 in
	unix:*) while [ ! -S "${2#unix:}" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done ;;
	*) while [ -z "$(ss -Hltn "sport = :$PORT")" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done ;;
	esac
}
mapd_stop() { [ -n "$MAPD_PID" ] && kill "$MAPD_PID" && wait "$MAPD_PID" 2>/dev/null; MAPD_PID=; LD_EXTRA_PIDS=; }

# run NAME LOGIN_MAP [EXTRA]: dotgate with that map; carol sends 4 on
# one connection, dave 3 on another (only ud0x1@ is his); the records,
# reduced to what the client saw, into NAME.out; the lookup counters
# of the metrics endpoint, "found notfound error", into NAME.metrics.
run() {
	: > "$LD_AUDIT"
	ld_conf "$LD_DIR/$1.conf" "senders {
  login_map = \"$2\"
  lookup_timeout = 1
}
metrics {
  listen = \"127.0.0.1:$MPORT\"
}
${3:-}"
	ld_start "$LD_DIR/$1.conf" || return 1
	_c="-s unix:$LD_SOCK -k 0 -t 20000 -q -C 192.0.2.25 --tls"
	"$MLTLOAD" $_c -c 1 -m 4 -a carol@example.test --tag c >/dev/null
	"$MLTLOAD" $_c -c 1 -m 3 -a dave@example.test --tag d >/dev/null
	sleep 0.3
	for _r in found notfound error; do
		curl -s "http://127.0.0.1:$MPORT/metrics" |
			sed -n "s/^dotgate_login_map_lookups_total{result=\"$_r\"} //p"
	done | tr '\n' ' ' > "$LD_DIR/$1.metrics"
	echo "# $1: login map lookups found/notfound/error: $(cat "$LD_DIR/$1.metrics")"
	ld_stop
	jq -c '[.from, .stage, .verdict, .rule, (.reply // "" | .[0:9])]' "$LD_AUDIT" |
		sort > "$LD_DIR/$1.out"
	sed 's/^/# /' "$LD_DIR/$1.out"
}

run file "$MAP"
check "the file map: carol's 4 and dave's ud0x1 accepted, his other 2 refused with 553" \
	[ "$(grep -c '"eom","accept","pass"' "$LD_DIR/file.out") $(grep -c '"mail","reject","sender.not_owned","553 5.7.1"' "$LD_DIR/file.out")" = "5 2" ]

mapd_start socketmap "unix:$LD_DIR/map.sock"
run sockunix "socketmap:unix:$LD_DIR/map.sock:senders"
check "socketmap:unix: the same records as the file map" cmp -s "$LD_DIR/file.out" "$LD_DIR/sockunix.out"
# Per message the whole address and "local@" miss (ud0x1@load.test is
# found at once); "@load.test" is asked once per connection, then
# cached: 4 x 2 + 1 for carol, 2 + 1 + 2 + 1 for dave.
check "socketmap: @load.test looked up once per connection (cache), 15 lookups for 7 messages" \
	[ "$(grep -cx '@load.test' "$LD_DIR/lookups") $(wc -l < "$LD_DIR/lookups")" = "2 15" ]
check "metrics: the 15 questions by answer, 3 found, 12 not found, none failed" \
	[ "$(cat "$LD_DIR/sockunix.metrics")" = "3 12 0 " ]
mapd_stop

mapd_start socketmap "inet:127.0.0.1:$PORT"
run sockinet "socketmap:inet:127.0.0.1:$PORT:senders"
check "socketmap:inet: the same records as the file map" cmp -s "$LD_DIR/file.out" "$LD_DIR/sockinet.out"
mapd_stop

mapd_start tcp "inet:127.0.0.1:$PORT"
run tcp "tcp:127.0.0.1:$PORT"
check "tcp: (tcp_table) the same records as the file map" cmp -s "$LD_DIR/file.out" "$LD_DIR/tcp.out"
mapd_stop

# A server that hangs up after every reply: dotgate connects again.
mapd_start socketmap "unix:$LD_DIR/map.sock" -1
run hangup "socketmap:unix:$LD_DIR/map.sock:senders"
check "a server that closes after each reply: the same records, every lookup answered" \
	eval 'cmp -s "$LD_DIR/file.out" "$LD_DIR/hangup.out" && [ "$(wc -l < "$LD_DIR/lookups")" = 15 ]'
mapd_stop

# A wrong socketmap name is the server's PERM: an error, not "not found".
mapd_start socketmap "unix:$LD_DIR/map.sock"
run wrongname "socketmap:unix:$LD_DIR/map.sock:other"
check "a map name the server does not serve: 451 4.3.0 for all 7, nothing accepted" \
	[ "$(grep -c '"mail","tempfail","sender.not_owned","451 4.3.0"' "$LD_DIR/wrongname.out")" = 7 ]
check "... and the daemon logs why (the server's PERM reply)" \
	grep -q 'login map lookup failed: socketmap:unix:.*lookup: PERM no map named so' "$LD_DIR/daemon.out"
mapd_stop

run down "socketmap:unix:$LD_DIR/map.sock:senders"
check "server down, on_error = tempfail: every sender check is a 451, no mail lost or accepted" \
	[ "$(grep -c '"mail","tempfail","sender.not_owned","451 4.3.0"' "$LD_DIR/down.out")" = 7 ]
check "metrics: server down, each of the 7 MAIL FROMs counts one failed lookup" \
	[ "$(cat "$LD_DIR/down.metrics")" = "0 0 7 " ]
run down_accept "socketmap:unix:$LD_DIR/map.sock:senders" 'on_error = accept'
check "server down, on_error = accept: all 7 accepted" \
	[ "$(grep -c '"eom","accept","pass"' "$LD_DIR/down_accept.out")" = 7 ]

mapd_start tcp "inet:127.0.0.1:$PORT" -t
run temp "tcp:127.0.0.1:$PORT"
check "tcp 400 (temporary) replies: 451 for all 7" \
	[ "$(grep -c '"mail","tempfail"' "$LD_DIR/temp.out")" = 7 ]
mapd_stop

# A slow server: each lookup waits 3 s, the timeout is 1 s.
mapd_start socketmap "unix:$LD_DIR/map.sock" -d 3000
: > "$LD_AUDIT"
ld_conf "$LD_DIR/slow.conf" "senders {
  login_map = \"socketmap:unix:$LD_DIR/map.sock:senders\"
  lookup_timeout = 1
}"
ld_start "$LD_DIR/slow.conf"
t0=$(date +%s%N)
"$MLTLOAD" -s "unix:$LD_SOCK" -k 0 -t 20000 -q -C 192.0.2.25 --tls -c 1 -m 2 \
	-a carol@example.test --tag c >/dev/null
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# 2 messages against a 3 s server with a 1 s timeout: $ms ms"
check "a slow server: each MAIL answered 451 after the 1 s timeout, not the server's 3 s" \
	[ "$(jq -r .verdict "$LD_AUDIT" | sort | uniq -c | tr -s ' ')" = " 2 tempfail" ] && [ "$ms" -lt 4500 ]
ld_stop
mapd_stop

# Config errors name the line.
printf 'senders {\n  login_map = "socketmap:unix:relative:senders"\n}\n' > "$LD_DIR/bad1.conf"
printf 'senders {\n  login_map = "tcp:127.0.0.1:99999"\n}\n' > "$LD_DIR/bad2.conf"
printf 'senders {\n  login_map = "tcp:127.0.0.1:25"\n  lookup_timeout = 0\n}\n' > "$LD_DIR/bad3.conf"
check "malformed socketmap: and tcp: specs and lookup_timeout = 0: exit 78 at FILE:LINE" sh -c "
	'$DOTGATE' -n -c '$LD_DIR/bad1.conf' 2>&1 | grep -q '^$LD_DIR/bad1.conf:2: login_map: socketmap:unix:relative:senders: expected' &&
	'$DOTGATE' -n -c '$LD_DIR/bad2.conf' 2>&1 | grep -q '^$LD_DIR/bad2.conf:2: login_map:' &&
	'$DOTGATE' -n -c '$LD_DIR/bad3.conf' 2>&1 | grep -q '^$LD_DIR/bad3.conf:3: lookup_timeout:' &&
	{ '$DOTGATE' -n -c '$LD_DIR/bad3.conf' >/dev/null 2>&1; [ \$? = 78 ]; }"
check "-d shows the map and its timeout" sh -c "
	'$DOTGATE' -d -c '$LD_DIR/slow.conf' | grep -qx '  login_map = \"socketmap:unix:$LD_DIR/map.sock:senders\"' &&
	'$DOTGATE' -d -c '$LD_DIR/slow.conf' | grep -qx '  lookup_timeout = \"1\"'"
check "every daemon line printable and dotgate's own; no lookup server left" eval \
	'ld_output_clean && ! pgrep -f "$LD_DIR/lookups" >/dev/null'
tap_done
