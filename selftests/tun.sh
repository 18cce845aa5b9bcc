#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# tun.sh - L3 DSR: real servers in other subnets, reached through IP-in-IP,
# GUE and GRE tunnels across a router, with 1500-byte MTUs on every link
# and no MSS clamping: the load balancer tells clients the MTU that fits
# in each tunnel, ICMP errors about replies reach the real server that
# owns the flow, and ICMP from a narrow router behind the load balancer
# lowers the MTU it tells clients.
#
#   client 10.1.0.1 --- rt (router) --- rs1 10.3.0.1 (tunl0, gre0, fou 6080)
#                       |    \
#     sw: br0 ----------+     nar (router) --- rs2 10.4.0.1 (tunl0)
#        |        |                 narrowed to MTU 1400 for one check
#       lb        rs3 10.2.0.3 (DR)
#    10.2.0.2
#
#   VIP1 10.9.0.1  TCP :80 (upload), :81 (download), UDP :9  -> rs1 IPIP
#   VIP2 10.9.0.2  likewise                                  -> rs1 GUE 6080
#   VIP3 10.9.0.3  likewise                                  -> rs1 GRE
#   VIP4 10.9.0.4  TCP :80                                   -> rs2 IPIP
#   VIP5 10.9.0.5  TCP :80  -> rs3 DR and rs1 IPIP (mixed)
#
# The router routes the VIPs to the load balancer. Real servers are set up
# with tools/realserver/dsr-realserver and answer clients directly.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
require_cmd tcpdump python3 sha256sum
load_modules ipip ip_gre fou ip_tunnel
for m in ipip ip_gre fou; do
	kernel_has "$m" ||
		skip_all "ipip, ip_gre and fou are needed on the real servers"
done
lb_load

REALSERVER=$TOP_DIR/tools/realserver/dsr-realserver
VIP1=10.9.0.1 VIP2=10.9.0.2 VIP3=10.9.0.3 VIP4=10.9.0.4 VIP5=10.9.0.5
CLIENT=10.1.0.1 LB=10.2.0.2 RS1=10.3.0.1 RS2=10.4.0.1 RS3=10.2.0.3
RT_CLIENT_SIDE=10.1.0.254
GUE_PORT=6080
NARROW_MTU=1400
# The debug lane (KASAN, lockdep) sends less: TEST_TUN_MB=2.
BIG=$((${TEST_TUN_MB:-20} * 1024 * 1024))

setup_ns client rt lb rs1 rs2 rs3 nar
sw_create sw rt lb rs3
veth_link client eth0 rt c0
veth_link rt r1 rs1 eth0
veth_link rt n0 nar eth0
veth_link nar r2 rs2 eth0

printf '%s\n' "addr add $CLIENT/24 dev eth0" "link set eth0 up" \
	"route add default via $RT_CLIENT_SIDE" | ns_ip client
printf '%s\n' "addr add $RT_CLIENT_SIDE/24 dev c0" "link set c0 up" \
	"addr add 10.2.0.254/24 dev eth0" "link set eth0 up" \
	"addr add 10.3.0.254/24 dev r1" "link set r1 up" \
	"addr add 10.5.0.254/24 dev n0" "link set n0 up" \
	"route add 10.4.0.0/24 via 10.5.0.1" \
	"route add 10.9.0.0/24 via $LB" | ns_ip rt
printf '%s\n' "addr add 10.5.0.1/24 dev eth0" "link set eth0 up" \
	"addr add 10.4.0.254/24 dev r2" "link set r2 up" \
	"route add default via 10.5.0.254" | ns_ip nar
in_ns rt sysctl -qw net.ipv4.ip_forward=1
in_ns nar sysctl -qw net.ipv4.ip_forward=1
# The VIPs are the load balancer's own (IPVS needs that; dsr does not mind).
{
	echo "addr add $LB/24 dev eth0"
	echo "link set eth0 up"
	for v in $VIP1 $VIP2 $VIP3 $VIP4 $VIP5; do
		echo "addr add $v/32 dev lo"
	done
	echo "route add default via 10.2.0.254"
} | ns_ip lb
printf '%s\n' "addr add $RS1/24 dev eth0" "link set eth0 up" \
	"route add default via 10.3.0.254" | ns_ip rs1
