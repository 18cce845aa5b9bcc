#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# ipv6.sh - IPv6 services: DR (MAC rewrite) and IPIP (IPv6-in-IPv6) real
# servers, TCP, UDP, persistence with a prefix length, a firewall-mark
# service, hop limit, packet too big, and the listings as ipvsadm prints
# them.
#
#              client  2001:db8::1, 2001:db8::5 (one /64)
#                | eth0
#   sw: br0 -----+------+--------+----------+----------+
#                | eth0 | eth1   | eth0     | eth0     | eth0
#                lb ----+        rs1        rs2        rt (router)
#                                                      | r3
#                                                      | eth0
#                                                      rs3
#
#   lb   eth0 2001:db8::2/64 and the VIPs (/128); eth1 2001:db8:1::2/64 with
#        MTU 1400; 2001:db8:3::/64 via rt
#   rs1  eth0 2001:db8::11/64 and 2001:db8:1::11/64; VIP and VIP_NARROW on lo
#   rs2  eth0 2001:db8::12/64; VIP on lo
#   rt   eth0 2001:db8::254/64, r3 2001:db8:3::254/64, forwarding
#   rs3  eth0 2001:db8:3::13/64, default via rt; VIP_TUN on lo; ip6tnl0 up
#
#   VIP        2001:db8::100  TCP :80 rr, UDP :53 rr          -> rs1, rs2 (-g)
#                             TCP :81 rr -p 60 -M 64          -> rs1, rs2 (-g)
#                             TCP :82 rr -p 60 (/128)         -> rs1, rs2 (-g)
#                             FWM 1 -6 rr (nft marks :8080)   -> rs1, rs2 (-g)
#   VIP_NARROW 2001:db8::101  UDP :9 rr -> [2001:db8:1::11]:9 (-g, through
#                             the LB's 1400-byte eth1)
#   VIP_TUN    2001:db8::102  TCP :80 rr -> rs3 (-i), across the router
#
# Real servers answer from the VIP on their lo (/128): IPv6 answers
# neighbour solicitations only for addresses of the interface asked, so no
# arp_ignore is needed; replies go straight to the client (rs3's through
# the router), never through the LB.
#
# Checked: TCP payloads arrive intact at the real server the LB chose and
# echo back, replies bypass the LB, the LB's counters match what the real
# servers got; UDP flows from many client ports reach both servers; all of
# a TCP connection's packets reach one server; -M 64 keeps a /64 on one
# server while /128 tells its addresses apart; a fwmark service takes the
# marked port; the IPIP server decapsulates with ip6tnl and gets the
# payload intact; the LB decrements the hop limit and answers hop limit 1
# with time exceeded; a datagram too big for the LB's leg to the server
# draws packet too big with that leg's MTU, the client learns it, and the
# datagram then gets through in fragments; ICMPv6 packet too big about a
# reply reaches the real server that holds the connection; 400 malformed
# packets leave the LB serving; -Ln and -Sn print the services as ipvsadm
# does; the kernel log is clean.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
require_cmd python3 md5sum
load_modules ip6_tunnel
kernel_has ip6_tunnel || skip_all "the IPIP real server needs ip6_tunnel"
lb_load

C1=2001:db8::1
C2=2001:db8::5
LB6=2001:db8::2
VIP6=2001:db8::100
VIP6_NARROW=2001:db8::101
VIP6_TUN=2001:db8::102
RS1=2001:db8::11
RS2=2001:db8::12
RS1_NARROW=2001:db8:1::11
LB_NARROW=2001:db8:1::2
RT6=2001:db8::254
RS3=2001:db8:3::13
RT3=2001:db8:3::254
NARROW_MTU=1400
MARK=1
# Long enough that no template ends before the checks that rely on it.
PERSIST=$((60 * DSR_WAIT_FACTOR))
NCONN=4
PAYLOAD=65536

rs6()
{
	case $1 in
	1)	echo "$RS1" ;;
	2)	echo "$RS2" ;;
	esac
}

# ---------------------------------------------------------------- topology

setup_ns client lb rs1 rs2 rs3 rt
# Addresses are usable at once (nodad), link-local ones too: neighbour
# solicitations for a packet that is not from one of the host's own
# addresses (the LB's DR output, a real server's reply from the VIP on lo)
# go out from the link-local address, and not before it has passed DAD.
for h in client lb rs1 rs2 rs3 rt; do
	in_ns "$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0
done
sw_create sw client lb rs1 rs2 rt
ip -n "$(ns_name sw)" link add lb1 type veth peer name eth1 netns "$(ns_name lb)"
ip -n "$(ns_name sw)" link set lb1 master br0 up
veth_link rt r3 rs3 eth0

# Deprecated addresses (preferred_lft 0) still send when bound to and still
# receive, but source address selection passes them over: the client's
# connections come from C1 unless bound to C2, and the LB's own packets
# (the outer header of IPIP) never come from a VIP. (A real server drops
# a tunnelled packet whose outer source is one of its own addresses, and
# rs3 has VIP_TUN on lo.)
printf '%s\n' "addr add $C1/64 dev eth0 nodad" \
	"addr add $C2/64 dev eth0 nodad preferred_lft 0" \
	"link set eth0 up" | ns_ip client
