#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/doctor/cli.sh: dotgate-doctor's command line, output forms and
# exit status (dotgate-doctor(8), OPTIONS, OUTPUT, EXIT STATUS), without
# a Postfix: a stand-in postconf first on PATH prints the Debian 12
# fixture of tests/unit/doctor (checking it is given -c DIR), or fails.
# Then once with the installed postconf, when there is one, on a
# configuration directory made from Debian's templates (no Postfix is
# started).  The Postfix checks themselves are tests/postfix/doctor.sh's.
# Prints TAP.
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
doctor=$top_builddir/filter/doctor/dotgate-doctor
fix=$top_srcdir/tests/unit/doctor/debian12

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-doctor.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

. "$top_srcdir/tests/lib/tap.sh"

[ -x "$doctor" ] || tap_bail "$doctor not built"
command -v jq >/dev/null || tap_bail "jq is needed"

# A postconf that wants "-c $tmp/pf" and prints the fixture; "fail"
# in that directory makes it fail as postconf does on a missing main.cf.
mkdir "$tmp/bin" "$tmp/pf"
cat >"$tmp/bin/postconf" <<EOS
#!/bin/sh
[ "\$1 \$2" = "-c $tmp/pf" ] || { echo "postconf: fatal: unexpected \$*" >&2; exit 3; }
[ -e "$tmp/pf/fail" ] && { echo "postconf: fatal: open $tmp/pf/main.cf: No such file or directory" >&2; exit 1; }
case \$3 in
-M) cat "$fix.master" ;;
-P) cat "$fix.overrides" ;;
*) cat "$fix.main" ;;
esac
EOS
chmod 755 "$tmp/bin/postconf"
syspath=$PATH
PATH=$tmp/bin:$PATH
export PATH
printf 'socket = unix:%s/dotgate.sock\n' "$tmp" >"$tmp/dotgate.conf"
printf 'socket = unix:%s/dotgate.sock\nno_such_key = 1\n' "$tmp" >"$tmp/bad.conf"

# run ARGS...: the doctor's stdout, stderr and status in $tmp/{out,err,rc}.
run() {
	"$doctor" "$@" >"$tmp/out" 2>"$tmp/err"
	echo $? >"$tmp/rc"
}
rc() { cat "$tmp/rc"; }

tap_plan 18

run -c "$tmp/dotgate.conf" --postfix="$tmp/pf"
is "readable configurations: the first line names Postfix 3.7.11" \
	"$(head -n 1 "$tmp/out" | sed 's/: [0-9]* risk.*//')" \
	"dotgate-doctor: postfix 3.7.11"
nrisk=$(grep -c '^risk ' "$tmp/out")
if [ "$nrisk" -gt 0 ]; then want=1; else want=0; fi
is "exit $want with $nrisk risk lines" "$(rc)" "$want"
check "every finding line has the form LEVEL SERVICE SETTING = VALUE: MEANING" \
	sh -c "sed 1d '$tmp/out' | grep -Ev '^(risk|warn|ok  ) [^ ]+ [^ ]+ = .*: .' | grep -q . && exit 1; exit 0"
echo "# findings: $(sed 1d "$tmp/out" | wc -l) lines, $nrisk risk"

run -c "$tmp/dotgate.conf" --postfix="$tmp/pf" --json
check "--json: one object with mta, version, counts and six-member findings" \
	jq -e '.mta == "postfix" and .version == "3.7.11" and
		(.risk + .warn + .ok) == (.findings | length) and
		all(.findings[]; keys == ["fix","level","meaning","service","setting","value"])' "$tmp/out"
is "--json: the same exit status" "$(rc)" "$want"

run -c "$tmp/bad.conf" --postfix="$tmp/pf"
is "invalid dotgate.conf: exit 2" "$(rc)" 2
check "invalid dotgate.conf: FILE:LINE: message on stderr" \
	grep -q "^$tmp/bad.conf:2: " "$tmp/err"
check "invalid dotgate.conf: a risk finding, and the Postfix version still read" \
	sh -c "grep -q '^risk dotgate.conf file = $tmp/bad.conf: .*; fix: dotgate -n -c ' '$tmp/out' &&
		head -n 1 '$tmp/out' | grep -q 'postfix 3.7.11'"

run -c "$tmp/missing.conf" --postfix="$tmp/pf" --json
check "missing dotgate.conf, --json: exit 2 and the finding in the object" \
	sh -c "[ \$(cat '$tmp/rc') = 2 ] && jq -e '.findings[0].service == \"dotgate.conf\" and .findings[0].level == \"risk\"' '$tmp/out'"

touch "$tmp/pf/fail"
run -c "$tmp/dotgate.conf" --postfix="$tmp/pf"
is "postconf failing: exit 2" "$(rc)" 2
check "postconf failing: its message in the finding and on stderr" \
	sh -c "grep -q '^risk main.cf config_directory = $tmp/pf: .*postconf: fatal: open' '$tmp/out' &&
		grep -q 'postconf: fatal: open' '$tmp/err'"
rm "$tmp/pf/fail"

run -c "$tmp/dotgate.conf" --postfix=/elsewhere
is "--postfix=DIR is passed on as postconf -c DIR (another DIR: postconf fails, exit 2)" \
	"$(rc)" 2

run --postfix --sendmail=/etc/mail/sendmail.cf
is "--postfix with --sendmail: usage error, exit 2" "$(rc)" 2
run --bogus
is "unknown option: exit 2" "$(rc)" 2
run -h
check_sh "-h: usage on stdout, exit 0" \
	'[ "$(rc)" = 0 ] && grep -q "^usage: dotgate-doctor" "$tmp/out"'
run -V
check_sh "-V: the version, exit 0" \
	'[ "$(rc)" = 0 ] && grep -q "^dotgate-doctor [0-9]" "$tmp/out"'

# The real postconf, as pf_read() finds it: on PATH, else /usr/sbin.
PATH=$syspath:/usr/sbin
if command -v postconf >/dev/null &&
	[ -f /usr/share/postfix/main.cf.dist ] && [ -f /usr/share/postfix/master.cf.dist ]; then
	mkdir "$tmp/real"
	cp /usr/share/postfix/main.cf.dist "$tmp/real/main.cf"
	cp /usr/share/postfix/master.cf.dist "$tmp/real/master.cf"
	ver=$(postconf -c "$tmp/real" -h mail_version)
	t0=$(date +%s%N)
	run -c "$tmp/dotgate.conf" --postfix="$tmp/real" --json
	t1=$(date +%s%N)
	echo "# real postconf $ver: $(( (t1 - t0) / 1000000 )) ms for postconf, -M, -P and the checks"
	check "the installed postconf: read (exit 0 or 1), version $ver" \
		sh -c "[ \$(cat '$tmp/rc') -le 1 ] && jq -e --arg v '$ver' '.version == \$v' '$tmp/out'"
	check "the installed postconf: nothing of its output left unread" \
		sh -c "! jq -e '.findings[] | select(.setting == \"unread\")' '$tmp/out' >/dev/null"
else
	skip "the installed postconf" "no postconf or no /usr/share/postfix templates"
	skip "the installed postconf: nothing unread" "no postconf"
fi
tap_done
