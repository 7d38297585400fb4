#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/header_from.sh: senders.header_from = check behind a real
# Postfix, driven by swaks with SASL (dotgate.conf(5), "HEADER FROM"):
# the From: header a logged-in client writes must be an address its login
# owns.  One Postfix, one dotgate: enforce mode, then ignore and monitor
# mode by reloads (SIGUSR1).  Each case checks the replies swaks got
# (a refusal at end of data, after a 250 to MAIL FROM), the mailbox and
# the audit record (rule, reply, header_from); at the end the metrics
# counter of sender.header_not_owned must equal the records.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate jq swaks curl

pf_init
MPORT=$(free_port "$PF_SMTP_PORT" "$PF_SUB_PORT") || tap_bail "no free port"
LOCAL_PORT=$(free_port "$PF_SMTP_PORT" "$PF_SUB_PORT" "$MPORT") ||
	tap_bail "no free port"
PF_EXTRA_PORTS=$LOCAL_PORT
NOT_OWNED='From header not yours, user'
MALFORMED='550 5.7.1 From header missing, repeated or unreadable'

# conf MODE HEADER_FROM: the one configuration file, rewritten for each
# reload.  Loopback, where swaks is, must not be exempt; bob is an
# exempt login (a relay account); the not-owned reply is the site's own
# so that the test sees the configured one used.
conf() {
	pf_dotgate_conf hfrom <<EOF
mode = $1
auth {
  exempt_networks = {}
  exempt_logins = {"bob@example.test"}
}
senders {
  header_from = $2
  reply_header_from = "553 5.7.1 <%s>: $NOT_OWNED %u"
}
user "alice@example.test" {
  senders = {"alice@example.test", "@example.org"}
}
metrics {
  listen = "127.0.0.1:$MPORT"
}
EOF
}

# The submission service on $PF_SUB_PORT treats swaks as the remote
# client a submission user is (local_header_rewrite_clients empty):
# Postfix neither rewrites its headers nor adds a missing From:, so
# dotgate sees what the client wrote.  $LOCAL_PORT is the same service
# with Postfix's default, under which a loopback client is local.
postfix_start() {
	pf_postfix_config milter
	sed -i "/^$PF_SUB_PORT inet/a\\
  -o local_header_rewrite_clients=" "$PF_DIR/etc/master.cf"
	cat >> "$PF_DIR/etc/master.cf" <<EOF
$LOCAL_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission-local
  -o smtpd_sasl_auth_enable=yes
  -o milter_macro_daemon_name=submission
EOF
	pf_postfix_start
}

CONF=$(conf enforce check)
pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
postfix_start
URL=http://127.0.0.1:$MPORT

# send NAME LOGIN [SWAKS-ARGS...]: one message from LOGIN (alice or bob,
# CRAM-MD5, envelope sender LOGIN@example.test) to carol, body "token
# NAME-PID"; the transcript in $PF_DIR/NAME.txt, the exit code in $SW_RC,
# the audit line count before it in $N.  A --data message carries its
# own token.
send() {
	_name=$1 _login=$2
	shift 2
	N=$(pf_audit_lines)
	swaks --server "127.0.0.1:${PORT:-$PF_SUB_PORT}" --helo client.example.test \
		--timeout 20 --auth CRAM-MD5 --auth-user "$_login@example.test" \
		--auth-password "$(cat "$PF_DIR/$_login.pw")" \
		--from "$_login@example.test" --to carol@example.test \
		--header "Subject: $_name" --body "token $_name-$$" "$@" \
		>"$PF_DIR/$_name.txt" 2>&1
	SW_RC=$?
}

# replies NAME: the code of every server reply from MAIL FROM on, and the
# last reply to the message in full: "250 250 354 553|553 5.7.1 ...".
replies() {
	awk '/^<[-~*]/ {
		t = substr($0, 5); sub(/^ +/, "", t)
		if (t !~ /^[0-9][0-9][0-9]( |$)/) next
		c = substr(t, 1, 3)
		if (c == "235") { on = 1; next }
		if (on && c != "221") { codes = codes sep c; sep = " "; last = t }
	} END { print codes "|" last }' "$PF_DIR/$1.txt"
}

