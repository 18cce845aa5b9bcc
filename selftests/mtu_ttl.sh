#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# mtu_ttl.sh - the load balancer is one routing hop: it decrements TTL,
# answers TTL 1 with "time exceeded", answers DF packets too big for the
# link to the real server with "fragmentation needed" (so the client's
# path MTU drops and TCP gets through), and fragments the rest.
#
#                        client 10.0.0.1 (MTU 1500)
#                          | eth0
#   sw:  br0 --------------+--------------------+------------------+
#                          | eth0               | eth1             | eth0
#                          lb 10.0.0.2          lb 10.0.1.2        rs1 10.0.0.11
#              VIP 10.0.0.100/32 on eth0        MTU 1300           and 10.0.1.11
#              TCP VIP:80, UDP VIP:9 -> 10.0.1.11 (via eth1)       VIP/32 on lo
#
# The real server answers the client directly at MTU 1500; only the LB's
# leg to it (eth1) is narrow.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
# These are dsr's promises, checked on dsr alone (IPVS hooks LOCAL_IN).
[ "$DSR_IMPL" = dsr ] || skip_all "dsr's routing-hop behaviour (DSR_IMPL=$DSR_IMPL)"
lb_require
require_cmd python3
require_nft
lb_load

NARROW_MTU=1300
RS_NARROW=10.0.1.11

setup_ns client lb rs1
sw_create sw client lb rs1
ip -n "$(ns_name sw)" link add lb1 type veth peer name eth1 netns "$(ns_name lb)"
ip -n "$(ns_name sw)" link set lb1 master br0 up
printf '%s\n' "addr add $CLIENT_IP/24 dev eth0" "link set eth0 up" | ns_ip client
printf '%s\n' "addr add $LB_IP/24 dev eth0" "addr add $VIP/32 dev eth0" \
	"link set eth0 up" "addr add 10.0.1.2/24 dev eth1" \
	"link set eth1 mtu $NARROW_MTU up" | ns_ip lb
rs_sysctl rs1
printf '%s\n' "addr add $(rs_ip 1)/24 dev eth0" "addr add $RS_NARROW/24 dev eth0" \
	"addr add $VIP/32 dev lo" "link set eth0 up" | ns_ip rs1

in_ns rs1 nft -f - <<EOF
table inet dsrt {
	counter udp9 { }
	counter udp9_ttl63 { }
	chain pre {
		type filter hook prerouting priority -500;
		ip daddr $VIP udp dport 9 counter name udp9
		ip daddr $VIP udp dport 9 ip ttl 63 counter name udp9_ttl63
	}
}
EOF
in_ns client nft -f - <<EOF
table inet dsrt {
	counter time_exceeded { }
	counter frag_needed { }
	chain in {
		type filter hook input priority 0;
		icmp type time-exceeded counter name time_exceeded
		icmp type destination-unreachable icmp code frag-needed counter name frag_needed
	}
}
EOF

tcp_sink_start rs1 "$VIP" 80 "$TMP_DIR/tcp"
sink_start udp rs1 "$VIP" 9 "$TMP_DIR/udp"
adm lb -A -t "$VIP:80" -s rr
adm lb -a -t "$VIP:80" -r "$RS_NARROW:80" -g -w 1
adm lb -A -u "$VIP:9" -s rr
adm lb -a -u "$VIP:9" -r "$RS_NARROW:9" -g -w 1

# TTL: an ordinary datagram reaches the real server with TTL 64 - 1.
random_file "$TMP_DIR/small" 100
ttl_decremented()
{
	udp_send client "$VIP" 9 "$TMP_DIR/small" "$TMP_DIR/small.echo" || true
	[ "$(nft_packets rs1 udp9_ttl63)" -ge 1 ] && return 0
	echo "rs1 saw $(nft_packets rs1 udp9) datagrams for VIP:9, $(nft_packets rs1 udp9_ttl63) with TTL 63"
	return 1
}
ktap_check "a datagram sent with TTL 64 reaches the real server with TTL 63" ttl_decremented
ktap_check "... and its echo comes back intact" cmp -s "$TMP_DIR/small" "$TMP_DIR/small.echo"

ttl_expired()
{
	local before
	before=$(nft_packets rs1 udp9)
	in_ns client socat -u - "UDP4-SENDTO:$VIP:9,ttl=1" <"$TMP_DIR/small"
	busywait 5000 nft_counter_at_least client time_exceeded 1 ||
		{ echo "no ICMP time exceeded at the client"; return 1; }
	[ "$(nft_packets rs1 udp9)" -eq "$before" ] ||
		{ echo "the real server got the TTL 1 datagram"; return 1; }
}
ktap_check "TTL 1: the client gets ICMP time exceeded, the real server nothing" ttl_expired

# MTU, DF: TCP gets through because the LB tells the client the MTU.
random_file "$TMP_DIR/bulk" 65536
tcp_bulk()
{
	tcp_send client "$VIP" 80 "$TMP_DIR/bulk" "$TMP_DIR/bulk.echo" ||
		{ echo "connection failed: $(cat "$TMP_DIR/bulk.echo.err")"; return 1; }
	cmp "$TMP_DIR/bulk" "$TMP_DIR/bulk.echo"
}
ktap_check "64 KiB over TCP to the VIP arrive and echo back intact" tcp_bulk
ktap_check "the client got ICMP fragmentation needed from the LB" \
	nft_counter_at_least client frag_needed 1
pmtu_learned()
{
	local out
	out=$(in_ns client ip route get "$VIP")
	grep -q "mtu $NARROW_MTU" <<<"$out" && return 0
	echo "ip route get $VIP in the client: $out"
	return 1
}
ktap_check "the client's route to the VIP learned mtu $NARROW_MTU" pmtu_learned

# Both drops are counted by reason, in the text listing and in JSON alike.
drops_listed()
{
	local title json
	title=$(adm lb -Ln --stats | head -n 1)
	json=$(adm lb -Ln -j | python3 -c 'import json, sys
d = json.load(sys.stdin)["drops"]
print(" ".join("%s=%d" % (k, d[k]) for k in sorted(d)))')
	if grep -q ", drop_no_dest=0, drop_no_route=0, drop_too_big=[1-9][0-9]*, drop_no_mem=0, drop_bad_header=0, drop_ttl=1)$" <<<"$title" &&
	   grep -Eq "^bad_header=0 no_dest=0 no_mem=0 no_route=0 too_big=[1-9][0-9]* ttl=1$" <<<"$json"; then
		return 0
	fi
	echo "-Ln --stats: $title"
	echo "-Ln -j drops: $json"
	return 1
}
ktap_check "dsradm lists the drops: 1 for TTL, at least 1 too big, no other" drops_listed

# MTU, no DF: a datagram larger than both MTUs travels as fragments, is
# reassembled at the LB, fragmented again for the narrow leg, reassembled
# by the real server.
random_file "$TMP_DIR/big" 4000
big_datagram()
{
	udp_send client "$VIP" 9 "$TMP_DIR/big" "$TMP_DIR/big.echo" ||
		{ echo "no echo: $(cat "$TMP_DIR/big.echo.err")"; return 1; }
	cmp "$TMP_DIR/big" "$TMP_DIR/big.echo"
}
ktap_check "a 4000-byte datagram crosses the narrow leg in fragments, intact" big_datagram
ktap_check "kernel log is clean" klog_check
ktap_summary
