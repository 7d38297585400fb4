#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/monitor.sh: dotgate in monitor mode behind Postfix:
# every reject of enforce mode becomes an accepted, untagged, unheld
# message whose audit record says what would have happened.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate probe jq

pf_init
CONF=$(pf_dotgate_conf monitor <<'EOF'
mode = monitor
auth {
  exempt_networks = {}
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
body {
  smtp_commands = tag
  long_line = quarantine
}
EOF
)
pf_start "$CONF"
ALICE="--user alice@example.test --password-file $PF_DIR/alice.pw --mech SCRAM-SHA-256"

# one NAME PORT WANT_RECORD PROBE-ARGS...: the message is accepted and
# delivered unchanged; its record (the last one of the connection's first
# transaction) is [stage,verdict,would,rule,reply,mode] = WANT_RECORD.
one() {
	_name=$1 _port=$2 _want=$3
	shift 3
	_n=$(pf_audit_lines)
	_out=$(pf_probe "$_port" "$@")
	_qid=$(printf '%s\n' "$_out" | jq -r '.vectors[0].qid')
	is "$_name: accepted" \
		"$(printf '%s\n' "$_out" | jq -r '.vectors[0].outcome')" accepted
	is "$_name: record says what would have happened" \
		"$(pf_audit_since "$_n" | head -n 1 | jq -c '[.stage,.qid,.verdict,.would,.rule,.reply,.mode]')" \
		"$(printf '%s' "$_want" | sed "s/QID/$_qid/")"
	_f=$(pf_wait_delivered "id $_qid")
	if [ -n "$_f" ] && [ "$_qid" != null ]; then
		ok "$_name: delivered"
	else
		not_ok "$_name: delivered"
	fi
	is "$_name: not tagged" \
		"$( [ -n "$_f" ] && grep -c '^X-Dotgate-Anomalies:' "$_f")" 0
}

one "unauthenticated" "$PF_SMTP_PORT" \
	'["eom","QID","log","reject","auth.unauthenticated","530 5.7.0 Authentication required","monitor"]' \
	--from eve@example.test --to bob@example.test --vector control
one "alice as bob" "$PF_SUB_PORT" \
	'["eom","QID","log","reject","sender.not_owned","553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice@example.test","monitor"]' \
	$ALICE --from bob@example.test --to bob@example.test --vector control
one "PLAIN without TLS" "$PF_SUB_PORT" \
	'["eom","QID","log","reject","auth.plaintext","538 5.7.11 Encryption required for requested authentication mechanism","monitor"]' \
	--user alice@example.test --password-file "$PF_DIR/alice.pw" --mech PLAIN \
	--from alice@example.test --to bob@example.test --vector control
one "NUL in the body" "$PF_SUB_PORT" \
	'["eom","QID","log","reject","body","550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (nul, smtp_commands)","monitor"]' \
	$ALICE --from alice@example.test --to bob@example.test --vector nul
one "smuggled_transaction residue" "$PF_SUB_PORT" \
	'["eom","QID","log","reject","body","550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (smuggled_transaction)","monitor"]' \
	$ALICE --from alice@example.test --to bob@example.test --vector eod-cr-cr
one "tag" "$PF_SUB_PORT" \
	'["eom","QID","log","tag","body",null,"monitor"]' \
	$ALICE --from alice@example.test --to bob@example.test --vector control

# quarantine: would hold, but the message is delivered, not held.
_n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --from alice@example.test \
	--to bob@example.test --vector long-line)
qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
is "quarantine: record would=quarantine" \
	"$(pf_audit_since "$_n" | head -n 1 | jq -c '[.verdict,.would]')" \
	'["log","quarantine"]'
f=$(pf_wait_delivered "id $qid")
is "quarantine: delivered, not held" \
	"$( [ -n "$f" ] && echo delivered)$(pf_queue_json | jq -r "select(.queue_id==\"$qid\") | .queue_name")" \
	delivered

# Monitor mode lets Postfix's own split through: the unauthenticated
# client's hidden transaction is accepted too (smuggled), and recorded.
_n=$(pf_audit_lines)
out=$(pf_probe "$PF_SMTP_PORT" --from eve@example.test --to bob@example.test \
	--vector eod-lf-crlf)
is "unauthenticated split in monitor mode: smuggled" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" smuggled
is "both transactions recorded as would-reject" \
	"$(pf_audit_since "$_n" | jq -r '.from + ":" + .would' | tr '\n' ' ')" \
	"eve@example.test:reject smuggled@example.test:reject "

pf_done