# rec FILTER: FILTER applied to the record(s) written since send.
rec() {
	pf_audit_since "$N" | jq -c "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'
}
# header_from must be there, null when not checked: "absent" otherwise.
FIELDS='[.stage,.verdict,.would,.rule,.reply,
	(if has("header_from") then .header_from else "absent" end)]'

# accepted NAME HEADER_FROM [VERDICT RULE]: queued and delivered; the
# record says stage eom, VERDICT (accept), RULE (pass) and header_from.
accepted() {
	_q=$(sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\)$/\1/p' "$PF_DIR/$1.txt")
	is "$1: queued" "$SW_RC:$(replies "$1")" "0:250 250 354 250|250 2.0.0 Ok: queued as $_q"
	is "$1: record" "$(rec "$FIELDS")" \
		"[\"eom\",\"${3:-accept}\",${5:-null},\"${4:-pass}\",${6:-null},$2]"
	if [ -n "$_q" ] && _f=$(pf_wait_delivered "token $1-$$") &&
	   grep -q "id $_q" "$_f"; then
		ok "$1: delivered"
	else
		not_ok "$1: delivered" "$(sed 's/^/swaks: /' "$PF_DIR/$1.txt")"
	fi
}

# refused NAME REPLY HEADER_FROM: MAIL, RCPT and DATA got through and the
# message got REPLY at end of data (swaks exit 26), recorded with
# header_from; the rule follows from the code.
refused() {
	is "$1: $(echo "$2" | cut -c1-3) at end of data" "$SW_RC:$(replies "$1")" \
		"26:250 250 354 $(echo "$2" | cut -c1-3)|$2"
	case $2 in
	550*) _rule=sender.header_malformed ;;
	*) _rule=sender.header_not_owned ;;
	esac
	is "$1: record" "$(rec "$FIELDS")" \
		"[\"eom\",\"reject\",null,\"$_rule\",$(jq -cn --arg r "$2" '$r'),$3]"
	REFUSED="$REFUSED $1"
}
REFUSED=
not_owned() { echo "553 5.7.1 <$1>: $NOT_OWNED alice@example.test"; }

# --- enforce mode ----------------------------------------------------------
send owned alice --header 'From: "Alice A." <alice@example.test>'
accepted owned '["alice@example.test"]'
send wildcard alice --header 'From: News <news@example.org>'
accepted wildcard '["news@example.org"]'
send utf8 alice --header 'From: Jörg <jörg@example.org>'
accepted utf8 '["jörg@example.org"]'
send foreign alice --header 'From: mallory@evil.test'
refused foreign "$(not_owned mallory@evil.test)" '["mallory@evil.test"]'
send quoted-name alice --header 'From: "alice@example.test" <mallory@evil.test>'
refused quoted-name "$(not_owned mallory@evil.test)" '["mallory@evil.test"]'
send unquoted-name alice --header 'From: alice@example.test <mallory@evil.test>'
refused unquoted-name "$MALFORMED" '[]'
send two-no-sender alice --header 'From: alice@example.test, news@example.org'
refused two-no-sender "$MALFORMED" '["alice@example.test","news@example.org"]'
send two-owned-sender alice --header 'From: alice@example.test, news@example.org' \
	--add-header 'Sender: alice@example.test'
accepted two-owned-sender '["alice@example.test","news@example.org"]'
send two-one-foreign alice --header 'From: alice@example.test, mallory@evil.test' \
	--add-header 'Sender: alice@example.test'
refused two-one-foreign "$(not_owned mallory@evil.test)" \
	'["alice@example.test","mallory@evil.test"]'
send foreign-sender alice --header 'From: alice@example.test, news@example.org' \
	--add-header 'Sender: bob@example.test'
refused foreign-sender "$(not_owned bob@example.test)" \
	'["alice@example.test","news@example.org"]'
send two-headers alice --header 'From: alice@example.test' \
	--add-header 'From: news@example.org'
