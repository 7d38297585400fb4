#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/doctor.sh: dotgate-doctor(8)'s "POSTFIX CHECKS" against a
# real private Postfix (tests/postfix/lib.sh) and a running dotgate: each
# risky setting switched on and off with postconf changes exactly its
# finding and the exit status; then Postfix is started to show that what
# the doctor calls unreachable is: a socket mail_owner may not write is
# refused by smtpd.  PF_STOCK=1 keeps the release's defaults and prints
# the doctor's report on them (README "Check the server").  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate probe jq
DOCTOR=${DOTGATE_DOCTOR:-${top_builddir:-.}/filter/doctor/dotgate-doctor}
[ -x "$DOCTOR" ] || tap_bail "dotgate-doctor not built"

T0=$(date +%s)
pf_init
# dg_conf NAME [LINE [EXEMPT]]: a dotgate.conf on $PF_SOCK whose gate
# applies to submission only, with LINE added and EXEMPT as its
# exempt_networks (127.0.0.0/8, inside the instance's mynetworks).
dg_conf() {
	pf_dotgate_conf "$1" <<EOF
socket = "unix:$PF_SOCK"
${2:-}
auth {
  daemons = {"submission"}
  exempt_networks = {"${3:-127.0.0.0/8}"}
}
EOF
}
CONF=$(dg_conf doctor)
pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
pf_postfix_config milter
ETC=$PF_DIR/etc
SUB=$PF_SUB_PORT/inet
pc() { postconf -c "$ETC" "$@"; }
touch -d "@$(($(date +%s) - 5))" "$ETC/main.cf" "$ETC/master.cf"
VERSION=$(pc -h mail_version)
echo "# Postfix $VERSION"

# doctor [DOTGATE_CONF]: the JSON report in $PF_DIR/doc.json, the exit
# status in $RC, "level service setting" lines in $PF_DIR/doc.lines.
doctor() {
	# postconf waits up to 1.5 s for a main.cf changed within the last
	# second to settle; the changes here are complete.
	touch -d "@$(($(date +%s) - 5))" "$ETC/main.cf" "$ETC/master.cf"
	"$DOCTOR" --postfix="$ETC" -c "${1:-$CONF}" --json >"$PF_DIR/doc.json" 2>"$PF_DIR/doc.err"
	RC=$?
	jq -r '.findings[] | "\(.level) \(.service) \(.setting)"' "$PF_DIR/doc.json" |
		LC_ALL=C sort >"$PF_DIR/doc.lines"
}

# field SERVICE SETTING [FIELD]: a field (level) of that finding in the
# last run, "none" when there is no such finding.
field() {
	jq -r --arg s "$1" --arg n "$2" --arg f "${3:-level}" \
		'[.findings[] | select(.service == $s and .setting == $n) | .[$f]][0] // "none"' \
		"$PF_DIR/doc.json"
}

restore() {
	cp "$ETC/main.cf.base" "$ETC/main.cf"
	cp "$ETC/master.cf.base" "$ETC/master.cf"
}

# Postfix 3.7's defaults (pinned, or Debian 12's own): one risk, the
# bare newlines, with its exact fix.  Postfix 3.10's own defaults
# (PF_STOCK=1 on Debian 13): no risk, the $mynetworks exclusion a warn.
doctor
if [ "${PF_STOCK:-0}" = 1 ]; then
	"$DOCTOR" --postfix="$ETC" -c "$CONF" | sed 's/^/# stock: /'
fi
case ${PF_STOCK:-0}:$VERSION in
1:3.9*|1:3.1[0-9]*|1:[4-9]*)
	is "3.9 and later defaults: exit 0" "$RC" 0
	is "3.9 and later: the \$mynetworks exclusion is a warn" \
		"$(field main.cf smtpd_forbid_bare_newline_exclusions)" warn
	;;
