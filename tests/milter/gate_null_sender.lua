-- SPDX-License-Identifier: BSD-2-Clause
-- gate_null_sender.lua: null_sender = reject and unlisted = allow.
-- MAIL FROM:<> from a login is sender.not_owned with an empty %s; a
-- sender no source mentions passes; one listed for someone else does not;
-- authentication is still checked first.
-- conf: tests/milter/conf/gate_null_reject.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

local alice = "alice@example.test"
gate.session("null sender", { login = alice, mech = "SCRAM-SHA-256", sender = "<>" },
  SMFIR_REPLYCODE)
gate.session("unlisted", { login = alice, mech = "SCRAM-SHA-256",
  sender = "<zed@nowhere.test>" }, SMFIR_CONTINUE)
gate.session("bob's", { login = alice, mech = "SCRAM-SHA-256",
  sender = "<bob@example.test>" }, SMFIR_REPLYCODE)
gate.session("null sender, no auth", { sender = "<>" }, SMFIR_REPLYCODE)

local r = gate.audit(4)
dg.has(r[1], { '"stage":"mail"', '"rule":"sender.not_owned"', '"verdict":"reject"',
  gate.json("553 5.7.1 <>: Sender address rejected: not owned by user alice@example.test"),
  '"from":""' })
dg.has(r[2], { '"stage":"eom"', '"rule":"pass"', '"verdict":"accept"' })
dg.has(r[3], { '"rule":"sender.not_owned"', "<bob@example.test>" })
dg.has(r[4], { '"rule":"auth.unauthenticated"', gate.json("530 5.7.0 Authentication required") })
