#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/lint/layers.sh: the folders of filter/ use only what is below them.
# Each file's #include "X.h" is an arrow from the file's folder to the
# folder that owns X.h: the folder holding X.h itself, or, for a header in
# include/, the folder holding X.c (the module it declares).  Prints the
# arrows between folders and checks with tsort(1) that they form no cycle;
# with -v also the file arrows behind each folder arrow.  Then checks
# that each arrow goes down the floors doc/design.md gives the folders
# (util, maps, lib, then sinks, report, probe and doctor, then dotgate).  Prints
# TAP.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2

# owner FILE: the folder a source or header belongs to.
owner() {
	case $1 in
	include/*)
		_b=$(basename "$1" .h)
		_c=$(find filter -name "$_b.c" | head -n 1)
		[ -n "$_c" ] || _c=$(find filter -name "${_b}_*.c" \
			-o -name "${_b}s.c" | LC_ALL=C sort | head -n 1)
		[ -n "$_c" ] && dirname "$_c" ;;
	*) dirname "$1" ;;
	esac
}

# resolve FROM NAME: the path an #include "NAME" in FROM refers to.
resolve() {
	_d=$(dirname "$1")
	if [ -f "$_d/$2" ]; then echo "$_d/$2"
	elif [ -f "include/$2" ]; then echo "include/$2"
	fi
}

arrows=$(mktemp)
trap 'rm -f "$arrows"' EXIT
for f in $(find filter include -name '*.[ch]' | LC_ALL=C sort); do
	from=$(owner "$f")
	sed -n 's/^#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$f" |
	while read -r name; do
		p=$(resolve "$f" "$name")
		[ -n "$p" ] || continue
		to=$(owner "$p")
		[ -z "$to" ] || [ "$from" = "$to" ] || echo "$from $to $f $p"
	done
done > "$arrows"

echo "1..2"
echo "# folder arrows (from -> to: files behind them)"
awk '{ k = $1 " -> " $2; n[k]++ } END { for (k in n) print "#   " k ": " n[k] }' \
	"$arrows" | LC_ALL=C sort
[ "${1:-}" = -v ] && sed 's/^/#     /' "$arrows"
if order=$(cut -d' ' -f1,2 "$arrows" | tsort 2>/dev/null); then
	echo "# folders from the top down: $(echo $order)"
	echo "ok 1 - the folder include graph has no cycle"
else
	echo "not ok 1 - the folder include graph has a cycle:"
	cut -d' ' -f1,2 "$arrows" | tsort 2>&1 >/dev/null | sed 's/^/#   /'
fi
# The floors of doc/design.md: an arrow must go to a lower floor.
if awk '
	BEGIN {
		floor["filter/util"] = 0; floor["filter/maps"] = 1
		floor["filter/lib"] = 2; floor["filter/sinks"] = 3
		floor["filter/report"] = 3; floor["filter/probe"] = 3
		floor["filter/doctor"] = 3
		floor["filter/dotgate"] = 4
	}
	!($1 in floor) || !($2 in floor) || floor[$1] <= floor[$2] {
		bad = 1; print "#   up or sideways: " $3 " -> " $4
	}
	END { exit bad }' "$arrows"; then
	echo "ok 2 - every arrow points to a lower floor"
else
	echo "not ok 2 - an arrow does not point down"
fi
