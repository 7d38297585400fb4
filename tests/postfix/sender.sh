# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/sender.sh: a second, sending Postfix instance that relays
# everything to the receiving instance of tests/postfix/lib.sh, with a
# real queue and real retries.  Sourced (POSIX sh) after lib.sh, never run.
#
# NAME
#	sender.sh - private relaying Postfix (pickup, cleanup, qmgr, smtp)
# SYNOPSIS
#	snd_init PORT LOGIN PWFILE	writes $SND_DIR (under $PF_DIR): relays
#					to [127.0.0.1]:PORT, authenticating as
#					LOGIN with the password in PWFILE
#	snd_start / snd_stop
#	snd_send TO			one message from stdin, through the
#					instance's own sendmail(1)
#	snd_queue_count			messages in the sender's queues
#	snd_deferred_since N		"status=deferred" lines of its maillog
#					after line N
#	snd_maillog_lines
#	snd_left			PIDs of its processes still running
# DESCRIPTION
#	config_directory $SND_DIR/etc, queue_directory spool/, data_directory
#	data/, maillog_file maillog; myhostname relay.example.test.  No
#	service listens: mail enters by sendmail -C.  relayhost is the
#	receiver's port; the smtp client authenticates with SASL (SCRAM or
#	CRAM, which are not plaintext-class, so no TLS is needed: see
#	dotgate.conf(5) "THE AUTH SECTION").  Deferred mail is retried
#	within seconds: minimal_backoff_time 1s, maximal_backoff_time 4s,
#	queue_run_delay 1s (the smallest values postconf(5) accepts are 1s).
#	A destination qmgr marks dead after failed connections is tried
#	again after minimal_backoff_time, so the same bound holds there.
SND_DIR=

snd_init() {
	SND_DIR=$PF_DIR/snd
	mkdir -p "$SND_DIR/etc" "$SND_DIR/spool" "$SND_DIR/data" ||
		tap_bail "mkdir $SND_DIR failed"
	chown postfix:postfix "$SND_DIR/data"
	pf_main_common "$SND_DIR" relay.example.test > "$SND_DIR/etc/main.cf"
	cat >> "$SND_DIR/etc/main.cf" <<EOF
relayhost = [127.0.0.1]:$1
smtp_sasl_auth_enable = yes
smtp_sasl_password_maps = static:$2:$(cat "$3")
smtp_sasl_security_options = noanonymous
smtp_sasl_mechanism_filter = scram-sha-256, cram-md5
smtp_tls_security_level = none
minimal_backoff_time = 1s
maximal_backoff_time = 4s
queue_run_delay = 1s
EOF
	{
		echo "# service type  private unpriv  chroot  wakeup  maxproc command + args"
		pf_master_common
		echo "smtp      unix  -       -       n       -       -       smtp"
		echo "relay     unix  -       -       n       -       -       smtp"
	} > "$SND_DIR/etc/master.cf"
}

snd_start() {
	_out=$(postfix -c "$SND_DIR/etc" start 2>&1) || {
		printf '%s\n' "$_out" | sed 's/^/# sender: /'
		tap_bail "postfix -c $SND_DIR/etc start failed"
	}
	wait_until 10 test -S "$SND_DIR/spool/public/pickup" -o \
		-p "$SND_DIR/spool/public/pickup" ||
		tap_bail "the sender's pickup service is not there"
}

snd_stop() {
	[ -n "$SND_DIR" ] && [ -f "$SND_DIR/etc/main.cf" ] || return 0
	_smp=
	[ -f "$SND_DIR/spool/pid/master.pid" ] &&
		_smp=$(tr -dc '0-9' < "$SND_DIR/spool/pid/master.pid")
	postfix -c "$SND_DIR/etc" stop >/dev/null 2>&1
	[ -n "$_smp" ] && { wait_gone "$_smp" 10 || kill -9 "$_smp" 2>/dev/null; }
	for _p in $(snd_left); do kill -9 "$_p" 2>/dev/null; done
	return 0
}

# Every Postfix daemon chdirs to its queue directory.
snd_left() {
	[ -n "$SND_DIR" ] || return 0
	for _d in /proc/[0-9]*; do
		_c=$(readlink "$_d/cwd" 2>/dev/null) || continue
		case $_c in "$SND_DIR"/spool*) echo "${_d#/proc/}" ;; esac
	done
}

snd_send() {
	sendmail -C "$SND_DIR/etc" -f alice@example.test -- "$1"
}

# Every queue showq lists, the maildrop included.
snd_queue_count() {
	postqueue -c "$SND_DIR/etc" -j 2>/dev/null | grep -c '"queue_id"'
}

snd_maillog_lines() {
	if [ -f "$SND_DIR/maillog" ]; then wc -l < "$SND_DIR/maillog" | tr -d ' '
	else echo 0; fi
}

snd_deferred_since() {
	[ -f "$SND_DIR/maillog" ] &&
		sed -n "$(($1 + 1)),\$p" "$SND_DIR/maillog" | grep -F 'status=deferred'
	return 0
}
