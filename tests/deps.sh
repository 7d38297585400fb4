#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/deps.sh: installs the Debian 12 packages dotgate needs to build and
# to run its whole test suite (Postfix and Cyrus SASL for the end-to-end
# suite, packaging tools for the package check, Prometheus and curl for
# the metrics tests).  Idempotent; run as root.
set -eu

PACKAGES="build-essential autoconf automake libtool pkgconf
 libmilter-dev libsasl2-dev libconfuse-dev libjansson-dev zlib1g-dev
 libmicrohttpd-dev libsystemd-dev libssl-dev
 libcmocka-dev miltertest
 postfix sasl2-bin libsasl2-modules openssl ssl-cert
 clang libclang-rt-14-dev valgrind
 debhelper dpkg-dev fakeroot lintian groff man-db systemd
 iproute2 util-linux procps psmisc jq logrotate swaks libnet-ssleay-perl
 prometheus curl rsyslog tidy chromium fonts-dejavu-core"

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: not root; assuming these packages are installed:" $PACKAGES >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Postfix asks which kind of mail system to set up: none, the tests run
# their own private instances.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null
