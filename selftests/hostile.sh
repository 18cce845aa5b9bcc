#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# hostile.sh - malformed and unusual packets to the VIPs leave no trace:
# each kind is dropped or passed on as a router would, and counted; the
# genuine traffic flowing at the same time is untouched.
#
#          client 10.0.0.1              attacker 10.0.0.5
#          one long TCP stream          hostile_gen.py (scapy, seeded):
#          to VIP:80, then new          whole Ethernet frames, 2 ms apart
#          TCP and UDP connections         |
#                | eth0                    | eth0
#   sw:  br0 ----+-------------+-----------+---+----------------+
#                              | eth0          | eth0           | eth0
#                              lb 10.0.0.2     rs1 10.0.0.11    rs2 10.0.0.12
#                  VIP 10.0.0.100/32 on eth0   VIP/32 on lo, echo servers,
#                  TCP VIP:80 (the stream),    nft counts what the attacker
#                  TCP VIP:81, UDP VIP:9       gets through
#                  rr -> rs1, rs2
#
# For every kind the generator knows, KINDS below says what a router and
# a DSR balancer should do with COUNT such packets: how many TCP and UDP
# packets reach the real servers (first fragments only: IPVS, like a Linux
# router, fragments a reassembled datagram again to the sizes it came in;
# dsr sends it whole), and which counters move by how much (the load balancer's own IP,
# UDP and ICMP MIB for what the kernel drops or delivers locally, dsr's
# drop reasons, the ICMP errors the attacker gets back). With --ipvs the
# checks that IPVS shares run against it (it has no drop reasons and is no
# routing hop: TTL, transport headers and flags are dsr's promises).

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
require_cmd /usr/bin/python3
/usr/bin/python3 -c 'import scapy.layers.inet' 2>/dev/null ||
	skip_all "python3-scapy is not installed"
lb_load

ATTACKER_IP=10.0.0.5
SEED=${DSR_HOSTILE_SEED:-20261202}
COUNT=10

# kind              rs(dsr) rs(ipvs) counters that move, NAME:DELTA (N = COUNT;
#                   "-": not checked; dsr/NAME: only with dsr, as IPVS drops
#                   a UDP packet without ports itself, uncounted)
KINDS=$(cat <<'EOF'
ip_ihl_short        0  0  Ip.InHdrErrors:N
ip_ihl_long         0  0  Ip.InHdrErrors:N
ip_version          0  0  Ip.InHdrErrors:N
ip_bad_csum         0  0  IpExt.InCsumErrors:N
ip_totlen_long      0  0  IpExt.InTruncatedPkts:N
ip_totlen_short     0  0  Ip.InHdrErrors:N
ip_truncated        0  0  Ip.InHdrErrors:N
ip_opt_nop          N  N  dsr.udp:N
ip_opt_timestamp    N  N  dsr.udp:N
ip_opt_bad_len      0  0  att.paramprob:N dsr.BAD_HEADER:N
ip_opt_lsrr         0  0  dsr.BAD_HEADER:N
tcp_truncated       0  -  dsr.BAD_HEADER:N
tcp_doff_short      0  -  dsr.BAD_HEADER:N
tcp_doff_long       0  -  dsr.BAD_HEADER:N
udp_truncated       0  -  dsr.BAD_HEADER:N
udp_len_long        0  -  dsr.BAD_HEADER:N
udp_len_short       0  -  dsr.BAD_HEADER:N
l4_no_ports         0  0  dsr/Udp.InErrors:N
udp_empty           N  N  dsr.udp:N
udp_odd_len         N  N  dsr.udp:N
tcp_odd_flags       N  -  dsr.tcp:N
ttl_0               0  -  att.timeexc:N dsr.TTL:N
ttl_1               0  -  att.timeexc:N dsr.TTL:N
frag_tiny           N  N  dsr.udp:N
frag_overlap        0  0  IpExt.ReasmOverlaps:N
frag_lone           0  0
icmp_garbage        0  0  Icmp.InMsgs:N rs.icmp:0
EOF
)