*)
	is "3.7 defaults: exit 1" "$RC" 1
	is "3.7 defaults: smtpd_forbid_bare_newline = no is a risk" \
		"$(field main.cf smtpd_forbid_bare_newline)" risk
	is "3.7 defaults: the only risk" "$(grep -c '^risk ' "$PF_DIR/doc.lines")" 1
	is "3.7 defaults: the fix is the exact command" \
		"$(field main.cf smtpd_forbid_bare_newline fix)" \
		"postconf -c $ETC -e 'smtpd_forbid_bare_newline=normalize'"
	;;
esac

# The base every flip starts from: that fix applied, exclusions emptied.
pc -e smtpd_forbid_bare_newline=normalize smtpd_forbid_bare_newline_exclusions=
cp "$ETC/main.cf" "$ETC/main.cf.base"
cp "$ETC/master.cf" "$ETC/master.cf.base"
doctor
cp "$PF_DIR/doc.lines" "$PF_DIR/base.lines"
is "base: exit 0" "$RC" 0
is "base: dotgate reached on submission" "$(field "$SUB" smtpd_milters)" ok
is "base: postfix may connect to the socket" "$(field "$SUB" socket)" ok
grep -v '^ok' "$PF_DIR/base.lines" | sed 's/^/# base: /'

# flip DESC RC SERVICE SETTING LEVEL [ALSO...]: after the change made
# just before, the doctor exits RC, SERVICE's SETTING is at LEVEL, and
# every other finding that changed level is about SETTING or one of ALSO.
flip() {
	_d=$1 _rc=$2 _s=$3 _n=$4 _l=$5
	shift 5
	doctor "${FLIP_CONF:-}"
	is "$_d: exit $_rc" "$RC" "$_rc"
	is "$_d: $_s $_n is $_l" "$(field "$_s" "$_n")" "$_l"
	_other=$(LC_ALL=C comm -3 "$PF_DIR/base.lines" "$PF_DIR/doc.lines" |
		awk -v n="$_n" -v also=" $* " '{ s = $NF } s != n && index(also, " " s " ") == 0')
	is "$_d: nothing else changed" "$_other" ""
	restore
}

# Every finding that follows from dotgate on submission.
ATTACHED="socket milter_default_action milter_protocol milter_mail_macros smtpd_sasl_auth_enable auth.exempt_networks auth.daemons"

pc -e smtpd_forbid_bare_newline=no
flip "bare newline no" 1 main.cf smtpd_forbid_bare_newline risk \
	smtpd_forbid_bare_newline_exclusions auth.exempt_networks
pc -e 'smtpd_forbid_bare_newline_exclusions=$mynetworks'
flip "exclusions \$mynetworks" 0 main.cf smtpd_forbid_bare_newline_exclusions warn \
	auth.exempt_networks
pc -e milter_default_action=accept
flip "milter_default_action accept" 1 main.cf milter_default_action risk
pc -e milter_default_action=quarantine
flip "milter_default_action quarantine" 0 main.cf milter_default_action warn
pc -P "$SUB/smtpd_milters="
flip "submission without smtpd_milters" 1 "$SUB" smtpd_milters risk $ATTACHED
# A chrooted submission that names dotgate's socket by its absolute path:
# inside the chroot that is $PF_DIR/spool$PF_SOCK, which does not exist.
pc -F "$SUB/chroot=y"
flip "chroot y, absolute socket path" 1 "$SUB" smtpd_milters risk $ATTACHED
pc -F "$SUB/chroot=n"
flip "chroot n, absolute socket path" 0 "$SUB" smtpd_milters ok
pc -P "$SUB/receive_override_options=no_milters"
flip "no_milters on submission" 1 "$SUB" receive_override_options risk
pc -e smtpd_forbid_unauth_pipelining=yes
flip "unauth pipelining yes" 0 main.cf smtpd_forbid_unauth_pipelining ok
pc -e cleanup_replace_stray_cr_lf=no
flip "stray CR/LF kept" 0 main.cf cleanup_replace_stray_cr_lf warn
pc -e milter_protocol=4
flip "milter_protocol 4" 0 main.cf milter_protocol warn milter_mail_macros
pc -e milter_protocol=4 milter_connect_macros=j
flip "protocol 4 without {daemon_name}" 1 main.cf milter_mail_macros risk milter_protocol
pc -P "$SUB/smtpd_proxy_filter=127.0.0.1:10099"
flip "proxy filter on submission" 0 "$SUB" smtpd_proxy_filter warn
pc -P "$SUB/smtpd_sasl_auth_enable=no"
flip "gated submission without AUTH" 0 "$SUB" smtpd_sasl_auth_enable warn
pc -P "$SUB/milter_macro_daemon_name=msa"
flip "submission's daemon name not in auth.daemons" 1 "$SUB" milter_macro_daemon_name risk \
	auth.daemons smtpd_sasl_auth_enable auth.exempt_networks