printf '%s\n' "addr add $RS2/24 dev eth0" "link set eth0 up" \
	"route add default via 10.4.0.254" | ns_ip rs2
printf '%s\n' "addr add $RS3/24 dev eth0" "link set eth0 up" \
	"route add default via 10.2.0.254" | ns_ip rs3

realserver()
{
	local host=$1
	shift
	in_ns "$host" "$REALSERVER" --quiet "$@"
}
realserver rs1 up "$VIP1" --ipip
realserver rs1 up "$VIP2" --gue "$GUE_PORT"
realserver rs1 up "$VIP3" --gre
realserver rs1 up "$VIP5" --ipip
realserver rs2 up "$VIP4" --ipip
realserver rs3 up "$VIP5" --dr

# What each tunnel costs, and the MTU a client must be told (1500 - that).
declare -A TUN_ARGS=(
	[$VIP1]="-i --tun-type ipip"
	[$VIP2]="-i --tun-type gue --tun-port $GUE_PORT"
	[$VIP3]="-i --tun-type gre"
)
declare -A TUN_NAME=([$VIP1]=IPIP [$VIP2]=GUE [$VIP3]=GRE)
declare -A TUN_MTU=([$VIP1]=1480 [$VIP2]=1468 [$VIP3]=1476)

for v in $VIP1 $VIP2 $VIP3; do
	for svc in "-t $v:80" "-t $v:81" "-u $v:9"; do
		# shellcheck disable=SC2086 # option lists
		adm lb -A $svc -s rr
		# shellcheck disable=SC2086
		adm lb -a $svc -r "$RS1" ${TUN_ARGS[$v]} -w 1
	done
done
adm lb -A -t "$VIP4:80" -s rr
adm lb -a -t "$VIP4:80" -r "$RS2" -i --tun-type ipip -w 1
adm lb -A -t "$VIP5:80" -s rr
adm lb -a -t "$VIP5:80" -r "$RS3" -g -w 1
adm lb -a -t "$VIP5:80" -r "$RS1" -i --tun-type ipip -w 1

in_ns client nft -f - <<EOF
table inet dsrt {
	counter mtu1480 { }
	counter mtu1468 { }
	counter mtu1476 { }
	counter mtu1380 { }
	chain in {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code frag-needed icmp mtu 1480 counter name mtu1480
		icmp type destination-unreachable icmp code frag-needed icmp mtu 1468 counter name mtu1468
		icmp type destination-unreachable icmp code frag-needed icmp mtu 1476 counter name mtu1476
		icmp type destination-unreachable icmp code frag-needed icmp mtu 1380 counter name mtu1380
	}
}
EOF

random_file "$TMP_DIR/big" "$BIG"
BIG_SUM=$(sha256sum <"$TMP_DIR/big" | cut -d' ' -f1)

sum_of()
{
	sha256sum <"$1" | cut -d' ' -f1
}

# upload HOST VIP PORT NAME - the client sends the 20 MB file to VIP:PORT,
# a one-shot receiver on HOST stores it; compared byte for byte
upload()
{
	local host=$1 vip=$2 port=$3 out=$TMP_DIR/up.$4
	rm -f "$out"
	in_ns_bg "$host" timeout 300 socat -u \
		"TCP4-LISTEN:$port,bind=$vip,reuseaddr" "OPEN:$out,creat,trunc"
	wait_listen "$host" tcp "$vip" "$port" || { echo "no listener on $host"; return 1; }
	in_ns client timeout 300 socat -u "FILE:$TMP_DIR/big" \
		"TCP4:$vip:$port,connect-timeout=10" ||
		{ echo "the upload to $vip:$port failed"; return 1; }
	busywait 30000 size_is "$out" "$BIG" ||
		{ echo "the server stored $(stat -c %s "$out" 2>/dev/null || echo 0) bytes of $BIG"; return 1; }
	[ "$(sum_of "$out")" = "$BIG_SUM" ] || { echo "the stored file differs"; return 1; }
}

