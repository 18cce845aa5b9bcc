# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# shellcheck disable=SC2034 # variables for the tests that source this file
#
# Helpers shared by the dsr selftests: network namespaces, bounded waits,
# KTAP output, kernel-log checks, and the DR topology most tests use.
#
# A test sources this file, builds its topology, runs checks with
# ktap_check/ktap_ok/ktap_not_ok/ktap_skip and ends with ktap_summary, which
# exits 0 (all passed), 1 (something failed) or 4 (everything skipped).
#
# DSR_IMPL selects the load balancer under test:
#   dsr  (default) the dsr module and tools/dsradm/dsradm
#   ipvs           Linux IPVS and ipvsadm, the stand-in used to prove the
#                  topologies and checks on real traffic

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP_DIR=$(cd "$SELFTEST_DIR/.." && pwd)
DSR_IMPL=${DSR_IMPL:-dsr}
DSRADM=${DSRADM:-$TOP_DIR/tools/dsradm/dsradm}
FLOOD=${FLOOD:-$SELFTEST_DIR/flood}

# Addresses of the DR topology (documentation and private ranges only, and
# only ever inside namespaces that the test creates).
SUBNET=10.0.0
CLIENT_IP=$SUBNET.1
LB_IP=$SUBNET.2
VIP=$SUBNET.100
VPORT=80

# Every namespace name starts with this prefix, so that two runs (or a run
# and a leftover) never collide, and cleanup only touches our own.
NS_PREFIX="dsrt$$-"
NS_LIST=()
TMP_DIR=
KTAP_NUM=0
KTAP_PASS=0
KTAP_FAIL=0
KTAP_SKIP=0
KTAP_DONE=0
KLOG_MARK=

# ---------------------------------------------------------------- KTAP

ktap_header()
{
	echo "TAP version 13"
}

ktap_plan()
{
	echo "1..$1"
}

ktap_ok()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_NUM $*"
}

ktap_not_ok()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_NUM $*"
}

ktap_skip()
{
	KTAP_NUM=$((KTAP_NUM + 1))
	KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_NUM $* # SKIP"
}

