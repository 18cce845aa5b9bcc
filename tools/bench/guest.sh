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
# softirq of pktgen's CPU, so that time is the path's cost.
#
# Configurations of lb, each prepared from scratch (modules loaded afresh,
# conntrack flushed) for every measurement:
#   bridge      lb bridges in0 and out0: the cheapest hop, the ceiling
#   fwd         plain IPv4 forwarding, a /32 route to rs
#   ipvs        IPVS DR, default connection table (conn_tab_bits=12)
#   ipvs-tuned  IPVS DR, conn_tab_bits=20 (sized for the load)
#   dsr         dsr DR
#   dsr-keepttl dsr DR with dr_keep_ttl=1 (no TTL decrement, no copy)
#   ipvs-tun    IPVS TUN (IP-in-IP), conn_tab_bits=20
#   dsr-ipip    dsr TUN, IP-in-IP
#   dsr-gue     dsr TUN, GUE (UDP port 6080)
#   ipvs-fw     ipvs-tuned under a stateful nftables firewall (conntrack on)
#   dsr-fw      dsr under the same firewall
#   dsr-full    dsr with 10,000 more services and 1,000,000 flows present
#   fwd-dsr     plain forwarding with dsr loaded and 10,001 services
# Scenarios, each with the configurations it compares:
#   oneflow       one source address and port (flow-table hit), 64 bytes
#   newflow       random source address and port per packet (schedule and
#                 insert), 64 bytes
#   oneflow-1400  one flow of 1400-byte packets
#   nonvip        one flow to rs's own address, not a VIP: fwd against
#                 fwd-dsr, the cost dsr imposes on other traffic
# After the rounds, the memory a flow costs: the kernel's slab and vmalloc
# memory grown while MEM_FLOWS new flows arrive, divided by the flows (dsr) or
# connections (ipvs-tuned) then present, and the size of one entry in its
# slab cache, written as "memory CONFIG ENTRIES BYTES ENTRY-SIZE" lines.
# Every round runs each scenario's configurations once, in a rotated order.
#
# Environment: BENCH_COUNT (packets per measurement, default 100000),
# BENCH_ROUNDS (default 3), BENCH_CONFIGS, BENCH_SCENARIOS (space-separated
# subsets), BENCH_PERF (configurations to profile with perf after the
# rounds, in each scenario that has them: perf-SCENARIO-CONFIG.txt next to
# OUTFILE). Each line of OUTFILE:
#   round scenario config packets_received elapsed_ns pps
set -eu

OUT=$1
OUT_DIR=$(dirname "$OUT")
TOP_DIR=$(cd "$(dirname "$0")/../.." && pwd)
DSRADM=${DSRADM:-$TOP_DIR/tools/dsradm/dsradm}
COUNT=${BENCH_COUNT:-100000}
ROUNDS=${BENCH_ROUNDS:-3}
read -r -a ONLY_CONFIGS <<<"${BENCH_CONFIGS:-}"
read -r -a SCENARIOS <<<"${BENCH_SCENARIOS:-oneflow newflow oneflow-1400 nonvip}"
read -r -a PERF_CONFIGS <<<"${BENCH_PERF:-}"
VIP=10.0.0.100
RS_IP=10.1.0.11
PG=/proc/net/pktgen
# dsr-full and fwd-dsr: services beside the VIP's, flows already present
EXTRA_SERVICES=10000
PRESENT_FLOWS=1000000
MEM_FLOWS=${BENCH_MEM_FLOWS:-200000}
GUE_PORT=6080

say() { echo "bench: $*" >&2; }
in_ns() { local ns=$1; shift; ip netns exec "bench-$ns" "$@"; }

# The configurations a scenario compares (before BENCH_CONFIGS filters).
scenario_configs()
{
	case $1 in
	oneflow|newflow)
		echo bridge fwd ipvs ipvs-tuned dsr dsr-keepttl ipvs-tun dsr-ipip \
			dsr-gue ipvs-fw dsr-fw dsr-full ;;
	oneflow-1400)
		echo fwd ipvs-tuned dsr dsr-keepttl ipvs-tun dsr-ipip dsr-gue ;;
	nonvip) echo fwd fwd-dsr ;;
	*) say "unknown scenario $1"; exit 2 ;;
	esac
}

