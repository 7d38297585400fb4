-- SPDX-License-Identifier: BSD-2-Clause
-- body_lib.lua: helpers for the body scanner's miltertest scripts
-- (body_*.lua).  They play Postfix in front of the running dotgate (its
-- macro sets, from gate_lib.lua), send a body in the chunks a script
-- gives, and check what dotgate does at end of message.
-- Load with: dofile(srcdir .. "/tests/milter/body_lib.lua")
dofile(srcdir .. "/tests/milter/gate_lib.lua")
body = {}

-- The hidden transaction a smuggling client puts behind its end-of-data
-- look-alike (doc/mta.md, "The body"), and the default policy's replies.
body.HIDDEN = "MAIL FROM:<x@evil.example>\r\nRCPT TO:<b@test.example>\r\n" ..
  "DATA\r\nSubject: hidden\r\n\r\nhidden body\r\n"
body.REJECT_TEXT = "Message rejected: malformed line endings or end-of-data sequence"
body.TEMPFAIL_TEXT = "Message deferred: malformed content"

-- A client from an exempt network (the gate lets MAIL through) on the
-- Postfix smtpd service.
body.EXEMPT = { mta = "postfix", ip = "127.0.0.1", daemon = "smtpd",
  sender = "<anyone@example.net>" }

local nchunk = 0

-- Sends one body chunk.  mt.bodystring() stops at a NUL (it takes the
-- string's C length), so a chunk with a NUL goes through a file.
local function send_chunk(conn, chunk, what)
  if string.find(chunk, "\0", 1, true) then
    nchunk = nchunk + 1
    local path = tmpdir .. "/chunk" .. nchunk .. ".bin"
    local f = io.open(path, "wb")
    if f == nil then dg.fail("cannot write " .. path) end
    f:write(chunk)
    f:close()
    dg.ok(mt.bodyfile(conn, path), what)
  else
    dg.ok(mt.bodystring(conn, chunk), what)
  end
  dg.expect(conn, SMFIR_CONTINUE, what)
end

-- RCPT, the body in `chunks` (a list of strings, one body event each),
-- the queue id as Postfix gives it at end of message, and the end of
-- message.  Returns the milter's reply to it.
function body.data(conn, chunks, what, qid)
  dg.ok(mt.rcptto(conn, "<b@test.example>"), what .. ": rcptto")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
  for i, chunk in ipairs(chunks) do
    send_chunk(conn, chunk, string.format("%s: body chunk %d", what, i))
  end
  -- miltertest names no SMFIC_BODYEOB; the end-of-message macros go
  -- with the command character itself ("E").
  dg.ok(mt.macro(conn, string.byte("E"), "i", qid or "4XyZ1abc"), what .. ": eom macros")
  dg.ok(mt.eom(conn), what .. ": eom")
  return mt.getreply(conn)
end

-- A new connection (session s, default an exempt client) with one
-- message; returns the connection, still open, and the reply at end of
-- message.
function body.message(what, chunks, s, qid)
  local conn, got = gate.mail(s or body.EXEMPT)
  if got ~= SMFIR_CONTINUE then
    dg.fail(string.format("%s: MAIL FROM reply %s", what, string.char(got)))
  end
  return conn, body.data(conn, chunks, what, qid)
end

-- The next message on the same connection.
function body.next_message(conn, what, chunks, sender, qid)
  dg.ok(mt.mailfrom(conn, sender or "<anyone@example.net>"), what .. ": mailfrom")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": mail")
  return body.data(conn, chunks, what, qid)
end

-- Asserts the end-of-message reply and actions: want is SMFIR_REPLYCODE
-- (then code, ecode, text must be the reply) or SMFIR_CONTINUE.
function body.expect_reply(conn, got, what, want, code, ecode, text)
  if got ~= want then
    dg.fail(string.format("%s: end-of-message reply %s, expected %s", what,
      tostring(got), tostring(want)))
  end
  -- MT_SMTPREPLY compares all three parts exactly (miltertest refuses
  -- it with fewer arguments).
  if want == SMFIR_REPLYCODE and not mt.eom_check(conn, MT_SMTPREPLY, code, ecode, text) then
    dg.fail(string.format("%s: reply is not \"%s %s %s\"", what, code, ecode, text))
  end
end

-- Asserts the tag header: value, or absent when value is nil.
function body.expect_tag(conn, what, value, name)
  name = name or "X-Dotgate-Anomalies"
  if value == nil then
    if mt.eom_check(conn, MT_HDRADD) then dg.fail(what .. ": a header was added") end
    return
  end
  -- MT_HDRADD matches a prefix of the name; getheader() gives the value
  -- of the first header of that name added.
  local got = mt.getheader(conn, name, 0)
  if not mt.eom_check(conn, MT_HDRADD, name, value) or got ~= value then
    dg.fail(string.format("%s: no header %s: %s (got %s)", what, name, value, tostring(got)))
  end
end

-- Splits s into pieces of at most n bytes.
function body.split(s, n)
  local out = {}
  for i = 1, #s, n do out[#out + 1] = string.sub(s, i, i + n - 1) end
  return out
end
