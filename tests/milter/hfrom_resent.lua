-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_resent.lua: Resent-From: and Resent-Sender: (dotgate.conf(5),
-- "HEADER FROM"): the topmost resent block, the latest, must be alice's
-- like From:; older blocks are history and are not read, not even
-- parsed.  From: is checked too.
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local ALICE = '["alice@example.test"]'
local function refused(what, headers, addr, hf)
  return { what = what, headers = headers, reply = hfrom.not_owned(addr),
    rule = "sender.header_not_owned", hf = hf or ALICE }
end

hfrom.run({
  { what = "her Resent-From, older foreign ones", hf = ALICE, headers = {
    { "Resent-From", "alice@example.test" }, { "Resent-From", "mallory@evil.test" },
    { "Resent-Sender", "Alice <alice@example.test>" }, { "Resent-Sender", "zed@nowhere.test" },
    { "From", "alice@example.test" } } },
  { what = "an older Resent-From unreadable", hf = ALICE, headers = {
    { "Resent-From", "news@example.org" }, { "Resent-From", "alice@example.test <x@y" },
    { "From", "alice@example.test" } } },
  refused("a foreign topmost Resent-From", { { "Resent-From", "mallory@evil.test" },
    { "Resent-From", "alice@example.test" }, { "From", "alice@example.test" } },
    "mallory@evil.test"),
  refused("a foreign topmost Resent-Sender", { { "Resent-From", "alice@example.test" },
    { "Resent-Sender", "mallory@evil.test" }, { "From", "alice@example.test" } },
    "mallory@evil.test"),
  refused("her Resent-From, a foreign From", { { "Resent-From", "alice@example.test" },
    { "From", "mallory@evil.test" } }, "mallory@evil.test", '["mallory@evil.test"]'),
})
