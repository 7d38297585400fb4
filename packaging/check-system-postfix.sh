#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-system-postfix.sh: the installed path, taken as a postmaster
# takes it, on this machine's own Debian Postfix (not a private -c DIR
# instance): Postfix set up as Debian's "Internet Site", the README's
# three blocks run as written (submission with saslauthd inside the
# chroot, the package installed and attached, the try-it lines),
# dotgate-doctor (on Postfix 3.7 it names the bare-newline risk and its
# fix, and exits 0 after the fix; on 3.10 no risk), and then, through
# real SMTP on loopback (swaks), a chrooted smtpd with
# dotgate: AUTH -> 250 and delivered, no AUTH -> 530, a sender not
# owned -> 553, a smuggling vector -> 550, one audit record per
# transaction, a reload that changes behaviour, logrotate, mail deferred
# (451, not 421) while dotgate is stopped, and purge.
# Prints TAP; exits 0 only if every test passed.
#
#	packaging/check-system-postfix.sh [TARBALL]
#
# The source is chosen as in check-package.sh (lib.sh pkg_source).
# systemd is not PID 1 here (CI containers): a small systemctl stand-in
# on PATH does for the README's lines what systemd would: start and
# stop services through their init scripts, and for dotgate.service
# run its ExecStartPre/ExecStart lines as its User= with its UMask= and
# RuntimeDirectory=, and its ExecReload= line for "reload".
#
# It changes the machine and puts it back, on success and on failure:
# /etc/postfix, /var/spool/postfix, /var/lib/postfix, /var/mail, /etc/ssl,
# the SASL and alias files and the Debian defaults it touches are saved
# first and restored at the end; group memberships, the statoverride,
# debconf's Postfix question and the processes it started are undone.
# It refuses to run (SKIP) where a Postfix, saslauthd or dotgate is
# already running or dotgate is installed, or where systemd runs.
# Postfix listens on loopback only and sends nothing anywhere
# (default_transport and relay_transport are "error").
set -u

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
tarball=${1:-}
work=
restored=
# What the test changes, saved before and put back after.
SAVED="/etc/postfix /var/spool/postfix /var/lib/postfix /var/mail /etc/ssl
 /etc/default/saslauthd /etc/sasldb2 /etc/aliases /etc/aliases.db /etc/mailname"
PWD_ALICE=change-this-password
SUB=127.0.0.1:587

. "$here/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root: it configures the machine's own Postfix"
	exit 0
fi
if [ -d /run/systemd/system ]; then
	echo "1..0 # SKIP systemd runs here: this test stands in for it and would fight it"
	exit 0
fi
if dpkg -s dotgate >/dev/null 2>&1 || getent passwd dotgate >/dev/null; then
	echo "1..0 # SKIP dotgate is installed (or its user exists); not touching it"
	exit 0
fi
if ! command -v postfix >/dev/null || ! command -v saslauthd >/dev/null || ! command -v swaks >/dev/null; then
	echo "1..0 # SKIP needs postfix, sasl2-bin and swaks installed (tests/deps.sh)"
	exit 0
fi
if pidof master saslauthd dotgate >/dev/null; then
	echo "1..0 # SKIP a Postfix, saslauthd or dotgate runs here; not touching it"
	exit 0
fi

# ---- putting the machine back --------------------------------------------

save_machine() {
	: >"$work/absent"
	present=
	for p in $SAVED; do
		if [ -e "$p" ]; then present="$present ${p#/}"; else echo "$p" >>"$work/absent"; fi
	done
	# shellcheck disable=SC2086
	tar -C / -cpf "$work/saved.tar" $present
	was_in_sasl=$(id -nG postfix | tr ' ' '\n' | grep -cx sasl)
	dpkg-statoverride --list /var/spool/postfix/var/run/saslauthd >/dev/null 2>&1 &&
		had_override=yes || had_override=
	mailer_type=$(echo get postfix/main_mailer_type | debconf-communicate 2>/dev/null | cut -d' ' -f2-)
	for f in main.cf master.cf; do
		[ -f "/etc/postfix/$f" ] && cp -p "/etc/postfix/$f" "$work/orig.$f"
	done
	etc_postfix_sums >"$work/etc-postfix.before"
}

