#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/probe_tls.sh: dotgate-probe over TLS against a real
# Postfix set up as submission is recommended: smtpd_tls_auth_only =
# yes, so AUTH exists only inside TLS, on a STARTTLS service (587
# style) and an implicit-TLS one (465 style, smtpd_tls_wrappermode).
# The probe authenticates with PLAIN, which dotgate refuses (538)
# without TLS, so a 250 shows that TLS reached dotgate too.  The
# certificate is checked: against the test's own CA file it passes,
# against the system's store and under a name it does not carry it
# fails.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root

pf_need dotgate probe jq swaks

pf_init
[ -n "$PF_TLS" ] || tap_bail "no certificate (openssl): nothing to probe over TLS"
CA=$PF_DIR/etc/tls/cert.pem

CONF=$(pf_dotgate_conf probe-tls <<'CONF'
auth {
  exempt_networks = {}
  plaintext_needs_tls = true
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
CONF
)
pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
pf_postfix_config milter
STARTTLS_PORT=$(free_port "$PF_SMTP_PORT" "$PF_SUB_PORT") &&
WRAP_PORT=$(free_port "$PF_SMTP_PORT" "$PF_SUB_PORT" "$STARTTLS_PORT") ||
	tap_bail "no free port"
PF_EXTRA_PORTS="$STARTTLS_PORT $WRAP_PORT"
cat >> "$PF_DIR/etc/master.cf" <<CF
$STARTTLS_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission-tls
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_security_level=encrypt
  -o smtpd_tls_auth_only=yes
  -o milter_macro_daemon_name=submission
$WRAP_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submissions
  -o smtpd_tls_wrappermode=yes
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_auth_only=yes
  -o milter_macro_daemon_name=submissions
CF
pf_postfix_start

ALICE="--user alice@example.test --password-file $PF_DIR/alice.pw --mech PLAIN
 --from alice@example.test --to bob@example.test"

# probe NAME PORT ARGS...: pf_probe, its JSON in $PF_DIR/NAME.json, its
# stderr in NAME.err, its exit code in $RC.
probe() {
	_n=$1
	shift
	# shellcheck disable=SC2086
	pf_probe "$@" $ALICE > "$PF_DIR/$_n.json" 2>/dev/null
	RC=$?
	cp "$PF_DIR/probe.err" "$PF_DIR/$_n.err"
	sed "s/^/# $_n: /" "$PF_DIR/$_n.err"
}

# json NAME FILTER
json() { jq -c "$2" "$PF_DIR/$1.json" 2>/dev/null; }

# audit_of NAME: the record of the control vector's message, by queue id.
audit_of() {
	_q=$(jq -r '.vectors[] | select(.name == "control") | .qid' "$PF_DIR/$1.json")
	jq -c --arg q "$_q" 'select(.qid == $q and .stage == "eom") |
		[.daemon, .auth.mech, (.tls != null and .tls != ""), .verdict, .rule]' \
		"$PF_AUDIT" | tr -d '"'
}

# tls_ok NAME: TLS 1.2 or 1.3 with a cipher, PLAIN authenticated.
tls_ok() {
	json "$1" '[.auth.ok, .auth.mech, (.tls.version | test("^TLSv1\\.[23]$")),
		(.tls.cipher | length > 0)]'
}

# --- the recommended setup: no AUTH before TLS --------------------------
swaks --server "127.0.0.1:$STARTTLS_PORT" --helo client.example.test \
	--timeout 20 --quit-after EHLO >"$PF_DIR/ehlo.txt" 2>&1
is "smtpd_tls_auth_only: STARTTLS offered, AUTH not before TLS" \
	"$(grep -c '^<-  250-STARTTLS' "$PF_DIR/ehlo.txt") $(grep -c '^<-  250-AUTH' "$PF_DIR/ehlo.txt")" "1 0"
probe plain "$STARTTLS_PORT" --vector control
is "without --starttls AUTH fails (Postfix: not before TLS): exit 2" \
	"$RC $(json plain .auth.ok)" "2 false"

