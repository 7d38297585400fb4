#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/demo/demo.sh: "make demo".  Starts a throwaway Postfix on
# loopback with dotgate as its milter (the sample conf/dotgate.conf,
# with loopback no longer exempt so that the demo's own client is
# checked, a socket Postfix can reach and an audit file), sends a few
# messages with dotgate-probe, unauthenticated and as alice, prints what
# happened and the dotgate-report summary, and removes everything.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
: "${DOTGATE:=$top_builddir/filter/dotgate/dotgate}"
REPORT=$top_builddir/filter/report/dotgate-report

if [ "$(id -u)" != 0 ]; then
	echo "make demo needs root: it runs a private Postfix instance (postfix -c DIR start)."
	exit 1
fi
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root() { :; }
for p in postfix saslpasswd2; do
	command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || {
		echo "make demo needs $p: apt-get install postfix sasl2-bin libsasl2-modules"
		exit 1
	}
done
PATH=$PATH:/usr/sbin
say() { printf '\n== %s\n' "$*"; }

pf_init
conf=$PF_DIR/dg/dotgate.conf
sed -e 's|^\( *socket_mode *= *\).*|\1"0666"|' \
    -e 's|^\( *exempt_networks *= *\).*|\1{}|' \
    -e 's|^\( *syslog *= *\).*|\1false|' \
    -e "s|^\\( *file *= *\\)\"\"|\\1\"$PF_AUDIT\"|" \
    "$top_srcdir/conf/dotgate.conf" > "$conf"
printf 'user "alice@example.test" {\n  senders = {"alice@example.test", "@example.org"}\n}\n' >> "$conf"
say "dotgate configuration: conf/dotgate.conf with these changes"
diff "$top_srcdir/conf/dotgate.conf" "$conf" | sed -n 's/^[<>]/  &/p'
"$DOTGATE" -n -c "$conf" || { echo "the demo configuration does not load"; exit 1; }
pf_dotgate_start "$conf" || { echo "dotgate did not start"; exit 1; }
pf_postfix_config milter
pf_postfix_start
say "Postfix $(postconf -d -h mail_version) in $PF_DIR: port $PF_SMTP_PORT (smtp, no AUTH), port $PF_SUB_PORT (submission, Cyrus SASL: alice, bob)"

probe() {
	echo "\$ dotgate-probe --server 127.0.0.1:$*" |
		sed "s|$PF_DIR|\$DEMO|g"
	"$DOTGATE_PROBE" --server "127.0.0.1:$@" --timeout 20
	echo "  (exit $?)"
}
ALICE="--user alice@example.test --password-file $PF_DIR/alice.pw"

say "1. An unauthenticated client: dotgate refuses MAIL FROM with 530"
probe "$PF_SMTP_PORT" --from alice@example.test --to bob@example.test \
	--vector control --vector eod-lf-crlf

say "2. alice authenticates (SCRAM-SHA-256) and sends a few vectors"
echo "   Postfix 3.7 itself ends DATA at \\n.\\r\\n: the hidden MAIL FROM"
echo "   (smuggled@example.test) is not alice's, so dotgate refuses it (553)."
echo "   The \\r.\\r and NUL-dot tricks reach dotgate and are rejected (550)."
probe "$PF_SUB_PORT" $ALICE --mech SCRAM-SHA-256 \
	--from alice@example.test --to bob@example.test \
	--vector control --vector eod-lf-crlf --vector eod-cr-cr \
	--vector nul-dot --vector bare-lf --vector lone-dot

say "3. alice with PLAIN on an unencrypted session: 538"
probe "$PF_SUB_PORT" $ALICE --mech PLAIN \
	--from alice@example.test --to bob@example.test --vector control

say "4. alice (CRAM-MD5) sending as bob: 553"
probe "$PF_SUB_PORT" $ALICE --mech CRAM-MD5 \
	--from bob@example.test --to bob@example.test --vector control

sleep 1
say "Delivered to $PF_DIR/mail/inbox: $(ls "$PF_DIR/mail/inbox/new" 2>/dev/null | wc -l) message(s)"

say "The audit log ($(wc -l < "$PF_AUDIT") records), summarised by dotgate-report"
if [ -x "$REPORT" ]; then
	"$REPORT" "$PF_AUDIT"
else
	echo "(dotgate-report is not built: skipping the summary; first record:)"
	head -n 1 "$PF_AUDIT"
fi

say "Stopping Postfix and dotgate, removing $PF_DIR"
