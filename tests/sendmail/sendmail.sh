#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/sendmail/sendmail.sh: dotgate behind a real Sendmail (Debian 12's
# sendmail-bin), unpacked, never installed (it conflicts with postfix),
# and run only inside a private network, UTS and mount namespace so that
# nothing, not even a DNS query, leaves loopback.  TAP.
#
# Outside the namespace this script only fetches and unpacks the
# packages (apt-get download, dpkg -x) and cleans up; every Sendmail
# invocation, makemap and the version check included, runs in
# "unshare -n -u -m" with lo up, hostname mx.example.test, /etc/hosts,
# /etc/nsswitch.conf (hosts: files) and /etc/resolv.conf bind-mounted
# from the test directory, plus Sendmail's own HostsFile and
# ServiceSwitchFile options and FEATURE(nocanonify).
#
# Scenarios: the unauthenticated 530 as Sendmail shows it; a bare CR (and
# LF) in the body, which Sendmail 8.17.1.9-2+deb12u2 refuses itself by
# default ("421 4.5.0 Bare carriage return (CR) not allowed", the milter
# only sees an abort) and, with Srv_Features U in the access map, hands
# to the milter verbatim (dotgate rejects bare_cr at offset 5); every
# probe vector in both settings, none smuggled.  SMTP AUTH in Sendmail is
# not set up (the Postfix suite covers the authenticated rules).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
: "${DOTGATE_PROBE:=$top_builddir/filter/probe/dotgate-probe}"
PATH=$PATH:/usr/sbin:/sbin
export PATH

if [ "${1:-}" = --inside ]; then
	. "$top_srcdir/tests/sendmail/inside.sh"
	exit $?
fi

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: a private Sendmail in a namespace needs root"
	exit 0
fi
for p in unshare ip m4 dpkg jq; do
	command -v "$p" >/dev/null 2>&1 || {
		echo "1..0 # SKIP $p missing"
		exit 0
	}
done
[ -x "${DOTGATE:-}" ] || { echo "Bail out! DOTGATE not built"; exit 1; }
[ -x "$DOTGATE_PROBE" ] || { echo "Bail out! dotgate-probe not built"; exit 1; }

# The packages tests/deps.sh keeps, or else a download kept between runs
# in the build tree.
DEBS=${DOTGATE_SENDMAIL_DEBS:-/var/cache/dotgate/sendmail-debs}
ls "$DEBS"/sendmail-bin_*.deb >/dev/null 2>&1 ||
	DEBS=$top_builddir/tests/sendmail/debs
mkdir -p "$DEBS"
if ! ls "$DEBS"/sendmail-bin_*.deb >/dev/null 2>&1; then
	if ! (cd "$DEBS" && apt-get download sendmail-bin sendmail-base \
	      sendmail-cf libwrap0 >download.log 2>&1); then
		sed 's/^/# /' "$DEBS/download.log"
		echo "1..0 # SKIP apt-get download sendmail-bin sendmail-base sendmail-cf libwrap0 failed (run apt-get update)"
		exit 0
	fi
fi

# Sendmail refuses a socket or queue below a world-writable directory
# (/tmp): the test directory lives in /run, which only root can write.
SM=$(mktemp -d /run/dotgate-sm.XXXXXX) || { echo "Bail out! mktemp"; exit 1; }
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	[ -n "${INNER:-}" ] && kill "$INNER" 2>/dev/null
	# The namespace's processes die with it only if we kill them: find
	# them by pid file and by working directory (Sendmail chdirs to its
	# queue).
	for f in "$SM"/sendmail.pid "$SM"/dotgate.pid; do
		[ -f "$f" ] && kill -9 "$(head -n 1 "$f")" 2>/dev/null
	done
	for d in /proc/[0-9]*; do
		c=$(readlink "$d/cwd" 2>/dev/null) || continue
		case $c in "$SM"/*) kill -9 "${d#/proc/}" 2>/dev/null ;; esac
	done
	if [ "${KEEP:-0}" = 1 ]; then echo "# kept $SM"; else rm -rf "$SM"; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
chmod 755 "$SM"
mkdir -p "$SM/root"
for d in "$DEBS"/sendmail-bin_*.deb "$DEBS"/sendmail-base_*.deb \
	 "$DEBS"/sendmail-cf_*.deb "$DEBS"/libwrap0_*.deb; do
	dpkg -x "$d" "$SM/root" || { echo "Bail out! dpkg -x $d"; exit 1; }
done
# setgid would make the loader ignore LD_LIBRARY_PATH (libwrap0 is
# unpacked, not installed); we run as root anyway.
chmod g-s "$SM"/root/usr/libexec/sendmail/*

# unshare execs the inner shell: its pid is the namespace's first process.
SM=$SM DOTGATE=$DOTGATE DOTGATE_PROBE=$DOTGATE_PROBE top_srcdir=$top_srcdir \
	unshare -n -u -m sh "$0" --inside &
INNER=$!
wait "$INNER"
