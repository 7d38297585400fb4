-- SPDX-License-Identifier: BSD-2-Clause
-- hfrom_exempt.lua: the header check applies only where the envelope gate
-- checked the login and let it through (dotgate.conf(5), "HEADER FROM"):
-- an exempt login, a service outside auth.daemons and a client of an
-- exempt network pass with any From:, and so does no record of an
-- envelope refused at MAIL FROM read a header: header_from is null.
-- conf: tests/milter/conf/hfrom_exempt.conf
dofile(srcdir .. "/tests/milter/hfrom_lib.lua")

local FOREIGN = { { "From", "mallory@evil.test" } }
local function session(login, sender, daemon, ip)
  return { mta = "postfix", login = login, mech = login and "SCRAM-SHA-256",
    daemon = daemon or "submission", ip = ip, sender = sender }
end

hfrom.run({
  { what = "exempt login", headers = FOREIGN, rule = "auth.exempt", hf = "null",
    s = session("relay@example.test", "<list@example.net>") },
  { what = "another service", headers = FOREIGN, rule = "auth.exempt", hf = "null",
    s = session("alice@example.test", "<alice@example.test>", "smtpd") },
  { what = "exempt network, unauthenticated", headers = FOREIGN, rule = "auth.exempt",
    hf = "null", s = session(nil, "<alice@example.test>", nil, "127.0.0.1") },
  { what = "envelope refused", headers = FOREIGN, mail = true, rule = "sender.not_owned",
    reply = "553 5.7.1 <bob@example.test>: Sender address rejected: not owned by user " ..
      "alice@example.test",
    hf = "null", s = session("alice@example.test", "<bob@example.test>") },
  { what = "unauthenticated", headers = FOREIGN, mail = true, rule = "auth.unauthenticated",
    reply = "530 5.7.0 Authentication required", hf = "null",
    s = session(nil, "<alice@example.test>") },
  { what = "checked: submission, alice", headers = FOREIGN, rule = "sender.header_not_owned",
    reply = hfrom.not_owned("mallory@evil.test"), hf = '["mallory@evil.test"]',
    s = session("alice@example.test", "<alice@example.test>") },
})
