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
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
chmod 755 "$tmp"

conf=$(sed -n 's/^-- conf: *//p' "$script" | head -n 1)
[ -n "$conf" ] || conf=tests/milter/conf/default.conf
sed -e "s|@TMPDIR@|$tmp|g" -e "s|@SRCDIR@|$top_srcdir|g" \
	"$top_srcdir/$conf" > "$tmp/dotgate.conf"
chmod 644 "$tmp/dotgate.conf"

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
echo "$ok 1 - $name"
