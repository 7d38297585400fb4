#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# daemon.sh: the dotgate command line and process behaviour of dotgate(8)
# (OPTIONS, EXIT STATUS, SIGNALS, STARTUP), driven through the real
# binary: -n and its exit codes and
# FILE:LINE messages, a live socket refused with 69, a stale one
# replaced, -u/-P/socket_mode/socket_group, daemonizing, port ranges and
# bare-path sockets, SIGHUP and SIGUSR1 reloads that keep the old policy
# when the new file is broken (a burst of SIGHUPs does not stop the
# milter, as libmilter alone would), and SIGUSR2, which reopens the
# audit file without reading the configuration.  Prints TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DOTGATE:=$top_srcdir/filter/dotgate/dotgate}"
: "${MILTERTEST:=miltertest}"
: "${top_builddir:=$top_srcdir}"
MLTLOAD=$top_builddir/tests/bench/mltload
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-daemon.XXXXXX")
chmod 755 "$tmp"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	sleep 0.2
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/proc.sh"

conf() {	# conf NAME TEXT: writes $tmp/NAME.conf (mode 0644)
	printf '%s\n' "$2" > "$tmp/$1.conf"
	chmod 644 "$tmp/$1.conf"
}
# serve CONF SOCKET ERRFILE [ARGS]: dotgate -f on SOCKET (unix:PATH or a
# bare PATH), stderr to ERRFILE; $spid is its pid.  Waits for the socket.
serve() {
	_conf=$1 _sock=$2 _err=$3
	shift 3
	"$DOTGATE" -f -c "$_conf" -p "$_sock" "$@" 2>"$_err" &
	spid=$!
	pids="$pids $spid"
	wait_socket "${_sock#unix:}" "$spid" 5
}
mail_reply() {	# mail_reply SOCKET: prints the MAIL FROM reply of 192.0.2.10
	"$MILTERTEST" -D "socket=unix:$1" -s "$top_srcdir/tests/daemon/mail.lua" 2>&1 |
		sed -n 's/^reply=//p'
}

tap_plan 46

# --- -n -------------------------------------------------------------
"$DOTGATE" -n -c "$top_srcdir/conf/dotgate.conf" >"$tmp/out" 2>&1
check_sh "-n accepts the shipped sample configuration" '[ $? = 0 ] && [ ! -s "$tmp/out" ]'

conf bad 'mode = enforce
bogus = 1
auth {
  reply_unauthenticated = "530 4.7.0 x"
  exempt_networks = {"10.0.0.0/33"}
}
senders {
  login_map = "/nonexistent/map"
}
user "a@x" { senders = {"a@x"} }
user "a@x" { senders = {"b@x"} }'
"$DOTGATE" -n -c "$tmp/bad.conf" >"$tmp/out" 2>&1
rc=$?
check_sh "-n exits 78 on a bad configuration" '[ $rc = 78 ]'
check_sh "-n names the unknown key with FILE:LINE" 'grep -q "^$tmp/bad.conf:2: .*bogus" "$tmp/out"'
check_sh "-n names the mismatched reply class" 'grep -q "^$tmp/bad.conf:4: .*class" "$tmp/out"'
check_sh "-n names the bad network" 'grep -q "^$tmp/bad.conf:5: .*10.0.0.0/33" "$tmp/out"'
check_sh "-n names the unreadable map and its path" 'grep -q "^$tmp/bad.conf:8: .*/nonexistent/map" "$tmp/out"'
check_sh "-n names the duplicate user block" 'grep -q "^$tmp/bad.conf:11: .*duplicate" "$tmp/out"'

mkdir "$tmp/mapdir"
conf mapdir "senders {
  login_map = \"$tmp/mapdir\"
}"
"$DOTGATE" -n -c "$tmp/mapdir.conf" >"$tmp/out" 2>&1
rc=$?
check_sh "-n on a login_map that is a directory exits 78 with FILE:LINE and the path" \
	'[ $rc = 78 ] && grep -q "^$tmp/mapdir.conf:2: login_map: $tmp/mapdir is a directory" "$tmp/out"'

