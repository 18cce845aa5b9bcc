#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# flowtable.sh - two load balancers agree, the flow table survives floods,
# timeouts hold, the host caps every namespace.
#
#                        client 10.0.0.1, VIP/32 routed via lb or lb2
#                          | eth0
#   sw:  br0 --------------+-------------+-------------+----- ... --+
#                          | eth0        | eth0        | eth0       | eth0
#                          lb 10.0.0.2   lb2 10.0.0.3  rs1 10.0.0.11 ... rs4
#                          VIP on eth0   VIP on lo     VIP/32 on lo, TCP echo
#
# 1. Two LBs given the same configuration in a different order (and by way
#    of other weights and another scheduler) report the same digest, and
#    1,000 flows sent through each are placed alike; a different weight
#    gives a different digest.
# 2. Flood: with a limit of 1,000 flows, 100,000 spoofed SYNs, ACKs and
#    RSTs from random sources; then 50 genuine connections all succeed,
#    each on the server lb2 (same configuration, no flood) names for it;
#    the counters show the untracked flows, mid-stream packets and
#    reclaimed entries, and the table never exceeds its limit.
# 3. Failover: streams established through lb go on through lb2 after lb
#    is emptied and the client's route moves: no reset, every byte echoed.
# 4. Timeouts: entries expire as --set and --set-timeouts say.
# 5. A stateless service keeps no entry; -Lc lists entries (text, JSON).
# 6. flow_max_host caps every namespace's limit, also one owned by a user
#    namespace whose root has CAP_NET_ADMIN there.
#
# dsr only: IPVS has no table digest, no flow limit and no stateless mode.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd python3 unshare
[ "$DSR_IMPL" = dsr ] || skip_all "table digests, flow limits and stateless services are dsr's"
FLOOD=$SELFTEST_DIR/flood
[ -x "$FLOOD" ] || fail_all "$FLOOD is not built (make -C selftests)"
lb_load

topo_dr 4
LB2_IP=$SUBNET.3
setup_ns lb2
ip -n "$(ns_name sw)" link add lb2 type veth peer name eth0 netns "$(ns_name lb2)"
ip -n "$(ns_name sw)" link set lb2 master br0 up
rs_sysctl lb2
printf '%s\n' "addr add $LB2_IP/24 dev eth0" "addr add $VIP/32 dev lo" \
	"link set eth0 up" | ns_ip lb2
ip -n "$(ns_name client)" route add "$VIP/32" via "$LB_IP"
for i in 1 2 3 4; do
	sink_start tcp "rs$i" "$VIP" 80 "$TMP_DIR/rs$i"
done

# via LB - the client reaches the VIP through LB's address
via()
{
	ip -n "$(ns_name client)" route replace "$VIP/32" via "$1"
}

# The same configuration, entered two ways.
adm lb -A -t "$VIP:80" -s mh
adm lb -A -u "$VIP:7" -s mh
for i in 1 2 3 4; do
	adm lb -a -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w "$i"
	adm lb -a -u "$VIP:7" -r "$(rs_ip "$i"):7" -g -w 1
done
adm lb2 -A -u "$VIP:7" -s rr
adm lb2 -A -t "$VIP:80" -s sh
for i in 4 2 3 1; do
	adm lb2 -a -u "$VIP:7" -r "$(rs_ip "$i"):7" -g -w 3
	adm lb2 -a -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w 5
done
for i in 1 2 3 4; do
	adm lb2 -e -u "$VIP:7" -r "$(rs_ip "$i"):7" -g -w 1
	adm lb2 -e -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w "$i"
done
adm lb2 -E -u "$VIP:7" -s mh
adm lb2 -E -t "$VIP:80" -s mh

# digest HOST PROTO - the digest -Ln --digest shows for the service
digest()
{
	adm "$1" -Ln --digest | awk -v p="$2" '$1 == p { for (i = 1; i < NF; i++) if ($i == "digest") print $(i + 1) }'
}
same_digests()
{
	local p a b
	for p in TCP UDP; do
		a=$(digest lb "$p")
		b=$(digest lb2 "$p")
		echo "$p: lb $a, lb2 $b"
		[ -n "$a" ] && [ "$a" = "$b" ] || return 1
	done
}
ktap_check "1. both LBs report the same digest for each service" same_digests
adm lb2 -e -t "$VIP:80" -r "$(rs_ip 2):80" -g -w 3
ktap_check "... another weight gives another digest" \
	test "$(digest lb TCP)" != "$(digest lb2 TCP)"
adm lb2 -e -t "$VIP:80" -r "$(rs_ip 2):80" -g -w 2
ktap_check "... and the same weight the same digest again" same_digests

