-- SPDX-License-Identifier: BSD-2-Clause
-- body_monitor.lua: in monitor mode a body the default policy rejects is
-- accepted unchanged (no reply, no header, no quarantine); the record
-- says verdict "log", would "reject", and the reply enforce mode would
-- have given.
-- conf: tests/milter/conf/body_monitor.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "issue body in monitor mode"
local conn, got = body.message(what, { "hello . MAIL FROM:<x@evil.example>\r\n",
  "RCPT TO:<b@test.example>\r\nDATA\r\n..." })
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
body.expect_tag(conn, what, nil)
if mt.eom_check(conn, MT_QUARANTINE) then dg.fail(what .. ": quarantined") end
mt.disconnect(conn)

local r = gate.audit(1)
dg.has(r[1], { '"verdict":"log"', '"would":"reject"', '"rule":"body"', '"mode":"monitor"',
  '"anomalies":{"smuggled_transaction":{"count":1,"first":8}}',
  gate.json("550 5.6.0 " .. body.REJECT_TEXT .. " (smuggled_transaction)") })
