#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# demo.sh: the README's screenshot of dotgate-report --html.
#
#	tests/report/demo.sh OUT.png	(from the source tree, after make)
#
# Two days of made-up records from two submission hosts: steady clean
# mail, a wave of unauthenticated clients (530s) on mx2 one afternoon
# and a smuggling probe at night, rendered by headless Chromium.  Not a
# test: the browser test (html_browser.sh) checks the rendering.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir/build}"
out=${1:?usage: demo.sh OUT.png}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-demo.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

awk 'BEGIN {
	srand(7);
	for (h = 0; h < 48; h++) {
		day = 1 + int(h / 24); hh = h % 24;
		busy = (hh >= 7 && hh <= 19) ? 60 : 12;
		for (i = 0; i < busy; i++) rec(day, hh, "mx" (1 + (i % 2)), "accept", "pass", "");
		for (i = 0; i < busy / 12; i++) rec(day, hh, "mx1", "reject", "sender.not_owned", "");
		w = (h >= 37 && h <= 40) ? 45 : 2;
		for (i = 0; i < w; i++) rec(day, hh, "mx2", "reject", "auth.unauthenticated", "");
		if (h == 27 || h == 28)
			for (i = 0; i < 14; i++) rec(day, hh, "mx1", "reject", "body", "smuggle_eod");
		if (rand() < 0.3) rec(day, hh, "mx1", "log", "body", "bare_lf");
	}
}
function rec(day, hh, host, verdict, rule, cls,   auth, from) {
	auth = rule == "auth.unauthenticated" ? "null" : \
		sprintf("{\"user\":\"user%d@example.test\",\"mech\":\"PLAIN\"}", int(rand() * 40));
	from = rule == "sender.not_owned" ? "ceo@example.test" : "someone@example.test";
	printf "{\"ts\":\"2026-11-%02dT%02d:%02d:%02d.000Z\",\"host\":\"%s.example.net\",\"stage\":\"%s\",\"client\":{\"addr\":\"%s\"},\"auth\":%s,\"from\":\"%s\",\"anomalies\":%s,\"verdict\":\"%s\",\"rule\":\"%s\",\"mode\":\"enforce\"}\n",
		day + 28, hh, int(rand() * 60), int(rand() * 60), host,
		rule ~ /^auth|^sender/ ? "mail" : "eom",
		rule == "auth.unauthenticated" ? sprintf("198.51.100.%d", int(rand() * 9)) : sprintf("10.0.0.%d", int(rand() * 200)),
		auth, from, cls == "" ? "{}" : sprintf("{\"%s\":{\"count\":1,\"first\":80}}", cls),
		verdict, rule;
}' > "$tmp/demo.jsonl"
"$top_builddir/filter/report/dotgate-report" --html "$tmp/demo.html" "$tmp/demo.jsonl" || exit 1
HOME=$tmp chromium --headless --no-sandbox --disable-gpu --hide-scrollbars \
	--user-data-dir="$tmp/profile" --window-size=1000,1060 \
	--screenshot="$out" "file://$tmp/demo.html" 2>/dev/null
