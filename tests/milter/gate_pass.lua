-- SPDX-License-Identifier: BSD-2-Clause
-- gate_pass.lua: rule pass.  An authenticated login sending as itself from
-- outside the exempt networks passes MAIL FROM and the whole transaction;
-- the record names the login, the mechanism and TLS.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

gate.session("postfix SCRAM", { mta = "postfix", ip = "203.0.113.5", daemon = "submission",
  login = "alice@example.test", mech = "SCRAM-SHA-256", sender = "<alice@example.test>" },
  SMFIR_CONTINUE)
gate.session("sendmail PLAIN over TLS", { mta = "sendmail", ip = "2001:db8::7",
  daemon = "MSA", login = "bob@example.test", mech = "PLAIN", tls = "TLSv1.3",
  sender = "<bob@example.test>" }, SMFIR_CONTINUE)

local r = gate.audit(2)
dg.has(r[1], { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"', '"reply":null',
  '"would":null', '"auth":{"user":"alice@example.test","mech":"SCRAM-SHA-256"}',
  '"tls":null', '"addr":"203.0.113.5"', '"rcpts":["rcpt@example.net"]' })
dg.has(r[2], { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"',
  '"auth":{"user":"bob@example.test","mech":"PLAIN"}', '"tls":"TLSv1.3"',
  '"addr":"2001:db8::7"' })
