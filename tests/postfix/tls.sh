#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/tls.sh: dotgate behind a real Postfix whose submission
# service offers STARTTLS: a plaintext-class mechanism (PLAIN, LOGIN)
# passes the gate after STARTTLS and gets the 538 without it, and the
# audit record carries the TLS protocol Postfix hands over as
# {tls_version}.  The client is swaks; every SMTP reply it gets is
# compared line for line.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root

[ -x "${DOTGATE:-}" ] || { echo "Bail out! DOTGATE not built"; exit 1; }
command -v jq >/dev/null || { echo "Bail out! jq missing (apt-get install jq)"; exit 1; }
command -v swaks >/dev/null ||
	{ echo "Bail out! swaks missing (apt-get install swaks libnet-ssleay-perl)"; exit 1; }
swaks --support 2>&1 | grep -q '^=== TLS supported' ||
	{ echo "Bail out! swaks without TLS (apt-get install libnet-ssleay-perl)"; exit 1; }

pf_init
if [ -z "$PF_TLS" ]; then
	echo "1..0 # SKIP no certificate (openssl): Postfix offers no STARTTLS"
	exit 0
fi

# The default policy for plaintext mechanisms; loopback, where the
# client is, must not be exempt.
CONF=$(pf_dotgate_conf tls <<'EOF'
auth {
  exempt_networks = {}
  plaintext_needs_tls = true
}
user "alice@example.test" {
  senders = {"alice@example.test", "@example.org"}
}
EOF
)
pf_start "$CONF"

BYE='221 2.0.0 Bye'
DATA_GO='354 End data with <CR><LF>.<CR><LF>'
# Postfix's replies to the greeting and to EHLO (last line), before
# and after STARTTLS: the order of EHLO keywords is Postfix's own.
GREET='<- 220 mx.example.test ESMTP Postfix
<- 250 CHUNKING'
STARTED='<- 220 2.0.0 Ready to start TLS
<~ 250 CHUNKING'
# accepted QID: Postfix's replies over TLS from MAIL FROM to QUIT when it
# queues the message.
accepted() {
	printf '<~ 250 2.1.0 Ok\n<~ 250 2.1.5 Ok\n<~ %s\n<~ 250 2.0.0 Ok: queued as %s\n<~ %s' \
		"$DATA_GO" "${1:-QID}" "$BYE"
}

# say NAME ARGS...: runs swaks against the submission service as alice
# with a body carrying the token NAME; the transcript goes to
# $PF_DIR/NAME.txt, the exit code to $SW_RC.
say() {
	_name=$1
	shift
	swaks --server "127.0.0.1:$PF_SUB_PORT" --helo client.example.test \
		--timeout 20 --auth-user alice@example.test \
		--auth-password "$(cat "$PF_DIR/alice.pw")" \
		--to bob@example.test --header "Subject: $_name" \
		--body "token $_name-$$" --suppress-data "$@" \
		>"$PF_DIR/$_name.txt" 2>&1
	SW_RC=$?
}

# replies NAME: the last line of every server reply in the transcript,
# after swaks's marker: "<-" in clear, "<~" inside TLS, "<**" or "<~*"
# for an error reply.
replies() {
	awk '/^<[-~*]/ {
		m = substr($0, 1, 3); sub(/ +$/, "", m)
		t = substr($0, 5)
		if (t ~ /^[0-9][0-9][0-9]( |$)/) print m " " t
	}' "$PF_DIR/$1.txt"
}

# qid NAME: the queue id of Postfix's "queued as" reply.
qid() {
	sed -n 's/^<~  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\)$/\1/p' \
		"$PF_DIR/$1.txt"
}

# proto NAME: the protocol swaks negotiated ("TLSv1.3").
proto() {
	sed -n 's/^=== TLS started with cipher \([^:]*\):.*/\1/p' "$PF_DIR/$1.txt"
}

# rec N FILTER: the jq FILTER applied to the audit records after line N.
rec() {
	pf_audit_since "$1" | jq -c "$2" 2>/dev/null | head -n 1
}

# show NAME: the transcript as TAP comments, for a failed check.
show() {
	sed 's/^/# swaks: /' "$PF_DIR/$1.txt"
}

# --- 0. what each service offers ------------------------------------------
swaks --server "127.0.0.1:$PF_SMTP_PORT" --helo client.example.test \
	--timeout 20 --quit-after EHLO >"$PF_DIR/ehlo-smtp.txt" 2>&1
swaks --server "127.0.0.1:$PF_SUB_PORT" --helo client.example.test \
	--timeout 20 --quit-after EHLO >"$PF_DIR/ehlo-sub.txt" 2>&1
is "the plain service offers neither STARTTLS nor AUTH" \
	"$(grep -c '^<-  250-\(STARTTLS\|AUTH\)' "$PF_DIR/ehlo-smtp.txt")" 0
is "submission offers STARTTLS, and AUTH PLAIN LOGIN before TLS" \
	"$(grep '^<-  250-\(STARTTLS\|AUTH\)' "$PF_DIR/ehlo-sub.txt")" \
	'<-  250-STARTTLS
<-  250-AUTH PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256'

