#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors.sh: every anomaly vector through Postfix 3.7 at
# its Debian default (smtpd_forbid_bare_newline = no) with dotgate's
# shipped body policy, alice authenticated.  TAP.
#
# What the contract implies for what this Postfix hands the milter:
# - Postfix ends DATA itself at \n.\n, \n.\r\n, \r\n.\n, \r\n.\r\r\n and
#   \r\r\n.\r\r\n: dotgate sees a clean "hello" (accept) and then the
#   hidden MAIL FROM, which alice does not own: split-refused with 553.
# - Postfix turns a stray CR (and \r before \n) into a space: the
#   residue ("hello . MAIL FROM", "hello .", " MAIL FROM") is a
#   smuggled_transaction: 550.
# - NULs reach the milter: nul (and NUL-dot) are rejected.  Postfix's
#   dot-unstuffing leaves a line of only NULs from ".\0", which the
#   scanner treats as a NUL-dot trigger (smuggled_transaction).
# - bare CR/LF inside a line become a space / a line break: only the
#   hidden commands at line starts remain (smtp_commands, log).
# - "..", unstuffed to a lone dot, followed by MAIL FROM: a
#   smuggled_transaction (lone_dot itself is ignored, but recorded).
# Records list classes alphabetically here (jq keys).
EXPECT='
control accepted log smtp_commands
eod-lf-lf split-refused accept -
eod-lf-crlf split-refused accept -
eod-crlf-lf split-refused accept -
eod-cr-cr rejected reject smuggled_transaction
eod-cr-crlf rejected reject smuggled_transaction
eod-cr-lf rejected reject smuggled_transaction
eod-lf-cr rejected reject smuggled_transaction
eod-crlf-cr rejected reject smuggled_transaction
eod-crlf-crcrlf split-refused accept -
eod-crcrlf-crcrlf split-refused accept -
nul-dot rejected reject nul,smuggle_eod,smuggled_transaction
dot-nul rejected reject nul,smuggled_transaction
bare-cr accepted log smtp_commands
bare-lf accepted log smtp_commands
nul rejected reject nul,smtp_commands
long-line accepted log long_line,smtp_commands
lone-dot rejected reject lone_dot,smuggled_transaction
'
EXPECT_SMUGGLED='eod-lf-lf eod-lf-crlf eod-crlf-lf eod-crlf-crcrlf eod-crcrlf-crcrlf'
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/postfix/vectors-lib.sh"
t_done
