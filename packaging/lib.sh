# SPDX-License-Identifier: BSD-2-Clause
# packaging/lib.sh: what the package checks share (check-package.sh,
# check-system-postfix.sh): TAP output, a clean source tree, the .deb
# built from it.  Sourced (POSIX sh), never run.  The caller sets $work
# (a scratch directory) before it calls anything here.
#
#	ok, not_ok, skip, check	TAP lines (tests/lib/tap.sh, sourced here)
#	wait_socket, wait_gone	bounded waits (tests/lib/proc.sh, sourced here)
#	silent NAME COMMAND...	passes when COMMAND succeeds and prints nothing
#	finish			prints the plan; exits 0 only if all passed
#	pkg_source TOP [TARBALL]	a clean source tree in $work/src: the
#				tarball, the work tree's files (with
#				DOTGATE_PKG_SRC=worktree) or git archive HEAD
#	pkg_build		builds it; sets $deb and $changes, or bails out

. "$here/../tests/lib/tap.sh"
. "$here/../tests/lib/proc.sh"

silent() {
	_name=$1
	shift
	check "$_name" quiet "$@"
}
# quiet COMMAND...: COMMAND succeeds and prints nothing.
quiet() {
	"$@" >"$work/out" 2>&1 && [ ! -s "$work/out" ] && return 0
	cat "$work/out"
	return 1
}

finish() {
	tap_done
	exit
}

pkg_source() {
	src=$work/src
	mkdir "$src"
	if [ -n "${2:-}" ]; then
		check "source: unpack $(basename "$2")" \
			tar -xf "$2" -C "$src" --strip-components=1
	elif [ "${DOTGATE_PKG_SRC:-}" = worktree ]; then
		check "source: work tree files of $1" sh -c '
			cd "$1" && git ls-files -z --cached --others --exclude-standard |
			tar --null --ignore-failed-read -T - -cf - | tar -xf - -C "$2"' \
			sh "$1" "$src"
	else
		check "source: git archive HEAD of $1" sh -c \
			'git -C "$1" archive --format=tar HEAD | tar -xf - -C "$2"' \
			sh "$1" "$src"
	fi
	if [ ! -f "$src/packaging/debian/control" ]; then
		echo "Bail out! no packaging/debian/control in the source"
		finish
	fi
}

pkg_build() {
	check "build dependencies installed (dpkg-checkbuilddeps)" \
		dpkg-checkbuilddeps "$src/packaging/debian/control"
	start=$(date +%s)
	if (cd "$src" && sh packaging/build-deb.sh -us -uc -b) >"$work/build.log" 2>&1; then
		ok "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
	else
		not_ok "dpkg-buildpackage -us -uc -b"
		tail -n 60 "$work/build.log" | sed 's/^/# /'
		echo "Bail out! the package did not build"
		finish
	fi
	grep -E '^# (TOTAL|PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' "$work/build.log" |
		sed 's/^/# unit tests in the build: /'
	deb=$(ls "$work"/dotgate_*.deb 2>/dev/null | head -n 1)
	changes=$(ls "$work"/dotgate_*.changes 2>/dev/null | head -n 1)
	if [ -z "$deb" ] || [ -z "$changes" ]; then
		not_ok "the build produced dotgate_*.deb and .changes"
		echo "Bail out! no package"
		finish
	fi
	ok "the build produced $(basename "$deb")"
}
