-- SPDX-License-Identifier: BSD-2-Clause
-- gate_mechanism.lua: rule auth.mechanism.  With mechanisms =
-- {"scram-sha-256", "Cram-MD5"}, PLAIN (even over TLS) and LOGIN get the
-- 534; the listed ones pass, whatever the case of {auth_type}.
-- conf: tests/milter/conf/gate_mechanisms.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

gate.session("postfix PLAIN over TLS", { mta = "postfix", login = "alice@example.test",
  mech = "PLAIN", tls = "TLSv1.3", sender = "<alice@example.test>" }, SMFIR_REPLYCODE)
gate.session("postfix SCRAM-SHA-256", { mta = "postfix", login = "alice@example.test",
  mech = "SCRAM-SHA-256", sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("sendmail cram-md5", { mta = "sendmail", login = "alice@example.test",
  mech = "cram-md5", sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("sendmail LOGIN over TLS", { mta = "sendmail", login = "bob@example.test",
  mech = "LOGIN", tls = "TLSv1.2", ssf = "0", sender = "<bob@example.test>" }, SMFIR_REPLYCODE)

local r = gate.audit(4)
local refused = { '"stage":"mail"', '"rule":"auth.mechanism"', '"verdict":"reject"',
  gate.json("534 5.7.9 Authentication mechanism is too weak") }
dg.has(r[1], refused)
dg.has(r[1], { '"auth":{"user":"alice@example.test","mech":"PLAIN"}', '"tls":"TLSv1.3"' })
dg.has(r[2], { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"' })
dg.has(r[3], { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"' })
dg.has(r[4], refused)
dg.has(r[4], { '"auth":{"user":"bob@example.test","mech":"LOGIN"}' })
