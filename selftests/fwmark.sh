#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# fwmark.sh - firewall-mark services (-f): the LB's firewall marks what a
# service takes, here TCP to VIP:80 and VIP:443, in the mangle table.
#
#                        client 10.0.0.1
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#        nft mangle: tcp VIP:80,443 mark 1     echo servers on VIP:80, :443,
#        FWM 1 rr (-p 60 later)                :8080
#
# Checked: connections to both marked ports reach both real servers under
# rr, payload intact; an unmarked port is not forwarded; the counters of
# the service move; -Ln and -Sn name the service and its servers as
# ipvsadm does (port 0); an ICMP error about a reply reaches the real
# server that holds the connection; with -p a client's connections to both ports
# share one server (a template per mark, not per port); deleting the
# service stops forwarding. dsr only: the same in LOCAL_IN placement
# (--hook local-in), the template in -Lcn, an address service taking its
# VIP:port ahead of the mark, and that the mark hook runs
# only while the namespace has fwmark services (counted with kprobes).

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
lb_load

topo_dr 2
MARK=1

for i in 1 2; do
	for port in 80 443 8080; do
		tcp_sink_start "rs$i" "$VIP" "$port" "$TMP_DIR/rs$i-$port"
	done
done

# The firewall's mark, set where firewalls set marks: the mangle priority.
in_ns lb nft -f - <<EOF
table ip fwmark_test {
	chain pre {
		type filter hook prerouting priority mangle;
		ip daddr $VIP tcp dport { 80, 443 } meta mark set $MARK
	}
}
EOF

adm lb -A -f "$MARK" -s rr
for i in 1 2; do
	adm lb -a -f "$MARK" -r "$(rs_ip "$i")" -g -w 1
done

# conn PORT - one connection to VIP:PORT that sends a tag; prints the real
# server that stored it (rs1, rs2), "noecho" when the tag did not come back
# whole, or "lost"
conn()
{
	local port=$1 tag id
	# Called in a subshell: a name of its own, not a counter.
	id="$BASHPID.$(date +%s%N)"
	tag="conn $id to $port"
	echo "$tag" >"$TMP_DIR/sent.$id"
	in_ns client socat -t 10 -T 10 - "TCP4:$VIP:$port,connect-timeout=5" \
		<"$TMP_DIR/sent.$id" >"$TMP_DIR/echo.$id" 2>/dev/null || true
	stored_on "$tag" "$TMP_DIR/sent.$id" "$TMP_DIR/echo.$id" "-$port"
}

# conns_alternating N - N connections, to port 80 and 443 in turn
conns_alternating()
{
	local i out=()
	for i in $(seq "$1"); do
		if [ $((i % 2)) = 1 ]; then
			out+=("$(conn 80)")
		else
			out+=("$(conn 443)")
		fi
	done
	echo "${out[*]}"
}

fwm_conns()
{
	local out
	out=$(adm_stats lb) || return 1
	awk -v m="$MARK" '$1 == "FWM" && $2 == m { print $3; exit }' <<<"$out"
}

BEFORE=$(fwm_conns)
SPREAD=$(conns_alternating 4)
ktap_check "rr: 4 connections to the marked ports 80 and 443 reach both servers, echo intact (got: $SPREAD)" \
	both_servers "$SPREAD"
UNMARKED=$(conn 8080)
ktap_check "a connection to the unmarked port 8080 is not forwarded (got: $UNMARKED)" \
	test "$UNMARKED" = lost
lb_settle
AFTER=$(fwm_conns)
ktap_check "the service's Conns moved by 4 ($BEFORE -> $AFTER)" \
	test "$((AFTER - BEFORE))" = 4

