# SPDX-License-Identifier: BSD-2-Clause
# report_section.sh: make bench section 6, sourced by run.sh (which has
# n, note, tmp, ROUNDS and top_builddir): dotgate-report --html against
# --json on the same generated 1,000,000-record log (gen_audit.sh, four
# hosts), in ROUNDS rounds that alternate which goes first.  Both read
# and sum the same records; --html adds the time series and the page.
# Wall time from date(1), CPU (user+system) from the shell's "times".
REPORT=$top_builddir/filter/report/dotgate-report

# child_cpu: the CPU seconds of the shell's finished children so far
# ("times" in the shell itself: in a $(...) it would see the subshell's).
child_cpu() {
	times > "$tmp/times"
	awk 'NR == 2 { for (i = 1; i <= 2; i++) {
		split($i, t, "m"); s += t[1] * 60 + t[2] }; print s }' "$tmp/times"
}

# rep_one FORMAT: one timed run, as a JSON object.
rep_one() {
	child_cpu > "$tmp/c0"; _t0=$(date +%s.%N)
	"$REPORT" --format "$1" "$tmp/report.jsonl" > "$tmp/report.$1" ||
		{ echo "run.sh: dotgate-report --format $1 failed" >&2; failed=1; }
	_t1=$(date +%s.%N); child_cpu > "$tmp/c1"
	_c0=$(cat "$tmp/c0"); _c1=$(cat "$tmp/c1")
	jq -n -c --arg f "$1" --argjson t "$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.3f", b - a }')" \
		--argjson c "$(awk -v a="$_c0" -v b="$_c1" 'BEGIN { printf "%.3f", b - a }')" \
		--argjson b "$(wc -c < "$tmp/report.$1")" \
		'{format: $f, secs: $t, cpu_s: $c, out_bytes: $b}'
}

report_section() {
	_n=$(n 1000000)
	sh "$top_srcdir/tests/bench/gen_audit.sh" "$_n" 4 > "$tmp/report.jsonl"
	: > "$tmp/rep.json"; : > "$tmp/rep.html"
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		[ $((r % 2)) = 1 ] && rep_one html >> "$tmp/rep.html"
		rep_one json >> "$tmp/rep.json"
		[ $((r % 2)) = 0 ] && rep_one html >> "$tmp/rep.html"
		r=$((r + 1))
	done
	# The page must count what the JSON counts.
	_j=$(jq .records "$tmp/report.json")
	grep -q "<dt>Records</dt><dd class=\"big\">$_j</dd>" "$tmp/report.html" || {
		echo "run.sh: the HTML report does not show the $_j records of --json" >&2
		failed=1; }
	jq -n -c --argjson n "$_n" --argjson bytes "$(wc -c < "$tmp/report.jsonl")" \
		--slurpfile j "$tmp/rep.json" --slurpfile h "$tmp/rep.html" '
		def med(f): map(f) | sort | .[length / 2 | floor];
		def ratio(f): [range($j | length)] |
			map(($j[.] | f) as $a | ($h[.] | f) as $b |
			    if $a > 0 then $b / $a else empty end) |
			sort | if length > 0 then .[length / 2 | floor] else null end;
		{records: $n, input_bytes: $bytes,
		 json: {secs: ($j | med(.secs)), cpu_s: ($j | med(.cpu_s))},
		 html: {secs: ($h | med(.secs)), cpu_s: ($h | med(.cpu_s)),
			out_bytes: $h[0].out_bytes},
		 ratio: ratio(.secs), cpu_ratio: ratio(.cpu_s),
		 runs: {json: $j, html: $h}}' > "$tmp/report.sec"
}