printf '%s\n' "addr add $LB6/64 dev eth0 nodad" \
	"addr add $VIP6/128 dev eth0 nodad preferred_lft 0" \
	"addr add $VIP6_NARROW/128 dev eth0 nodad preferred_lft 0" \
	"addr add $VIP6_TUN/128 dev eth0 nodad preferred_lft 0" \
	"link set eth0 up" \
	"addr add $LB_NARROW/64 dev eth1 nodad" \
	"link set eth1 mtu $NARROW_MTU up" \
	"route add 2001:db8:3::/64 via $RT6" | ns_ip lb
printf '%s\n' "addr add $RS1/64 dev eth0 nodad" "addr add $RS1_NARROW/64 dev eth0 nodad" \
	"addr add $VIP6/128 dev lo nodad" "addr add $VIP6_NARROW/128 dev lo nodad" \
	"link set eth0 up" | ns_ip rs1
printf '%s\n' "addr add $RS2/64 dev eth0 nodad" "addr add $VIP6/128 dev lo nodad" \
	"link set eth0 up" | ns_ip rs2
printf '%s\n' "addr add $RT6/64 dev eth0 nodad" "link set eth0 up" \
	"addr add $RT3/64 dev r3 nodad" "link set r3 up" | ns_ip rt
in_ns rt sysctl -qw net.ipv6.conf.all.forwarding=1
# rs3 decapsulates IPv6-in-IPv6 with the namespace's fallback ip6tnl0
# (any local, any remote).
printf '%s\n' "addr add $RS3/64 dev eth0 nodad" "link set eth0 up" \
	"route add default via $RT3" "addr add $VIP6_TUN/128 dev lo nodad" \
	"link set ip6tnl0 up" | ns_ip rs3
LB_MAC=$(mac_of lb)

# ---------------------------------------------------------------- counters

in_ns lb nft -f - <<EOF
table netdev dsrt {
	counter from_vip { }
	counter to_vip80 { }
	counter flow1 { }
	counter flow2 { }
	chain ingress {
		type filter hook ingress device eth0 priority -500;
		ip6 saddr { $VIP6, $VIP6_NARROW, $VIP6_TUN } meta l4proto { tcp, udp } counter name from_vip
		ip6 daddr $VIP6 tcp dport 80 counter name to_vip80
		ip6 saddr $C1 tcp sport 40001 counter name flow1
		ip6 saddr $C1 tcp sport 40002 counter name flow2
	}
}
EOF
in_ns client nft -f - <<EOF
table netdev dsrt {
	counter replies { }
	counter tun_replies { }
	counter replies_from_lb { }
	chain ingress {
		type filter hook ingress device eth0 priority -500;
		ip6 saddr $VIP6 tcp sport 80 counter name replies
		ip6 saddr $VIP6_TUN tcp sport 80 counter name tun_replies
		ether saddr $LB_MAC ip6 saddr { $VIP6, $VIP6_NARROW, $VIP6_TUN } meta l4proto { tcp, udp } counter name replies_from_lb
	}
}
table inet dsrt {
	counter too_big { }
	counter too_big_narrow { }
	counter time_exceeded { }
	chain in {
		type filter hook input priority 0;
		icmpv6 type packet-too-big counter name too_big
		icmpv6 type packet-too-big icmpv6 mtu $NARROW_MTU counter name too_big_narrow
		icmpv6 type time-exceeded counter name time_exceeded
	}
}
EOF
for i in 1 2; do
	in_ns "rs$i" nft -f - <<EOF
table inet dsrt {
	counter tcp80 { }
	counter flow1 { }
	counter flow2 { }
	counter udp53 { }
	counter udp53_hl63 { }
	counter ptb { }
	chain pre {
		type filter hook prerouting priority -500;
		ip6 daddr $VIP6 icmpv6 type packet-too-big counter name ptb
		ip6 daddr $VIP6 tcp dport 80 counter name tcp80
		ip6 saddr $C1 tcp sport 40001 counter name flow1
		ip6 saddr $C1 tcp sport 40002 counter name flow2
		ip6 daddr $VIP6 udp dport 53 counter name udp53
		ip6 daddr $VIP6 udp dport 53 ip6 hoplimit 63 counter name udp53_hl63
	}
}
EOF
done
in_ns rs3 nft -f - <<EOF
table netdev dsrt {
	counter outer { }
	counter outer_from_vip { }
	chain ingress {
		type filter hook ingress device eth0 priority -500;
		ip6 daddr $RS3 ip6 nexthdr ipv6 counter name outer
		ip6 saddr $VIP6_TUN ip6 daddr $RS3 ip6 nexthdr ipv6 counter name outer_from_vip
	}
}
table inet dsrt {
	counter inner { }
	chain pre {
		type filter hook prerouting priority -500;
		iifname "ip6tnl0" ip6 daddr $VIP6_TUN tcp dport 80 counter name inner
	}
}
EOF

# The firewall's mark, set where firewalls set marks: the mangle priority.
in_ns lb nft -f - <<EOF
table ip6 fwmark_test {
	chain pre {
		type filter hook prerouting priority mangle;
		ip6 daddr $VIP6 tcp dport 8080 meta mark set $MARK
	}
}
EOF

# ---------------------------------------------------------------- services

