#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# persist.sh - persistent services (-p, -M): a client's connections stay on
# one real server, rr notwithstanding.
#
#                        client 10.0.0.1 and 10.0.0.5
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#              TCP VIP:80 rr -p 60 (*)         echo servers on VIP:80, :81, :82
#              TCP VIP:81 rr -p 60 (*) -M 255.255.255.0
#              TCP VIP:82 rr -p 5 (dsr)
#
# Checked: eight connections from one address land on one real server, and
# the other address's on the other (rr's next turn); with -M /24 both
# addresses share a server; the listing and -Sn show persistence as
# ipvsadm does; -Lc lists the templates (client port 0); removing the
# client's server moves its next connections; without persistence rr
# alternates again; a stateless service cannot be persistent. dsr only: a
# template expires after its timeout (IPVS keeps a template while
# connections made under it linger in its table). (*) times
# DSR_WAIT_FACTOR, 6 on the debug kernel.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
lb_load

topo_dr 2
CLIENT2_IP=$SUBNET.5
ip -n "$(ns_name client)" addr add "$CLIENT2_IP/24" dev eth0

for i in 1 2; do
	for port in 80 81 82; do
		tcp_sink_start "rs$i" "$VIP" "$port" "$TMP_DIR/rs$i-$port"
	done
done

# Long enough that no template ends before the checks that list it: the
# connections before them take over a minute on the debug kernel.
PERSIST=$((60 * DSR_WAIT_FACTOR))
adm lb -A -t "$VIP:80" -s rr -p "$PERSIST"
adm lb -A -t "$VIP:81" -s rr -p "$PERSIST" -M 255.255.255.0
for port in 80 81; do
	for i in 1 2; do
		adm lb -a -t "$VIP:$port" -r "$(rs_ip "$i"):$port" -g -w 1
	done
done

# conn FROM PORT - one connection from address FROM to VIP:PORT; prints the
# real server that stored it (rs1, rs2), or "lost"
conn()
{
	local from=$1 port=$2 tag i id
	# Called in a subshell: a name of its own, not a counter.
	id="$BASHPID.$(date +%s%N)"
	tag="conn $id from $from"
	echo "$tag" >"$TMP_DIR/sent.$id"
	in_ns client socat -t 10 -T 10 - \
		"TCP4:$VIP:$port,connect-timeout=5,bind=$from" \
		<"$TMP_DIR/sent.$id" >"$TMP_DIR/echo.$id" 2>/dev/null || true
	for i in 1 2; do
		if grep -qsx "$tag" "$TMP_DIR/rs$i-$port"/data.*; then
			echo "rs$i"
			return
		fi
	done
	echo lost
}

# conns FROM PORT N - N connections; the servers, one word each
conns()
{
	local i out=()
	for i in $(seq "$3"); do
		out+=("$(conn "$1" "$2")")
	done
	echo "${out[*]}"
}

# all_on SERVERS - every word the same server; prints it
all_on()
{
	local first=${1%% *} w
	for w in $1; do
		[ "$w" = "$first" ] || return 1
	done
	[ "$first" != lost ] && echo "$first"
}

ONE=$(conns "$CLIENT_IP" 80 8)
TWO=$(conns "$CLIENT2_IP" 80 8)
ONE_RS=$(all_on "$ONE") || true
TWO_RS=$(all_on "$TWO") || true
ktap_check "-p $PERSIST: 8 connections from $CLIENT_IP all reach one real server (got: $ONE)" \
	test -n "$ONE_RS"
ktap_check "... and 8 from $CLIENT2_IP all reach the other one (got: $TWO)" \
	test -n "$TWO_RS" -a "$TWO_RS" != "$ONE_RS"

MASKED=$(conns "$CLIENT_IP" 81 3)
MASKED="$MASKED $(conns "$CLIENT2_IP" 81 3)"
ktap_check "-M 255.255.255.0: connections from both addresses share a real server (got: $MASKED)" \
	all_on "$MASKED"