# --- a. STARTTLS + AUTH PLAIN: accepted, delivered, recorded with TLS -----
n=$(pf_audit_lines)
say plain-tls --tls --auth PLAIN --from alice@example.test
q=$(qid plain-tls)
p=$(proto plain-tls)
is "STARTTLS + PLAIN: swaks exit 0" "$SW_RC" 0
got=$(replies plain-tls)
is "STARTTLS + PLAIN: every reply" "$got" "$GREET
$STARTED
<~ 235 2.7.0 Authentication successful
$(accepted "$q")"
[ -n "$q" ] || show plain-tls
case $p in
TLSv1.[23]) ok "STARTTLS + PLAIN: swaks negotiated $p" ;;
*) not_ok "STARTTLS + PLAIN: swaks negotiated TLSv1.2 or TLSv1.3" "got: $p" ;;
esac
f=$(pf_wait_delivered "token plain-tls-$$")
if [ -n "$f" ] && [ -n "$q" ] && grep -q "id $q" "$f"; then
	ok "STARTTLS + PLAIN: message $q delivered"
else
	not_ok "STARTTLS + PLAIN: message $q delivered" "$(tail -n 5 "$PF_DIR/maillog")"
fi
is "STARTTLS + PLAIN: Postfix's Received header says $p" \
	"$(grep -c "(using $p with cipher" "${f:-/dev/null}")" 1
is "STARTTLS + PLAIN: audit record (tls = the negotiated protocol)" \
	"$(rec "$n" '[.stage,.qid,.daemon,.helo,.auth,.tls,.from,.rcpts,.verdict,.rule,.reply,.anomalies]')" \
	"[\"eom\",\"$q\",\"submission\",\"client.example.test\",{\"user\":\"alice@example.test\",\"mech\":\"PLAIN\"},\"$p\",\"alice@example.test\",[\"bob@example.test\"],\"accept\",\"pass\",null,{}]"
is "STARTTLS + PLAIN: exactly one record" \
	"$(pf_audit_since "$n" | wc -l | tr -d ' ')" 1

# --- b. the same without STARTTLS: 538 at MAIL FROM -----------------------
n=$(pf_audit_lines)
say plain-clear --auth PLAIN --from alice@example.test
is "PLAIN without STARTTLS: swaks exit 23 (MAIL refused)" "$SW_RC" 23
is "PLAIN without STARTTLS: every reply, 538 verbatim" \
	"$(replies plain-clear)" "$GREET
<- 235 2.7.0 Authentication successful
<** 538 5.7.11 Encryption required for requested authentication mechanism
<- $BYE"
is "PLAIN without STARTTLS: audit record" \
	"$(rec "$n" '[.stage,.qid,.daemon,.auth,.tls,.from,.rcpts,.verdict,.rule,.reply]')" \
	'["mail",null,"submission",{"user":"alice@example.test","mech":"PLAIN"},null,"alice@example.test",[],"reject","auth.plaintext","538 5.7.11 Encryption required for requested authentication mechanism"]'

# --- c. STARTTLS + AUTH LOGIN: accepted ------------------------------------
n=$(pf_audit_lines)
say login-tls --tls --auth LOGIN --from alice@example.test
q=$(qid login-tls)
p=$(proto login-tls)
is "STARTTLS + LOGIN: swaks exit 0" "$SW_RC" 0
is "STARTTLS + LOGIN: every reply" "$(replies login-tls)" "$GREET
$STARTED
<~ 334 VXNlcm5hbWU6
<~ 334 UGFzc3dvcmQ6
<~ 235 2.7.0 Authentication successful
$(accepted "$q")"
[ -n "$q" ] || show login-tls
if [ -n "$q" ] && pf_wait_delivered "token login-tls-$$" >/dev/null; then
	ok "STARTTLS + LOGIN: message $q delivered"
else
	not_ok "STARTTLS + LOGIN: message $q delivered" "$(tail -n 5 "$PF_DIR/maillog")"
fi
is "STARTTLS + LOGIN: audit record" \
	"$(rec "$n" '[.stage,.qid,.auth,.tls,.verdict,.rule]')" \
	"[\"eom\",\"$q\",{\"user\":\"alice@example.test\",\"mech\":\"LOGIN\"},\"${p:-TLSv1.?}\",\"accept\",\"pass\"]"

# --- d. TLS 1.2: the record names the session's protocol, not a constant --
n=$(pf_audit_lines)
say plain-tls12 --tls --tls-protocol tlsv1_2 --auth PLAIN \
	--from alice.other@example.org
is "STARTTLS (TLS 1.2 only) + PLAIN: swaks negotiated TLSv1.2, exit 0" \
	"$(proto plain-tls12) $SW_RC" "TLSv1.2 0"
is "TLS 1.2: audit record says TLSv1.2" \
	"$(rec "$n" '[.stage,.tls,.auth.mech,.from,.rule]')" \
	'["eom","TLSv1.2","PLAIN","alice.other@example.org","pass"]'

# --- e. TLS does not lift the sender check: alice as bob gets 553 ---------
n=$(pf_audit_lines)
say plain-tls-bob --tls --auth PLAIN --from bob@example.test
is "STARTTLS + PLAIN, alice as bob: swaks exit 23" "$SW_RC" 23
is "STARTTLS + PLAIN, alice as bob: every reply, 553 verbatim" \
	"$(replies plain-tls-bob)" "$GREET
$STARTED
<~ 235 2.7.0 Authentication successful
<~* 553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice@example.test
<~ $BYE"
is "alice as bob under TLS: audit record" \
	"$(rec "$n" '[.stage,.rule,.tls != null,.auth.mech]')" \
	'["mail","sender.not_owned",true,"PLAIN"]'

check "dotgate wrote no error to stderr" \
	sh -c "! grep -qi 'error\|fatal\|panic' '$PF_DIR/dg/daemon.out'"
pf_done