# ktap_diag TEXT... - print text (or stdin when no argument) as "# " lines
ktap_diag()
{
	if [ $# -gt 0 ]; then
		printf '%s\n' "$*" | sed 's/^/# /'
	else
		sed 's/^/# /'
	fi
}

# ktap_check DESCRIPTION CMD... - one test point: ok when CMD succeeds.
# CMD's output is shown as diagnostics when it fails.
ktap_check()
{
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_ok "$desc"
	else
		ktap_not_ok "$desc"
		[ -z "$out" ] || ktap_diag "$out"
	fi
}

# ktap_summary - print the totals and exit 0 (pass), 1 (fail) or 4 (skip)
ktap_summary()
{
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
	KTAP_DONE=1
	if [ "$KTAP_FAIL" -gt 0 ]; then
		exit $KSFT_FAIL
	elif [ "$KTAP_PASS" -eq 0 ] && [ "$KTAP_SKIP" -gt 0 ]; then
		exit $KSFT_SKIP
	fi
	exit $KSFT_PASS
}

# skip_all REASON - the whole test cannot run here
skip_all()
{
	echo "1..0 # SKIP $*"
	KTAP_DONE=1
	exit $KSFT_SKIP
}

# fail_all REASON - setup failed, no point in going on
fail_all()
{
	ktap_not_ok "$*"
	ktap_summary
}

# ---------------------------------------------------------------- setup

# require_cmd CMD... - skip the whole test when a program is missing
require_cmd()
{
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip_all "$c is not installed"
	done
}

require_root()
{
	[ "$(id -u)" -eq 0 ] || skip_all "must be run as root (in the VM: tools/vm/run)"
}

# load_modules MOD... - load kernel modules explicitly rather than rely on
# autoloading (which a minimal guest may lack); a module that is built in or
# missing is left to the command that needs it to report
load_modules()
{
	local m
	for m in "$@"; do
		[ -d "/sys/module/$m" ] || modprobe -q "$m" 2>/dev/null || true
	done
}

# kernel_has MOD - MOD is loaded, or built into the running kernel (a
# built-in module without parameters has no /sys/module entry)
kernel_has()
{
	[ -d "/sys/module/$1" ] ||
		grep -q "/$1\.ko\$" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null
}

# test_init - common start of every test: header, temp dir, traps
test_init()
{
	ktap_header
	require_root
	require_cmd ip socat ss timeout
	load_modules veth bridge
	TMP_DIR=$(mktemp -d /tmp/dsr-selftest.XXXXXX)
	trap test_exit EXIT
	trap 'echo "# error: line $LINENO: $BASH_COMMAND" >&2' ERR
	klog_mark
}

# Runs on every exit. A test that stops before ktap_summary (set -e, a
# signal) is a failure, whatever the status of the last command was.
test_exit()
{
	local rc=$?

	trap - EXIT ERR
	set +e
	cleanup_all
	if [ "$KTAP_DONE" -ne 1 ]; then
		echo "not ok $((KTAP_NUM + 1)) test stopped early (status $rc)"
		echo "# Totals: pass:$KTAP_PASS fail:$((KTAP_FAIL + 1)) xfail:0 xpass:0 skip:$KTAP_SKIP error:0"
		exit $KSFT_FAIL
	fi
	exit "$rc"
}

cleanup_all()
{
	cleanup_ns
	[ -z "$TMP_DIR" ] || rm -rf "$TMP_DIR"
	TMP_DIR=
}

# ---------------------------------------------------------------- namespaces

ns_name()
{
	echo "$NS_PREFIX$1"
}

# setup_ns NAME... - create namespaces with loopback up
setup_ns()
{
	local n
	for n in "$@"; do
		echo "netns add $(ns_name "$n")"
	done | ip -b -
	NS_LIST+=("$@")
	for n in "$@"; do
		ip -n "$(ns_name "$n")" link set lo up
	done
}

# in_ns NAME CMD... - run CMD in our namespace NAME
in_ns()
{
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@"
}

# in_ns_bg NAME CMD... - start CMD in namespace NAME in the background,
# output discarded; cleanup_ns ends it
in_ns_bg()
{
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@" </dev/null >/dev/null 2>&1 &
	disown
}

# ns_ip NAME - run the ip commands read from stdin (ip -batch) in NAME;
# one process instead of one per command, which counts under TCG
ns_ip()
{
	ip -n "$(ns_name "$1")" -b -
}

# kill_ns_procs NAME - end the processes we started in namespace NAME
kill_ns_procs()
{
	local ns pids p i
	ns=$(ns_name "$1")
	pids=$(ip netns pids "$ns" 2>/dev/null) || return 0
	[ -n "$pids" ] || return 0
	# shellcheck disable=SC2086 # a list of pids
	kill $pids 2>/dev/null
	for i in $(seq 50); do
		for p in $pids; do
			[ -d "/proc/$p" ] && break
			p=
		done
		[ -n "$p" ] || return 0
		sleep 0.1
	done
	# shellcheck disable=SC2086
	kill -9 $pids 2>/dev/null
	return 0
}

# del_ns NAME - kill its processes and delete one namespace
del_ns()
{
	local n=$1 i
	kill_ns_procs "$n"
	ip netns del "$(ns_name "$n")" 2>/dev/null
	for i in "${!NS_LIST[@]}"; do
		[ "${NS_LIST[$i]}" != "$n" ] || unset 'NS_LIST[i]'
	done
	return 0
}

cleanup_ns()
{
	local n
	[ "${#NS_LIST[@]}" -gt 0 ] || return 0
	for n in "${NS_LIST[@]}"; do
		kill_ns_procs "$n"
	done
	for n in "${NS_LIST[@]}"; do
		echo "netns del $(ns_name "$n")"
	done | ip -force -b - 2>/dev/null
	NS_LIST=()
}

# nap SECONDS - sleep without a fork and exec of sleep(1), which costs more
# than the pause itself in a loop under TCG: a read that times out on a
# pipe nobody writes to
nap()
{
	[ -n "${NAP_FD:-}" ] || exec {NAP_FD}<> <(:)
	read -r -t "$1" -u "$NAP_FD" _ || true
}

now_ms()
{
	local t=${EPOCHREALTIME/[.,]/}
	echo $((t / 1000))
}

# DSR_WAIT_FACTOR stretches every bounded wait: the debug kernel (KASAN,
# lockdep) under TCG runs several times slower than Debian's, and a wait
# must not fail a test for that alone (tools/debug-kernel/check sets it).
DSR_WAIT_FACTOR=${DSR_WAIT_FACTOR:-1}

# busywait TIMEOUT_MS CMD... - retry CMD until it succeeds or time runs out
# (TIMEOUT_MS times DSR_WAIT_FACTOR); returns CMD's last status (like
# kselftest's net/lib.sh)
busywait()
{
	local timeout_ms=$(($1 * DSR_WAIT_FACTOR)) start rc
	shift
	start=$(now_ms)
	while :; do
		rc=0
		"$@" && return 0 || rc=$?
		[ $(($(now_ms) - start)) -lt "$timeout_ms" ] || return "$rc"
		sleep 0.1
	done
}

# ---------------------------------------------------------------- links

# sw_create SW HOST... - namespace SW with a bridge br0 (a plain learning
# switch: no STP, no multicast snooping) and a port for each HOST: a veth
# named HOST in SW whose peer is eth0 in HOST (HOST must exist)
sw_create()
{
	local sw=$1 h
	shift
	setup_ns "$sw"
	{
		echo "link add br0 type bridge stp_state 0 mcast_snooping 0"
		echo "link set br0 up"
		for h in "$@"; do
			echo "link add $h type veth peer name eth0 netns $(ns_name "$h")"
			echo "link set $h master br0 up"
		done
	} | ns_ip "$sw"
}

# veth_link A DEV_A B DEV_B - a veth pair between namespaces A and B
veth_link()
{
	ip link add "$2" netns "$(ns_name "$1")" type veth peer name "$4" netns "$(ns_name "$3")"
}

# rs_sysctl HOST [DEV] - make HOST behave as a DR real server on DEV: never
# answer ARP for addresses of other interfaces (the VIP on lo), never use
# them as the source of its own ARP requests
rs_sysctl()
{
	local dev=${2:-eth0}
	in_ns "$1" sysctl -qw net.ipv4.conf.all.arp_ignore=1 \
		net.ipv4.conf.all.arp_announce=2 \
		"net.ipv4.conf.$dev.arp_ignore=1" \
		"net.ipv4.conf.$dev.arp_announce=2"
}

# topo_dr [NRS] [TAG] [FIRST] - the DR topology most tests use:
#
#            ${TAG}client  10.0.0.1
#                      | eth0
#   ${TAG}sw: br0 -----+-------------+-------------+---- ...
#                      | eth0        | eth0        | eth0
#           ${TAG}lb 10.0.0.2    ${TAG}rs1       ${TAG}rs2
#           VIP 10.0.0.100/32    10.0.0.11       10.0.0.12
#           on eth0 (answers     VIP/32 on lo, arp_ignore=1, arp_announce=2
#           ARP for the VIP)
#
# Real server i has address 10.0.0.(10+i); they are numbered from FIRST
# (default 1). TAG lets a test build independent copies (namespaces
# ${TAG}client, ${TAG}lb, ...).
topo_dr()
{
	local nrs=${1:-2} tag=${2:-} first=${3:-1} i rss=()
	for i in $(seq "$first" $((first + nrs - 1))); do
		rss+=("${tag}rs$i")
	done
	setup_ns "${tag}client" "${tag}lb" "${rss[@]}"
	sw_create "${tag}sw" "${tag}client" "${tag}lb" "${rss[@]}"
	printf '%s\n' "addr add $CLIENT_IP/24 dev eth0" "link set eth0 up" | ns_ip "${tag}client"
	printf '%s\n' "addr add $LB_IP/24 dev eth0" "addr add $VIP/32 dev eth0" \
		"link set eth0 up" | ns_ip "${tag}lb"
	for i in $(seq "$first" $((first + nrs - 1))); do
		rs_sysctl "${tag}rs$i"
		printf '%s\n' "addr add $(rs_ip "$i")/24 dev eth0" "addr add $VIP/32 dev lo" \
			"link set eth0 up" | ns_ip "${tag}rs$i"
	done
}

# one_server WORDS - every word names the same real server (rsN), as the
# tests' connection helpers print them ("lost" otherwise)
one_server()
{
	local first=${1%% *} w
	case $first in rs[0-9]*) ;; *) return 1 ;; esac
	for w in $1; do
		[ "$w" = "$first" ] || return 1
	done
}

