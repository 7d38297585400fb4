-- SPDX-License-Identifier: BSD-2-Clause
-- gate_exempt.lua: rule auth.exempt.  With daemons = {"submission"}, a
-- connection to another service, a client without an IP address, and
-- loopback clients (IPv6 and IPv4-mapped too) skip checks 2-5, even when
-- they authenticated with PLAIN over plaintext as someone else; an
-- unauthenticated client of "submission" is still refused.
-- conf: tests/milter/conf/gate_daemons.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

gate.session("other service", { mta = "postfix", ip = "192.0.2.10",
  daemon = "smtpd", sender = "<x@example.net>" }, SMFIR_CONTINUE)
gate.session("submission, no auth", { mta = "postfix", ip = "192.0.2.10",
  daemon = "submission", sender = "<x@example.net>" }, SMFIR_REPLYCODE)
gate.session("no IP address", { mta = "postfix", ip = "unspec",
  daemon = "submission", sender = "<x@example.net>" }, SMFIR_CONTINUE)
gate.session("::1", { mta = "postfix", ip = "::1", daemon = "submission",
  sender = "<x@example.net>" }, SMFIR_CONTINUE)
gate.session("::ffff:127.0.0.1", { mta = "postfix", ip = "::ffff:127.0.0.1",
  daemon = "submission", sender = "<x@example.net>" }, SMFIR_CONTINUE)
gate.session("sendmail MSA", { mta = "sendmail", ip = "192.0.2.10",
  daemon = "MSA", sender = "<x@example.net>" }, SMFIR_CONTINUE)
gate.session("loopback, PLAIN without TLS, not owned", { mta = "postfix",
  ip = "127.0.0.1", daemon = "submission", login = "alice@example.test",
  mech = "PLAIN", sender = "<bob@example.test>" }, SMFIR_CONTINUE)
gate.session("no {daemon_name}", { mta = "postfix", ip = "192.0.2.10",
  sender = "<x@example.net>" }, SMFIR_CONTINUE)

local r = gate.audit(8)
local exempt = { '"stage":"eom"', '"rule":"auth.exempt"', '"verdict":"accept"', '"reply":null' }
for _, i in ipairs({ 1, 3, 4, 5, 6, 7, 8 }) do dg.has(r[i], exempt) end
dg.has(r[1], { '"daemon":"smtpd"', '"addr":"192.0.2.10"' })
dg.has(r[2], { '"stage":"mail"', '"rule":"auth.unauthenticated"', '"verdict":"reject"',
  gate.json("530 5.7.0 Authentication required") })
dg.has(r[4], { '"addr":"::1"' })
dg.has(r[6], { '"daemon":"MSA"' })
dg.has(r[7], { '"auth":{"user":"alice@example.test","mech":"PLAIN"}', '"from":"bob@example.test"' })
