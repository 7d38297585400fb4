#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/sendmail/doctor.sh: dotgate-doctor --sendmail on sendmail.cf files
# that sendmail-cf's own m4 macros build from conf/sendmail.mc.example,
# each changed in one place, and the finding and exit status each change
# flips (dotgate-doctor(8), "SENDMAIL CHECKS").  TAP.
#
# Only m4 and the unpacked sendmail-cf package (the Debian release's, as
# tests/sendmail/sendmail.sh fetches it) are used: no Sendmail runs, no
# root needed.  The version finding follows the release (Debian 12's
# 8.17.1.9 is a risk, 13's 8.18.1 is ok); so that the other checks'
# exit statuses can be seen on either, their .cf files get DZ8.18.1.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
: "${DOTGATE_DOCTOR:=$top_builddir/filter/doctor/dotgate-doctor}"
. "$top_srcdir/tests/lib/tap.sh"

for p in m4 dpkg jq; do
	command -v "$p" >/dev/null 2>&1 || { echo "1..0 # SKIP $p missing"; exit 0; }
done
[ -x "$DOTGATE_DOCTOR" ] || tap_bail "dotgate-doctor not built"

# The packages tests/deps.sh keeps, or the download sendmail.sh keeps in
# the build tree (the same four, so that either suite reuses it).
DEBS=${DOTGATE_SENDMAIL_DEBS:-/var/cache/dotgate/sendmail-debs}
ls "$DEBS"/sendmail-cf_*.deb >/dev/null 2>&1 || DEBS=$top_builddir/tests/sendmail/debs
if ! ls "$DEBS"/sendmail-cf_*.deb >/dev/null 2>&1; then
	mkdir -p "$DEBS"
	if ! (cd "$DEBS" && apt-get download sendmail-bin sendmail-base \
	      sendmail-cf libwrap0 >download.log 2>&1); then
		echo "1..0 # SKIP apt-get download sendmail-cf failed (run apt-get update)"
		exit 0
	fi
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-smdoctor.XXXXXX") || tap_bail "mktemp"
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM HUP
dpkg -x "$(ls "$DEBS"/sendmail-cf_*.deb | tail -n 1)" "$T/root" ||
	tap_bail "dpkg -x sendmail-cf"
CFM4=$T/root/usr/share/sendmail/cf/m4/cf.m4
[ -f "$CFM4" ] || tap_bail "no cf.m4 in sendmail-cf"
start=$(date +%s)

printf 'socket = "unix:/run/dotgate/dotgate.sock"\n' > "$T/dotgate.conf"
printf 'body {\n  bare_cr = log\n  bare_lf = log\n}\n' > "$T/lenient.conf"
printf 'socket = "unix:/run/dotgate/other.sock"\n' > "$T/othersock.conf"
printf 'Connect:127.0.0.1\tRELAY\n' > "$T/access"

