-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_reset.lua: the headers of one transaction never count in the next
-- on the same connection (dotgate.conf(5), "HEADER FROM"): after a
-- refused message, after an aborted one (RSET) that had a From: and a
-- Sender: already, the next message is decided on its own headers.
-- conf: tests/milter/conf/hfrom.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local conn = gate.mail(hfrom.alice())
local function message(what, headers, want, abort)
  if abort then
    dg.ok(mt.rcptto(conn, "<b@test.example>"), what .. ": rcptto")
    for _, h in ipairs(headers) do dg.ok(mt.header(conn, h[1], h[2]), what .. ": header") end
    dg.ok(mt.abort(conn), what .. ": abort")
  elseif hfrom.data(conn, headers, what) ~= want then
    dg.fail(what .. ": end-of-message reply, expected " .. string.char(want))
  end
end
local function next_mail(what)
  dg.ok(mt.mailfrom(conn, "<alice@example.test>"), what .. ": mailfrom")
  dg.expect(conn, SMFIR_CONTINUE, what .. ": mail")
end

message("foreign", { { "From", "mallory@evil.test" } }, SMFIR_REPLYCODE)
next_mail("hers after a refusal")
message("hers after a refusal", { { "From", "alice@example.test" } }, SMFIR_CONTINUE)
next_mail("aborted")
message("aborted", { { "From", "alice@example.test" }, { "Sender", "alice@example.test" } }, nil, true)
next_mail("one From, one Sender after the abort")
message("one From, one Sender after the abort", { { "From", "alice@example.test" },
  { "Sender", "alice@example.test" } }, SMFIR_CONTINUE)
next_mail("no From after one")
message("no From after one", { { "Subject", "hi" } }, SMFIR_REPLYCODE)
mt.disconnect(conn)

local r = gate.audit(5)
dg.has(r[1], { '"rule":"sender.header_not_owned"', '"header_from":["mallory@evil.test"]' })
dg.has(r[2], { '"rule":"pass"', '"verdict":"accept"', '"header_from":["alice@example.test"]' })
dg.has(r[3], { '"stage":"abort"' })
dg.has(r[4], { '"rule":"pass"', '"verdict":"accept"', '"header_from":["alice@example.test"]' })
dg.has(r[5], { '"rule":"sender.header_malformed"', '"header_from":[]' })