wanted()
{
	local c
	[ ${#ONLY_CONFIGS[@]} -eq 0 ] && return 0
	for c in "${ONLY_CONFIGS[@]}"; do
		[ "$c" = "$1" ] && return 0
	done
	return 1
}
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

# prepare_ipvs_with METHOD MODULE_ARGS... (METHOD: -g or -i)
prepare_ipvs_with()
{
	local method=$1
	shift
	modprobe ip_vs "$@"
	modprobe ip_vs_rr
	in_ns lb ip addr add "$VIP/32" dev lo
	in_ns lb ipvsadm -A -u "$VIP:9" -s rr
	in_ns lb ipvsadm -a -u "$VIP:9" -r "$RS_IP:9" "$method" -w 1
	DST_MAC=$LB_MAC
}

prepare_ipvs() { prepare_ipvs_with -g; }
prepare_ipvs_tuned() { prepare_ipvs_with -g conn_tab_bits=20; }
prepare_ipvs_tun() { prepare_ipvs_with -i conn_tab_bits=20; }

cleanup_ipvs()
{
	in_ns lb ipvsadm -C
	in_ns lb ip addr del "$VIP/32" dev lo
	rmmod ip_vs_rr ip_vs
}

cleanup_ipvs_tuned() { cleanup_ipvs; }
cleanup_ipvs_tun() { cleanup_ipvs; }

# prepare_dsr_with DSRADM_METHOD_OPTIONS... (module options: DSR_MODULE_OPTIONS)
prepare_dsr_with()
{
	# shellcheck disable=SC2086 # a list of options
	modprobe dsr ${DSR_MODULE_OPTIONS:-}
	in_ns lb "$DSRADM" -A -u "$VIP:9" -s rr
	in_ns lb "$DSRADM" -a -u "$VIP:9" -r "$RS_IP:9" "$@" -w 1
	DST_MAC=$LB_MAC
}

prepare_dsr() { prepare_dsr_with -g; }
prepare_dsr_ipip() { prepare_dsr_with -i; }
prepare_dsr_gue() { prepare_dsr_with -i --tun-type gue --tun-port "$GUE_PORT"; }
prepare_dsr_keepttl() { DSR_MODULE_OPTIONS=dr_keep_ttl=1 prepare_dsr_with -g; }

cleanup_dsr()
{
	in_ns lb "$DSRADM" -C
	rmmod dsr
}

cleanup_dsr_ipip() { cleanup_dsr; }
cleanup_dsr_gue() { cleanup_dsr; }
cleanup_dsr_keepttl() { cleanup_dsr; }

# What most LB hosts run: a stateful filter, so conntrack sees every packet
# that reaches its hooks.
firewall_on()
{
	in_ns lb nft -f - <<'NFT'
table inet bench_fw {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		ct state invalid drop
		iifname "lo" accept
		meta l4proto icmp accept
		tcp dport { 22, 80, 443 } accept
		udp dport 9 accept
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
		ct state invalid drop
	}
}
NFT
}

firewall_off()
{
	in_ns lb nft delete table inet bench_fw
	# the next measurement starts without the entries this one made
	in_ns lb conntrack -F 2>/dev/null || true
}

prepare_ipvs_fw() { firewall_on; prepare_ipvs_tuned; }
cleanup_ipvs_fw() { cleanup_ipvs; firewall_off; }
prepare_dsr_fw() { firewall_on; prepare_dsr; }
cleanup_dsr_fw() { cleanup_dsr; firewall_off; }

# EXTRA_SERVICES UDP services on 10.3.0.0/16, each with rs as its server.
add_extra_services()
{
	local rules=/tmp/bench-services.rules

	awk -v n="$EXTRA_SERVICES" -v rs="$RS_IP" 'BEGIN {
		for (i = 0; i < n; i++) {
			vip = sprintf("10.3.%d.%d:9", int(i / 250), i % 250 + 1)
			printf "-A -u %s -s rr\n-a -u %s -r %s:9 -g -w 1\n", vip, vip, rs
		}
	}' >"$rules"
	in_ns lb "$DSRADM" -R <"$rules"
}

# The number of flows in lb's dsr flow table.
dsr_flow_count()
{
	in_ns lb "$DSRADM" -Ln | sed -n '1s/.*(flows=\([0-9]*\)\/.*/\1/p'
}