# The commands a user types; every one must be accepted.
SERVICES=(
	"-A -t [$VIP6]:80 -s rr"
	"-a -t [$VIP6]:80 -r [$RS1]:80 -g -w 1"
	"-a -t [$VIP6]:80 -r [$RS2]:80 -g -w 1"
	"-A -u [$VIP6]:53 -s rr"
	"-a -u [$VIP6]:53 -r [$RS1]:53 -g -w 1"
	"-a -u [$VIP6]:53 -r [$RS2]:53 -g -w 1"
	"-A -t [$VIP6]:81 -s rr -p $PERSIST -M 64"
	"-a -t [$VIP6]:81 -r [$RS1]:81 -g -w 1"
	"-a -t [$VIP6]:81 -r [$RS2]:81 -g -w 1"
	"-A -t [$VIP6]:82 -s rr -p $PERSIST"
	"-a -t [$VIP6]:82 -r [$RS1]:82 -g -w 1"
	"-a -t [$VIP6]:82 -r [$RS2]:82 -g -w 1"
	"-A -f $MARK -6 -s rr"
	"-a -f $MARK -6 -r [$RS1]:0 -g -w 1"
	"-a -f $MARK -6 -r [$RS2]:0 -g -w 1"
	"-A -t [$VIP6_TUN]:80 -s rr"
	"-a -t [$VIP6_TUN]:80 -r [$RS3]:80 -i -w 1"
	"-A -u [$VIP6_NARROW]:9 -s rr"
	"-a -u [$VIP6_NARROW]:9 -r [$RS1_NARROW]:9 -g -w 1"
)
services_added()
{
	local cmd bad=0 out
	for cmd in "${SERVICES[@]}"; do
		# shellcheck disable=SC2086 # an option list
		out=$(adm lb $cmd 2>&1) || { echo "$(lb_adm_cmd) $cmd: $out"; bad=1; }
	done
	return "$bad"
}
ktap_check "the IPv6 services and real servers are accepted (-A/-a -t, -u, -f -6, -p -M 64, -g, -i)" \
	services_added

for i in 1 2; do
	for port in 80 81 82 8080; do
		tcp_sink_start "rs$i" "$VIP6" "$port" "$TMP_DIR/rs$i-$port"
	done
	sink_start udp "rs$i" "$VIP6" 53 "$TMP_DIR/rs$i-53"
done
sink_start udp rs1 "$VIP6_NARROW" 9 "$TMP_DIR/narrow"
tcp_sink_start rs3 "$VIP6_TUN" 80 "$TMP_DIR/rs3-80"

# ---------------------------------------------------------------- TCP over DR

random_file "$TMP_DIR/payloads" $((NCONN * PAYLOAD))
(cd "$TMP_DIR" && split -a 1 -d -b "$PAYLOAD" payloads payload.)
for i in $(seq 0 $((NCONN - 1))); do
	tcp_send client "$VIP6" 80 "$TMP_DIR/payload.$i" "$TMP_DIR/echo.$i" || true
done

# One md5sum over everything: which real server stored each payload, and
# did each echo come back intact?
declare -A sum_of where
while read -r sum file; do
	sum_of[$file]=$sum
	case $file in
	rs[12]-80/data.*) where[$sum]+="${file%%-80/*} " ;;
	esac
done <<<"$(cd "$TMP_DIR" || exit; md5sum payload.* echo.* rs1-80/data.* rs2-80/data.* 2>/dev/null || true)"

echo_errors=
order=
lost=
for i in $(seq 0 $((NCONN - 1))); do
	sum=${sum_of[payload.$i]}
	if [ "${sum_of[echo.$i]:-}" != "$sum" ]; then
		echo_errors+="connection $i: received $(stat -c %s "$TMP_DIR/echo.$i") of $PAYLOAD bytes back; $(head -c 300 "$TMP_DIR/echo.$i.err")"$'\n'
	fi
	case ${where[$sum]:-} in
	"rs1 ")	order+=1 ;;
	"rs2 ")	order+=2 ;;
	*)	order+=-; lost+=" $i(${where[$sum]:-nowhere})" ;;
	esac
done
nfiles=$(find "$TMP_DIR/rs1-80" "$TMP_DIR/rs2-80" -name 'data.*' | wc -l)

if [ -z "$echo_errors" ]; then
	ktap_ok "TCP [$VIP6]:80: $NCONN connections sent 64 KiB each and got the same 64 KiB back"
else
	ktap_not_ok "TCP [$VIP6]:80: $NCONN connections sent 64 KiB each and got the same 64 KiB back"
	ktap_diag "$echo_errors"
fi
if [ -z "$lost" ] && [ "$nfiles" -eq "$NCONN" ]; then
	ktap_ok "TCP over DR: every payload arrived intact at exactly one real server"
else
	ktap_not_ok "TCP over DR: every payload arrived intact at exactly one real server"
	ktap_diag "payloads not stored intact by exactly one real server:${lost:- none}; connection files on the real servers: $nfiles (want $NCONN)"
fi
alternating()
{
	[[ $order =~ ^(12)+$ || $order =~ ^(21)+$ ]]
}
ktap_check "rr: the connections alternate between the two real servers (order: $order)" alternating