# udp_flows FIRST COUNT - one datagram to VIP:7 from each client port
udp_flows()
{
	in_ns client python3 - "$VIP" 7 "$1" "$2" <<'EOF'
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

# flow_map HOST VIPPORT - "client-port server" of HOST's flows to VIPPORT
flow_map()
{
	adm "$1" -Lcn | awk -v vip="$VIP:$2" '
		$5 == vip { n = split($4, s, ":"); m = split($6, d, ":"); print s[n], d[1] }' | sort
}
udp_flows 20000 1000
via "$LB2_IP"
udp_flows 20000 1000
flow_map lb 7 >"$TMP_DIR/map.lb"
flow_map lb2 7 >"$TMP_DIR/map.lb2"
ktap_check "1000 flows through each LB are listed by each" \
	test "$(wc -l <"$TMP_DIR/map.lb")" -eq 1000 -a "$(wc -l <"$TMP_DIR/map.lb2")" -eq 1000
ktap_check "... and placed on the same real servers" cmp "$TMP_DIR/map.lb" "$TMP_DIR/map.lb2"
via "$LB_IP"

# 2. Flood.
adm lb --set-flow-limit 1000
info_of()
{
	adm "$1" -Ln --stats -j | python3 -c "import json, sys; print(json.load(sys.stdin)['$2'])"
}
flood_out=$(in_ns client "$FLOOD" --dst "$VIP:80" --src 10.9.0.0/16 \
	--count 100000 --kinds syn,ack,rst --pick random)
ktap_diag "$flood_out"
ktap_check "flood: 100000 spoofed SYN/ACK/RST packets sent" grep -q "sent 100000 packets" <<<"$flood_out"
ktap_check "flood: the table holds at most its limit" test "$(info_of lb flow_count)" -le 1000

random_file "$TMP_DIR/payload" 2000
GENUINE_FAILED=0
# genuine N - N connections from client ports 41001.., each must echo
genuine()
{
	local i port
	for i in $(seq "$1"); do
		port=$((41000 + i))
		# The first line names the connection for server_of_port.
		{ echo "genuine $port"; cat "$TMP_DIR/payload"; } >"$TMP_DIR/sent.$port"
		if ! in_ns client socat -t 10 -T 10 - \
			"TCP4:$VIP:80,connect-timeout=5,sourceport=$port,reuseaddr" \
			<"$TMP_DIR/sent.$port" >"$TMP_DIR/echo.$port" 2>"$TMP_DIR/echo.$port.err" ||
			! cmp -s "$TMP_DIR/sent.$port" "$TMP_DIR/echo.$port"; then
			echo "connection from port $port failed: $(cat "$TMP_DIR/echo.$port.err")"
			GENUINE_FAILED=$((GENUINE_FAILED + 1))
		fi
	done
	[ "$GENUINE_FAILED" -eq 0 ]
}
# A second flood runs during the genuine connections.
in_ns client "$FLOOD" --dst "$VIP:80" --src 10.9.0.0/16 --count 100000 \
	--kinds syn,ack,rst --pick random --seed 2 >/dev/null &
FLOOD_PID=$!
ktap_check "flood: 50 genuine connections during and after it all echo their 2000 bytes" genuine 50
wait "$FLOOD_PID" || true

# server_of_port PORT - the real server whose echo server saw client:PORT
server_of_port()
{
	local i
	for i in 1 2 3 4; do
		if grep -qsx "genuine $1" "$TMP_DIR/rs$i"/data.*; then
			rs_ip "$i"
			return
		fi
	done
}
# oracle - lb2, unflooded and with the same configuration: a SYN from each
# genuine client port through it says where mh sends that flow
oracle()
{
	via "$LB2_IP"
	in_ns client python3 - "$CLIENT_IP" "$VIP" <<'EOF'
import socket, struct, sys
src, dst = sys.argv[1], sys.argv[2]
def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_TCP)
for port in range(41001, 41051):
    tcp = struct.pack("!HHIIBBHHH", port, 80, 1, 0, 5 << 4, 0x02, 1024, 0, 0)
    pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    sock.sendto(tcp, (dst, 0))
EOF
	via "$LB_IP"
}
mh_placed()
{
	local port want got bad=0 names
	oracle
	sleep 1
	# One listing: the oracle's entries answered by a RST live only for
	# the RST timeout, shorter than 50 listings on a loaded host.
	names=$(adm lb2 -Lcn)
	for port in $(seq 41001 41050); do
		want=$(awk -v c="$CLIENT_IP:$port" -v vip="$VIP:80" \
			'$4 == c && $5 == vip { split($6, d, ":"); print d[1] }' <<<"$names")
		got=$(server_of_port "$port")
		if [ -z "$want" ] || [ "$want" != "$got" ]; then
			echo "port $port: served by ${got:-nobody}, mh names ${want:-nothing}"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
}
ktap_check "flood: each genuine connection was served where mh names" mh_placed
flood_counters()
{
	local c
	for c in flow_untracked flow_midstream flow_evictions flow_inserts; do
		echo "$c $(info_of lb "$c")"
	done
	[ "$(info_of lb flow_untracked)" -gt 0 ] && [ "$(info_of lb flow_midstream)" -gt 0 ] &&
		[ "$(info_of lb flow_evictions)" -gt 0 ]
}
check_eventually "flood: untracked flows, mid-stream packets and reclaimed single-packet entries are counted" \
	10000 flood_counters
