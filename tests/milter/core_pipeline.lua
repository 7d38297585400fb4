-- SPDX-License-Identifier: BSD-2-Clause
-- core_pipeline.lua: dotgate asks for no reply to CONNECT, HELO and body
-- chunks (never to MAIL or RCPT), so the MTA writes the chunks back to
-- back.  Many connections at once each send MAIL, RCPT, three body chunks
-- without waiting, then the end of message or an MTA abort, interleaved
-- across connections so that the daemon's worker pool has commands of
-- every connection queued at once.  Every transaction must get exactly
-- one record whose size and anomalies are those of its chunks in the
-- order sent: each chunk has a distinct length and carries one anomaly
-- class of its own (bare LF, bare CR, an SMTP command sequence) at a
-- known offset, so a chunk lost, repeated or run out of order changes the
-- size, a count or a first offset.  An MTA that offers no SMFIP_NR_*
-- flag still gets a reply to every step (libmilter answers for dotgate).
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/lib.lua")

local NCONN = 16
local ROUNDS = 24

-- A chunk of `len` bytes of 70-octet CRLF lines with `mark` at offset
-- `at` (at a line start); it ends with CRLF, so no CR|LF pair spans two
-- chunks.
local function chunk(len, at, mark)
  local line = string.rep("x", 68) .. "\r\n"
  local head = string.rep(line, math.floor(at / 70))
  head = head .. string.rep("y", at - #head)
  local s = head .. mark
  local fill = len - #s - 2
  s = s .. string.rep(line, math.floor(fill / 70))
  s = s .. string.rep("z", len - #s - 2) .. "\r\n"
  if #s ~= len then dg.fail("chunk length " .. #s .. " ~= " .. len) end
  return s
end

local L1, L2, L3 = 30002, 65535, 20001
local C1 = chunk(L1, 140, "bare\nlf\r\n")
local C2 = chunk(L2, 210, "bare\rcr\r\n")
local C3 = chunk(L3, 280, "MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n")
local AFTER2 = string.format('"size":%d,"anomalies":{"bare_cr":{"count":1,"first":%d},' ..
  '"bare_lf":{"count":1,"first":144}}', L1 + L2, L1 + 214)
local AFTER3 = string.format('"size":%d,"anomalies":{"bare_cr":{"count":1,"first":%d},' ..
  '"bare_lf":{"count":1,"first":144},"smtp_commands":{"count":1,"first":%d}}',
  L1 + L2 + L3, L1 + 214, L1 + L2 + 280)

-- What dotgate negotiated with an MTA offering everything (miltertest's
-- default, as Postfix does).
local conns = {}
for i = 1, NCONN do
  local conn = dg.connect()
  dg.ok(mt.negotiate(conn, nil, nil, nil), "negotiate")
  for _, f in ipairs({ SMFIP_NR_CONN, SMFIP_NR_HELO, SMFIP_NR_BODY }) do
    if not mt.test_option(conn, f) then dg.fail("no-reply flag " .. f .. " not negotiated") end
  end
  for _, f in ipairs({ SMFIP_NR_MAIL, SMFIP_NR_RCPT }) do
    if mt.test_option(conn, f) then dg.fail("no reply at MAIL or RCPT negotiated") end
  end
  dg.ok(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
  dg.ok(mt.helo(conn, "client.example"), "helo")
  conns[i] = conn
end

-- Each step for every connection in turn; `abort` says which
-- transactions end in an MTA abort after two chunks (never the last
-- round: the connections then close after an answered end of message).
local function aborted(i, r) return r < ROUNDS and (i + r) % 3 == 0 end
local want = {}
for r = 1, ROUNDS do
  for i, conn in ipairs(conns) do
    local from = string.format("c%dr%d@example.net", i, r)
    dg.ok(mt.mailfrom(conn, "<" .. from .. ">"), "mailfrom")
    dg.expect(conn, SMFIR_CONTINUE, from .. ": mail")
    want[from] = aborted(i, r) and AFTER2 or AFTER3
  end
  for _, conn in ipairs(conns) do dg.ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto") end
  for _, conn in ipairs(conns) do dg.ok(mt.bodystring(conn, C1), "chunk 1") end
  for _, conn in ipairs(conns) do dg.ok(mt.bodystring(conn, C2), "chunk 2") end
  for i, conn in ipairs(conns) do
    if aborted(i, r) then
      dg.ok(mt.abort(conn), "abort")
    else
      dg.ok(mt.bodystring(conn, C3), "chunk 3")
    end
  end
  for i, conn in ipairs(conns) do
    if not aborted(i, r) then
      dg.ok(mt.eom(conn), "eom")
      dg.expect(conn, SMFIR_REPLYCODE, "eom")
    end
  end
end
for _, conn in ipairs(conns) do mt.disconnect(conn) end

-- An MTA without no-reply flags: every step is answered.
local conn = dg.connect()
dg.ok(mt.negotiate(conn, 6, SMFIP_NOHDRS + SMFIP_NOEOH + SMFIP_NODATA + SMFIP_NOUNKNOWN, nil),
  "negotiate without NR flags")
if mt.test_option(conn, SMFIP_NR_BODY) then dg.fail("NR_BODY negotiated though not offered") end
dg.ok(mt.conninfo(conn, "localhost", "127.0.0.1"), "conninfo")
dg.expect(conn, SMFIR_CONTINUE, "connect without NR")
dg.ok(mt.helo(conn, "client.example"), "helo")
dg.expect(conn, SMFIR_CONTINUE, "helo without NR")
dg.ok(mt.mailfrom(conn, "<plain@example.net>"), "mailfrom")
dg.expect(conn, SMFIR_CONTINUE, "mail without NR")
dg.ok(mt.rcptto(conn, "<bob@example.test>"), "rcptto")
dg.expect(conn, SMFIR_CONTINUE, "rcpt without NR")
for _, c in ipairs({ C1, C2, C3 }) do
  dg.ok(mt.bodystring(conn, c), "chunk")
  dg.expect(conn, SMFIR_CONTINUE, "body chunk without NR")
end
dg.ok(mt.eom(conn), "eom")
dg.expect(conn, SMFIR_REPLYCODE, "eom without NR")
mt.disconnect(conn)
want["plain@example.net"] = AFTER3

local n = NCONN * ROUNDS + 1
local lines = dg.wait_audit(n)
if #lines ~= n then dg.fail(string.format("%d audit records, expected %d", #lines, n)) end
local seen = {}
for _, line in ipairs(lines) do
  local from = string.match(line, '"from":"([^"]*)"')
  if from == nil or want[from] == nil then dg.fail("unexpected record: " .. line) end
  if seen[from] then dg.fail("second record for " .. from) end
  seen[from] = true
  local stage = want[from] == AFTER2 and '"stage":"abort"' or '"stage":"eom"'
  dg.has(line, { stage, want[from], '"rcpts":["bob@example.test"]' })
end