conf port 'mode = enforce
socket = "inet:99999@127.0.0.1"'
"$DOTGATE" -n -c "$tmp/port.conf" >"$tmp/out" 2>&1
rc=$?
check_sh "-n refuses port 99999 with FILE:LINE (ports are 1 to 65535)" \
	'[ $rc = 78 ] && grep -q "^$tmp/port.conf:2: socket: .*99999.*PORT 1 to 65535" "$tmp/out"'
"$DOTGATE" -n -c "$top_srcdir/conf/dotgate.conf" -p "inet6:0@[::1]" >"$tmp/out" 2>&1
check_sh "-p with port 0 is a usage error (64)" '[ $? = 64 ] && grep -q "PORT 1 to 65535" "$tmp/out"'
conf nogroup 'socket_group = "no-such-group-dg"'
"$DOTGATE" -n -c "$tmp/nogroup.conf" >"$tmp/out" 2>&1
check_sh "-n names a socket_group that does not exist" \
	'[ $? = 78 ] && grep -q "^$tmp/nogroup.conf:1: socket_group: no group" "$tmp/out"'

# -d: the effective configuration, defaults included, loadable again.
conf dumped 'mode = monitor
user "a\"b@x" { senders = {"a@x", "*@y"} }'
"$DOTGATE" -d -c "$tmp/dumped.conf" >"$tmp/dump1.conf" 2>"$tmp/out"
rc=$?
check_sh "-d prints every key with its value, defaults included" \
	'[ $rc = 0 ] && ! [ -s "$tmp/out" ] && grep -qx "mode = \"monitor\"" "$tmp/dump1.conf" &&
	 grep -qx "  max_line_length = \"998\"" "$tmp/dump1.conf" && grep -qx "host = \"\"" "$tmp/dump1.conf" &&
	 grep -qx "user \"a\\\\\"b@x\" {" "$tmp/dump1.conf" && grep -qx "  senders = {\"a@x\", \"\*@y\"}" "$tmp/dump1.conf"'
chmod 644 "$tmp/dump1.conf"
"$DOTGATE" -d -c "$tmp/dump1.conf" >"$tmp/dump2.conf" 2>"$tmp/out"
check_sh "the dump is a valid configuration that dumps to itself" \
	'[ $? = 0 ] && cmp -s "$tmp/dump1.conf" "$tmp/dump2.conf"'
"$DOTGATE" -d -c "$tmp/bad.conf" >"$tmp/dump3.conf" 2>"$tmp/out"
check_sh "-d on a bad file: 78, the errors, no dump" \
	'[ $? = 78 ] && grep -q "bad.conf:2: .*bogus" "$tmp/out" && ! [ -s "$tmp/dump3.conf" ]'

"$DOTGATE" -n -c "$tmp/missing.conf" >/dev/null 2>&1
check_sh "a missing -c file exits 78" '[ $? = 78 ]'
"$DOTGATE" -Z >/dev/null 2>&1
check_sh "an unknown option exits 64" '[ $? = 64 ]'
"$DOTGATE" -h >"$tmp/out" 2>/dev/null
check_sh "-h prints usage on stdout and exits 0" '[ $? = 0 ] && grep -q "^usage: dotgate" "$tmp/out"'
"$DOTGATE" -V >"$tmp/out" 2>&1
check_sh "-V names dotgate, libmilter, libsasl2 and libconfuse" \
	'grep -q "^dotgate [0-9]" "$tmp/out" && grep -q libmilter "$tmp/out" && grep -q libsasl2 "$tmp/out" && grep -q libconfuse "$tmp/out"'
# dotgate-probe says its version too, the same as the daemon's and its page's.
ver=$(sed -n 's/^dotgate \([0-9][^ ]*\).*/\1/p' "$tmp/out" | head -1)
probe=${top_builddir:-$top_srcdir}/filter/probe/dotgate-probe
check_sh "dotgate-probe -V and --version print dotgate-probe $ver; its man page names it" \
	'[ "$("$probe" -V)" = "dotgate-probe $ver" ] && [ "$("$probe" --version)" = "dotgate-probe $ver" ] &&
	 grep -q "^\.TH DOTGATE\\\\-PROBE 1 \"[0-9-]*\" \"dotgate $ver\"" "$top_srcdir/filter/man/dotgate-probe.1"'

