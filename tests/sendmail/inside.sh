# SPDX-License-Identifier: BSD-2-Clause
# tests/sendmail/inside.sh: the part of tests/sendmail/sendmail.sh that
# runs inside the private network/UTS/mount namespace.  Sourced there
# with SM (test directory with the unpacked packages in root/), DOTGATE
# and DOTGATE_PROBE set.  Prints TAP.

. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/lib/proc.sh"

ROOT=$SM/root
SMBIN=$ROOT/usr/libexec/sendmail/sendmail
MAKEMAP=$ROOT/usr/libexec/sendmail/makemap
LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH
PORT=2525
AUDIT=$SM/audit.jsonl

# --- the namespace: loopback only, no DNS --------------------------------
ip link set lo up || { echo "Bail out! ip link set lo up"; exit 1; }
hostname mx.example.test
printf '127.0.0.1\tmx.example.test mx localhost\n::1\tlocalhost\n' > "$SM/hosts"
printf 'hosts: files\npasswd: files\ngroup: files\n' > "$SM/nsswitch.conf"
printf 'hosts\tfiles\naliases\tfiles\n' > "$SM/service.switch"
printf 'nameserver 127.0.0.1\n' > "$SM/resolv.conf"
for f in hosts nsswitch.conf resolv.conf; do
	mount --bind "$SM/$f" "/etc/$f" || { echo "Bail out! bind-mount /etc/$f"; exit 1; }
done
is "namespace has only loopback" \
	"$(ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" "lo "

mkdir -p "$SM/mqueue"
chmod 700 "$SM/mqueue"
: > "$SM/aliases"

