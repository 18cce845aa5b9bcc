#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# not_vip.sh - traffic that is not for a virtual service is left alone.
#
#   client 10.0.0.1            routes 192.0.2.0/24, 198.51.100.0/24 via lb
#      | eth0
#   sw: br0 ---------------+---------------------+
#      | eth0              | eth0                |
#   rs1 10.0.0.11          lb 10.0.0.2           |
#   VIP 192.0.2.100/32     VIP 192.0.2.100/32 on lo, ip_forward=1
#   on lo (DR real         listeners: TCP VIP:8080, UDP VIP:80, TCP 10.0.0.2:80
#   server, echo on        | eth1 198.51.100.1
#   VIP:80)                |
#                          | eth0 198.51.100.2, 198.51.100.3
#                        server  (default route via lb)
#                          listeners: TCP :80, TCP :443, UDP :443
#
# Services on lb:  S1  TCP 192.0.2.100:80   rr -> rs1:80  (-g)
#                  S2  TCP 198.51.100.2:443 rr -> rs1:443 (-g)  (a VIP that
#                      is the server's address, not local to lb)
#
# The client talks to addresses and ports that are not a service: routed
# through lb (another address; the VIP of S2 with another port or another
# protocol) and local to lb (the VIP of S1 with another port or protocol,
# lb's own address, ping). Each must reach its normal receiver with its data
# intact and the client's own source address, rs1 must see none of it, and
# the services' counters must stay at zero. Finally one connection to S1
# goes to rs1 and is counted: the services were live all along.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

VIP1=192.0.2.100
VIP2=198.51.100.2
SERVER2=198.51.100.3
RS1=10.0.0.11

test_init
lb_require
require_nft
lb_load

setup_ns client lb rs1 server
sw_create sw client lb rs1
veth_link lb eth1 server eth0
ns_ip client <<EOF
addr add $CLIENT_IP/24 dev eth0
link set eth0 up
route add 192.0.2.0/24 via $LB_IP
route add 198.51.100.0/24 via $LB_IP
EOF
ns_ip lb <<EOF
addr add $LB_IP/24 dev eth0
addr add 198.51.100.1/24 dev eth1
addr add $VIP1/32 dev lo
link set eth0 up
link set eth1 up
EOF
in_ns lb sysctl -qw net.ipv4.ip_forward=1
rs_sysctl rs1
ns_ip rs1 <<EOF
addr add $RS1/24 dev eth0
addr add $VIP1/32 dev lo
link set eth0 up
EOF
ns_ip server <<EOF
addr add $VIP2/24 dev eth0
addr add $SERVER2/24 dev eth0
link set eth0 up
route add default via 198.51.100.1
EOF

# Anything that reaches rs1 for an address that is not its own service.
in_ns rs1 nft -f - <<EOF
table inet dsrt {
	counter diverted { }
	chain pre {
		type filter hook prerouting priority -500;
		ip daddr 198.51.100.0/24 counter name diverted
		ip daddr $VIP1 tcp dport != 80 counter name diverted
		ip daddr $VIP1 meta l4proto != tcp counter name diverted
	}
}
EOF

adm lb -A -t "$VIP1:80" -s rr
adm lb -a -t "$VIP1:80" -r "$RS1:80" -g -w 1
adm lb -A -t "$VIP2:443" -s rr
adm lb -a -t "$VIP2:443" -r "$RS1:443" -g -w 1

sink_start tcp server "$VIP2" 80 "$TMP_DIR/server-80"
sink_start tcp server "$SERVER2" 443 "$TMP_DIR/server2-443"
sink_start udp server "$VIP2" 443 "$TMP_DIR/server-udp443"
sink_start tcp lb "$VIP1" 8080 "$TMP_DIR/lb-8080"
sink_start udp lb "$VIP1" 80 "$TMP_DIR/lb-udp80"
sink_start tcp lb "$LB_IP" 80 "$TMP_DIR/lb-own80"
sink_start tcp rs1 "$VIP1" 80 "$TMP_DIR/rs1-80"

