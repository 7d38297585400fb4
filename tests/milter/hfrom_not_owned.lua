-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_not_owned.lua: rule sender.header_not_owned (dotgate.conf(5),
-- "HEADER FROM").  A From: address alice does not own gets the 553 of
-- senders.reply_header_from at end of message, naming the address as
-- parsed, whatever a display name, an encoded word, a comment or a
-- source route shows; an address the map gives bob is not hers either.
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local function from(what, value, addr)
  return { what = what, headers = { { "From", value }, { "Subject", "hi" } },
    reply = hfrom.not_owned(addr), rule = "sender.header_not_owned",
    hf = "[" .. hfrom.quote(addr) .. "]" }
end

local M = "mallory@evil.test"
hfrom.run({
  from("plain", M, M),
  from("quoted display name", '"alice@example.test" <mallory@evil.test>', M),
  from("encoded display name", "=?UTF-8?B?YWxpY2VAZXhhbXBsZS50ZXN0?= <mallory@evil.test>", M),
  from("comment", "mallory@evil.test (alice@example.test)", M),
  from("folded", "Alice\n <mallory@evil.test>", M),
  from("source route", "<@example.test:mallory@evil.test>", M),
  from("bob's by the map", "bob@example.test", "bob@example.test"),
  from("bob's, case kept", "Bob@Example.Test", "Bob@Example.Test"),
  from("nobody's", "zed@nowhere.test", "zed@nowhere.test"),
  from("percent signs kept", "bob%s%%@example.test", "bob%s%%@example.test"),
  from("quoted local part, folded", '"mal\r\n lory"@evil.test', '"mal lory"@evil.test'),
  -- dotgate.conf(5) REPLIES and AUDIT RECORD: the reply is printable
  -- ASCII, the record valid UTF-8.
  { what = "a byte that is not UTF-8", headers = { { "From", "m\255llory@evil.test" } },
    reply = hfrom.not_owned("m?llory@evil.test"), rule = "sender.header_not_owned",
    hf = '["m\239\191\189llory@evil.test"]' },
})
