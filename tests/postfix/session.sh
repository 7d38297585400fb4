#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/session.sh: dotgate behind a real Postfix: the MAIL FROM
# gate as a client sees it (530, 538, 534, 553 verbatim), delivery,
# the tag header, quarantine (hold queue), the audit record of every
# transaction, and every SASL mechanism of dotgate-probe.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root

pf_need dotgate probe jq

pf_init
ALICE="--user alice@example.test --password-file $PF_DIR/alice.pw"
BOB="--user bob@example.test --password-file $PF_DIR/bob.pw"

# Loopback is exempt by default; the suite's clients are all on
# loopback, so the exemption is emptied.  smtp_commands = tag and
# long_line = quarantine give the control and long-line vectors
# (which Postfix hands over unchanged) a tag and a hold to check.
CONF=$(pf_dotgate_conf main <<'EOF'
auth {
  exempt_networks = {}
}
user "alice@example.test" {
  senders = {"alice@example.test", "@example.org"}
}
user "bob@example.test" {
  senders = {"bob@example.test"}
}
body {
  smtp_commands = tag
  long_line = quarantine
}
EOF
)
pf_start "$CONF"

# rec N FILTER: the jq FILTER applied to the audit records after line N.
rec() {
	pf_audit_since "$1" | jq -c "$2" 2>/dev/null | head -n 1
}

# --- 1. unauthenticated MAIL FROM on both services -----------------------
for port in $PF_SMTP_PORT $PF_SUB_PORT; do
	n=$(pf_audit_lines)
	out=$(pf_probe "$port" --from eve@example.test --to bob@example.test \
		--vector control)
	is "unauthenticated on port $port: 530 verbatim" \
		"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')" \
		"rejected|530 5.7.0 Authentication required"
	is "unauthenticated on port $port: audit record" \
		"$(rec "$n" '[.stage,.qid,.rule,.verdict,.reply,.auth,.from,.rcpts,.mode,.client.addr]')" \
		'["mail",null,"auth.unauthenticated","reject","530 5.7.0 Authentication required",null,"eve@example.test",[],"enforce","127.0.0.1"]'
done
is "daemon name of the plain service reaches dotgate" \
	"$(jq -r 'select(.rule=="auth.unauthenticated") | .daemon' "$PF_AUDIT" | sort -u | tr '\n' ' ')" \
	"smtp submission "

# --- 2. alice with her own address: delivered, tagged, recorded -----------
n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech SCRAM-SHA-256 \
	--from alice@example.test --to bob@example.test --vector control)
qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
is "alice as alice (SCRAM-SHA-256): accepted" \
	"$(printf '%s\n' "$out" | jq -r '[.auth.mech,.auth.ok,.vectors[0].outcome]|@text')" \
	'["SCRAM-SHA-256",true,"accepted"]'
f=$(pf_wait_delivered "id $qid")
if [ -n "$f" ] && [ "$qid" != null ]; then
	ok "alice's message $qid delivered"
else
	not_ok "alice's message $qid delivered" "$(tail -n 5 "$PF_DIR/maillog")"
fi
is "tag header in the delivered message" \
	"$(grep -a '^X-Dotgate-Anomalies:' "${f:-/dev/null}" | tr -d '\r')" \
	"X-Dotgate-Anomalies: smtp_commands=1"
is "audit record of alice's message" \
	"$(rec "$n" '[.stage,.qid,.daemon,.auth,.tls,.from,.rcpts,.verdict,.rule,.would,.reply,(.anomalies|keys)]')" \
	"[\"eom\",\"$qid\",\"submission\",{\"user\":\"alice@example.test\",\"mech\":\"SCRAM-SHA-256\"},null,\"alice@example.test\",[\"bob@example.test\"],\"tag\",\"body\",null,null,[\"smtp_commands\"]]"
is "audit size is the body as dotgate saw it" \
	"$(rec "$n" '.size > 0 and .anomalies.smtp_commands.count == 1')" true

# An address of alice's @example.org domain is hers too.
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech CRAM-MD5 \
	--from alice.other@example.org --to bob@example.test --vector control)
is "alice with an @example.org sender: accepted" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" accepted

# --- 3. alice as bob: 553 naming her login -------------------------------
n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech CRAM-MD5 \
	--from bob@example.test --to bob@example.test --vector control)
is "alice as bob: 553 with her login" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')" \
	"rejected|553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice@example.test"
is "alice as bob: audit record" \
	"$(rec "$n" '[.stage,.rule,.verdict,.auth.user,.auth.mech,.from]')" \
	'["mail","sender.not_owned","reject","alice@example.test","CRAM-MD5","bob@example.test"]'

# bob as bob passes, with DIGEST-MD5.
out=$(pf_probe "$PF_SUB_PORT" $BOB --mech DIGEST-MD5 \
	--from bob@example.test --to alice@example.test --vector control)
is "bob as bob (DIGEST-MD5): accepted" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" accepted

