#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# keepalived.sh - Debian's keepalived checks the real servers and dsr
# follows it through tools/keepalived/dsr-keepalived.
#
#                        client 10.0.0.1   (curl http://VIP:PORT/)
#                          |
#   sw:  br0 --------------+-------------------+-------------------+
#                          |                   |                   |
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#              VIP 10.0.0.100/32, keepalived   busybox httpd on :80, :81, :82
#                                              (VIP on lo), each page names
#                                              its server
#
#   TCP VIP:80 rr  rs1, rs2  HTTP_GET; a failure drains (weight 0)
#   TCP VIP:81 rr  rs1, rs2  HTTP_GET; a failure removes the real server
#   TCP VIP:82 wrr rs1, rs2  MISC_CHECK misc_dynamic on rs2: the check's
#                            exit status sets its weight
#
# With dsr, keepalived's own IPVS table lives in an otherwise empty
# namespace (net_namespace_ipvs) and its notify_up/notify_down and
# MISC_CHECK run dsr-keepalived. With --ipvs, keepalived programs IPVS in
# the LB's namespace itself (inhibit_on_failure on VIP:80), and the same
# checks prove what an operator sees from keepalived + IPVS today.
#
# 1. keepalived starts: both real servers answer on each VIP.
# 2. rs1's httpd on :80 stops: within the checker's interval rs1 is drained
#    (weight 0) and every new request is answered by rs2 without an error;
#    it comes back when httpd returns.
# 3. rs1's httpd on :81 stops: rs1 is removed from VIP:81, and added back,
#    as it was, when httpd returns.
# 4. rs2's MISC_CHECK exits 7, then 12: its weight becomes 5, then 10.
# 0. The shipped example configurations pass keepalived -t.
# 5. IPVS-mirror mode (dsr only): keepalived programs IPVS in the otherwise
#    unused namespace, dsr-keepalived mirror copies it into dsr on each
#    event; the same services appear in dsr, and a checker failure shows.
# The kernel log stays clean.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd keepalived busybox curl flock
lb_load

HOOK=$TOP_DIR/tools/keepalived/dsr-keepalived
KA_DIR=$TMP_DIR/keepalived
IPVS_NS=$(ns_name kaipvs)
mkdir -p "$KA_DIR"
# keepalived's checker interval; it notices a failure within about this
DELAY=2
# how long a checker's verdict may take to reach the LB's table
CHECK_WAIT=$(((DELAY * 3 + 10) * 1000 * DSR_WAIT_FACTOR))

topo_dr 2
[ "$DSR_IMPL" != dsr ] || setup_ns kaipvs

# httpd_start RS PORT - busybox httpd on RS, all addresses, port PORT
httpd_start()
{
	local dir=$TMP_DIR/www-$1-$2
	mkdir -p "$dir"
	echo "$1" >"$dir/index.html"
	in_ns_bg "$1" sh -c "echo \$\$ >$dir.pid; exec busybox httpd -f -p $2 -h $dir"
	# busybox listens on [::]:PORT, which takes IPv4 too
	busywait 5000 port_listening "$1" "$2"
}

port_listening()
{
	in_ns "$1" ss -H -tln "sport = :$2" | grep -q .
}

httpd_stop()
{
	local pidf=$TMP_DIR/www-$1-$2.pid
	kill "$(cat "$pidf")"
	busywait 5000 not_listening "$1" "$2"
}

not_listening()
{
	! port_listening "$@"
}

for rs in rs1 rs2; do
	for port in 80 81 82; do
		httpd_start "$rs" "$port"
	done
done

# requests PORT N - who answered each of N requests to VIP:PORT ("err" for
# a failed one), in one line
requests()
{
	local i out words=()
	for i in $(seq "$2"); do
		out=$(in_ns client curl -sS --max-time 5 "http://$VIP:$1/" 2>/dev/null) || out=err
		words+=("$out")
	done
	echo "${words[*]}"
}