ktap_diag "$(flood_counters)"
ktap_check "flood: the table still holds at most its limit" test "$(info_of lb flow_count)" -le 1000
adm lb --set-flow-limit 100000

# 3. Failover: streams through lb, then lb2.
# stream PORT - 60 numbered lines, one every 0.1 s, to VIP:80 from PORT;
# the echo goes to $TMP_DIR/stream.PORT
stream()
{
	seq 60 | while read -r n; do echo "stream $1 line $n"; sleep 0.1; done |
		in_ns client socat -t 10 -T 20 - "TCP4:$VIP:80,connect-timeout=5,sourceport=$1,reuseaddr" \
			>"$TMP_DIR/stream.$1" 2>"$TMP_DIR/stream.$1.err"
}
STREAM_PIDS=()
for port in 42001 42002 42003 42004 42005 42006; do
	stream "$port" &
	STREAM_PIDS+=("$!")
done
sleep 2
via "$LB2_IP"
adm lb -C
adm lb2 -Z
STREAM_STATUS=()
for pid in "${STREAM_PIDS[@]}"; do
	rc=0
	wait "$pid" || rc=$?
	STREAM_STATUS+=("$rc")
done
streams_intact()
{
	local i port bad=0
	for i in "${!STREAM_STATUS[@]}"; do
		port=$((42001 + i))
		if [ "${STREAM_STATUS[$i]}" -ne 0 ]; then
			echo "stream $port failed: $(cat "$TMP_DIR/stream.$port.err")"
			bad=1
		elif ! diff -q <(seq 60 | sed "s/^/stream $port line /") "$TMP_DIR/stream.$port" >/dev/null; then
			echo "stream $port: echo incomplete ($(wc -l <"$TMP_DIR/stream.$port") lines)"
			bad=1
		fi
	done
	[ "$bad" -eq 0 ]
}
ktap_check "3. failover: 6 streams started through lb finish through lb2, every line echoed, no reset" streams_intact
ktap_check "... lb2 took them mid-stream" test "$(info_of lb2 flow_midstream)" -gt 0

# 4. Timeouts.
adm lb2 --set 30 3 2
adm lb2 --set-timeouts syn=2,rst=1
# expire_of VIPPORT CLIENT - the expiry (seconds) -Lcn shows for a flow
expire_of()
{
	adm lb2 -Lcn | awk -v c="$2" -v vip="$VIP:$1" '$4 == c && $5 == vip { split($2, t, ":"); print t[1] * 60 + t[2], $3 }'
}
udp_flows 43000 1
got=$(expire_of 7 "$CLIENT_IP:43000")
ktap_check "4. a UDP flow is listed with the UDP timeout of 2 s (got: $got)" \
	test "${got%% *}" -le 2 -a -n "$got"
sleep 3
ktap_check "... and is gone 3 s later" test -z "$(expire_of 7 "$CLIENT_IP:43000")"
{ sleep 4; } 2>/dev/null | in_ns client socat -T 10 - "TCP4:$VIP:80,sourceport=43001,reuseaddr" >/dev/null 2>&1 &
HELD_PID=$!
sleep 2
got=$(expire_of 80 "$CLIENT_IP:43001")
ktap_check "an established TCP flow is listed with the tcp timeout of 30 s (got: $got)" \
	grep -Eq '^(2[5-9]|30) ESTABLISHED$' <<<"$got"
wait "$HELD_PID" || true
sleep 1
got=$(expire_of 80 "$CLIENT_IP:43001")
ktap_check "after the client's FIN: the tcpfin timeout of 3 s (got: $got)" \
	grep -Eq '^[0-3] FIN_WAIT$' <<<"$got"
