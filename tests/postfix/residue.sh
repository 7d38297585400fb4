#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/residue.sh: what Postfix leaves of each end-of-data
# look-alike, and that dotgate's shipped body policy recognises it, in
# every shape the public smuggling test tools send.  TAP.
#
# Every probe vector is sent in each template (the hidden transaction
# right after the sequence, after CRLF, after CRLF CRLF), each case
# (MAIL FROM/RCPT TO/DATA, or mail/rcpt/data) and each way of carrying
# the hidden message (DATA, or BDAT n LAST), alice authenticated and the
# hidden sender hers (so a split is not refused at the hidden MAIL
# FROM), through three Postfix settings: 3.7's defaults (bare newlines
# left alone), smtpd_forbid_bare_newline = normalize (for every client),
# and the defaults of the Postfix installed for an Internet client.
#
# Pass 1, dotgate in monitor mode: every message is delivered, so the
# delivered body shows what the milter received; each variant's residue
# (the bytes between the body line "hello" and the hidden MAIL FROM,
# escaped, every line end shown as the \r\n the milter gets) and classes
# are printed as "# residue:" comments.  A look-alike that left a trace
# in the message (a space, a dot or a NUL) must be found as
# smuggled_transaction; one Postfix erased entirely (nothing but line
# ends left: the LF forms under normalize), and every vector that is no
# look-alike, must not.  Pass 2, dotgate enforcing the shipped policy:
# each of the former is rejected 550 5.6.0 naming smuggled_transaction.
# A variant Postfix split is not in one message: its hidden transaction
# meets the sender gate at its own MAIL FROM (vectors.sh tests that).
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
pf_require_root
pf_need dotgate probe jq

VARIANTS="--template all --case all --hidden-data all"
ALICE='--user alice@example.test --mech SCRAM-SHA-256 --password-file'

pf_init
conf() {	# conf NAME MODE
	pf_dotgate_conf "$1" <<EOF
mode = $2
auth {
  exempt_networks = {}
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
EOF
}
MONITOR=$(conf residue-monitor monitor)
ENFORCE=$(conf residue-enforce enforce)

# probe_all FILE: every vector in every variant; the JSON in FILE.
probe_all() {
	# shellcheck disable=SC2086
	pf_probe "$PF_SUB_PORT" $ALICE "$PF_DIR/alice.pw" $VARIANTS \
		--from alice@example.test --hidden-from alice@example.test \
		--to bob@example.test >"$1"
}

# The delivered message with the given Subject, its body from "hello"
# to the hidden mail/MAIL line, escaped: the residue ("-" when the
# hidden MAIL line is not at a line start: Postfix erased the sequence
# and joined the lines, or split the message).
residue_of() {
	# Postfix's virtual agent writes LF line ends.
	_f=$(grep -l -r -F -x "Subject: dotgate-probe $1" \
		"$PF_DIR/mail/inbox/new" 2>/dev/null | head -n 1)
	[ -n "$_f" ] || { echo "(not delivered)"; return; }
	perl -0777 -ne '
		if (/\nhello(.*?)(?:MAIL|mail) FROM:<alice\@example\.test>/ms) {
			$r = $1; $r =~ s/\r/\\r/g; $r =~ s/\n/\\r\\n/g; $r =~ s/\0/\\0/g;
			print $r eq "" ? "(none)\n" : "$r\n";
		} else { print "-\n" }' "$_f"
}

# expect VECTOR RESIDUE: what the shipped policy must find in one
# message.  A look-alike that left a trace (a space, a dot or a NUL
# where the client sent it; nothing but line ends once Postfix is done
# means no trace) is a smuggled_transaction; one that left none, and
# every vector that is no look-alike, is not.
expect() {
	case $1 in
	eod-*|nul-dot|dot-nul|lone-dot)
		if printf '%s' "$2" | sed 's/\\r\\n//g' | grep -q .; then
			echo smuggled
		else
			echo erased
		fi ;;
	*) echo clean ;;
	esac
}