# stored_on TAG SENT ECHO [SUFFIX] - the real server whose sink
# ($TMP_DIR/rsN$SUFFIX, N = 1 or 2) stored a line with TAG: prints "rsN",
# "noecho" when the file ECHO is not the file SENT whole, or "lost"
stored_on()
{
	local i
	for i in 1 2; do
		if grep -qsF -- "$1" "$TMP_DIR/rs$i${4:-}"/data.*; then
			if cmp -s "$2" "$3"; then
				echo "rs$i"
			else
				echo noecho
			fi
			return
		fi
	done
	echo lost
}

# both_servers WORDS - every word names a server, and both appear
both_servers()
{
	local w
	for w in $1; do
		case $w in rs1|rs2) ;; *) return 1 ;; esac
	done
	grep -qw rs1 <<<"$1" && grep -qw rs2 <<<"$1"
}

# unit_run HOST UNIT KEY - run the command of a systemd unit file's KEY=
# (ExecStart, ExecReload) in HOST's namespace with the unit's
# Environment=, as systemd would: no shell, words split on blanks, which
# the project's units are written for
unit_run()
{
	local unit_argv unit_envs
	read -r -a unit_argv <<<"$(sed -n "s/^$3=//p" "$2")"
	read -r -a unit_envs <<<"$(sed -n 's/^Environment=//p' "$2")"
	in_ns "$1" env "${unit_envs[@]}" "${unit_argv[@]}"
}

