#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/run-all.sh: the whole test suite, as README's test command and CI
# run it on a fresh Debian 12 or 13 machine (as root): install
# dependencies, build with -Werror, run "make check" (units, miltertest,
# Postfix, Sendmail), then the checks that need their own build.  Prints
# the totals of every test as a last line "N passed, N failed" and exits
# non-zero on any failure.
#
# DOTGATE_TESTS=core leaves out what only needs to run on one release
# (CI runs it so on its second release, tests/release/chroot.sh): the
# valgrind and sanitizer rounds of "make check", the bench smoke test,
# distcheck and the fuzzers.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
passed=0
failed=0

# Adds the counts of an automake test-suite.log (TAP: one per test case).
count_log() {
	p=$(sed -n 's/^# PASS: *//p' "$1" | head -n 1)
	x=$(sed -n 's/^# XFAIL: *//p' "$1" | head -n 1)
	f=$(sed -n 's/^# FAIL: *//p' "$1" | head -n 1)
	e=$(sed -n 's/^# ERROR: *//p' "$1" | head -n 1)
	u=$(sed -n 's/^# XPASS: *//p' "$1" | head -n 1)
	passed=$((passed + ${p:-0} + ${x:-0}))
	failed=$((failed + ${f:-0} + ${e:-0} + ${u:-0}))
	keep_failures "$1"
}

# Keeps the end of each failed test's own log (the next "make check"
# overwrites it), to be printed last, where CI shows the output.
failures=$(mktemp)
trap 'rm -f "$failures"' EXIT
keep_failures() {
	_dir=$(dirname "$1")
	sed -n 's/^\(FAIL\|ERROR\|XPASS\): \([^ ]*\).*/\2/p' "$1" | sort -u |
	while read -r _t; do
		echo "--- $_dir/$_t (last 40 lines of its log)"
		tail -n 40 "$_dir/${_t%.*}.log" 2>&1
	done >> "$failures"
}

# Runs a TAP-printing command and adds its ok / not ok lines.
count_tap() {
	name=$1
	shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	[ "$rc" != 0 ] && [ "$f" = 0 ] && f=1 && echo "not ok - $name exited $rc"
	passed=$((passed + p))
	failed=$((failed + f))
	rm -f "$out"
}

step() {
	echo "=== $*"
	"$@" || { echo "FAILED: $*"; failed=$((failed + 1)); return 1; }
}

finish() {
	if [ -s "$failures" ]; then
		echo "=== the failed tests' logs"
		cat "$failures"
	fi
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit $?
}

step sh tests/deps.sh || finish
step autoreconf -fi || finish
step ./configure --enable-werror || finish
step make -j2 || finish
echo "=== make check"
make -j3 check
count_log test-suite.log

if [ "${DOTGATE_TESTS:-all}" = core ]; then
	echo "=== DOTGATE_TESTS=core: no valgrind, sanitizer, bench smoke, distcheck or fuzz round"
	count_tap package sh packaging/check-package.sh
	count_tap system-postfix sh packaging/check-system-postfix.sh
	finish
fi

# The rounds after the first repeat tests/postfix/crash.sh with 400
# messages instead of 2,000: the full count has run once on each release
# (about two minutes), and the later rounds look for what the sanitizers
# and the tarball change, not for rarer timings.
REPEAT_CRASH_N=400

# The daemon-level tests again with the daemon under valgrind memcheck:
# any error or definitely lost block fails them.
echo "=== make check-valgrind"
make -j3 check-valgrind
count_log test-suite.log

# "make bench" at its smallest: the benchmark harness still runs every
# section and writes every figure (its timings are not judged here).
count_tap bench-smoke sh tests/bench/smoke.sh

# The same suite under AddressSanitizer and UBSan, built from the
# distribution file list in a directory of its own.
sanitizers() {
	rm -rf _san
	make distdir distdir=_san >/dev/null &&
	(cd _san && ./configure -q --enable-sanitizers --enable-werror &&
	 make -j2 >/dev/null &&
	 ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 \
	 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	 CRASH_N=$REPEAT_CRASH_N make -j3 check)
	rc=$?
	[ -f _san/test-suite.log ] && count_log _san/test-suite.log
	return $rc
}
echo "=== make check with sanitizers"
sanitizers || { [ -f _san/test-suite.log ] || failed=$((failed + 1)); }

# The tarball builds out of tree and passes its own make check.
if step env CRASH_N=$REPEAT_CRASH_N make -j2 distcheck; then passed=$((passed + 1)); fi

# The Debian package: build, lintian, install, run as installed, purge.
count_tap package sh packaging/check-package.sh

# The installed path on this machine's own Debian Postfix (chrooted
# smtpd, saslauthd): the README's install lines, SMTP on loopback, purge,
# and the machine put back as it was.
count_tap system-postfix sh packaging/check-system-postfix.sh

# Every libFuzzer target for 60 seconds (clang), from the distribution
# file list; a crash fails the run and its input is kept under
# _fuzz/tests/fuzz/crashes.
fuzz() {
	rm -rf _fuzz
	make distdir distdir=_fuzz >/dev/null &&
	(cd _fuzz && ./configure -q CC=clang --enable-fuzzing &&
	 make -j2 >/dev/null && make fuzz FUZZ_SECONDS=60)
}
if step fuzz; then passed=$((passed + 1)); fi
finish