# Every file under /etc/postfix with its mode, owner and SHA-256.
etc_postfix_sums() {
	[ -d /etc/postfix ] || return 0
	(cd /etc/postfix && find . \( -type f -o -type l \) -printf '%p %m %u:%g %l\n' | sort &&
	 find . -type f -print0 | sort -z | xargs -0 -r sha256sum)
}

stop_services() {
	if [ -s /run/dotgate/dotgate.pid ]; then
		kill "$(cat /run/dotgate/dotgate.pid)" 2>/dev/null
		sleep 0.5
	fi
	pidof master >/dev/null && postfix stop >/dev/null 2>&1
	if [ -s /var/spool/postfix/var/run/saslauthd/saslauthd.pid ]; then
		kill "$(cat /var/spool/postfix/var/run/saslauthd/saslauthd.pid)" 2>/dev/null
	fi
	i=0
	while pidof master saslauthd dotgate >/dev/null && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

restore_machine() {
	[ -n "$restored" ] && return 0
	restored=yes
	stop_services
	if dpkg -s dotgate >/dev/null 2>&1; then
		DEBIAN_FRONTEND=noninteractive apt-get purge -y dotgate >/dev/null 2>&1
	fi
	getent passwd dotgate >/dev/null && deluser --system dotgate >/dev/null 2>&1
	getent group dotgate >/dev/null && delgroup --system dotgate >/dev/null 2>&1
	rm -rf /run/dotgate
	for p in $SAVED; do rm -rf "$p"; done
	tar -C / -xpf "$work/saved.tar"
	[ "$was_in_sasl" = 0 ] && id -nG postfix | tr ' ' '\n' | grep -qx sasl &&
		gpasswd -d postfix sasl >/dev/null
	[ -z "$had_override" ] &&
		dpkg-statoverride --remove /var/spool/postfix/var/run/saslauthd >/dev/null 2>&1
	[ -n "$mailer_type" ] &&
		echo "postfix postfix/main_mailer_type select $mailer_type" | debconf-set-selections
	return 0
}

cleanup() {
	[ -n "$work" ] && [ -f "$work/saved.tar" ] && restore_machine
	[ -n "$work" ] && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

work=$(mktemp -d "${TMPDIR:-/tmp}/dotgate-syspf.XXXXXX")
chmod 755 "$work"
echo "# work directory $work"
save_machine

# ---- a systemctl for a machine without systemd ------------------------------
# Services with an init script go through it; dotgate.service (no init
# script) is run from its unit file.  Enough for the README's lines.
mkdir "$work/bin"
cat >"$work/bin/systemctl" <<'EOF'
#!/bin/sh
# systemctl stand-in (check-system-postfix.sh): start/stop/restart/reload.
# The unit file is wherever the package put it (/lib or /usr/lib).
unit_file() {
	f=$(dpkg -L dotgate 2>/dev/null | grep '/systemd/system/dotgate\.service$' | head -n 1)
	if [ -z "$f" ] || [ ! -f "$f" ]; then
		echo "systemctl stand-in: dpkg -L dotgate lists no dotgate.service" >&2
		return 1
	fi
	echo "$f"
}
unit_key() { sed -n "s/^$1=//p" "$unitfile" | head -n 1; }
dotgate_start() {
	user=$(unit_key User)
	group=$(unit_key Group)
	install -d -o "$user" -g "$group" -m "$(unit_key RuntimeDirectoryMode)" \
		"/run/$(unit_key RuntimeDirectory)"
	as_unit $(unit_key ExecStartPre) >>"$DOTGATE_LOG" 2>&1 || exit 1
	as_unit $(unit_key ExecStart) >>"$DOTGATE_LOG" 2>&1 &
	i=0
	while [ ! -s /run/dotgate/dotgate.pid ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	[ -s /run/dotgate/dotgate.pid ]
}
as_unit() {	# runs a command line as the unit's User=, Group= and UMask=
	setpriv --reuid="$user" --regid="$group" --init-groups -- \
		sh -c "umask $(unit_key UMask) && exec \"\$@\"" sh "$@"
}
dotgate_stop() {
	pid=$(cat /run/dotgate/dotgate.pid 2>/dev/null) || return 0
	kill -TERM "$pid"
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	! kill -0 "$pid" 2>/dev/null
}
verb=$1
shift
for unit in "$@"; do
	unit=${unit%.service}
	if [ "$unit" = dotgate ]; then
		unitfile=$(unit_file) || exit 1
		case $verb in
		start) dotgate_start ;;
		stop) dotgate_stop ;;
		restart) dotgate_stop && dotgate_start ;;
		reload) MAINPID=$(cat /run/dotgate/dotgate.pid) && eval "$(unit_key ExecReload)" ;;
		*) echo "systemctl stand-in: $verb $unit?" >&2; exit 1 ;;
		esac || exit 1
	elif [ -x "/etc/init.d/$unit" ]; then
		"/etc/init.d/$unit" "$verb" || exit 1
	else
		echo "systemctl stand-in: no init script for $unit" >&2
		exit 1
	fi
