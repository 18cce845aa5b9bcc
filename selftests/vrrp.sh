#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# vrrp.sh - a pair of load balancers under Debian's keepalived: VRRP moves
# the VIP from the master to the backup, and dsr on the backup takes over
# new connections and the established ones.
#
#                        client 10.0.0.1
#                          |
#   sw:  br0 ---------+----+----------+--------------+--------------+
#                     |               |              |              |
#              lb1 10.0.0.2    lb2 10.0.0.3    rs1 10.0.0.11   rs2 10.0.0.12
#              keepalived      keepalived      VIP on lo, busybox httpd
#              priority 100    priority 90     on :80, echo server on :81
#
# Both LBs restore the same rules (TCP VIP:80 and VIP:81, mh over rs1 and
# rs2); keepalived's VRRP instance holds VIP/32 on the master's eth0, and
# its notify runs "dsr-keepalived vrrp", which on MASTER adds what the
# rules have and dsr lacks, and keeps the configuration on BACKUP/FAULT/
# STOP.
#
# 1. lb1 becomes master and holds the VIP; HTTP requests are answered
#    through lb1 (its counters move, lb2's do not).
# 2. A long TCP stream to VIP:81 runs through lb1.
# 3. lb1's keepalived stops: the VIP moves to lb2; new requests are answered
#    through lb2 (with dsr, lb2 lost VIP:80 before, and its MASTER notify
#    adds it back from the rules); the stream goes on, now through lb2, without a reset
#    (the consistent hash names the same real server on both LBs; IPVS
#    needs sloppy_tcp for this, which --ipvs sets).
# 4. Both LBs still have exactly the rules they restored.
# The kernel log stays clean.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd keepalived busybox curl
lb_load

HOOK=$TOP_DIR/tools/keepalived/dsr-keepalived
KA_DIR=$TMP_DIR/keepalived
RULES=$TMP_DIR/dsr.rules
LB2_IP=$SUBNET.3
mkdir -p "$KA_DIR"

setup_ns client lb1 lb2 rs1 rs2
sw_create sw client lb1 lb2 rs1 rs2
printf '%s\n' "addr add $CLIENT_IP/24 dev eth0" "link set eth0 up" | ns_ip client
printf '%s\n' "addr add $LB_IP/24 dev eth0" "link set eth0 up" | ns_ip lb1
printf '%s\n' "addr add $LB2_IP/24 dev eth0" "link set eth0 up" | ns_ip lb2
for i in 1 2; do
	rs_sysctl "rs$i"
	printf '%s\n' "addr add $(rs_ip "$i")/24 dev eth0" "addr add $VIP/32 dev lo" \
		"link set eth0 up" | ns_ip "rs$i"
	dir=$TMP_DIR/www-rs$i
	mkdir -p "$dir"
	echo "rs$i" >"$dir/index.html"
	in_ns_bg "rs$i" busybox httpd -f -p "$VIP:80" -h "$dir"
	wait_listen "rs$i" tcp "$VIP" 80
	sink_start tcp "rs$i" "$VIP" 81 "$TMP_DIR/rs$i-81"
done

cat >"$RULES" <<EOF
-A -t $VIP:80 -s mh
-a -t $VIP:80 -r $(rs_ip 1):80 -g -w 1
-a -t $VIP:80 -r $(rs_ip 2):80 -g -w 1
-A -t $VIP:81 -s mh
-a -t $VIP:81 -r $(rs_ip 1):81 -g -w 1
-a -t $VIP:81 -r $(rs_ip 2):81 -g -w 1
EOF
for lb in lb1 lb2; do
	adm "$lb" -R <"$RULES"
	# IPVS schedules a mid-stream packet of an unknown connection only
	# with sloppy_tcp; dsr sends it where the consistent hash names
	[ "$DSR_IMPL" != ipvs ] || in_ns "$lb" sysctl -qw net.ipv4.vs.sloppy_tcp=1
done

