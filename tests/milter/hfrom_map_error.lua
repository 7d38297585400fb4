-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_map_error.lua: a From: address only a socketmap login map could
-- vouch for, with the map down (dotgate.conf(5), "HEADER FROM" and
-- "THE SENDERS SECTION AND USER BLOCKS"): on_error = tempfail gives
-- senders.reply_lookup_error at end of message, verdict tempfail; the
-- address her inline block lists needs no lookup and passes.
-- conf: tests/milter/conf/hfrom_map_error.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

hfrom.run({
  { what = "her inline address", headers = { { "From", "alice@example.test" } },
    hf = '["alice@example.test"]' },
  { what = "an address for the map", headers = { { "From", "team@shared.example" } },
    reply = "451 4.3.0 <team@shared.example>: Sender address rejected: login map lookup failed",
    verdict = "tempfail", rule = "sender.header_not_owned", hf = '["team@shared.example"]' },
})