# --- sockets ----------------------------------------------------------
conf strict 'auth { exempt_networks = {} }
audit { syslog = false }'
sock=$tmp/a.sock
serve "$tmp/strict.conf" "unix:$sock" "$tmp/a.err" -P "$tmp/a.pid"
first=$spid
check_sh "the daemon serves on a unix socket (530 path: REJECT)" '[ "$(mail_reply "$sock")" = REJECT ]'
check_sh "-P writes the pid file" '[ "$(cat "$tmp/a.pid" 2>/dev/null)" = "$first" ]'
"$DOTGATE" -f -c "$tmp/strict.conf" -p "unix:$sock" 2>"$tmp/b.err"
rc=$?
check_sh "a second daemon on a live socket exits 69" '[ $rc = 69 ] && grep -q "in use" "$tmp/b.err"'
check_sh "the first daemon keeps serving" '[ "$(mail_reply "$sock")" = REJECT ]'

# A bare absolute path is a unix socket, as libmilter and clamav-milter take it.
serve "$tmp/strict.conf" "$tmp/bare.sock" "$tmp/bare.err"
check_sh "-p /path (no unix: prefix) serves on that unix socket" \
	'[ "$(mail_reply "$tmp/bare.sock")" = REJECT ]'

# --- reload -----------------------------------------------------------
cp "$tmp/strict.conf" "$tmp/live.conf"
serve "$tmp/live.conf" "unix:$tmp/r.sock" "$tmp/r.err"
rpid=$spid
printf 'mode = monitor\nauth { exempt_networks = {"not-a-net"} }\n' > "$tmp/live.conf"
kill -USR1 "$rpid"
sleep 0.5
check_sh "a broken reload logs FILE:LINE errors" 'grep -q "live.conf:2: .*not-a-net" "$tmp/r.err" && grep -q "keeping the running policy" "$tmp/r.err"'
check_sh "a broken reload keeps the old policy" '[ "$(mail_reply "$tmp/r.sock")" = REJECT ]'
printf 'mode = monitor\nauth { exempt_networks = {} }\naudit { syslog = false }\n' > "$tmp/live.conf"
kill -USR1 "$rpid"
sleep 0.5
check_sh "a good reload logs reloaded" 'grep -q "reloaded" "$tmp/r.err"'
check_sh "a good reload applies the new policy (monitor: CONTINUE)" '[ "$(mail_reply "$tmp/r.sock")" = CONTINUE ]'

# SIGHUP reloads too, and a burst of them is no stop: libmilter's own
# signal thread would stop the milter on the first (after its 5 s poll).
printf 'auth { exempt_networks = {} }\naudit { syslog = false }\n' > "$tmp/live.conf"
kill -HUP "$rpid"
sleep 0.5
check_sh "SIGHUP reloads (enforce again: REJECT)" \
	'[ "$(grep -c "reloaded" "$tmp/r.err")" = 2 ] && [ "$(mail_reply "$tmp/r.sock")" = REJECT ]'
i=0
while [ $i -lt 100 ]; do kill -HUP "$rpid"; i=$((i + 1)); done
sleep 6
check_sh "after 100 SIGHUPs and 6 s the daemon still serves" \
	'kill -0 "$rpid" && [ "$(mail_reply "$tmp/r.sock")" = REJECT ] && ! grep -q "stopping" "$tmp/r.err"'
check_sh "a burst of SIGHUPs makes a few reloads, not one each" \
	'[ "$(grep -c "reloaded" "$tmp/r.err")" -lt 60 ]'

# --- audit file reopened on SIGUSR1 (logrotate) ----------------------------
printf 'auth { exempt_networks = {} }\naudit { syslog = false\n file = "%s" }\n' "$tmp/audit.jsonl" > "$tmp/live.conf"
kill -USR1 "$rpid"
sleep 0.5
mail_reply "$tmp/r.sock" >/dev/null
check_sh "an unauthenticated MAIL writes one record to the audit file" \
	'[ "$(grep -c "\"rule\":\"auth.unauthenticated\"" "$tmp/audit.jsonl" 2>/dev/null)" = 1 ]'
