-- SPDX-License-Identifier: BSD-2-Clause
-- body_tag.lua: classes whose action is tag let the message through with
-- the tag header "class=count, ..." added at end of message: two bare CRs
-- (a CRLF split across chunks does not count) and a quoted SMTP
-- transcript; a long line split across chunks; a clean message gets no
-- header.
-- conf: tests/milter/conf/body_tag.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "bare CRs and a quoted transcript"
local conn, got = body.message(what, { "a\rb\r", "\nc\r\r\nExample session:\r\n\r\nMAIL FR",
  "OM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\nhi\r\n" })
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
body.expect_tag(conn, what, "bare_cr=2, smtp_commands=1")

what = "long line in chunks"
got = body.next_message(conn, what, body.split("short\r\n" .. string.rep("y", 101) .. "\r\n", 10),
  nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
body.expect_tag(conn, what, "long_line=1")

what = "clean"
got = body.next_message(conn, what, { "Hello Bob,\r\n\r\nsee you.\r\n" }, nil, "4XyZ3abc")
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
body.expect_tag(conn, what, nil)
mt.disconnect(conn)

local r = gate.audit(3)
dg.has(r[1], { '"verdict":"tag"', '"rule":"body"', '"reply":null',
  '"anomalies":{"bare_cr":{"count":2,"first":1},"smtp_commands":{"count":1,"first":29}}' })
dg.has(r[2], { '"verdict":"tag"', '"anomalies":{"long_line":{"count":1,"first":7}}' })
dg.has(r[3], { '"verdict":"accept"', '"anomalies":{}', '"rule":"auth.exempt"' })