# download HOST VIP PORT NAME - a one-shot sender on HOST serves the file,
# the client stores what it receives; compared byte for byte
download()
{
	local host=$1 vip=$2 port=$3 out=$TMP_DIR/down.$4
	in_ns_bg "$host" timeout 300 socat -u "FILE:$TMP_DIR/big" \
		"TCP4-LISTEN:$port,bind=$vip,reuseaddr"
	wait_listen "$host" tcp "$vip" "$port" || { echo "no listener on $host"; return 1; }
	in_ns client timeout 300 socat -u \
		"TCP4:$vip:$port,connect-timeout=10" "OPEN:$out,creat,trunc" ||
		{ echo "the download from $vip:$port failed"; return 1; }
	[ "$(stat -c %s "$out")" = "$BIG" ] ||
		{ echo "received $(stat -c %s "$out") bytes of $BIG"; return 1; }
	[ "$(sum_of "$out")" = "$BIG_SUM" ] || { echo "the received file differs"; return 1; }
}

size_is()
{
	[ "$(stat -c %s "$1" 2>/dev/null || echo 0)" = "$2" ]
}

icmp_mtu_count()
{
	nft_counter client inet "mtu$1" | cut -d' ' -f1
}

# df_datagram VIP - one 1472-byte UDP datagram with DF to VIP:9 (1500
# bytes on the wire), sent whatever the client's route cache says
df_datagram()
{
	in_ns client python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, 10, 3)	# IP_MTU_DISCOVER = IP_PMTUDISC_PROBE
s.sendto(b"x" * 1472, (sys.argv[1], 9))
' "$1"
}

frag_needed_exact()
{
	local vip=$1 mtu=${TUN_MTU[$1]} before
	before=$(icmp_mtu_count "$mtu")
	df_datagram "$vip"
	busywait 5000 counter_above client "mtu$mtu" "$before" && return 0
	echo "no ICMP fragmentation needed with MTU $mtu at the client"
	in_ns client nft list table inet dsrt
	return 1
}

counter_above()
{
	[ "$(nft_counter "$1" inet "$2" | cut -d' ' -f1)" -gt "$3" ]
}

# big_datagram VIP NAME - 4000 bytes without DF: fragments from the client,
# reassembled at the load balancer, tunnelled, the outer packet fragmented
# on the way out, reassembled and decapsulated by rs1, which echoes it
random_file "$TMP_DIR/dgram" 4000
big_datagram()
{
	local out=$TMP_DIR/dgram.$2
	udp_send client "$1" 9 "$TMP_DIR/dgram" "$out" ||
		{ echo "no echo: $(cat "$out.err")"; return 1; }
	cmp "$TMP_DIR/dgram" "$out"
}

for v in $VIP1 $VIP2 $VIP3; do
	name=${TUN_NAME[$v]}
	ktap_check "$name: a 1472-byte DF datagram draws frag-needed with MTU ${TUN_MTU[$v]}" \
		frag_needed_exact "$v"
	sink_start udp rs1 "$v" 9 "$TMP_DIR/udp.$name"
	ktap_check "$name: a 4000-byte datagram without DF is fragmented and arrives intact" \
		big_datagram "$v" "$name"
	in_ns client ip route flush cache
	ktap_check "$name: $((BIG >> 20)) MB uploaded through the tunnel arrive intact" \
		upload rs1 "$v" 80 "$name"
	ktap_check "$name: $((BIG >> 20)) MB downloaded (replies direct) arrive intact" \
		download rs1 "$v" 81 "$name"
done