topo_dr 2
setup_ns attacker
ip -n "$(ns_name sw)" link add attacker type veth peer name eth0 \
	netns "$(ns_name attacker)"
ip -n "$(ns_name sw)" link set attacker master br0 up
printf '%s\n' "addr add $ATTACKER_IP/24 dev eth0" "link set eth0 up" | ns_ip attacker
# The switch must not judge IP headers itself: with br_netfilter loaded (the
# debug kernel has it built in) the bridge would drop them before the LB.
in_ns sw sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
# Every ICMP error the load balancer owes is sent, so that it can be counted.
in_ns lb sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_burst=10000

for i in 1 2; do
	tcp_sink_start "rs$i" "$VIP" 80 "$TMP_DIR/tcp$i"
	tcp_sink_start "rs$i" "$VIP" 81 "$TMP_DIR/tcp81-$i"
	sink_start udp "rs$i" "$VIP" 9 "$TMP_DIR/udp$i"
	in_ns "rs$i" nft -f - <<EOF
table inet dsrt {
	counter hostile { }
	counter hostile_icmp { }
	chain pre {
		type filter hook prerouting priority -500;
		ip saddr $ATTACKER_IP ip daddr $VIP meta l4proto { tcp, udp } \
			ip frag-off & 0x1fff == 0 counter name hostile
		ip saddr $ATTACKER_IP ip daddr $VIP meta l4proto icmp \
			counter name hostile_icmp
	}
}
EOF
done
in_ns attacker nft -f - <<EOF
table inet dsrt {
	counter paramprob { }
	counter timeexc { }
	chain in {
		type filter hook input priority 0;
		icmp type parameter-problem counter name paramprob
		icmp type time-exceeded counter name timeexc
	}
}
EOF
adm lb -A -t "$VIP:80" -s rr
adm lb -A -t "$VIP:81" -s rr
adm lb -A -u "$VIP:9" -s rr
for i in 1 2; do
	adm lb -a -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w 1
	adm lb -a -t "$VIP:81" -r "$(rs_ip "$i"):81" -g -w 1
	adm lb -a -u "$VIP:9" -r "$(rs_ip "$i"):9" -g -w 1
done

# ---------------------------------------------------------------- counters

declare -A C

