-- SPDX-License-Identifier: BSD-2-Clause
-- gate_not_owned.lua: rule sender.not_owned.  alice owns
-- alice@example.test and @example.org (inline) and, with bob,
-- @shared.example (login map); she gets the 553 with her login in the
-- text for bob@example.test and for senders nobody lists.
-- conf: tests/milter/conf/default.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

local function as(login, sender, want, mta)
  gate.session(login .. " as " .. sender, { mta = mta or "postfix", login = login,
    mech = "SCRAM-SHA-256", sender = sender }, want)
end

as("alice@example.test", "<bob@example.test>", SMFIR_REPLYCODE)
as("alice@example.test", "<alice@example.test>", SMFIR_CONTINUE)
as("alice@example.test", "<news@example.org>", SMFIR_CONTINUE)
as("alice@example.test", "<team@shared.example>", SMFIR_CONTINUE)
as("bob@example.test", "<bob+lists@example.test>", SMFIR_CONTINUE)
as("admin@example.test", "<carol@example.test>", SMFIR_CONTINUE)
as("alice@example.test", "<zed@nowhere.test>", SMFIR_REPLYCODE)
as("Alice@Example.TEST", "<ALICE@EXAMPLE.test>", SMFIR_CONTINUE)
as("alice@example.test", "<>", SMFIR_CONTINUE)
as("bob@example.test", "<alice@example.test>", SMFIR_REPLYCODE, "sendmail")
as("alice@example.test", "<bob%s%%@example.test>", SMFIR_REPLYCODE)
as("mallory@example.net", "<alice+x@example.test>", SMFIR_REPLYCODE)
as("alice@example.test", "<\"bob\"@example.test>", SMFIR_REPLYCODE)

local r = gate.audit(13)
local refused = { '"stage":"mail"', '"rule":"sender.not_owned"', '"verdict":"reject"' }
local pass = { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"' }
dg.has(r[1], refused)
dg.has(r[1], { gate.json("553 5.7.1 <bob@example.test>: Sender address rejected: " ..
  "not owned by user alice@example.test"), '"from":"bob@example.test"' })
for _, i in ipairs({ 2, 3, 4, 5, 6, 8, 9 }) do dg.has(r[i], pass) end
dg.has(r[7], refused)
dg.has(r[7], { gate.json("553 5.7.1 <zed@nowhere.test>: Sender address rejected: " ..
  "not owned by user alice@example.test") })
dg.has(r[10], refused)
dg.has(r[10], { "not owned by user bob@example.test" })
dg.has(r[11], refused)
dg.has(r[11], { gate.json("553 5.7.1 <bob%s%%@example.test>: Sender address rejected: " ..
  "not owned by user alice@example.test") })
dg.has(r[12], refused)
dg.has(r[12], { "not owned by user mallory@example.net" })
dg.has(r[13], refused)