rs_ip()
{
	echo "$SUBNET.$((10 + $1))"
}

# mac_of HOST [DEV]
mac_of()
{
	in_ns "$1" cat "/sys/class/net/${2:-eth0}/address"
}

# ---------------------------------------------------------------- traffic

# ep_set ADDR [PORT] - without a fork: EP_VER=6 for an IPv6 ADDR (it has
# a colon), else 4; EP_HOST=ADDR as socat writes a host ([ADDR] for IPv6);
# EP=EP_HOST:PORT, an endpoint as socat, ss and ipvsadm write it
ep_set()
{
	case $1 in
	*:*)	EP_VER=6 EP_HOST="[$1]" ;;
	*)	EP_VER=4 EP_HOST=$1 ;;
	esac
	EP="$EP_HOST:${2:-}"
}

# addr_port ADDR PORT - "ADDR:PORT", or "[ADDR]:PORT" for IPv6
addr_port()
{
	ep_set "$1" "$2"
	echo "$EP"
}

# sink_start tcp|udp HOST ADDR PORT DIR - background echo server on
# ADDR:PORT in HOST (ADDR IPv4 or IPv6): whatever a connection (for UDP: a
# peer) sends is echoed back and also stored in its own file DIR/data.PID,
# with the peer's address in DIR/peer.PID (socat writes an IPv6 peer in
# full, in brackets: [2001:0db8:0000:...])
sink_start()
{
	local proto=$1 host=$2 addr=$3 port=$4 dir=$5 listen
	ep_set "$addr"
	case $proto in
	tcp)	listen="TCP$EP_VER-LISTEN:$port,bind=$EP_HOST,reuseaddr,fork" ;;
	udp)	listen="UDP$EP_VER-LISTEN:$port,bind=$EP_HOST,reuseaddr,fork" ;;
	esac
	mkdir -p "$dir"
	# -t 10: after the client's EOF, wait for the echo to drain (starting
	# tee can take a second under TCG); -T 5: a UDP "connection" ends
	# after 5 s without packets (SINK_IDLE=S for a longer wait, for tests
	# that hold TCP connections open on a busy host)
	in_ns_bg "$host" socat -t 10 -T "${SINK_IDLE:-5}" -lf /dev/null "$listen" \
		SYSTEM:"echo \$SOCAT_PEERADDR >$dir/peer.\$\$; exec tee $dir/data.\$\$"
	wait_listen "$host" "$proto" "$addr" "$port"
}