# socat writes an IPv6 peer in full, in brackets.
C1_FULL="[$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1]).exploded)' "$C1")]"
peers_ok()
{
	local f peer n=0
	for f in "$TMP_DIR"/rs[12]-80/peer.*; do
		[ -e "$f" ] || continue
		read -r peer <"$f"
		[ "$peer" = "$C1_FULL" ] || { echo "$f: $peer"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { echo "no connection reached a real server"; return 1; }
}
ktap_check "the real servers see the client's own address ($C1) as the peer" peers_ok

replies_direct()
{
	local replies from_lb lb_from_vip
	read -r replies _ <<<"$(nft_counter client netdev replies)"
	read -r from_lb _ <<<"$(nft_counter client netdev replies_from_lb)"
	read -r lb_from_vip _ <<<"$(nft_counter lb netdev from_vip)"
	[ "$replies" -gt 0 ] && [ "$from_lb" -eq 0 ] && [ "$lb_from_vip" -eq 0 ] && return 0
	echo "the client received $replies packets from [$VIP6]:80, $from_lb TCP/UDP packets from a VIP with the LB's MAC; the LB received $lb_from_vip TCP/UDP packets from a VIP"
	return 1
}
ktap_check "replies go straight from the real servers to the client: the LB never receives one" \
	replies_direct

conns_ok()
{
	local svc d1 d2 half=$((NCONN / 2))
	if ! svc=$(lb_stats lb TCP "[$VIP6]:80") ||
	   ! d1=$(lb_stats lb TCP "[$VIP6]:80" "[$RS1]:80") ||
	   ! d2=$(lb_stats lb TCP "[$VIP6]:80" "[$RS2]:80"); then
		adm_stats lb
		return 1
	fi
	[ "${svc%% *}" = "$NCONN" ] && [ "${d1%% *}" = "$half" ] && [ "${d2%% *}" = "$half" ] &&
		return 0
	echo "Conns: service ${svc%% *} (want $NCONN), rs1 ${d1%% *}, rs2 ${d2%% *} (want $half each)"
	adm_stats lb
	return 1
}
check_eventually "stats: Conns $NCONN on [$VIP6]:80, $((NCONN / 2)) on each real server" 5000 conns_ok

# The last ACKs may still be on their way: wait for the numbers to settle.
dest_matches_rs()
{
	local i=$1 rs lb_s
	rs=$(nft_counter "rs$i" inet tcp80) || return 1
	lb_s=$(lb_stats lb TCP "[$VIP6]:80" "[$(rs6 "$i")]:80") || return 1
	[ "${lb_s#* }" = "$rs" ] && return 0
	echo "rs$i received $rs (packets bytes) for [$VIP6]:80; the LB counted InPkts InBytes ${lb_s#* }"
	return 1
}
svc_is_sum()
{
	local svc d1 d2 lbin
	svc=$(lb_stats lb TCP "[$VIP6]:80") || return 1
	d1=$(lb_stats lb TCP "[$VIP6]:80" "[$RS1]:80") || return 1
	d2=$(lb_stats lb TCP "[$VIP6]:80" "[$RS2]:80") || return 1
	read -r lbin _ <<<"$(nft_counter lb netdev to_vip80)"
	# shellcheck disable=SC2086 # split "conns pkts bytes" into words
	set -- $svc $d1 $d2
	[ "$2" -eq $(($5 + $8)) ] && [ "$3" -eq $(($6 + $9)) ] && [ "$2" -eq "$lbin" ] &&
		return 0
	echo "service InPkts/InBytes $2/$3; real servers $5/$6 + $8/$9; packets for [$VIP6]:80 that reached the LB: $lbin"
	return 1
}
for i in 1 2; do
	check_eventually "stats: InPkts/InBytes of rs$i equal what rs$i received for [$VIP6]:80" \
		5000 dest_matches_rs "$i"
done
check_eventually "stats: the service's InPkts/InBytes are its real servers' sum and every packet the LB got for it" \
	5000 svc_is_sum

# ---------------------------------------------------------------- stickiness

# Two connections at once, each a line every 0.25 s from a fixed client
# port: rr gives each its server, and every packet of a connection (SYN,
# data, ACKs, FIN) must reach that server and no other.
paced_conn()
{
	local port=$1 i
	for i in 1 2 3 4 5 6 7 8; do
		echo "flow $port line $i"
		sleep 0.25
	done | tee "$TMP_DIR/paced.$port" |
		in_ns client socat -t 10 -T 10 - \
			"TCP6:[$VIP6]:80,bind=[$C1]:$port,connect-timeout=5" \
			>"$TMP_DIR/paced.$port.echo" 2>"$TMP_DIR/paced.$port.err" || true
}
paced_conn 40001 &
flow1_pid=$!
paced_conn 40002 &
flow2_pid=$!
wait "$flow1_pid" || true
wait "$flow2_pid" || true

flow_on_one()
{
	local n=$1 port=$2 a b l
	cmp -s "$TMP_DIR/paced.$port" "$TMP_DIR/paced.$port.echo" ||
		{ echo "the echo of port $port differs: $(head -c 300 "$TMP_DIR/paced.$port.err")"; return 1; }
	a=$(nft_packets rs1 "flow$n") || return 1
	b=$(nft_packets rs2 "flow$n") || return 1
	read -r l _ <<<"$(nft_counter lb netdev "flow$n")"
	if [ "$l" -ge 6 ] &&
	   { { [ "$a" = "$l" ] && [ "$b" = 0 ]; } || { [ "$b" = "$l" ] && [ "$a" = 0 ]; }; }; then
		return 0
	fi
	echo "connection from port $port: the LB received $l packets; rs1 got $a, rs2 got $b"
	return 1
}
for n in 1 2; do
	check_eventually "flow $n: every packet of a paced TCP connection reached one real server, none the other" \
		5000 flow_on_one "$n" $((40000 + n))
done

# ---------------------------------------------------------------- ICMPv6

# A router on the way back to the client reports "packet too big" about a
# real server's reply (quoted as VIP:80 -> client:port) to the VIP: the
# LB sends it on to the real server that holds the connection, whose TCP
# must lower its MTU, and to no other.
HELD_PORT=40010
for _ in $(seq 60); do echo x; sleep 1; done 2>/dev/null |
	in_ns client socat -T 90 - "TCP6:[$VIP6]:80,bind=[$C1]:$HELD_PORT,connect-timeout=5" \
	>/dev/null 2>&1 &
# held_owner - the real server holding the connection, once one does
held_owner()
{
	local i
	for i in 1 2; do
		in_ns "rs$i" ss -Htn state established "sport = :80 and dport = :$HELD_PORT" |
			grep -q . && { echo "rs$i"; return 0; }
	done
	return 1
}
ptb_reaches_owner()
{
	local own other
	busywait 30000 held_owner >/dev/null || { echo "no server holds the connection"; return 1; }
	own=$(held_owner)
	other=rs1
	[ "$own" = rs1 ] && other=rs2
	# To the LB's MAC: the real servers own the VIP too (on lo), and a
	# frame to every host would reach them without the LB.
	in_ns client python3 - "$VIP6" "$C1" "$HELD_PORT" "$(mac_of lb)" <<'PY'
import sys
from scapy.all import Ether, IPv6, ICMPv6PacketTooBig, TCP, Raw, sendp, conf
conf.verb = 0
vip, client, cport, lb_mac = sys.argv[1:5]
quote = bytes(IPv6(src=vip, dst=client, plen=1440, hlim=63) /
              TCP(sport=80, dport=int(cport), flags="PA"))[:48]
sendp(Ether(dst=lb_mac) / IPv6(src=client, dst=vip) /
      ICMPv6PacketTooBig(mtu=1300) / Raw(quote), iface="eth0")
PY
	busywait 10000 nft_counter_at_least "$own" ptb 1 ||
		{ echo "$own, which holds the connection, got no packet too big"; return 1; }
	[ "$(nft_packets "$other" ptb)" = 0 ] ||
		{ echo "$other got it too"; return 1; }
}
ktap_check "ICMPv6 packet too big about a reply reaches the real server that holds the connection, not the other" \
	ptb_reaches_owner
kill_ns_procs client

# ---------------------------------------------------------------- UDP

# udp_flows VIP PORT N TAG - N datagrams to [VIP]:PORT, each from a socket of
# its own (a new client port), one after the other, each waiting up to 3 s
# for its echo: TMP_DIR/TAG.sent.I and TMP_DIR/TAG.echo.I
udp_flows()
{
	in_ns client python3 - "$@" "$TMP_DIR" $((3 * DSR_WAIT_FACTOR)) <<'EOF'
import os, socket, sys
vip, port, n, tag, tmp, wait = sys.argv[1:7]
for i in range(int(n)):
    data = ("udp %s %d.%d\n" % (tag, os.getpid(), i)).encode()
    with open("%s/%s.sent.%d" % (tmp, tag, i), "wb") as f:
        f.write(data)
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(float(wait))
    s.connect((vip, int(port)))
    s.send(data)
    try:
        echo = s.recv(65535)
    except OSError:
        echo = b""
    s.close()
    with open("%s/%s.echo.%d" % (tmp, tag, i), "wb") as f:
        f.write(echo)
EOF
}

udp_spread()
{
	local i words=()
	udp_flows "$VIP6" 53 6 dns || return 1
	for i in 0 1 2 3 4 5; do
		words+=("$(stored_on "$(cat "$TMP_DIR/dns.sent.$i")" \
			"$TMP_DIR/dns.sent.$i" "$TMP_DIR/dns.echo.$i" -53)")
	done
	both_servers "${words[*]}" && return 0
	echo "the real server of each datagram: ${words[*]}"
	return 1
}
ktap_check "UDP [$VIP6]:53: 6 datagrams from 6 client ports each echoed by a real server, both servers got flows" \
	udp_spread

# IPVS decrements the hop limit in its DR transmitter as a router would;
# dsr is one routing hop too.
hop_limit()
{
	local n=0 n63=0 i c
	for i in 1 2; do
		c=$(nft_packets "rs$i" udp53) || return 1
		n=$((n + c))
		c=$(nft_packets "rs$i" udp53_hl63) || return 1
		n63=$((n63 + c))
	done
	[ "$n" -gt 0 ] && [ "$n63" -eq "$n" ] && return 0
	echo "the real servers got $n datagrams for [$VIP6]:53, $n63 of them with hop limit 63"
	return 1
}
ktap_check "hop limit: datagrams sent with hop limit 64 reach the real servers with 63" hop_limit

hop_limit_1()
{
	local before
	before=$(( $(nft_packets rs1 udp53) + $(nft_packets rs2 udp53) ))
	in_ns client python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, 1)
s.sendto(b"hop limit 1\n", (sys.argv[1], 53))
' "$VIP6"
	busywait 5000 nft_counter_at_least client time_exceeded 1 ||
		{ echo "no ICMPv6 time exceeded at the client"; return 1; }
	[ $(( $(nft_packets rs1 udp53) + $(nft_packets rs2 udp53) )) -eq "$before" ] ||
		{ echo "a real server got the hop limit 1 datagram"; return 1; }
}
ktap_check "hop limit 1: the client gets ICMPv6 time exceeded, no real server gets the datagram" \
	hop_limit_1

