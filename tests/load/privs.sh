#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/load/privs.sh: privilege and socket checks.
# As root, dotgate -u nobody must end up with no root uid or gid in any
# of its threads (/proc/PID/task/*/status: real, effective, saved and
# filesystem ids, supplementary groups), create its unix socket after the
# drop (owned by nobody) with the configured socket_mode, still reload as
# nobody, and refuse a configuration file writable by others with a clear
# message and exit 78, both with -n and at start.  TAP; skipped when not
# root.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP not root: -u needs root"
	exit 0
fi
if ! id nobody >/dev/null 2>&1; then
	echo "1..0 # SKIP no user nobody"
	exit 0
fi
tap_plan 9
ld_init
run=$LD_DIR/run
mkdir "$run" && chown nobody "$run" && chmod 755 "$run" ||
	{ echo "Bail out! cannot prepare $run"; exit 1; }
LD_SOCK=$run/sock
LD_AUDIT=$run/audit.jsonl
LD_SOCKET_MODE=0640
ld_conf "$LD_DIR/dotgate.conf"
chmod 644 "$LD_DIR/dotgate.conf"

ld_start "$LD_DIR/dotgate.conf" -u nobody ||
	{ echo "Bail out! dotgate -u nobody did not start"; exit 1; }

# No thread may keep a root id: Uid/Gid lines hold real, effective,
# saved and filesystem ids.
no_root() {
	for _s in /proc/"$LD_PID"/task/*/status; do
		awk '$1 == "Uid:" || $1 == "Gid:" {
			for (i = 2; i <= 5; i++) if ($i == 0) bad = 1 }
		     $1 == "Groups:" { for (i = 2; i <= NF; i++) if ($i == 0) bad = 1 }
		     END { exit bad }' "$_s" || { sed 's/^/# /' "$_s" | grep -E 'Uid|Gid|Groups'; return 1; }
	done
}
ids=$(awk '$1 == "Uid:" || $1 == "Gid:" || $1 == "Groups:"' "/proc/$LD_PID/status" | tr '\t\n' '  ')
desc="after -u nobody no thread has a root uid or gid ($ids)"
check "$desc" no_root

desc="the socket belongs to nobody: $(stat -c '%U:%G' "$LD_SOCK")"
check "$desc" [ "$(stat -c %U "$LD_SOCK")" = nobody ]

desc="socket mode is the configured 0640: $(stat -c %a "$LD_SOCK")"
check "$desc" [ "$(stat -c %a "$LD_SOCK")" = 640 ]

desc="transactions pass through the dropped daemon"
check "$desc" ld_alive

before=$(ld_reloads)
kill -USR1 "$LD_PID"
wait_until 5 ld_reloaded_since "$before"
desc="SIGUSR1 reload still works as nobody"
check "$desc" ld_reloaded_since "$before"
ld_stop

# A configuration writable by others is refused, clearly.
chmod 666 "$LD_DIR/dotgate.conf"
"$DOTGATE" -n -c "$LD_DIR/dotgate.conf" > "$LD_DIR/n.out" 2>&1
rc=$?
sed 's/^/# -n: /' "$LD_DIR/n.out"
desc="dotgate -n refuses a world-writable configuration with exit 78 (got $rc)"
check "$desc" [ $rc = 78 ]
desc="the message names the file and says it is writable by others"
check "$desc" grep -q "$LD_DIR/dotgate.conf.*writable by others" "$LD_DIR/n.out"

rm -f "$LD_SOCK"
"$DOTGATE" -f -c "$LD_DIR/dotgate.conf" -p "unix:$LD_SOCK" -u nobody \
	> "$LD_DIR/start.out" 2>&1 &
pid=$!
LD_EXTRA_PIDS=$pid
if ! wait_gone "$pid" 5; then
	rc=running
else
	wait "$pid"
	rc=$?
	LD_EXTRA_PIDS=
fi
sed 's/^/# start: /' "$LD_DIR/start.out"
desc="the daemon does not start on it either (exit $rc, no socket)"
check_sh "$desc" '[ "$rc" = 78 ] && [ ! -S "$LD_SOCK" ]'

chmod 644 "$LD_DIR/dotgate.conf"
desc="the same file with mode 0644 passes -n"
check "$desc" "$DOTGATE" -n -c "$LD_DIR/dotgate.conf"
tap_done
