# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/crash-lib.sh: the rounds of tests/postfix/crash.sh: mail
# injected into the sender, dotgate killed and restarted while it flows,
# and the delivered messages counted against dotgate's audit records.
# Sourced (POSIX sh) after lib.sh and sender.sh, never run.
#
# NAME
#	crash-lib.sh - inject, kill, restart, count
# SYNOPSIS
#	crash_round NAME ACTION N KILLS	one round: milter_default_action =
#					ACTION on the receiver, N messages,
#					KILLS kill -9 of dotgate spread over
#					the deliveries; prints its TAP lines
#	crash_has_shutdown		Postfix knows milter_default_action =
#					shutdown (3.10 and later)
#	crash_body			a message body (stdout)
# DESCRIPTION
#	Message i of round NAME has Message-ID <crash-NAME-i@relay.example.test>
#	and X-Crash-Injected: its injection time (seconds since the epoch,
#	microseconds).  Its delivery time is in the name the virtual agent
#	gives its Maildir file (seconds, then M and microseconds).  Its
#	receiver queue id is in the first Received header (the receiver's).
#	A delivered message is checked when the audit record of that queue
#	id has stage eom, an accepting verdict (accept, log, tag, quarantine:
#	dotgate.conf(5) "THE VERDICT") and a body size above zero (the body
#	was scanned).  Uses $CONF, $DRAIN and the globals of lib.sh and
#	sender.sh.