# ---------------------------------------------------------------- persistence

# conn FROM PORT - one TCP connection from the client's address FROM to
# [VIP6]:PORT carrying a tag; prints the real server that stored it (rs1,
# rs2), "noecho" when the tag did not come back whole, or "lost"
conn()
{
	local from=$1 port=$2 tag id
	id="$BASHPID.${EPOCHREALTIME/[.,]/}"
	tag="conn $id from $from to $port"
	echo "$tag" >"$TMP_DIR/sent.$id"
	in_ns client socat -t 10 -T 10 - \
		"TCP6:[$VIP6]:$port,connect-timeout=5,bind=[$from]" \
		<"$TMP_DIR/sent.$id" >"$TMP_DIR/echo.$id" 2>/dev/null || true
	stored_on "$tag" "$TMP_DIR/sent.$id" "$TMP_DIR/echo.$id" "-$port"
}

# conns PORT FROM... - a connection from each FROM in turn; the servers
conns()
{
	local port=$1 from out=()
	shift
	for from in "$@"; do
		out+=("$(conn "$from" "$port")")
	done
	echo "${out[*]}"
}

MASKED=$(conns 81 "$C1" "$C2" "$C1" "$C2" "$C1" "$C2")
ktap_check "-p $PERSIST -M 64: connections from $C1 and $C2 (one /64) all reach one real server (got: $MASKED)" \
	one_server "$MASKED"