mv "$tmp/audit.jsonl" "$tmp/audit.jsonl.1"
kill -USR1 "$rpid"
sleep 0.5
mail_reply "$tmp/r.sock" >/dev/null
check_sh "after rename and SIGUSR1 records go to a new file" \
	'[ "$(wc -l < "$tmp/audit.jsonl" 2>/dev/null)" = 1 ] && [ "$(wc -l < "$tmp/audit.jsonl.1")" = 1 ]'

# SIGUSR2 (logrotate) reopens the file and leaves the policy alone: the
# file on disk now says monitor, with an error, and neither is read.
reloads=$(grep -c "reloaded" "$tmp/r.err")
mv "$tmp/live.conf" "$tmp/live.conf.good"
printf 'mode = monitor\nbogus = 1\n' > "$tmp/live.conf"
mv "$tmp/audit.jsonl" "$tmp/audit.jsonl.2"
kill -USR2 "$rpid"
sleep 0.5
mail_reply "$tmp/r.sock" > "$tmp/usr2.reply"
check_sh "SIGUSR2 reopens the audit file: the next record is in a new file" \
	'grep -q "reopened the audit sinks" "$tmp/r.err" && [ "$(wc -l < "$tmp/audit.jsonl" 2>/dev/null)" = 1 ] && [ "$(wc -l < "$tmp/audit.jsonl.2")" = 1 ]'
check_sh "SIGUSR2 does not read the configuration (no reload, no error, still enforce)" \
	'[ "$(grep -c "reloaded" "$tmp/r.err")" = "$reloads" ] && ! grep -q "bogus" "$tmp/r.err" && [ "$(cat "$tmp/usr2.reply")" = REJECT ]'
mv "$tmp/live.conf.good" "$tmp/live.conf"

# --- stale socket -----------------------------------------------------
kill -9 "$first"
wait "$first" 2>/dev/null
check_sh "a killed daemon leaves its socket file behind" '[ -S "$sock" ]'
"$DOTGATE" -f -c "$tmp/strict.conf" -p "unix:$sock" 2>"$tmp/c.err" &
pids="$pids $!"
sleep 0.5
check_sh "a restart replaces the stale socket and serves" '[ "$(mail_reply "$sock")" = REJECT ]'

# --- daemonizing --------------------------------------------------------
"$DOTGATE" -c "$tmp/strict.conf" -p "unix:$tmp/d.sock" -P "$tmp/d.pid"
rc=$?
wait_socket "$tmp/d.sock" "" 5
dpid=$(cat "$tmp/d.pid" 2>/dev/null)
pids="$pids $dpid"
check_sh "without -f the daemon detaches and writes its pid" '[ $rc = 0 ] && [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null && [ "$(mail_reply "$tmp/d.sock")" = REJECT ]'

# --- stopping (dotgate(8), SIGNALS) -------------------------------------
# libmilter alone takes up to 5 s to see a stop (its listener's select);
# dotgate wakes it.  Under load, the transactions in flight end with
# their records (for up to 5 s), so nothing answered goes unrecorded.
conf load "auth {
  exempt_networks = {}
}
senders {
  unlisted = allow
}
audit {
  syslog = false
  file = \"$tmp/load.jsonl\"
}"
ms_now() { date +%s%N | cut -c1-13; }
# A stopped libmilter leaves its socket file: removed first, so that
# serve waits for this daemon's.
for sig in TERM INT; do
	rm -f "$tmp/l.sock"
	serve "$tmp/load.conf" "unix:$tmp/l.sock" "$tmp/l.err"
	t0=$(ms_now); kill -"$sig" "$spid"; wait "$spid"; rc=$?; t1=$(ms_now)
	check_sh "SIG$sig stops an idle daemon in under 1 s (exit $rc, $((t1 - t0)) ms)" \
		'[ $rc = 0 ] && [ $((t1 - t0)) -lt 1000 ] && grep -q "stopping on signal" "$tmp/l.err"'
