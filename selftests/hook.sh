#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# hook.sh - each namespace chooses where dsr takes VIP traffic.
#
# Two copies of the DR topology, one LB per namespace, each LB with an
# INPUT firewall (nft, filter priority) that counts VIP:80 packets and, at
# first, drops them:
#
#         a-client 10.0.0.1                    b-client 10.0.0.1
#            |                                    |
#   a-sw: br0 ---+------------+          b-sw: br0 ---+------------+
#                |            |                       |            |
#         a-lb 10.0.0.2   a-rs1 10.0.0.11        b-lb 10.0.0.2   b-rs1 10.0.0.11
#         pre-routing                            local-in (dsradm --hook)
#         INPUT drops VIP:80                     INPUT drops VIP:80
#
# 1. a-lb (pre-routing, the default) forwards VIP traffic before the
#    firewall: connections succeed and INPUT counts nothing.
# 2. b-lb, moved to local-in with its service in place, is behind its
#    firewall: the INPUT rule counts and drops the SYNs and b-rs1 gets
#    nothing; without the drop, connections succeed and INPUT counts them.
#    The listing names each namespace's hook.
# 3. A stream through b-lb survives moving its hook back to pre-routing
#    (the service and its flows are kept), and INPUT stops counting.
# 4. A bad hook name is a usage error; the kernel log stays clean.
#
# IPVS always hooks LOCAL_IN: selftests/run.sh --ipvs hook.sh runs part 2's
# firewall checks on b-lb (where its INPUT firewall must hold).

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
lb_load

topo_dr 1 a- 1
topo_dr 1 b- 1
for h in a-rs1 b-rs1; do
	sink_start tcp "$h" "$VIP" 80 "$TMP_DIR/$h"
done
echo hello >"$TMP_DIR/hello"

# firewall HOST drop|accept - HOST's INPUT chain counts VIP:80 packets in
# counter "input" and then drops or accepts them
firewall()
{
	in_ns "$1" nft -f - <<EOF
table inet dsrt
delete table inet dsrt
table inet dsrt {
	counter input { }
	chain input {
		type filter hook input priority filter;
		ip daddr $VIP tcp dport 80 counter name input $2
	}
}
EOF
}
for h in a-lb b-lb; do
	firewall "$h" drop
	adm "$h" -A -t "$VIP:80" -s rr
	adm "$h" -a -t "$VIP:80" -r "$(rs_ip 1):80" -g -w 1
done

# input_packets HOST - packets HOST's INPUT rule has counted
input_packets()
{
	local c
	c=$(nft_counter "$1" inet input) || return 1
	echo "${c%% *}"
}
# connects TAG - a connection from TAG's client to VIP:80 is echoed
connects()
{
	tcp_send "${1}client" "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/out" ||
		{ echo "connection failed: $(cat "$TMP_DIR/out.err")"; return 1; }
	cmp "$TMP_DIR/hello" "$TMP_DIR/out"
}
# served RS - connections RS has had
served()
{
	find "$TMP_DIR/$1" -name 'data.*' | wc -l
}
# hook_of HOST - the hook -Ln --stats names on its title line
hook_of()
{
	adm "$1" -Ln --stats | sed -n '1s/.*hook=\([a-z-]*\).*/\1/p'
}

if [ "$DSR_IMPL" = dsr ]; then
	ktap_check "1. pre-routing (the default): a connection through a-lb's firewall succeeds" connects a-
	ktap_check "... and a-lb's INPUT firewall saw none of it" test "$(input_packets a-lb)" -eq 0
	ktap_check "... a-lb lists its hook as pre-routing" test "$(hook_of a-lb)" = pre-routing
	adm b-lb --hook local-in
	ktap_check "2. b-lb moved to local-in lists it so" test "$(hook_of b-lb)" = local-in
	ktap_check "... and a-lb still lists pre-routing" test "$(hook_of a-lb)" = pre-routing
fi

# blocked - b's connection fails, its SYNs are counted and dropped by
# b-lb's INPUT firewall, and b-rs1 is not reached
blocked()
{
	local before_rs rc=0
	before_rs=$(served b-rs1)
	tcp_send b-client "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/out" || rc=$?
	echo "connection: exit $rc; INPUT counted $(input_packets b-lb); b-rs1 served $(served b-rs1) (before: $before_rs)"
	[ "$rc" -ne 0 ] && [ "$(input_packets b-lb)" -gt 0 ] && [ "$(served b-rs1)" -eq "$before_rs" ]
}
ktap_check "local-in: b-lb's INPUT firewall drops VIP:80 before the balancer" blocked
firewall b-lb accept
in_ns b-lb nft reset counters >/dev/null
ktap_check "local-in without the drop: a connection through b-lb succeeds" connects b-
ktap_check "... and b-lb's INPUT firewall counted it" test "$(input_packets b-lb)" -gt 0

if [ "$DSR_IMPL" = dsr ]; then
	# A stream of numbered lines through b-lb while its hook moves.
	{ for i in $(seq 40); do echo "line $i"; sleep 0.1; done; } |
		in_ns b-client socat -t 10 -T 20 - "TCP4:$VIP:80,connect-timeout=5" \
		>"$TMP_DIR/stream" 2>"$TMP_DIR/stream.err" &
	stream=$!
	sleep 1.5
	adm b-lb --hook pre-routing
	in_ns b-lb nft reset counters >/dev/null
	rc=0
	wait "$stream" || rc=$?
	stream_whole()
	{
		[ "$rc" -eq 0 ] && cmp <(seq 40 | sed 's/^/line /') "$TMP_DIR/stream" && return 0
		echo "stream: exit $rc, $(wc -l <"$TMP_DIR/stream") of 40 lines: $(cat "$TMP_DIR/stream.err")"
		return 1
	}
	ktap_check "3. a stream through b-lb survives moving its hook back to pre-routing" stream_whole
	ktap_check "... after which b-lb's INPUT firewall saw none of it" test "$(input_packets b-lb)" -eq 0
	ktap_check "... and b-lb lists pre-routing" test "$(hook_of b-lb)" = pre-routing
	bad_hook()
	{
		local out rc=0
		out=$(adm b-lb --hook input 2>&1) || rc=$?
		[ "$rc" -eq 2 ] && [ "$out" = "dsradm: invalid hook 'input': pre-routing or local-in" ] && return 0
		echo "exit $rc: $out"
		return 1
	}
	ktap_check "4. an unknown hook name is a usage error" bad_hook
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