# Without -M, a template per address (/128): rr's next turn for the second.
EXACT=$(conns 82 "$C1" "$C2" "$C1" "$C2")
per_address()
{
	local a b c d
	read -r a b c d <<<"$EXACT"
	[[ $a == rs[12] && $b == rs[12] ]] && [ "$a" != "$b" ] && [ "$a" = "$c" ] && [ "$b" = "$d" ]
}
ktap_check "-p $PERSIST (/128): $C1 and $C2 each stay on a server of their own (got: $EXACT)" \
	per_address

# ---------------------------------------------------------------- fwmark

fwm_conns()
{
	local s
	s=$(lb_stats lb FWM "$MARK") || { echo 0; return; }
	echo "${s%% *}"
}
FWM_BEFORE=$(fwm_conns)
MARKED=$(conns 8080 "$C1" "$C1" "$C1" "$C1")
ktap_check "-f $MARK -6: 4 connections to [$VIP6]:8080, marked by nft, reach both real servers, echo intact (got: $MARKED)" \
	both_servers "$MARKED"
fwm_moved()
{
	local now
	now=$(fwm_conns)
	[ $((now - FWM_BEFORE)) -eq 4 ] && return 0
	echo "Conns of FWM $MARK: $FWM_BEFORE before, $now after"
	adm_stats lb
	return 1
}
check_eventually "stats: the fwmark service's Conns moved by 4" 5000 fwm_moved

# ---------------------------------------------------------------- IPIP

random_file "$TMP_DIR/tun.payload" "$PAYLOAD"
tun_ok()
{
	local f stored=
	tcp_send client "$VIP6_TUN" 80 "$TMP_DIR/tun.payload" "$TMP_DIR/tun.echo" ||
		{ echo "the connection failed: $(head -c 300 "$TMP_DIR/tun.echo.err")"; return 1; }
	cmp -s "$TMP_DIR/tun.payload" "$TMP_DIR/tun.echo" ||
		{ echo "received $(stat -c %s "$TMP_DIR/tun.echo") of $PAYLOAD bytes back"; return 1; }
	for f in "$TMP_DIR"/rs3-80/data.*; do
		cmp -s "$TMP_DIR/tun.payload" "$f" && stored=$f
	done
	[ -n "$stored" ] || { echo "rs3 did not store the payload intact"; return 1; }
}
ktap_check "IPIP: 64 KiB over TCP to [$VIP6_TUN]:80 reach rs3 intact and echo back intact" tun_ok
# Packets are not compared one for one: GRO on ip6tnl0 may merge two
# decapsulated segments into one.
tun_seen()
{
	local outer from_vip inner
	read -r outer _ <<<"$(nft_counter rs3 netdev outer)"
	read -r from_vip _ <<<"$(nft_counter rs3 netdev outer_from_vip)"
	inner=$(nft_packets rs3 inner) || return 1
	[ "$outer" -gt 0 ] && [ "$inner" -gt 0 ] && return 0
	echo "rs3 received $outer IPv6-in-IPv6 packets on eth0 ($from_vip with the outer source $VIP6_TUN, its own address, which ip6tnl drops), $inner packets for [$VIP6_TUN]:80 on ip6tnl0"
	return 1
}
ktap_check "IPIP: rs3 got the flow as IPv6-in-IPv6 (next header 41), decapsulated by ip6tnl0" tun_seen
tun_replies_direct()
{
	local replies from_lb lb_from_vip
	read -r replies _ <<<"$(nft_counter client netdev tun_replies)"
	read -r from_lb _ <<<"$(nft_counter client netdev replies_from_lb)"
	read -r lb_from_vip _ <<<"$(nft_counter lb netdev from_vip)"
	[ "$replies" -gt 0 ] && [ "$from_lb" -eq 0 ] && [ "$lb_from_vip" -eq 0 ] && return 0
	echo "the client received $replies packets from [$VIP6_TUN]:80, $from_lb TCP/UDP packets from a VIP with the LB's MAC; the LB received $lb_from_vip TCP/UDP packets from a VIP"
	return 1
}
ktap_check "IPIP: the replies come from rs3 through the router, the LB never receives one" \
	tun_replies_direct

