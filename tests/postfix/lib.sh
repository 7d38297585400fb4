# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/lib.sh: a throwaway Postfix instance on loopback for the
# end-to-end suite and "make demo".  Sourced (POSIX sh), never run.
#
# NAME
#	lib.sh - private Postfix + Cyrus SASL + dotgate in a temporary directory
# SYNOPSIS
#	. "$top_srcdir/tests/postfix/lib.sh"
#	pf_require_root NTESTS		prints "1..0 # SKIP ..." and exits if not root
#	free_port [TAKEN...]		a free loopback port (tests/port.sh)
#	pf_need WHAT...			"Bail out!" unless each is there: dotgate,
#					probe (built), or a command (jq, swaks)
#	pf_init				creates $PF_DIR, installs the cleanup trap,
#					sets $PF_TLS (1 when STARTTLS is offered)
#	pf_dotgate_start CONF [ARGS]	starts $DOTGATE -f on unix:$PF_SOCK with CONF
#	pf_dotgate_spawn CONF [ARGS]	the same, leaving the socket file as it
#					is and not waiting for it
#	pf_dotgate_stop
#	pf_start CONF			both: dotgate on CONF (or bail out), then
#					Postfix with the milter
#	pf_postfix_config [milter|nomilter]	writes main.cf, master.cf
#	pf_postfix_start / pf_postfix_stop	start waits for our ports, and for
#					$PF_EXTRA_PORTS (services a test added)
#	pf_cleanup			stops everything, removes $PF_DIR (the trap)
#	pf_wait_delivered TOKEN [SECS]	file name of the delivered mail containing TOKEN
#	pf_queue_json			postqueue -j of the instance
#	pf_listening			lists our ports still listening (empty = none)
#	pf_dotgate_conf NAME		writes $PF_DIR/dg/NAME.conf: stdin + socket_mode/audit
#	pf_probe ARGS...		runs dotgate-probe --json against 127.0.0.1
#	pf_audit_since N		audit records after line N, one per line
#	tap.sh				ok, not_ok, check, is, skip
#					(tests/lib/tap.sh), sourced here
#	pf_done				checks nothing is left, prints the plan
# DESCRIPTION
#	The instance lives entirely under $PF_DIR (mktemp): config_directory
#	etc/, queue_directory spool/, data_directory data/, maillog_file
#	maillog (postlogd, no syslog), Cyrus SASL config etc/sasl/smtpd.conf
#	with etc/sasl/sasldb2 (users alice@example.test and bob@example.test, passwords
#	in $PF_DIR/alice.pw and bob.pw), Maildir delivery into mail/inbox/
#	for every recipient of example.test and example.org (the virtual
#	agent, uid nobody).  No service is chrooted.  It listens on
#	127.0.0.1 only: $PF_SMTP_PORT (plain smtpd, no AUTH, daemon name
#	"smtp") and $PF_SUB_PORT (submission, AUTH on, daemon name
#	"submission"), both picked free at run time.  The submission service
#	offers STARTTLS (smtpd_tls_security_level = may, AUTH offered before
#	TLS too: smtpd_tls_auth_only = no) with a throwaway self-signed
#	certificate for mx.example.test made by openssl in etc/tls/; if
#	openssl is missing or fails, $PF_TLS is empty and no service offers
#	TLS.  The plain service never offers it.  Nothing relays:
#	default_transport is error:.  The settings whose defaults differ
#	between Postfix 3.7 and 3.10 are pinned to 3.7's (pf_postfix_pins:
#	milter_default_action = tempfail, smtpd_forbid_unauth_pipelining =
#	no, smtpd_forbid_bare_newline = no), except smtpd_forbid_bare_newline
#	= $PF_BARE_NEWLINE when set (exclusions emptied, so that it applies
#	to loopback clients too); PF_STOCK=1 keeps the release's defaults.
#	PF_MYNETWORKS replaces mynetworks (default 127.0.0.0/8; a range
#	without 127.0.0.1 makes the tests an Internet client).
#	pf_cleanup stops Postfix and dotgate, kills any process left whose
#	working directory is our queue directory (every Postfix daemon
#	chdirs there), and removes $PF_DIR; KEEP=1 keeps the directory.
# DIAGNOSTICS
#	Cyrus SASL reads its smtpd.conf from $config_directory/sasl on
#	Debian whatever cyrus_sasl_config_path says, hence etc/sasl/.
#	pf_* functions print "# ..." TAP comments and return non-zero on
#	failure; pf_init and pf_postfix_start bail out with "Bail out!".

