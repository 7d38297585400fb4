-- SPDX-License-Identifier: BSD-2-Clause
-- core_exempt_pass.lua: a client from an exempt network sends a clean
-- message: every stage continues, nothing is added, and exactly one audit
-- record (stage eom, rule auth.exempt, verdict accept) is written.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/lib.lua")

local conn = dg.connect()
dg.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
if not mt.test_option(conn, SMFIP_NOHDRS) then dg.fail("headers not declined") end
if mt.test_option(conn, SMFIP_NR_MAIL) then dg.fail("no-reply at MAIL negotiated") end
dg.ok(mt.macro(conn, SMFIC_CONNECT, "{daemon_name}", "smtpd"), "macro")
dg.ok(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
dg.ok(mt.helo(conn, "client.example"), "helo")
dg.ok(mt.macro(conn, SMFIC_MAIL, "i", "4XyZ1abc"), "macro")
dg.ok(mt.mailfrom(conn, "<anyone@example.net>"), "mailfrom")
dg.expect(conn, SMFIR_CONTINUE, "mail")
dg.ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto")
dg.expect(conn, SMFIR_CONTINUE, "rcpt")
dg.ok(mt.bodystring(conn, "hello\r\nworld\r\n"), "body")
dg.ok(mt.eom(conn), "eom")
dg.expect(conn, SMFIR_CONTINUE, "eom")
if mt.eom_check(conn, MT_HDRADD) then dg.fail("a header was added to a clean message") end
mt.disconnect(conn)

local lines = dg.wait_audit(1)
if #lines ~= 1 then dg.fail("expected 1 audit record, got " .. #lines) end
dg.has(lines[1], { '"stage":"eom"', '"rule":"auth.exempt"', '"verdict":"accept"',
  '"from":"anyone@example.net"', '"rcpts":["bob@example.test"]', '"size":14',
  '"helo":"client.example"', '"anomalies":{}', '"reply":null', '"mode":"enforce"' })
