-- SPDX-License-Identifier: BSD-2-Clause
-- body_audit_required_monitor.lua: audit.required holds in monitor mode
-- too (dotgate.conf(5), THE AUDIT SECTION): it is about the record, not
-- the policy.  With an audit file that cannot be written, a clean message
-- and one enforce mode would reject are both deferred.
-- conf: tests/milter/conf/body_audit_required_monitor.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "clean message, monitor mode, no record kept"
local conn, got = body.message(what, { "hello\r\n", "world\r\n" })
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "451", "4.3.0",
  "Audit log unavailable, try again later")

what = "body enforce mode would reject, monitor mode, no record kept"
got = body.next_message(conn, what, { "a\r", "\nb\r", "c\r\n" }, nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "451", "4.3.0",
  "Audit log unavailable, try again later")
mt.disconnect(conn)
