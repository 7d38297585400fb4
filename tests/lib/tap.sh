# SPDX-License-Identifier: BSD-2-Clause
# tests/lib/tap.sh: the Test Anything Protocol lines of every shell suite,
# one meaning per name.  Sourced (POSIX sh), never run.
#
# NAME
#	tap.sh - numbered ok / not ok lines, a plan and a summary
# SYNOPSIS
#	. "$top_srcdir/tests/lib/tap.sh"
#	tap_plan N		prints "1..N" (or let tap_done print it last)
#	ok DESC			prints "ok N - DESC"
#	not_ok DESC [WHY]	prints "not ok N - DESC", then WHY's lines as
#				"#   " comments
#	check DESC CMD...	ok when CMD succeeds, else not_ok with CMD's
#				output (stdout and stderr) as comments
#	check_sh DESC EXPR	the same for a shell expression, evaluated in
#				the calling shell (its variables, its $?)
#	is DESC GOT WANT	ok when GOT = WANT, else not_ok showing both
#	skip DESC REASON	prints "ok N - DESC # SKIP REASON"
#	tap_bail MSG		prints "Bail out! MSG" and exits 1
#	tap_done		prints the plan unless tap_plan did, and a
#				"# N passed, N failed" comment; false when a
#				test failed or the count differs from the plan
# DESCRIPTION
#	TAP_N counts the tests so far, TAP_FAILED the failed ones.  A
#	command run by check writes to a temporary file, shown only when
#	it fails: at most TAP_SHOW lines (40), the first and last half when
#	longer, so that a command's own output can never be read as a TAP
#	line.  The lines are what tests/run-all.sh (count_tap) and
#	automake's tap-driver.sh count: "ok", "not ok", "1..N", "Bail out!".
TAP_N=0
TAP_FAILED=0
TAP_PLAN=

tap_plan() {
	TAP_PLAN=$1
	echo "1..$1"
}

ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

not_ok() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}

skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_comment FILE: FILE as "#   " lines, the middle left out when long.
tap_comment() {
	awk -v max="${TAP_SHOW:-40}" '
		{ line[NR] = $0 }
		END {
			h = int(max / 2)
			for (i = 1; i <= NR; i++) {
				if (NR > max && i == h + 1)
					printf "#   ... (%d lines)\n", NR - max
				if (NR <= max || i <= h || i > NR - h)
					print "#   " line[i]
			}
		}' "$1"
}

check() {
	_tap_desc=$1
	shift
	_tap_out=$(mktemp "${TMPDIR:-/tmp}/dotgate-tap.XXXXXX") ||
		tap_bail "mktemp failed"
	if "$@" >"$_tap_out" 2>&1; then
		ok "$_tap_desc"
	else
		not_ok "$_tap_desc"
		tap_comment "$_tap_out"
	fi
	rm -f "$_tap_out"
}

# The caller's $? stays visible to EXPR, as in "cmd; check_sh D '[ $? = 0 ]'".
check_sh() {
	_tap_rc=$?
	_tap_expr=$2
	check "$1" tap_eval "$_tap_rc"
}
tap_eval() {
	tap_status "$1"
	eval "$_tap_expr"
}
tap_status() { return "$1"; }

is() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:  $2
want: $3"
	fi
}

tap_bail() {
	echo "Bail out! $1"
	exit 1
}

tap_done() {
	[ -n "$TAP_PLAN" ] || echo "1..$TAP_N"
	echo "# $((TAP_N - TAP_FAILED)) passed, $TAP_FAILED failed"
	if [ -n "$TAP_PLAN" ] && [ "$TAP_PLAN" != "$TAP_N" ]; then
		echo "# planned $TAP_PLAN tests, ran $TAP_N"
		return 1
	fi
	[ "$TAP_FAILED" = 0 ]
}