# --- STARTTLS, every vector ----------------------------------------------
# What the vectors get must not depend on TLS: the same probe in clear,
# with a mechanism dotgate allows without TLS, is the reference.
ALICE_CLEAR=$(printf '%s\n' "$ALICE" | sed 's/--mech PLAIN/--mech SCRAM-SHA-256/')
# shellcheck disable=SC2086
pf_probe "$PF_SUB_PORT" $ALICE_CLEAR > "$PF_DIR/clear-all.json" 2>/dev/null
probe starttls "$STARTTLS_PORT" --starttls --cafile "$CA"
is "--starttls --cafile: exit 0, nothing smuggled" "$RC" 0
is "--starttls: PLAIN authenticated inside TLS 1.2/1.3" \
	"$(tls_ok starttls)" '[true,"PLAIN",true,true]'
is "--starttls: every vector's outcome as in clear (dotgate rejects some)" \
	"$(json starttls '[.vectors[] | [.name, .outcome]]')" \
	"$(json clear-all '[.vectors[] | [.name, .outcome]]')"
is "--starttls: control accepted, $(json starttls '[.vectors[] | select(.outcome == "rejected")] | length') vectors rejected" \
	"$(json starttls '[(.vectors[] | select(.name == "control") | .outcome),
		([.vectors[] | select(.outcome == "rejected")] | length > 5)]')" '["accepted",true]'
# The control carries the hidden commands in its body: smtp_commands, log.
is "--starttls: dotgate's record has the login, PLAIN and the TLS protocol" \
	"$(audit_of starttls)" '[submission,PLAIN,true,log,body]'

# --- implicit TLS -------------------------------------------------------
probe wrap "$WRAP_PORT" --tls --cafile "$CA" --vector control --vector eod-cr-crlf
is "--tls --cafile on the wrapper-mode port: exit 0" "$RC" 0
is "--tls: PLAIN authenticated inside TLS 1.2/1.3" \
	"$(tls_ok wrap)" '[true,"PLAIN",true,true]'
is "--tls: control accepted, eod-cr-crlf rejected" \
	"$(json wrap '[.vectors[].outcome]')" '["accepted","rejected"]'
is "--tls: dotgate's record (daemon submissions, PLAIN, TLS)" \
	"$(audit_of wrap)" '[submissions,PLAIN,true,log,body]'

# --- the certificate is checked -----------------------------------------
probe store "$STARTTLS_PORT" --starttls --vector control
is "without --cafile the self-signed certificate fails the system store: exit 2" \
	"$RC $(grep -c 'certificate verify failed' "$PF_DIR/store.err")" "2 1"
# shellcheck disable=SC2086
"$DOTGATE_PROBE" --server "localhost:$WRAP_PORT" --json --timeout 20 --tls \
	--cafile "$CA" --vector control $ALICE >/dev/null 2>"$PF_DIR/name.err"
RC=$?
sed 's/^/# probe: /' "$PF_DIR/name.err"
is "a name the certificate does not carry (localhost) fails: exit 2" \
	"$RC $(grep -c 'certificate verify failed: hostname mismatch' "$PF_DIR/name.err")" "2 1"
# shellcheck disable=SC2086
"$DOTGATE_PROBE" --server "localhost:$WRAP_PORT" --json --timeout 20 --tls \
	--insecure --vector control $ALICE >"$PF_DIR/insecure.json" 2>/dev/null
is "--insecure skips the check: the same connection works" \
	"$? $(json insecure '.vectors[0].outcome')" '0 "accepted"'

# --- and dotgate itself: PLAIN without TLS is refused -----------------
probe clear "$PF_SUB_PORT" --vector control
is "PLAIN in clear on the may-TLS port: dotgate's 538" \
	"$(json clear '.vectors[0].outcome') $(json clear '.vectors[0].reply' | cut -c2-4)" \
	'"rejected" 538'

pf_done