# --tun-src with a prefix: each flow gets its own outer source in it (ECMP
# and RSS entropy), the same for every packet of the flow. dsr only.
outer_sources()
{
	local cap=$TMP_DIR/outer.txt i dump pairs srcs
	adm lb -E -t "$VIP1:80" -s rr --tun-src 10.2.0.64/28 || return 1
	tcp_sink_start rs1 "$VIP1" 80 "$TMP_DIR/outer"
	in_ns rs1 timeout $((60 * DSR_WAIT_FACTOR)) tcpdump -l -n -i eth0 \
		"ip proto 4 and dst host $RS1" >"$cap" 2>/dev/null &
	dump=$!
	sleep "$DSR_WAIT_FACTOR"	# tcpdump is listening
	for i in 1 2 3 4 5 6 7 8; do
		tcp_send client "$VIP1" 80 "$TMP_DIR/small" "$TMP_DIR/outer.$i" ||
			{ echo "connection $i failed"; kill "$dump"; return 1; }
		cmp -s "$TMP_DIR/small" "$TMP_DIR/outer.$i" ||
			{ echo "connection $i: the echo differs"; kill "$dump"; return 1; }
	done
	sleep 1
	kill "$dump" 2>/dev/null
	wait "$dump" 2>/dev/null
	adm lb -E -t "$VIP1:80" -s rr --tun-src 0.0.0.0 || return 1
	# "IP OUTER > 10.3.0.1: IP 10.1.0.1.PORT > 10.9.0.1.80: ..."
	pairs=$(awk '$2 == "IP" && $6 == "IP" { split($7, a, "."); print a[5], $3 }' "$cap" | sort -u)
	srcs=$(awk '{ print $2 }' <<<"$pairs" | sort -u)
	if [ "$(wc -l <<<"$srcs")" -lt 2 ] ||
	   grep -vE '^10\.2\.0\.(6[4-9]|7[0-9])$' <<<"$srcs" | grep -q . ||
	   [ "$(awk '{ print $1 }' <<<"$pairs" | sort | uniq -d)" != "" ]; then
		echo "client port, outer source:"
		echo "$pairs"
		return 1
	fi
}
random_file "$TMP_DIR/small" 2000
if [ "$DSR_IMPL" = dsr ]; then
	ktap_check "--tun-src 10.2.0.64/28: 8 connections, outer sources varied within it, one per flow" \
		outer_sources
fi

# Mixed DR and TUN real servers in one service both carry connections.
mixed_both()
{
	local i
	tcp_sink_start rs3 "$VIP5" 80 "$TMP_DIR/mix.rs3"
	tcp_sink_start rs1 "$VIP5" 80 "$TMP_DIR/mix.rs1"
	for i in 1 2 3 4; do
		tcp_send client "$VIP5" 80 "$TMP_DIR/small" "$TMP_DIR/mix.$i" ||
			{ echo "connection $i failed: $(cat "$TMP_DIR/mix.$i.err")"; return 1; }
		cmp -s "$TMP_DIR/small" "$TMP_DIR/mix.$i" ||
			{ echo "connection $i: the echo differs"; return 1; }
	done
	for h in rs1 rs3; do
		compgen -G "$TMP_DIR/mix.$h/data.*" >/dev/null ||
			{ echo "$h got no connection"; return 1; }
	done
}
ktap_check "mixed service: the DR and the TUN real server both serve, echoes intact" mixed_both

# The connections below stay open until the ICMP error has been judged:
# echo servers without the sinks' 5 s idle timeout (loading scapy alone can
# take longer under TCG).
kill_ns_procs rs1
kill_ns_procs rs3
for h in rs1 rs3; do
	in_ns_bg "$h" socat -lf /dev/null \
		"TCP4-LISTEN:80,bind=$VIP5,reuseaddr,fork" EXEC:cat
	wait_listen "$h" tcp "$VIP5" 80
done

