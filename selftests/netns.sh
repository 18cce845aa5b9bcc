#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# netns.sh - dsr's state is per network namespace.
#
# Two separate copies of the DR topology, with the same addresses and the
# same VIP, each LB in its own namespace:
#
#         a-client 10.0.0.1                      b-client 10.0.0.1
#            |                                      |
#   a-sw: br0 ---+------------+          b-sw: br0 ---+------------+------------+
#                |            |                       |            |            |
#         a-lb 10.0.0.2   a-rs1 10.0.0.11        b-lb 10.0.0.2  b-rs2 10.0.0.12  b-rs3 10.0.0.13
#         VIP 10.0.0.100                         VIP 10.0.0.100
#         TCP VIP:80 rr -> .11                   TCP VIP:80 rr -> .12, .13
#
# A service configured in a-lb is invisible in b-lb and in the initial
# namespace, and does not act on b's traffic; the same VIP configured in
# b-lb works on its own (its own destinations, its own counters); deleting
# a's service leaves b's alone.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
lb_load

topo_dr 1 a- 1
topo_dr 2 b- 2
for h in a-rs1 b-rs2 b-rs3; do
	sink_start tcp "$h" "$VIP" 80 "$TMP_DIR/$h"
done
echo hello >"$TMP_DIR/hello"

# services HOST - the "PROT VIP:PORT" and "-> RS:PORT" lines of -Ln in HOST
services()
{
	adm "$1" -Ln | awk '$1 == "TCP" || $1 == "UDP" || $1 == "FWM" { print $1, $2 } $1 == "->" && $2 != "RemoteAddress:Port" { print "->", $2 }'
}

# listed HOST EXPECTED - services() of HOST is EXPECTED (lines joined by ";")
listed()
{
	local got
	got=$(services "$1" | paste -sd ';')
	[ "$got" = "$2" ] && return 0
	echo "$1 lists '$got', want '$2'"
	adm "$1" -Ln
	return 1
}

# connect CLIENT_TAG N - N connections from ${TAG}client to VIP:80
connect()
{
	local i
	for i in $(seq "$2"); do
		tcp_send "${1}client" "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/out" ||
			{ echo "connection $i failed: $(cat "$TMP_DIR/out.err")"; return 1; }
		cmp -s "$TMP_DIR/hello" "$TMP_DIR/out" ||
			{ echo "connection $i: wrong echo"; return 1; }
	done
}

# got RS N - real server RS has had N connections
got()
{
	local n
	n=$(find "$TMP_DIR/$1" -name 'data.*' | wc -l)
	[ "$n" -eq "$2" ] && return 0
	echo "$1 had $n connections, want $2"
	return 1
}

# conns HOST N - the service VIP:80 in HOST counts N connections
conns()
{
	local s
	s=$(lb_stats "$1" TCP "$VIP:80") || { adm_stats "$1"; return 1; }
	[ "${s%% *}" = "$2" ] && return 0
	echo "$1: Conns InPkts InBytes $s, want Conns $2"
	return 1
}

refused()
{
	local rc=0
	tcp_send "${1}client" "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/out" || rc=$?
	[ "$rc" -ne 0 ] && grep -qi refused "$TMP_DIR/out.err" && return 0
	echo "${1}client -> VIP:80: exit $rc, $(cat "$TMP_DIR/out.err")"
	return 1
}

A_LIST="TCP $VIP:80;-> $SUBNET.11:80"
B_LIST="TCP $VIP:80;-> $SUBNET.12:80;-> $SUBNET.13:80"

adm a-lb -A -t "$VIP:80" -s rr
adm a-lb -a -t "$VIP:80" -r "$SUBNET.11:80" -g -w 1

ktap_check "a service added in namespace a is listed there" listed a-lb "$A_LIST"
ktap_check "it is not listed in namespace b" listed b-lb ""
ktap_check "it is not listed in the initial namespace" init_ns_lists_nothing
ktap_check "it does not act on b's traffic: b's LB refuses VIP:80 itself" refused b-
ktap_check "... and b's real servers see nothing" got b-rs2 0

adm b-lb -A -t "$VIP:80" -s rr
adm b-lb -a -t "$VIP:80" -r "$SUBNET.12:80" -g -w 1
adm b-lb -a -t "$VIP:80" -r "$SUBNET.13:80" -g -w 1

ktap_check "the same VIP added in namespace b is listed with b's destinations" listed b-lb "$B_LIST"
ktap_check "namespace a still lists only its own" listed a-lb "$A_LIST"

ktap_check "2 connections in a go to a's real server" connect a- 2
ktap_check "4 connections in b go to b's real servers" connect b- 4
ktap_check "a-rs1 got 2" got a-rs1 2
ktap_check "b-rs2 got 2 (rr)" got b-rs2 2
ktap_check "b-rs3 got 2 (rr)" got b-rs3 2
check_eventually "a's counters: Conns 2" 5000 conns a-lb 2
check_eventually "b's counters: Conns 4" 5000 conns b-lb 4

adm a-lb -D -t "$VIP:80"
ktap_check "after deleting a's service, a lists nothing" listed a-lb ""
ktap_check "b's service is unchanged" listed b-lb "$B_LIST"
ktap_check "a's LB no longer balances" refused a-
ktap_check "b still balances" connect b- 2
ktap_check "b-rs2 got 3, b-rs3 got 3" eval 'got b-rs2 3 && got b-rs3 3'
check_eventually "b's counters: Conns 6" 5000 conns b-lb 6

ktap_check "kernel log is clean" klog_check
ktap_summary
