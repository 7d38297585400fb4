#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/metrics/prometheus.sh: dotgate's metrics endpoint scraped by a real
# Prometheus server.  dotgate (metrics on a free loopback port) and
# Prometheus (its own config, TSDB dir and loopback port, scrape and rule
# evaluation every second, conf/prometheus-alerts.yml.example loaded) are
# started here and stopped by PID.  The protocol load client drives a
# known mix through the milter socket: exempt clean mail, exempt mail
# with MTA aborts, smuggling bodies, unauthenticated outsiders (530),
# a login using a sender it does not own (553) and an owner.  Then one
# broken and one good reload.  Prometheus's HTTP API (/api/v1/query)
# must give, for every (stage, verdict, rule, mode), the number of audit
# records of that kind; per class the records and occurrences; the
# connections made; the reloads by result; and both alerts must fire.
# promtool checks a scrape, the rules and their unit tests.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/lib/daemon.sh"

tap_plan 16
for _t in prometheus promtool curl jq; do
	command -v "$_t" >/dev/null ||
		{ echo "Bail out! $_t missing (sh tests/deps.sh installs it)"; exit 1; }
done
ld_init
MPORT=$(free_port) && PPORT=$(free_port "$MPORT") ||
	{ echo "Bail out! no free port"; exit 1; }
ALERTS=$top_srcdir/conf/prometheus-alerts.yml.example
ld_conf "$LD_DIR/good.conf" "user \"carol@example.test\" {
  senders = {\"@load.test\"}
}
metrics {
  listen = \"127.0.0.1:$MPORT\"
}"
{ cat "$LD_DIR/good.conf"; echo 'mode = sometimes'; } > "$LD_DIR/bad.conf"
cp "$LD_DIR/good.conf" "$LD_DIR/dotgate.conf"


# query EXPR: the value of the first series of an instant query, or "none".
query() {
	curl -s -G --max-time 5 --data-urlencode "query=$1" \
		"http://127.0.0.1:$PPORT/api/v1/query" |
		jq -r '.data.result[0].value[1] // "none"'
}

# wait_value EXPR WANT: polls for up to 30 s until EXPR gives WANT.
wait_value() {
	_i=0
	while [ "$(query "$1")" != "$2" ] && [ $_i -lt 150 ]; do
		sleep 0.2
		_i=$((_i + 1))
	done
	[ "$(query "$1")" = "$2" ] ||
		{ echo "# $1 = $(query "$1"), want $2"; return 1; }
}

# same EXPR WANT: one query equals what the audit file says.
same() {
	_got=$(query "$1")
	[ "$_got" = "$2" ] || { echo "# $1 = $_got, audit records say $2"; return 1; }
}

start_prometheus() {
	cat > "$LD_DIR/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $ALERTS
scrape_configs:
  - job_name: dotgate
    static_configs:
      - targets: ['127.0.0.1:$MPORT']
EOF
	prometheus --config.file="$LD_DIR/prometheus.yml" \
		--storage.tsdb.path="$LD_DIR/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" \
		> "$LD_DIR/prometheus.out" 2>&1 &
	PROM_PID=$!
	LD_EXTRA_PIDS=$PROM_PID
	_i=0
	until curl -sf --max-time 2 "http://127.0.0.1:$PPORT/-/ready" >/dev/null; do
		_i=$((_i + 1))
		[ $_i -lt 150 ] && kill -0 "$PROM_PID" 2>/dev/null || {
			sed 's/^/# prometheus: /' "$LD_DIR/prometheus.out" | tail -n 5
			return 1
		}
		sleep 0.2
	done
}

# The mix; one connection per client thread (-k 0), so 7 connections.
drive() {
	_c="-s unix:$LD_SOCK -k 0 -t 20000 -q"
	"$MLTLOAD" $_c -c 2 -m 15 --tag c &&
	"$MLTLOAD" $_c -c 1 -m 10 -A 0.3 --seed 5 --tag x &&
	"$MLTLOAD" $_c -c 1 -m 12 -B anomalies --tag s &&
	"$MLTLOAD" $_c -c 1 -m 9 -C 198.51.100.7 --tag u &&
	"$MLTLOAD" $_c -c 1 -m 7 -C 192.0.2.25 -a alice@example.test --tls --tag n &&
	"$MLTLOAD" $_c -c 1 -m 5 -C 192.0.2.25 -a carol@example.test --tls --tag o
}

