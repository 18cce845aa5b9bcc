#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# ops.sh - one-packet scheduling (-o): every UDP datagram of a service is
# scheduled on its own, even from one client socket.
#
#                        client 10.0.0.1, one UDP socket
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#                          UDP VIP:53 rr -o    UDP sinks on VIP:53
#
# Checked: 6 datagrams from one socket alternate between the servers and
# each counts as a connection; -Ln and -Sn show "ops" and "-o" as ipvsadm
# does; without -o the same 6 stay on one server. dsr only: the flow table
# keeps nothing for the -o service, and -o is refused for TCP and next to
# --stateless, with why.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
lb_load

topo_dr 2
for i in 1 2; do
	sink_start udp "rs$i" "$VIP" 53 "$TMP_DIR/rs$i"
done

adm lb -A -u "$VIP:53" -s rr -o
for i in 1 2; do
	adm lb -a -u "$VIP:53" -r "$(rs_ip "$i"):53" -g -w 1
done

# burst SPORT N - N datagrams from one socket (source port SPORT); prints
# the server each reached, in order, or "lost"
burst()
{
	local sport=$1 n=$2 i r tag
	tag="burst $sport $BASHPID"
	for i in $(seq "$n"); do
		echo "$tag $i"
		sleep 0.3
	done | in_ns client socat -u - "UDP4:$VIP:53,sourceport=$sport" || true
	sleep 1
	for i in $(seq "$n"); do
		r=lost
		grep -qsx "$tag $i" "$TMP_DIR"/rs1/data.* && r=rs1
		grep -qsx "$tag $i" "$TMP_DIR"/rs2/data.* && r=rs2
		echo "$r"
	done | paste -sd' '
}

svc_conns()
{
	local out
	out=$(adm_stats lb) || return 1
	awk -v s="$VIP:53" '$1 == "UDP" && $2 == s { print $3; exit }' <<<"$out"
}

alternates()
{
	local a b rest w i=0
	read -r a b rest <<<"$1"
	case "$a/$b" in rs1/rs2|rs2/rs1) ;; *) return 1 ;; esac
	for w in $1; do
		if [ $((i % 2)) = 0 ]; then [ "$w" = "$a" ] || return 1
		else [ "$w" = "$b" ] || return 1
		fi
		i=$((i + 1))
	done
}

BEFORE=$(svc_conns)
OPS=$(burst 40001 6)
ktap_check "-o: 6 datagrams from one socket alternate between the servers (got: $OPS)" \
	alternates "$OPS"
lb_settle
AFTER=$(svc_conns)
ktap_check "-o: each datagram counts as a connection ($BEFORE -> $AFTER)" \
	test "$((AFTER - BEFORE))" = 6

listing_ok()
{
	local out
	out=$(adm lb -Ln) || return 1
	grep -Eq "^UDP  ${VIP//./\\.}:53 rr ops *\$" <<<"$out" && return 0
	echo "$out"
	return 1
}
ktap_check "-Ln shows 'UDP  $VIP:53 rr ops'" listing_ok
save_ok()
{
	local out
	out=$(adm lb -Sn) || return 1
	grep -qx -- "-A -u $VIP:53 -s rr -o" <<<"$out" && return 0
	echo "$out"
	return 1
}
ktap_check "-Sn writes '-A -u $VIP:53 -s rr -o'" save_ok

if [ "$DSR_IMPL" = dsr ]; then
	no_flows()
	{
		local out
		out=$(adm lb -Lcn) || return 1
		! grep -q "${VIP//./\\.}:53 " <<<"$out" && return 0
		echo "$out"
		return 1
	}
	ktap_check "-o: the flow table keeps no entry for the service" no_flows

	refused()
	{
		local out
		if out=$(adm lb -E -u "$VIP:53" -o --stateless 2>&1); then
			echo "accepted"
			return 1
		fi
		grep -q "one-packet scheduling and stateless exclude each other" <<<"$out" ||
			{ echo "$out"; return 1; }
		adm lb -Ln | grep -Eq "^UDP  ${VIP//./\\.}:53 rr ops *\$"
	}
	ktap_check "-o with --stateless is refused, with why, and the service is unchanged" refused
	refused_tcp()
	{
		local out
		# dsradm refuses it itself; the module too (the raw request).
		if out=$(adm lb -A -t "$VIP:80" -s rr -o 2>&1); then
			echo "accepted"
			return 1
		fi
		grep -q "only for UDP services" <<<"$out" || { echo "$out"; return 1; }
		! adm lb -Ln | grep -q "^TCP "
	}
	ktap_check "-o for a TCP service is refused, with why" refused_tcp
fi

# Without -o: the datagrams of one socket are one flow, on one server.
case $DSR_IMPL in
ipvs)	adm lb -E -u "$VIP:53" -s rr ;;	# ipvsadm -E states the service whole
*)	adm lb -E -u "$VIP:53" --stateful ;;	# states the flags whole: none
esac
STATEFUL=$(burst 40002 6)
ktap_check "without -o: 6 datagrams from one socket stay on one server (got: $STATEFUL)" \
	one_server "$STATEFUL"

ktap_check "kernel log is clean" klog_check
ktap_summary