. "$top_srcdir/tests/port.sh"
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/proc.sh"

PF_SASL_REALM=example.test
PF_NOBODY_UID=$(id -u nobody 2>/dev/null || echo 65534)
PF_NOBODY_GID=$(id -g nobody 2>/dev/null || echo 65534)
PF_DIR=
PF_DG_PID=

pf_need() {
	for _w in "$@"; do
		case $_w in
		dotgate) [ -x "${DOTGATE:-}" ] || tap_bail "DOTGATE not built" ;;
		probe) [ -x "$DOTGATE_PROBE" ] || tap_bail "dotgate-probe not built" ;;
		*) command -v "$_w" >/dev/null || tap_bail "$_w missing (apt-get install $_w)" ;;
		esac
	done
}

pf_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP not root: a private Postfix instance needs root"
		exit 0
	fi
	for p in postfix saslpasswd2 postqueue; do
		if ! command -v "$p" >/dev/null 2>&1 &&
		   [ ! -x "/usr/sbin/$p" ]; then
			echo "1..0 # SKIP $p missing: apt-get install postfix sasl2-bin libsasl2-modules"
			exit 0
		fi
	done
	PATH=$PATH:/usr/sbin:/sbin
	export PATH
}

pf_init() {
	PF_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-pf.XXXXXX") ||
		tap_bail "mktemp failed"
	trap pf_cleanup EXIT
	trap 'exit 130' INT TERM HUP
	chmod 755 "$PF_DIR"
	mkdir -p "$PF_DIR/etc" "$PF_DIR/spool" "$PF_DIR/data" "$PF_DIR/etc/sasl" \
		"$PF_DIR/mail" "$PF_DIR/dg" || tap_bail "mkdir failed"
	chown postfix:postfix "$PF_DIR/data"
	chown "$PF_NOBODY_UID:$PF_NOBODY_GID" "$PF_DIR/mail"
	chmod 755 "$PF_DIR/dg"
	PF_SOCK=$PF_DIR/dg/sock
	PF_AUDIT=$PF_DIR/dg/audit.jsonl
	PF_SMTP_PORT=$(free_port) || tap_bail "no free port"
	PF_SUB_PORT=$(free_port "$PF_SMTP_PORT") || tap_bail "no free port"
	pf_sasl_setup || tap_bail "SASL setup failed"
	PF_TLS=
	pf_tls_setup && PF_TLS=1
	return 0
}

# A self-signed P-256 key and certificate for the submission service,
# valid two days, for mx.example.test and 127.0.0.1 (so that a client
# given it as trust anchor can check the name it connected to); smtpd
# reads them as root before dropping privileges.
pf_tls_setup() {
	command -v openssl >/dev/null 2>&1 || {
		echo "# openssl missing: the submission service offers no STARTTLS"
		return 1
	}
	mkdir -p "$PF_DIR/etc/tls" || return 1
	chmod 700 "$PF_DIR/etc/tls" || return 1
	if ! openssl req -x509 -newkey ec \
		-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=mx.example.test" \
		-addext "subjectAltName=DNS:mx.example.test,IP:127.0.0.1" \
		-keyout "$PF_DIR/etc/tls/key.pem" \
		-out "$PF_DIR/etc/tls/cert.pem" >"$PF_DIR/etc/tls/openssl.out" 2>&1
	then
		sed 's/^/# openssl: /' "$PF_DIR/etc/tls/openssl.out"
		echo "# no certificate: the submission service offers no STARTTLS"
		return 1
	fi
}