# reload FILE WORD: installs FILE, SIGUSR1, waits for a log line with WORD.
reload() {
	_before=$(grep -c "$2" "$LD_DIR/daemon.out")
	cp "$LD_DIR/$1" "$LD_DIR/dotgate.conf"
	kill -USR1 "$LD_PID"
	_i=0
	while [ "$(grep -c "$2" "$LD_DIR/daemon.out")" -le "$_before" ] &&
	      [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	[ "$(grep -c "$2" "$LD_DIR/daemon.out")" -gt "$_before" ]
}

# Every (stage, verdict, rule, mode) of the audit file, counted, against
# dotgate_transactions_total with those labels.
kinds_match() {
	jq -r '[.stage, (.verdict // "none"), (.rule // ""), .mode] | join("|")' "$LD_AUDIT" |
		sort | uniq -c > "$LD_DIR/kinds"
	sed 's/^/# audit: /' "$LD_DIR/kinds"
	_ok=0
	while IFS=" |" read -r _cnt _st _v _r _m; do
		same "dotgate_transactions_total{stage=\"$_st\",verdict=\"$_v\",rule=\"$_r\",mode=\"$_m\"}" "$_cnt" || _ok=1
	done < "$LD_DIR/kinds"
	return $_ok
}

# The mix produced each kind it was built for.
mix_present() {
	for _k in mail.reject.auth.unauthenticated mail.reject.sender.not_owned \
		eom.reject.body abort.none; do
		tr "|" . < "$LD_DIR/kinds" | grep -q "$_k" || { echo "# no record of $_k"; return 1; }
	done
}

classes_match() {
	_ok=0
	for _cl in $(jq -r '.anomalies | keys[]' "$LD_AUDIT" | sort -u); do
		_recs=$(jq -r --arg c "$_cl" 'select(.anomalies[$c]) | 1' "$LD_AUDIT" | wc -l)
		_occ=$(jq -s --arg c "$_cl" 'map(.anomalies[$c].count // 0) | add' "$LD_AUDIT")
		same "dotgate_anomalies_total{class=\"$_cl\"}" "$_recs" || _ok=1
		same "dotgate_anomaly_occurrences_total{class=\"$_cl\"}" "$_occ" || _ok=1
		echo "# $_cl: $_recs records, $_occ occurrences"
	done
	same 'count(dotgate_anomalies_total > 0)' \
		"$(jq -r '.anomalies | keys[]' "$LD_AUDIT" | sort -u | wc -l)" || _ok=1
	return $_ok
}

# alert_firing NAME: Prometheus reports the alert NAME as firing.
alert_firing() {
	_i=0
	while [ $_i -lt 100 ]; do
		curl -s --max-time 5 "http://127.0.0.1:$PPORT/api/v1/alerts" |
			jq -e --arg a "$1" \
			'[.data.alerts[] | select(.labels.alertname == $a and .state == "firing")] | length > 0' \
			>/dev/null && return 0
		sleep 0.2
		_i=$((_i + 1))
	done
	echo "# alert $1 not firing"
	return 1
}

check "dotgate starts with metrics on 127.0.0.1:$MPORT" \
	ld_start "$LD_DIR/dotgate.conf"
check "prometheus ready on 127.0.0.1:$PPORT" start_prometheus
check "the target is up and scraped before any traffic" \
	wait_value 'up{job="dotgate"}' 1
check "the load client ran the mix through the milter socket" drive
total=$(wc -l < "$LD_AUDIT")
echo "# $total audit records"
check "sum(dotgate_transactions_total) reaches the $total audit records" \
	wait_value 'sum(dotgate_transactions_total)' "$total"
check "each (stage, verdict, rule, mode) equals its audit records" kinds_match
check "the mix gave 530, 553, body rejects and aborts" mix_present
check "anomalies and occurrences per class equal the audit records" classes_match
check "connections: 7 made, none active" eval \
	'same dotgate_connections_total 7 && same dotgate_connections_active 0'
check "one callback-time observation per record; body bytes = record sizes" eval \
	'same dotgate_callback_duration_seconds_count "$total" &&
	 same dotgate_body_bytes_total "$(jq -s "map(.size) | add" "$LD_AUDIT")"'
check "a broken and a good reload" eval \
	'reload bad.conf failed && reload good.conf reloaded'
# Each value is waited for: a scrape may fall between the two reloads, and
# Prometheus then shows the error counted and the good reload not yet.
check "reloads: 1 error, 1 ok, generation 2" eval \
	"wait_value 'dotgate_policy_reloads_total{result=\"error\"}' 1 &&
	 wait_value 'dotgate_policy_reloads_total{result=\"ok\"}' 1 &&
	 wait_value dotgate_policy_generation 2"
check "both alerts fire in Prometheus" eval \
	'alert_firing DotgateSmugglingAttempts && alert_firing DotgatePolicyReloadFailed'
curl -s --max-time 5 "http://127.0.0.1:$MPORT/metrics" > "$LD_DIR/scrape"
check "promtool check metrics: a scrape has no problem" eval \
	'promtool check metrics < "$LD_DIR/scrape" > "$LD_DIR/lint" 2>&1 ||
	 { sed "s/^/# /" "$LD_DIR/lint"; false; }
	 ! [ -s "$LD_DIR/lint" ] || { sed "s/^/# /" "$LD_DIR/lint"; false; }'
check "promtool: the shipped alert rules load and pass their unit tests" eval \
	'promtool check rules "$ALERTS" >/dev/null &&
	 (cd "$top_srcdir/tests/metrics" && promtool test rules alerts_test.yml) >/dev/null'
check "dotgate and prometheus stop cleanly" eval \
	'ld_stop && kill "$PROM_PID" && wait "$PROM_PID"; _r=$?; LD_EXTRA_PIDS=; [ $_r = 0 ]'
tap_done
