# SPDX-License-Identifier: BSD-2-Clause
# tests/lib/daemon.sh: a private dotgate for one test, shared by the
# daemon, load, metrics and report suites.  Sourced (POSIX sh), never run.
#
# NAME
#	daemon.sh - a private dotgate for one test, and what to read off it
# SYNOPSIS
#	. "$top_srcdir/tests/lib/daemon.sh"
#	ld_init				$LD_DIR (mktemp), cleanup trap
#	ld_conf FILE [EXTRA]		a configuration: audit file $LD_AUDIT,
#					user alice, socket_mode $LD_SOCKET_MODE
#					(0666); EXTRA appended
#	ld_start CONF [ARGS]		dotgate -f on unix:$LD_SOCK; sets $LD_PID
#	ld_stop				SIGTERM, wait; returns the exit status
#	ld_alive			the daemon runs and answers 3 transactions
#	ld_rss / ld_hwm / ld_fds	VmRSS kB, VmHWM kB, open descriptors
#	ld_rss_measured			false under valgrind or ASan, whose
#					memory is theirs, not dotgate's
#	ld_settle_fds N			waits up to 5 s for the fd count to drop to N
#	ld_output_clean			daemon output is printable ASCII from dotgate
#	free_port [TAKEN...]		a free loopback port (tests/port.sh)
#	ld_reloads			how many reloads the daemon has logged
#	ld_reloaded_since N		more than N of them
#	ld_finish			stops the daemon: two TAP lines, a clean
#					exit (99 is a valgrind error) and clean output
#	tap.sh, proc.sh			TAP lines and bounded waits
#					(tests/lib), sourced here
# DESCRIPTION
#	Tests get top_srcdir, top_builddir and DOTGATE from "make check"
#	(defaults: the source tree).  Everything lives in $LD_DIR, removed
#	at exit unless KEEP=1; the daemon's stdout and stderr go to
#	$LD_DIR/daemon.out.  DOTGATE_WRAPPER (e.g. "valgrind -q") is put
#	in front of the daemon's command line.  Extra background processes
#	listed in $LD_EXTRA_PIDS are killed at exit; then $LD_AT_EXIT, if
#	set, is run (e.g. to unmount what the daemon had open) before
#	$LD_DIR is removed.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
: "${DOTGATE:=$top_builddir/filter/dotgate/dotgate}"
. "$top_srcdir/tests/port.sh"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/proc.sh"
MLTLOAD=$top_builddir/tests/bench/mltload
HOSTILE=$top_builddir/tests/load/hostile
JSONL=$top_builddir/tests/load/jsonl
LD_DIR=
LD_PID=
LD_EXTRA_PIDS=

ld_cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP
	for _p in $LD_EXTRA_PIDS $LD_PID; do
		kill "$_p" 2>/dev/null && wait "$_p" 2>/dev/null
	done
	[ -z "${LD_AT_EXIT:-}" ] || $LD_AT_EXIT
	remove_dir "$LD_DIR"
	exit $_rc
}

ld_init() {
	LD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-load.XXXXXX") ||
		{ echo "Bail out! mktemp failed"; exit 1; }
	chmod 755 "$LD_DIR"
	LD_SOCK=$LD_DIR/sock
	LD_AUDIT=$LD_DIR/audit.jsonl
	trap ld_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	for _b in "$DOTGATE" "$MLTLOAD" "$HOSTILE" "$JSONL"; do
		[ -x "$_b" ] || { echo "Bail out! $_b not built"; exit 1; }
	done
}

ld_conf() {
	{
		echo '# written by tests/lib/daemon.sh'
		echo "socket_mode = \"${LD_SOCKET_MODE:-0666}\""
		echo 'user "alice@example.test" {'
		echo '  senders = {"alice@example.test", "@example.org"}'
		echo '}'
		echo 'audit {'
		echo '  syslog = true'
		echo "  file = \"$LD_AUDIT\""
		echo '}'
		[ -n "${2:-}" ] && printf '%s\n' "$2"
	} > "$1"
	chmod 644 "$1"
}

ld_start() {
	_conf=$1
	shift
	rm -f "$LD_SOCK"
	${DOTGATE_WRAPPER:-} "$DOTGATE" -f -c "$_conf" -p "unix:$LD_SOCK" "$@" \
		>>"$LD_DIR/daemon.out" 2>&1 &
	LD_PID=$!
	if ! wait_socket "$LD_SOCK" "$LD_PID" 20; then
		sed 's/^/# daemon: /' "$LD_DIR/daemon.out"
		LD_PID=
		return 1
	fi
}

ld_stop() {
	[ -n "$LD_PID" ] || return 0
	kill "$LD_PID" 2>/dev/null
	wait "$LD_PID"
	_rc=$?
	LD_PID=
	return $_rc
}

ld_alive() {
	kill -0 "$LD_PID" 2>/dev/null &&
		"$MLTLOAD" -s "unix:$LD_SOCK" -c 1 -m 3 -q -t 5000 --tag alive
}

ld_status() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$LD_PID/status"; }
ld_rss() { ld_status VmRSS; }
ld_hwm() { ld_status VmHWM; }
ld_rss_measured() {
	[ -z "${DOTGATE_WRAPPER:-}" ] && [ "${DOTGATE_SANITIZERS:-no}" != yes ]
}
ld_fds() { ls "/proc/$LD_PID/fd" 2>/dev/null | wc -l; }

ld_settle_fds() {
	_i=0
	while [ "$(ld_fds)" -gt "$1" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	ld_fds
}

# Every line of the daemon's output is printable ASCII (no byte a client
# sent reaches the log raw) and is either the program's ("dotgate: ...")
# or a configuration error ("FILE:LINE: ..." for a file in $LD_DIR).
ld_output_clean() {
	LC_ALL=C grep -n '[^ -~]' "$LD_DIR/daemon.out" | head -n 3 |
		sed 's/^/# raw byte: /'
	grep -v -e '^dotgate' -e "^$LD_DIR/[^:]*:[0-9]*: " "$LD_DIR/daemon.out" |
		head -n 3 | sed 's/^/# foreign line: /'
	! LC_ALL=C grep -q '[^ -~]' "$LD_DIR/daemon.out" &&
		! grep -v -q -e '^dotgate' -e "^$LD_DIR/[^:]*:[0-9]*: " \
			"$LD_DIR/daemon.out"
}

ld_reloads() { grep -c 'reloaded' "$LD_DIR/daemon.out"; }
ld_reloaded_since() { [ "$(ld_reloads)" -gt "$1" ]; }

ld_finish() {
	ld_stop
	_rc=$?
	check "daemon stopped cleanly on SIGTERM (exit $_rc; 99 is a valgrind error)" \
		[ $_rc = 0 ]
	check "daemon output: printable ASCII only, every line from dotgate" \
		ld_output_clean
}