tcp_sink_start()
{
	sink_start tcp "$@"
}

# wait_listen HOST tcp|udp ADDR PORT
wait_listen()
{
	local flag=-tln
	[ "$2" = tcp ] || flag=-uln
	ep_set "$3" "$4"
	busywait 5000 listening "$1" "$flag" "$EP"
}

listening()
{
	in_ns "$1" ss -H "$2" "src $3" | grep -q .
}

# tcp_send HOST ADDR PORT INFILE OUTFILE - one TCP connection from HOST
# (ADDR IPv4 or IPv6): send INFILE, half-close, write everything received
# to OUTFILE
tcp_send()
{
	ep_set "$2" "$3"
	in_ns "$1" socat -t 10 -T 10 - "TCP$EP_VER:$EP,connect-timeout=5" \
		<"$4" >"$5" 2>"$5.err"
}

# udp_send HOST ADDR PORT INFILE OUTFILE - send INFILE as one UDP datagram
# and write the reply to OUTFILE (waits up to 3 s for it, times
# DSR_WAIT_FACTOR)
udp_send()
{
	local wait=$((3 * DSR_WAIT_FACTOR))
	ep_set "$2" "$3"
	in_ns "$1" socat -t "$wait" -T "$wait" - "UDP$EP_VER:$EP" \
		<"$4" >"$5" 2>"$5.err"
}

# random_file PATH BYTES
random_file()
{
	head -c "$2" /dev/urandom >"$1"
}

# require_flood - skip unless the packet generator is built (run.sh builds
# it on the host; by hand: make -C selftests)
require_flood()
{
	[ -x "$FLOOD" ] || skip_all "$FLOOD not built (make -C selftests)"
}

# flood HOST ARGS... - selftests/flood in HOST's namespace: COUNT raw TCP
# packets from random sources (see flood.c); prints its summary line
flood()
{
	local host=$1
	shift
	in_ns "$host" "$FLOOD" "$@"
}

# ---------------------------------------------------------------- nft counters

# require_nft - skip unless nft works (packet counters come from nftables)
require_nft()
{
	require_cmd nft
	load_modules nf_tables nft_objref
}

# nft_counter HOST FAMILY NAME - "packets bytes" of the named counter NAME
# in table FAMILY dsrt (the tests' nft tables are all called dsrt)
nft_counter()
{
	in_ns "$1" nft list counter "$2" dsrt "$3" | \
		awk '/packets/ { for (i = 1; i < NF; i++) { if ($i == "packets") p = $(i + 1); if ($i == "bytes") b = $(i + 1) } }
		     END { if (p == "") exit 1; print p, b }'
}

# nft_packets HOST NAME - the packets the counter NAME of HOST's table
# inet dsrt counted
nft_packets()
{
	local c
	c=$(nft_counter "$1" inet "$2") || return 1
	echo "${c% *}"
}

