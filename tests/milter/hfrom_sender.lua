-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_sender.lua: Sender: (RFC 5322 3.6.2) and the From: addresses
-- (dotgate.conf(5), "HEADER FROM"): several From: addresses need one
-- Sender:, and every address of both must be alice's; the 553 names the
-- first that is not, From: before Sender:.  The record's header_from is
-- the From: addresses only.
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local TWO = "alice@example.test, news@example.org"
local TWO_HF = '["alice@example.test","news@example.org"]'
local function case(what, from, sender, refused_addr, hf)
  local c = { what = what, headers = { { "From", from }, { "Sender", sender } }, hf = hf }
  if refused_addr then
    c.reply, c.rule = hfrom.not_owned(refused_addr), "sender.header_not_owned"
  end
  return c
end

hfrom.run({
  case("several From, her Sender", TWO, "alice@example.test", nil, TWO_HF),
  case("several From, her Sender with a name", TWO, "Alice <alice@example.test>", nil, TWO_HF),
  case("several From, bob's Sender", TWO, "bob@example.test", "bob@example.test", TWO_HF),
  case("a foreign From among several, her Sender", "alice@example.test, mallory@evil.test",
    "alice@example.test", "mallory@evil.test", '["alice@example.test","mallory@evil.test"]'),
  case("her From, a foreign Sender", "alice@example.test", "mallory@evil.test",
    "mallory@evil.test", '["alice@example.test"]'),
  case("a foreign From, her Sender", "mallory@evil.test", "alice@example.test",
    "mallory@evil.test", '["mallory@evil.test"]'),
  case("both foreign: From named first", "mallory@evil.test", "zed@nowhere.test",
    "mallory@evil.test", '["mallory@evil.test"]'),
})
