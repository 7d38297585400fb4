-- SPDX-License-Identifier: BSD-2-Clause
-- body_audit_required.lua: with audit.required and an audit file that
-- cannot be written (dotgate.conf(5), THE AUDIT SECTION), a message the
-- policy accepts is deferred with audit.reply_required's default, and
-- one the policy refuses keeps its own refusal: nothing was to be
-- accepted.
-- conf: tests/milter/conf/body_audit_required.conf
dofile(srcdir .. "/tests/milter/body_lib.lua")

local what = "clean message, no record kept"
local conn, got = body.message(what, { "hello\r\n", "world\r\n" })
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "451", "4.3.0",
  "Audit log unavailable, try again later")

what = "rejected body, no record kept"
got = body.next_message(conn, what, { "a\r", "\nb\r", "c\r\n" }, nil, "4XyZ2abc")
body.expect_reply(conn, got, what, SMFIR_REPLYCODE, "550", "5.6.0",
  body.REJECT_TEXT .. " (bare_cr)")
mt.disconnect(conn)
