#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/postfix/vectors.sh: every anomaly vector through Postfix with
# Postfix 3.7's defaults pinned on any release (smtpd_forbid_bare_newline
# = no, smtpd_forbid_unauth_pipelining = no, milter_default_action =
# tempfail: tests/postfix/lib.sh pf_postfix_pins) and dotgate's shipped
# body policy, alice authenticated.  TAP.
#
# What this Postfix hands the milter (doc/mta.md, "Postfix 3.7") and what
# dotgate.conf(5) makes of it:
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
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/postfix/vectors-lib.sh"
vl_start
vl_table "$VL_SPLIT"
vl_smuggled "$VL_SPLIT_OWNED"
pf_done
