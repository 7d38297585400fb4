# SPDX-License-Identifier: BSD-2-Clause
# tests/lib/proc.sh: waiting for what a test started, stopping it, and
# removing what it left.  Sourced (POSIX sh), never run.
#
# NAME
#	proc.sh - bounded waits on a condition, a socket or a process
# SYNOPSIS
#	. "$top_srcdir/tests/lib/proc.sh"
#	wait_until SECS CMD...	runs CMD every 0.05 s until it succeeds;
#				false when SECS seconds pass first
#	wait_socket PATH [PID [SECS]]	true once PATH is a socket; false
#				when PID (if given) exits first or after SECS (20)
#	wait_gone PID [SECS]	true once PID has exited (5 s at most)
#	wait_port PORT [SECS]	true once a TCP listener has PORT (10 s)
#	stop_pid PID [SECS]	SIGTERM, then SIGKILL when PID is still there
#				after SECS (5) seconds; reaps it (nothing when
#				PID is empty)
#	remove_dir DIR		rm -rf DIR, unless KEEP=1 (then says so)
# DESCRIPTION
#	Every wait has a bound: a test that hangs tells nothing.  SECS is
#	a whole number.  The defaults are what "make -j3 check" on two
#	cores needs for a daemon to start or stop.
wait_until() {
	_wu_left=$(($1 * 20))
	shift
	until "$@"; do
		[ "$_wu_left" -gt 0 ] || return 1
		_wu_left=$((_wu_left - 1))
		sleep 0.05
	done
}

# proc_gone PID: the process has exited (or was never there).
proc_gone() { ! kill -0 "$1" 2>/dev/null; }

# socket_or_gone PATH PID: PATH is a socket, or PID (if any) has exited.
socket_or_gone() {
	[ -S "$1" ] || { [ -n "$2" ] && proc_gone "$2"; }
}

wait_socket() {
	wait_until "${3:-20}" socket_or_gone "$1" "${2:-}"
	[ -S "$1" ]
}

wait_gone() { wait_until "${2:-5}" proc_gone "$1"; }

# port_listening PORT: something listens on TCP PORT, on any address.
port_listening() { ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }

wait_port() { wait_until "${2:-10}" port_listening "$1"; }

stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	wait_gone "$1" "${2:-5}" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

remove_dir() {
	[ -n "$1" ] && [ -d "$1" ] || return 0
	if [ "${KEEP:-0}" = 1 ]; then
		echo "# kept $1"
	else
		rm -rf "$1"
	fi
}
