-- SPDX-License-Identifier: BSD-2-Clause
-- core_abort.lua: a transaction aborted after part of its body (an RSET,
-- or the MTA giving up) gets exactly one record, stage abort, with the
-- body bytes received, the anomalies seen so far, rule "body" and no
-- verdict; the next transaction on the same connection gets its own.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/lib.lua")

local conn = dg.connect()
dg.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
dg.ok(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
for i = 1, 3 do
  dg.ok(mt.macro(conn, SMFIC_MAIL, "i", "QID" .. i), "macro")
  dg.ok(mt.mailfrom(conn, "<anyone@example.net>"), "mailfrom")
  dg.ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto")
  dg.ok(mt.bodystring(conn, "one\ntwo\r\n"), "body")
  dg.ok(mt.abort(conn), "abort")
  dg.wait_audit(i)
end
-- a clean transaction after the aborts
dg.ok(mt.mailfrom(conn, "<anyone@example.net>"), "mailfrom")
dg.ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto")
dg.ok(mt.bodystring(conn, "fine\r\n"), "body")
dg.ok(mt.eom(conn), "eom")
dg.expect(conn, SMFIR_CONTINUE, "eom")
mt.disconnect(conn)

local lines = dg.wait_audit(4)
if #lines ~= 4 then dg.fail("expected 4 audit records, got " .. #lines) end
for i = 1, 3 do
  dg.has(lines[i], { '"stage":"abort"', '"size":9', '"verdict":null',
    '"rule":"body"', '"anomalies":{"bare_lf":{"count":1,"first":3}}', '"reply":null' })
end
dg.has(lines[4], { '"stage":"eom"', '"size":6', '"verdict":"accept"', '"rule":"auth.exempt"',
  '"anomalies":{}' })