# Cyrus SASL for smtpd: sasldb2 with alice and bob.  smtpd runs as
# postfix, so the database is group-readable by postfix.
pf_sasl_setup() {
	cat > "$PF_DIR/etc/sasl/smtpd.conf" <<EOF
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $PF_DIR/etc/sasl/sasldb2
mech_list: PLAIN LOGIN CRAM-MD5 DIGEST-MD5 SCRAM-SHA-1 SCRAM-SHA-256
EOF
	for u in alice bob; do
		printf '%s\n' "$u-secret-$$" > "$PF_DIR/$u.pw"
		printf '%s' "$u-secret-$$" |
			saslpasswd2 -p -c -f "$PF_DIR/etc/sasl/sasldb2" \
				-u "$PF_SASL_REALM" "$u" || return 1
	done
	chown root:postfix "$PF_DIR/etc/sasl/sasldb2" &&
		chmod 640 "$PF_DIR/etc/sasl/sasldb2"
}

# pf_main_common DIR HOSTNAME: the main.cf lines of every test instance
# (this one and tests/postfix/sender.sh's): everything under DIR, the
# log in DIR/maillog, IPv4 loopback only, no local delivery.
pf_main_common() {
	cat <<EOF
# Private dotgate test instance; everything under $1.
compatibility_level = 3.6
queue_directory = $1/spool
data_directory = $1/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $1/maillog
maillog_file_prefixes = $1
myhostname = $2
mydomain = example.test
myorigin = example.test
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
local_recipient_maps =
biff = no
EOF
}