# mkcf NAME [EXAMPLE_SED [EXTRA_MC_LINES]]: $T/NAME.mc (the example, edited
# by EXAMPLE_SED, plus EXTRA lines) run through m4 into $T/NAME.cf.
mkcf() {
	sed "${2:-}" "$top_srcdir/conf/sendmail.mc.example" > "$T/$1.example"
	cat > "$T/$1.mc" <<EOF
divert(-1)
divert(0)dnl
include(\`$CFM4')dnl
VERSIONID(\`dotgate doctor.sh')dnl
OSTYPE(\`linux')dnl
FEATURE(\`access_db', \`hash -T<TMPF> $T/access')dnl
DAEMON_OPTIONS(\`Port=smtp, Addr=127.0.0.1, Name=MTA')dnl
include(\`$T/$1.example')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
${3:-}
EOF
	m4 "$T/$1.mc" > "$T/$1.cf" 2> "$T/$1.m4err" || tap_bail "m4 $1.mc: $(cat "$T/$1.m4err")"
}

# doctor CF [CONF]: the doctor's JSON in $T/out.json, its status in $rc.
doctor() {
	"$DOTGATE_DOCTOR" -c "${2:-$T/dotgate.conf}" --sendmail="$1" --json \
		> "$T/out.json" 2> "$T/out.err"
	rc=$?
}

# level SERVICE SETTING: the levels of those findings in the last run.
level() {
	jq -r --arg s "$1" --arg k "$2" \
		'[.findings[] | select(.service == $s and .setting == $k) | .level] | join(",")' \
		"$T/out.json" 2>/dev/null
}

# expect DESC SERVICE SETTING LEVEL STATUS CF [CONF]: the doctor on CF
# gives that finding that level, and exits with STATUS.
expect() {
	doctor "$6" "${7:-}"
	is "$1: $4" "$(level "$2" "$3")" "$4"
	is "$1: exit $5" "$rc" "$5"
}

# modern CF: a copy whose DZ says 8.18.1, to see the other checks' status.
modern() {
	sed 's/^DZ.*/DZ8.18.1/' "$1" > "$1.modern"
	echo "$1.modern"
}

mkcf base
ver=$(sed -n 's/^DZ//p' "$T/base.cf")
echo "# sendmail-cf $(basename "$(ls "$DEBS"/sendmail-cf_*.deb | tail -n 1)"), DZ$ver"
doctor "$T/base.cf"
case $ver in
8.1[89].*|8.[2-9]*|9.*) want=ok want_rc=0 ;;
*) want=risk want_rc=1 ;;
esac
is "DZ$ver is a version finding of $want" "$(level sendmail.cf 'DZ (version)')" "$want"
is "the stock .cf exits $want_rc on DZ$ver" "$rc" "$want_rc"
is "the example's filter is on dotgate's socket" "$(level sendmail.cf 'Xdotgate S=')" ok
is "the example's F=T is ok" "$(level sendmail.cf 'Xdotgate F=')" ok
is "the example's T= is ok" "$(level sendmail.cf 'Xdotgate T=')" ok
is "daemon MTA hands its mail to dotgate" "$(level MTA InputMailFilters)" ok
is "no srv_features answer: ok" "$(level sendmail.cf srv_features)" ok
doctor "$(modern "$T/base.cf")"
is "the stock .cf at DZ8.18.1 exits 0" "$rc" 0

# srv_features U for every client, in the .cf (LOCAL_SRV_FEATURES)
mkcf srvU '' "LOCAL_SRV_FEATURES
R\$*	\$# U"
expect "U, dotgate's bare_cr = log" sendmail.cf srv_features risk 1 \
	"$(modern "$T/srvU.cf")" "$T/lenient.conf"
expect "U, dotgate's bare_cr = reject" sendmail.cf srv_features warn 0 \
	"$(modern "$T/srvU.cf")"
mkcf srvu2 '' "LOCAL_SRV_FEATURES
R\$*	\$# u2"
expect "u2 (bare CR made a space)" sendmail.cf srv_features ok 0 \
	"$(modern "$T/srvu2.cf")" "$T/lenient.conf"

# srv_features from the access map, as tests/sendmail/sendmail.sh sets it
printf 'Srv_Features:\tU\n' >> "$T/access"
expect "access map Srv_Features: U, bare_cr = log" sendmail.cf srv_features \
	risk 1 "$(modern "$T/base.cf")" "$T/lenient.conf"
printf 'Connect:127.0.0.1\tRELAY\nSrv_Features:\tO\n' > "$T/access"
expect "access map Srv_Features: O" sendmail.cf srv_features risk 1 \
	"$(modern "$T/base.cf")"
printf 'Connect:127.0.0.1\tRELAY\n' > "$T/access"

# the filter's flags and socket
mkcf flagR 's/F=T/F=R/g'
expect "F=R" sendmail.cf 'Xdotgate F=' warn 0 "$(modern "$T/flagR.cf")"
mkcf noflag 's/F=T, //g'
expect "no F=" sendmail.cf 'Xdotgate F=' risk 1 "$(modern "$T/noflag.cf")"
expect "dotgate on another socket" sendmail.cf 'Xdotgate S=' risk 1 \
	"$(modern "$T/base.cf")" "$T/othersock.conf"
mkcf nofilter '/^INPUT_MAIL_FILTER/d'
doctor "$(modern "$T/nofilter.cf")"
is "no filter definition: risk" "$(level sendmail.cf 'X (mail filter)')" risk
is "no filter: daemon MTA does not reach dotgate" "$(level MTA InputMailFilters)" risk

# the example's alternative: dotgate on the submission daemon only
mkcf msaonly '/^INPUT_MAIL_FILTER/d; s/^dnl \(MAIL_FILTER\)/\1/; s/^dnl \(DAEMON_OPTIONS(`Family=inet, Name=MSA\)/\1/'
doctor "$(modern "$T/msaonly.cf")"
is "dotgate on MSA only: MTA risk" "$(level MTA InputMailFilters)" risk
case $(level MSA InputMailFilters) in
*ok*) ok "dotgate on MSA only: MSA ok" ;;
*) not_ok "dotgate on MSA only: MSA ok" "$(cat "$T/out.json")" ;;
esac

# a .cf that is not one
printf 'not a sendmail.cf\n' > "$T/junk.cf"
doctor "$T/junk.cf"
is "a file that is no sendmail.cf: exit 2" "$rc" 2

echo "# $(($(date +%s) - start)) s for $TAP_N checks on $(ls "$T"/*.cf | wc -l) m4-built .cf files"
tap_done