# answered PORT N rsK|both - N requests to VIP:PORT all succeed, and are
# all answered by rsK, or by rs1 and rs2 both
answered()
{
	local got
	got=$(requests "$1" "$2")
	case $3 in
	both)
		case " $got " in
		*" err "*) ;;
		*rs1*rs2*|*rs2*rs1*) return 0 ;;
		esac
		;;
	*)
		one_server "$got" && [ "${got%% *}" = "$3" ] && return 0
		;;
	esac
	echo "$2 requests to VIP:$1 answered by: $got (want $3)"
	return 1
}

# ---------------------------------------------------------------- config

echo 0 >"$TMP_DIR/misc-status"
# The MISC_CHECK command: its exit status is whatever misc-status says.
# shellcheck disable=SC2016 # expanded by the check, not here
printf '#!/bin/sh\nexit "$(cat %s)"\n' "$TMP_DIR/misc-status" >"$TMP_DIR/misc-check"
chmod 755 "$TMP_DIR/misc-check"

# rs_block VIP_PORT RS PORT MODE - one real_server block
rs_block()
{
	local port=$1 rs=$2 ip
	ip=$(rs_ip "${rs#rs}")
	echo "    real_server $ip $port {"
	echo "        weight 1"
	if [ "$DSR_IMPL" = dsr ] && [ "$3" != misc ]; then
		local remove=
		[ "$3" = remove ] && remove=" --remove"
		echo "        notify_up \"$HOOK_ENV $HOOK rs up$remove -t $VIP:$port -r $ip:$port\""
		echo "        notify_down \"$HOOK_ENV $HOOK rs down$remove -t $VIP:$port -r $ip:$port\""
	fi
	if [ "$3" = misc ]; then
		local cmd=$TMP_DIR/misc-check
		[ "$DSR_IMPL" != dsr ] ||
			cmd="$HOOK_ENV $HOOK check --dynamic -t $VIP:$port -r $ip:$port -- $cmd"
		echo "        MISC_CHECK {"
		echo "            misc_path \"$cmd\""
		echo "            misc_timeout 5"
		echo "            misc_dynamic"
		echo "        }"
	else
		echo "        HTTP_GET {"
		echo "            url {"
		echo "                path /"
		echo "                status_code 200"
		echo "            }"
		echo "            connect_timeout 2"
		echo "            retry 1"
		echo "            delay_before_retry 1"
		echo "        }"
	fi
	echo "    }"
}

HOOK_ENV="/usr/bin/env DSRADM=$DSRADM DSR_KEEPALIVED_STATE=$KA_DIR/state DSR_KEEPALIVED_LOG=$KA_DIR/hook.log"

write_conf()
{
	local port
	# a top-level keyword, like net_namespace
	[ "$DSR_IMPL" != dsr ] || echo "net_namespace_ipvs $IPVS_NS"
	echo "global_defs {"
	echo "    router_id dsr_selftest"
	echo "    script_user root"
	echo "}"
	for port in 80 81 82; do
		echo "virtual_server $VIP $port {"
		echo "    delay_loop $DELAY"
		if [ "$port" = 82 ]; then
			echo "    lb_algo wrr"
		else
			echo "    lb_algo rr"
		fi
		echo "    lb_kind DR"
		echo "    protocol TCP"
		# IPVS's own drain; dsr's comes from notify_down
		[ "$DSR_IMPL" = dsr ] || [ "$port" != 80 ] || echo "    inhibit_on_failure"
		case $port in
		80)	rs_block 80 rs1 drain; rs_block 80 rs2 drain ;;
		81)	rs_block 81 rs1 remove; rs_block 81 rs2 remove ;;
		82)	rs_block 82 rs1 http; rs_block 82 rs2 misc ;;
		esac
		echo "}"
	done
}