# snap - read every counter the KINDS table names into C[]
snap()
{
	local line n1 n2
	C=()
	while read -r line; do
		C[${line% *}]=${line##* }
	done < <(in_ns lb cat /proc/net/snmp /proc/net/netstat | awk '
		$1 ~ /:$/ && !($1 in hdr) { hdr[$1] = $0; next }
		$1 ~ /:$/ {
			n = split(hdr[$1], names); split($0, vals)
			p = substr($1, 1, length($1) - 1)
			for (i = 2; i <= n; i++) print p "." names[i], vals[i]
			delete hdr[$1]
		}')
	n1=$(nft_counter rs1 inet hostile | cut -d' ' -f1)
	n2=$(nft_counter rs2 inet hostile | cut -d' ' -f1)
	C[rs]=$((n1 + n2))
	n1=$(nft_counter rs1 inet hostile_icmp | cut -d' ' -f1)
	n2=$(nft_counter rs2 inet hostile_icmp | cut -d' ' -f1)
	C[rs.icmp]=$((n1 + n2))
	while read -r line; do
		C[att.${line% *}]=${line##* }
	done < <(in_ns attacker nft list counters table inet dsrt | awk '
		$1 == "counter" { name = $2 }
		/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print name, $(i + 1) }')
	[ "$DSR_IMPL" = dsr ] || return 0
	while read -r line; do
		case $line in
		INFO.DROPS.*) line=${line#INFO.DROPS.}; C[dsr.${line% *}]=${line##* } ;;
		esac
	done < <(in_ns lb "$SELFTEST_DIR/dsr_nl.py" req INFO_GET)
	while read -r line; do
		C[${line% *}]=${line##* }
	done < <(adm lb -Ln --stats | awk -v vip="$VIP" '
		$1 == "TCP" && $2 == vip ":81" { print "dsr.tcp", $4 }
		$1 == "UDP" && $2 == vip ":9" { print "dsr.udp", $4 }')
}

# moved_as_expected KIND RS EXPECT... - compare C[] with the snapshot in B[]
# (taken before KIND was sent): the real servers got RS packets, each
# NAME:DELTA moved by exactly DELTA, and no other dsr drop reason moved
moved_as_expected()
{
	local kind=$1 rs=$2 e name want bad=0 k
	local -A wanted=()
	shift 2
	snap
	if [ "$rs" != - ] && [ $((C[rs] - B[rs])) -ne "$rs" ]; then
		echo "$kind: the real servers got $((C[rs] - B[rs])) packets, want $rs"
		bad=1
	fi
	for e in "$@"; do
		name=${e%:*}
		want=${e##*:}
		case $name in
		dsr/*) [ "$DSR_IMPL" = dsr ] || continue; name=${name#dsr/} ;;
		dsr.*) [ "$DSR_IMPL" = dsr ] || continue ;;
		esac
		wanted[$name]=1
		if [ -z "${C[$name]:-}" ]; then
			echo "$kind: no counter $name"
			bad=1
		elif [ $((C[$name] - B[$name])) -ne "$want" ]; then
			echo "$kind: $name moved by $((C[$name] - B[$name])), want $want"
			bad=1
		fi
	done
	for k in "${!C[@]}"; do
		case $k in
		dsr.tcp|dsr.udp) ;;
		dsr.*)
			[ -z "${wanted[$k]:-}" ] || continue
			[ "${C[$k]}" = "${B[$k]}" ] ||
				{ echo "$kind: dsr drop counter $k moved by $((C[$k] - B[$k]))"; bad=1; }
			;;
		esac
	done
	return "$bad"
}

# ---------------------------------------------------------------- genuine traffic

# A long TCP connection that must survive everything: numbered lines, all
# of which must arrive, in order, at one real server.
STREAM_LINES=100000
{
	for i in $(seq "$STREAM_LINES"); do
		echo "line $i"
		[ -e "$TMP_DIR/stream.stop" ] && break
		nap 0.2
	done
} | in_ns client socat -T 600 - "TCP4:$VIP:80,connect-timeout=5" \
	>/dev/null 2>"$TMP_DIR/stream.err" &
STREAM_PID=$!

stream_file()
{
	grep -l '^line 1$' "$TMP_DIR"/tcp[12]/data.* 2>/dev/null | head -n 1
}
stream_lines()
{
	local f
	f=$(stream_file) || return 1
	[ -n "$f" ] || { echo 0; return 0; }
	wc -l <"$f"
}
stream_grows()
{
	[ "$(stream_lines)" -ge "$1" ]
}
check_eventually "the genuine TCP stream flows" 20000 stream_grows 5

# ---------------------------------------------------------------- hostile kinds

coproc GEN {
	in_ns attacker /usr/bin/python3 "$SELFTEST_DIR/hostile_gen.py" --dev eth0 \
		--dst-mac "$(mac_of lb)" --src "$ATTACKER_IP" --vip "$VIP" \
		--tcp-port 81 --udp-port 9 --seed "$SEED" 2>"$TMP_DIR/gen.err"
}
gen_read()
{
	local line
	IFS= read -r -t $((60 * DSR_WAIT_FACTOR)) line <&"${GEN[0]}" || return 1
	echo "$line"
}
ready=$(gen_read) || true
[ "$ready" = ready ] ||
	fail_all "hostile_gen.py did not start: $ready $(cat "$TMP_DIR/gen.err")"
echo kinds >&"${GEN[1]}"
known=$(gen_read)
ktap_diag "seed $SEED, $COUNT packets of each kind"

declare -A B
snap_to_base()
{
	local k
	B=()
	for k in "${!C[@]}"; do B[$k]=${C[$k]}; done
}
snap
snap_to_base
tested=()
while read -r -u 3 kind rs_dsr rs_ipvs expect; do
	tested+=("$kind")
	rs=$rs_dsr
	[ "$DSR_IMPL" = dsr ] || rs=$rs_ipvs
	[ "$rs" != N ] || rs=$COUNT
	exp=()
	for e in $expect; do
		want=${e##*:}
		exp+=("${e%:*}:${want//N/$COUNT}")
	done
	echo "$kind $COUNT" >&"${GEN[1]}"
	reply=$(gen_read) || reply="(no answer)"
	if [ "$reply" != "sent $kind $COUNT" ]; then
		ktap_not_ok "$kind: the generator says: $reply"
		continue
	fi
	sleep 0.5
	check_eventually "$kind x$COUNT: real servers get ${rs/-/(any)}, ${exp[*]:-no counter moves}" \
		5000 moved_as_expected "$kind" "$rs" "${exp[@]}"
	# The last reading is where the next kind starts from.
	snap_to_base
done 3<<<"$KINDS"

missing=()
for k in $known; do
	[[ " ${tested[*]} " == *" $k "* ]] || [ "$k" = random ] || missing+=("$k")
done
ktap_check "every kind of the generator has an expectation" test ${#missing[@]} -eq 0
[ ${#missing[@]} -eq 0 ] || ktap_diag "without one: ${missing[*]}"

# Seeded garbage after a valid header, 200 packets: no expectation but that
# nothing breaks (the checks below).
echo "random 200" >&"${GEN[1]}"
ktap_check "200 seeded random transport headers sent" test "$(gen_read)" = "sent random 200"
echo quit >&"${GEN[1]}"

# ---------------------------------------------------------------- afterwards

before=$(stream_lines)
check_eventually "the genuine stream kept flowing through it all" 20000 stream_grows $((before + 5))
touch "$TMP_DIR/stream.stop"
stream_done()
{
	! kill -0 "$STREAM_PID" 2>/dev/null
}
check_eventually "the stream ends cleanly when the client closes it" 30000 stream_done
stream_intact()
{
	local f n
	f=$(stream_file)
	n=$(wc -l <"$f")
	[ -s "$TMP_DIR/stream.err" ] && { echo "socat: $(cat "$TMP_DIR/stream.err")"; return 1; }
	seq "$n" | sed 's/^/line /' | cmp - "$f" ||
		{ echo "the real server's copy of the stream is not lines 1..$n"; return 1; }
}
ktap_check "every line of the stream arrived, in order, at one real server" stream_intact

fresh_connections()
{
	local i
	random_file "$TMP_DIR/payload" 65536
	for i in 1 2 3 4; do
		tcp_send client "$VIP" 80 "$TMP_DIR/payload" "$TMP_DIR/echo" ||
			{ echo "TCP connection $i: $(cat "$TMP_DIR/echo.err")"; return 1; }
		cmp -s "$TMP_DIR/payload" "$TMP_DIR/echo" ||
			{ echo "TCP connection $i: echo differs"; return 1; }
	done
	random_file "$TMP_DIR/dgram" 1000
	for i in 1 2; do
		udp_send client "$VIP" 9 "$TMP_DIR/dgram" "$TMP_DIR/uecho" ||
			{ echo "UDP exchange $i: $(cat "$TMP_DIR/uecho.err")"; return 1; }
		cmp -s "$TMP_DIR/dgram" "$TMP_DIR/uecho" ||
			{ echo "UDP exchange $i: echo differs"; return 1; }
	done
}
ktap_check "new TCP and UDP connections work afterwards, payloads intact" fresh_connections
ktap_check "kernel log is clean" klog_check
ktap_summary