done
EOF
chmod 755 "$work/bin/systemctl"
PATH=$work/bin:$PATH
DOTGATE_LOG=$work/dotgate.log
export PATH DOTGATE_LOG

# ---- 1. the package -----------------------------------------------------------
pkg_source "$top" "$tarball"
pkg_build

# ---- 2. a stock Debian Postfix ("Internet Site"), on loopback only ------------
check "Postfix set up as Debian's \"Internet Site\" (dpkg-reconfigure)" sh -c '
	echo "postfix postfix/main_mailer_type select Internet Site" | debconf-set-selections
	echo "postfix postfix/mailname string mail.example.test" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive dpkg-reconfigure postfix && newaliases && [ -f /etc/postfix/main.cf ]'
# The test machine must not talk to anything: loopback only, no relaying,
# no DNS for clients, and a log file since no syslog daemon may run.
check "Postfix kept to loopback, sending nowhere" postconf -e \
	inet_interfaces=loopback-only inet_protocols=ipv4 smtpd_peername_lookup=no \
	'default_transport=error:this test sends no mail out' \
	'relay_transport=error:this test sends no mail out' \
	"maillog_file_prefixes=/var,/dev/stdout,$work" "maillog_file=$work/maillog"

# readme_block NAME: the commands after <!-- NAME --> in README.md.
readme_block() {
	sed -n "/<!-- $1 -->/,/^\`\`\`\$/p" "$top/README.md" | sed '1,2d;$d'
}
run_block() {	# run_block NAME SHELL-OPTIONS: runs it in $work, output kept
	readme_block "$1" >"$work/$1.sh"
	echo "# README $1:"
	sed 's/^/#   /' "$work/$1.sh"
	(cd "$work" && sh $2 "$work/$1.sh") >"$work/$1.out" 2>&1
}

# ---- SMTP through swaks --------------------------------------------------------
audit=/var/log/dotgate/audit.jsonl
# send NAME SWAKS-ARGS...: the transaction's replies in $work/NAME.out.
send() {
	name=$1
	shift
	swaks --server "$SUB" --tls --from alice@example.test --to root@localhost \
		"$@" >"$work/$name.out" 2>&1
	grep -E '^<[~*]* +[245][0-9][0-9] ' "$work/$name.out" | sed "s/^/# $name: /" | tail -n 3
}
auth() { echo --auth PLAIN --auth-user alice@example.test --auth-password "$PWD_ALICE"; }
# replied NAME TEXT: swaks saw a reply starting with TEXT ("<~ ", "<~* ").
replied() { grep "^<[~*]*  *$2" "$work/$1.out" || { tail -n 15 "$work/$1.out"; false; }; }
records() { [ -f "$audit" ] && wc -l <"$audit" || echo 0; }


# ---- 3. the README's lines, as written -----------------------------------------
if run_block install-submission -ex; then
	ok "README install-submission: submission with saslauthd in the chroot"
