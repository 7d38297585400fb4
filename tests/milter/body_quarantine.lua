-- SPDX-License-Identifier: BSD-2-Clause
-- body_quarantine.lua: a class whose action is quarantine holds the
-- message (smfi_quarantine, reason "dotgate: " + the classes) and tags
-- it; classes that only log are listed too.
-- conf: tests/milter/conf/body_quarantine.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "\\r\\n.\\n in chunks"
local conn, got = body.message(what, { "hello\r", "\n.", "\nworld\r\n" })
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
if not mt.eom_check(conn, MT_QUARANTINE, "dotgate: bare_lf, smuggle_eod") then
  dg.fail(what .. ": not quarantined with reason \"dotgate: bare_lf, smuggle_eod\"")
end
body.expect_tag(conn, what, "bare_lf=1, smuggle_eod=1")

what = "bare CR only: logged"
got = body.next_message(conn, what, { "one\rtwo\r\n" }, nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_CONTINUE)
if mt.eom_check(conn, MT_QUARANTINE) then dg.fail(what .. ": quarantined") end
body.expect_tag(conn, what, nil)
mt.disconnect(conn)

local r = gate.audit(2)
dg.has(r[1], { '"verdict":"quarantine"', '"rule":"body"', '"reply":null',
  '"anomalies":{"bare_lf":{"count":1,"first":8},"smuggle_eod":{"count":1,"first":7}}' })
dg.has(r[2], { '"verdict":"log"', '"rule":"body"', '"anomalies":{"bare_cr":{"count":1,"first":3}}' })