listing_ok()
{
	local out rs
	out=$(adm lb -Ln) || return 1
	grep -Eq "^FWM  $MARK rr *\$" <<<"$out" || { echo "$out"; return 1; }
	for i in 1 2; do
		rs=$(rs_ip "$i")
		grep -Eq "^  -> ${rs//./\\.}:0 +Route +1 " <<<"$out" ||
			{ echo "$out"; return 1; }
	done
}
ktap_check "-Ln lists 'FWM  $MARK rr' and its servers with port 0, Route 1" listing_ok
save_ok()
{
	local out
	out=$(adm lb -Sn) || return 1
	grep -qx -- "-A -f $MARK -s rr" <<<"$out" &&
		grep -qx -- "-a -f $MARK -r $(rs_ip 1):0 -g -w 1" <<<"$out" &&
		grep -qx -- "-a -f $MARK -r $(rs_ip 2):0 -g -w 1" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Sn writes '-A -f $MARK -s rr' and '-a -f $MARK -r RS:0 -g -w 1'" save_ok

# ICMP about a reply: the client reports "fragmentation needed" to the VIP
# about the real server's reply on a held connection to the marked port
# 80. The error itself carries no mark; it must reach the real server that
# owns the connection, and only that one.
for i in 1 2; do
	in_ns "rs$i" nft -f - <<EOF
table inet dsrt {
	counter frag_needed { }
	chain in {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code frag-needed counter name frag_needed
	}
}
EOF
done
HELD_PORT=40080
for _ in $(seq 90); do echo x; sleep 1; done 2>/dev/null |
	in_ns client socat -T 120 - "TCP4:$VIP:80,sourceport=$HELD_PORT,connect-timeout=5" \
	>/dev/null 2>&1 &
# owner - the real server holding the connection, once one does
owner()
{
	local i
	for i in 1 2; do
		in_ns "rs$i" ss -Htn state established "sport = :80 and dport = :$HELD_PORT" |
			grep -q . && { echo "rs$i"; return 0; }
	done
	return 1
}
icmp_reaches_owner()
{
	local own other
	busywait 30000 owner >/dev/null || { echo "no server holds the connection"; return 1; }
	own=$(owner)
	other=rs1
	[ "$own" = rs1 ] && other=rs2
	in_ns client python3 - "$VIP" "$CLIENT_IP" "$HELD_PORT" <<'EOF'
import sys
from scapy.all import IP, ICMP, TCP, Raw, send, conf
conf.verb = 0
vip, client, cport = sys.argv[1:4]
quote = bytes(IP(src=vip, dst=client, len=1500, flags="DF", ttl=63) /
              TCP(sport=80, dport=int(cport), flags="PA"))[:28]
send(IP(src=client, dst=vip) / ICMP(type=3, code=4, nexthopmtu=1300) / Raw(quote))
EOF
	busywait 10000 nft_counter_at_least "$own" frag_needed 1 ||
		{ echo "$own, which holds the connection, got no frag-needed"; return 1; }
	[ "$(nft_packets "$other" frag_needed)" = 0 ] ||
		{ echo "$other got it too"; return 1; }
}
ktap_check "frag-needed about a reply of a fwmark flow reaches the real server that holds it, not the other" \
	icmp_reaches_owner
kill_ns_procs client

# Persistence by mark: HTTP and HTTPS of one client on one server.
case $DSR_IMPL in
ipvs)	adm lb -E -f "$MARK" -s rr -p 60 ;;
*)	adm lb -E -f "$MARK" -p 60 ;;
esac
STICKY=$(conns_alternating 6)
ktap_check "-p 60: 6 connections to ports 80 and 443 in turn all reach one server (got: $STICKY)" \
	one_server "$STICKY"

if [ "$DSR_IMPL" = dsr ]; then
	template_ok()
	{
		local out rs
		one_server "$STICKY" || return 1
		rs=${STICKY%% *}
		rs=$(rs_ip "${rs#rs}")
		out=$(adm lb -Lcn) || return 1
		# The template names the mark as its virtual address, port 0.
		grep -Eq "^FWM +[0-9:]+ +PERSIST +${CLIENT_IP//./\\.}:0 +0\\.0\\.0\\.$MARK:0 +${rs//./\\.}:0" <<<"$out" &&
			return 0
		echo "$out" | head -n 20
		return 1
	}
	ktap_check "-Lcn lists one template for the mark: client port 0, virtual 0.0.0.$MARK:0" \
		template_ok

	adm lb -E -f "$MARK" -p 0
	adm lb --hook local-in
	LOCAL_IN=$(conns_alternating 4)
	ktap_check "--hook local-in: the fwmark service still spreads over both servers (got: $LOCAL_IN)" \
		both_servers "$LOCAL_IN"
	adm lb --hook pre-routing

	# An address service takes its VIP:port before the mark is looked at.
	adm lb -A -t "$VIP:80" -s rr
	adm lb -a -t "$VIP:80" -r "$(rs_ip 2):80" -g -w 1
	ADDRESS="$(conn 80) $(conn 80) $(conn 80)"
	ktap_check "an address service for VIP:80 takes port 80 ahead of the mark (got: $ADDRESS)" \
		test "$ADDRESS" = "rs2 rs2 rs2"
	adm lb -D -t "$VIP:80"