# ka_conf LB PRIORITY
ka_conf()
{
	cat <<EOF
global_defs {
    router_id $1
    script_user root
    vrrp_garp_master_refresh 1
}
vrrp_instance VIP_WEB {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    virtual_ipaddress {
        $VIP/32 dev eth0
    }
EOF
	[ "$DSR_IMPL" != dsr ] ||
		echo "    notify \"/usr/bin/env DSRADM=$DSRADM DSR_RULES=$RULES DSR_KEEPALIVED_STATE=$KA_DIR/$1-state DSR_KEEPALIVED_LOG=$KA_DIR/$1-hook.log $HOOK vrrp\""
	echo "}"
}

ka_start()
{
	ka_conf "$1" "$2" >"$KA_DIR/$1.conf"
	in_ns_bg "$1" sh -c "exec keepalived -n -l -D -f $KA_DIR/$1.conf \
		-p $KA_DIR/$1.pid -r $KA_DIR/$1-vrrp.pid -c $KA_DIR/$1-check.pid \
		>$KA_DIR/$1.log 2>&1"
}

ka_diag()
{
	local lb
	for lb in lb1 lb2; do
		echo "$lb's keepalived (last lines):"
		tail -n 6 "$KA_DIR/$lb.log" 2>/dev/null
	done
}

# has_vip LB - the VIP is on LB's eth0
has_vip()
{
	in_ns "$1" ip -4 -o addr show dev eth0 | grep -q " $VIP/32 "
}

# vip_on LB OTHER - the VIP is on LB and not on OTHER
vip_on()
{
	if has_vip "$1" && ! has_vip "$2"; then
		return 0
	fi
	echo "VIP on $1: $(has_vip "$1" && echo yes || echo no), on $2: $(has_vip "$2" && echo yes || echo no)"
	ka_diag
	return 1
}

conns()
{
	local s
	s=$(lb_stats "$1" TCP "$VIP:$2") || return 1
	echo "${s%% *}"
}

# served_by LB OTHER - 4 HTTP requests are answered (by rs1 or rs2) and
# counted by LB, not by OTHER
served_by()
{
	local i out got=() a0 a1 b0 b1
	a0=$(conns "$1" 80) && b0=$(conns "$2" 80) || return 1
	for i in 1 2 3 4; do
		out=$(in_ns client curl -sS --max-time 5 "http://$VIP/" 2>&1) || out="err($out)"
		got+=("$out")
	done
	lb_settle
	a1=$(conns "$1" 80) && b1=$(conns "$2" 80) || return 1
	case " ${got[*]} " in
	*err*) ;;
	*)
		if [ $((a1 - a0)) = 4 ] && [ "$b1" = "$b0" ]; then
			return 0
		fi
		;;
	esac
	echo "answers: ${got[*]}; Conns on $1: $a0 -> $a1, on $2: $b0 -> $b1"
	return 1
}

ka_start lb1 100
ka_start lb2 90

# ---------------------------------------------------------------- 1. master

check_eventually "lb1 becomes master and holds the VIP" $((20000 * DSR_WAIT_FACTOR)) \
	vip_on lb1 lb2
ktap_check "requests to the VIP are answered through lb1" served_by lb1 lb2

# ---------------------------------------------------------------- 2. stream

# rs_lines - lines the real servers have received on VIP:81
rs_lines()
{
	cat "$TMP_DIR"/rs1-81/data.* "$TMP_DIR"/rs2-81/data.* 2>/dev/null | wc -l
}

stream_start 81
stream_flows()
{
	[ "$(rs_lines)" -ge 5 ] && return 0
	echo "the real servers got $(rs_lines) lines of the stream; $(cat "$TMP_DIR/stream.err")"
	return 1
}
check_eventually "a TCP stream to VIP:81 flows through lb1" $((10000 * DSR_WAIT_FACTOR)) stream_flows

# ---------------------------------------------------------------- 3. failover

# dsr: the standby has lost a service (say its module was reloaded and
# the service not restored); its MASTER notify adds it back from the rules
[ "$DSR_IMPL" != dsr ] || adm lb2 -D -t "$VIP:80"

kill "$(cat "$KA_DIR/lb1.pid")"
check_eventually "lb1's keepalived stops: the VIP moves to lb2" $((20000 * DSR_WAIT_FACTOR)) \
	vip_on lb2 lb1
# the client learns lb2's MAC from its gratuitous ARP
check_eventually "new requests to the VIP are answered through lb2" $((10000 * DSR_WAIT_FACTOR)) \
	served_by lb2 lb1

stream_survives()
{
	local before after
	before=$(rs_lines)
	nap 3
	after=$(rs_lines)
	if kill -0 "$STREAM_PID" 2>/dev/null && [ "$after" -ge $((before + 5)) ]; then
		return 0
	fi
	echo "stream lines at the real server: $before, 3 s later $after; client: $(kill -0 "$STREAM_PID" 2>/dev/null && echo running || echo "ended: $(cat "$TMP_DIR/stream.err")")"
	return 1
}
ktap_check "the established stream goes on through lb2, not reset" stream_survives

stream_through_lb2()
{
	local s pkts
	s=$(lb_stats lb2 TCP "$VIP:81") || return 1
	pkts=$(echo "$s" | cut -d ' ' -f 2)
	[ "$pkts" -gt 0 ] && return 0
	echo "lb2's VIP:81 counters: $s"
	return 1
}
ktap_check "lb2 forwards the stream's packets" stream_through_lb2

# ---------------------------------------------------------------- 4. config

same_rules()
{
	local lb bad=0
	for lb in lb1 lb2; do
		if ! diff <(sort "$RULES") <(adm "$lb" -Sn | sort) >"$TMP_DIR/diff"; then
			echo "$lb's rules differ from what it restored:"
			cat "$TMP_DIR/diff"
			bad=1
		fi
	done
	return "$bad"
}
ktap_check "both LBs still have exactly the rules they restored" same_rules

if [ "$DSR_IMPL" = dsr ]; then
	notified()
	{
		grep -q "VIP_WEB MASTER: added from $RULES: -A -t $VIP:80 -s mh;" "$KA_DIR/lb2-hook.log" &&
			grep -q 'VIP_WEB BACKUP: configuration kept' "$KA_DIR/lb2-hook.log" &&
			return 0
		cat "$KA_DIR/lb2-hook.log"
		return 1
	}
	ktap_check "lb2's notify ran for BACKUP, then for MASTER, which added back the lost service" notified
fi

kill "$STREAM_PID" 2>/dev/null || true
ktap_check "kernel log is clean" klog_check
ktap_summary
