-- SPDX-License-Identifier: BSD-2-Clause
-- body_tempfail.lua: classes whose action is tempfail defer the message
-- with the configured 451 4.6.0 reply listing them in the order of
-- dotgate.conf(5), BODY ANOMALY CLASSES; a
-- reject class among them wins.  "\n.\n" + hidden transaction arrives in
-- chunks split between every part of the look-alike.
-- conf: tests/milter/conf/body_tempfail.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "\\n.\\n + hidden transaction"
local conn, got = body.message(what, { "hello\n", ".", "\n", "MAIL FROM:<x@evil.example>",
  "\r\nRCPT TO:<b@test.example>\r\nDATA\r\nhidden\r\n" })
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "451", "4.6.0",
  body.TEMPFAIL_TEXT .. " (bare_lf, smuggle_eod, smuggled_transaction)")
body.expect_tag(conn, what, nil)

-- A 300-octet line (long_line = reject, max 200) beside a bare LF
-- (tempfail): reject is stronger.
what = "long line and bare LF"
local long = string.rep("x", 300)
got = body.next_message(conn, what, { "a\nb\r\n" .. string.sub(long, 1, 150),
  string.sub(long, 151) .. "\r\n" }, nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (bare_lf, long_line)")
mt.disconnect(conn)

local r = gate.audit(2)
dg.has(r[1], { '"verdict":"tempfail"', '"rule":"body"',
  '"anomalies":{"bare_lf":{"count":2,"first":5},"smuggle_eod":{"count":1,"first":6},' ..
  '"smuggled_transaction":{"count":1,"first":8}}',
  gate.json("451 4.6.0 " .. body.TEMPFAIL_TEXT .. " (bare_lf, smuggle_eod, smuggled_transaction)") })
dg.has(r[2], { '"verdict":"reject"', '"anomalies":{"bare_lf":{"count":1,"first":1},' ..
  '"long_line":{"count":1,"first":5}}' })