crash_has_shutdown() {
	_v=$(postconf -d -h mail_version)
	_maj=${_v%%.*}
	_min=${_v#*.}
	_min=${_min%%.*}
	[ "$_maj" -gt 3 ] || { [ "$_maj" -eq 3 ] && [ "$_min" -ge 10 ]; }
}

# About 2 KB of ordinary text: every chunk goes through the scanner.
crash_body() {
	_l=1
	while [ $_l -le 30 ]; do
		echo "Line $_l of an ordinary message body, scanned by dotgate end to end."
		_l=$((_l + 1))
	done
}

# crash_inject NAME N: the round's messages, one sendmail(1) each, as
# fast as the sender's pickup takes them.
crash_inject() {
	_j=1
	while [ $_j -le "$2" ]; do
		{
			printf 'From: <alice@example.test>\nTo: <bob@example.test>\n'
			printf 'Subject: crash %s %d\n' "$1" $_j
			printf 'Message-ID: <crash-%s-%d@relay.example.test>\n' "$1" $_j
			printf 'X-Crash-Injected: %s\n\n' "$(date +%s.%6N)"
			cat "$PF_DIR/body.txt"
		} | snd_send bob@example.test || echo "# $1: sendmail failed for message $_j"
		_j=$((_j + 1))
	done
}

crash_delivered() {
	ls -f "$PF_DIR/mail/inbox/new" 2>/dev/null | grep -vc '^\.'
}

crash_delivered_ge() { [ "$(crash_delivered)" -ge "$1" ]; }

# dotgate runs and listens (a stale socket file of a killed daemon is
# not a listener: ss lists only bound, listening sockets).
crash_dg_listening() {
	kill -0 "$PF_DG_PID" 2>/dev/null &&
		ss -Hlx 2>/dev/null | grep -qF "$PF_SOCK "
}

# crash_kill_restart [frozen]: kills dotgate with SIGKILL, waits 1 s and
# starts it again on the same socket and configuration; true once it
# listens again.  frozen: SIGSTOP 0.5 s before the kill, as a hung
# daemon killed by a watchdog, so that the kill finds transactions in
# every stage, end of message included (a plain kill mostly finds
# sessions idle between transactions).
crash_kill_restart() {
	_old=$PF_DG_PID
	_kt=$(date +%s%N)
	if [ "${1:-}" = frozen ]; then
		kill -STOP "$_old" 2>/dev/null
		sleep 0.5
	fi
	kill -9 "$_old" 2>/dev/null
	wait "$_old" 2>/dev/null
	_at=$(crash_delivered)
	sleep 1
	[ -S "$PF_SOCK" ] || echo "# the killed daemon left no socket file"
	pf_dotgate_spawn "$CONF"
	if wait_until 20 crash_dg_listening; then
		echo "# kill -9 dotgate (pid $_old) at $_at delivered; listening again after $((($(date +%s%N) - _kt) / 1000000)) ms"
		return 0
	fi
	tail -n 5 "$PF_DIR/dg/daemon.out" | sed 's/^/# dotgate: /'
	# Keep the round going so that the counts still say something.
	pf_dotgate_stop
	pf_dotgate_start "$CONF" || tap_bail "dotgate does not start again"
	return 1
}

# crash_wait_empty SECS CMD: CMD prints 0 within SECS seconds.
crash_wait_empty() {
	_w=0
	while [ "$($2)" != 0 ]; do
		[ $_w -lt "$1" ] || return 1
		sleep 1
		_w=$((_w + 1))
	done
}

crash_receiver_count() { pf_queue_json | grep -c '"queue_id"'; }

# Every delivered message: Message-ID, injected, receiver queue id,
# delivered (tab-separated).
crash_deliveries() {
	[ -d "$PF_DIR/mail/inbox/new" ] || return 0
	find "$PF_DIR/mail/inbox/new" -type f -print | xargs -r awk '
	FNR == 1 {
		hdr = 1; rcv = 0; seen = 0; qid = "-"; mid = "-"; inj = "-"
		n = split(FILENAME, p, "/"); sec = p[n]; sub(/\..*/, "", sec)
		us = 0
		if (match(p[n], /M[0-9]+/)) us = substr(p[n], RSTART + 1, RLENGTH - 1)
	}
	!hdr { next }
	/^$/ { hdr = 0; printf "%s\t%s\t%s\t%s.%06d\n", mid, inj, qid, sec, us; next }
	/^[ \t]/ {
		if (rcv && qid == "-" && match($0, / id [0-9A-Za-z]+/))
			qid = substr($0, RSTART + 4, RLENGTH - 4)
		next
	}
	{ rcv = 0 }
	/^[Rr]eceived:/ && !seen {
		seen = 1; rcv = 1
		if (match($0, / id [0-9A-Za-z]+/)) qid = substr($0, RSTART + 4, RLENGTH - 4)
	}
	/^[Mm]essage-[Ii][Dd]:/ { mid = $2 }
	/^X-Crash-Injected:/ { inj = $2 }'
}

# crash_count NAME N RECORDS DELIVERIES: "once dup lost unchecked
# orphans strays eom abort"; the first delivery's delay of each message
# into $PF_DIR/NAME.delays, the queue ids of the orphans (accepting
# records of transactions that were not delivered) into NAME.orphans.
crash_count() {
	awk -F '\t' -v n="$2" -v r="$1" -v dl="$PF_DIR/$1.delays" \
		-v orph="$PF_DIR/$1.orphans" '
	FILENAME == ARGV[1] {
		nrec[$1]++
		if ($1 == "eom" && $3 ~ /^(accept|log|tag|quarantine)$/ && $4 > 0)
			acc[$2] = 1
		next
	}
	{
		c[$1]++
		got[$3] = 1
		if (!($3 in acc) && ++unchecked <= 10)
			print "# unchecked: " $1 " queue id " $3 > "/dev/stderr"
		if (c[$1] == 1) printf "%.6f\n", $4 - $2 > dl
	}
	END {
		printf "" > dl
		printf "" > orph
		for (i = 1; i <= n; i++) {
			id = "<crash-" r "-" i "@relay.example.test>"
			k = c[id] + 0
			if (k == 0) lost++
			else if (k == 1) once++
			else dup++
			delete c[id]
		}
		for (id in c) stray++
		for (q in acc) if (!(q in got)) { orphans++; print q > orph }
		printf "%d %d %d %d %d %d %d %d\n", once, dup, lost, unchecked,
			orphans, stray, nrec["eom"], nrec["abort"]
	}' "$3" "$4"
}

# crash_delays FILE: "median p99 max" of the seconds in FILE.
crash_delays() {
	sort -n "$1" | awk '
	{ a[NR] = $1 }
	END {
		if (NR == 0) { print "- - -"; exit }
		p = int(NR * 0.99); if (p < NR * 0.99) p++
		printf "%.3f %.3f %.3f\n", a[int((NR + 1) / 2)], a[p], a[NR]
	}'
}

# The sender's deferrals after maillog line N, by reason (the first
# words of the reply or of qmgr's note), most frequent first.
crash_defer_reasons() {
	snd_deferred_since "$1" | sed -e 's/.*status=deferred (//' \
		-e 's/host [^ ]* said: //' -e 's/ (in reply to.*//' -e 's/)$//' |
		cut -c1-60 | sort | uniq -c | sort -rn | head -n 5 | sed 's/^ */#   /'
}

crash_round() {
	_r=$1 _act=$2 _n=$3 _k=$4
	echo "# --- $_r: milter_default_action = $_act, $_n messages, $_k kill -9"
	postconf -c "$PF_DIR/etc" -e "milter_default_action = $_act"
	postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
	[ -d "$PF_DIR/mail/inbox/new" ] &&
		find "$PF_DIR/mail/inbox/new" -type f -delete
	_a0=$(pf_audit_lines)
	_m0=$(snd_maillog_lines)
	_l0=$(wc -l < "$PF_DIR/maillog")
	_s0=$(grep -c 'removed stale socket' "$PF_DIR/dg/daemon.out")
	_t0=$(date +%s)
	crash_inject "$_r" "$_n" &
	_inj=$!
	_restarts=0
	_i=1
	while [ $_i -le "$_k" ]; do
		# Spread over the deliveries: after 1/4, 2/4, 3/4 of them;
		# the second one frozen first.
		_at=$((_n * _i / (_k + 1)))
		wait_until 120 crash_delivered_ge $_at ||
			echo "# $_r: $(crash_delivered) delivered, not $_at: killing anyway"
		crash_kill_restart $([ $_i = 2 ] && echo frozen) && _restarts=$((_restarts + 1))
		_i=$((_i + 1))
	done
	wait $_inj
	_ti=$(($(date +%s) - _t0))
	if crash_wait_empty "$DRAIN" snd_queue_count; then
		ok "$_r: the sender's queue is empty (all retries done) within $DRAIN s"
	else
		not_ok "$_r: the sender's queue is empty (all retries done) within $DRAIN s" \
			"$(snd_queue_count) messages left"
	fi
	crash_wait_empty 30 crash_receiver_count ||
		echo "# $_r: the receiver's queue still holds $(crash_receiver_count)"
	echo "# $_r: $(($(date +%s) - _t0)) s (injection $_ti s)"
	_stale=$(($(grep -c 'removed stale socket' "$PF_DIR/dg/daemon.out") - _s0))
	is "$_r: dotgate restarted $_k times after kill -9, removing the stale socket" \
		"$_restarts restarts, $_stale stale sockets removed" \
		"$_k restarts, $_k stale sockets removed"
	crash_report "$_r" "$_n" "$_a0" "$_m0" "$_l0"
}

# crash_report NAME N AUDIT0 SENDERLOG0 RECEIVERLOG0: the counts and
# their TAP lines; the log offsets are the lines before the round.
crash_report() {
	pf_audit_since "$3" | jq -r '[.stage, (.qid // "-"), (.verdict // "-"),
		.size] | @tsv' > "$PF_DIR/$1.records"
	crash_deliveries > "$PF_DIR/$1.deliveries"
	crash_count "$1" "$2" "$PF_DIR/$1.records" "$PF_DIR/$1.deliveries" \
		> "$PF_DIR/$1.counts"
	read -r _once _dup _lost _unch _orph _stray _eom _abort < "$PF_DIR/$1.counts"
	echo "# $1: $2 injected: $_once delivered once, $_dup duplicated, $_lost lost, $_unch unchecked, $_stray foreign"
	echo "# $1: records: $_eom eom, $_abort abort; $_orph accepting records whose transaction was not delivered"
	echo "# $1: delay injection to mailbox (s): median p99 max = $(crash_delays "$PF_DIR/$1.delays")"
	echo "# $1: 4xx/deferrals seen by the sender: $(snd_deferred_since "$4" | wc -l)"
	crash_defer_reasons "$4"
	echo "# $1: what the receiver logged of the dead milter:"
	crash_milter_log "$5"
	is "$1: 0 lost" "$_lost" 0
	is "$1: 0 delivered without dotgate's accepting record (unchecked)" "$_unch" 0
	is "$1: 0 duplicated deliveries" "$_dup" 0
	is "$1: every message delivered once" "$_once" "$2"
	crash_orphans "$1"
}

