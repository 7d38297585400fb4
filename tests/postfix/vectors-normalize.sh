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
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/postfix/vectors-lib.sh"
vl_start
vl_table "$VL_NORMALIZED"
pf_done
