#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest.sh - the benchmark's measurements, run as root inside a guest by
# tools/bench/bench (never on a host: it loads and unloads modules).
#
#   tools/bench/guest.sh OUTFILE
#
# pktgen in namespace "client" sends COUNT UDP packets to VIP:9 through
# namespace "lb" to namespace "rs", over two veth pairs:
#
#   client eth0 10.0.0.1 -- in0 [lb] out0 10.1.0.1 -- eth0 10.1.0.11 rs
#
# The rate is what rs receives (its eth0 rx_packets, which counts only the
# packets delivered to it; a tc drop then discards them before IP) divided
# by pktgen's run time as pktgen reports it. The whole path runs in the
# softirq of pktgen's CPU, so that time is the path's cost. Configurations of lb, each prepared from scratch
# (modules loaded afresh) for every measurement:
#   bridge      lb bridges in0 and out0: the cheapest hop, the ceiling
#   fwd         plain IPv4 forwarding, a /32 route to rs
#   ipvs        IPVS DR, default connection table (conn_tab_bits=12)
#   ipvs-tuned  IPVS DR, conn_tab_bits=20 (sized for the load)
#   dsr         dsr DR
# Scenarios: oneflow (one source address and port) and newflow (random
# source address and port per packet). Every round runs each scenario
# and configuration once, the configurations in a rotated order.
#
# Environment: BENCH_COUNT (packets per measurement, default 100000),
# BENCH_ROUNDS (default 3), BENCH_CONFIGS, BENCH_SCENARIOS (space-separated
# subsets), BENCH_PKT_SIZE (default 64). Each line of OUTFILE:
#   round scenario config packets_received elapsed_ns pps
set -eu

OUT=$1
TOP_DIR=$(cd "$(dirname "$0")/../.." && pwd)
DSRADM=${DSRADM:-$TOP_DIR/tools/dsradm/dsradm}
COUNT=${BENCH_COUNT:-100000}
ROUNDS=${BENCH_ROUNDS:-3}
read -r -a CONFIGS <<<"${BENCH_CONFIGS:-bridge fwd ipvs ipvs-tuned dsr}"
read -r -a SCENARIOS <<<"${BENCH_SCENARIOS:-oneflow newflow}"
PKT_SIZE=${BENCH_PKT_SIZE:-64}
VIP=10.0.0.100
RS_IP=10.1.0.11
PG=/proc/net/pktgen

say() { echo "bench: $*" >&2; }
in_ns() { local ns=$1; shift; ip netns exec "bench-$ns" "$@"; }

setup()
{
	local ns
	for ns in client lb rs; do
		ip netns add "bench-$ns"
		ip -n "bench-$ns" link set lo up
		# nothing but pktgen's packets on the links
		in_ns "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	done
	ip link add eth0 netns bench-client type veth peer name in0 netns bench-lb
	ip link add out0 netns bench-lb type veth peer name eth0 netns bench-rs
	ip -n bench-client addr add 10.0.0.1/24 dev eth0
	ip -n bench-lb addr add 10.0.0.2/24 dev in0
	ip -n bench-lb addr add 10.1.0.1/24 dev out0
	ip -n bench-rs addr add "$RS_IP/24" dev eth0
	ip -n bench-client link set eth0 up
	ip -n bench-lb link set in0 up
	ip -n bench-lb link set out0 up
	ip -n bench-rs link set eth0 up
	in_ns lb sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.in0.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	LB_MAC=$(in_ns lb cat /sys/class/net/in0/address)
	RS_MAC=$(in_ns rs cat /sys/class/net/eth0/address)
	# no ARP during a measurement
	ip -n bench-lb neigh replace "$RS_IP" lladdr "$RS_MAC" dev out0 nud permanent
	# rs counts what arrives, then drops it before IP
	in_ns rs tc qdisc add dev eth0 clsact
	in_ns rs tc filter add dev eth0 ingress matchall action drop
	modprobe pktgen
}

# ---------------------------------------------------------------- configs

prepare_bridge()
{
	in_ns lb ip link add br0 type bridge
	in_ns lb ip link set in0 master br0
	in_ns lb ip link set out0 master br0
	in_ns lb ip link set br0 up
	in_ns lb bridge fdb replace "$RS_MAC" dev out0 master static
	DST_MAC=$RS_MAC
}

