#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# tests/release/chroot.sh: runs a command of this source tree inside a
# root of another Debian release (Debian 13 "trixie" by default), as a
# fresh machine of that release would run it, with loopback only.
#
#	tests/release/chroot.sh prepare		make or refresh the root
#	tests/release/chroot.sh run CMD...	copy the tree in, run CMD there
#	tests/release/chroot.sh shell		an interactive shell inside
#
# prepare (needs the network: Debian's mirror, the one this machine's apt
# uses): debootstrap a minimal root into $DOTGATE_RELEASE_ROOT (default
# /var/cache/dotgate-ci/RELEASE), kept and reused on later runs, then runs
# tests/deps.sh inside it (chroot, network allowed) so every package the
# tests need, and the Sendmail packages the Sendmail suite unpacks, are
# there before the network is gone.  A policy-rc.d keeps the packages'
# services from starting while the root shares this machine's network.
#
# run: copies the tree (git metadata and the work tree's files, tracked
# and untracked but not ignored) to /build/dotgate inside the root and
# runs CMD there in private network, mount, pid and UTS namespaces:
# only a loopback interface exists, /proc is the namespace's own, and
# every process left over dies with the namespace.  The root is made a
# mount point of its own so that tests may unshare mount namespaces
# inside it.  CMD's exit status is returned.
#
# Environment: DOTGATE_RELEASE (default trixie), DOTGATE_RELEASE_ROOT,
# DOTGATE_MIRROR (default: the first Debian mirror in this machine's apt
# sources).  Needs root, debootstrap (installed on demand), unshare and ip.
set -u

release=${DOTGATE_RELEASE:-trixie}
root=${DOTGATE_RELEASE_ROOT:-/var/cache/dotgate-ci/$release}
top=$(cd "$(dirname "$0")/../.." && pwd)
stamp=$root/.dotgate-root

say() { echo "# chroot.sh: $*"; }
die() { echo "chroot.sh: $*" >&2; exit 2; }

[ "$(id -u)" = 0 ] || die "needs root"

# The Debian mirror this machine's apt uses (deb822 or one-line format).
mirror() {
	[ -n "${DOTGATE_MIRROR:-}" ] && { echo "$DOTGATE_MIRROR"; return; }
	for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
		 /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n -e 's|^URIs: *\([^ ]*/debian\)/*$|\1|p' \
		       -e 's|^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*/debian\)/* .*|\2|p' "$f"
	done | head -n 1
}

# The minimal mounts apt and dpkg need inside the root while it still
# shares this machine's namespaces; undone by unmount_basic.
mount_basic() {
	mountpoint -q "$root/proc" || mount -t proc proc "$root/proc" || return 1
	mountpoint -q "$root/dev" || mount --rbind /dev "$root/dev" || return 1
	mount --make-rslave "$root/dev"
}
unmount_basic() {
	umount -R "$root/dev" 2>/dev/null
	umount "$root/proc" 2>/dev/null
	return 0
}

# Nothing of this machine may be mounted below the root when it is
# removed (rm -rf would go through a /dev bind mount).
nothing_mounted() {
	! awk -v r="$root/" 'index($2, r) == 1 { found = 1 } END { exit !found }' /proc/mounts
}

bootstrap() {
	command -v debootstrap >/dev/null ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		die "cannot install debootstrap"
	m=$(mirror)
	[ -n "$m" ] || die "no Debian mirror found in /etc/apt (set DOTGATE_MIRROR)"
	say "debootstrap $release from $m into $root"
	unmount_basic
	nothing_mounted || die "something is still mounted below $root; not removing it"
	rm -rf "$root"
	mkdir -p "$(dirname "$root")"
	debootstrap --variant=minbase "$release" "$root" "$m" >"$root.debootstrap.log" 2>&1 ||
		{ tail -n 20 "$root.debootstrap.log"; die "debootstrap failed"; }
	sec=${m%/debian}/debian-security
	cat >"$root/etc/apt/sources.list" <<EOF
deb $m $release main
deb $m $release-updates main
deb $sec $release-security main
EOF
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
	echo dotgate-ci >"$root/etc/hostname"
}

prepare() {
	[ -f "$stamp" ] && [ -x "$root/bin/sh" ] || bootstrap || return 1
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	trap unmount_basic EXIT
	mount_basic || die "cannot mount /proc and /dev in $root"
	mkdir -p "$root/build"
	rm -rf "$root/build/deps"
	mkdir -p "$root/build/deps/tests"
	cp "$top/tests/deps.sh" "$root/build/deps/tests/deps.sh"
	say "installing the test dependencies inside ($release)"
	chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 sh /build/deps/tests/deps.sh
	rc=$?
	unmount_basic
	rm -f "$root/usr/sbin/policy-rc.d"
	[ $rc = 0 ] || die "tests/deps.sh failed inside $root"
	date -u +%FT%TZ >"$stamp"
	say "root ready: $(. "$root/etc/os-release" && echo "$PRETTY_NAME"), $(du -sh "$root" | cut -f1)"
}

# The tree as a fresh checkout would be: .git plus the work tree's files.
copy_tree() {
	rm -rf "$root/build/dotgate"
	mkdir -p "$root/build/dotgate"
	(cd "$top" && { [ -d .git ] && echo .git
	  git ls-files --cached --others --exclude-standard; } |
	  tar --ignore-failed-read -T - -cf -) | tar -xf - -C "$root/build/dotgate"
}

# Inside the new namespaces (pid 1 there): mounts, loopback, then CMD.
inner() {
	mount --make-rprivate / &&
	mount --bind "$root" "$root" &&
	mount -t proc proc "$root/proc" &&
	mount -t sysfs sysfs "$root/sys" &&
	mount --rbind /dev "$root/dev" &&
	mount -t tmpfs -o mode=755 tmpfs "$root/run" &&
	mkdir -p "$root/run/lock" "$root/dev/shm" &&
	ip link set lo up &&
	hostname dotgate-ci.example.test || { echo "chroot.sh: namespace setup failed" >&2; exit 2; }
	exec chroot "$root" /usr/bin/env -i \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM="${TERM:-dumb}" CI="${CI:-}" \
		sh -c 'cd /build/dotgate && exec "$@"' sh "$@"
}

run() {
	[ -f "$stamp" ] || die "no prepared root at $root (run: $0 prepare)"
	copy_tree || die "cannot copy the tree into $root/build/dotgate"
	say "running in $release ($root): $*"
	unshare --net --mount --pid --uts --ipc --fork \
		sh "$0" --inner "$@"
}

case ${1:-} in
prepare) prepare ;;
run) shift; [ $# -gt 0 ] || die "run what?"; run "$@" ;;
shell) run bash -i ;;
--inner) shift; inner "$@" ;;
*) die "usage: $0 prepare | run CMD... | shell" ;;
esac
