-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_owned.lua: From: addresses the login owns pass, in every syntax a
-- client writes (dotgate.conf(5), "HEADER FROM"): display names, encoded
-- words, comments, folding, a quoted local part, a detail, any case; by
-- the inline block, its wildcard domain or the login map.  Headers the
-- check does not read (Reply-To:) do not matter.
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local ALICE = '["alice@example.test"]'
local function from(what, value, hf, s)
  return { what = what, s = s, headers = { { "Subject", "hi" }, { "From", value } }, hf = hf }
end

hfrom.run({
  from("plain", "alice@example.test", ALICE),
  from("display name", "Alice Example <alice@example.test>", ALICE),
  from("quoted display name", '"Example, Alice" <alice@example.test>', ALICE),
  from("encoded word", "=?UTF-8?B?QWxpY2U=?= <alice@example.test>", ALICE),
  from("comment", "alice@example.test (Alice at work)", ALICE),
  from("folded", "Alice\n (at work)\n\t<alice@example.test>", ALICE),
  from("wildcard domain", "News <news@example.org>", '["news@example.org"]'),
  from("login map", "team@shared.example", '["team@shared.example"]'),
  from("case", "ALICE@Example.TEST", '["ALICE@Example.TEST"]'),
  from("UTF-8 local part", "J\195\182rg <j\195\182rg@example.org>", '["j\195\182rg@example.org"]'),
  from("detail", "alice+lists@example.test", '["alice+lists@example.test"]'),
  from("quoted local part", '"alice"@example.test', '["\\"alice\\"@example.test"]'),
  from("bob by the map", "Bob <bob@example.test>", '["bob@example.test"]',
    { mta = "postfix", login = "bob@example.test", mech = "SCRAM-SHA-256",
      sender = "<bob@example.test>" }),
  from("sendmail", "alice@example.test", ALICE,
    { mta = "sendmail", login = "alice@example.test", mech = "SCRAM-SHA-256",
      sender = "<alice@example.test>" }),
  { what = "field name case, Reply-To not read", hf = ALICE,
    headers = { { "FROM", "alice@example.test" }, { "Reply-To", "mallory@evil.test" } } },
})