# --- 4. PLAIN and LOGIN without TLS: 538 (plaintext_needs_tls = true) -----
for mech in PLAIN LOGIN; do
	n=$(pf_audit_lines)
	out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech $mech \
		--from alice@example.test --to bob@example.test --vector control)
	is "$mech without TLS: authenticated, then 538" \
		"$(printf '%s\n' "$out" | jq -r '[.auth.mech,.auth.ok,.vectors[0].outcome,.vectors[0].reply]|@text')" \
		"[\"$mech\",true,\"rejected\",\"538 5.7.11 Encryption required for requested authentication mechanism\"]"
	is "$mech without TLS: audit rule auth.plaintext" \
		"$(rec "$n" '[.stage,.rule,.auth.mech,.tls]')" \
		"[\"mail\",\"auth.plaintext\",\"$mech\",null]"
done

# --- 5. every mechanism authenticates; a wrong password does not ---------
for mech in PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256; do
	out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech $mech \
		--from alice@example.test --to bob@example.test --vector control)
	is "dotgate-probe authenticates with $mech" \
		"$(printf '%s\n' "$out" | jq -r '[.auth.mech,.auth.ok]|@text')" \
		"[\"$mech\",true]"
done
out=$(pf_probe "$PF_SUB_PORT" --user alice@example.test \
	--password-file "$PF_DIR/bob.pw" --mech SCRAM-SHA-256 \
	--from alice@example.test --to bob@example.test --vector control)
rc=$?
is "wrong password: exit 2, auth not ok" \
	"$rc $(printf '%s\n' "$out" | jq -r '.auth.ok')" "2 false"

# --- 6. quarantine: the message is on hold -------------------------------
n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech SCRAM-SHA-1 \
	--from alice@example.test --to bob@example.test --vector long-line)
qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
is "long line (quarantine): accepted by Postfix" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" accepted
held=
i=0
while [ $i -lt 50 ]; do
	held=$(pf_queue_json | jq -r "select(.queue_id==\"$qid\") | .queue_name")
	[ -n "$held" ] && break
	sleep 0.1
	i=$((i + 1))
done
is "quarantined message $qid is in the hold queue" "$held" hold
is "quarantine: audit record" \
	"$(rec "$n" '[.stage,.qid,.verdict,.rule,(.anomalies|keys)]')" \
	"[\"eom\",\"$qid\",\"quarantine\",\"body\",[\"long_line\",\"smtp_commands\"]]"
# Postfix 3.7 logs "milter triggers HOLD action" without the reason
# dotgate gives to smfi_quarantine, so the reason is not checked here.

# --- 7. a body reject: 550 and its record ---------------------------------
n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech SCRAM-SHA-256 \
	--from alice@example.test --to bob@example.test --vector nul)
is "NUL in the body: 550 with the classes" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')" \
	"rejected|550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (nul, smtp_commands)"
is "NUL in the body: audit record" \
	"$(rec "$n" '[.stage,.verdict,.rule,.reply,.anomalies.nul.count]')" \
	'["eom","reject","body","550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (nul, smtp_commands)",1]'

# --- 8. another policy: plaintext allowed, only PLAIN permitted ----------
pf_dotgate_stop
CONF2=$(pf_dotgate_conf plain <<'EOF'
auth {
  exempt_networks = {}
  plaintext_needs_tls = false
  mechanisms = {"PLAIN"}
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
EOF
)
pf_dotgate_start "$CONF2" || not_ok "dotgate restarted with plain.conf"
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech PLAIN \
	--from alice@example.test --to bob@example.test --vector control)
qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
is "plaintext_needs_tls = false: PLAIN without TLS accepted" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" accepted
f=$(pf_wait_delivered "id $qid")
is "PLAIN message delivered, smtp_commands only logged (no tag)" \
	"$( [ -n "$f" ] && grep -c '^X-Dotgate-Anomalies:' "$f")" 0
n=$(pf_audit_lines)
out=$(pf_probe "$PF_SUB_PORT" $ALICE --mech CRAM-MD5 \
	--from alice@example.test --to bob@example.test --vector control)
is "mechanisms = {PLAIN}: CRAM-MD5 gets 534" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].reply')" \
	"534 5.7.9 Authentication mechanism is too weak"
is "534: audit rule auth.mechanism" \
	"$(rec "$n" '[.rule,.auth.mech]')" '["auth.mechanism","CRAM-MD5"]'

# --- 9. a dead milter: Postfix's milter_default_action = tempfail ---------
pf_dotgate_stop
out=$(pf_probe "$PF_SUB_PORT" --from alice@example.test --to bob@example.test \
	--vector control)
is "dotgate down: Postfix defers MAIL FROM (milter_default_action)" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')" \
	"rejected|451 4.7.1 Service unavailable - try again later"

check "dotgate wrote no error to stderr" \
	sh -c "! grep -qi 'error\|fatal\|panic' '$PF_DIR/dg/daemon.out'"
pf_done