# ---------------------------------------------------------------- packet too big

# udp_once VIP PORT INFILE OUTFILE - INFILE as one datagram from a new
# socket; OUTFILE the echo, empty when none came within 3 s
udp_once()
{
	in_ns client python3 - "$@" $((3 * DSR_WAIT_FACTOR)) <<'EOF'
import socket, sys
vip, port, infile, outfile, wait = sys.argv[1:6]
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(float(wait))
s.connect((vip, int(port)))
s.send(open(infile, "rb").read())
try:
    echo = s.recv(65535)
except OSError:
    echo = b""
open(outfile, "wb").write(echo)
EOF
}

random_file "$TMP_DIR/small" 100
random_file "$TMP_DIR/big" 1450
narrow_small()
{
	udp_once "$VIP6_NARROW" 9 "$TMP_DIR/small" "$TMP_DIR/small.echo" || return 1
	cmp "$TMP_DIR/small" "$TMP_DIR/small.echo"
}
ktap_check "UDP [$VIP6_NARROW]:9: a 100-byte datagram crosses the LB's $NARROW_MTU-byte leg to rs1 and echoes back" \
	narrow_small

too_big()
{
	udp_once "$VIP6_NARROW" 9 "$TMP_DIR/big" "$TMP_DIR/big.echo1" || return 1
	busywait 5000 nft_counter_at_least client too_big_narrow 1 && return 0
	echo "the client got $(nft_packets client too_big) ICMPv6 packet too big, none with MTU $NARROW_MTU"
	return 1
}
ktap_check "a 1450-byte datagram (1498-byte packet) draws ICMPv6 packet too big with MTU $NARROW_MTU" \
	too_big
pmtu_learned()
{
	local out
	out=$(in_ns client ip -6 route get "$VIP6_NARROW")
	grep -q "mtu $NARROW_MTU" <<<"$out" && return 0
	echo "ip -6 route get $VIP6_NARROW in the client: $out"
	return 1
}
ktap_check "the client's route to $VIP6_NARROW learned mtu $NARROW_MTU" pmtu_learned
big_fragmented()
{
	udp_once "$VIP6_NARROW" 9 "$TMP_DIR/big" "$TMP_DIR/big.echo2" || return 1
	cmp "$TMP_DIR/big" "$TMP_DIR/big.echo2"
}
ktap_check "sent again, the 1450-byte datagram goes in fragments and echoes back intact" \
	big_fragmented

# ---------------------------------------------------------------- hostile

# Malformed IPv6 from the wire, to the VIP's services (seeded, so a failure
# replays): extension header chains with random fields, truncated and
# inconsistent TCP and UDP headers, ICMPv6 errors quoting garbage. The LB
# must forward or drop each without a word in the kernel log (checked at
# the end) and go on serving.
hostile6_ok()
{
	in_ns client python3 - "$VIP6" "$C1" "$(mac_of lb)" <<'PY' || return 1
import random, sys
from scapy.all import (Ether, IPv6, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrRouting, IPv6ExtHdrFragment, TCP, UDP,
                       ICMPv6DestUnreach, ICMPv6PacketTooBig, Raw, fuzz,
                       sendp, conf)
conf.verb = 0
vip, client, lb_mac = sys.argv[1:4]
random.seed(6)
exts = [IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
        IPv6ExtHdrFragment]
frames = []
for i in range(400):
    kind = i % 4
    l3 = IPv6(src=client, dst=vip)
    if kind == 0:
        # a chain of fuzzed extension headers before TCP or UDP
        chain = l3
        for _ in range(random.randint(1, 3)):
            chain = chain / fuzz(random.choice(exts)())
        l4 = TCP(dport=80) if random.random() < 0.5 else UDP(dport=53)
        pkt = chain / fuzz(l4) / Raw(b"x" * random.randint(0, 40))
    elif kind == 1:
        # TCP or UDP with a fuzzed header, cut short at random
        l4 = fuzz(TCP(dport=80)) if random.random() < 0.5 else fuzz(UDP(dport=53))
        raw = bytes(l3 / l4 / Raw(b"y" * 20))
        pkt = IPv6(raw[:random.randint(40, len(raw))])
    elif kind == 2:
        # ICMPv6 errors quoting random bytes, or a quote cut short
        err = ICMPv6PacketTooBig(mtu=random.randint(0, 2000)) \
            if random.random() < 0.5 else ICMPv6DestUnreach()
        quote = bytes(IPv6(src=vip, dst=client) / TCP(sport=80))
        quote = quote[:random.randint(0, len(quote))] + \
            random.randbytes(random.randint(0, 16))
        pkt = l3 / err / Raw(quote)
    else:
        # a payload length that lies
        pkt = IPv6(src=client, dst=vip, plen=random.randint(0, 65535)) / \
            TCP(dport=80, flags="S")
    frames.append(Ether(dst=lb_mac) / pkt)
sendp(frames, iface="eth0")
PY
	random_file "$TMP_DIR/hostile6.sent" 3000
	if ! tcp_send client "$VIP6" 80 "$TMP_DIR/hostile6.sent" "$TMP_DIR/hostile6.echo" ||
	   ! cmp -s "$TMP_DIR/hostile6.sent" "$TMP_DIR/hostile6.echo"; then
		echo "after the malformed packets, a connection to [$VIP6]:80 got no intact echo"
		return 1
	fi
}
ktap_check "400 malformed IPv6 packets to the VIP's services: the LB goes on serving (kernel log checked at the end)" \
	hostile6_ok

