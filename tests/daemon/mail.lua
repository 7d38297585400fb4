-- SPDX-License-Identifier: BSD-2-Clause
-- mail.lua: one unauthenticated MAIL FROM from `client` (a -D global);
-- prints "reply=CONTINUE" or "reply=REJECT" for the calling shell test.
local conn = mt.connect(socket, 40, 0.05)
if conn == nil then error("cannot connect to " .. socket) end
mt.conninfo(conn, "client.example", client or "192.0.2.10")
mt.helo(conn, "client.example")
mt.mailfrom(conn, "<someone@example.net>")
local r = mt.getreply(conn)
if r == SMFIR_CONTINUE then mt.echo("reply=CONTINUE")
elseif r == SMFIR_REPLYCODE or r == SMFIR_REJECT then mt.echo("reply=REJECT")
elseif r == SMFIR_TEMPFAIL then mt.echo("reply=TEMPFAIL")
else mt.echo("reply=" .. tostring(r)) end
mt.disconnect(conn)