cat > "$SM/sendmail.mc" <<EOF
divert(-1)
# dotgate e2e: a loopback-only Sendmail whose messages stay queued.
divert(0)dnl
include(\`$ROOT/usr/share/sendmail/cf/m4/cf.m4')dnl
VERSIONID(\`dotgate e2e')dnl
OSTYPE(\`linux')dnl
define(\`confHOSTS_FILE', \`$SM/hosts')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SM/service.switch')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confPID_FILE', \`$SM/sendmail.pid')dnl
define(\`QUEUE_DIR', \`$SM/mqueue')dnl
define(\`STATUS_FILE', \`$SM/statistics')dnl
define(\`ALIAS_FILE', \`$SM/aliases')dnl
define(\`confTO_IDENT', \`0s')dnl
define(\`confDEF_USER_ID', \`nobody:nogroup')dnl
define(\`confDELIVERY_MODE', \`queue')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`accept_unresolvable_domains')dnl
FEATURE(\`access_db', \`hash -T<TMPF> $SM/access')dnl
DAEMON_OPTIONS(\`Port=$PORT, Addr=127.0.0.1, Name=MTA')dnl
INPUT_MAIL_FILTER(\`dotgate', \`S=unix:$SM/sock, F=T, T=C:10s;S:10s;R:30s;E:1m')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
EOF
m4 "$SM/sendmail.mc" > "$SM/sendmail.cf" || { echo "Bail out! m4 sendmail.mc"; exit 1; }

ver=$("$SMBIN" -C "$SM/sendmail.cf" -d0.1 -bt < /dev/null 2>&1 | sed -n 's/^Version //p')
echo "# Sendmail $ver"
case $ver in
8.*) ok "Sendmail $ver runs in the namespace" ;;
*) not_ok "Sendmail runs in the namespace" "$ver" ;;
esac

# access map: relay for loopback; $1 = Srv_Features value or "".
access_map() {
	printf 'Connect:127.0.0.1\tRELAY\n' > "$SM/access"
	[ -n "$1" ] && printf 'Srv_Features:\t%s\n' "$1" >> "$SM/access"
	"$MAKEMAP" -C "$SM/sendmail.cf" hash "$SM/access" < "$SM/access"
}

sm_start() {
	"$SMBIN" -C "$SM/sendmail.cf" -bd || return 1
	wait_port "$PORT" 10
}

# stop_pidfile FILE SECS: stops the process FILE names, removes FILE.
stop_pidfile() {
	[ -f "$1" ] || return 0
	stop_pid "$(head -n 1 "$1")" "$2"
	rm -f "$1"
}
sm_stop() { stop_pidfile "$SM/sendmail.pid" 10; }

# dg_start NAME: dotgate with $SM/NAME.conf (stdin + socket/audit).
dg_start() {
	{
		echo 'socket_mode = "0666"'
		cat
		printf 'audit {\n  syslog = false\n  file = "%s"\n}\n' "$AUDIT"
	} > "$SM/$1.conf"
	rm -f "$SM/sock"
	"$DOTGATE" -f -c "$SM/$1.conf" -p "unix:$SM/sock" -P "$SM/dotgate.pid" \
		>>"$SM/dotgate.out" 2>&1 &
	wait_socket "$SM/sock" "$!" 5
}
dg_stop() { stop_pidfile "$SM/dotgate.pid" 5; }

finish() {
	sm_stop
	dg_stop
}
trap finish EXIT

probe() {
	"$DOTGATE_PROBE" --server "127.0.0.1:$PORT" --json --timeout 20 \
		--from alice@example.test --to bob@example.test "$@" \
		2>"$SM/probe.err"
	rc=$?
	sed 's/^/# probe: /' "$SM/probe.err"
	return $rc
}
lines() { if [ -f "$AUDIT" ]; then wc -l < "$AUDIT" | tr -d ' '; else echo 0; fi; }
since() { [ -f "$AUDIT" ] && sed -n "$(($1 + 1)),\$p" "$AUDIT"; return 0; }
table() {
	printf '%s\n' "$1" | jq -r '.vectors[] | "# " + .name + "/" + .template + "/" + .case + "/" +
		.hidden_data + " " + .outcome + " | " + (.reply // "")'
}
# Every vector as the public test tools send it too: the hidden
# transaction after nothing, CRLF or CRLF CRLF, in both cases, by DATA
# and by BDAT.
VARIANTS="--template all --case all --hidden-data all"
# none_smuggled SETTING: every variant probed ($out), none smuggled or in error.
none_smuggled() {
	out=$(probe $VARIANTS)
	_rc=$?
	table "$out"
	is "$1: no vector smuggled, in any template, case or DATA/BDAT" \
		"$_rc $(printf '%s\n' "$out" | jq -r '[.vectors[] | select(.outcome=="smuggled" or .outcome=="error")] | length')" \
		"0 0"
}

# --- 1. unauthenticated MAIL FROM ----------------------------------------
access_map ""
dg_start strict <<'EOF' || { echo "Bail out! dotgate did not start"; exit 1; }
auth {
  exempt_networks = {}
}
EOF
sm_start || { echo "Bail out! sendmail -bd did not start"; exit 1; }
n=$(lines)
out=$(probe --vector control)
is "unauthenticated: 530 as Sendmail shows it" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome + "|" + .vectors[0].reply')" \
	"rejected|530 5.7.0 Authentication required"
is "unauthenticated: audit record" \
	"$(since "$n" | head -n 1 | jq -c '[.stage,.rule,.verdict,.daemon,.client.addr]')" \
	'["mail","auth.unauthenticated","reject","MTA","127.0.0.1"]'
dg_stop

# --- 2. Sendmail's default: bare CR and LF refused by Sendmail -----------
dg_start exempt < /dev/null || { echo "Bail out! dotgate did not restart"; exit 1; }
n=$(lines)
out=$(probe --vector control)
qid=$(printf '%s\n' "$out" | jq -r '.vectors[0].qid')
is "exempt loopback, control: accepted" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].outcome')" accepted
is "control: audit record with Sendmail's queue id" \
	"$(since "$n" | head -n 1 | jq -c '[.stage,.qid,.rule,.verdict,(.anomalies|keys)]')" \
	"[\"eom\",\"$qid\",\"body\",\"log\",[\"smtp_commands\"]]"
n=$(lines)
out=$(probe --vector bare-cr --vector bare-lf)
is "default srv_features: Sendmail itself refuses a bare CR and a bare LF" \
	"$(printf '%s\n' "$out" | jq -r '[.vectors[].reply]|join("|")')" \
	"421 4.5.0 Bare carriage return (CR) not allowed|421 4.5.0 Bare linefeed (LF) not allowed"
is "the milter saw no body of them (abort records only)" \
	"$(since "$n" | jq -r '.stage' | sort -u | tr '\n' ' ')" "abort "
none_smuggled "default srv_features"

# --- 3. Srv_Features U: the bare CR reaches the milter verbatim ----------
sm_stop
access_map U
sm_start || { echo "Bail out! sendmail -bd did not restart"; exit 1; }
n=$(lines)
out=$(probe --vector bare-cr)
is "Srv_Features U: dotgate rejects the bare CR" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[0].reply')" \
	"550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (bare_cr, smtp_commands)"
is "bare CR arrived verbatim at body offset 5, after hello" \
	"$(since "$n" | head -n 1 | jq -c '[.stage,.verdict,.anomalies.bare_cr]')" \
	'["eom","reject",{"count":1,"first":5}]'
n=$(lines)
out=$(probe --vector eod-cr-cr)
is "Srv_Features U: CR.CR + hidden transaction rejected by dotgate" \
	"$(since "$n" | head -n 1 | jq -c '[.verdict,(.anomalies|keys)]')" \
	'["reject",["bare_cr","smuggle_eod","smuggled_transaction"]]'
none_smuggled "Srv_Features U"
# The CR look-alikes reach dotgate verbatim in one message: each is a
# smuggled_transaction, rejected, whatever the tools put after it.
is "Srv_Features U: every variant of the CR-only look-alikes rejected 550 5.6.0 as smuggled_transaction" \
	"$(printf '%s\n' "$out" | jq -r '.vectors[] | select(.name == "eod-cr-cr" or .name == "eod-cr-crlf") |
		select((.reply | test("^550 5\\.6\\.0 .*smuggled_transaction")) | not) |
		.name + "/" + .template + "/" + .case + "/" + .hidden_data + " " + .outcome + " " + .reply')" ""

finish
trap - EXIT
is "nothing left listening in the namespace" \
	"$(ss -Hltnx 2>/dev/null | grep -c -e ":$PORT" -e "$SM/sock")" 0
tap_done
