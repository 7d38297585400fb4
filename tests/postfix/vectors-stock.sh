#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors-stock.sh: what a postmaster gets out of the box
# from the Postfix installed here, with dotgate's shipped body policy:
# nothing of smtpd_forbid_bare_newline, smtpd_forbid_unauth_pipelining
# or milter_default_action is pinned (PF_STOCK=1), so the suite follows
# the release's own defaults, read with postconf -d.  TAP.
#
# Every vector runs twice, alice authenticated:
# - as an Internet client ($mynetworks does not hold 127.0.0.1): with
#   Postfix 3.9's default smtpd_forbid_bare_newline = normalize (Debian
#   13) no look-alike ends DATA early (vectors-normalize.sh's table);
#   with 3.7's "no" (Debian 12) the LF forms split the message
#   (vectors.sh's table);
# - as a client of $mynetworks, which the default
#   smtpd_forbid_bare_newline_exclusions leaves out of normalize: the LF
#   forms split the message on every release.  Where Postfix refuses
#   commands pipelined after DATA (smtpd_forbid_unauth_pipelining = yes,
#   3.9 and later), it answers the hidden MAIL (dotgate: 553), then
#   hangs up at the hidden DATA with input unread: the probe reads a
#   reset and says split-refused; the hidden message is never queued.
# Last, dotgate is stopped: milter_default_action decides what the
# client gets (tempfail: 451 at MAIL FROM; shutdown: 421 in place of the
# greeting, so the probe cannot even start: outcome error).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/postfix/vectors-lib.sh"
PF_STOCK=1

stock() { postconf -d -h "$1"; }
version=$(stock mail_version)
bare=$(stock smtpd_forbid_bare_newline)
pipelining=$(stock smtpd_forbid_unauth_pipelining)
default_action=$(stock milter_default_action)

# The defaults each release is known to ship, so that a change of them
# is seen here first.
case $version in
3.[0-8].*) want="no no tempfail" ;;
*) want="normalize yes shutdown" ;;
esac
vl_start
is "Postfix $version defaults: smtpd_forbid_bare_newline, smtpd_forbid_unauth_pipelining, milter_default_action" \
	"$bare $pipelining $default_action" "$want"

echo "# --- an Internet client: 127.0.0.1 outside \$mynetworks"
PF_MYNETWORKS=192.0.2.0/24
vl_restart_postfix
case $bare in
normalize) vl_table "$VL_NORMALIZED" ;;
*) vl_table "$VL_SPLIT" ;;
esac

echo "# --- a client of \$mynetworks (excluded from bare-newline handling)"
PF_MYNETWORKS=127.0.0.0/8
vl_restart_postfix
[ "$pipelining" = yes ] && VL_RESET=1
vl_table "$VL_SPLIT"
# The same outcome for every vector over five runs, in clear and inside
# STARTTLS: which replies survive Postfix's reset differs between runs,
# the probe's verdict must not.
want=$(printf '%s\n' "$VL_SPLIT" | awk 'NF { printf "%s%s=%s", sep, $1, $2; sep = " " }')
for tls in clear starttls; do
	targs=
	[ $tls = starttls ] && targs="--starttls --cafile $PF_DIR/etc/tls/cert.pem"
	: >"$PF_DIR/runs.$tls"
	for run in 1 2 3 4 5; do
		# shellcheck disable=SC2086
		pf_probe "$PF_SUB_PORT" $ALICE "$PF_DIR/alice.pw" $targs \
			--from alice@example.test --to bob@example.test |
			jq -r '[.vectors[] | .name + "=" + .outcome] | join(" ")' \
			>>"$PF_DIR/runs.$tls"
	done
	is "5 runs ($tls): each vector's outcome the same every run, and the table's" \
		"$(sort -u "$PF_DIR/runs.$tls")" "$want"
done
check "no hidden message was delivered" \
	sh -c '! grep -rlq "^Return-Path: <smuggled@" "$1/mail/inbox/new" "$1/mail/inbox/cur" 2>/dev/null' \
	sh "$PF_DIR"

# dotgate down: what milter_default_action gives the client.
pf_dotgate_stop
out=$(pf_probe "$PF_SUB_PORT" --from alice@example.test --to bob@example.test \
	--vector control)
got=$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')
echo "# dotgate down: $got"
case $default_action in
tempfail) want="rejected|451 4.7.1 Service unavailable - try again later" ;;
shutdown) want="error|greeting: 421 mx.example.test Service unavailable - try again later" ;;
*) want="(milter_default_action = $default_action is not known to this test)" ;;
esac
is "dotgate down, milter_default_action = $default_action" "$got" "$want"
pf_done
