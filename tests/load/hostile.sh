#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/load/hostile.sh: hostile input from the MTA side.
# tests/load/hostile sends oversized macros, a 10 KB {auth_authen}, header
# values with control bytes, senders with CR/LF and %n, 2000 recipients
# and malformed packets (wrong lengths, wrong order, missing NULs); each
# case must get a clean reply or a clean close, and the daemon must still
# answer.  Then: memory stayed bounded, no descriptor leaked, the audit
# file is one JSON object per line with every client string cut to its
# bound, and the daemon's output holds no raw client byte.  TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"
ld_init
ld_conf "$LD_DIR/dotgate.conf"
ld_start "$LD_DIR/dotgate.conf" || { echo "Bail out! dotgate did not start"; exit 1; }
"$MLTLOAD" -s "unix:$LD_SOCK" -c 4 -m 20 -q --tag warm ||
	{ echo "Bail out! warm-up failed"; exit 1; }
fd0=$(ld_fds)
rss0=$(ld_rss)

# The cases, renumbered into this script's plan.
# How long a case waits for an answer: longer under valgrind or ASan.
wait_ms=1000
[ "${DOTGATE_SANITIZERS:-no}" = yes ] && wait_ms=3000
[ -n "${DOTGATE_WRAPPER:-}" ] && wait_ms=5000
"$HOSTILE" -s "unix:$LD_SOCK" -t "$wait_ms" > "$LD_DIR/hostile.tap" 2>&1
ncases=$(grep -c -E '^(not )?ok ' "$LD_DIR/hostile.tap")
tap_plan $((ncases + 7))
while IFS= read -r l; do
	d=${l#* [0-9]* }
	case $l in
	"ok "*) ok "${d#- }" ;;
	"not ok "*) not_ok "${d#- }" ;;
	*) echo "# $l" ;;
	esac
done < "$LD_DIR/hostile.tap"

within() { [ "$1" -le "$2" ]; }

desc="daemon alive and answering after every case"
check "$desc" ld_alive

fd1=$(ld_settle_fds "$fd0")
desc="no descriptor leaked ($fd0 before, $fd1 after)"
check "$desc" within "$fd1" "$fd0"

hwm=$(ld_hwm)
rss1=$(ld_rss)
echo "# RSS after warm-up ${rss0} kB, after the cases ${rss1} kB, peak ${hwm} kB"
if ! ld_rss_measured; then
	skip "memory bounded" "RSS under valgrind or ASan is theirs, not dotgate's"
else
	desc="memory bounded: peak $hwm kB <= 65536 kB, RSS grew by $((rss1 - rss0)) kB <= 16384"
	check "$desc" within "$((hwm + (rss1 - rss0 > 16384 ? 65536 : 0)))" 65536
fi

sleep 0.3
"$JSONL" "$LD_AUDIT" > "$LD_DIR/audit.tsv" 2> "$LD_DIR/jsonl.err"
jrc=$?
sed 's/^/# /' "$LD_DIR/jsonl.err"
desc="audit file: $(wc -l < "$LD_AUDIT") lines, each one JSON object"
check "$desc" [ $jrc -eq 0 ]

# Every client string is cut to DG_FIELD_MAX (2048), recipients to 1000.
desc="audit fields bounded (from, auth.user, daemon <= 2048 bytes, rcpts <= 1000)"
check "$desc" awk -F '\t' '$3 > 2048 || $4 > 2048 || $5 > 2048 || $6 > 1000 { bad = 1 }
	END { exit bad }' "$LD_DIR/audit.tsv"

ld_finish

# The known upstream libmilter defect (see c_macro_odd in hostile.c),
# against a fresh daemon: reported, not counted.
if ld_start "$LD_DIR/dotgate.conf"; then
	"$HOSTILE" -s "unix:$LD_SOCK" -t "$wait_ms" macro-odd-count > /dev/null 2>&1
	sleep 0.3
	if kill -0 "$LD_PID" 2>/dev/null; then
		echo "# known libmilter bug (odd SMFIC_MACRO list): daemon survived this time"
	else
		echo "# known libmilter bug (odd SMFIC_MACRO list): daemon died (libmilter 8.17.1.9 smfi_getsymval over-read)"
		wait "$LD_PID" 2>/dev/null
		LD_PID=
	fi
fi
tap_done
