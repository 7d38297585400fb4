#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-package.sh: builds the dotgate Debian package from a clean copy of
# the source, lints it, installs it, checks that it works as installed,
# and purges it again.  Prints TAP; exits 0 only if every test passed.
#
#	packaging/check-package.sh [TARBALL]
#
# The source is, in this order of preference: TARBALL (a "make dist"
# tarball); with DOTGATE_PKG_SRC=worktree, the files of the work tree
# that git tracks or does not ignore, as they are now; otherwise
# "git archive HEAD".  It is unpacked in a temporary directory, so the
# work tree is never touched.
#
# Needs root (it installs and purges the package), no running dotgate on
# its packaged socket, dpkg-dev, debhelper, fakeroot, lintian, systemd (for
# systemd-analyze), man-db, groff-base, logrotate, miltertest and the
# Build-Depends of packaging/debian/control; with Postfix and sendmail-cf
# installed it also checks the MTA samples with postconf and m4.  It takes about two minutes
# on two cores, most of it compiling.  CI runs it from .ci/run; it is not
# part of "make check".
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tarball=${1:-}
work=
daemon_pid=
made_rundir=
rundir_was=
installed=

. "$here/lib.sh"

cleanup() {
	if [ -n "$daemon_pid" ]; then
		kill "$daemon_pid" 2>/dev/null
		wait "$daemon_pid" 2>/dev/null
	fi
	if [ -n "$installed" ] && dpkg -s dotgate >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y dotgate >/dev/null 2>&1
	fi
	[ -n "$made_rundir" ] && rm -rf /run/dotgate
	if [ -n "$rundir_was" ]; then
		chown "${rundir_was% *}" /run/dotgate
		chmod "${rundir_was#* }" /run/dotgate
	fi
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root: it installs and purges the package"
	exit 0
fi
if dpkg -s dotgate 2>/dev/null | grep -q '^Status: install ok'; then
	echo "1..0 # SKIP a dotgate package is already installed; not touching it"
	exit 0
fi
if [ -S /var/spool/postfix/dotgate/dotgate.sock ]; then
	echo "1..0 # SKIP a dotgate already listens on /var/spool/postfix/dotgate/dotgate.sock"
	exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-pkg.XXXXXX")
chmod 755 "$work"
echo "# work directory $work"

# ---- 1. a clean source tree, 2. build and lint ------------------------------
pkg_source "$top" "$tarball"
pkg_build

lintian --fail-on error --display-info "$changes" >"$work/lintian.out" 2>&1
rc=$?
sed 's/^/# lintian: /' "$work/lintian.out"
if [ $rc -eq 0 ] && ! grep -q '^E: ' "$work/lintian.out"; then
	ok "lintian: no errors ($(grep -c '^W: ' "$work/lintian.out") warnings)"
else
	not_ok "lintian: no errors"
fi

# ---- 3. install ---------------------------------------------------------------
installed=yes
check "apt-get install ./$(basename "$deb")" \
	env DEBIAN_FRONTEND=noninteractive apt-get install -y "$deb"
if ! dpkg -s dotgate 2>/dev/null | grep -q '^Status: install ok installed'; then
	echo "Bail out! dotgate is not installed"
	finish
fi

conffiles=$(dpkg-query -W -f='${Conffiles}' dotgate)
for f in /etc/dotgate/dotgate.conf /etc/logrotate.d/dotgate; do
	check "$f is a conffile" sh -c 'echo "$1" | grep -q "^ $2 "' sh "$conffiles" "$f"
done
for f in /usr/sbin/dotgate /usr/sbin/dotgate-doctor /usr/bin/dotgate-report /usr/bin/dotgate-probe; do
	check "the package ships $f" test -f "$f"
done
# The unit is where the release's debhelper put it: /lib/systemd/system
# on Debian 12, /usr/lib/systemd/system on Debian 13.  dpkg says where.
unit=$(dpkg -L dotgate | grep '/systemd/system/dotgate\.service$')
if [ -n "$unit" ] && [ "$(echo "$unit" | wc -l)" -eq 1 ] && [ -f "$unit" ]; then
	ok "the package ships one dotgate.service, $unit"
else
	not_ok "the package ships one dotgate.service"
	echo "$unit" | sed 's/^/# dpkg -L: /'
	echo "Bail out! no unit to run the daemon from"
	finish
fi

check "dotgate is a system user with no login shell" sh -c '
	ent=$(getent passwd dotgate) || exit 1
	uid=$(echo "$ent" | cut -d: -f3)
	shell=$(echo "$ent" | cut -d: -f7)
	echo "$ent"
	[ "$uid" -lt 1000 ] && [ "$shell" = /usr/sbin/nologin ] && getent group dotgate'
sockdir=/var/spool/postfix/dotgate
if getent group postfix >/dev/null; then
	check "$sockdir is dotgate:postfix 2750 (the socket inherits group postfix)" sh -c \
		'stat -c %U:%G:%a "$1"; [ "$(stat -c %U:%G:%a "$1")" = dotgate:postfix:2750 ]' sh "$sockdir"
else
	check "$sockdir is dotgate:dotgate 2750 (no Postfix yet)" sh -c \
		'[ "$(stat -c %U:%G:%a "$1")" = dotgate:dotgate:2750 ]' sh "$sockdir"
fi
# Postfix installed after dotgate: the file trigger on /usr/sbin/postfix
# gives the socket directory to group postfix (activated by hand here,
# as unpacking Postfix would).
if getent group postfix >/dev/null; then
	check "the trigger on /usr/sbin/postfix gives $sockdir back to group postfix" sh -c '
		chgrp dotgate "$1" && dpkg-trigger --no-await /usr/sbin/postfix &&
		dpkg --triggers-only dotgate && stat -c %G "$1" &&
		[ "$(stat -c %U:%G:%a "$1")" = dotgate:postfix:2750 ]' sh "$sockdir"
else
	skip "the trigger on /usr/sbin/postfix" "no postfix group"
fi
check "the installed dotgate.conf has the packaged socket and audit file" sh -c '
	grep -qx "socket      = \"unix:/var/spool/postfix/dotgate/dotgate.sock\"" /etc/dotgate/dotgate.conf &&
	grep -qx "  file     = \"/var/log/dotgate/audit.jsonl\"" /etc/dotgate/dotgate.conf'
check "/var/log/dotgate is dotgate:adm 2750" sh -c \
	'[ "$(stat -c %U:%G:%a /var/log/dotgate)" = dotgate:adm:2750 ]'
check "the unit is enabled (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/dotgate.service

# ---- 4. the programs as installed ---------------------------------------------
check "dotgate -n accepts the shipped configuration" /usr/sbin/dotgate -n
check "dotgate -n as user dotgate (the service user can read it)" \
	setpriv --reuid=dotgate --regid=dotgate --init-groups -- \
	/usr/sbin/dotgate -n -c /etc/dotgate/dotgate.conf
version=$(dpkg-query -W -f='${Version}' dotgate)
check "dotgate -V prints dotgate ${version%%-*} and the library versions" sh -c '
	/usr/sbin/dotgate -V >"$2" || exit 1
	cat "$2"
	head -n 1 "$2" | grep -qx "dotgate $1" &&
	grep -q libmilter "$2" && grep -q libsasl2 "$2" && grep -q libconfuse "$2"' \
	sh "${version%%-*}" "$work/version"
check "dotgate -h exits 0 and prints the usage" sh -c \
	'/usr/sbin/dotgate -h | grep -q "^usage: dotgate"'

ex=/usr/share/doc/dotgate/examples
for f in sender_login_map.example postfix-master.cf.example sendmail.mc.example; do
	check "example $f installed" sh -c '[ -f "$1/$2" ] || [ -f "$1/$2.gz" ]' sh "$ex" "$f"
done
mkdir -m 755 "$work/run"
if [ -f "$ex/sender_login_map.example.gz" ]; then
	zcat "$ex/sender_login_map.example.gz" >"$work/run/login_map"
else
	cp "$ex/sender_login_map.example" "$work/run/login_map"
fi
chmod 644 "$work/run/login_map"
printf 'senders {\n  login_map = "%s"\n}\n' "$work/run/login_map" >"$work/run/map.conf"
chmod 644 "$work/run/map.conf"
check "dotgate -n accepts the example login map" \
	/usr/sbin/dotgate -n -c "$work/run/map.conf"

# The MTA samples are valid input for the MTAs' own tools.
if command -v postconf >/dev/null; then
	mkdir "$work/pf"
	touch "$work/pf/main.cf"
	cp "$ex/postfix-master.cf.example" "$work/pf/master.cf"
	check "postconf reads postfix-master.cf.example (submission with smtpd_milters)" sh -c '
		postconf -c "$1" -P 2>&1 | tee "$1/P.out"
		! grep -qi "warning\|fatal" "$1/P.out" &&
		grep -q "^submission/inet/smtpd_milters = unix:dotgate/dotgate.sock$" "$1/P.out"' \
		sh "$work/pf"
else
	skip "postconf reads postfix-master.cf.example" "Postfix not installed"
fi
cfm4=/usr/share/sendmail/cf/m4/cf.m4
if [ -f "$cfm4" ] && command -v m4 >/dev/null; then
	{
		echo "include(\`$cfm4')dnl"
		echo "OSTYPE(\`linux')dnl"
		cat "$ex/sendmail.mc.example"
		echo "MAILER(\`smtp')dnl"
	} >"$work/sendmail.mc"
	check "sendmail-cf's m4 expands sendmail.mc.example into the filter definition" sh -c '
		m4 "$1/sendmail.mc" >"$1/sendmail.cf" 2>"$1/m4.err" || { cat "$1/m4.err"; exit 1; }
		cat "$1/m4.err"; [ ! -s "$1/m4.err" ] &&
		grep "dotgate" "$1/sendmail.cf" &&
		grep -qx "O InputMailFilters=dotgate" "$1/sendmail.cf" &&
		grep -qx "Xdotgate, S=local:/run/dotgate/dotgate.sock, F=T, T=C:10s;S:30s;R:60s;E:5m" "$1/sendmail.cf"' \
		sh "$work"
else
	skip "sendmail-cf's m4 expands sendmail.mc.example" "sendmail-cf not installed"
fi

# ---- 5. documentation and service files ------------------------------------
for page in man8/dotgate.8 man8/dotgate-doctor.8 man5/dotgate.conf.5 man1/dotgate-report.1 man1/dotgate-probe.1; do
	f=/usr/share/man/$page.gz
	if [ ! -f "$f" ]; then
		not_ok "man page $page installed"
		continue
	fi
	silent "groff -t -man -ww -z $page: no warnings" sh -c \
		'zcat "$1" | groff -t -man -ww -z' sh "$f"
	silent "man -l $page renders without warnings" sh -c \
		'LC_ALL=C.UTF-8 MANROFFSEQ="" MANWIDTH=80 man --warnings -E UTF-8 -l "$1" >/dev/null' \
		sh "$f"
done
silent "systemd-analyze verify dotgate.service" \
	systemd-analyze verify "$unit"
check "logrotate accepts /etc/logrotate.d/dotgate" sh -c '
	logrotate -d -s "$1/lr.debug" /etc/logrotate.d/dotgate >"$1/lr.out" 2>&1
	rc=$?; cat "$1/lr.out"
	[ $rc -eq 0 ] && ! grep -qi "^error" "$1/lr.out"' sh "$work"

# ---- 6. the daemon as the service runs it --------------------------------------
# As dotgate.service does, minus systemd: /run/dotgate made for it, the
# unit's own ExecStart line run as user dotgate with its umask, then an
# MTA (miltertest, as the postfix user when there is one) talks to it
# through the packaged socket, the audit file is rotated through
# logrotate and SIGUSR2, and SIGTERM stops it.
audit=/var/log/dotgate/audit.jsonl
sock=$sockdir/dotgate.sock
# systemd's RuntimeDirectory= makes the directory the service's own even
# when it exists; do the same, and give an existing one back afterwards.
if [ -d /run/dotgate ]; then
	rundir_was=$(stat -c '%u:%g %a' /run/dotgate)
	install -d -o dotgate -g dotgate -m 0750 /run/dotgate
else
	install -d -o dotgate -g dotgate -m 0750 /run/dotgate
	made_rundir=yes
fi
execstart=$(sed -n 's/^ExecStart=//p' "$unit")
echo "# ExecStart: $execstart"
# shellcheck disable=SC2086
setpriv --reuid=dotgate --regid=dotgate --init-groups -- \
	sh -c 'umask 0007 && exec "$@"' sh $execstart >"$work/daemon.log" 2>&1 &
daemon_pid=$!
wait_socket "$sock" "$daemon_pid" 5
check "the daemon creates $sock as dotgate:postfix 0660" sh -c '
	stat -c "%U:%G:%a" "$1"
	[ "$(stat -c %U:%G:%a "$1")" = dotgate:$2:660 ]' sh "$sock" \
	"$(getent group postfix >/dev/null && echo postfix || echo dotgate)"
check "the pid file names the daemon" sh -c \
	'[ "$(cat /run/dotgate/dotgate.pid)" = "$1" ]' sh "$daemon_pid"

mtuser=dotgate
getent passwd postfix >/dev/null && mtuser=postfix
# One refused envelope (an unauthenticated client from outside the
# exempt networks), then one smuggled end of data from an exempt client.
cat >"$work/run/smoke.lua" <<'EOF'
local function ok(err, what)
  if err ~= nil then error(what .. ": " .. tostring(err)) end
end
local function expect(conn, want, what)
  local got = mt.getreply(conn)
  if got ~= want then
    error(string.format("%s: reply %s, expected %s", what, tostring(got), tostring(want)))
  end
end
local conn = mt.connect(socket, 40, 0.05)
if conn == nil then error("cannot connect to " .. socket) end
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
ok(mt.conninfo(conn, "client.example", "192.0.2.10"), "conninfo")
ok(mt.helo(conn, "client.example"), "helo")
ok(mt.mailfrom(conn, "<alice@example.test>"), "mailfrom")
expect(conn, SMFIR_REPLYCODE, "unauthenticated MAIL FROM")
mt.disconnect(conn)

conn = mt.connect(socket, 40, 0.05)
if conn == nil then error("cannot connect to " .. socket) end
ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
ok(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
ok(mt.helo(conn, "localhost"), "helo")
ok(mt.mailfrom(conn, "<alice@example.test>"), "mailfrom")
expect(conn, SMFIR_CONTINUE, "exempt MAIL FROM")
ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto")
expect(conn, SMFIR_CONTINUE, "rcpt")
ok(mt.bodystring(conn, "hello\n.\nMAIL FROM:<x@example.test>\r\nRCPT TO:<y@example.test>\r\nDATA\r\n"), "body")
ok(mt.eom(conn), "eom")
expect(conn, SMFIR_REPLYCODE, "smuggled end of data")
mt.disconnect(conn)
EOF
chmod 644 "$work/run/smoke.lua"
mt_run() {
	setpriv --reuid="$mtuser" --regid="$mtuser" --init-groups -- \
		miltertest -D socket=unix:$sock -s "$work/run/smoke.lua"
}
wait_lines() {	# wait_lines FILE N: until FILE has N lines (5 s at most)
	i=0
	while [ "$(cat "$1" 2>/dev/null | wc -l)" -lt "$2" ] && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ "$(wc -l <"$1")" -eq "$2" ]
}
if command -v miltertest >/dev/null; then
	check "miltertest as $mtuser: refuses an unauthenticated sender, rejects a smuggled end of data" mt_run
	wait_lines "$audit" 2
	check "two audit records in $audit" sh -c '
		cat "$1"; [ "$(wc -l <"$1")" -eq 2 ] &&
		grep -q "\"rule\":\"auth.unauthenticated\"" "$1" &&
		grep -q "\"smuggle_eod\"" "$1"' sh "$audit"
else
	skip "miltertest against the installed daemon" "miltertest not installed"
	skip "audit records" "miltertest not installed"
fi

# Rotation: logrotate moves the file, creates a new one and sends SIGUSR2
# through the pid file (no systemd here); the daemon reopens the path.
check "logrotate -f rotates the audit file and signals the daemon" sh -c '
	logrotate -f -s "$1/lr.state" /etc/logrotate.d/dotgate || exit 1
	ls -l /var/log/dotgate
	[ -f /var/log/dotgate/audit.jsonl.1 ] &&
	[ "$(stat -c %U:%G:%a /var/log/dotgate/audit.jsonl)" = dotgate:adm:640 ]' sh "$work"
i=0
while ! grep -q "reopened the audit sinks" "$work/daemon.log" && [ $i -lt 100 ]; do
	sleep 0.05
	i=$((i + 1))
done
check "the daemon reopened its audit file on SIGUSR2 (no reload)" sh -c \
	'grep "reopened the audit sinks" "$1" && ! grep "reloaded" "$1"' sh "$work/daemon.log"
if command -v miltertest >/dev/null; then
	mt_run >/dev/null 2>&1
	wait_lines "$audit" 2
	check "after rotation new records go to the new file" sh -c \
		'wc -l "$1" "$1.1"; [ "$(wc -l <"$1")" -eq 2 ] && [ "$(wc -l <"$1.1")" -eq 2 ]' \
		sh "$audit"
fi

kill -TERM "$daemon_pid"
if ! wait_gone "$daemon_pid" 5; then
	not_ok "SIGTERM stops the daemon"
else
	wait "$daemon_pid"
	rc=$?
	daemon_pid=
	check "SIGTERM stops the daemon with status 0 (was $rc)" test "$rc" -eq 0
	check "the pid file is removed at exit" test ! -e /run/dotgate/dotgate.pid
fi
sed 's/^/# daemon: /' "$work/daemon.log"
if [ -n "$made_rundir" ]; then
	rm -rf /run/dotgate
	made_rundir=
elif [ -n "$rundir_was" ]; then
	chown "${rundir_was% *}" /run/dotgate
	chmod "${rundir_was#* }" /run/dotgate
	rundir_was=
fi

# ---- 7. reinstall and purge -------------------------------------------------
check "dpkg -i again (maintainer scripts are idempotent)" \
	env DEBIAN_FRONTEND=noninteractive dpkg -i "$deb"
check "apt-get purge dotgate" \
	env DEBIAN_FRONTEND=noninteractive apt-get purge -y dotgate
installed=
for f in /usr/sbin/dotgate /etc/dotgate /var/log/dotgate /etc/logrotate.d/dotgate \
	 /var/spool/postfix/dotgate /lib/systemd/system/dotgate.service \
	 /usr/lib/systemd/system/dotgate.service \
	 /etc/systemd/system/multi-user.target.wants/dotgate.service; do
	check "purge removed $f" test ! -e "$f"
done
check "purge removed the dotgate user and group" sh -c \
	'! getent passwd dotgate && ! getent group dotgate'

finish