done
for sig in TERM INT; do
	rm -f "$tmp/load.jsonl" "$tmp/l.log" "$tmp/l.sock"
	serve "$tmp/load.conf" "unix:$tmp/l.sock" "$tmp/l.$sig.err"
	"$MLTLOAD" -s "unix:$tmp/l.sock" -c 4 -m 100000 -T 3 -a alice --tls \
		-l "$tmp/l.log" -q >/dev/null 2>&1 &
	mpid=$!
	sleep 1
	t0=$(ms_now); kill -"$sig" "$spid"; wait "$spid"; rc=$?; t1=$(ms_now)
	wait "$mpid"
	# By key (the sender mltload used): a record may also exist for a
	# transaction whose answer the stop cut off (written, then the
	# process ended before libmilter sent the reply; the MTA retries),
	# but no answered transaction may lack one.
	awk '$2 == "eom" { print $1 }' "$tmp/l.log" | sort > "$tmp/answered"
	grep -o '"from":"[^"@]*' "$tmp/load.jsonl" | cut -d'"' -f4 | sort > "$tmp/recorded"
	answered=$(wc -l < "$tmp/answered")
	missing=$(comm -23 "$tmp/answered" "$tmp/recorded" | wc -l)
	extra=$(comm -13 "$tmp/answered" "$tmp/recorded" | wc -l)
	echo "# SIG$sig under load (4 connections): stopped in $((t1 - t0)) ms, $answered transactions answered, $missing of them without a record, $extra records of transactions whose answer was cut off"
	check_sh "SIG$sig under load: exit 0, every transaction answered has its record ($answered answered, $missing without)" \
		'[ $rc = 0 ] && [ "$answered" -gt 0 ] && [ "$missing" = 0 ]'
done
# (Whether the drain ended early depends on the load: mltload starts new
# transactions on its open connections until the process is gone.)
echo "# drain: $(cat "$tmp"/l.*.err | grep -c "in flight") of the two stops under load waited the full 5 s"
check_sh "a stopped daemon's socket refuses connections" \
	'! "$MLTLOAD" -s "unix:$tmp/l.sock" -c 1 -m 1 -q -t 1000 >/dev/null 2>&1'

# --- privileges ---------------------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	conf mode 'socket_mode = "0620"
audit { syslog = false }'
	# The socket is created after the drop: its directory must let nobody in.
	install -d -o nobody "$tmp/u"
	serve "$tmp/mode.conf" "unix:$tmp/u/u.sock" "$tmp/u.err" -u nobody
	upid=$spid
	check_sh "-u nobody: the socket is owned by nobody with socket_mode" \
		'[ "$(stat -c %U:%a "$tmp/u/u.sock")" = nobody:620 ]'
	check_sh "-u nobody: no root uid or gid is left" \
		'awk "/^(Uid|Gid):/ { for (i = 2; i <= 5; i++) if (\$i == 0) bad = 1 } END { exit bad }" /proc/$upid/status'
	# socket_group: nobody's own group is nogroup; give the socket another
	# that nobody is a member of, made for the test.
	grp=dgtest$$
	if groupadd "$grp" 2>/dev/null && usermod -a -G "$grp" nobody; then
		conf group "socket_mode = \"0660\"
socket_group = \"$grp\"
audit { syslog = false }"
		serve "$tmp/group.conf" "unix:$tmp/u/g.sock" "$tmp/g.err" -u nobody
		gpid=$spid
		check_sh "socket_group: the socket's group is $grp, mode 660" \
			'[ "$(stat -c %U:%G:%a "$tmp/u/g.sock")" = "nobody:$grp:660" ]'
		kill "$gpid"; wait "$gpid" 2>/dev/null
		gpasswd -d nobody "$grp" >/dev/null 2>&1; groupdel "$grp"
	else
		not_ok "socket_group: cannot make the test group $grp"
	fi
else
	skip "socket_group: the socket's group" "needs root"
	skip "-u nobody: the socket is owned by nobody with socket_mode" "needs root"
	skip "-u nobody: no root uid or gid is left" "needs root"
fi
tap_done
