-- SPDX-License-Identifier: BSD-2-Clause
-- gate_unauthenticated.lua: rule auth.unauthenticated.  A client outside
-- the exempt networks without {auth_authen} gets the 530 at MAIL FROM,
-- whether the MTA leaves the macro out (Postfix) or sends it empty; the
-- same client from 127.0.0.1 passes (default exempt_networks).
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

gate.session("postfix, no auth", { mta = "postfix", ip = "192.0.2.10",
  daemon = "submission", sender = "<alice@example.test>" }, SMFIR_REPLYCODE)
gate.session("sendmail, no auth", { mta = "sendmail", ip = "198.51.100.7",
  daemon = "MTA", sender = "<someone@example.net>" }, SMFIR_REPLYCODE)
gate.session("postfix, IPv6, no auth", { mta = "postfix", ip = "2001:db8::25",
  sender = "<alice@example.test>" }, SMFIR_REPLYCODE)
gate.session("sendmail, empty {auth_authen}", { mta = "sendmail", ip = "192.0.2.10",
  login = "", mech = "PLAIN", tls = "TLSv1.3", sender = "<alice@example.test>" },
  SMFIR_REPLYCODE)
gate.session("postfix, loopback", { mta = "postfix", ip = "127.0.0.1",
  sender = "<anyone@example.net>" }, SMFIR_CONTINUE)

local r = gate.audit(5)
local refused = { '"stage":"mail"', '"rule":"auth.unauthenticated"', '"verdict":"reject"',
  gate.json("530 5.7.0 Authentication required"), '"auth":null', '"rcpts":[]',
  '"mode":"enforce"' }
dg.has(r[1], refused)
dg.has(r[1], { '"addr":"192.0.2.10"', '"from":"alice@example.test"', '"daemon":"submission"' })
dg.has(r[2], refused)
dg.has(r[2], { '"addr":"198.51.100.7"', '"from":"someone@example.net"', '"daemon":"MTA"' })
dg.has(r[3], refused)
dg.has(r[3], { '"addr":"2001:db8::25"' })
dg.has(r[4], { '"stage":"mail"', '"rule":"auth.unauthenticated"', '"verdict":"reject"' })
dg.has(r[5], { '"stage":"eom"', '"rule":"auth.exempt"', '"verdict":"accept"',
  '"addr":"127.0.0.1"', '"reply":null' })
