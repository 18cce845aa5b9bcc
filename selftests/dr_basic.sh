#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# dr_basic.sh - DR load balancing of real TCP traffic over two real servers.
#
#                        client 10.0.0.1
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#              VIP 10.0.0.100/32 on eth0       VIP 10.0.0.100/32 on lo,
#              TCP VIP:80 rr -> rs1, rs2 (-g)  arp_ignore=1, arp_announce=2,
#                                              socat echo server on VIP:80
#
#   request:  client -> VIP:80 -> lb --(only the dst MAC rewritten)--> rs1|rs2
#   reply:    rs1|rs2 (source VIP) -> client, never through lb
#
# Twenty sequential connections each carry 64 KiB of random data, which the
# real server stores (one file per connection) and echoes back. Checked: the
# data arrives intact at exactly one real server and comes back intact; rr
# spreads the connections 10/10, in turn; the real servers see the client's
# own address; no reply passes the LB; the LB's counters (-Ln --stats) match
# what the real servers received, packet for packet and byte for byte; and
# -Ln shows the service and both destinations.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

NCONN=20
PAYLOAD=65536

test_init
lb_require
require_nft
lb_load

topo_dr 2
LB_MAC=$(mac_of lb)

# Counters: on each real server, what reached it for VIP:80; on the LB,
# everything it received from the VIP (replies must never get there) and
# what it received for VIP:80; on the client, the replies, and those that
# came from the LB's MAC.
for i in 1 2; do
	nft_vip_counter "rs$i" tcp dport "$VPORT"
done
in_ns lb nft -f - <<EOF
table netdev dsrt {
	counter from_vip { }
	counter to_vip { }
	counter syns { }
	chain ingress {
		type filter hook ingress device eth0 priority -500;
		ip saddr $VIP counter name from_vip
		ip daddr $VIP tcp dport $VPORT counter name to_vip
		ip daddr $VIP tcp dport $VPORT tcp flags & (syn | ack) == syn counter name syns
	}
}
EOF
in_ns client nft -f - <<EOF
table netdev dsrt {
	counter replies { }
	counter replies_from_lb { }
	counter unreach { }
	chain ingress {
		type filter hook ingress device eth0 priority -500;
		ip saddr $VIP tcp sport $VPORT counter name replies
		ether saddr $LB_MAC ip saddr $VIP counter name replies_from_lb
		icmp type destination-unreachable counter name unreach
	}
}
EOF

adm lb -A -t "$VIP:$VPORT" -s rr
adm lb -a -t "$VIP:$VPORT" -r "$(rs_ip 1):$VPORT" -g -w 1
adm lb -a -t "$VIP:$VPORT" -r "$(rs_ip 2):$VPORT" -g -w 1

tcp_sink_start rs1 "$VIP" "$VPORT" "$TMP_DIR/rs1"
tcp_sink_start rs2 "$VIP" "$VPORT" "$TMP_DIR/rs2"

# ---------------------------------------------------------------- traffic

# payload.00 .. payload.19
random_file "$TMP_DIR/payloads" $((NCONN * PAYLOAD))
(cd "$TMP_DIR" && split -a 2 -d -b "$PAYLOAD" payloads payload.)
for i in $(seq -w 0 $((NCONN - 1))); do
	tcp_send client "$VIP" "$VPORT" "$TMP_DIR/payload.$i" "$TMP_DIR/echo.$i" || true
done

# One md5sum over everything (an exec costs ~0.3 s under TCG): which real
# server stored each payload, and did each echo come back intact?
declare -A sum_of where
while read -r sum file; do
	sum_of[$file]=$sum
	case $file in
	rs[12]/data.*)
		host=${file%/data.*}
		where[$sum]+="$host "
		;;
	esac
done <<<"$(cd "$TMP_DIR" || exit; md5sum payload.* echo.* rs1/data.* rs2/data.* 2>/dev/null)"

echo_errors=
order=
count_rs1=0
count_rs2=0
lost=
for i in $(seq -w 0 $((NCONN - 1))); do
	sum=${sum_of[payload.$i]}
	if [ "${sum_of[echo.$i]:-}" != "$sum" ]; then
		echo_errors+="connection $i: received $(stat -c %s "$TMP_DIR/echo.$i") of $PAYLOAD bytes back; $(head -c 300 "$TMP_DIR/echo.$i.err")"$'\n'
	fi
	case ${where[$sum]:-} in
	"rs1 ")	order+=1; count_rs1=$((count_rs1 + 1)) ;;
	"rs2 ")	order+=2; count_rs2=$((count_rs2 + 1)) ;;
	*)	order+=-; lost+=" $i(${where[$sum]:-nowhere})" ;;
	esac
done
nfiles=$(find "$TMP_DIR/rs1" "$TMP_DIR/rs2" -name 'data.*' | wc -l)

if [ -z "$echo_errors" ]; then
	ktap_ok "$NCONN connections to VIP:$VPORT: 64 KiB sent, the same 64 KiB echoed back"
