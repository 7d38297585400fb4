#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/crash.sh: dotgate killed (kill -9) and restarted while a
# real Postfix hands it mail.  A sending Postfix (tests/postfix/sender.sh,
# real queue, real retries) relays CRASH_N messages (2000) as alice over
# SASL to the receiving instance's submission port, where dotgate checks
# the sender and scans every body.  During the run dotgate is killed
# three times (the second time after 0.5 s frozen by SIGSTOP, so that
# transactions in every stage are cut) and started again 1 s later on
# the same socket, as systemd's Restart=on-failure would.  Once the
# sender's queue is empty, every message is counted by Message-ID:
# delivered once, duplicated, lost, and delivered without an accepting
# end-of-message record of dotgate (matched by the receiver's queue id,
# dotgate(8) "AUDIT RECORD"): unchecked.  Rounds: a baseline of CRASH_N/4 messages without
# kills, then the kills under milter_default_action = tempfail, and under
# shutdown where Postfix knows it (3.10; 3.7 has no such value).  Delays
# (delivery into the mailbox minus injection) and the sender's deferrals
# are printed as "# ..." lines.  doc/mta.md "When dotgate dies" says
# what was measured.  TAP.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$top_srcdir/tests/postfix/lib.sh"
. "$top_srcdir/tests/postfix/sender.sh"
. "$top_srcdir/tests/postfix/crash-lib.sh"
pf_require_root
pf_need dotgate jq

N=${CRASH_N:-2000}
KILLS=3
DRAIN=${CRASH_DRAIN:-120}	# seconds the sender may take to empty its queue

pf_init
trap crash_cleanup EXIT
crash_cleanup() {
	_crc=$?
	snd_stop
	(exit $_crc)
	pf_cleanup
}

# Nobody is exempt: the relay must authenticate, and the shipped body
# policy (dotgate.conf(5) "THE BODY SECTION" defaults) scans every body.
CONF=$(pf_dotgate_conf crash <<'EOF'
auth {
  exempt_networks = {}
}
user "alice@example.test" {
  senders = {"alice@example.test"}
}
EOF
)
pf_dotgate_start "$CONF" || tap_bail "dotgate did not start"
pf_postfix_config milter
# Long queue ids are never reused within a run: one id, one transaction.
echo "enable_long_queue_ids = yes" >> "$PF_DIR/etc/main.cf"
pf_postfix_start
snd_init "$PF_SUB_PORT" alice@example.test "$PF_DIR/alice.pw"
snd_start
crash_body > "$PF_DIR/body.txt"

T0=$(date +%s)
crash_round baseline tempfail $((N / 4)) 0
crash_round kill-tempfail tempfail "$N" "$KILLS"
if crash_has_shutdown; then
	crash_round kill-shutdown shutdown "$N" "$KILLS"
else
	skip "kill-shutdown: milter_default_action = shutdown" \
		"Postfix $(postconf -d -h mail_version) has no shutdown action (3.10 has)"
fi
echo "# suite: $(($(date +%s) - T0)) s for the rounds, N=$N, Postfix $(postconf -d -h mail_version)"

is "the sender instance has no process left" "$(snd_stop; snd_left)" ""
pf_done