else
	not_ok "README install-submission"
	tail -n 30 "$work/install-submission.out" | sed 's/^/# /'
fi
check "Postfix runs (master, as started by the README's systemctl line)" pidof master
check "the submission service is chrooted (master.cf chroot = y)" sh -c \
	'postconf -Mf submission/inet | head -n 1 | awk "{ exit \$5 != \"y\" }"'

if run_block install-package -ex; then
	ok "README install-package: apt-get install, postconf -P, postfix reload"
else
	not_ok "README install-package"
	grep -v 'Reading database' "$work/install-package.out" | tail -n 30 | sed 's/^/# /'
fi
check "dotgate(8) as installed shows the README's install-package lines" sh -c '
	LC_ALL=C MANWIDTH=200 man -l /usr/share/man/man8/dotgate.8.gz >"$2" 2>/dev/null
	while read -r line; do
		grep -qF -- "$line" "$2" || { echo "missing: $line"; exit 1; }
	done <"$1"' sh "$work/install-package.sh" "$work/man8.txt"
check "the README's postconf -P set milter_default_action = tempfail on submission/inet" sh -c '
	postconf -P submission/inet/milter_default_action
	[ "$(postconf -Ph submission/inet/milter_default_action)" = tempfail ]'
check "dotgate starts as dotgate.service does (ExecStartPre, ExecStart as User=dotgate)" \
	systemctl start dotgate
sock=/var/spool/postfix/dotgate/dotgate.sock
check "the socket directory is dotgate:postfix 2750 and the socket dotgate:postfix 660" sh -c '
	stat -c "%U:%G:%a %n" "$1" "$1/dotgate.sock"
	[ "$(stat -c %U:%G:%a "$1")" = dotgate:postfix:2750 ] &&
	[ "$(stat -c %U:%G:%a "$1/dotgate.sock")" = dotgate:postfix:660 ]' sh "${sock%/*}"

run_block install-try -x
check "README install-try: no AUTH gets 530 5.7.0 Authentication required" \
	replied install-try '530 5.7.0 Authentication required$'
check "README install-try: AUTH PLAIN alice gets 250 queued" \
	replied install-try '250 2.0.0 Ok: queued as '

# ---- the doctor, as README "Check the server" runs it -----------------------
# doctor NAME: runs the installed dotgate-doctor on the system Postfix and
# dotgate's installed configuration; output in $work/NAME.out, status
# in $work/NAME.rc, the output shown as TAP comments.
doctor() {
	dotgate-doctor >"$work/$1.out" 2>&1
	echo $? >"$work/$1.rc"
	sed 's/^/# /' "$work/$1.out"
}
doctor doctor
pfver=$(postconf -h mail_version)
case $pfver in
3.[0-8].*)	# smtpd_forbid_bare_newline defaults to no before 3.9
	check "dotgate-doctor on Postfix $pfver: exit 1, one risk, smtpd_forbid_bare_newline = no with its fix" sh -c '
		[ "$(cat "$1.rc")" = 1 ] && [ "$(grep -c "^risk " "$1.out")" = 1 ] &&
		grep -q "^risk .* smtpd_forbid_bare_newline = no: .*; fix: postconf -e " "$1.out"' 		sh "$work/doctor"
	fix=$(sed -n 's/^risk .* smtpd_forbid_bare_newline = no: .*; fix: //p' "$work/doctor.out")
	check "the fix it names runs: $fix" sh -c "$fix && postfix reload"
	doctor doctor-fixed
	check "after the fix dotgate-doctor exits 0, no risk" sh -c '
		[ "$(cat "$1.rc")" = 0 ] && ! grep -q "^risk " "$1.out"' sh "$work/doctor-fixed"
	;;
*)
	check "dotgate-doctor on Postfix $pfver: exit 0, no risk" sh -c '
		[ "$(cat "$1.rc")" = 0 ] && ! grep -q "^risk " "$1.out"' sh "$work/doctor"
	check "dotgate-doctor on Postfix $pfver: the \$mynetworks exclusion from bare-newline normalising is a warn" \
		grep -q "^warn .* smtpd_forbid_bare_newline_exclusions = " "$work/doctor.out"
	;;
