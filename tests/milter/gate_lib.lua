-- SPDX-License-Identifier: BSD-2-Clause
-- gate_lib.lua: helpers for the gate's miltertest scripts (gate_*.lua).
-- They play an MTA in front of the running dotgate with the macro sets a
-- real MTA sends, so each script reads as a list of SMTP sessions.
-- Load with: dofile(srcdir .. "/tests/milter/gate_lib.lua")
dofile(srcdir .. "/tests/milter/lib.lua")
gate = {}

local unpack = table.unpack or unpack

-- Sends macros of one stage; `pairs_list` is {name, value, ...} with the
-- absent ones already left out (an absent macro is never sent as "").
local function macros(conn, stage, pairs_list, what)
  if #pairs_list > 0 then
    dg.ok(mt.macro(conn, stage, unpack(pairs_list)), what)
  end
end

local function add(list, name, value)
  if value ~= nil then
    list[#list + 1] = name
    list[#list + 1] = value
  end
end

-- The macro sets of Postfix 3.7 (doc/mta.md, "Macros"): {auth_*} only when the
-- client authenticated, no queue id at MAIL, no {auth_ssf};
-- {client_addr}, in Postfix's default list: dotgate no longer asks for
-- it (the address comes from the connect callback), so a real Postfix
-- leaves it out; sending it shows a stray macro changes nothing.  IPv6
-- macros carry an "IPv6:" prefix.
local function postfix_macros(s)
  local conn_m, helo_m, mail_m = {}, {}, {}
  add(conn_m, "j", "mx.example.test")
  add(conn_m, "{daemon_name}", s.daemon)
  add(conn_m, "{client_addr}", s.macro_addr)
  add(helo_m, "{tls_version}", s.tls)
  add(helo_m, "{cipher}", s.tls and "TLS_AES_256_GCM_SHA384" or nil)
  add(mail_m, "{auth_type}", s.mech)
  add(mail_m, "{auth_authen}", s.login)
  add(mail_m, "{auth_author}", nil)
  add(mail_m, "{tls_version}", s.tls)
  add(mail_m, "{daemon_name}", s.daemon)
  add(mail_m, "{mail_addr}", s.sender)
  return conn_m, helo_m, mail_m
end

-- The macro sets of Sendmail 8 (its default Milter.macros.*): the queue
-- id at MAIL, {auth_ssf} next to {auth_type}/{auth_authen}, {if_addr}.
local function sendmail_macros(s)
  local conn_m, helo_m, mail_m = {}, {}, {}
  add(conn_m, "j", "mx.example.test")
  add(conn_m, "_", "client.example [" .. (s.ip or "") .. "]")
  add(conn_m, "{daemon_name}", s.daemon)
  add(conn_m, "{if_name}", "mx.example.test")
  add(conn_m, "{if_addr}", "192.0.2.1")
  add(conn_m, "{client_addr}", s.macro_addr)
  add(helo_m, "{tls_version}", s.tls)
  add(helo_m, "{cipher_bits}", s.tls and "256" or nil)
  add(mail_m, "i", "4XyZ1sm0")
  add(mail_m, "{auth_type}", s.mech)
  add(mail_m, "{auth_authen}", s.login)
  add(mail_m, "{auth_ssf}", s.login and (s.ssf or "0") or nil)
  add(mail_m, "{mail_mailer}", "esmtp")
  add(mail_m, "{mail_addr}", s.sender)
  return conn_m, helo_m, mail_m
end

-- One SMTP session up to MAIL FROM.  s = {
--   mta = "postfix" | "sendmail", ip = "192.0.2.10" | "::1" | "unspec",
--   daemon, login, mech, tls, ssf, sender = "<...>" }
-- Returns the connection and the milter's reply to MAIL FROM.
function gate.mail(s)
  local conn = dg.connect()
  local ip = s.ip or "192.0.2.10"
  if ip ~= "unspec" then
    s.macro_addr = string.find(ip, ":", 1, true) and ("IPv6:" .. ip) or ip
  end
  s.ip = ip
  local conn_m, helo_m, mail_m
  if s.mta == "sendmail" then
    conn_m, helo_m, mail_m = sendmail_macros(s)
  else
    conn_m, helo_m, mail_m = postfix_macros(s)
  end
  dg.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
  if mt.test_option(conn, SMFIP_NR_MAIL) then dg.fail("no-reply at MAIL negotiated") end
  macros(conn, SMFIC_CONNECT, conn_m, "connect macros")
  dg.ok(mt.conninfo(conn, "client.example", ip), "conninfo")
  macros(conn, SMFIC_HELO, helo_m, "helo macros")
  dg.ok(mt.helo(conn, "client.example"), "helo")
  macros(conn, SMFIC_MAIL, mail_m, "mail macros")
  dg.ok(mt.mailfrom(conn, s.sender or "<alice@example.test>"), "mailfrom")
  return conn, mt.getreply(conn)
end

-- A whole session: MAIL FROM must get `want` (SMFIR_REPLYCODE for a
-- refusal with a reply, SMFIR_CONTINUE otherwise); an accepted envelope
-- goes on through RCPT, a clean body and end of message, which must
-- continue too.  Returns nothing; fails the script on any difference.
function gate.session(what, s, want)
  local conn, got = gate.mail(s)
  if got ~= want then
    dg.fail(string.format("%s: MAIL FROM reply %s, expected %s", what,
      string.char(got), string.char(want)))
  end
  if got == SMFIR_CONTINUE then
    dg.ok(mt.rcptto(conn, "<rcpt@example.net>"), what .. ": rcptto")
    dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
    dg.ok(mt.bodystring(conn, "Subject: x\r\n\r\nhello\r\n"), what .. ": body")
    dg.ok(mt.eom(conn), what .. ": eom")
    dg.expect(conn, SMFIR_CONTINUE, what .. ": eom")
  end
  mt.disconnect(conn)
end

-- Checks the audit file holds exactly `n` records and returns them.
function gate.audit(n)
  local lines = dg.wait_audit(n)
  mt.sleep(0.1)			-- a late extra record must be seen too
  lines = dg.audit_lines()
  if #lines ~= n then
    dg.fail(string.format("expected %d audit records, got %d", n, #lines))
  end
  return lines
end

-- The JSON text of a reply as dotgate records it (a plain string).
function gate.json(s)
  return '"reply":"' .. s .. '"'
end