# dotgate.conf against Postfix.
FLIP_CONF=$(dg_conf exempt "" 10.0.0.0/8)
flip "exempt 10.0.0.0/8 outside mynetworks" 0 dotgate.conf auth.exempt_networks warn
pc -e "mynetworks=127.0.0.0/8 10.0.0.0/8"
flip "exempt 10.0.0.0/8 inside mynetworks" 0 dotgate.conf auth.exempt_networks ok
FLIP_CONF=$(dg_conf monitor "mode = monitor")
flip "monitor mode" 0 dotgate.conf mode warn
FLIP_CONF=

# The socket as the postfix user meets it, then Postfix itself: smtpd
# (user postfix) really cannot connect to what the doctor calls a risk.
chmod 0600 "$PF_SOCK"
flip "socket 0600, root's" 1 "$SUB" socket risk
chmod 0600 "$PF_SOCK"
pf_postfix_start
pf_probe "$PF_SMTP_PORT" --from eve@example.test --to bob@example.test \
	--vector control >/dev/null 2>&1
denied() { grep -q "connect to Milter service.*ermission denied" "$PF_DIR/maillog"; }
wait_until 10 denied
check "smtpd is refused by the socket the doctor calls unreachable" denied
# The doctor counts mail_owner's primary group only: smtpd has no other.
_groups=
for _d in /proc/[0-9]*; do
	[ "$(readlink "$_d/cwd" 2>/dev/null)" = "$PF_DIR/spool" ] || continue
	grep -q '^Name:[[:space:]]*smtpd$' "$_d/status" 2>/dev/null || continue
	_groups=$(sed -n 's/^Groups:[[:space:]]*//p' "$_d/status" | tr -s ' \t' ' ' | sed 's/ $//')
	break
done
echo "# smtpd's supplementary groups: ${_groups:-(none)}; postfix's primary group $(id -g postfix)"
is "smtpd keeps mail_owner's primary group only" "$_groups" "$(id -g postfix)"
chmod 0666 "$PF_SOCK"
doctor
is "socket 0666: ok again" "$(field "$SUB" socket)" ok

# And a chrooted smtpd really looks for the absolute name inside its
# chroot, as the doctor says (the plain service: it needs no SASL there).
pc -F "$PF_SMTP_PORT/inet/chroot=y"
doctor
is "chrooted smtp service: the doctor calls its socket unreachable" \
	"$(field "$PF_SMTP_PORT/inet" smtpd_milters)" risk
postfix -c "$ETC" reload >/dev/null 2>&1
missing() { grep -q "connect to Milter service unix:$PF_SOCK: No such file" "$PF_DIR/maillog"; }
# A process started before the reload may still take the first session.
for _try in 1 2 3; do
	pf_probe "$PF_SMTP_PORT" --from eve@example.test --to bob@example.test \
		--vector control >/dev/null 2>&1
	wait_until 3 missing && break
done
check "the chrooted smtpd does not find it" missing

echo "# $(($(date +%s) - T0)) s"
pf_done
