# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors-lib.sh: runs every dotgate-probe vector through
# a real Postfix with dotgate as its milter and compares each outcome,
# the reply and the audit records with an expected table.  Sourced by
# vectors.sh (Postfix 3.7's defaults, pinned), vectors-normalize.sh
# (smtpd_forbid_bare_newline = normalize) and vectors-stock.sh (the
# defaults of the Postfix installed).  Not a test by itself.
#
#	vl_start		dotgate with the shipped body policy, and Postfix
#	vl_restart_postfix	Postfix again with the current PF_* settings
#	vl_table EXPECT		every vector of the table, through the probe
#	vl_smuggled VECTORS	the split vectors with a hidden sender alice owns
#
# EXPECT has one line a vector:
#	NAME OUTCOME FIRST-VERDICT CLASSES
# OUTCOME is the probe's outcome for alice sending with the default
# hidden sender (smuggled@example.test, which she does not own);
# FIRST-VERDICT the verdict of the first audit record of the vector's
# connection; CLASSES the anomaly classes of that record, comma-joined,
# "-" for none.  A split-refused vector must also have a second record:
# the hidden MAIL FROM refused with sender.not_owned, and the client
# must have read that 553, unless VL_RESET=1: a Postfix that refuses
# commands pipelined after DATA (smtpd_forbid_unauth_pipelining = yes)
# hangs up with input unread, and which of its last replies reach the
# client before the reset is up to the kernel.  The measured table is
# printed as TAP comments, so a new Postfix's behaviour is easy to read
# off.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate probe jq

vl_start() {
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
	pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
	pf_postfix_config milter
	pf_postfix_start
	vl_settings
}

vl_restart_postfix() {
	pf_postfix_stop
	pf_postfix_config milter
	pf_postfix_start
	vl_settings
}

vl_settings() {
	echo "# Postfix $(postconf -d -h mail_version):$(for _k in \
		mynetworks smtpd_forbid_bare_newline \
		smtpd_forbid_bare_newline_exclusions \
		smtpd_forbid_unauth_pipelining milter_default_action; do
		printf ' %s' "$(postconf -c "$PF_DIR/etc" "$_k")"; done)"
}

# What Postfix hands dotgate when it ends DATA at a dot line with a bare
# LF around it (smtpd_forbid_bare_newline = no, or a client it excludes):
# the LF forms split the message, the hidden MAIL FROM is refused as not
# owned; the CR forms leave a residue (smuggled_transaction); see
# vectors.sh for each line's reason.
VL_SPLIT='
control accepted log smtp_commands
eod-lf-lf split-refused accept -
eod-lf-crlf split-refused accept -
eod-crlf-lf split-refused accept -
eod-cr-cr rejected reject smuggled_transaction
eod-cr-crlf rejected reject smuggled_transaction
eod-cr-lf rejected reject smuggled_transaction
eod-lf-cr rejected reject smuggled_transaction
eod-crlf-cr rejected reject smuggled_transaction
eod-crlf-crcrlf split-refused accept -
eod-crcrlf-crcrlf split-refused accept -
eod-lf-crcrlf split-refused accept -
eod-lflf-crlf split-refused accept -
nul-dot rejected reject nul,smuggle_eod,smuggled_transaction
dot-nul rejected reject nul,smuggled_transaction
bare-cr accepted log smtp_commands
bare-lf accepted log smtp_commands
nul rejected reject nul,smtp_commands
long-line accepted log long_line,smtp_commands
lone-dot rejected reject lone_dot,smuggled_transaction
'
VL_SPLIT_OWNED='eod-lf-lf eod-lf-crlf eod-crlf-lf eod-crlf-crcrlf eod-crcrlf-crcrlf
 eod-lf-crcrlf eod-lflf-crlf'
# ... and when it normalises bare LFs (smtpd_forbid_bare_newline =
# normalize, the client not excluded): no split; see vectors-normalize.sh.
VL_NORMALIZED='
control accepted log smtp_commands
eod-lf-lf accepted log smtp_commands
eod-lf-crlf accepted log smtp_commands
eod-crlf-lf accepted log smtp_commands
eod-cr-cr rejected reject smuggled_transaction
eod-cr-crlf rejected reject smuggled_transaction
eod-cr-lf rejected reject smuggled_transaction
eod-lf-cr rejected reject smuggled_transaction
eod-crlf-cr rejected reject smuggled_transaction
eod-crlf-crcrlf rejected reject smuggled_transaction
eod-crcrlf-crcrlf rejected reject smuggled_transaction
eod-lf-crcrlf rejected reject smuggled_transaction
eod-lflf-crlf accepted log smtp_commands
nul-dot rejected reject nul,smuggle_eod,smuggled_transaction
dot-nul rejected reject nul,smuggled_transaction
bare-cr accepted log smtp_commands
bare-lf accepted log smtp_commands
nul rejected reject nul,smtp_commands
long-line accepted log long_line,smtp_commands
lone-dot rejected reject lone_dot,smuggled_transaction
'