esac

# ---- 4. through real SMTP on loopback ---------------------------------------
before=$(records)
token=dotgate-$$-$(date +%s)
send noauth
# shellcheck disable=SC2046
send alice $(auth) --header "Subject: $token"
# shellcheck disable=SC2046
send asbob $(auth) --from bob@example.test
printf 'From: <alice@example.test>\r\nTo: <root@localhost>\r\nSubject: vector\r\n\r\nhello\r\n.\rMAIL FROM:<smuggled@example.test>\r\nRCPT TO:<root@localhost>\r\nDATA\r\nhidden\r\n.\r\n' >"$work/vector.eml"
# shellcheck disable=SC2046
send vector $(auth) --data "@$work/vector.eml" --no-data-fixup
check "no AUTH: 530 5.7.0 Authentication required, verbatim" \
	replied noauth '530 5.7.0 Authentication required$'
check "AUTH PLAIN alice: 250" replied alice '250 2.0.0 Ok: queued as'
check "AUTH PLAIN alice: delivered to root's mailbox" sh -c '
	i=0
	while ! grep -qs "^Subject: $1" /var/mail/root && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	grep -s "^Subject: $1" /var/mail/root' sh "$token"
check "alice as bob: 553 not owned" \
	replied asbob '553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice@example.test$'
check "\\r\\n.\\r vector: 550 naming smuggled_transaction" \
	replied vector '550 5.6.0 .*(smuggled_transaction)$'
check "one audit record per transaction in $audit" sh -c '
	n=$(($(wc -l <"$1") - $2)); echo "$n new records"
	[ "$n" = 4 ] && [ "$(tail -n 4 "$1" | jq -r .rule | tr "\n" " ")" = "auth.unauthenticated pass sender.not_owned body " ]' \
	sh "$audit" "$before"

