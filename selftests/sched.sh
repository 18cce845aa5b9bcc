#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# sched.sh - the schedulers: load follows the weights, and consistent
# hashing moves as few flows as a change allows.
#
#                        client 10.0.0.1
#                          | eth0        UDP "flows": one datagram from each
#                          |             of many client ports
#   sw:  br0 --------------+-------------------+---- ... ----+
#                          | eth0              | eth0        | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11 ... rs11 10.0.0.21
#              VIP 10.0.0.100/32 on eth0       VIP/32 on lo
#
# 1. Weighted spread: 2,000 new flows over rs1..rs4 with weights 1:1:2:4
#    land within 3 points of 1/8, 1/8, 2/8, 4/8 with mh and wrr, counted at
#    the real servers; rr gives each a quarter whatever the weights.
# 2. lc and wlc follow open connections: 16 held TCP connections under wlc
#    with weights 1:1:2:4 spread 2, 2, 4, 8; then 8 more under lc go to the
#    three least loaded.
# 3. Disruption with mh and 10 real servers (flows read from -Lcn, the UDP
#    timeout short enough to start each round afresh): removing one moves no
#    flow of the other nine and spreads its flows over all nine; putting it
#    back restores the first assignment exactly; an eleventh takes close to
#    1/11 of the flows, and almost only flows move to it.
#
# IPVS runs the same test (selftests/run.sh --ipvs sched.sh): its mh hashes
# the client address alone unless told mh-port, so the test always says it.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
require_cmd python3
lb_load

NRS=11
topo_dr "$NRS"
for i in 1 2 3 4; do
	nft_vip_counter "rs$i" udp dport 9
	# Held connections idle between their bytes; never long enough for
	# the echo server to close them, however slow the guest runs.
	SINK_IDLE=120 sink_start tcp "rs$i" "$VIP" 80 "$TMP_DIR/rs$i"
done

# udp_flows FIRST COUNT PORT - one datagram to VIP:PORT from each client
# port FIRST .. FIRST+COUNT-1: each a new flow
udp_flows()
{
	in_ns client python3 - "$VIP" "$3" "$1" "$2" <<'EOF'
import socket, sys
vip, port, first, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
for p in range(first, first + count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p))
    s.sendto(b"flow %d" % p, (vip, port))
    s.close()
EOF
}

# rs_counts - packets each of rs1..rs4 received for VIP, one per line
rs_counts()
{
	local i
	for i in 1 2 3 4; do
		nft_counter "rs$i" inet vip | cut -d' ' -f1
	done
}

# shares_near BEFORE AFTER W1 W2 W3 W4 - the packets rs1..rs4 got between
# two rs_counts are within 3 percentage points of the weights' shares
shares_near()
{
	python3 - "$@" <<'EOF'
import sys
before = list(map(int, sys.argv[1].split()))
after = list(map(int, sys.argv[2].split()))
weights = list(map(int, sys.argv[3:7]))
got = [a - b for a, b in zip(after, before)]
total = sum(got)
ok = total > 0
for i, (g, w) in enumerate(zip(got, weights)):
    share, want = 100.0 * g / max(total, 1), 100.0 * w / sum(weights)
    print("rs%d: %d of %d = %.1f%%, want %.1f%%" % (i + 1, g, total, share, want))
    ok = ok and abs(share - want) <= 3.0
sys.exit(0 if ok else 1)
EOF
}

# spread ROUND SCHED [SCHED ARGS...]: 2,000 new flows (client ports
# 10000 + 2000 * ROUND on) with the service edited to SCHED; rs1..rs4 must
# get the shares of SPREAD_WEIGHTS
spread()
{
	local round=$1 sched=$2 before after
	shift 2
	before=$(rs_counts | xargs)
	adm lb -E -u "$VIP:9" -s "$sched" "$@"
	udp_flows $((10000 + 2000 * round)) 2000 9
	sleep 1
	after=$(rs_counts | xargs)
	shares_near "$before" "$after" "${SPREAD_WEIGHTS[@]}" ||
		{ adm lb -Ln --stats --digest; return 1; }
}

# 1. Weighted spread.
adm lb -A -u "$VIP:9" -s rr
SPREAD_WEIGHTS=(1 1 2 4)
for i in 1 2 3 4; do
	adm lb -a -u "$VIP:9" -r "$(rs_ip "$i"):9" -g -w "${SPREAD_WEIGHTS[$((i - 1))]}"
done
ktap_check "mh: 2000 flows over weights 1:1:2:4 land 1/8, 1/8, 2/8, 4/8 (+-3 points)" \
	spread 0 mh -b mh-port
ktap_check "wrr: the same" spread 1 wrr
SPREAD_WEIGHTS=(1 1 1 1)
ktap_check "rr: a quarter each, whatever the weights" spread 2 rr

conns_of()
{
	lb_stats lb UDP "$VIP:9" "$(rs_ip "$1"):9" | cut -d' ' -f1
}
stats_match_servers()
{
	local i c n
	for i in 1 2 3 4; do
		c=$(conns_of "$i")
		n=$(nft_counter "rs$i" inet vip | cut -d' ' -f1)
		[ "$c" -eq "$n" ] || { echo "rs$i: Conns $c, received $n"; return 1; }
	done
}
lb_settle
ktap_check "each real server's Conns equals the flows it received" stats_match_servers

# 2. lc and wlc: held connections.
adm lb -A -t "$VIP:80" -s wlc
LC_WEIGHTS=(1 1 2 4)
for i in 1 2 3 4; do
	adm lb -a -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w "${LC_WEIGHTS[$((i - 1))]}"
