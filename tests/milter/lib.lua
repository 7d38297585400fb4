-- SPDX-License-Identifier: BSD-2-Clause
-- lib.lua: helpers shared by dotgate's miltertest scripts.
-- Load with: dofile(srcdir .. "/tests/milter/lib.lua")
dg = {}

-- Fails the script with a message (printed first: miltertest exits 1 on
-- a Lua error without saying what it was).
function dg.fail(msg)
  io.stderr:write("FAIL: " .. msg .. "\n")
  error(msg, 2)
end

-- Connects to the daemon under test, retrying while it starts.
function dg.connect()
  local conn = mt.connect(socket, 40, 0.05)
  if conn == nil then dg.fail("cannot connect to " .. socket) end
  return conn
end

-- Asserts that the last reply on conn is `want` (an SMFIR_* constant).
function dg.expect(conn, want, what)
  local got = mt.getreply(conn)
  if got ~= want then
    dg.fail(string.format("%s: reply %s, expected %s", what, tostring(got), tostring(want)))
  end
end

-- Runs fn(conn) and checks it returned nil (miltertest's success).
function dg.ok(err, what)
  if err ~= nil then dg.fail(what .. ": " .. tostring(err)) end
end

-- The audit file's records, as a list of raw JSON lines.
function dg.audit_lines()
  local lines = {}
  local f = io.open(audit, "r")
  if f == nil then return lines end
  for line in f:lines() do lines[#lines + 1] = line end
  f:close()
  return lines
end

-- Waits until the audit file has at least n records; returns them.
function dg.wait_audit(n)
  for _ = 1, 100 do
    local lines = dg.audit_lines()
    if #lines >= n then return lines end
    mt.sleep(0.05)
  end
  return dg.audit_lines()
end

-- Asserts that JSON line `line` contains each plain substring in `parts`.
function dg.has(line, parts)
  for _, p in ipairs(parts) do
    if string.find(line, p, 1, true) == nil then
      dg.fail("audit record lacks " .. p .. ": " .. line)
    end
  end
end
