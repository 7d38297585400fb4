#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# run-lua.sh: runs one miltertest script against a freshly started dotgate.
# Used as LUA_LOG_COMPILER by "make check"; prints TAP (one test per script).
#
# The script's first lines may say which configuration to use:
#	-- conf: tests/milter/conf/default.conf
# In that file @TMPDIR@ becomes the test's private directory and @SRCDIR@
# the source tree.  The daemon listens on unix:$TMPDIR/sock and the script
# gets the globals socket, tmpdir, audit (the audit file path, always
# $TMPDIR/audit.jsonl), srcdir, dotgate_pid and sanitizers ("yes" in an
# --enable-sanitizers build).
#
# With LOGIN_MAP_SERVER=socketmap (or tcp) the configuration's file
# login_map is served instead by tests/daemon/mapd over that protocol,
# and login_map names the server: the same script must then give the
# same replies (tests/daemon/gate_maps.sh).
script=$1
name=$(basename "$script" .lua)
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${DOTGATE:=$top_srcdir/filter/dotgate/dotgate}"
: "${MILTERTEST:=miltertest}"

echo "1..1"
if ! command -v "$MILTERTEST" >/dev/null 2>&1; then
	echo "not ok 1 - $name # miltertest not installed (apt-get install miltertest)"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-lua.XXXXXX")
pid=
mapd=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "$mapd" ] && kill "$mapd" 2>/dev/null && wait "$mapd" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
chmod 755 "$tmp"

conf=$(sed -n 's/^-- conf: *//p' "$script" | head -n 1)
[ -n "$conf" ] || conf=tests/milter/conf/default.conf
sed -e "s|@TMPDIR@|$tmp|g" -e "s|@SRCDIR@|$top_srcdir|g" \
	"$top_srcdir/$conf" > "$tmp/dotgate.conf"
chmod 644 "$tmp/dotgate.conf"

# serve_login_map PROTO: mapd serves the file login_map of the
# configuration, which then names the server instead.
serve_login_map() {
	map=$(sed -n 's/^ *login_map *= *"\(.*\)"$/\1/p' "$tmp/dotgate.conf")
	[ -n "$map" ] || return 0
	if [ "$1" = socketmap ]; then
		listen=unix:$tmp/map.sock spec=socketmap:unix:$tmp/map.sock:senders
		ready() { [ -S "$tmp/map.sock" ]; }
	else
		listen=inet:127.0.0.1:$MAP_PORT spec=tcp:127.0.0.1:$MAP_PORT
		ready() { ss -Hltn "sport = :$MAP_PORT" | grep -q .; }
	fi
	"${MAPD:-$top_builddir/tests/daemon/mapd}" -p "$1" -l "$listen" -f "$map" \
		-n senders -L "$tmp/lookups" 2>"$tmp/mapd.out" &
	mapd=$!
	sed -i "s|^\( *login_map *= *\)\".*\"$|\1\"$spec\"|" "$tmp/dotgate.conf"
	i=0
	until [ -s "$tmp/mapd.out" ] || ready || [ $i -ge 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}
case ${LOGIN_MAP_SERVER:-} in
socketmap|tcp) serve_login_map "$LOGIN_MAP_SERVER" ;;
esac

# DOTGATE_WRAPPER (make check-valgrind: valgrind and its options) goes in
# front of the daemon; it then needs longer to open its socket.
${DOTGATE_WRAPPER:-} "$DOTGATE" -f -c "$tmp/dotgate.conf" -p "unix:$tmp/sock" \
	>"$tmp/daemon.out" 2>&1 &
pid=$!
i=0
tries=100
[ -n "${DOTGATE_WRAPPER:-}" ] && tries=1200
while [ ! -S "$tmp/sock" ] && [ $i -lt $tries ]; do
	sleep 0.05
	i=$((i + 1))
done

if "$MILTERTEST" -D "socket=unix:$tmp/sock" -D "tmpdir=$tmp" \
	-D "audit=$tmp/audit.jsonl" -D "srcdir=$top_srcdir" \
	-D "dotgate_pid=$pid" -D "sanitizers=${DOTGATE_SANITIZERS:-no}" -s "$script" >"$tmp/mt.out" 2>&1; then
	ok=ok
else
	ok="not ok"
fi
# The daemon must still be running and stop cleanly: a crash, or a
# sanitizer or leak report at exit, fails the test.
if ! kill "$pid" 2>/dev/null; then
	ok="not ok"
	echo "# dotgate died during the test"
fi
wait "$pid" 2>/dev/null
rc=$?
pid=
if [ "$rc" != 0 ]; then
	ok="not ok"
	echo "# dotgate exited $rc"
fi
if grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$tmp/daemon.out"; then
	ok="not ok"
	echo "# sanitizer report from dotgate"
fi
sed 's/^/# /' "$tmp/mt.out" "$tmp/daemon.out"
[ -f "$tmp/audit.jsonl" ] && sed 's/^/# audit: /' "$tmp/audit.jsonl"
if [ -n "$mapd" ]; then
	grep -q '^ *login_map = "\(socketmap\|tcp\):' "$tmp/dotgate.conf" ||
		{ ok="not ok"; echo "# login_map not rewritten"; }
	echo "# login_map served by mapd ($LOGIN_MAP_SERVER): $(wc -l < "$tmp/lookups") lookups"
	sed 's/^/# mapd: /' "$tmp/mapd.out"
fi
echo "$ok 1 - $name"
