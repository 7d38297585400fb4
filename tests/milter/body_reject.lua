-- SPDX-License-Identifier: BSD-2-Clause
-- body_reject.lua: the default policy rejects smuggling at end of message
-- with the configured 550 5.6.0 reply naming the classes, whatever the
-- chunking: the Postfix 3.7.11 residue of "hello\r.\r" + a hidden
-- transaction (the issue's acceptance body), a bare CR whose CRLF
-- neighbours are split across chunks, a NUL line (Postfix's rewrite of
-- "\r\n.\0\r\n") from an authenticated client; a lone dot passes.  Three
-- messages share one connection, so the scanner must start afresh.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

-- 1. "hello . MAIL FROM:...", split inside MAIL, between CR and LF,
--    inside DATA.
local what = "postfix residue of \\r.\\r"
local conn, got = body.message(what, { "hello . MA", "IL FROM:<x@evil.example>\r",
  "\nRCPT TO:<b@test.example>\r\nDA", "TA\r\nSubject: hidden\r\n\r\nhidden body\r\n" })
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (smuggled_transaction)")
body.expect_tag(conn, what, nil)

-- 2. Same connection: one bare CR at offset 4; the CR at the end of the
--    first chunk and the LF at the start of the second are a CRLF.
what = "bare CR across chunks"
got = body.next_message(conn, what, { "a\r", "\nb\r", "c\r\n" }, nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (bare_cr)")

-- 3. Same connection: a lone dot line (the client sent "..") is legal.
what = "lone dot"
got = body.next_message(conn, what, { "hello\r\n.", "\r\nworld\r\n" }, nil, "4XyZ3abc")
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
body.expect_tag(conn, what, nil)
mt.disconnect(conn)

-- 4. An authenticated client (PLAIN over TLS, from outside the exempt
--    networks): "\r\n.\0\r\n" + hidden transaction as Postfix hands it.
what = "NUL line + hidden transaction"
conn, got = body.message(what, { "hello\r\n\0", "\r\n" .. body.HIDDEN },
  { mta = "postfix", ip = "203.0.113.5", daemon = "submission", login = "alice@example.test",
    mech = "PLAIN", tls = "TLSv1.3", sender = "<alice@example.test>" }, "4XyZ4abc")
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (nul, smuggled_transaction)")
mt.disconnect(conn)

local r = gate.audit(4)
dg.has(r[1], { '"stage":"eom"', '"qid":"4XyZ1abc"', '"verdict":"reject"', '"rule":"body"',
  '"anomalies":{"smuggled_transaction":{"count":1,"first":8}}', '"size":100',
  gate.json("550 5.6.0 " .. body.REJECT_TEXT .. " (smuggled_transaction)") })
dg.has(r[2], { '"qid":"4XyZ2abc"', '"verdict":"reject"', '"rule":"body"', '"size":8',
  '"anomalies":{"bare_cr":{"count":1,"first":4}}' })
dg.has(r[3], { '"qid":"4XyZ3abc"', '"verdict":"accept"', '"rule":"auth.exempt"',
  '"anomalies":{"lone_dot":{"count":1,"first":7}}', '"reply":null' })
dg.has(r[4], { '"qid":"4XyZ4abc"', '"verdict":"reject"', '"rule":"body"',
  '"auth":{"user":"alice@example.test","mech":"PLAIN"}',
  '"anomalies":{"nul":{"count":1,"first":7},"smuggled_transaction":{"count":1,"first":10}}' })
