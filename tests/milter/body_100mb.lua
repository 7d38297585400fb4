-- SPDX-License-Identifier: BSD-2-Clause
-- body_100mb.lua: a 100 MB body streamed through the socket in
-- 65535-byte chunks (what Postfix sends) does not raise the daemon's
-- resident memory by more than 1 MB, and is still scanned to the end:
-- every chunk carries anomalies, the last one a bare CR at the very end.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local CHUNK, N = 65535, 1600

local function rss_kb()
  local f = io.open("/proc/" .. dotgate_pid .. "/status", "r")
  if f == nil then dg.fail("cannot read /proc/" .. dotgate_pid .. "/status") end
  local s = f:read("*a")
  f:close()
  return tonumber(string.match(s, "VmRSS:%s*(%d+)"))
end

-- One chunk: text lines, a bare LF and a lone dot, padded to CHUNK.
local line = "the quarterly report is attached, please find it below\r\n"
local chunk = string.rep(line, math.floor(CHUNK / #line) - 2) .. "bare\nlf\r\n.\r\n"
chunk = chunk .. string.rep("z", CHUNK - #chunk)

-- Warm up: one message of a few chunks, so that libmilter's buffers
-- and the thread's arena exist before the measurement.
local what = "warm-up"
local conn, got = body.message(what, { chunk, chunk, chunk })
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0", body.REJECT_TEXT .. " (bare_lf)")

what = "100 MB"
dg.ok(mt.mailfrom(conn, "<anyone@example.net>"), what .. ": mailfrom")
dg.expect(conn, SMFIR_CONTINUE, what .. ": mail")
dg.ok(mt.rcptto(conn, "<b@test.example>"), what .. ": rcptto")
dg.expect(conn, SMFIR_CONTINUE, what .. ": rcpt")
local before = rss_kb()
for i = 1, N do
  dg.ok(mt.bodystring(conn, i == N and (string.sub(chunk, 1, CHUNK - 1) .. "\r") or chunk),
    what .. ": chunk " .. i)
  dg.expect(conn, SMFIR_CONTINUE, what .. ": chunk " .. i)
end
local after = rss_kb()
dg.ok(mt.eom(conn), what .. ": eom")
got = mt.getreply(conn)
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (bare_cr, bare_lf)")
mt.disconnect(conn)
print(string.format("RSS before %d kB, after %d kB, %d bytes streamed", before, after, CHUNK * N))
-- A sanitizer build keeps freed chunks in quarantine: RSS says nothing there.
if sanitizers == "yes" then
  print("sanitizer build: RSS bound not checked")
elseif after - before > 1024 then
  dg.fail(string.format("resident memory grew by %d kB over the 100 MB body", after - before))
end

local r = gate.audit(2)
dg.has(r[2], { '"verdict":"reject"', string.format('"size":%d', CHUNK * N),
  string.format('"bare_cr":{"count":1,"first":%d}', CHUNK * N - 1),
  string.format('"bare_lf":{"count":%d,', N) })
