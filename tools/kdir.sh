#!/bin/sh
# Print the kernel build directory dsr.ko is built against: the newest
# Debian linux-headers-*-amd64 installed (not the cloud or rt flavours).
# With --release, print that kernel's release (uname -r of its image)
# instead; KDIR, when set, names the build directory.
# The host may run another kernel (or none with module support), so
# /lib/modules/$(uname -r)/build is not assumed.
set -eu

release() {
	sed -n 's/^#define UTS_RELEASE "\(.*\)"/\1/p' \
		"$1/include/generated/utsrelease.h"
}

if [ "${1:-}" = "--release" ] && [ -n "${KDIR:-}" ]; then
	release "$KDIR"
	exit 0
fi

best=""
for dir in /usr/src/linux-headers-*-amd64; do
	[ -d "$dir" ] || continue
	case "$dir" in
	*-cloud-amd64|*-rt-amd64) continue ;;
	esac
	best="$(printf '%s\n%s\n' "$best" "$dir" | sed '/^$/d' | sort -V | tail -n 1)"
done
if [ -z "$best" ]; then
	echo "kdir: no /usr/src/linux-headers-*-amd64 installed (run tools/deps.sh)" >&2
	exit 1
fi
if [ "${1:-}" = "--release" ]; then
	release "$best"
else
	echo "$best"
fi
