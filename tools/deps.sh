#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# deps.sh - install the Debian packages that dsr's build, demo, tests and
# benchmark need. Idempotent: installs only what is missing, and says so.
#
#   tools/deps.sh           install what is missing
#   tools/deps.sh --quiet   same, silent when nothing is missing
#   tools/deps.sh --check   only list what is missing (exit 1 if anything is)
#
# To add a package, add it to DEPS_PACKAGES below.
set -eu

# Every package the project needs, in one place. The kernel headers are
# handled apart: the ones installed are kept, else the newest is installed.
DEPS_PACKAGES=(
	# build: module, dsradm, checks
	build-essential gcc make pkg-config libmnl-dev bc kmod dkms openssl sparse
	shellcheck
	# VM runner (tools/vm)
	qemu-system-x86 busybox-static cpio socat xz-utils
	# tests, demo and benchmark: the guest runs the host's programs
	iproute2 procps iputils-ping ethtool tcpdump ipvsadm curl python3 nftables
	iperf3 keepalived python3-scapy prometheus-node-exporter
	# the benchmark (tools/bench): its chart, the firewall configurations
	# (conntrack -F between measurements) and the profile (perf)
	gnuplot-nox conntrack linux-perf
	# the netlink spec's check (tools/ynl-check)
	python3-yaml
	# dsradm's fuzz harnesses (libFuzzer, sanitizers)
	clang libclang-rt-dev
	# debug-kernel lane (tools/debug-kernel): source and its build tools
	linux-source-6.1 flex bison libelf-dev libssl-dev dwarves rsync
)

PROG=${0##*/}

is_installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = \
		"install ok installed" ]
}

# The newest linux-headers-6.1.0-*-amd64 that is installed, if any.
installed_headers() {
	dpkg-query -W -f='${Package} ${Status}\n' \
		'linux-headers-6.1.0-*-amd64' 2>/dev/null |
		awk '$NF == "installed" { print $1 }' | sort -V | tail -n 1
}

# The newest linux-headers-6.1.0-*-amd64 the archive has (after apt-get
# update); the metapackage selects the current one if the lists are empty.
newest_headers() {
	local newest

	newest=$(apt-cache pkgnames linux-headers-6.1.0- 2>/dev/null |
		grep -E '^linux-headers-6\.1\.0-[0-9]+-amd64$' | sort -V |
		tail -n 1)
	echo "${newest:-linux-headers-amd64}"
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		echo "$PROG: need root to install packages, and sudo is not available" >&2
		exit 1
	fi
}

check_only=0
quiet=0
for arg in "$@"; do
	case $arg in
	--check) check_only=1 ;;
	--quiet|-q) quiet=1 ;;
	*) echo "usage: $PROG [--check] [--quiet]" >&2; exit 2 ;;
	esac
done

# Keep the kernel headers that are installed (the VM runner boots the
# matching linux-image); choose the newest only when there are none.
headers=$(installed_headers)
missing=()
for p in "${DEPS_PACKAGES[@]}"; do
	is_installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ] && [ -n "$headers" ]; then
	[ "$quiet" = 1 ] || echo "$PROG: all dependencies present"
	exit 0
fi

shown=("${missing[@]}")
[ -n "$headers" ] || shown+=("linux-headers-6.1.0-<newest>-amd64")
echo "$PROG: missing: ${shown[*]}"
[ "$check_only" = 0 ] || exit 1

as_root apt-get update
if [ -z "$headers" ]; then
	missing+=("$(newest_headers)")
fi
echo "$PROG: installing: ${missing[*]}"
as_root env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y --no-install-recommends "${missing[@]}"
echo "$PROG: done"