cleanup_bridge()
{
	in_ns lb ip link del br0
	in_ns lb ip link set in0 up
	in_ns lb ip link set out0 up
	ip -n bench-lb neigh replace "$RS_IP" lladdr "$RS_MAC" dev out0 nud permanent
}

prepare_fwd()
{
	in_ns lb sysctl -qw net.ipv4.ip_forward=1
	in_ns lb ip route add "$VIP/32" via "$RS_IP" dev out0
	DST_MAC=$LB_MAC
}

cleanup_fwd()
{
	in_ns lb ip route del "$VIP/32"
	in_ns lb sysctl -qw net.ipv4.ip_forward=0
}

prepare_ipvs_common()
{
	modprobe ip_vs "$@"
	modprobe ip_vs_rr
	in_ns lb ip addr add "$VIP/32" dev lo
	in_ns lb ipvsadm -A -u "$VIP:9" -s rr
	in_ns lb ipvsadm -a -u "$VIP:9" -r "$RS_IP:9" -g -w 1
	DST_MAC=$LB_MAC
}

prepare_ipvs() { prepare_ipvs_common; }
prepare_ipvs_tuned() { prepare_ipvs_common conn_tab_bits=20; }

cleanup_ipvs()
{
	in_ns lb ipvsadm -C
	in_ns lb ip addr del "$VIP/32" dev lo
	rmmod ip_vs_rr ip_vs
}

cleanup_ipvs_tuned() { cleanup_ipvs; }

prepare_dsr()
{
	modprobe dsr
	in_ns lb "$DSRADM" -A -u "$VIP:9" -s rr
	in_ns lb "$DSRADM" -a -u "$VIP:9" -r "$RS_IP:9" -g -w 1
	DST_MAC=$LB_MAC
}

cleanup_dsr()
{
	in_ns lb "$DSRADM" -C
	rmmod dsr
}

# ---------------------------------------------------------------- pktgen

pg() { echo "$2" | in_ns client tee "$PG/$1" >/dev/null; }

# measure SCENARIO - send COUNT packets; prints "received elapsed_ns"
measure()
{
	local rx0 rx1 usec
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count $COUNT"
	pg eth0 "clone_skb 0"
	pg eth0 "pkt_size $PKT_SIZE"
	pg eth0 "delay 0"
	pg eth0 "dst $VIP"
	pg eth0 "dst_mac $DST_MAC"
	pg eth0 "udp_dst_min 9"
	pg eth0 "udp_dst_max 9"
	case $1 in
	oneflow)
		pg eth0 "src_min 10.0.0.1"
		pg eth0 "src_max 10.0.0.1"
		pg eth0 "udp_src_min 4000"
		pg eth0 "udp_src_max 4000"
		;;
	newflow)
		pg eth0 "src_min 10.0.0.10"
		pg eth0 "src_max 10.0.0.250"
		pg eth0 "flag IPSRC_RND"
		pg eth0 "udp_src_min 1024"
		pg eth0 "udp_src_max 65535"
		pg eth0 "flag UDPSRC_RND"
		;;
	esac
	rx0=$(in_ns rs cat /sys/class/net/eth0/statistics/rx_packets)
	pg pgctrl start
	rx1=$(in_ns rs cat /sys/class/net/eth0/statistics/rx_packets)
	# pktgen's own clock: "Result: OK: 480276(c479000+d1276) usec, ..."
	usec=$(in_ns client sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' "$PG/eth0")
	[ -n "$usec" ] || { in_ns client cat "$PG/eth0" >&2; return 1; }
	echo "$((rx1 - rx0)) $((usec * 1000))"
}

setup
: >"$OUT"
n=${#CONFIGS[@]}
for round in $(seq "$ROUNDS"); do
	for scenario in "${SCENARIOS[@]}"; do
		for i in $(seq 0 $((n - 1))); do
			config=${CONFIGS[$(((i + round - 1) % n))]}
			"prepare_${config//-/_}"
			read -r rx ns < <(measure "$scenario")
			"cleanup_${config//-/_}"
			pps=$((rx * 1000000000 / (ns > 0 ? ns : 1)))
			echo "$round $scenario $config $rx $ns $pps" >>"$OUT"
			say "round $round $scenario $config: $rx packets in $((ns / 1000000)) ms, $pps pps"
		done
	done
done