# From an address nobody has, so that no RST follows the SYN-ACK.
LONER=$SUBNET.77
in_ns client "$FLOOD" --dst "$VIP:80" --src "$LONER/32" --count 1 --kinds syn >/dev/null
got=$(adm lb2 -Lcn | awk -v c="$LONER:" -v vip="$VIP:80" 'index($4, c) == 1 && $5 == vip && $3 == "SYN_RECV" { print $2 }')
ktap_check "a lone SYN is listed with the syn timeout of 2 s (got: $got)" \
	grep -Eq '^00:0[0-2]$' <<<"$got"
sleep 4
ktap_check "... and both TCP flows have expired 4 s later" \
	test -z "$(adm lb2 -Lcn | awk -v c="$CLIENT_IP:43001" -v l="$LONER:" '$4 == c || index($4, l) == 1')"
ktap_check "expiries are counted" test "$(info_of lb2 flow_expiries)" -gt 0

# A lone RST (a client answering a server's retransmission after a failover
# or reload) goes where the hash says, but is neither an entry nor a
# connection.
rst_before="$(info_of lb2 flow_inserts) $(info_of lb2 flow_midstream) $(lb_stats lb2 TCP "$VIP:80" | cut -d' ' -f1)"
in_ns client "$FLOOD" --dst "$VIP:80" --src 10.9.1.0/24 --count 20 --kinds rst >/dev/null
lb_settle
lone_rsts()
{
	local inserts midstream conns listed
	read -r inserts midstream conns <<<"$rst_before"
	listed=$(adm lb2 -Lcn | awk 'index($4, "10.9.1.") == 1' | wc -l)
	if [ "$(info_of lb2 flow_inserts)" -eq "$inserts" ] &&
	   [ "$(info_of lb2 flow_midstream)" -eq $((midstream + 20)) ] &&
	   [ "$(lb_stats lb2 TCP "$VIP:80" | cut -d' ' -f1)" -eq "$conns" ] &&
	   [ "$listed" -eq 0 ]; then
		return 0
	fi
	echo "before: inserts midstream conns $rst_before;" \
	     "after: $(info_of lb2 flow_inserts) $(info_of lb2 flow_midstream)" \
	     "$(lb_stats lb2 TCP "$VIP:80" | cut -d' ' -f1), $listed entries listed"
	return 1
}
check_eventually "20 lone RSTs are forwarded mid-stream, not recorded, not counted as connections" 5000 lone_rsts

# 5. Stateless, and the listing.
adm lb2 -E -u "$VIP:7" --stateless
before=$(info_of lb2 flow_inserts)
udp_flows 44000 100
lb_settle
ktap_check "5. a stateless service forwards 100 flows without an entry" \
	test "$(info_of lb2 flow_inserts)" -eq "$before" -a "$(lb_stats lb2 UDP "$VIP:7" | cut -d' ' -f2)" -ge 100
adm lb2 -E -u "$VIP:7" --stateful
udp_flows 44000 3
json_flows()
{
	adm lb2 -Lcn -j | python3 -c "
import json, sys
data = json.load(sys.stdin)
flows = data if isinstance(data, list) else data.get('flows', [])
mine = [f for f in flows if 44000 in f.values() or 44001 in f.values() or 44002 in f.values()]
assert len(mine) == 3, flows[:5]
print('ok')"
}
ktap_check "-Lcn -j lists the flows as JSON" json_flows

# 6. The host-wide cap.
PARAM=/sys/module/dsr/parameters/flow_max_host
saved_cap=$(cat "$PARAM")
echo 5000 >"$PARAM"
refused()
{
	local out
	if out=$("$@" 2>&1); then
		echo "accepted: $*"
		return 1
	fi
	echo "$out"
	grep -q "host" <<<"$out"
}
ktap_check "6. a namespace cannot raise its limit above flow_max_host" \
	refused adm lb2 --set-flow-limit 6000
ktap_check "... but may set one below it" adm lb2 --set-flow-limit 4000
userns()
{
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare --user --map-root-user --net sh -c '
		ip link set lo up &&
		"$1" -A -t 10.0.0.100:80 -s mh &&
		if "$1" --set-flow-limit 6000; then echo "raised above the cap"; exit 1; fi &&
		"$1" --set-flow-limit 5000' sh "$DSRADM"
}
if unshare --user --map-root-user true 2>/dev/null; then
	ktap_check "... also when its owner is root only in a user namespace" userns
else
	ktap_skip "... also when its owner is root only in a user namespace (no user namespaces here)"
fi
echo "$saved_cap" >"$PARAM"

ktap_check "kernel log is clean" klog_check
ktap_summary
