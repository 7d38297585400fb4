#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# html_browser.sh: the HTML report looked at in a real browser.  Headless
# Chromium (Debian's chromium) renders dotgate-report --html of the
# fixtures at a desktop width (1280 px) and at a phone width (400 px)
# with every network request refused; the screenshots must show the
# charts (the reject red and accept green of the bars, many colours,
# enough ink) and the DOM Chromium built must hold every section and no
# script.  The page and the PNGs stay in the build directory
# (tests/report/report*.png) for a person to open.  Prints TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
src=$top_srcdir/tests/report
report=$top_builddir/filter/report/dotgate-report
pngstat=$top_builddir/tests/report/pngstat
out=$(cd "$top_builddir/tests/report" && pwd)	# file:// needs it absolute

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-browser.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

. "$top_srcdir/tests/lib/tap.sh"

tap_plan 9
chromium=$(command -v chromium || command -v chromium-browser)
if [ -z "$chromium" ]; then
	echo "# chromium is not installed (tests/deps.sh installs it)"
	for i in 1 2 3 4 5 6 7 8 9; do not_ok "no chromium"; done
	exit 0
fi

# The fixtures, and a hostile record: its strings must stay text.
printf '%s\n' '{"ts":"2026-11-29T13:30:00Z","host":"mx3","stage":"mail","client":{"addr":"192.0.2.9"},"auth":{"user":"eve"},"from":"<script>document.body.innerHTML=\"\"</script>","verdict":"reject","rule":"sender.not_owned","mode":"enforce"}' \
	>"$tmp/hostile.jsonl"
page=$out/report.html
check "dotgate-report --html of the fixtures" "$report" --html "$page" \
	"$src/fixture.jsonl" "$src/fixture.syslog" "$src/fixture_hfrom.records" \
	"$tmp/hostile.jsonl"
check "self-contained: no src=, href=, url() or @import" sh -c \
	"! grep -Eq 'src=|href=|url\\(|@import' '$page'"

# HOME and the profile in tmp; every host name resolves to nothing and
# every request goes to a closed loopback port: the page must not care.
browse() {
	HOME=$tmp timeout 90 "$chromium" --headless --no-sandbox --disable-gpu \
		--user-data-dir="$tmp/profile" --no-first-run \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--proxy-server=127.0.0.1:9 --hide-scrollbars "$@" 2>>"$tmp/chromium.log"
}
shot() {	# shot WIDTH HEIGHT: the screenshot and its numbers
	rm -f "$out/report-$1.png"
	browse --window-size="$1,$2" --screenshot="$out/report-$1.png" \
		"file://$page" >/dev/null
	"$pngstat" "$out/report-$1.png" '#d2423b' '#4c9a5f' >"$tmp/stat-$1" 2>&1
	echo "# $1 px: $(tr '\n' ' ' <"$tmp/stat-$1")"
}
shot 1280 2600
check "1280 px: the charts are drawn (reject red, accept green bars)" sh -c "
	awk '/^#d2423b/ { r = \$2 } /^#4c9a5f/ { g = \$2 } END { exit !(r >= 2000 && g >= 2000) }' '$tmp/stat-1280'"
check "1280 px: not blank (>= 50 colours, >= 3% ink)" sh -c "
	awk '/^width/ { ok = \$6 >= 50 && \$8 >= 30 } END { exit !ok }' '$tmp/stat-1280'"
shot 400 2600
check "400 px: the charts are drawn" sh -c "
	awk '/^#d2423b/ { r = \$2 } /^#4c9a5f/ { g = \$2 } END { exit !(r >= 300 && g >= 300) }' '$tmp/stat-400'"
check "400 px: not blank (>= 50 colours, >= 3% ink)" sh -c "
	awk '/^width/ { ok = \$6 >= 50 && \$8 >= 30 } END { exit !ok }' '$tmp/stat-400'"

browse --dump-dom "file://$page" >"$tmp/dom.html"
check "the DOM holds every section title" sh -c "
	for t in 'Period and records' 'Decisions over time' \
	    'Anomalies over time' 'Anomaly classes' \
	    'Top unauthenticated clients' 'Sender ownership refusals by login' \
	    'From header refusals by login' \
	    'Monitor mode: From header refusals that would have been made' \
	    'Monitor mode: what enforce mode would have done' 'Hosts'; do
		grep -q \"<h2>\$t</h2>\" '$tmp/dom.html' || { echo \"missing: \$t\"; exit 1; }
	done"
check "the DOM has both charts and every host" sh -c "
	test \$(grep -o '<svg class=\"chart\"' '$tmp/dom.html' | wc -l) -eq 2 &&
	for h in mx1.example.net mx2.example.net mx mx3; do
		grep -q \"<td>\$h</td>\" '$tmp/dom.html' || { echo \"no host \$h\"; exit 1; }
	done"
check "the hostile sender is text in the DOM, and no script ran" sh -c "
	grep -q '&lt;script&gt;document.body.innerHTML' '$tmp/dom.html' &&
	! grep -qi '<script' '$tmp/dom.html' &&
	grep -q '<h2>Hosts</h2>' '$tmp/dom.html'"
tap_done