# flow_ok tcp|udp ADDR PORT DIR - one connection (one datagram for UDP) from
# the client; the receiver that owns DIR must have got exactly the data, from
# the client's own address, and the client the same data back
flow_ok()
{
	local proto=$1 addr=$2 port=$3 dir=$4 size=4096 data peer n
	n=${dir##*/}
	[ "$proto" = tcp ] || size=1024
	random_file "$TMP_DIR/out.$n" "$size"
	if ! "${proto}_send" client "$addr" "$port" "$TMP_DIR/out.$n" "$TMP_DIR/in.$n"; then
		echo "$proto to $addr:$port failed: $(cat "$TMP_DIR/in.$n.err")"
		return 1
	fi
	if ! cmp "$TMP_DIR/out.$n" "$TMP_DIR/in.$n"; then
		echo "the client got $(stat -c %s "$TMP_DIR/in.$n") bytes back, not its $size; socat said: $(cat "$TMP_DIR/in.$n.err")"
		ls -l "$dir"
		return 1
	fi
	data=$(echo "$dir"/data.*)
	if [ ! -f "$data" ] || ! cmp "$TMP_DIR/out.$n" "$data"; then
		echo "the receiver did not store exactly what was sent: $(ls -l "$dir")"
		return 1
	fi
	read -r peer <"${data/data./peer.}"
	if [ "$peer" != "$CLIENT_IP" ]; then
		echo "the receiver saw peer $peer, not the client's $CLIENT_IP"
		return 1
	fi
}

# Routed through the LB.
ktap_check "routed TCP to a non-VIP address ($SERVER2:443, a service port) arrives as normal" \
	flow_ok tcp "$SERVER2" 443 "$TMP_DIR/server2-443"
ktap_check "routed TCP to a VIP address on another port ($VIP2:80) arrives as normal" \
	flow_ok tcp "$VIP2" 80 "$TMP_DIR/server-80"
ktap_check "routed UDP to a TCP VIP:port ($VIP2:443) arrives as normal" \
	flow_ok udp "$VIP2" 443 "$TMP_DIR/server-udp443"

# Local to the LB.
ktap_check "TCP to the VIP on another port ($VIP1:8080) reaches the LB's own listener" \
	flow_ok tcp "$VIP1" 8080 "$TMP_DIR/lb-8080"
ktap_check "UDP to a TCP VIP:port ($VIP1:80) reaches the LB's own listener" \
	flow_ok udp "$VIP1" 80 "$TMP_DIR/lb-udp80"
ktap_check "TCP to the LB's own address on the service port ($LB_IP:80) reaches the LB's listener" \
	flow_ok tcp "$LB_IP" 80 "$TMP_DIR/lb-own80"
ktap_check "ping to the VIP ($VIP1) is answered by the LB" \
	in_ns client busybox ping -c 2 -W 3 "$VIP1"

rs1_untouched()
{
	local c
	c=$(nft_counter rs1 inet diverted) || return 1
	[ "$c" = "0 0" ] && return 0
	echo "rs1 received $c (packets bytes) that were not for its service"
	return 1
}
ktap_check "none of that traffic reached the real server" rs1_untouched

counters_zero()
{
	local out svc dst bad=0 s
	for svc in "$VIP1:80 $RS1:80" "$VIP2:443 $RS1:443"; do
		for dst in "" "${svc#* }"; do
			s=$(lb_stats lb TCP "${svc% *}" ${dst:+"$dst"}) || { bad=1; continue; }
			[ "$s" = "0 0 0" ] || { echo "TCP ${svc% *} ${dst:-(service)}: Conns InPkts InBytes = $s"; bad=1; }
		done
	done
	[ "$bad" -eq 0 ] && return 0
	out=$(adm_stats lb)
	echo "$out"
	return 1
}
lb_settle
ktap_check "service counters did not move (Conns, InPkts, InBytes all 0)" counters_zero

# The control: the services were there and working all along.
ktap_check "control: TCP to the VIP's service ($VIP1:80) goes to rs1" \
	flow_ok tcp "$VIP1" 80 "$TMP_DIR/rs1-80"
control_counted()
{
	local s
	s=$(lb_stats lb TCP "$VIP1:80" "$RS1:80") || return 1
	[ "${s%% *}" = 1 ] && [ "${s#* }" != "0 0" ] && return 0
	echo "rs1's Conns InPkts InBytes: $s"
	return 1
}
check_eventually "control: the connection is counted on S1's destination" 5000 control_counted

ktap_check "kernel log is clean" klog_check
ktap_summary
