-- SPDX-License-Identifier: BSD-2-Clause
-- gate_plaintext.lua: rule auth.plaintext.  PLAIN or LOGIN without
-- {tls_version} gets the 538; with TLS they pass; CRAM-MD5 and
-- SCRAM-SHA-256 pass without TLS (classes from libsasl2's plugin flags).
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

local alice = "alice@example.test"
gate.session("PLAIN, no TLS", { mta = "postfix", login = alice, mech = "PLAIN",
  sender = "<alice@example.test>" }, SMFIR_REPLYCODE)
gate.session("PLAIN, TLS", { mta = "postfix", login = alice, mech = "PLAIN",
  tls = "TLSv1.3", sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("CRAM-MD5, no TLS", { mta = "postfix", login = alice, mech = "CRAM-MD5",
  sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("SCRAM-SHA-256, no TLS", { mta = "postfix", login = alice,
  mech = "SCRAM-SHA-256", sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("sendmail LOGIN, no TLS", { mta = "sendmail", login = alice, mech = "LOGIN",
  sender = "<alice@example.test>" }, SMFIR_REPLYCODE)
gate.session("sendmail LOGIN, TLS", { mta = "sendmail", login = alice, mech = "LOGIN",
  tls = "TLSv1.2", sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("unknown mechanism, no TLS", { mta = "postfix", login = alice,
  mech = "X-PROPRIETARY", sender = "<alice@example.test>" }, SMFIR_REPLYCODE)

local r = gate.audit(7)
local refused = { '"stage":"mail"', '"rule":"auth.plaintext"', '"verdict":"reject"',
  gate.json("538 5.7.11 Encryption required for requested authentication mechanism"),
  '"tls":null' }
local pass = { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"', '"reply":null' }
dg.has(r[1], refused)
dg.has(r[1], { '"auth":{"user":"alice@example.test","mech":"PLAIN"}' })
dg.has(r[2], pass)
dg.has(r[2], { '"tls":"TLSv1.3"' })
dg.has(r[3], pass)
dg.has(r[4], pass)
dg.has(r[4], { '"mech":"SCRAM-SHA-256"' })
dg.has(r[5], refused)
dg.has(r[6], pass)
dg.has(r[7], refused)
