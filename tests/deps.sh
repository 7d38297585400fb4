#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/deps.sh: installs the Debian packages dotgate needs to build and
# to run its whole test suite (Postfix and Cyrus SASL for the end-to-end
# suite, packaging tools for the package check, Prometheus and curl for
# the metrics tests), the same names on Debian 12 and 13, and keeps the
# Sendmail packages the Sendmail suite unpacks (it never installs them:
# they conflict with Postfix) in /var/cache/dotgate/sendmail-debs.
# Idempotent; run as root.  When every package is installed and the
# Sendmail packages are kept, it asks no mirror at all, so the test
# command also runs where there is no network (tests/release/chroot.sh).
set -eu

PACKAGES="build-essential autoconf automake libtool pkgconf git
 libmilter-dev libsasl2-dev libconfuse-dev libjansson-dev zlib1g-dev
 libmicrohttpd-dev libsystemd-dev libssl-dev
 libcmocka-dev miltertest
 postfix sasl2-bin libsasl2-modules openssl ssl-cert
 clang libclang-rt-dev valgrind
 debhelper dpkg-dev fakeroot lintian groff man-db systemd
 iproute2 util-linux procps psmisc jq logrotate swaks libnet-ssleay-perl
 prometheus curl rsyslog tidy chromium fonts-dejavu-core m4 debootstrap"
SENDMAIL_DEBS=/var/cache/dotgate/sendmail-debs
SENDMAIL_PKGS="sendmail-bin sendmail-base sendmail-cf libwrap0"

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: not root; assuming these packages are installed:" $PACKAGES >&2
	exit 0
fi

# Packages not installed yet (dpkg's status "install ok installed").
missing() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f '${Status}' "$p" 2>/dev/null) || s=
		[ "$s" = "install ok installed" ] || echo "$p"
	done
}

export DEBIAN_FRONTEND=noninteractive
need=$(missing)
have_sm=$(ls "$SENDMAIL_DEBS"/sendmail-bin_*.deb 2>/dev/null || true)
if [ -z "$need" ] && [ -n "$have_sm" ]; then
	echo "deps.sh: every package is installed"
	exit 0
fi
# Postfix asks which kind of mail system to set up: none, the tests run
# their own private instances.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
if [ -n "$need" ]; then
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
if [ -z "$have_sm" ]; then
	mkdir -p "$SENDMAIL_DEBS"
	# shellcheck disable=SC2086
	(cd "$SENDMAIL_DEBS" && apt-get download $SENDMAIL_PKGS >/dev/null)
fi