# nft_counter_at_least HOST NAME N - that counter counted N packets or more
nft_counter_at_least()
{
	[ "$(nft_packets "$1" "$2")" -ge "$3" ]
}

# stream_start PORT - one long TCP connection from the client to VIP:PORT
# carrying a line every ~0.2 s (for at most ~2 minutes), its errors in
# $TMP_DIR/stream.err; sets STREAM_PID
stream_start()
{
	local i
	{
		for i in $(seq 600); do
			echo "line $i"
			sleep 0.2
		done
	} | in_ns client socat -T 30 - "TCP4:$VIP:$1,connect-timeout=5" \
		>/dev/null 2>"$TMP_DIR/stream.err" &
	STREAM_PID=$!
}

# nft_vip_counter HOST [MATCH...] - an nft counter "vip" in HOST (table
# inet dsrt) for packets to the VIP that also match MATCH (e.g. tcp dport
# 80), counted in prerouting before anything else sees them
nft_vip_counter()
{
	local host=$1
	shift
	in_ns "$host" nft -f - <<EOF
table inet dsrt {
	counter vip { }
	chain pre {
		type filter hook prerouting priority -500;
		ip daddr $VIP $* counter name vip
	}
}
EOF
}

# ---------------------------------------------------------------- the LB

# lb_load - load the load balancer's module(s)
lb_load()
{
	case $DSR_IMPL in
	ipvs)	modprobe ip_vs && modprobe ip_vs_rr && modprobe ip_vs_wrr ;;
	dsr)	modprobe dsr ;;
	*)	echo "unknown DSR_IMPL=$DSR_IMPL" >&2; return 1 ;;
	esac
}

# lb_unload - unload them (the IPVS stand-in must be flushed first: ip_vs_rr
# stays in use while a service uses it)
lb_unload()
{
	case $DSR_IMPL in
	ipvs)	rmmod ip_vs_wrr ip_vs_rr && rmmod ip_vs ;;
	dsr)	rmmod dsr ;;
	esac
}

lb_loaded()
{
	case $DSR_IMPL in
	ipvs)	[ -d /sys/module/ip_vs ] ;;
	dsr)	[ -d /sys/module/dsr ] ;;
	esac
}

# lb_require - skip unless the LB under test can be used here
lb_require()
{
	case $DSR_IMPL in
	ipvs)
		require_cmd ipvsadm
		modprobe -n ip_vs 2>/dev/null || skip_all "no ip_vs module"
		;;
	dsr)
		[ -x "$DSRADM" ] || skip_all "$DSRADM not built (make -C tools/dsradm)"
		modprobe -n dsr 2>/dev/null || skip_all "no dsr module (make; tools/vm/run)"
		;;
	*)
		skip_all "unknown DSR_IMPL=$DSR_IMPL"
		;;
	esac
}

lb_adm_cmd()
{
	case $DSR_IMPL in
	ipvs)	echo ipvsadm ;;
	*)	echo "$DSRADM" ;;
	esac
}

# adm HOST ARGS... - the admin tool (dsradm or ipvsadm) in HOST's namespace
adm()
{
	local host=$1
	shift
	in_ns "$host" "$(lb_adm_cmd)" "$@"
}

# adm_stats HOST - "-Ln --stats" with exact numbers
adm_stats()
{
	case $DSR_IMPL in
	ipvs)	adm "$1" -Ln --stats --exact ;;
	*)	adm "$1" -Ln --stats ;;
	esac
}

# lb_settle - before checking that counters did NOT move: IPVS folds its
# per-CPU counters into what ipvsadm shows only every 2 s (its rate
# estimator); dsr's are exact when read
lb_settle()
{
	[ "$DSR_IMPL" != ipvs ] || sleep 2.5
}

# lb_stats HOST PROTO VIP:PORT [RS:PORT] - "conns inpkts inbytes" of a
# service (or of one of its destinations) from -Ln --stats
lb_stats()
{
	local out
	out=$(adm_stats "$1") || return 1
	echo "$out" | lb_row "$2" "$3" "${4:-}"
}

