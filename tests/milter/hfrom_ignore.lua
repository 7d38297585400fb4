-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_ignore.lua: senders.header_from = ignore (dotgate.conf(5),
-- "HEADER FROM"): no header is read; every message the envelope gate
-- lets through is accepted and its record's header_from is null.
-- conf: tests/milter/conf/hfrom_ignore.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local function pass(what, headers)
  return { what = what, headers = headers, hf = "null" }
end

hfrom.run({
  pass("a foreign From", { { "From", "mallory@evil.test" } }),
  pass("no From", { { "Subject", "hi" } }),
  pass("two From fields", { { "From", "mallory@evil.test" }, { "From", "zed@nowhere.test" } }),
  pass("an unreadable From", { { "From", "alice@example.test <mallory@evil.test>" } }),
})