refused two-headers "$MALFORMED" '["alice@example.test"]'
send no-from alice --data "To: carol@example.test\nSubject: no-from\n\ntoken no-from-$$\n"
refused no-from "$MALFORMED" '[]'
TAB=$(printf '\t')
send folded alice --data "From: Alice\n  (the real one)\n$TAB<alice@example.test>\nTo: carol@example.test\nSubject: folded\n\ntoken folded-$$\n"
accepted folded '["alice@example.test"]'
send exempt-login bob --header 'From: mallory@evil.test'
accepted exempt-login null accept auth.exempt

# The same service with Postfix's default header rewriting for a local
# client: cleanup adds the missing From: from the envelope sender
# (always_add_missing_headers, local_header_rewrite_clients) before the
# milter sees the headers, so the message passes as alice's.
PORT=$LOCAL_PORT send local-no-from alice --data "To: carol@example.test\nSubject: local\n\ntoken local-no-from-$$\n"
accepted local-no-from '["alice@example.test"]'

# The envelope gate refuses first: no header check, header_from null.
send envelope-refused alice --from bob@example.test --header 'From: mallory@evil.test'
is "envelope-refused: 553 at MAIL FROM, recorded without header_from" \
	"$SW_RC:$(rec '[.stage,.rule,.header_from]')" '23:["mail","sender.not_owned",null]'

# reload CONF-ARGS: rewrites the configuration, sends SIGUSR1 and waits
# for the next policy generation on the metrics endpoint.
reload() {
	_g=$(curl -s "$URL/metrics" | sed -n 's/^dotgate_policy_generation \([0-9]*\)$/\1/p')
	conf "$@" >/dev/null
	kill -USR1 "$PF_DG_PID"
	wait_until 10 sh -c "curl -s '$URL/metrics' | grep -qx 'dotgate_policy_generation $((_g + 1))'" ||
		tap_bail "reload to $* not seen: $(tail -n 3 "$PF_DIR/dg/daemon.out")"
}

# --- ignore: the header is not looked at ------------------------------------
reload enforce ignore
send ignore-foreign alice --header 'From: mallory@evil.test'
accepted ignore-foreign null

# --- monitor mode: delivered, the record says what enforce would do --------
reload monitor check
send monitor-foreign alice --header 'From: mallory@evil.test'
accepted monitor-foreign '["mallory@evil.test"]' log sender.header_not_owned \
	'"reject"' "$(jq -cn --arg r "$(not_owned mallory@evil.test)" '$r')"
send monitor-two-headers alice --header 'From: alice@example.test' \
	--add-header 'From: news@example.org'
accepted monitor-two-headers '["alice@example.test"]' log sender.header_malformed \
	'"reject"' "$(jq -cn --arg r "$MALFORMED" '$r')"

# --- nothing refused was delivered or queued -------------------------------
left=
for t in $REFUSED; do
	grep -rqF "token $t-$$" "$PF_DIR/mail/inbox" 2>/dev/null && left="$left $t"
done
is "no refused message was delivered ($(echo $REFUSED | wc -w) refused)" "$left" ""
is "nothing left in Postfix's queue" "$(pf_queue_json)" ""

# --- the metrics counter equals the records --------------------------------
metric() {
	curl -s "$URL/metrics" | sed -n "s/^dotgate_transactions_total{stage=\"eom\",verdict=\"$1\",rule=\"$2\",mode=\"$3\"} \([0-9]*\)$/\1/p"
}
records() {
	jq -c "select(.stage == \"eom\" and .verdict == \"$1\" and .rule == \"$2\" and .mode == \"$3\")" \
		"$PF_AUDIT" | wc -l | tr -d ' '
}
for m in "reject sender.header_not_owned enforce" "reject sender.header_malformed enforce" \
	 "log sender.header_not_owned monitor" "log sender.header_malformed monitor"; do
	set -- $m
	got=$(metric "$@")
	want=$(records "$@")
	echo "# dotgate_transactions_total{verdict=$1,rule=$2,mode=$3} = ${got:-absent}, records: $want"
	is "metrics counter for $2 ($1, $3) equals the audit records" "${got:-absent}" "$want"
done
is "records: not owned, malformed (enforce); not owned, malformed (monitor)" \
	"$(records reject sender.header_not_owned enforce) $(records reject sender.header_malformed enforce) $(records log sender.header_not_owned monitor) $(records log sender.header_malformed monitor)" \
	"4 4 1 1"

pf_done