# pass_monitor LABEL: every variant delivered; residues and classes
# into $PF_DIR/LABEL.tsv (label, outcome, residue, classes, expect).
pass_monitor() {
	pf_dotgate_stop
	pf_dotgate_start "$MONITOR" || tap_bail "dotgate did not start"
	rm -f "$PF_DIR"/mail/inbox/new/* 2>/dev/null
	probe_all "$PF_DIR/monitor.json"
	jq -r '.vectors[] | [.name, .template, .case, .hidden_data, .outcome, (.qid // "-")] | @tsv' \
		"$PF_DIR/monitor.json" | while IFS='	' read -r n t c h o q; do
		label="$n/$t/$c/$h"
		cls=$(jq -r --arg q "$q" 'select(.qid == $q and .stage == "eom") |
			.anomalies | keys | join(",")' "$PF_AUDIT" | head -n 1)
		res=$(residue_of "$label")
		printf '# residue: %s %s %s %s %s\n' "$1" "$label" "$o" "$res" "${cls:--}" >&2
		printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$o" "$res" "${cls:--}" \
			"$(expect "$n" "$res")"
	done >"$PF_DIR/$1.tsv"
}

# check_monitor LABEL: the classes the residue calls for, in one line
# per outcome kind (a split is not in one message: judged at its own
# MAIL FROM, which alice owns here).
check_monitor() {
	bad=$(awk -F '\t' '
		$2 != "accepted" { next }
		$5 == "smuggled" && $4 !~ /smuggled_transaction/ { print $1 " [" $3 "] " $4 " want " $5 }
		$5 != "smuggled" && $4 ~ /smuggled_transaction/ { print $1 " [" $3 "] " $4 " want " $5 }' \
		"$PF_DIR/$1.tsv" || echo "awk failed")
	is "$1: every look-alike with a trace in one message is smuggled_transaction, nothing else is" \
		"$bad" ""
	is "$1: no variant failed to deliver in monitor mode" \
		"$(awk -F '\t' '$2 != "accepted" && $2 != "smuggled" { print $1 " " $2 }' "$PF_DIR/$1.tsv")" ""
	echo "# $1: $(awk -F '\t' '{ n[$2 == "accepted" ? $5 : "split"]++ }
		END { for (k in n) printf "%s %d  ", k, n[k] }' "$PF_DIR/$1.tsv")"
}

# pass_enforce LABEL: the shipped policy rejects each attempt that left a
# trace with 550 5.6.0 naming smuggled_transaction, and lets the rest of
# the one-message variants through.
pass_enforce() {
	pf_dotgate_stop
	pf_dotgate_start "$ENFORCE" || tap_bail "dotgate did not start"
	probe_all "$PF_DIR/enforce.json"
	jq -r '.vectors[] | [.name + "/" + .template + "/" + .case + "/" + .hidden_data,
		.outcome, .reply] | @tsv' "$PF_DIR/enforce.json" >"$PF_DIR/$1.enforce.tsv"
	bad=$(awk -F '\t' '
		NR == FNR { want[$1] = $2 == "accepted" ? $5 : "split"; next }
		want[$1] == "smuggled" && !($2 == "rejected" && $3 ~ /^550 5\.6\.0 .*smuggled_transaction/) { print $1 " " $2 " " $3 " want smuggled" }
		want[$1] != "smuggled" && want[$1] != "split" && $3 ~ /smuggled_transaction/ { print $1 " " $2 " " $3 " want " want[$1] }' \
		"$PF_DIR/$1.tsv" "$PF_DIR/$1.enforce.tsv" || echo "awk failed")
	is "$1: enforce: each of them rejected 550 5.6.0 (smuggled_transaction), in every template, case and DATA/BDAT" \
		"$bad" ""
}

run_setting() {	# run_setting LABEL: both passes with the current PF_*
	echo "# --- $1"
	pf_postfix_stop
	pf_postfix_config milter
	pf_postfix_start
	pass_monitor "$1"
	check_monitor "$1"
	pass_enforce "$1"
	awk -F '\t' '$5 == "erased" && $2 == "accepted" { print "# erased by the MTA: " $1 " [" $3 "] " $4 }' \
		"$PF_DIR/$1.tsv" | sed -n '1,12p'
	is "$1: the enforce pass saw the same variants" \
		"$(wc -l <"$PF_DIR/$1.enforce.tsv")" "$(wc -l <"$PF_DIR/$1.tsv")"
}

pf_dotgate_start "$MONITOR" || tap_bail "dotgate did not start"
PF_BARE_NEWLINE=
run_setting "postfix-3.7-defaults"
PF_BARE_NEWLINE=normalize
run_setting "normalize"
# The installed Postfix's own defaults, for a client outside
# $mynetworks; on 3.7 they are the first setting's, measured above.
if [ "$(postconf -d -h smtpd_forbid_bare_newline)" = no ]; then
	echo "# Postfix $(postconf -d -h mail_version) defaults: as postfix-3.7-defaults above"
else
	PF_BARE_NEWLINE=
	PF_STOCK=1
	PF_MYNETWORKS=192.0.2.0/24
	run_setting "stock-$(postconf -d -h mail_version)-internet"
fi
pf_done
