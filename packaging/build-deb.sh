#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# build-deb.sh: builds the dotgate Debian package from this source tree.
#
#	packaging/build-deb.sh [dpkg-buildpackage options]
#
# The Debian packaging lives in packaging/debian so that the source tree
# has no top-level debian/ of its own; this script copies it to debian/
# (replacing any previous copy, which is a build product and ignored by
# git) and runs dpkg-buildpackage, by default with "-us -uc -b": an
# unsigned binary-only build.  The .deb, .buildinfo and .changes files
# land in the parent directory, as usual for dpkg-buildpackage.
#
# The build configures and compiles inside the tree it is run in: use a
# clean checkout or an unpacked "make dist" tarball, not a tree you are
# building in by hand (packaging/check-package.sh does this for you).
# Needs: dpkg-dev, debhelper, fakeroot and the Build-Depends of
# packaging/debian/control (dpkg-checkbuilddeps lists any missing).
#
# The package is built for the Debian release this runs on (12 or 13):
# its dependencies are that release's libraries (a .deb built on 13
# needs libc6 >= 2.38 and the t64 libraries, so it does not install on
# 12), and that release's debhelper puts the unit in /lib/systemd/system
# (12) or /usr/lib/systemd/system (13).  Nothing here names a release.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ ! -f packaging/debian/control ] || [ ! -f configure.ac ]; then
	echo "build-deb.sh: $top is not a dotgate source tree" >&2
	exit 2
fi
if [ -L debian ]; then
	rm -f debian
fi
rm -rf debian
cp -R packaging/debian debian
chmod 0755 debian/rules

if [ $# -eq 0 ]; then
	set -- -us -uc -b
fi
exec dpkg-buildpackage "$@"
