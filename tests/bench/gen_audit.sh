#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# gen_audit.sh: a large audit log for the dotgate-report benchmarks.
#
#	tests/bench/gen_audit.sh RECORDS HOSTS > audit.jsonl
#
# RECORDS records of every kind over one week from 2026-11-01, in order,
# from HOSTS hosts (mx1.example.net ...): tens of thousands of distinct
# clients, logins and senders, so that the top-K tables overflow their
# caps as on a busy site.  Deterministic (a fixed seed).
[ $# -eq 2 ] || { echo "usage: gen_audit.sh RECORDS HOSTS" >&2; exit 2; }
awk -v n="$1" -v hosts="$2" 'BEGIN {
	srand(4);
	split("bare_cr bare_lf smuggle_eod nul smuggled_transaction smtp_commands long_line lone_dot", cls, " ");
	for (i = 0; i < n; i++) {
		# one week from 2026-11-01, in order (no strftime in mawk)
		t = int(i * 86400 * 7 / n);
		ts = sprintf("2026-11-%02dT%02d:%02d:%02d.%03dZ", 1 + int(t / 86400),
			int(t % 86400 / 3600), int(t % 3600 / 60), t % 60, i % 1000);
		r = rand();
		# a few heavy clients and many light ones
		ip = (rand() < 0.3) ? sprintf("203.0.113.%d", int(rand() * 20)) \
			: sprintf("10.%d.%d.%d", int(rand() * 4), int(rand() * 250), int(rand() * 250));
		login = sprintf("user%d@example.test", int(rand() * rand() * 5000));
		mode = "enforce"; would = "null"; anom = "{}"; qid = sprintf("\"Q%X\"", i);
		auth = sprintf("{\"user\":\"%s\",\"mech\":\"PLAIN\"}", login);
		from = login; rcpts = "[\"rcpt@example.org\"]"; size = int(rand() * 100000);
		reply = "null"; stage = "eom"; verdict = "\"accept\""; rule = "pass";
		if (r < 0.10) {
			stage = "mail"; qid = "null"; auth = "null"; rcpts = "[]"; size = 0;
			verdict = "\"reject\""; rule = "auth.unauthenticated";
			from = sprintf("spam%d@example.net", int(rand() * 1000));
			reply = "\"530 5.7.0 Authentication required\"";
		} else if (r < 0.13) {
			stage = "mail"; qid = "null"; rcpts = "[]"; size = 0;
			verdict = "\"reject\""; rule = "sender.not_owned";
			from = sprintf("someone%d@example.test", int(rand() * 100000));
			reply = sprintf("\"553 5.7.1 <%s>: Sender address rejected: not owned by user %s\"", from, login);
		} else if (r < 0.28) {
			c = cls[1 + int(rand() * 8)];
			anom = sprintf("{\"%s\":{\"count\":%d,\"first\":%d}}", c, 1 + int(rand() * 5), int(rand() * 5000));
			rule = "body";
			verdict = (c == "smtp_commands" || c == "long_line") ? "\"log\"" : "\"reject\"";
			if (c == "lone_dot") { rule = "pass"; verdict = "\"accept\""; }
			if (verdict == "\"reject\"")
				reply = sprintf("\"550 5.6.0 Message rejected: malformed line endings or end-of-data sequence (%s)\"", c);
		} else if (r < 0.33) {
			stage = "abort"; verdict = "null"; size = 0;
		} else if (r < 0.40) {
			mode = "monitor";
			if (rand() < 0.5) { auth = "null"; rule = "auth.unauthenticated"; would = "\"reject\""; }
		}
		host = sprintf("mx%d.example.net", 1 + int(rand() * hosts));
		printf "{\"ts\":\"%s\",\"host\":\"%s\",\"stage\":\"%s\",\"qid\":%s,\"client\":{\"addr\":\"%s\",\"port\":%d,\"name\":null},\"helo\":\"client.example\",\"daemon\":\"submission\",\"auth\":%s,\"tls\":\"TLSv1.3\",\"from\":\"%s\",\"rcpts\":%s,\"size\":%d,\"anomalies\":%s,\"verdict\":%s,\"would\":%s,\"rule\":\"%s\",\"reply\":%s,\"mode\":\"%s\"}\n", \
			ts, host, stage, qid, ip, 1024 + int(rand() * 60000), auth, from, rcpts, size, anom, verdict, would, rule, reply, mode;
	}
}'