fi

adm lb -D -f "$MARK"
GONE=$(conn 443)
ktap_check "after -D -f $MARK, port 443 is no longer forwarded (got: $GONE)" \
	test "$GONE" = lost

refused_port()
{
	local out
	adm lb -A -f 2 -s rr
	if out=$(adm lb -a -f 2 -r "$(rs_ip 1):80" -g 2>&1); then
		echo "accepted"
		return 1
	fi
	grep -q "fwmark service has no port" <<<"$out" || { echo "$out"; return 1; }
	! adm lb -Ln | grep -q -- "-> $(rs_ip 1)"
}
if [ "$DSR_IMPL" = dsr ]; then
	ktap_check "a real server with a port for a fwmark service is refused, with why" refused_port

	# Count calls of dsr's two hook functions with kprobes.
	TRACING=/sys/kernel/tracing
	echo 'p:dsr_addr_hook dsr_hook_ipv4' >>"$TRACING/kprobe_events"
	echo 'p:dsr_mark_hook dsr_hook_fwmark4' >>"$TRACING/kprobe_events"
	echo 1 >"$TRACING/events/kprobes/enable"
	# hits - "ADDR MARK": the calls counted so far
	hits()
	{
		awk '$1 == "dsr_addr_hook" { a = $2 } $1 == "dsr_mark_hook" { m = $2 }
			END { print a + 0, m + 0 }' "$TRACING/kprobe_profile"
	}
	# hook_calls - "ADDR MARK": how often dsr's address hook and its mark
	# hook ran while the client pinged the LB's own address 3 times
	hook_calls()
	{
		local a0 m0 a1 m1
		read -r a0 m0 <<<"$(hits)"
		in_ns client ping -c 3 -i 0.2 -W 1 "$LB_IP" >/dev/null || true
		read -r a1 m1 <<<"$(hits)"
		echo "$((a1 - a0)) $((m1 - m0))"
	}
	# calls_ok ADDR MARK GOT - GOT's counts are at least ADDR and MARK,
	# and its mark count is 0 when MARK is
	calls_ok()
	{
		local addr mark
		read -r addr mark <<<"$3"
		[ "$addr" -ge "$1" ] && [ "$mark" -ge "$2" ] &&
			{ [ "$2" != 0 ] || [ "$mark" = 0 ]; }
	}
	adm lb -C
	adm lb -A -t "$VIP:80" -s rr
	CALLS=$(hook_calls)
	ktap_check "address services only: other traffic meets dsr's address hook but not its mark hook (calls: $CALLS)" \
		calls_ok 3 0 "$CALLS"
	adm lb -A -f 2 -s rr
	CALLS=$(hook_calls)
	ktap_check "with a fwmark service it meets both hooks (calls: $CALLS)" \
		calls_ok 3 3 "$CALLS"
	adm lb --hook local-in
	CALLS=$(hook_calls)
	ktap_check "... also in local-in (calls: $CALLS)" calls_ok 3 3 "$CALLS"
	adm lb -D -f 2
	CALLS=$(hook_calls)
	ktap_check "after -D -f 2, the mark hook is gone again (calls: $CALLS)" \
		calls_ok 3 0 "$CALLS"
	adm lb --hook pre-routing
	adm lb -C
	CALLS=$(hook_calls)
	ktap_check "with no service, traffic meets no dsr hook (calls: $CALLS)" \
		test "$CALLS" = "0 0"
	echo 0 >"$TRACING/events/kprobes/enable"
	echo >"$TRACING/kprobe_events"
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