# ---- 5. a reload that changes behaviour (ExecReload) -------------------------
sed -i 's/^mode        = enforce/mode        = monitor/' /etc/dotgate/dotgate.conf
check "systemctl reload dotgate (ExecReload: kill -USR1 \$MAINPID)" systemctl reload dotgate
i=0
while [ "$(grep -c "reloaded" "$DOTGATE_LOG")" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
send monitor
# Postfix's own relay restriction on submission then refuses the
# recipient, so the transaction ends in an abort record saying "would".
check "after mode = monitor and a reload, no AUTH passes MAIL FROM (250), recorded as would reject" sh -c '
	grep -A1 "^ *~> MAIL FROM:" "$1" | grep -q "^<~ *250 2.1.0 Ok" &&
	[ "$(tail -n 1 "$2" | jq -r "[.mode,.stage,.would,.rule] | join(\" \")")" = "monitor abort reject auth.unauthenticated" ]' \
	sh "$work/monitor.out" "$audit"
sed -i 's/^mode        = monitor/mode        = enforce/' /etc/dotgate/dotgate.conf
systemctl reload dotgate
i=0
while [ "$(grep -c "reloaded" "$DOTGATE_LOG")" -lt 3 ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

# ---- 6. logrotate -------------------------------------------------------------
check "logrotate -f rotates the audit file (postrotate signals dotgate)" sh -c '
	logrotate -f -s "$1/lr.state" /etc/logrotate.d/dotgate &&
	[ -f "$2.1" ] && [ -f "$2" ]' sh "$work" "$audit"
sleep 0.5
send afterrotate
check "records keep flowing into the new file after rotation" sh -c '
	[ "$(wc -l <"$1")" = 1 ] && [ "$(jq -r .rule "$1")" = auth.unauthenticated ]' sh "$audit"

# ---- 6b. Postfix installed after dotgate ---------------------------------------
# Installed before Postfix, the socket directory got group dotgate (no
# postfix group yet).  Whatever unpacks /usr/sbin/postfix activates
# dotgate's file trigger (dotgate.triggers); dpkg-trigger activates it
# the same way without reinstalling Postfix (whose postinst would
# rewrite this machine's main.cf).
check "socket directory as left by an install before Postfix: group dotgate" \
	chgrp dotgate /var/spool/postfix/dotgate
check "a change of /usr/sbin/postfix runs dotgate's trigger (dpkg --triggers-only)" sh -c '
	dpkg-trigger --no-await /usr/sbin/postfix &&
	dpkg --triggers-only --pending 2>&1 | sed "s/^/# dpkg: /"
	[ "$(stat -c %U:%G:%a /var/spool/postfix/dotgate)" = dotgate:postfix:2750 ] ||
		{ stat -c "# %U:%G:%a %n" /var/spool/postfix/dotgate; false; }'
send aftertrigger
check "after the trigger smtpd still reaches dotgate (530 without AUTH)" \
	replied aftertrigger '530 5.7.0 Authentication required'

# ---- 7. stop and purge -----------------------------------------------------------
check "systemctl stop dotgate (SIGTERM) stops it" systemctl stop dotgate
# milter_default_action = tempfail: smtpd cannot reach the milter, logs
# "milter-reject: CONNECT ... 451 4.7.1" and answers 4xx (STARTTLS gets
# 454 4.3.0), so the client tries again later.  With "shutdown" (newer
# Postfix's default) smtpd would end the session with 421 instead.
mrej='milter-reject: CONNECT from .*: 451 4\.7\.1 '
mrej_before=$(grep -c "$mrej" "$work/maillog")
# shellcheck disable=SC2046
send stopped $(auth)
check "dotgate stopped: smtpd tempfails (maillog: milter-reject 451 4.7.1), the client gets 4xx, no 421, nothing queued" sh -c '
	i=0
	while [ "$(grep -c "$3" "$2")" -le "$4" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	grep "$3" "$2" | tail -n 1
	[ "$(grep -c "$3" "$2")" -gt "$4" ] &&
	! grep "^<[~*]*  *421 " "$1" && ! grep "^<[~*]*  *250 2\.0\.0 Ok: queued" "$1" &&
	grep -Eq "^<[~*]* +4[0-9][0-9] " "$1" || { tail -n 15 "$1"; false; }' \
	sh "$work/stopped.out" "$work/maillog" "$mrej" "$mrej_before"
sed 's/^/# dotgate: /' "$DOTGATE_LOG" | tail -n 20
check "apt-get purge dotgate" env DEBIAN_FRONTEND=noninteractive apt-get purge -y dotgate
check "purge removed the dotgate user and group" sh -c '! getent passwd dotgate && ! getent group dotgate'
for f in /var/spool/postfix/dotgate /etc/dotgate /var/log/dotgate /usr/sbin/dotgate \
	 /lib/systemd/system/dotgate.service /usr/lib/systemd/system/dotgate.service; do
	check "purge removed $f" test ! -e "$f"
done

# ---- 8. the machine as it was ---------------------------------------------------
if [ "$TAP_FAILED" -gt 0 ] && [ -f "$work/maillog" ]; then
	tail -n 40 "$work/maillog" | sed 's/^/# maillog: /'
fi
restore_machine
for f in main.cf master.cf; do
	if [ -f "$work/orig.$f" ]; then
		check "/etc/postfix/$f restored byte for byte" cmp "$work/orig.$f" "/etc/postfix/$f"
	else
		check "/etc/postfix/$f absent again, as before" test ! -e "/etc/postfix/$f"
	fi
done
etc_postfix_sums >"$work/etc-postfix.after"
check "/etc/postfix as before, every file byte for byte (modes and owners too)" \
	diff "$work/etc-postfix.before" "$work/etc-postfix.after"
check "no Postfix, saslauthd or dotgate process left" sh -c '! pidof master saslauthd dotgate'
check "no dotgate user, socket or runtime directory left" sh -c \
	'! getent passwd dotgate && [ ! -e /var/spool/postfix/dotgate ] && [ ! -e /run/dotgate ]'
check "postfix's groups as before" sh -c '[ "$(id -nG postfix | tr " " "\n" | grep -cx sasl)" = "$1" ]' \
	sh "$was_in_sasl"
finish