# ---------------------------------------------------------------- listings

# dest_line ADDR:PORT FORWARD WEIGHT - a real server's -Ln line as ipvsadm
# prints it, without the connection counters
dest_line()
{
	printf '  -> %-28s %-7s %s\n' "$1" "$2" "$3"
}

# Every real server line joined to its service's line, the connection
# counters dropped, the first line (the version) skipped: comparable
# whatever order the services come in.
listing_pairs()
{
	awk 'NR == 1 { next }
	     NR <= 3 { print; next }
	     /^  -> / { sub(/ +[0-9]+ +[0-9]+ *$/, ""); print svc " | " $0; next }
	     { sub(/ +$/, ""); svc = $0; print }' | sort
}

expected_listing()
{
	local s
	echo "Prot LocalAddress:Port Scheduler Flags"
	echo "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn"
	for s in "TCP  [$VIP6]:80 rr:80" "UDP  [$VIP6]:53 rr:53" \
		"TCP  [$VIP6]:81 rr persistent $PERSIST mask 64:81" \
		"TCP  [$VIP6]:82 rr persistent $PERSIST:82" "FWM  $MARK IPv6 rr:0"; do
		echo "${s%:*}"
		echo "${s%:*} | $(dest_line "[$RS1]:${s##*:}" Route 1)"
		echo "${s%:*} | $(dest_line "[$RS2]:${s##*:}" Route 1)"
	done
	echo "TCP  [$VIP6_TUN]:80 rr"
	echo "TCP  [$VIP6_TUN]:80 rr | $(dest_line "[$RS3]:80" Tunnel 1)"
	echo "UDP  [$VIP6_NARROW]:9 rr"
	echo "UDP  [$VIP6_NARROW]:9 rr | $(dest_line "[$RS1_NARROW]:9" Route 1)"
}

listing_ok()
{
	local out
	out=$(adm lb -Ln) || return 1
	diff -u <(expected_listing | sort) <(listing_pairs <<<"$out") >/dev/null && return 0
	echo "-Ln (service | real server lines, sorted): want -, got +"
	diff -u <(expected_listing | sort) <(listing_pairs <<<"$out") | tail -n +3
	return 1
}
ktap_check "-Ln lists the IPv6 services and real servers as ipvsadm does ([addr]:port, 'FWM  $MARK IPv6', 'mask 64', Route/Tunnel)" \
	listing_ok

expected_save()
{
	local svc rs
	for svc in "-t [$VIP6]:80" "-u [$VIP6]:53" "-t [$VIP6]:81" "-t [$VIP6]:82"; do
		case $svc in
		*:81)	echo "-A $svc -s rr -p $PERSIST -M 64" ;;
		*:82)	echo "-A $svc -s rr -p $PERSIST" ;;
		*)	echo "-A $svc -s rr" ;;
		esac
		for rs in "$RS1" "$RS2"; do
			echo "-a $svc -r [$rs]:${svc##*:} -g -w 1"
		done
	done
	echo "-A -f $MARK -6 -s rr"
	echo "-a -f $MARK -6 -r [$RS1]:0 -g -w 1"
	echo "-a -f $MARK -6 -r [$RS2]:0 -g -w 1"
	echo "-A -t [$VIP6_TUN]:80 -s rr"
	echo "-a -t [$VIP6_TUN]:80 -r [$RS3]:80 -i -w 1 --tun-type ipip"
	echo "-A -u [$VIP6_NARROW]:9 -s rr"
	echo "-a -u [$VIP6_NARROW]:9 -r [$RS1_NARROW]:9 -g -w 1"
}
save_ok()
{
	local out
	out=$(adm lb -Sn) || return 1
	diff -u <(expected_save | sort) <(sort <<<"$out") >/dev/null && return 0
	echo "-Sn (sorted): want -, got +"
	diff -u <(expected_save | sort) <(sort <<<"$out") | tail -n +3
	return 1
}
ktap_check "-Sn writes the IPv6 services as ipvsadm does ('-A -t [$VIP6]:80 -s rr', '-A -f $MARK -6', '-M 64')" \
	save_ok
{ adm lb -Ln 2>&1 || true; } | ktap_diag

ktap_check "kernel log is clean" klog_check
ktap_summary