prepare_dsr_full()
{
	local flows

	# A table limit well above the flows present: from 7/8 of its limit
	# the collector reclaims single-packet entries, as under a flood.
	DSR_MODULE_OPTIONS="flow_max=$((PRESENT_FLOWS * 2)) flow_max_host=$((PRESENT_FLOWS * 2))" \
		prepare_dsr_with -g
	add_extra_services
	fill_flows "$PRESENT_FLOWS"
	flows=$(dsr_flow_count)
	say "dsr-full: $((EXTRA_SERVICES + 1)) services, ${flows:-?} flows present"
	if [ "${flows:-0}" -lt $((PRESENT_FLOWS * 9 / 10)) ]; then
		say "dsr-full: the flow table did not fill: $(in_ns lb "$DSRADM" -Ln --stats | head -n 1)"
		return 1
	fi
}

# fill_flows N - N distinct UDP flows to the VIP, in ten bursts from ten
# source ranges: in each, pktgen steps the source address (241 of them)
# and port (64,511) together, which repeats only after 241 * 64511
# packets. The pauses let the flow table's buckets grow: a table hit by a
# million new flows at once takes only part of them.
fill_flows()
{
	local burst

	for burst in $(seq 0 9); do
		pktgen_setup $(($1 / 10)) 64 "$VIP"
		pg eth0 "src_min 10.2.$burst.1"
		pg eth0 "src_max 10.2.$burst.241"
		pg eth0 "udp_src_min 1024"
		pg eth0 "udp_src_max 65535"
		pg pgctrl start
		sleep 1
	done
}

cleanup_dsr_full() { cleanup_dsr; }

# The kernel's slab and vmalloc memory, in kB: flow entries, and hash
# tables of any size (kmalloc's large allocations count as slab). Free
# memory would also move with caches that an earlier configuration left.
mem_used_kb()
{
	awk '$1 == "Slab:" || $1 == "VmallocUsed:" { kb += $2 } END { print kb }' /proc/meminfo
}

# The connections (not templates) in lb's IPVS table: its real servers'
# ActiveConn and InActConn (reading /proc/net/ip_vs_conn takes minutes).
ipvs_conn_count()
{
	in_ns lb ipvsadm -Ln | awk '$1 == "->" && $2 ~ /:/ { n += $5 + $6 } END { print n + 0 }'
}

# memory_per_flow CONFIG COUNT-FUNCTION CACHE - the memory each of
# MEM_FLOWS new flows costs in CONFIG, as counted by COUNT-FUNCTION, and
# the size an entry takes in the slab cache CACHE that holds them
memory_per_flow()
{
	local before after entries size

	"prepare_${1//-/_}"
	sleep 1
	before=$(mem_used_kb)
	fill_flows "$MEM_FLOWS"
	# A grown hash table frees its old one after an RCU grace period.
	sleep 2
	after=$(mem_used_kb)
	entries=$("$2")
	size=$(cat "/sys/kernel/slab/$3/slab_size")
	"cleanup_${1//-/_}"
	if [ "${entries:-0}" -lt $((MEM_FLOWS * 9 / 10)) ]; then
		say "memory: $1 holds only ${entries:-?} of $MEM_FLOWS flows"
		return 1
	fi
	echo "memory $1 $entries $(((after - before) * 1024)) $size" >>"$OUT"
	say "memory: $1 used $(((after - before) * 1024 / entries)) bytes for each of $entries flows ($size in its slab cache $3)"
}

prepare_fwd_dsr()
{
	prepare_fwd
	prepare_dsr
	add_extra_services
}

cleanup_fwd_dsr() { cleanup_dsr; cleanup_fwd; }

# ---------------------------------------------------------------- pktgen

pg() { echo "$2" | in_ns client tee "$PG/$1" >/dev/null; }

# pktgen_setup COUNT SIZE DST - one UDP stream to DST:9 from the client
pktgen_setup()
{
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device eth0"
	pg eth0 "count $1"
	pg eth0 "clone_skb 0"
	pg eth0 "pkt_size $2"
	pg eth0 "delay 0"
	pg eth0 "dst $3"
	pg eth0 "dst_mac $DST_MAC"
	pg eth0 "udp_dst_min 9"
	pg eth0 "udp_dst_max 9"
}