# ICMP about a reply: a router on the way back to the client reports
# "fragmentation needed" to the VIP, quoting the real server's reply and,
# as RFC 792 guarantees, only 8 bytes of its TCP header. It must reach the
# real server that owns the connection, and only that one.
#
# conn_open HOST - a connection to VIP5:80 that the test keeps open;
# prints "client-port next-seq" once HOST has it (next-seq: the sequence
# number the real server will send next, read from its echo)
conn_open()
{
	local host=$1 cap=$TMP_DIR/cap.$1 port line seq
	local i
	for i in 1 2 3 4 5 6; do
		in_ns client timeout $((20 * DSR_WAIT_FACTOR)) \
			tcpdump -l -n -S -c 1 -i eth0 \
			"src host $VIP5 and src port 80 and tcp[tcpflags] & tcp-push != 0" \
			>"$cap" 2>/dev/null &
		local dump=$!
		sleep "$DSR_WAIT_FACTOR"	# tcpdump is listening
		{ echo "hello $i"; sleep 120; } |
			in_ns client socat -T 150 - "TCP4:$VIP5:80,connect-timeout=5" \
				>/dev/null 2>&1 &
		wait "$dump" || true
		line=$(head -n 1 "$cap")
		port=$(sed -nE 's/.* > [0-9.]+\.([0-9]+): .*/\1/p' <<<"$line")
		seq=$(sed -nE 's/.* seq [0-9]+:([0-9]+),.*/\1/p' <<<"$line")
		if [ -z "$port" ] || [ -z "$seq" ]; then
			continue
		fi
		if in_ns "$host" ss -Htn state established "sport = :80 and dport = :$port" |
			grep -q .; then
			echo "$port $seq"
			return 0
		fi
	done
	return 1
}

# send_frag_needed MTU CLIENT-PORT SEQ - from the router, about the reply
# VIP5:80 -> client:PORT
send_frag_needed()
{
	in_ns rt python3 - "$@" "$VIP5" "$CLIENT" "$RT_CLIENT_SIDE" <<'EOF'
import struct, sys
from scapy.all import IP, ICMP, TCP, Raw, send, conf
conf.verb = 0
mtu, cport, seq, vip, client, rtaddr = sys.argv[1:7]
quote = bytes(IP(src=vip, dst=client, len=1500, flags="DF", ttl=63) /
              TCP(sport=80, dport=int(cport), seq=int(seq), flags="PA"))[:28]
send(IP(src=rtaddr, dst=vip) /
     ICMP(type=3, code=4, nexthopmtu=int(mtu)) / Raw(quote))
EOF
}

route_mtu()
{
	in_ns "$1" ip route get "$CLIENT" from "$VIP5" | grep -oE 'mtu [0-9]+' || echo "mtu none"
}

route_mtu_is()
{
	[ "$(route_mtu "$1")" = "mtu $2" ]
}

icmp_reaches_owner()
{
	local host=$1 other=$2 mtu=$3 conn other_before
	conn=$(conn_open "$host") || { echo "no connection to VIP5 landed on $host"; return 1; }
	other_before=$(route_mtu "$other")
	# shellcheck disable=SC2086 # "port seq"
	send_frag_needed "$mtu" $conn
	busywait 5000 route_mtu_is "$host" "$mtu" ||
		{ echo "$host's route to the client: $(route_mtu "$host"), not mtu $mtu"; return 1; }
	[ "$(route_mtu "$other")" = "$other_before" ] ||
		{ echo "$other's route changed too: $(route_mtu "$other")"; return 1; }
}
ktap_check "frag-needed about a DR server's reply reaches it (mtu 1300 in its route cache), not the other" \
	icmp_reaches_owner rs3 rs1 1300
ktap_check "frag-needed about a TUN server's reply reaches it through the tunnel (mtu 1280), not the other" \
	icmp_reaches_owner rs1 rs3 1280