else
	ktap_not_ok "$NCONN connections to VIP:$VPORT: 64 KiB sent, the same 64 KiB echoed back"
	ktap_diag "$echo_errors"
fi

if [ -z "$lost" ] && [ "$nfiles" -eq "$NCONN" ]; then
	ktap_ok "every payload arrived intact at exactly one real server"
else
	ktap_not_ok "every payload arrived intact at exactly one real server"
	ktap_diag "payloads not stored intact by exactly one real server:${lost:- none}; connection files on the real servers: $nfiles (want $NCONN)"
fi

if [ "$count_rs1" -eq $((NCONN / 2)) ] && [ "$count_rs2" -eq $((NCONN / 2)) ]; then
	ktap_ok "rr: $((NCONN / 2)) connections on each real server"
else
	ktap_not_ok "rr: $((NCONN / 2)) connections on each real server"
	ktap_diag "rs1 got $count_rs1, rs2 got $count_rs2 (connection order: $order)"
fi

if [[ $order =~ ^(12)+$ || $order =~ ^(21)+$ ]]; then
	ktap_ok "rr: consecutive connections alternate between the real servers"
else
	ktap_not_ok "rr: consecutive connections alternate between the real servers"
	ktap_diag "real server of connections 0..$((NCONN - 1)): $order"
fi

peers_ok()
{
	local f peer bad=0
	for f in "$TMP_DIR"/rs[12]/peer.*; do
		read -r peer <"$f"
		[ "$peer" = "$CLIENT_IP" ] || { echo "$f: $peer"; bad=1; }
	done
	return "$bad"
}
ktap_check "real servers see the client's own address ($CLIENT_IP) as the peer" peers_ok

# ---------------------------------------------------------------- replies

read -r replies _ <<<"$(nft_counter client netdev replies)"
read -r from_lb_mac _ <<<"$(nft_counter client netdev replies_from_lb)"
read -r lb_from_vip _ <<<"$(nft_counter lb netdev from_vip)"
if [ "$replies" -gt 0 ] && [ "$from_lb_mac" -eq 0 ] && [ "$lb_from_vip" -eq 0 ]; then
	ktap_ok "replies go straight from the real servers to the client, not through the LB"
else
	ktap_not_ok "replies go straight from the real servers to the client, not through the LB"
fi
ktap_diag "client received $replies packets from VIP:$VPORT ($from_lb_mac of them from the LB's MAC); the LB received $lb_from_vip packets from the VIP"

# Under TCG a SYN answered in time is never retransmitted (1 s RTO): more
# SYNs than connections means the LB lost some on the way.
read -r syns _ <<<"$(nft_counter lb netdev syns)"
read -r unreach _ <<<"$(nft_counter client netdev unreach)"
if [ "$syns" -eq "$NCONN" ] && [ "$unreach" -eq 0 ]; then
	ktap_ok "no SYN lost (one per connection), no ICMP unreachable to the client"
else
	ktap_not_ok "no SYN lost (one per connection), no ICMP unreachable to the client"
	ktap_diag "the LB received $syns SYNs for $NCONN connections; the client received $unreach ICMP destination-unreachable"
fi

# ---------------------------------------------------------------- counters

conns_ok()
{
	local want=$1 svc d1 d2
	if ! svc=$(lb_stats lb TCP "$VIP:$VPORT") ||
	   ! d1=$(lb_stats lb TCP "$VIP:$VPORT" "$(rs_ip 1):$VPORT") ||
	   ! d2=$(lb_stats lb TCP "$VIP:$VPORT" "$(rs_ip 2):$VPORT"); then
		adm_stats lb
		return 1
	fi
	if [ "${svc%% *}" = "$want" ] && [ "${d1%% *}" = $((want / 2)) ] && [ "${d2%% *}" = $((want / 2)) ]; then
		return 0
	fi
	echo "Conns: service ${svc%% *} (want $want), rs1 ${d1%% *}, rs2 ${d2%% *} (want $((want / 2)) each)"
	adm_stats lb
	return 1
}
check_eventually "stats: Conns = $NCONN on the service, $((NCONN / 2)) on each destination" 5000 conns_ok "$NCONN"

# The last ACKs may still be on their way: wait for the numbers to settle.
dest_matches_rs()
{
	local i=$1 rs lb_s
	rs=$(nft_counter "rs$i" inet vip) || return 1
	lb_s=$(lb_stats lb TCP "$VIP:$VPORT" "$(rs_ip "$i"):$VPORT") || return 1
	[ "${lb_s#* }" = "$rs" ] && return 0
	echo "rs$i received $rs (packets bytes) for VIP:$VPORT; the LB counted InPkts InBytes ${lb_s#* }"
	return 1
}
for i in 1 2; do
	check_eventually "stats: InPkts/InBytes of rs$i equal what rs$i received for VIP:$VPORT" \
		5000 dest_matches_rs "$i"
done