# measure SCENARIO [COMMAND...] - send COUNT packets, started by
# "COMMAND... sh -c ..." if given; prints "received elapsed_ns"
measure()
{
	local rx0 rx1 usec size=64 dst=$VIP scenario=$1

	shift
	case $scenario in
	*-[0-9]*) size=${scenario##*-} ;;
	esac
	[ "$scenario" = nonvip ] && dst=$RS_IP
	pktgen_setup "$COUNT" "$size" "$dst"
	case $scenario in
	newflow*)
		pg eth0 "src_min 10.0.0.10"
		pg eth0 "src_max 10.0.0.250"
		pg eth0 "flag IPSRC_RND"
		pg eth0 "udp_src_min 1024"
		pg eth0 "udp_src_max 65535"
		pg eth0 "flag UDPSRC_RND"
		;;
	*)
		pg eth0 "src_min 10.0.0.1"
		pg eth0 "src_max 10.0.0.1"
		pg eth0 "udp_src_min 4000"
		pg eth0 "udp_src_max 4000"
		;;
	esac
	rx0=$(in_ns rs cat /sys/class/net/eth0/statistics/rx_packets)
	"$@" ip netns exec bench-client sh -c "echo start >$PG/pgctrl"
	rx1=$(in_ns rs cat /sys/class/net/eth0/statistics/rx_packets)
	# pktgen's own clock: "Result: OK: 480276(c479000+d1276) usec, ..."
	usec=$(in_ns client sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' "$PG/eth0")
	[ -n "$usec" ] || { in_ns client cat "$PG/eth0" >&2; return 1; }
	echo "$((rx1 - rx0)) $((usec * 1000))"
}

# profile SCENARIO CONFIG - one measurement under perf (software clock,
# every CPU, call graphs), perf started before pktgen and stopped when it
# ends; the report is written while the modules are still loaded, so that
# their symbols resolve.
profile()
{
	local data=/tmp/perf-$1-$2.data rx ns

	"prepare_${2//-/_}"
	read -r rx ns < <(measure "$1" perf record -q -e cpu-clock -a -g -o "$data" --)
	{
		echo "# perf profile: scenario $1, configuration $2, $rx packets in $((ns / 1000000)) ms"
		echo "# time in each function and what it calls (children), then in the function alone (self)"
		perf report -i "$data" --stdio --children --sort sym \
			--percent-limit 2 -g none 2>/dev/null | grep -v '^#' | grep .
		echo
		perf report -i "$data" --stdio --no-children --sort sym \
			--percent-limit 0.3 -g none 2>/dev/null | grep -v '^#' | grep .
	} >"$OUT_DIR/perf-$1-$2.txt"
	"cleanup_${2//-/_}"
	rm -f "$data" "$data.old"
	say "profile of $2 in $1: $OUT_DIR/perf-$1-$2.txt"
}

setup
: >"$OUT"
for round in $(seq "$ROUNDS"); do
	for scenario in "${SCENARIOS[@]}"; do
		configs=()
		for config in $(scenario_configs "$scenario"); do
			wanted "$config" && configs+=("$config")
		done
		n=${#configs[@]}
		for i in $(seq 0 $((n - 1))); do
			config=${configs[$(((i + round - 1) % n))]}
			"prepare_${config//-/_}"
			read -r rx ns < <(measure "$scenario")
			"cleanup_${config//-/_}"
			pps=$((rx * 1000000000 / (ns > 0 ? ns : 1)))
			echo "$round $scenario $config $rx $ns $pps" >>"$OUT"
			say "round $round $scenario $config: $rx packets in $((ns / 1000000)) ms, $pps pps"
		done
	done
done

if wanted dsr; then
	memory_per_flow dsr dsr_flow_count dsr_flow
fi
if wanted ipvs-tuned; then
	memory_per_flow ipvs-tuned ipvs_conn_count ip_vs_conn
fi

for config in "${PERF_CONFIGS[@]}"; do
	for scenario in "${SCENARIOS[@]}"; do
		case " $(scenario_configs "$scenario") " in
		*" $config "*) profile "$scenario" "$config" ;;
		esac
	done
done