# An accepting record whose transaction was not delivered: dotgate
# wrote it and died before its answer reached smtpd, which then gave
# milter_default_action's reply at end of message and queued nothing.
# Each must show that reply in the receiver's maillog.
crash_orphans() {
	_bad=
	while read -r _q; do
		grep -F " $_q: " "$PF_DIR/maillog" | sed "s/^/# orphan record $_q: /"
		grep -qF " $_q: milter-reject: END-OF-MESSAGE " "$PF_DIR/maillog" ||
			_bad="$_bad $_q"
	done < "$PF_DIR/$1.orphans"
	is "$1: every accepting record without delivery was refused at end of message by Postfix" \
		"$_bad" ""
}

# The receiver's maillog after line N: its warnings about the milter and
# the replies it gave in dotgate's place, by kind.
crash_milter_log() {
	sed -n "$(($1 + 1)),\$p" "$PF_DIR/maillog" | sed -n \
		-e 's/.*warning: \(connect to Milter service\) [^ ]*: /\1: /p' \
		-e 's/.*warning: milter [^ ]*: /milter: /p' \
		-e 's/.*\(milter-reject: [A-Z-]*\) from [^:]*: \([^;]*\);.*/\1: \2/p' \
		-e 's/.*\(lost connection\) after \([A-Z]*\).*/\1 after \2/p' \
		-e 's/.*\(reject: [A-Z]*\) from [^:]*: \([^;]*\);.*/\1: \2/p' |
		sort | uniq -c | sort -rn | head -n 8 | sed 's/^ */#   /'
}
