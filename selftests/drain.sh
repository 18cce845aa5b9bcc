#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# drain.sh - weight 0 drains a real server, removing it takes it down.
#
#                        client 10.0.0.1
#                          | eth0        one long stream to VIP:81, and
#                          |             short connections to VIP:81
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#              VIP 10.0.0.100/32 on eth0       VIP/32 on lo, echo server
#              TCP VIP:81 rr -> rs1, rs2       on VIP:81
#
# 1. The stream lands on rs1 (rr's first pick).
# 2. Drain rs1 (dsradm -e ... -w 0): the stream keeps flowing to rs1, every
#    new connection goes to rs2, and the listing shows rs1 at weight 0 with
#    its one active connection.
# 3. Remove rs1 (dsradm -d): its flow moves with the next packet; rs2 has no
#    such connection and resets it, so the stream ends, rs1 receives nothing
#    more, and new connections still work.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
lb_load

topo_dr 2
for i in 1 2; do
	sink_start tcp "rs$i" "$VIP" 81 "$TMP_DIR/rs$i"
done
adm lb -A -t "$VIP:81" -s rr
for i in 1 2; do
	adm lb -a -t "$VIP:81" -r "$(rs_ip "$i"):81" -g -w 1
done

RS1=$(rs_ip 1):81

# connections RS - how many connections RS has accepted so far
connections()
{
	find "$TMP_DIR/$1" -name 'data.*' | wc -l
}

# bytes RS - what RS received so far, over all its connections
bytes()
{
	cat "$TMP_DIR/$1"/data.* 2>/dev/null | wc -c
}

# grows RS BASE N - RS received N more bytes than BASE
grows()
{
	[ "$(bytes "$1")" -ge $(($2 + $3)) ]
}

gone()
{
	! kill -0 "$1" 2>/dev/null
}

# short_connections N - N sequential short connections, all must succeed
short_connections()
{
	local i
	random_file "$TMP_DIR/payload" 1000
	for i in $(seq "$1"); do
		tcp_send client "$VIP" 81 "$TMP_DIR/payload" "$TMP_DIR/echo" ||
			{ echo "connection $i failed: $(cat "$TMP_DIR/echo.err")"; return 1; }
		cmp -s "$TMP_DIR/payload" "$TMP_DIR/echo" ||
			{ echo "connection $i: echo differs"; return 1; }
	done
}

# 1. The stream.
stream_start 81

check_eventually "the stream lands on rs1 and flows" 30000 grows rs1 0 30
ktap_check "rs2 has no connection yet" test "$(connections rs2)" -eq 0

# 2. Drain rs1.
adm lb -e -t "$VIP:81" -r "$RS1" -g -w 0
drained_listing()
{
	local out
	out=$(adm lb -Ln) || return 1
	grep -Eq "^  -> ${RS1//./\\.} +Route +0 +1 " <<<"$out" && return 0
	echo "want rs1 at weight 0 with 1 active connection:"
	echo "$out"
	return 1
}
check_eventually "rs1 is listed at weight 0 with its 1 active connection" 5000 drained_listing

base1=$(bytes rs1)
base2=$(connections rs2)
ktap_check "while rs1 drains, 4 new connections succeed" short_connections 4
ktap_check "... all 4 on rs2" test "$(connections rs2)" -eq $((base2 + 4))
ktap_check "... none on rs1" test "$(connections rs1)" -eq 1
check_eventually "the stream keeps flowing to the drained rs1" 20000 grows rs1 "$base1" 30

# 3. Remove rs1: it is down, its flow moves to rs2, which resets it.
adm lb -d -t "$VIP:81" -r "$RS1"
check_eventually "the stream ends once rs1 is removed (rs2 resets it)" 30000 gone "$STREAM_PID"
after=$(bytes rs1)
sleep 1
ktap_check "rs1 receives nothing more" test "$(bytes rs1)" -eq "$after"
ktap_check "new connections still succeed (on rs2)" short_connections 2
ktap_check "kernel log is clean" klog_check
ktap_summary
