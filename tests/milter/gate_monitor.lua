-- SPDX-License-Identifier: BSD-2-Clause
-- gate_monitor.lua: monitor mode.  Every MAIL FROM rule is decided and
-- recorded (verdict log, would reject, with the reply that enforce mode
-- would have sent), but MAIL FROM gets CONTINUE and the transaction runs
-- to its end; passing envelopes are recorded with would null.
-- conf: tests/milter/conf/gate_monitor.conf
dofile(srcdir .. "/tests/milter/gate_lib.lua")

local alice = "alice@example.test"
gate.session("unauthenticated", { sender = "<alice@example.test>" }, SMFIR_CONTINUE)
gate.session("mechanism", { login = alice, mech = "CRAM-MD5", sender = "<alice@example.test>" },
  SMFIR_CONTINUE)
gate.session("plaintext", { login = alice, mech = "PLAIN", sender = "<alice@example.test>" },
  SMFIR_CONTINUE)
gate.session("not owned", { login = alice, mech = "SCRAM-SHA-256", sender = "<bob@example.test>" },
  SMFIR_CONTINUE)
gate.session("pass", { login = alice, mech = "SCRAM-SHA-256", sender = "<alice@example.test>" },
  SMFIR_CONTINUE)
gate.session("exempt", { ip = "127.0.0.1", sender = "<x@example.net>" }, SMFIR_CONTINUE)

local r = gate.audit(6)
local function would(line, rule, reply)
  dg.has(line, { '"stage":"eom"', '"verdict":"log"', '"would":"reject"',
    '"rule":"' .. rule .. '"', gate.json(reply), '"mode":"monitor"',
    '"rcpts":["rcpt@example.net"]' })
end
would(r[1], "auth.unauthenticated", "530 5.7.0 Authentication required")
would(r[2], "auth.mechanism", "534 5.7.9 Authentication mechanism is too weak")
would(r[3], "auth.plaintext", "538 5.7.11 Encryption required for requested authentication mechanism")
would(r[4], "sender.not_owned",
  "553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user alice@example.test")
dg.has(r[5], { '"stage":"eom"', '"verdict":"accept"', '"would":null', '"rule":"pass"',
  '"reply":null', '"mode":"monitor"' })
dg.has(r[6], { '"stage":"eom"', '"verdict":"accept"', '"would":null', '"rule":"auth.exempt"' })
