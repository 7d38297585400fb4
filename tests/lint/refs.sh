#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/lint/refs.sh: every reference in the tree can be followed with
# only a clone.  The manual pages (filter/man) are the specification and
# doc/ holds what they do not (README.md, "Documentation"); comments,
# manual pages, tests and scripts cite those, never a document kept
# elsewhere.  Prints TAP:
#   1  no text names a document outside the tree (a "contract" and its
#      sections, an MTA facts file, a shared directory, an issue);
#   2  every doc/NAME.md cited exists;
#   3  every dotgate manual page cited, NAME(N), is one of filter/man/;
#   4  every section cited after a manual page, in capitals or in quotes
#      (dotgate.conf(5), BODY ANOMALY CLASSES), is a .SH or .SS of it;
#   5  every heading cited in quotes after a doc/ page is one of its
#      headings;
#   6  every source path that doc/, README.md and the manual pages name
#      (tests/postfix/vectors.sh, filter/lib/gate.c) exists;
#   7  filter/README, the map of the sources, names every file of filter/.
# The files are those git tracks when the tree is a clone, else (a
# release tarball, distcheck) the text files of the tree, build results
# and test logs left out.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
self=tests/lint/refs.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The files to read: text only (grep -I skips binary ones), never this
# script (it names what it forbids), the license texts, automake's and
# Debian's generated or legal files, nor the fuzz corpora (test data).
list_files() {
	if [ -e .git ] && git ls-files >/dev/null 2>&1; then
		git ls-files
	else
		find . -type f ! -path './.git/*' | sed 's|^\./||'
	fi | grep -vE '^(_build/|_inst/|build-aux/|LICENSE$|packaging/debian/copyright$|tests/fuzz/(corpus|regress)/)' |
	grep -vE '\.(log|trs|o|a|png|gz)$|(^|/)(Makefile\.in|Makefile|configure|config\.(status|h|h\.in|log)|aclocal\.m4)$|^autom4te|^m4/' |
	grep -vxF "$self" | LC_ALL=C sort
}
list_files > "$work/files"
tr '\n' '\0' < "$work/files" > "$work/files0"
grep_files() {
	xargs -0 grep -IHnE "$@" < "$work/files0" 2>/dev/null
}

n=0
failed=0
# report TITLE FILE: ok when FILE is empty, else not ok with its lines.
report() {
	n=$((n + 1))
	if [ -s "$2" ]; then
		failed=$((failed + 1))
		echo "not ok $n - $1"
		sed 's/^/# /' "$2"
	else
		echo "ok $n - $1"
	fi
}

# 1. Documents kept outside the tree.
grep_files -i "contract sections?|project's contract|contract order|contract's|^[^A-Za-z]*contract:|mta[- ]facts|facts file|\.\./shared|\bissue #?[0-9]" \
	> "$work/outside"
report "no reference to a document outside the tree" "$work/outside"

# 2. doc/ pages.
: > "$work/doc"
grep_files -o '\bdoc/[A-Za-z0-9_.-]+\.md' | while IFS= read -r hit; do
	page=${hit##*:}
	[ -f "$page" ] || echo "$hit: no such page"
done > "$work/doc"
report "every doc/ page cited exists" "$work/doc"

# The dotgate manual pages cited, NAME(N), as FILE:LINE:NAME(N); in the
# manual pages' own source the name is written dotgate\-report (1).
grep_files -o 'dotgate((\\?-)[a-z]+|\.conf)? ?\([0-9]\)' |
	sed 's/\\-/-/g; s/ (/(/' > "$work/pages"

# 3. The manual pages exist.
while IFS= read -r hit; do
	ref=${hit##*:}
	name=${ref%(*}
	sec=${ref#*(}
	sec=${sec%)}
	[ -f "filter/man/$name.$sec" ] || echo "$hit: not in filter/man/"
done < "$work/pages" > "$work/man"
report "every dotgate manual page cited is in filter/man/" "$work/man"

# titles PAGE: the .SH and .SS titles of a manual page, in capitals,
# without quotes and escapes, one a line.
titles() {
	sed -n 's/^\.S[HS] //p' "$1" | sed 's/"//g; s/\\-/-/g; s/\\&//g' |
		tr '[:lower:]' '[:upper:]'
}

# starts_with TEXT: some line of standard input starts with TEXT.
starts_with() {
	awk -v t="$1" 'index($0, t) == 1 { f = 1 } END { exit !f }'
}

# 4. Sections cited after a manual page: NAME(N), "Title" or
# NAME(N), CAPITALS (a title cut by a line end matches its start).
grep_files -o 'dotgate(-[a-z]+|\.conf)?\([0-9]\),? +("[^"]+"|[A-Z][A-Z]+( [A-Z][A-Z-]*)*)' |
	sed 's/^\(.*\):\(dotgate[a-z.-]*\)(\([0-9]\)),* *"*\([^"]*\)"*$/\1|\2|\3|\4/' |
while IFS='|' read -r where name sec title; do
	page=filter/man/$name.$sec
	[ -f "$page" ] || continue	# reported by test 3
	title=$(printf '%s\n' "$title" | tr '[:lower:]' '[:upper:]')
	titles "$page" | starts_with "$title" ||
		echo "$where: $name($sec) has no section \"$title\""
done > "$work/sections"
report "every manual page section cited exists" "$work/sections"

# 5. Headings cited in quotes after a doc/ page.
grep_files -o '\bdoc/[A-Za-z0-9_.-]+\.md,? +"[^"]+"' | while IFS= read -r hit; do
	where=${hit%%:doc/*}
	cite=${hit#"$where":}
	page=${cite%%.md*}.md
	head=$(printf '%s\n' "${cite#"$page"}" | sed 's/^,* *"//; s/"$//')
	[ -f "$page" ] || continue	# reported by test 2
	grep -E '^#+ ' "$page" | sed 's/^#* *//' | tr '[:lower:]' '[:upper:]' |
		starts_with "$(printf '%s\n' "$head" | tr '[:lower:]' '[:upper:]')" ||
		echo "$where: $page has no heading \"$head\""
done > "$work/headings"
report "every doc/ heading cited exists" "$work/headings"

# 6. Paths named by the documentation.
grep -E '^(doc/.*\.md|README\.md|filter/man/.*\.[0-9])$' "$work/files" |
	tr '\n' '\0' | xargs -0 grep -IHnoE \
	'\b(tests|filter|include|packaging|conf|mk|doc)/[A-Za-z0-9_./-]*[A-Za-z0-9_]\.(sh|c|h|lua|am|md|conf|example|supp|yml|[1-8])\b' 2>/dev/null |
	sed 's/\\-/-/g' | while IFS= read -r hit; do
	path=${hit##*:}
	[ -f "$path" ] || echo "$hit: no such file"
done > "$work/paths"
report "every source path the documentation names exists" "$work/paths"

# 7. filter/README names every source file (X.h may go unnamed beside
# its X.c: it declares X.c to its folder).
grep -E '^filter/.*\.[ch]$' "$work/files" | while IFS= read -r f; do
	b=${f##*/}
	grep -qw -- "$b" filter/README && continue
	case $b in *.h) grep -qw -- "${b%.h}.c" filter/README && continue ;; esac
	echo "$f: not in filter/README"
done > "$work/readme"
report "filter/README names every source file" "$work/readme"

echo "1..$n"
[ "$failed" -eq 0 ]
