# SPDX-License-Identifier: BSD-2-Clause
# tests/lib/sample.sh: the peaks of a running daemon's threads and
# descriptors, sampled while a load runs.  Sourced after daemon.sh,
# never run.
#
# SYNOPSIS
#	sample_start PID FILE	every 0.1 s until sample_stop: the highest
#				thread count (/proc/PID/task) and open
#				descriptor count (/proc/PID/fd) so far, as
#				"THREADS FDS" in FILE
#	sample_stop		ends the sampler; FILE keeps the peaks
#	sample_threads FILE / sample_fds FILE	one of the two peaks
# DESCRIPTION
#	Peak resident memory needs no sampler: the kernel keeps it
#	(VmHWM, ld_hwm).  Threads and descriptors come and go with the
#	load, so only a sample taken during it shows their peak.
SAMPLE_PID=

sample_start() {
	echo "0 0" > "$2"
	(
		_t=0 _f=0
		while kill -0 "$1" 2>/dev/null; do
			_nt=$(ls "/proc/$1/task" 2>/dev/null | wc -l)
			_nf=$(ls "/proc/$1/fd" 2>/dev/null | wc -l)
			[ "$_nt" -gt "$_t" ] && _t=$_nt
			[ "$_nf" -gt "$_f" ] && _f=$_nf
			echo "$_t $_f" > "$2.new" && mv "$2.new" "$2"
			sleep 0.1
		done
	) &
	SAMPLE_PID=$!
	LD_EXTRA_PIDS="$LD_EXTRA_PIDS $SAMPLE_PID"
}

sample_stop() {
	stop_pid "$SAMPLE_PID"
	SAMPLE_PID=
}

sample_threads() { cut -d' ' -f1 "$1"; }
sample_fds() { cut -d' ' -f2 "$1"; }
