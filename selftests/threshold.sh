#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# threshold.sh - connection thresholds (-x, -y): a real server at its upper
# threshold takes no new connections until it falls below its lower one.
#
#                        client 10.0.0.1
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#                          TCP VIP:80 rr       echo servers on VIP:80
#                          rs1 -x 2 -y 1, rs2 no limit
#
# Checked: 6 held connections under rr leave rs1 with 2 (its -x) and rs2
# with 4; --thresholds and --persistent-conn list them as ipvsadm does;
# raising rs1's -x to 4 keeps it overloaded above its -y, but lifting
# the thresholds first clears that (both as IPVS); once the connections
# are gone, rs1 takes new ones again; a lower threshold above the upper
# one is refused. dsr only: -Sn keeps -x and -y
# (ipvsadm -S drops them), and -e changes them.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
lb_load

topo_dr 2
SINK_IDLE=300
for i in 1 2; do
	tcp_sink_start "rs$i" "$VIP" 80 "$TMP_DIR/rs$i"
done
RS1=$(rs_ip 1)
RS2=$(rs_ip 2)

# Closed connections count until their FIN state times out: make it short.
adm lb --set 0 3 0
adm lb -A -t "$VIP:80" -s rr
adm lb -a -t "$VIP:80" -r "$RS1:80" -g -w 1 -x 2 -y 1
adm lb -a -t "$VIP:80" -r "$RS2:80" -g -w 1

# conns RS - ActiveConn + InActConn of real server RS
conns()
{
	adm lb -Ln | awk -v d="$1:80" '$2 == d { print $5 + $6 }'
}
total_at_least()
{
	[ $(($(conns "$RS1") + $(conns "$RS2"))) -ge "$1" ]
}
# hold N [HELD] - open N connections one at a time, each held open (a byte
# a second), and wait for each to be counted on top of the HELD ones
hold()
{
	local n
	for n in $(seq "$((${2:-0} + 1))" "$((${2:-0} + $1))"); do
		for _ in $(seq 200); do echo x; sleep 1; done 2>/dev/null |
			in_ns client socat -T 250 - "TCP4:$VIP:80" \
			>/dev/null 2>&1 &
		busywait 30000 total_at_least "$n" ||
			{ echo "connection $n not counted"; adm lb -Ln; return 1; }
	done
}

ktap_check "6 held connections are counted" hold 6
GOT="$(conns "$RS1") $(conns "$RS2")"
ktap_check "rs1 (-x 2) holds 2 of them and rs2 the other 4 (got: $GOT)" \
	test "$GOT" = "2 4"