done

# active RS - ActiveConn of rs RS in the TCP service
active()
{
	adm lb -Ln | awk -v d="$(rs_ip "$1"):80" -v vip="$VIP:80" '
		$1 == "TCP" { cur = ($2 == vip) } cur && $2 == d { print $5 }'
}
active_total()
{
	local i t=0
	for i in 1 2 3 4; do
		t=$((t + $(active "$i")))
	done
	[ "$t" -ge "$1" ]
}
# hold FIRST LAST - open connections FIRST..LAST, one at a time, each held
# open, and wait for each to be established
hold()
{
	local held
	for held in $(seq "$1" "$2"); do
		# A byte a second: the echo servers close idle connections.
		for _ in $(seq 150); do echo x; sleep 1; done 2>/dev/null |
			in_ns client socat -T 200 - "TCP4:$VIP:80" \
			>/dev/null 2>&1 &
		busywait 30000 active_total "$held" ||
			{ echo "connection $held not established"; adm lb -Ln; adm lb -Lcn; return 1; }
	done
}
actives()
{
	local i
	for i in 1 2 3 4; do
		printf '%s ' "$(active "$i")"
	done
}
ktap_check "wlc: 16 held connections are established" hold 1 16
got=$(actives)
ktap_check "wlc: weights 1:1:2:4 give 2 2 4 8 open connections (got $got)" \
	test "$got" = "2 2 4 8 "
adm lb -E -t "$VIP:80" -s lc
ktap_check "lc: 8 more held connections are established" hold 17 24
got=$(actives)
lc_ok()
{
	# shellcheck disable=SC2086 # four numbers
	set -- $got
	[ "$4" -eq 8 ] && [ $(($1 + $2 + $3)) -eq 16 ] &&
		[ "$1" -ge 5 ] && [ "$2" -ge 5 ] && [ "$3" -ge 5 ]
}
ktap_check "lc: they go to the three least loaded, whatever the weights (got $got)" lc_ok

# 3. Disruption with mh.
adm lb --set 0 0 20
adm lb -A -u "$VIP:7" -s mh -b mh-port
for i in $(seq 10); do
	adm lb -a -u "$VIP:7" -r "$(rs_ip "$i"):7" -g -w 1
done

# flow_map FILE - send 1,000 flows to VIP:7 and write "client-port server"
# for each from the flow listing; the earlier round has expired by then
ROUND_WAIT=21
flow_map()
{
	sleep "$ROUND_WAIT"
	udp_flows 30000 1000 7
	adm lb -Lcn | awk -v vip="$VIP:7" '
		$5 == vip { n = split($4, s, ":"); m = split($6, d, ":"); print s[n], d[1] }' |
		sort >"$1"
	[ "$(wc -l <"$1")" -eq 1000 ] || { echo "$1: $(wc -l <"$1") flows listed, want 1000"; return 1; }
}

ktap_check "mh, 10 servers: 1000 flows are listed" flow_map "$TMP_DIR/map.a"
RS5=$(rs_ip 5)
adm lb -d -u "$VIP:7" -r "$RS5:7"
ktap_check "without rs5: 1000 flows are listed" flow_map "$TMP_DIR/map.b"

moved_between()
{
	join "$1" "$2" | awk -v skip="$3" '$2 != skip && $2 != $3 { n++ } END { print n + 0 }'
}
ktap_check "removing rs5 moves no flow of the other nine" \
	test "$(moved_between "$TMP_DIR/map.a" "$TMP_DIR/map.b" "$RS5")" -eq 0
spread_of_rs5()
{
	local n
	n=$(join "$TMP_DIR/map.a" "$TMP_DIR/map.b" | awk -v rs5="$RS5" '$2 == rs5 { print $3 }' | sort -u | wc -l)
	[ "$n" -eq 9 ] || { echo "rs5's flows went to $n servers"; return 1; }
}
ktap_check "rs5's flows spread over all nine others" spread_of_rs5

adm lb -a -u "$VIP:7" -r "$RS5:7" -g -w 1
ktap_check "with rs5 back: 1000 flows are listed" flow_map "$TMP_DIR/map.c"
ktap_check "putting rs5 back restores the first assignment exactly" \
	cmp "$TMP_DIR/map.a" "$TMP_DIR/map.c"

RS11=$(rs_ip 11)
adm lb -a -u "$VIP:7" -r "$RS11:7" -g -w 1
ktap_check "with rs11: 1000 flows are listed" flow_map "$TMP_DIR/map.d"
eleventh_share()
{
	local moved to11
	moved=$(join "$TMP_DIR/map.c" "$TMP_DIR/map.d" | awk '$2 != $3 { n++ } END { print n + 0 }')
	to11=$(join "$TMP_DIR/map.c" "$TMP_DIR/map.d" | awk -v rs="$RS11" '$2 != $3 && $3 == rs { n++ } END { print n + 0 }')
	echo "$moved of 1000 flows moved, $to11 of them to rs11 (1/11 = 91)"
	[ "$moved" -ge 40 ] && [ "$moved" -le 140 ] && [ $((to11 * 10)) -ge $((moved * 9)) ]
}
ktap_check "an eleventh server takes close to 1/11 of the flows, and the flows that move go to it" \
	eleventh_share
ktap_diag "$(eleventh_share)"

ktap_check "kernel log is clean" klog_check
ktap_summary