svc_is_sum()
{
	local svc d1 d2 lbin
	svc=$(lb_stats lb TCP "$VIP:$VPORT") || return 1
	d1=$(lb_stats lb TCP "$VIP:$VPORT" "$(rs_ip 1):$VPORT") || return 1
	d2=$(lb_stats lb TCP "$VIP:$VPORT" "$(rs_ip 2):$VPORT") || return 1
	read -r lbin _ <<<"$(nft_counter lb netdev to_vip)"
	# shellcheck disable=SC2086 # split "conns pkts bytes" into words
	set -- $svc $d1 $d2
	if [ "$2" -eq $(($5 + $8)) ] && [ "$3" -eq $(($6 + $9)) ] && [ "$2" -eq "$lbin" ]; then
		return 0
	fi
	echo "service InPkts/InBytes $2/$3; destinations $5/$6 + $8/$9; packets for VIP:$VPORT that reached the LB: $lbin"
	return 1
}
check_eventually "stats: the service's InPkts/InBytes are its destinations' sum, and every packet the LB got for VIP:$VPORT" \
	5000 svc_is_sum

# ---------------------------------------------------------------- listing

listing_ok()
{
	local out first
	out=$(adm lb -Ln) || return 1
	first=$(echo "$out" | head -n 1)
	case $DSR_IMPL in
	ipvs)	[[ $first =~ ^IP\ Virtual\ Server\ version\  ]] ;;
	*)	[[ $first =~ ^dsr\ version\ [0-9]+\.[0-9]+\.[0-9]+\ \(flows=[0-9]+/[0-9]+\)$ ]] ;;
	esac || { echo "bad first line: $first"; echo "$out"; return 1; }
	if [ "$(echo "$out" | sed -n 2p)" = "Prot LocalAddress:Port Scheduler Flags" ] &&
	   [ "$(echo "$out" | sed -n 3p)" = "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn" ] &&
	   [ "$(echo "$out" | grep -c '^TCP ')" -eq 1 ] &&
	   echo "$out" | grep -Eq "^TCP  ${VIP//./\\.}:$VPORT rr *\$" &&
	   echo "$out" | grep -Eq "^  -> ${SUBNET//./\\.}\.11:$VPORT +Route +1 +[0-9]+ +[0-9]+ *\$" &&
	   echo "$out" | grep -Eq "^  -> ${SUBNET//./\\.}\.12:$VPORT +Route +1 +[0-9]+ +[0-9]+ *\$" &&
	   [ "$(echo "$out" | grep -c '^  -> ')" -eq 3 ] &&
	   [ "$(echo "$out" | wc -l)" -eq 6 ]; then
		return 0
	fi
	echo "$out"
	return 1
}
ktap_check "-Ln lists the service TCP $VIP:$VPORT rr with both destinations as Route 1" listing_ok
{ adm lb -Ln 2>&1 || true; } | ktap_diag

# --rate: while a stream flows (a line every 0.2 s, and the client's ACKs
# of the echo), its service and real servers show packets and bytes per
# second; an idle service shows none.
IDLE_PORT=$((VPORT + 1))
adm lb -A -t "$VIP:$IDLE_PORT" -s rr
adm lb -a -t "$VIP:$IDLE_PORT" -r "$(rs_ip 1):$IDLE_PORT" -g -w 1
stream_start "$VPORT"
rate_shows_stream()
{
	local busy idle rs1 rs2 pps bps pps1 pps2
	if ! { busy=$(lb_rate lb TCP "$VIP:$VPORT") &&
	       idle=$(lb_rate lb TCP "$VIP:$IDLE_PORT") &&
	       rs1=$(lb_rate lb TCP "$VIP:$VPORT" "$(rs_ip 1):$VPORT") &&
	       rs2=$(lb_rate lb TCP "$VIP:$VPORT" "$(rs_ip 2):$VPORT"); }; then
		echo "no --rate row"
		adm lb -Ln --rate
		return 1
	fi
	read -r _ pps bps <<<"$busy"
	read -r _ pps1 _ <<<"$rs1"
	read -r _ pps2 _ <<<"$rs2"
	if [ "$pps" -ge 2 ] && [ "$bps" -ge 100 ] && [ "$idle" = "0 0 0" ] &&
	   [ $((pps1 + pps2)) -ge 2 ]; then
		return 0
	fi
	echo "--rate: service $busy (cps pps bps), rs1 $rs1, rs2 $rs2, idle service $idle"
	return 1
}
check_eventually "--rate: the stream's service and real server show its packets per second, an idle service 0" \
	15000 rate_shows_stream
kill_ns_procs client
if [ "$DSR_IMPL" = dsr ]; then
	# IPVS's estimate decays over many seconds; dsr's measure is current.
	rate_zero()
	{
		local r
		r=$(lb_rate lb TCP "$VIP:$VPORT") || return 1
		[ "$r" = "0 0 0" ] || { echo "--rate: $r"; return 1; }
	}
	check_eventually "--rate: 0 again once the stream has stopped" 10000 rate_zero
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