thresholds_ok()
{
	local out
	out=$(adm lb -Ln --thresholds) || return 1
	grep -Eq "^Prot LocalAddress:Port +Uthreshold Lthreshold ActiveConn InActConn *\$" <<<"$out" &&
		grep -Eq "^  -> ${RS1//./\\.}:80 +2 +1 +2 +0 *\$" <<<"$out" &&
		grep -Eq "^  -> ${RS2//./\\.}:80 +0 +0 +4 +0 *\$" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Ln --thresholds: Uthreshold Lthreshold ActiveConn InActConn (2 1 2 0, 0 0 4 0)" thresholds_ok
persistconn_ok()
{
	local out
	out=$(adm lb -Ln --persistent-conn) || return 1
	grep -Eq "^Prot LocalAddress:Port +Weight +PersistConn ActiveConn InActConn *\$" <<<"$out" &&
		grep -Eq "^  -> ${RS1//./\\.}:80 +1 +0 +2 +0 *\$" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Ln --persistent-conn: Weight PersistConn ActiveConn InActConn (1 0 2 0)" persistconn_ok

if [ "$DSR_IMPL" = dsr ]; then
	save_ok()
	{
		local out
		out=$(adm lb -Sn) || return 1
		grep -qx -- "-a -t $VIP:80 -r $RS1:80 -g -w 1 -x 2 -y 1" <<<"$out" &&
			grep -qx -- "-a -t $VIP:80 -r $RS2:80 -g -w 1" <<<"$out" &&
			return 0
		echo "$out"
		return 1
	}
	ktap_check "-Sn keeps '-x 2 -y 1', and writes nothing for a server without" save_ok
	to_ipvs_ok()
	{
		load_modules ip_vs ip_vs_rr
		setup_ns ipvs
		adm lb -Sn | in_ns ipvs ipvsadm -R || return 1
		in_ns ipvs ipvsadm -Ln --thresholds |
			grep -Eq "^  -> ${RS1//./\\.}:80 +2 +1 " && return 0
		in_ns ipvs ipvsadm -Ln --thresholds
		return 1
	}
	ktap_check "dsradm -Sn | ipvsadm -R gives IPVS the same thresholds" to_ipvs_ok
	json_ok()
	{
		adm lb -Ln -j | python3 -c '
import json, sys
d = json.load(sys.stdin)["services"][0]["dests"]
t = {x["address"]: (x["u_threshold"], x["l_threshold"], x["persist_conns"]) for x in d}
sys.exit(0 if t == {sys.argv[1]: (2, 1, 0), sys.argv[2]: (0, 0, 0)} else 1)
' "$RS1" "$RS2"
	}
	ktap_check "-j lists u_threshold, l_threshold and persist_conns" json_ok
fi

refused()
{
	local out
	if out=$(adm lb -e -t "$VIP:80" -r "$RS2:80" -g -w 1 -x 5 -y 6 2>&1); then
		echo "accepted"
		return 1
	fi
	echo "$out"
	adm lb -Ln --thresholds | grep -Eq "^  -> ${RS2//./\\.}:80 +0 +0 "
}
ktap_check "-y above -x is refused and the server keeps its thresholds" refused

# As IPVS: new thresholds keep an overloaded server overloaded while its
# count lies between them; lifting them clears the flag for good.
adm lb -e -t "$VIP:80" -r "$RS1:80" -g -w 1 -x 4 -y 1
ktap_check "after -e -x 4 -y 1 on rs1, 2 more held connections are counted" hold 2 6
GOT="$(conns "$RS1") $(conns "$RS2")"
# split_ok WANT - the held connections split as WANT ("RS1 RS2")
split_ok()
{
	[ "$GOT" = "$1" ] && return 0
	adm lb -Ln --thresholds
	return 1
}
ktap_check "rs1, still above its -y 1, stays overloaded: both go to rs2 (got: $GOT)" \
	split_ok "2 6"
adm lb -e -t "$VIP:80" -r "$RS1:80" -g -w 1 -x 0 -y 0
adm lb -e -t "$VIP:80" -r "$RS1:80" -g -w 1 -x 4 -y 1
ktap_check "after -x 0 and then -x 4 -y 1 again, 4 more held connections are counted" hold 4 8
GOT="$(conns "$RS1") $(conns "$RS2")"
ktap_check "lifting the threshold cleared the overload: rs1 takes 2 of 4, up to -x 4 (got: $GOT)" \
	split_ok "4 8"

# All connections gone: rs1 falls below -y 1 and takes new ones again.
kill_ns_procs client
drained()
{
	[ "$(conns "$RS1")" = 0 ] && [ "$(conns "$RS2")" = 0 ]
}
ktap_check "the held connections close and expire" busywait 60000 drained
for _ in 1 2; do
	in_ns client socat -t 5 -T 5 - "TCP4:$VIP:80,connect-timeout=5" \
		<<<"again" >/dev/null 2>&1 || true
done
AGAIN="$(grep -lsx again "$TMP_DIR"/rs1/data.* | wc -l) $(grep -lsx again "$TMP_DIR"/rs2/data.* | wc -l)"
ktap_check "below -y, rs1 takes new connections again: 2 connections, one each (got: $AGAIN)" \
	test "$AGAIN" = "1 1"

if [ "$DSR_IMPL" = dsr ]; then
	adm lb -e -t "$VIP:80" -r "$RS1:80" -g -w 1 -x 0 -y 0
	edited()
	{
		adm lb -Ln --thresholds | grep -Eq "^  -> ${RS1//./\\.}:80 +0 +0 "
	}
	ktap_check "-e -x 0 -y 0 lifts the thresholds" edited
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