listing_ok()
{
	local out
	out=$(adm lb -Ln) || return 1
	grep -Eq "^TCP  ${VIP//./\\.}:80 rr persistent $PERSIST *\$" <<<"$out" &&
		grep -Eq "^TCP  ${VIP//./\\.}:81 rr persistent $PERSIST mask 255\\.255\\.255\\.0 *\$" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Ln shows 'persistent $PERSIST' and 'persistent $PERSIST mask 255.255.255.0'" listing_ok
save_ok()
{
	local out
	out=$(adm lb -Sn) || return 1
	grep -qx -- "-A -t $VIP:80 -s rr -p $PERSIST" <<<"$out" &&
		grep -qx -- "-A -t $VIP:81 -s rr -p $PERSIST -M 255.255.255.0" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Sn writes -p $PERSIST and -M 255.255.255.0 as ipvsadm does" save_ok
templates_ok()
{
	local out
	out=$(adm lb -Lcn) || return 1
	# ipvsadm says NONE, dsradm PERSIST; both name the client with port 0.
	grep -Eq "^TCP +[0-9:]+ +[A-Z]+ +${CLIENT_IP//./\\.}:0 +${VIP//./\\.}:80 +$(rs_ip "${ONE_RS#rs}" | sed 's/\./\\./g'):80" <<<"$out" &&
		grep -Eq "^TCP +[0-9:]+ +[A-Z]+ +${SUBNET//./\\.}\\.0:0 +${VIP//./\\.}:81 " <<<"$out" &&
		return 0
	echo "$out" | head -n 20
	return 1
}
ktap_check "-Lcn lists the templates: client port 0, the /24 for -M" templates_ok
persistconn_ok()
{
	local out rs
	out=$(adm lb -Ln --persistent-conn) || return 1
	for rs in "$ONE_RS" "$TWO_RS"; do
		rs=$(rs_ip "${rs#rs}")
		# Weight 1, one template (its client's), whatever connections.
		grep -Eq "^  -> ${rs//./\\.}:80 +1 +1 +[0-9]+ +[0-9]+ *\$" <<<"$out" ||
			{ echo "$out"; return 1; }
	done
}
ktap_check "--persistent-conn: each server of VIP:80 has PersistConn 1, its client's template" persistconn_ok

# The client's server goes away: its next connections go to the other.
adm lb -d -t "$VIP:80" -r "$(rs_ip "${ONE_RS#rs}"):80"
MOVED=$(conns "$CLIENT_IP" 80 3)
ktap_check "after $ONE_RS is removed, $CLIENT_IP's connections reach $TWO_RS (got: $MOVED)" \
	test "$MOVED" = "$TWO_RS $TWO_RS $TWO_RS"
adm lb -a -t "$VIP:80" -r "$(rs_ip "${ONE_RS#rs}"):80" -g -w 1

# Persistence off: rr alternates again.
case $DSR_IMPL in
ipvs)	adm lb -E -t "$VIP:80" -s rr ;;	# ipvsadm -E states the service whole
*)	adm lb -E -t "$VIP:80" -p 0 ;;
esac
OFF=$(conns "$CLIENT_IP" 80 4)
alternates()
{
	local a b c d
	read -r a b c d <<<"$OFF"
	[ "$a" != lost ] && [ "$b" != lost ] && [ "$a" != "$b" ] &&
		[ "$a" = "$c" ] && [ "$b" = "$d" ]
}
ktap_check "without persistence, rr alternates again (got: $OFF)" alternates

if [ "$DSR_IMPL" = dsr ]; then
	refused()
	{
		local out
		if out=$(adm lb -A -u "$VIP:53" -s rr -p 60 --stateless 2>&1); then
			echo "accepted"
			return 1
		fi
		grep -q "stateless service cannot be persistent" <<<"$out" ||
			{ echo "$out"; return 1; }
		! adm lb -Ln | grep -q "^UDP "
	}
	ktap_check "a stateless service cannot be persistent: refused, nothing added" refused

	# The template outlives no timeout: idle past it, then rr's next
	# turn. Long enough for two connections on a slow (debug) guest.
	SHORT=$((5 * DSR_WAIT_FACTOR))
	adm lb -A -t "$VIP:82" -s rr -p "$SHORT"
	for i in 1 2; do
		adm lb -a -t "$VIP:82" -r "$(rs_ip "$i"):82" -g -w 1
	done
	FIRST=$(conns "$CLIENT_IP" 82 2)
	sleep $((SHORT + 3))
	AFTER=$(conns "$CLIENT_IP" 82 1)
	expired()
	{
		local first
		first=$(all_on "$FIRST") || return 1
		[ "$AFTER" != lost ] && [ "$AFTER" != "$first" ]
	}
	ktap_check "-p $SHORT: two connections on one server, then after $((SHORT + 3)) s idle rr's next turn (got: $FIRST, then $AFTER)" \
		expired
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
