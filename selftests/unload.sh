#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# unload.sh - unloading the module, and deleting the LB's namespace, while
# traffic flows.
#
#                        client 10.0.0.1
#                          | eth0        a loop of short connections to VIP:80
#                          |             and one long stream to VIP:81
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#              VIP 10.0.0.100/32 on eth0       VIP/32 on lo, echo servers
#              TCP VIP:80 rr -> rs1, rs2       on VIP:80 and VIP:81
#              TCP VIP:81 rr -> rs1, rs2
#
# 1. With both kinds of traffic flowing, rmmod succeeds promptly. Then the
#    LB no longer balances: the stream is reset, a new connection is
#    refused by the LB itself (the VIP is its address, nothing listens), and
#    the real servers receive nothing more.
# 2. The first listing loads the module again by itself (no modprobe);
#    configure again: balancing works and is counted.
#    Then delete and re-add every service 20 times under UDP traffic.
# 3. With traffic flowing again, delete the LB's namespace (dsr configured in
#    a non-init namespace). Nothing of it shows in the initial namespace, and
#    the module unloads afterwards (no reference left behind).
# The kernel log must stay free of oopses, WARNINGs and the like throughout.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
lb_load

topo_dr 2

for i in 1 2; do
	nft_vip_counter "rs$i"
	sink_start tcp "rs$i" "$VIP" 80 "$TMP_DIR/rs$i-80"
	sink_start tcp "rs$i" "$VIP" 81 "$TMP_DIR/rs$i-81"
done

configure()
{
	local port i
	for port in 80 81; do
		adm lb -A -t "$VIP:$port" -s rr
		for i in 1 2; do
			adm lb -a -t "$VIP:$port" -r "$(rs_ip "$i"):$port" -g -w 1
		done
	done
}

# traffic_loop LOG - up to 60 short connections to VIP:80 (each bounded by
# socat's timeouts), one line "ok" or "fail" per connection in LOG
traffic_loop()
{
	local log=$1 i
	head -c 2000 /dev/urandom >"$log.payload"
	for i in $(seq 60); do
		if tcp_send client "$VIP" 80 "$log.payload" "$log.echo" &&
		   cmp -s "$log.payload" "$log.echo"; then
			echo ok
		else
			echo fail
		fi >>"$log"
	done
}

oks()
{
	grep -c '^ok$' "$1" 2>/dev/null || true
}

# at_least_ok LOG N - the loop has N successful connections
at_least_ok()
{
	[ "$(oks "$1")" -ge "$2" ]
}

# stream_bytes - what the real servers received on VIP:81 so far
stream_bytes()
{
	cat "$TMP_DIR"/rs[12]-81/data.* 2>/dev/null | wc -c
}

# stream_flowing BASE N - N more bytes than BASE arrived on VIP:81
stream_flowing()
{
	[ "$(stream_bytes)" -ge $(($1 + $2)) ]
}

gone()
{
	! kill -0 "$1" 2>/dev/null
}

stop_bg()
{
	local p
	for p in "$@"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "$@"; do
		busywait 15000 gone "$p" || kill -9 "$p" 2>/dev/null || true
	done
}

rs_packets()
{
	local a b
	a=$(nft_counter rs1 inet vip) && b=$(nft_counter rs2 inet vip) || return 1
	echo "$((${a% *} + ${b% *}))"
}

# unload_bg - rmmod in the background (it may block in the kernel, where
# no signal reaches it), waiting at most 60 s for it
unload_bg()
{
	local t0 pid rc=0
	t0=$(now_ms)
	lb_unload &
	pid=$!
	if ! busywait 60000 gone "$pid"; then
		echo "rmmod still running after 60 s"
		return 1
	fi
	wait "$pid" || rc=$?
	echo "rmmod: exit $rc after $(($(now_ms) - t0)) ms"
	[ "$rc" -eq 0 ] && ! lb_loaded
}

# ---------------------------------------------------------------- 1. rmmod

configure
traffic_loop "$TMP_DIR/loop1" &
loop_pid=$!
stream_start 81

check_eventually "traffic flows: short connections to VIP:80 succeed" 60000 \
	at_least_ok "$TMP_DIR/loop1" 3
check_eventually "traffic flows: the stream to VIP:81 reaches a real server" 30000 \
	stream_flowing 0 30

# IPVS refuses to unload while a service uses its scheduler: the stand-in
# flushes first. dsr must unload as it is.
[ "$DSR_IMPL" != ipvs ] || adm lb -C
oks_before=$(oks "$TMP_DIR/loop1")
if out=$(unload_bg 2>&1); then
	ktap_ok "module unloads while traffic flows"
	ktap_diag "$out; $oks_before connections had succeeded"
else
	ktap_not_ok "module unloads while traffic flows"
	ktap_diag "$out"
	klog_new | tail -n 40 | ktap_diag
	fail_all "cannot go on with the module still loaded"
