-- SPDX-License-Identifier: BSD-2-Clause
-- daemon_sessions.lua: the SMTP sessions behind daemon_records.sh, played
-- as Postfix in front of a running dotgate (helpers of tests/milter).
-- The global `phase` chooses the set: "enforce" or "monitor".  Each
-- session is one transaction, or none (a client that leaves before
-- MAIL); daemon_records.sh then checks that the audit file has exactly
-- one record for each transaction, in this order.  An abort has no
-- reply, so after a session that ends with one the script waits for its
-- record before the next session: the daemon serves connections in
-- parallel, and the order of the file would otherwise be a race.
dofile(srcdir .. "/tests/milter/body_lib.lua")

local ALICE = { mta = "postfix", ip = "192.0.2.60", daemon = "submission",
  login = "alice@example.test", mech = "SCRAM-SHA-256", tls = "TLSv1.3",
  sender = "<alice@example.test>" }

local function with(base, changes)
  local s = {}
  for k, v in pairs(base) do s[k] = v end
  for k, v in pairs(changes) do s[k] = v end
  return s
end

-- Postfix sends the MAIL macros with every MAIL FROM.
local function next_mail(conn, s, what)
  dg.ok(mt.macro(conn, SMFIC_MAIL, "{auth_type}", s.mech, "{auth_authen}",
    s.login, "{tls_version}", s.tls, "{daemon_name}", s.daemon), what .. ": macros")
  dg.ok(mt.mailfrom(conn, s.sender), what .. ": mailfrom")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": mail")
end

local function refused_at_mail(what, s)
  local conn, got = gate.mail(s)
  if got ~= SMFIR_REPLYCODE then dg.fail(what .. ": not refused at MAIL") end
  -- Postfix aborts the transaction after a refused MAIL: no second record.
  dg.ok(mt.abort(conn), what .. ": abort")
  mt.disconnect(conn)
end

local function enforce()
  -- 1, 2: unauthenticated, twice from the same client
  for _ = 1, 2 do
    refused_at_mail("unauthenticated", { mta = "postfix", ip = "192.0.2.50",
      daemon = "submission", sender = "<x@example.net>" })
  end
  -- 3: alice as bob
  refused_at_mail("sender mismatch", with(ALICE, { sender = "<bob@example.test>" }))

  -- 4: a clean message, then 5: a tagged one on the same connection
  local what = "clean message"
  local conn, got = body.message(what, { "hello\r\n" }, ALICE, "4QCLEAN")
  body.expect_reply(conn, got, what, SMFIR_CONTINUE)
  body.expect_tag(conn, what, nil)
  what = "tagged message"
  next_mail(conn, ALICE, what)
  got = body.data(conn, { "Example:\r\nMAIL FROM:<a@example.org>\r\n" ..
    "RCPT TO:<b@example.org>\r\nDATA\r\n" }, what, "4QTAG")
  body.expect_reply(conn, got, what, SMFIR_CONTINUE)
  body.expect_tag(conn, what, "smtp_commands=1")
  mt.disconnect(conn)

  -- 6: a bare CR from an exempt client, rejected at end of message
  what = "rejected body"
  conn, got = body.message(what, { "one\rtwo\r\n" }, body.EXEMPT, "4QREJ")
  body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
    body.REJECT_TEXT .. " (bare_cr)")
  mt.disconnect(conn)

  -- 7: aborted after part of the body (RSET); the QUIT adds nothing
  what = "aborted message"
  conn, got = gate.mail(ALICE)
  if got ~= SMFIR_CONTINUE then dg.fail(what .. ": MAIL refused") end
  dg.ok(mt.rcptto(conn, "<bob@example.test>"), what .. ": rcptto")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
  dg.ok(mt.bodystring(conn, "partial\r\n"), what .. ": body")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": body")
  dg.ok(mt.abort(conn), what .. ": abort")
  mt.disconnect(conn)
  dg.wait_audit(7)

  -- no record: a client that leaves before MAIL
  conn = dg.connect()
  dg.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
  dg.ok(mt.conninfo(conn, "client.example", "192.0.2.99"), "conninfo")
  dg.ok(mt.helo(conn, "client.example"), "helo")
  mt.disconnect(conn)

  -- 8: local submission (no IP address): exempt, clean
  what = "local submission"
  conn, got = body.message(what, { "local\r\n" }, { mta = "postfix", ip = "unspec",
    sender = "<root@mx.example.test>" }, "4QLOCAL")
  body.expect_reply(conn, got, what, SMFIR_CONTINUE)
  mt.disconnect(conn)

  -- 9: connection lost after RCPT: the abort record comes from close
  what = "connection lost"
  conn, got = gate.mail(with(ALICE, { ip = "192.0.2.61" }))
  if got ~= SMFIR_CONTINUE then dg.fail(what .. ": MAIL refused") end
  dg.ok(mt.rcptto(conn, "<carol@example.test>"), what .. ": rcptto")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
  mt.disconnect(conn, false)
  dg.wait_audit(9)
end

local function monitor()
  -- 10: unauthenticated, let through, with a clean body
  local what = "monitor: unauthenticated"
  local conn, got = gate.mail({ mta = "postfix", ip = "192.0.2.70",
    daemon = "submission", sender = "<u@example.net>" })
  if got ~= SMFIR_CONTINUE then dg.fail(what .. ": refused in monitor mode") end
  got = body.data(conn, { "hi\r\n" }, what, "5QUNAUTH")
  body.expect_reply(conn, got, what, SMFIR_CONTINUE)
  mt.disconnect(conn)

  -- 11: a bare LF, not rejected, not tagged
  what = "monitor: bare LF"
  conn, got = body.message(what, { "a\nb\r\n" }, ALICE, "5QBODY")
  body.expect_reply(conn, got, what, SMFIR_CONTINUE)
  body.expect_tag(conn, what, nil)
  mt.disconnect(conn)

  -- 12: alice as bob, then the client gives up (abort)
  what = "monitor: sender mismatch aborted"
  conn, got = gate.mail(with(ALICE, { sender = "<bob@example.test>" }))
  if got ~= SMFIR_CONTINUE then dg.fail(what .. ": refused in monitor mode") end
  dg.ok(mt.abort(conn), what .. ": abort")
  mt.disconnect(conn)
end

if phase == "enforce" then
  enforce()
elseif phase == "monitor" then
  monitor()
else
  dg.fail("unknown phase " .. tostring(phase))
end
