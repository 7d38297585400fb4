# SPDX-License-Identifier: BSD-2-Clause
# tests/port.sh: free_port, the one way every test picks a loopback TCP
# port for a server it starts.  Sourced by tests/postfix/lib.sh,
# tests/lib/daemon.sh and the scripts that start servers themselves.
# free_port [TAKEN...]: prints a port, never one of TAKEN (the ports the
# caller already picked and has not bound yet).
#
# The port comes from outside the kernel's ephemeral range
# (net.ipv4.ip_local_port_range): a port in it may be the local end of
# one of the thousands of client connections the load tests open, and a
# server's bind() to it then fails with EADDRINUSE even though nothing
# listens there.  A port any socket uses (listening or connected) is
# skipped; the race with another test picking the same port in between
# is left, at about 1 in 20,000 per pair.

free_port() {
	read -r _fp_lo _fp_hi < /proc/sys/net/ipv4/ip_local_port_range ||
		{ _fp_lo=32768; _fp_hi=60999; }
	if [ "$_fp_lo" -gt 12000 ]; then
		_fp_base=10000 _fp_span=$((_fp_lo - 10000))
	else
		_fp_base=$((_fp_hi + 1)) _fp_span=$((65535 - _fp_hi))
	fi
	[ "$_fp_span" -gt 0 ] || return 1
	_fp_i=0
	while [ $_fp_i -lt 200 ]; do
		_fp_p=$((_fp_base + $(od -An -N2 -tu2 /dev/urandom) % _fp_span))
		case " $* " in *" $_fp_p "*) _fp_i=$((_fp_i + 1)); continue ;; esac
		if ! ss -Htan "sport = :$_fp_p" 2>/dev/null | grep -q .; then
			echo "$_fp_p"
			return 0
		fi
		_fp_i=$((_fp_i + 1))
	done
	return 1
}
