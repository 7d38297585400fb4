#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# exempt_logins.sh: the allowlists by login, through the milter socket.
# auth.exempt_logins lets a login send as any address (a relay account),
# body.exempt_logins leaves a login's bodies unscanned (a scanner that
# sends its test vectors); both are recorded with rule auth.exempt, and
# a login in neither list is still refused (553, and the smuggling body
# rejected).  The protocol load client drives each case.  Prints TAP.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"

tap_plan 6
ld_init
ld_conf "$LD_DIR/dotgate.conf" 'user "carol@example.test" {
  senders = {"@load.test"}
}
user "dave@example.test" {
  senders = {"@load.test"}
}
auth {
  exempt_logins = {"relay@example.test"}
}
body {
  exempt_logins = {"carol@example.test"}
}'
# count TAG JQ-FILTER: records of the senders with that tag matching the filter
count() {
	jq -c "select(.from | startswith(\"u$1\")) | select($2)" "$LD_AUDIT" | wc -l
}

ld_start "$LD_DIR/dotgate.conf" || { echo "Bail out! dotgate did not start"; exit 1; }
_c="-s unix:$LD_SOCK -k 0 -t 20000 -q -C 192.0.2.25 --tls"
"$MLTLOAD" $_c -c 1 -m 5 -B anomalies -a carol@example.test --tag c >/dev/null
"$MLTLOAD" $_c -c 1 -m 5 -B anomalies -a dave@example.test --tag d >/dev/null
"$MLTLOAD" $_c -c 1 -m 4 -a relay@example.test --tag r >/dev/null
"$MLTLOAD" $_c -c 1 -m 3 -a alice@example.test --tag a >/dev/null
sleep 0.3
check "body.exempt_logins: carol's smuggling bodies are accepted unscanned, rule auth.exempt" \
	[ "$(count c '.stage == "eom" and .verdict == "accept" and .rule == "auth.exempt" and .anomalies == {}')" = 5 ]
check "a login not in the list: dave's same bodies are rejected (rule body)" \
	[ "$(count d '.stage == "eom" and .verdict == "reject" and .rule == "body"')" = 5 ]
check "auth.exempt_logins: relay sends as addresses it does not own, rule auth.exempt" \
	[ "$(count r '.stage == "eom" and .verdict == "accept" and .rule == "auth.exempt"')" = 4 ]
check "a login not in the list: alice is refused for the same senders (553)" \
	[ "$(count a '.stage == "mail" and .rule == "sender.not_owned" and (.reply | startswith("553 "))')" = 3 ]
check "-d shows both lists" sh -c "
	'$DOTGATE' -d -c '$LD_DIR/dotgate.conf' | grep -qx '  exempt_logins = {\"relay@example.test\"}' &&
	'$DOTGATE' -d -c '$LD_DIR/dotgate.conf' | grep -qx '  exempt_logins = {\"carol@example.test\"}'"
[ -n "${KEEP:-}" ] && echo "# kept $LD_DIR"
ld_stop
check "the daemon stops cleanly" [ $? = 0 ]
tap_done
