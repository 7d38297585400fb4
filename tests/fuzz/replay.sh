#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/fuzz/replay.sh: "make check" runs every fuzz target's entry point
# over its seed corpus (tests/fuzz/corpus/TARGET) and its crash regression
# inputs (tests/fuzz/regress/TARGET) with the replay driver, so inputs that
# once broke a property keep being tested without clang or libFuzzer.
# TAP, one test per target.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/tap.sh"
targets="scanner policy loginmap audit report remotemap postconf sendmailcf addrlist"

set -- $targets
tap_plan $#
for t in $targets; do
	bin=$top_builddir/tests/fuzz/replay_$t
	if [ ! -x "$bin" ]; then
		not_ok "$t: $bin not built"
		continue
	fi
	out=$(mktemp "${TMPDIR:-/tmp}/dotgate-replay.XXXXXX") || exit 1
	# A target without crash inputs has no regress directory (git keeps
	# no empty directories).
	regress=$top_srcdir/tests/fuzz/regress/$t
	[ -d "$regress" ] || regress=
	"$bin" "$top_srcdir/tests/fuzz/corpus/$t" $regress >"$out" 2>&1
	rc=$?
	n=$(grep -c '^ok ' "$out")
	if [ $rc -eq 0 ] && ! grep -q '^not ok' "$out"; then
		ok "$t: $n inputs replayed"
	else
		not_ok "$t: replay failed (exit $rc) after $n inputs" \
			"$(grep -v '^ok ' "$out" | tail -n 30)"
	fi
	rm -f "$out"
done
tap_done