ALICE='--user alice@example.test --mech SCRAM-SHA-256 --password-file'

vl_table() {
	echo "$1" | while read -r name want_outcome want_verdict want_classes; do
		[ -n "$name" ] || continue
		n=$(pf_audit_lines)
		out=$(pf_probe "$PF_SUB_PORT" $ALICE "$PF_DIR/alice.pw" \
			--from alice@example.test --to bob@example.test --vector "$name")
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
		is "$name: outcome" "$outcome" "$want_outcome"
		is "$name: verdict and classes in the audit record" \
			"$verdict $classes" "$want_verdict $want_classes"
		case $want_outcome in
		rejected)
			is "$name: the client got the audit record's reply" \
				"$reply" "$(printf '%s\n' "$first" | jq -r '.reply')"
			;;
		accepted)
			is "$name: audit record carries the queue id" \
				"$(printf '%s\n' "$first" | jq -r '.stage + " " + .qid')" \
				"eom $qid"
			;;
		split-refused)
			is "$name: hidden MAIL FROM refused as not owned" \
				"$(printf '%s\n' "$recs" | sed -n 2p | jq -r '[.stage,.rule,.from,.reply]|@text')" \
				'["mail","sender.not_owned","smuggled@example.test","553 5.7.1 <smuggled@example.test>: Sender address rejected: not owned by user alice@example.test"]'
			if [ "${VL_RESET:-0}" = 1 ]; then
				check "$name: the client got one of the replies before the hang-up" \
					sh -c 'printf "%s\n" "$1" | grep -Eq "^(250 2\.0\.0 Ok: queued|553 5\.7\.1 |503 5\.5\.1 |554 5\.5\.0 |\(connection )"' sh "$reply"
			else
				is "$name: the client got that 553" "$reply" \
					"553 5.7.1 <smuggled@example.test>: Sender address rejected: not owned by user alice@example.test"
			fi
			;;
		esac
		is "$name: --json shows the whole payload: vector, hidden transaction, hidden_from" \
			"$(printf '%s\n' "$out" | jq -r '.vectors[0] as $v | $v.payload as $p |
				$v.hidden_from + " " +
				([($p | startswith("From: <alice@example.test>\\r\\n")),
				  ($p | contains("\\r\\nhello" + $v.bytes + "MAIL FROM:<" + $v.hidden_from +
					">\\r\\nRCPT TO:<bob@example.test>\\r\\nDATA\\r\\n")),
				  ($p | endswith("\\r\\nhidden\\r\\n.\\r\\n"))] | all | tostring)')" \
			"smuggled@example.test true"
		is "$name: one record per transaction, none for the abort" \
			"$(printf '%s\n' "$recs" | jq -r '.stage' | grep -c abort)" 0
		# Pipe subshell: carry the counters out through a file.
		echo "$TAP_N $TAP_FAILED" > "$PF_DIR/tap.count"
	done
	read -r TAP_N TAP_FAILED < "$PF_DIR/tap.count"
}

# The split vectors with a hidden sender alice owns: Postfix itself
# ends DATA early, dotgate sees two clean transactions of one login and
# lets both through.  That is smuggling only in form (the same user could
# have sent both), and it is what the probe must report.
vl_smuggled() {
	[ -n "$1" ] || return 0
	args=
	for v in $1; do args="$args --vector $v"; done
	out=$(pf_probe "$PF_SUB_PORT" $ALICE "$PF_DIR/alice.pw" --from alice@example.test \
		--hidden-from alice@example.test --to bob@example.test $args)
	rc=$?
	is "hidden sender owned by alice: smuggled through Postfix's own split" \
		"$(printf '%s\n' "$out" | jq -r '[.vectors[].outcome] | unique | join(",")') $rc" \
		"smuggled 1"
}
