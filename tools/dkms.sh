#!/bin/sh
# Build dsr.ko through DKMS, the way a load-balancer host gets it.
#
#   tools/dkms.sh            register, build against KDIR's kernel, unregister
#   tools/dkms.sh install    register, build and install (stays registered,
#                            rebuilt by DKMS on kernel upgrades)
#   tools/dkms.sh remove     unregister every version and remove the sources
set -eu

cd "$(dirname "$0")/.."
action="${1:-check}"
version="$(sed -n 's/^#define DSR_VERSION[[:space:]]*"\(.*\)"/\1/p' kmod/dsr.h)"
kver="$(tools/kdir.sh --release)"
src="/usr/src/dsr-$version"

if ! command -v dkms >/dev/null 2>&1; then
	echo "dkms: dkms is not installed (run tools/deps.sh)" >&2
	exit 1
fi

unregister() {
	if dkms status -m dsr -v "$version" 2>/dev/null | grep -q .; then
		dkms remove -m dsr -v "$version" --all >/dev/null
	fi
	rm -rf "$src"
}

register() {
	unregister
	mkdir -p "$src/kmod" "$src/include/uapi/linux"
	cp Kbuild "$src/"
	cp kmod/*.c kmod/*.h "$src/kmod/"
	cp include/uapi/linux/dsr.h "$src/include/uapi/linux/"
	sed "s/@VERSION@/$version/" dkms.conf >"$src/dkms.conf"
	dkms add -m dsr -v "$version"
}

case "$action" in
check)
	register
	dkms build -m dsr -v "$version" -k "$kver"
	built="/var/lib/dkms/dsr/$version/$kver/x86_64/module/dsr.ko"
	[ -f "$built" ] || built="$built.xz"
	if [ ! -f "${built%.xz}" ] && [ ! -f "$built" ]; then
		echo "dkms: build reported success but no dsr.ko under /var/lib/dkms/dsr/$version/$kver" >&2
		unregister
		exit 1
	fi
	echo "dkms: dsr $version builds for $kver"
	unregister
	;;
install)
	register
	dkms install -m dsr -v "$version" -k "$kver"
	echo "dkms: dsr $version installed for $kver; load it with: modprobe dsr"
	;;
remove)
	unregister
	echo "dkms: dsr $version removed"
	;;
*)
	echo "usage: tools/dkms.sh [check|install|remove]" >&2
	exit 2
	;;
esac
