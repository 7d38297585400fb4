-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_malformed.lua: rule sender.header_malformed (dotgate.conf(5),
-- "HEADER FROM"): no From:, two From: or Sender: fields, a From: without
-- an address, an unreadable From:, Sender: or topmost Resent-From:,
-- several From: addresses and no Sender:, a Sender: or Resent-Sender:
-- of other than one address get senders.reply_header_malformed; it is
-- decided before ownership (a foreign From: in a repeated field is
-- malformed, not "not owned").
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local ALICE = '["alice@example.test"]'
local function bad(what, headers, hf)
  return { what = what, headers = headers, reply = hfrom.MALFORMED,
    rule = "sender.header_malformed", hf = hf }
end

hfrom.run({
  bad("no From", { { "Subject", "hi" }, { "To", "b@test.example" } }, "[]"),
  bad("two From fields", { { "From", "alice@example.test" }, { "From", "news@example.org" } }, ALICE),
  bad("two From fields, a foreign one", { { "From", "mallory@evil.test" },
    { "From", "alice@example.test" } }, '["mallory@evil.test"]'),
  bad("empty From", { { "From", "" } }, "[]"),
  bad("empty group", { { "From", "undisclosed-recipients:;" } }, "[]"),
  bad("unquoted @ in a display name", { { "From", "alice@example.test <mallory@evil.test>" } }, "[]"),
  bad("unclosed angle", { { "From", "Alice <alice@example.test" } }, "[]"),
  bad("control byte", { { "From", "ali\1ce@example.test" } }, "[]"),
  bad("address too long", { { "From", string.rep("a", 400) .. "@example.test" } }, "[]"),
  bad("several From, no Sender", { { "From", "alice@example.test, news@example.org" } },
    '["alice@example.test","news@example.org"]'),
  bad("two Sender fields", { { "From", "alice@example.test" }, { "Sender", "alice@example.test" },
    { "Sender", "alice@example.test" } }, ALICE),
  bad("Sender of two addresses", { { "From", "alice@example.test" },
    { "Sender", "alice@example.test, news@example.org" } }, ALICE),
  bad("unreadable Sender", { { "From", "alice@example.test" }, { "Sender", "<alice@example.test" } },
    ALICE),
  bad("unreadable Resent-From", { { "Resent-From", "alice@example.test <x@y>" },
    { "From", "alice@example.test" } }, ALICE),
  bad("Resent-Sender of two addresses", { { "Resent-From", "alice@example.test" },
    { "Resent-Sender", "alice@example.test, news@example.org" }, { "From", "alice@example.test" } },
    ALICE),
})
