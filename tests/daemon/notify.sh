#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# notify.sh: Type=notify, so that the unit's Before=postfix.service really
# waits for the milter socket.  notifywait plays systemd's part (the
# NOTIFY_SOCKET datagram socket), which works where systemd is not PID 1:
# dotgate must say READY=1 once, when its socket exists, RELOADING=1 and
# READY=1 around each reload (a failed one too), STOPPING=1 on SIGTERM;
# and nothing breaks without NOTIFY_SOCKET.  Prints TAP.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DOTGATE:=$top_builddir/filter/dotgate/dotgate}"
nw=$top_builddir/tests/daemon/notifywait
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-notify.XXXXXX")
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT INT TERM
. "$top_srcdir/tests/lib/tap.sh"
# check_notes NAME EXPR: check_sh, and notifywait's notes when it fails.
check_notes() {
	check_sh "$1" "$2" || return 0
	[ "$TAP_FAILED" = "$_notify_failed" ] ||
		sed 's/^/# /' "$tmp/notes" 2>/dev/null
	_notify_failed=$TAP_FAILED
}
_notify_failed=0
wait_for() {	# wait_for PATTERN FILE
	i=0
	while ! grep -q "$1" "$2" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
}

tap_plan 6
printf 'auth { exempt_networks = {} }\naudit { syslog = false }\n' > "$tmp/c.conf"
chmod 644 "$tmp/c.conf"
"$nw" "$tmp/notify" "$tmp/milter.sock" > "$tmp/notes" 2>&1 &
pids="$pids $!"
sleep 0.2	# notifywait binds its socket
NOTIFY_SOCKET=$tmp/notify "$DOTGATE" -f -c "$tmp/c.conf" -p "unix:$tmp/milter.sock" 2>"$tmp/err" &
dpid=$!
pids="$pids $dpid"
wait_for READY=1 "$tmp/notes"
check_notes "READY=1 once the milter socket exists" \
	'grep -q "^READY=1 STATUS=serving socket=yes$" "$tmp/notes" && [ "$(grep -c READY=1 "$tmp/notes")" = 1 ]'
kill -HUP "$dpid"
wait_for "reloaded" "$tmp/err"; sleep 0.2
check_notes "a reload says RELOADING=1, then READY=1" \
	'[ "$(sed -n 2p "$tmp/notes")" = "RELOADING=1 socket=yes" ] && [ "$(sed -n 3p "$tmp/notes")" = "READY=1 socket=yes" ]'
printf 'bogus = 1\n' > "$tmp/c.conf"
kill -USR1 "$dpid"
wait_for "keeping the running" "$tmp/err"; sleep 0.2
check_notes "a failed reload is READY=1 again (the old policy serves)" \
	'[ "$(sed -n 5p "$tmp/notes")" = "READY=1 socket=yes" ]'
kill -TERM "$dpid"
wait "$dpid"
rc=$?
check_notes "SIGTERM: STOPPING=1, exit 0" '[ $rc = 0 ] && grep -q "^STOPPING=1" "$tmp/notes"'
check_notes "no sd_notify warning in the log" '! grep -q sd_notify "$tmp/err"'

printf 'auth { exempt_networks = {} }\naudit { syslog = false }\n' > "$tmp/c.conf"
"$DOTGATE" -f -c "$tmp/c.conf" -p "unix:$tmp/plain.sock" 2>"$tmp/err2" &
ppid=$!
pids="$pids $ppid"
i=0; while [ ! -S "$tmp/plain.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$ppid"; wait "$ppid"
rc=$?
check_notes "without NOTIFY_SOCKET (not under systemd) it runs as before" \
	'[ $rc = 0 ] && [ -n "$(grep starting "$tmp/err2")" ] && ! grep -q sd_notify "$tmp/err2"'
tap_done
