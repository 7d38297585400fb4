#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# gate_maps.sh: the MAIL FROM gate scripts (tests/milter/gate_*.lua) and
# hfrom_owned.lua, whose From: addresses of @shared.example only the map
# gives alice, run again with their login map served by a socketmap
# server and by a tcp_table server (tests/daemon/mapd) instead of read
# from the file: every 250, 553 and record they expect must come out
# the same.  Each
# script asserts its own replies and audit records; each run must also
# have asked the server.  Prints TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/port.sh"
. "$top_srcdir/tests/lib/tap.sh"
# The scripts whose transactions reach the sender check (gate_exempt and
# gate_unauthenticated stop before it: no lookup to compare).
SCRIPTS="gate_mechanism gate_plaintext gate_not_owned gate_null_sender
 gate_pass gate_monitor hfrom_owned"
set -- $SCRIPTS
tap_plan $(( $# * 2 ))
for server in socketmap tcp; do
	for s in $SCRIPTS; do
		out=$(LOGIN_MAP_SERVER=$server MAP_PORT=$(free_port) \
			sh "$top_srcdir/tests/milter/run-lua.sh" "$top_srcdir/tests/milter/$s.lua")
		lookups=$(printf '%s\n' "$out" | sed -n 's/^# login_map served by mapd.*: \([0-9]*\) lookups$/\1/p')
		if printf '%s\n' "$out" | grep -q "^ok 1 - $s\$" && [ "${lookups:-0}" -gt 0 ]; then
			ok "$s with the login map on a $server server ($lookups lookups)"
		else
			printf '%s\n' "$out" | grep -v '^1\.\.1$' | sed 's/^/# /' | tail -n 30
			not_ok "$s with the login map on a $server server"
		fi
	done
done
tap_done
