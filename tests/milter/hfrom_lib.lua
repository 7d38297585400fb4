-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_lib.lua: helpers for the From: header scripts (hfrom_*.lua),
-- dotgate.conf(5) "HEADER FROM".  A script is a list of cases (a session
-- as gate_lib.lua plays it, the headers, the outcome); hfrom.run() plays
-- them all in enforce mode, reloads the daemon in monitor mode (SIGUSR1,
-- dotgate(8) SIGNALS) and plays them again, checking each end-of-message
-- reply and each audit record.
-- Load with: dofile(srcdir .. "/tests/milter/hfrom_lib.lua")
dofile(srcdir .. "/tests/milter/gate_lib.lua")
hfrom = {}

-- alice on Postfix's submission service, authenticated, her own
-- envelope sender: the transactions the header check applies to.
function hfrom.alice(sender)
  return { mta = "postfix", login = "alice@example.test", mech = "SCRAM-SHA-256",
    daemon = "submission", sender = sender or "<alice@example.test>" }
end

-- s as a JSON string, as the record writes it (quotes and backslashes
-- escaped; the cases use no control bytes).
function hfrom.quote(s)
  return '"' .. string.gsub(s, '[\\"]', '\\%0') .. '"'
end

-- The default replies, expanded for alice.
function hfrom.not_owned(addr)
  return "553 5.7.1 <" .. addr .. ">: From header address not owned by user alice@example.test"
end
hfrom.MALFORMED = "550 5.7.1 From header missing, repeated or unreadable"

-- RCPT, the headers ({name, value} pairs in order, values as Postfix
-- hands them: no leading space, folds as LF plus white space), a body,
-- the queue id and end of message; returns the reply to end of message.
function hfrom.data(conn, headers, what)
  dg.ok(mt.rcptto(conn, "<b@test.example>"), what .. ": rcptto")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
  -- A daemon that asked for no headers (SMFIP_NOHDRS) cannot check
  -- them: the records then show it.  miltertest refuses to send what was
  -- negotiated away.
  if not mt.test_option(conn, SMFIP_NOHDRS) then
    for _, h in ipairs(headers) do
      dg.ok(mt.header(conn, h[1], h[2]), what .. ": header " .. h[1])
      dg.expect(conn, SMFIR_CONTINUE, what .. ": header " .. h[1])
    end
  end
  if not mt.test_option(conn, SMFIP_NOEOH) then
    dg.ok(mt.eoh(conn), what .. ": eoh")
    dg.expect(conn, SMFIR_CONTINUE, what .. ": eoh")
  end
  dg.ok(mt.bodystring(conn, "hello\r\n"), what .. ": body")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": body")
  dg.ok(mt.macro(conn, string.byte("E"), "i", "4XyZ1hfr"), what .. ": eom macros")
  dg.ok(mt.eom(conn), what .. ": eom")
  return mt.getreply(conn)
end

-- The expected end-of-message reply in this mode: c.reply (a refusal in
-- enforce mode) as code, enhanced code and text, or none.
local function expect_eom(conn, got, c, monitor)
  if c.reply == nil or monitor then
    if got ~= SMFIR_CONTINUE then
      dg.fail(string.format("%s: end-of-message reply %s, expected continue", c.what,
        got and string.char(got) or "none"))
    end
    return
  end
  local code, ecode, text = string.match(c.reply, "^(%d%d%d) (%d%.%d+%.%d+) (.*)$")
  -- On the wire a '%' is doubled: the MTA reads the text as a format
  -- (smfi_setreply(3)); the record keeps the reply as the client sees it.
  text = string.gsub(text, "%%", "%%%%")
  if got ~= SMFIR_REPLYCODE or not mt.eom_check(conn, MT_SMTPREPLY, code, ecode, text) then
    dg.fail(string.format("%s: end-of-message reply %s, expected \"%s\"", c.what,
      got and string.char(got) or "none", c.reply))
  end
end

-- One case.  c = { what, s (session, default alice), headers, reply
-- (nil: passes), rule (default pass, or the refusal's), verdict (of a
-- refusal: reject or tempfail), hf (header_from as JSON text), mail
-- (true: the envelope is refused at MAIL FROM in enforce mode) }.
local function play(c, monitor)
  local conn, got = gate.mail(c.s or hfrom.alice())
  if c.mail and not monitor then
    if got ~= SMFIR_REPLYCODE then dg.fail(c.what .. ": MAIL FROM not refused") end
  else
    if got ~= SMFIR_CONTINUE then dg.fail(c.what .. ": MAIL FROM refused") end
    expect_eom(conn, hfrom.data(conn, c.headers, c.what), c, monitor)
  end
  mt.disconnect(conn)
end

-- What record i of a case must contain in this mode.
local function record_parts(c, mode)
  local refused = c.reply ~= nil
  local verdict, would = "accept", "null"
  if refused and mode == "monitor" then
    verdict, would = "log", '"' .. (c.verdict or "reject") .. '"'
  elseif refused then
    verdict = c.verdict or "reject"
  end
  return { '"stage":"' .. ((c.mail and mode == "enforce") and "mail" or "eom") .. '"',
    '"verdict":"' .. verdict .. '"', '"would":' .. would,
    '"rule":"' .. (c.rule or "pass") .. '"', '"mode":"' .. mode .. '"',
    '"reply":' .. (refused and hfrom.quote(c.reply) or "null"),
    '"header_from":' .. c.hf }
end

-- Rewrites the running configuration's mode line and reloads; waits for
-- the daemon to log the new policy generation.
local function reload_monitor()
  local path = tmpdir .. "/dotgate.conf"
  local f = io.open(path, "r")
  local text = f:read("*a")
  f:close()
  local n
  text, n = string.gsub(text, "\nmode = enforce\n", "\nmode = monitor\n")
  if n ~= 1 then dg.fail("no \"mode = enforce\" line in " .. path) end
  f = io.open(path, "w")
  f:write(text)
  f:close()
  os.execute("kill -USR1 " .. dotgate_pid)
  for _ = 1, 200 do
    local log = io.open(tmpdir .. "/daemon.out", "r")
    local out = log and log:read("*a") or ""
    if log then log:close() end
    if string.find(out, "policy generation 2", 1, true) then return end
    mt.sleep(0.05)
  end
  dg.fail("the reload into monitor mode was not logged")
end

-- Plays every case in enforce mode, then in monitor mode, and checks the
-- audit file holds one record per case, in order, as each expects.
function hfrom.run(cases)
  for _, c in ipairs(cases) do play(c, false) end
  reload_monitor()
  for _, c in ipairs(cases) do play(c, true) end
  local r = gate.audit(2 * #cases)
  for i, c in ipairs(cases) do
    dg.has(r[i], record_parts(c, "enforce"))
    dg.has(r[#cases + i], record_parts(c, "monitor"))
  end
end
