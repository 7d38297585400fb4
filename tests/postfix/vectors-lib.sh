# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors-lib.sh: runs every dotgate-probe vector through
# a real Postfix with dotgate as its milter and compares each outcome,
# the reply and the audit records with an expected table.  Sourced by
# vectors.sh (Postfix defaults) and vectors-normalize.sh
# (smtpd_forbid_bare_newline = normalize).  Not a test by itself.
#
# The caller sets PF_BARE_NEWLINE (or not) and EXPECT, one line a vector:
#	NAME OUTCOME FIRST-VERDICT CLASSES
# OUTCOME is the probe's outcome for alice sending with the default
# hidden sender (smuggled@example.test, which she does not own);
# FIRST-VERDICT the verdict of the first audit record of the vector's
# connection; CLASSES the anomaly classes of that record, comma-joined,
# "-" for none.  A split-refused vector must also have a second record:
# the hidden MAIL FROM refused with sender.not_owned.  The measured
# table is printed as TAP comments, so a new Postfix's behaviour is
# easy to read off.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate probe jq

pf_init
# The shipped body defaults; loopback not exempt; alice owns her address.
CONF=$(pf_dotgate_conf vectors <<'EOF'
auth {
  exempt_networks = {}
}
user "alice@example.test" {
  senders = {"alice@example.test", "@example.org"}
}
EOF
)
pf_dotgate_start "$CONF" || { echo "Bail out! dotgate did not start"; exit 1; }
pf_postfix_config milter
pf_postfix_start
echo "# Postfix $(postconf -d -h mail_version), smtpd_forbid_bare_newline = $(postconf -c "$PF_DIR/etc" -h smtpd_forbid_bare_newline)"

ALICE="--user alice@example.test --password-file $PF_DIR/alice.pw --mech SCRAM-SHA-256"
SPLIT=

echo "$EXPECT" | while read -r name want_outcome want_verdict want_classes; do
	[ -n "$name" ] || continue
	n=$(pf_audit_lines)
	out=$(pf_probe "$PF_SUB_PORT" $ALICE --from alice@example.test \
		--to bob@example.test --vector "$name")
	outcome=$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')
	reply=$(printf '%s\n' "$out" | jq -r '.vectors[0].reply')
	qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
	# Records of this connection; the MAIL-stage reject of a hidden
	# transaction is written before its reply, the eom record before
	# the 250, so all are there once the probe returns.
	recs=$(pf_audit_since "$n")
	first=$(printf '%s\n' "$recs" | head -n 1)
	verdict=$(printf '%s\n' "$first" | jq -r '.verdict')
	classes=$(printf '%s\n' "$first" | jq -r '.anomalies | keys | join(",") | if . == "" then "-" else . end')
	echo "# measured: $name $outcome $verdict $classes | $reply"
	t_is "$name: outcome" "$outcome" "$want_outcome"
	t_is "$name: verdict and classes in the audit record" \
		"$verdict $classes" "$want_verdict $want_classes"
	case $want_outcome in
	rejected)
		t_is "$name: the client got the audit record's reply" \
			"$reply" "$(printf '%s\n' "$first" | jq -r '.reply')"
		;;
	accepted)
		t_is "$name: audit record carries the queue id" \
			"$(printf '%s\n' "$first" | jq -r '.stage + " " + .qid')" \
			"eom $qid"
		;;
	split-refused)
		t_is "$name: hidden MAIL FROM refused as not owned" \
			"$(printf '%s\n' "$recs" | sed -n 2p | jq -r '[.stage,.rule,.from,.reply]|@text')" \
			'["mail","sender.not_owned","smuggled@example.test","553 5.7.1 <smuggled@example.test>: Sender address rejected: not owned by user alice@example.test"]'
		t_is "$name: the client got that 553" "$reply" \
			"553 5.7.1 <smuggled@example.test>: Sender address rejected: not owned by user alice@example.test"
		;;
	esac
	t_is "$name: --json shows the whole payload: vector, hidden transaction, hidden_from" \
		"$(printf '%s\n' "$out" | jq -r '.vectors[0] as $v | $v.payload as $p |
			$v.hidden_from + " " +
			([($p | startswith("From: <alice@example.test>\\r\\n")),
			  ($p | contains("\\r\\nhello" + $v.bytes + "MAIL FROM:<" + $v.hidden_from +
				">\\r\\nRCPT TO:<bob@example.test>\\r\\nDATA\\r\\n")),
			  ($p | endswith("\\r\\nhidden\\r\\n.\\r\\n"))] | all | tostring)')" \
		"smuggled@example.test true"
	t_is "$name: one record per transaction, none for the abort" \
		"$(printf '%s\n' "$recs" | jq -r '.stage' | grep -c abort)" 0
	# Pipe subshell: carry the counters out through a file.
	echo "$T_N $T_FAILED" > "$PF_DIR/tap.count"
done
read -r T_N T_FAILED < "$PF_DIR/tap.count"

# The split vectors with a hidden sender alice owns: Postfix itself
# ends DATA early, dotgate sees two clean transactions of one login and
# lets both through.  That is smuggling only in form (the same user could
# have sent both), and it is what the probe must report.
if [ -n "$EXPECT_SMUGGLED" ]; then
	args=
	for v in $EXPECT_SMUGGLED; do args="$args --vector $v"; done
	out=$(pf_probe "$PF_SUB_PORT" $ALICE --from alice@example.test \
		--hidden-from alice@example.test --to bob@example.test $args)
	rc=$?
	t_is "hidden sender owned by alice: smuggled through Postfix's own split" \
		"$(printf '%s\n' "$out" | jq -r '[.vectors[].outcome] | unique | join(",")') $rc" \
		"smuggled 1"
fi