# With dsr, the services are dsr's own configuration (the rules file a
# boot-time restore loads); keepalived only drains and restores.
if [ "$DSR_IMPL" = dsr ]; then
	for port in 80 81 82; do
		sched=rr
		[ "$port" != 82 ] || sched=wrr
		adm lb -A -t "$VIP:$port" -s "$sched"
		for i in 1 2; do
			adm lb -a -t "$VIP:$port" -r "$(rs_ip "$i"):$port" -g -w 1
		done
	done
fi

write_conf >"$KA_DIR/keepalived.conf"

ka_start()
{
	in_ns_bg lb sh -c "exec keepalived -n -l -D -f $1 -p $KA_DIR/ka.pid \
		-c $KA_DIR/checkers.pid -r $KA_DIR/vrrp.pid >$KA_DIR/ka.log 2>&1"
}

ka_stop()
{
	local pid
	pid=$(cat "$KA_DIR/ka.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	busywait 10000 gone "$pid" || true
}

gone()
{
	! kill -0 "$1" 2>/dev/null
}

ka_diag()
{
	echo "keepalived's log (last lines):"
	tail -n 15 "$KA_DIR/ka.log" 2>/dev/null
	echo "dsr-keepalived's log:"
	tail -n 10 "$KA_DIR/hook.log" 2>/dev/null
	adm lb -Sn
}

# weight_of PORT RS - the real server's weight in -Sn ("absent" if not
# there)
weight_of()
{
	adm lb -Sn | awk -v svc="$VIP:$1" -v rs="$(rs_ip "${2#rs}"):$1" '
		$1 == "-a" && $3 == svc && $5 == rs {
			for (i = 6; i < NF; i++) if ($i == "-w") { print $(i + 1); found = 1 }
		}
		END { if (!found) print "absent" }'
}

weight_is()
{
	local got
	got=$(weight_of "$1" "$2")
	[ "$got" = "$3" ] && return 0
	echo "weight of $2 in VIP:$1: $got (want $3)"
	ka_diag
	return 1
}

ka_start "$KA_DIR/keepalived.conf"

# ---------------------------------------------------------------- 1. start

examples_ok()
{
	local f bad=0
	for f in keepalived-dsr.conf keepalived-mirror.conf; do
		# in the LB namespace: the examples name its eth0
		if ! in_ns lb keepalived -t -f "$TOP_DIR/tools/keepalived/$f" >"$TMP_DIR/t.out" 2>&1; then
			echo "keepalived -t -f $f:"
			cat "$TMP_DIR/t.out"
			bad=1
		fi
	done
	return "$bad"
}
ktap_check "the example configurations pass keepalived's own check (keepalived -t)" examples_ok

both_answer()
{
	answered 80 4 both || { ka_diag; return 1; }
	answered 81 4 both
}
# keepalived's checkers must have run once before failures can be seen
check_eventually "keepalived started: rs1 and rs2 answer on VIP:80 and VIP:81" \
	$((20000 * DSR_WAIT_FACTOR)) both_answer

# ---------------------------------------------------------------- 2. drain

httpd_stop rs1 80
check_eventually "rs1's httpd on :80 stops: rs1 is drained (weight 0) in VIP:80" \
	$CHECK_WAIT weight_is 80 rs1 0

ktap_check "while rs1 is drained, 6 new requests to VIP:80 reach rs2, none fails" \
	answered 80 6 rs2

httpd_start rs1 80
check_eventually "rs1's httpd on :80 returns: its weight is 1 again" \
	$CHECK_WAIT weight_is 80 rs1 1

ktap_check "after the return, VIP:80 is balanced over rs1 and rs2 again" answered 80 4 both

# ---------------------------------------------------------------- 3. remove

httpd_stop rs1 81
check_eventually "rs1's httpd on :81 stops: rs1 is removed from VIP:81" \
	$CHECK_WAIT weight_is 81 rs1 absent

ktap_check "while rs1 is removed, 4 requests to VIP:81 reach rs2, none fails" \
	answered 81 4 rs2

httpd_start rs1 81
back81()
{
	weight_is 81 rs1 1 || return 1
	adm lb -Sn | grep -q -- "-a -t $VIP:81 -r $(rs_ip 1):81 -g -w 1" ||
		{ echo "rs1 is back, but not as it was:"; adm lb -Sn; return 1; }
}
check_eventually "rs1's httpd on :81 returns: rs1 is added back as it was (-g -w 1)" \
	$CHECK_WAIT back81

# ---------------------------------------------------------------- 4. misc_dynamic

echo 7 >"$TMP_DIR/misc-status"
check_eventually "MISC_CHECK exits 7 (misc_dynamic): rs2's weight in VIP:82 becomes 5" \
	$CHECK_WAIT weight_is 82 rs2 5
echo 12 >"$TMP_DIR/misc-status"
check_eventually "MISC_CHECK exits 12: rs2's weight becomes 10" \
	$CHECK_WAIT weight_is 82 rs2 10

ka_stop

# ---------------------------------------------------------------- 5. mirror

if [ "$DSR_IMPL" = dsr ]; then
	adm lb -C
	# The operator's virtual_server blocks, as they are: no dsr hooks.
	HOOK_ENV='' DSR_IMPL=mirror write_conf |
		sed "/^global_defs {/a\\    lvs_notify_fifo $KA_DIR/lvs.fifo\\n    lvs_notify_fifo_script \"$HOOK_ENV $HOOK mirror --ipvs-netns $IPVS_NS --interval 2\"" \
		>"$KA_DIR/mirror.conf"
	sed -i "1i net_namespace_ipvs $IPVS_NS" "$KA_DIR/mirror.conf"
	ka_start "$KA_DIR/mirror.conf"

	same_table()
	{
		local ipvs dsr
		# the same lines; the order of services is each one's own
		ipvs=$(ip netns exec "$IPVS_NS" ipvsadm -Sn | sort) || return 1
		dsr=$(adm lb -Sn | sort) || return 1
		if [ -n "$ipvs" ] && [ "$ipvs" = "$dsr" ]; then
			return 0
		fi
		echo "IPVS in $IPVS_NS:"
		echo "$ipvs"
		echo "dsr:"
		echo "$dsr"
		echo "IPVS in the LB's namespace (should be empty):"
		in_ns lb ipvsadm -Sn
		head -n 8 "$KA_DIR/mirror.conf"
		ka_diag
		return 1
	}
	check_eventually "mirror: dsr has the services and real servers keepalived programmed in IPVS" \
		$((20000 * DSR_WAIT_FACTOR)) same_table
	mirror_served()
	{
		local before after
		if [ -n "$(in_ns lb ipvsadm -Sn)" ]; then
			echo "keepalived programmed IPVS in the LB's namespace:"
			in_ns lb ipvsadm -Sn
			return 1
		fi
		before=$(lb_stats lb TCP "$VIP:80") || return 1
		answered 80 4 both || return 1
		after=$(lb_stats lb TCP "$VIP:80") || return 1
		[ $((${after%% *} - ${before%% *})) = 4 ] && return 0
		echo "dsr's Conns for VIP:80: $before -> $after (want +4)"
		return 1
	}
	ktap_check "mirror: dsr (not IPVS) balances VIP:80 over rs1 and rs2" mirror_served

	httpd_stop rs2 81
	mirror_failed()
	{
		weight_is 81 rs2 absent || return 1
		same_table
	}
	check_eventually "mirror: rs2's httpd on :81 stops: rs2 leaves VIP:81 in IPVS and in dsr" \
		$CHECK_WAIT mirror_failed
	ka_stop
	grep -q 'mirror: event: RS' "$KA_DIR/hook.log" ||
		ktap_diag "no lvs_notify_fifo event reached the mirror (polling did the work)"
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