# pf_master_common: the master.cf services every test instance runs,
# none chrooted.
pf_master_common() {
	cat <<EOF
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# Writes main.cf and master.cf.  $1: "milter" (smtpd_milters = dotgate)
# or "nomilter".
pf_postfix_config() {
	_milter=${1:-milter}
	pf_main_common "$PF_DIR" mx.example.test > "$PF_DIR/etc/main.cf"
	cat >> "$PF_DIR/etc/main.cf" <<EOF
mynetworks = ${PF_MYNETWORKS:-127.0.0.0/8}
smtpd_peername_lookup = no
relayhost =
default_transport = error:dotgate test instance does not relay
relay_transport = error:dotgate test instance does not relay
virtual_mailbox_domains = example.test, example.org
virtual_mailbox_base = $PF_DIR/mail
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:$PF_NOBODY_UID
virtual_gid_maps = static:$PF_NOBODY_GID
virtual_minimum_uid = 1
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = $PF_DIR/etc/sasl
smtpd_sasl_security_options = noanonymous
smtpd_tls_security_level = none
milter_protocol = 6
EOF
	pf_postfix_pins >> "$PF_DIR/etc/main.cf"
	_subtls=none
	if [ -n "${PF_TLS:-}" ]; then
		_subtls=may
		cat >> "$PF_DIR/etc/main.cf" <<EOF
smtpd_tls_cert_file = $PF_DIR/etc/tls/cert.pem
smtpd_tls_key_file = $PF_DIR/etc/tls/key.pem
smtpd_tls_auth_only = no
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
EOF
	fi
	if [ "$_milter" = milter ]; then
		echo "smtpd_milters = unix:$PF_SOCK" >> "$PF_DIR/etc/main.cf"
	fi
	cat > "$PF_DIR/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
$PF_SMTP_PORT inet n - n - - smtpd
  -o syslog_name=postfix/smtp
  -o smtpd_sasl_auth_enable=no
  -o milter_macro_daemon_name=smtp
$PF_SUB_PORT inet n - n - - smtpd
  -o syslog_name=postfix/submission
  -o smtpd_sasl_auth_enable=yes
  -o smtpd_tls_security_level=$_subtls
  -o milter_macro_daemon_name=submission
verify    unix  -       -       n       -       1       verify
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
EOF
	pf_master_common >> "$PF_DIR/etc/master.cf"
}

# The settings whose defaults changed between Postfix 3.7 (Debian 12)
# and 3.10 (Debian 13), pinned so that a suite tests dotgate and not the
# release: 3.7's defaults (no bare-newline handling, pipelining after
# DATA tolerated, a dead milter defers the message), or PF_BARE_NEWLINE
# (e.g. normalize) with its exclusions emptied so that it applies to
# loopback clients.  PF_STOCK=1 pins nothing: the release's own defaults.
pf_postfix_pins() {
	[ "${PF_STOCK:-0}" = 1 ] && return 0
	echo "milter_default_action = tempfail"
	echo "smtpd_forbid_unauth_pipelining = no"
	if [ -n "${PF_BARE_NEWLINE:-}" ]; then
		echo "smtpd_forbid_bare_newline = $PF_BARE_NEWLINE"
		echo "smtpd_forbid_bare_newline_exclusions ="
	else
		echo "smtpd_forbid_bare_newline = no"
	fi
}

pf_postfix_start() {
	_out=$(postfix -c "$PF_DIR/etc" start 2>&1) || {
		printf '%s\n' "$_out" | sed 's/^/# /'
		[ -f "$PF_DIR/maillog" ] && sed 's/^/# maillog: /' "$PF_DIR/maillog"
		tap_bail "postfix -c $PF_DIR/etc start failed"
	}
	for _p in $PF_SMTP_PORT $PF_SUB_PORT ${PF_EXTRA_PORTS:-}; do
		wait_port "$_p" 10 && continue
		[ -f "$PF_DIR/maillog" ] && tail -n 20 "$PF_DIR/maillog" | sed 's/^/# maillog: /'
		tap_bail "Postfix port $_p does not answer"
	done
}

pf_master_pid() {
	_f=$PF_DIR/spool/pid/master.pid
	[ -f "$_f" ] && tr -dc '0-9' < "$_f"
}

pf_postfix_stop() {
	[ -n "$PF_DIR" ] && [ -f "$PF_DIR/etc/main.cf" ] || return 0
	_mp=$(pf_master_pid)
	postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	[ -n "$_mp" ] && { wait_gone "$_mp" 10 || kill -9 "$_mp" 2>/dev/null; }
	pf_kill_leftovers
}

# Every Postfix daemon chdirs to queue_directory: a process whose cwd is
# ours belongs to this instance and nothing else.
pf_kill_leftovers() {
	[ -n "$PF_DIR" ] || return 0
	for _d in /proc/[0-9]*; do
		_c=$(readlink "$_d/cwd" 2>/dev/null) || continue
		case $_c in
		"$PF_DIR"/spool|"$PF_DIR"/spool/*)
			kill -9 "${_d#/proc/}" 2>/dev/null ;;
		esac
	done
}

# pf_dotgate_spawn CONF [ARGS]: dotgate started in the background on
# unix:$PF_SOCK, the socket file left as it is and not waited for (a
# restart leaves dotgate to handle the socket a killed daemon left, as
# a service manager would).
pf_dotgate_spawn() {
	_conf=$1
	shift
	"$DOTGATE" -f -c "$_conf" -p "unix:$PF_SOCK" "$@" \
		>>"$PF_DIR/dg/daemon.out" 2>&1 &
	PF_DG_PID=$!
}

# pf_dotgate_start CONF [extra dotgate args]: the daemon on unix:$PF_SOCK,
# socket mode from CONF (tests use 0666 so that smtpd, running as
# postfix, can connect).
pf_dotgate_start() {
	rm -f "$PF_SOCK"
	pf_dotgate_spawn "$@"
	# 20 s: "make -j3 check" on two cores can be that slow.
	wait_socket "$PF_SOCK" "$PF_DG_PID" 20 && return 0
	sed 's/^/# dotgate: /' "$PF_DIR/dg/daemon.out"
	PF_DG_PID=
	return 1
}

pf_dotgate_stop() {
	[ -n "$PF_DG_PID" ] || return 0
	stop_pid "$PF_DG_PID" 5
	wait "$PF_DG_PID" 2>/dev/null
	PF_DG_PID=
}

# pf_start CONF: dotgate on CONF, then Postfix with the milter.
pf_start() {
	pf_dotgate_start "$1" || tap_bail "dotgate did not start"
	pf_postfix_config milter
	pf_postfix_start
}

pf_listening() {
	for _p in $PF_SMTP_PORT $PF_SUB_PORT ${PF_EXTRA_PORTS:-}; do
		ss -Hltn "sport = :$_p" 2>/dev/null | grep -q . && echo "$_p"
	done
	[ -n "$PF_SOCK" ] && ss -Hlx 2>/dev/null | grep -qF "$PF_SOCK" &&
		echo "$PF_SOCK"
	return 0
}

pf_cleanup() {
	_rc=$?
	trap - EXIT INT TERM HUP
	pf_postfix_stop
	pf_dotgate_stop
	remove_dir "$PF_DIR"
	exit $_rc
}

# pf_wait_delivered TOKEN [SECS]: prints the Maildir file that contains
# TOKEN once the virtual agent has delivered it.
pf_wait_delivered() {
	_t=${2:-15}
	_i=0
	while [ $_i -lt $((_t * 10)) ]; do
		_f=$(grep -l -r -F -- "$1" "$PF_DIR/mail/inbox/new" \
			"$PF_DIR/mail/inbox/cur" 2>/dev/null | head -n 1)
		if [ -n "$_f" ]; then
			echo "$_f"
			return 0
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

pf_queue_json() {
	postqueue -c "$PF_DIR/etc" -j 2>/dev/null
}

# dotgate-probe as built next to the daemon.
: "${DOTGATE_PROBE:=${top_builddir:-.}/filter/probe/dotgate-probe}"

# pf_dotgate_conf NAME: $PF_DIR/dg/NAME.conf = stdin (auth, user, body,
# mode sections) + what every test needs: a socket smtpd (user postfix)
# can connect to and the JSON Lines audit file, no syslog.
pf_dotgate_conf() {
	{
		echo "# dotgate test configuration $1"
		echo 'socket_mode = "0666"'
		cat
		printf 'audit {\n  syslog = false\n  file = "%s"\n}\n' "$PF_AUDIT"
	} > "$PF_DIR/dg/$1.conf"
	echo "$PF_DIR/dg/$1.conf"
}

# pf_probe PORT ARGS...: dotgate-probe --json; prints its JSON, returns
# its exit code.  stderr goes to the TAP stream as comments.
pf_probe() {
	_port=$1
	shift
	"$DOTGATE_PROBE" --server "127.0.0.1:$_port" --json --timeout 20 "$@" \
		2>"$PF_DIR/probe.err"
	_rc=$?
	sed 's/^/# probe: /' "$PF_DIR/probe.err" >&2
	return $_rc
}

pf_audit_lines() {
	if [ -f "$PF_AUDIT" ]; then wc -l < "$PF_AUDIT" | tr -d ' '; else echo 0; fi
}

pf_audit_since() {
	[ -f "$PF_AUDIT" ] && sed -n "$(($1 + 1)),\$p" "$PF_AUDIT"
	return 0
}

# Stops everything, then proves nothing of ours is left running or
# listening, and prints the plan.
pf_done() {
	pf_postfix_stop
	pf_dotgate_stop
	_left=$(pf_listening)
	is "nothing left listening (Postfix ports, dotgate socket)" "$_left" ""
	_procs=
	for _d in /proc/[0-9]*; do
		_c=$(readlink "$_d/cwd" 2>/dev/null) || continue
		case $_c in "$PF_DIR"/spool*) _procs="$_procs ${_d#/proc/}" ;; esac
	done
	is "no Postfix process of this instance left" "$_procs" ""
	tap_done
}