fi

stream_cut()
{
	gone "$STREAM_PID" && return 0
	echo "the stream to VIP:81 is still open 20 s after the unload"
	return 1
}
check_eventually "the stream is cut (reset by the LB) once the module is gone" 20000 stream_cut
stop_bg "$loop_pid" "$STREAM_PID"

refused()
{
	local before after rc=0 t0 ms
	before=$(rs_packets) || return 1
	echo hello >"$TMP_DIR/hello"
	t0=$(now_ms)
	tcp_send client "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/hello.out" || rc=$?
	ms=$(($(now_ms) - t0))
	sleep 1
	after=$(rs_packets) || return 1
	if [ "$rc" -ne 0 ] && grep -qi refused "$TMP_DIR/hello.out.err" && [ "$before" = "$after" ]; then
		return 0
	fi
	echo "connect to VIP:80: exit $rc after $ms ms: $(cat "$TMP_DIR/hello.out.err")"
	echo "packets to the VIP at the real servers: $before before, $after after"
	return 1
}
ktap_check "after the unload, a new connection is refused by the LB and no real server sees it" refused
ktap_check "kernel log is clean after the unload" klog_check

# ---------------------------------------------------------------- 2. reload

# The admin tool's first request loads the module: dsr's generic netlink
# family alias (the kernel asks modprobe for it), ipvsadm's own modprobe.
on_demand()
{
	! lb_loaded || { echo "the module is still loaded"; return 1; }
	adm lb -Ln >/dev/null || { echo "the listing failed"; return 1; }
	lb_loaded || { echo "the listing did not load the module"; return 1; }
}
ktap_check "the first listing loads the module on demand, without modprobe" on_demand

reload_ok()
{
	lb_load || { echo "modprobe failed"; return 1; }
	configure || { echo "configuring again failed"; return 1; }
	echo hello >"$TMP_DIR/hello"
	tcp_send client "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/hello.out" ||
		{ echo "connection failed: $(cat "$TMP_DIR/hello.out.err")"; return 1; }
	cmp "$TMP_DIR/hello" "$TMP_DIR/hello.out" || return 1
}
ktap_check "reload and reconfigure: a connection to VIP:80 is balanced again" reload_ok

counted_once()
{
	local s
	s=$(lb_stats lb TCP "$VIP:80") || { adm_stats lb; return 1; }
	[ "${s%% *}" = 1 ] && return 0
	echo "service TCP $VIP:80 Conns InPkts InBytes: $s (want Conns 1)"
	return 1
}
check_eventually "reload and reconfigure: the new connection is counted" 5000 counted_once

# ---------------------------------------------------------------- churn
#
# Deleting the last service unhooks dsr and frees the flow table while
# packets may be inside the hook; adding it back rebuilds both. Do it
# repeatedly under a stream of datagrams.

# udp_flood - bursts of datagrams to VIP:81 until churn.done appears (at
# most 60 s)
udp_flood()
{
	local end=$((SECONDS + 60))
	while [ ! -e "$TMP_DIR/churn.done" ] && [ "$SECONDS" -lt "$end" ]; do
		seq 200 | in_ns client socat -u - "UDP4-SENDTO:$VIP:81" \
			2>/dev/null || true
	done
}

churn_ok()
{
	local i pid
	udp_flood &
	pid=$!
	for i in $(seq 20); do
		adm lb -A -u "$VIP:81" -s rr || return 1
		adm lb -a -u "$VIP:81" -r "$(rs_ip 1):81" -g -w 1 || return 1
		adm lb -D -t "$VIP:80" || return 1
		adm lb -D -t "$VIP:81" || return 1
		adm lb -D -u "$VIP:81" || return 1
		configure || return 1
	done
	touch "$TMP_DIR/churn.done"
	wait "$pid"
	klog_check
}
ktap_check "20 rounds of deleting and re-adding every service under UDP traffic: clean kernel log" churn_ok

# ---------------------------------------------------------------- 3. netns

traffic_loop "$TMP_DIR/loop2" &
loop_pid=$!
base=$(stream_bytes)
stream_start 81
check_eventually "traffic flows again" 60000 at_least_ok "$TMP_DIR/loop2" 2
check_eventually "the stream flows again" 30000 stream_flowing "$base" 30

del_ns lb
sleep 2
stop_bg "$loop_pid" "$STREAM_PID"
ktap_ok "LB namespace deleted while traffic flowed"

ktap_check "nothing of the deleted namespace shows in the initial namespace" init_ns_lists_nothing

[ "$DSR_IMPL" != ipvs ] || sleep 1
if out=$(unload_bg 2>&1); then
	ktap_ok "module unloads after its namespace was deleted"
	ktap_diag "$out"
else
	ktap_not_ok "module unloads after its namespace was deleted"
	ktap_diag "$out"
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
