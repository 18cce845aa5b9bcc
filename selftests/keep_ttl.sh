#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# keep_ttl.sh - with the module parameter dr_keep_ttl, DR sends the IP
# header as it came: the real server sees the client's TTL, and a TTL 1
# datagram reaches it instead of drawing "time exceeded". Turned off again
# at run time, dsr is one routing hop once more.
#
#   client 10.0.0.1 -- sw -- lb 10.0.0.2 (VIP 10.0.0.100) -- sw -- rs1 10.0.0.11
#   UDP VIP:9 -> rs1 (-g), an echo server on rs1
#
# IPVS has no such mode: it decrements TTL in DR (since Linux 5.3). Under
# --ipvs the test skips; with DSR_KEEP_TTL_ON_IPVS=1 it runs against IPVS, and
# the first and third checks fail, which shows they can.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

KEEP_TTL=/sys/module/dsr/parameters/dr_keep_ttl

test_init
[ "$DSR_IMPL" = dsr ] || [ -n "${DSR_KEEP_TTL_ON_IPVS:-}" ] ||
	skip_all "dr_keep_ttl is dsr's (DSR_IMPL=$DSR_IMPL)"
lb_require
require_nft
lb_load

topo_dr 1
in_ns rs1 nft -f - <<EOF
table inet dsrt {
	counter udp9 { }
	counter ttl64 { }
	counter ttl63 { }
	counter ttl1 { }
	chain pre {
		type filter hook prerouting priority -500;
		ip daddr $VIP udp dport 9 counter name udp9
		ip daddr $VIP udp dport 9 ip ttl 64 counter name ttl64
		ip daddr $VIP udp dport 9 ip ttl 63 counter name ttl63
		ip daddr $VIP udp dport 9 ip ttl 1 counter name ttl1
	}
}
EOF
in_ns client nft -f - <<EOF
table inet dsrt {
	counter time_exceeded { }
	chain in {
		type filter hook input priority 0;
		icmp type time-exceeded counter name time_exceeded
	}
}
EOF
sink_start udp rs1 "$VIP" 9 "$TMP_DIR/udp"
adm lb -A -u "$VIP:9" -s rr
adm lb -a -u "$VIP:9" -r "$(rs_ip 1):9" -g -w 1
[ "$DSR_IMPL" != dsr ] || echo 1 >"$KEEP_TTL"

random_file "$TMP_DIR/small" 100
ttl_kept()
{
	udp_send client "$VIP" 9 "$TMP_DIR/small" "$TMP_DIR/small.echo" || true
	[ "$(nft_packets rs1 ttl64)" -ge 1 ] && [ "$(nft_packets rs1 ttl63)" -eq 0 ] && return 0
	echo "rs1 saw $(nft_packets rs1 udp9) datagrams for VIP:9: $(nft_packets rs1 ttl64) with TTL 64, $(nft_packets rs1 ttl63) with TTL 63"
	return 1
}
ktap_check "a datagram sent with TTL 64 reaches the real server with TTL 64" ttl_kept
ktap_check "... and its echo comes back intact" cmp -s "$TMP_DIR/small" "$TMP_DIR/small.echo"

ttl1_delivered()
{
	in_ns client socat -u - "UDP4-SENDTO:$VIP:9,ttl=1" <"$TMP_DIR/small"
	busywait 5000 nft_counter_at_least rs1 ttl1 1 ||
		{ echo "the real server did not get the TTL 1 datagram"; return 1; }
	[ "$(nft_packets client time_exceeded)" -eq 0 ] ||
		{ echo "the client got ICMP time exceeded"; return 1; }
}
ktap_check "a TTL 1 datagram reaches the real server, no time exceeded" ttl1_delivered

ttl_decremented_again()
{
	echo 0 >"$KEEP_TTL"
	udp_send client "$VIP" 9 "$TMP_DIR/small" "$TMP_DIR/small.echo2" || true
	[ "$(nft_packets rs1 ttl63)" -ge 1 ] && cmp -s "$TMP_DIR/small" "$TMP_DIR/small.echo2" &&
		return 0
	echo "after dr_keep_ttl=0: $(nft_packets rs1 ttl63) datagrams with TTL 63 at rs1"
	return 1
}
if [ "$DSR_IMPL" = dsr ]; then
	ktap_check "dr_keep_ttl=0 at run time: TTL 63 again, echo intact" ttl_decremented_again
else
	ktap_skip "dr_keep_ttl=0 at run time: dsr's parameter (DSR_IMPL=$DSR_IMPL)"
fi

ktap_summary