# lb_rate HOST PROTO VIP:PORT [RS:PORT] - "cps inpps inbps" of a service (or
# of one of its destinations) from -Ln --rate: IPVS's estimate over the
# last seconds, dsr's measure over the one second the command takes
lb_rate()
{
	local out
	case $DSR_IMPL in
	ipvs)	out=$(adm "$1" -Ln --rate --exact) ;;
	*)	out=$(adm "$1" -Ln --rate) ;;
	esac || return 1
	echo "$out" | lb_row "$2" "$3" "${4:-}"
}

# lb_row PROTO VIP:PORT RS:PORT|"" - the inbound numbers of one row of a
# --stats or --rate table on stdin (IPv6 endpoints in brackets; an IPv6
# fwmark service is PROTO FWM, VIP:PORT the mark: its row "FWM  1 IPv6")
lb_row()
{
	awk -v impl="$DSR_IMPL" -v proto="$1" -v svc="$2" -v dst="$3" '
		# ipvsadm: Conns InPkts OutPkts InBytes OutBytes, or
		#          CPS InPPS OutPPS InBPS OutBPS
		# dsradm:  Conns InPkts InBytes, or CPS InPPS InBPS
		function emit(  o) {
			o = ($1 == "FWM" && $3 == "IPv6")
			print $(3 + o), $(4 + o), (impl == "ipvs" ? $(6 + o) : $(5 + o))
			found = 1; exit
		}
		$1 != "->" { cur = ($1 == proto && $2 == svc) }
		cur && dst == "" && $1 == proto { emit() }
		cur && dst != "" && $1 == "->" && $2 == dst { emit() }
		END { if (!found) exit 1 }'
}

# ---------------------------------------------------------------- kernel log

# klog_mark - remember where the kernel log is now
klog_mark()
{
	KLOG_MARK="dsr-selftest-$$-$(date +%s%N)"
	echo "$KLOG_MARK $(basename "$0")" >/dev/kmsg 2>/dev/null || KLOG_MARK=
}

# klog_new - kernel log lines since klog_mark
klog_new()
{
	if [ -n "$KLOG_MARK" ]; then
		dmesg 2>/dev/null | sed -n "/$KLOG_MARK/,\$p" | tail -n +2
	else
		dmesg 2>/dev/null
	fi
}

KLOG_BAD='WARNING:|BUG:|BUG |Oops|general protection|KASAN|UBSAN|kernel panic|Call Trace|lockdep|possible recursive locking|suspicious RCU|refcount_t:|list_add corruption|list_del corruption|unregister_netdevice: waiting|stack-protector|soft lockup|hung_task|blocked for more than'

# klog_check - fail (printing the lines) when the kernel log shows an oops,
# BUG, WARNING and the like since klog_mark
klog_check()
{
	local bad
	bad=$(klog_new | grep -E "$KLOG_BAD") || return 0
	echo "kernel log since the test started:"
	echo "$bad" | head -40
	return 1
}

# ---------------------------------------------------------------- checks

# check_eventually DESCRIPTION TIMEOUT_MS CMD... - a test point that passes
# once CMD succeeds within TIMEOUT_MS; on failure, CMD's output from one
# last run is shown
check_eventually()
{
	local desc=$1 tmo=$2
	shift 2
	if busywait "$tmo" "$@" >/dev/null 2>&1; then
		ktap_ok "$desc"
	else
		ktap_not_ok "$desc"
		{ "$@" 2>&1 || true; } | ktap_diag
	fi
}

# init_ns_lists_nothing - the initial namespace has no service
init_ns_lists_nothing()
{
	local out
	out=$("$(lb_adm_cmd)" -Ln) || return 1
	! echo "$out" | grep -Eq '^(TCP|UDP|FWM) ' && return 0
	echo "the initial namespace lists services:"
	echo "$out"
	return 1
}
