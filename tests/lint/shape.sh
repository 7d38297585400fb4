#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/lint/shape.sh: the code-shape rules of the project, checked on
# every source file under filter/ so that they cannot erode unseen: each
# .c and .h file starts with its SPDX license line and then a comment
# saying what it is for, no .c file is over 600 lines, no function is
# over 60 lines.  Prints TAP, one test
# per file.  Functions are found as the code is written (style(9)): the
# body opens with "{" in column 1 and closes with "}" in column 1.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 2
. "$top/tests/lib/tap.sh"
files=$(find filter -name '*.[ch]' | LC_ALL=C sort)
for f in $files; do
	why=$(awk -v MAXF=600 -v MAXL=60 '
		FNR == 1 && $0 != "/* SPDX-License-Identifier: BSD-2-Clause */" {
			print "line 1 is not the SPDX license line"
		}
		FNR == 2 && $0 != "/*" { print "line 2 does not open a comment" }
		/^\{/ { start = FNR; name = prev; next }
		/^\}/ {
			if (start && FNR - start - 1 > MAXL)
				printf "%s: %d lines (line %d)\n", name, FNR - start - 1, start
			start = 0; next
		}
		!start { prev = $0 }
		END {
			if (FILENAME ~ /\.c$/ && FNR > MAXF)
				printf "%d lines, over %d\n", FNR, MAXF
		}' "$f")
	if [ -z "$why" ]; then ok "$f"; else not_ok "$f" "$why"; fi
done
tap_done
