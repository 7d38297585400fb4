#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors-normalize.sh: the vectors of vectors.sh through
# Postfix with smtpd_forbid_bare_newline = normalize (the Postfix 3.9
# default) and smtpd_forbid_bare_newline_exclusions emptied so that it
# applies to loopback clients.  TAP.
#
# What differs from the default: Postfix no longer ends DATA at a dot
# line with a bare LF around it.  For \n.\n, \n.\r\n and \r\n.\n the dot
# line disappears (an empty line or nothing is left, never a trigger) and
# the hidden commands stay inside the one message as text at line
# starts: smtp_commands, logged, accepted as one message, nothing run.
# \r\n.\r\r\n and \r\r\n.\r\r\n leave a dot residue before the hidden
# MAIL FROM: smuggled_transaction, rejected.  The rest is unchanged.
PF_BARE_NEWLINE=normalize
EXPECT='
control accepted log smtp_commands
eod-lf-lf accepted log smtp_commands
eod-lf-crlf accepted log smtp_commands
eod-crlf-lf accepted log smtp_commands
eod-cr-cr rejected reject smuggled_transaction
eod-cr-crlf rejected reject smuggled_transaction
eod-cr-lf rejected reject smuggled_transaction
eod-lf-cr rejected reject smuggled_transaction
eod-crlf-cr rejected reject smuggled_transaction
eod-crlf-crcrlf rejected reject smuggled_transaction
eod-crcrlf-crcrlf rejected reject smuggled_transaction
nul-dot rejected reject nul,smuggle_eod,smuggled_transaction
dot-nul rejected reject nul,smuggled_transaction
bare-cr accepted log smtp_commands
bare-lf accepted log smtp_commands
nul rejected reject nul,smtp_commands
long-line accepted log long_line,smtp_commands
lone-dot rejected reject lone_dot,smuggled_transaction
'
EXPECT_SMUGGLED=
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/postfix/vectors-lib.sh"
t_done