# A narrow router between the load balancer and a real server: its ICMP
# about our tunnel packets lowers the MTU the load balancer tells clients.
in_ns nar ip link set r2 mtu "$NARROW_MTU"
in_ns rs2 ip link set eth0 mtu "$NARROW_MTU"
in_ns client ip route flush cache
ktap_check "behind a $NARROW_MTU-byte router: $((BIG >> 20)) MB uploaded to an IPIP server arrive intact" \
	upload rs2 "$VIP4" 80 narrow
narrow_told()
{
	[ "$(icmp_mtu_count 1380)" -gt 0 ] && return 0
	echo "the client got no frag-needed with MTU $((NARROW_MTU - 20))"
	return 1
}
ktap_check "... and the client was told MTU $((NARROW_MTU - 20)) by the load balancer" narrow_told
if [ "$DSR_IMPL" = dsr ]; then
	learned()
	{
		adm lb -Ln --tun-info -j | python3 -c '
import json, sys
d = json.load(sys.stdin)
for s in d["services"]:
    for r in s.get("real_servers", s.get("dests", [])):
        if r.get("address", "").startswith(sys.argv[1]) and r.get("tun_pmtu") == int(sys.argv[2]):
            sys.exit(0)
sys.exit(1)' "$RS2" "$NARROW_MTU" && return 0
		adm lb -Ln --tun-info -j
		return 1
	}
	ktap_check "dsradm shows path MTU $NARROW_MTU learned for $RS2" learned
	icmp_counters()
	{
		local out
		out=$(in_ns lb python3 "$SELFTEST_DIR/dsr_nl.py" req INFO_GET) || return 1
		grep -Eq '^INFO\.ICMP_FORWARDED [2-9]' <<<"$out" &&
			grep -Eq '^INFO\.ICMP_TUN_PMTU [1-9]' <<<"$out" && return 0
		echo "$out"
		return 1
	}
	ktap_check "counters: 2 ICMP errors forwarded, tunnel path MTU lowered" icmp_counters
fi

# The load balancer's route to a real server changes while clients
# connect: the route it cached goes stale, and the tunnel follows the new
# next hop (rs3 here, which counts the outer packets to rs2 and drops
# them), then the old one again once the route is gone.
in_ns rs3 nft -f - <<EOF
table inet dsrt {
	counter to_rs2 { }
	chain pre {
		type filter hook prerouting priority -300;
		ip protocol 4 ip daddr $RS2 counter name to_rs2 drop
	}
}
EOF
echo_vip4()
{
	tcp_send client "$VIP4" 80 "$TMP_DIR/small" "$TMP_DIR/route.$1" ||
		{ echo "$1: the connection failed: $(cat "$TMP_DIR/route.$1.err")"; return 1; }
	cmp -s "$TMP_DIR/small" "$TMP_DIR/route.$1" ||
		{ echo "$1: the echo differs"; return 1; }
}
route_followed()
{
	tcp_sink_start rs2 "$VIP4" 80 "$TMP_DIR/route.rs2"
	echo_vip4 before || return 1
	in_ns lb ip route add "$RS2/32" via "$RS3"
	in_ns client socat -u /dev/null "TCP4:$VIP4:80,connect-timeout=2" \
		>/dev/null 2>&1 || true
	in_ns lb ip route del "$RS2/32"
	[ "$(nft_packets rs3 to_rs2)" -gt 0 ] ||
		{ echo "the outer packets kept the stale route: rs3 counted none"; return 1; }
	echo_vip4 after
}
ktap_check "the route to rs2 changes on the LB: the tunnel follows it there and back, echoes intact" \
	route_followed

for h in rs1 rs2 rs3; do
	kill_ns_procs "$h"
done
realserver rs1 down "$VIP5" --ipip
realserver rs1 down "$VIP3" --gre
realserver rs1 down "$VIP2" --gue "$GUE_PORT"
realserver rs1 down "$VIP1" --ipip
realserver rs2 down "$VIP4" --ipip
realserver rs3 down "$VIP5" --dr
ktap_check "kernel log is clean" klog_check
ktap_summary
