#!/bin/sh
# Build dsr.ko through DKMS, the way a load-balancer host gets it.
#
#   tools/dkms.sh            register, build, install for KDIR's kernel, then
#                            uninstall and check nothing is left; the module
#                            DKMS installed is kept in .cache/dkms/dsr.ko
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

# installed_ko - the dsr.ko DKMS installed for kver, if any
installed_ko() {
	find "/lib/modules/$kver/updates/dkms" -maxdepth 1 -name 'dsr.ko*' 2>/dev/null | head -n 1
}

case "$action" in
check)
	# The whole cycle a load-balancer host goes through: add, build,
	# install, then uninstall, leaving nothing behind. The installed
	# module is kept in .cache/dkms/ for a guest to load.
	register
	dkms build -m dsr -v "$version" -k "$kver"
	dkms install -m dsr -v "$version" -k "$kver"
	ko=$(installed_ko)
	if [ -z "$ko" ]; then
		echo "dkms: install reported success but no dsr.ko under /lib/modules/$kver/updates/dkms" >&2
		unregister
		exit 1
	fi
	if ! dkms status -m dsr -v "$version" -k "$kver" | grep -q ': installed'; then
		echo "dkms: dkms status does not show dsr $version installed for $kver" >&2
		unregister
		exit 1
	fi
	vermagic=$(modinfo -F vermagic "$ko")
	if [ "${vermagic%% *}" != "$kver" ]; then
		echo "dkms: $ko is built for '${vermagic%% *}', not $kver" >&2
		unregister
		exit 1
	fi
	mkdir -p .cache/dkms
	case $ko in
	*.xz) xz -dc "$ko" >.cache/dkms/dsr.ko ;;
	*) cp "$ko" .cache/dkms/dsr.ko ;;
	esac
	unregister
	if [ -n "$(installed_ko)" ] || [ -d "$src" ] ||
	   dkms status -m dsr 2>/dev/null | grep -q .; then
		echo "dkms: uninstall left dsr behind: $(installed_ko) $(dkms status -m dsr)" >&2
		exit 1
	fi
	echo "dkms: dsr $version builds, installs ($ko) and uninstalls for $kver"
	echo "dkms: the installed module is in .cache/dkms/dsr.ko"
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
