#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# pe_sip.sh - the sip persistence engine (--pe sip): with persistence, a
# template per client and SIP call (Call-ID), so that a client's calls
# spread over the real servers while each call stays on one.
#
#                        client 10.0.0.1 and 10.0.0.5
#                          | eth0
#   sw:  br0 --------------+-------------------+-------------------+
#                          | eth0              | eth0              | eth0
#                          lb 10.0.0.2         rs1 10.0.0.11       rs2 10.0.0.12
#          UDP VIP:5060 rr -p 60 -o --pe sip   UDP echo servers on VIP:5060
#
# One-packet scheduling (-o), as SIP services run on IPVS: one address and
# port carries many calls, so every datagram is scheduled by its call.
#
# Checked: the listing and -Sn show the engine as ipvsadm does; 4
# datagrams of one call from four ports reach one server, echoed intact;
# the Call-ID's compact form "i:" names the same call; 4 calls from one
# address and port reach both servers (rr between calls, where client
# persistence keeps them together); with -M 0.0.0.0, one call from two
# client addresses reaches one server. dsr only: header names in any case
# and blanks around the value name the same call; malformed, oversize
# (reassembled) and random datagrams are all forwarded; a datagram
# without a Call-ID is still forwarded (by the client's template), and so
# is one whose Call-ID crosses the 2048 bytes searched; the
# engine is refused for a TCP service, with why; -E --pe '' turns it off,
# after which one client's calls stay on one server.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
lb_load

topo_dr 2
CLIENT2_IP=$SUBNET.5
ip -n "$(ns_name client)" addr add "$CLIENT2_IP/24" dev eth0

SINK_IDLE=60
for i in 1 2; do
	sink_start udp "rs$i" "$VIP" 5060 "$TMP_DIR/rs$i"
done

adm lb -A -u "$VIP:5060" -s rr -p 60 -o --pe sip
for i in 1 2; do
	adm lb -a -u "$VIP:5060" -r "$(rs_ip "$i"):5060" -g -w 1
done

listing_ok()
{
	local out
	out=$(adm lb -Ln) || return 1
	grep -Eq "^UDP  ${VIP//./\\.}:5060 rr persistent 60 pe sip ops *\$" <<<"$out" &&
		return 0
	echo "$out"
	return 1
}
ktap_check "-Ln lists 'rr persistent 60 pe sip ops'" listing_ok
save_ok()
{
	local out
	out=$(adm lb -Sn) || return 1
	grep -qx -- "-A -u $VIP:5060 -s rr -p 60 --pe sip -o" <<<"$out" && return 0
	echo "$out"
	return 1
}
ktap_check "-Sn writes '-A -u $VIP:5060 -s rr -p 60 --pe sip -o'" save_ok

# sip FROM PORT HEADER - one SIP request from FROM:PORT to VIP:5060 with
# the header line HEADER (a Call-ID, or none when empty); prints the real
# server that stored it (rs1, rs2), "noecho" when its echo did not come
# back whole, or "lost"
sip()
{
	local from=$1 port=$2 header=$3 id tag
	# Called in a subshell: a name of its own, not a counter.
	id="$BASHPID.$(date +%s%N)"
	tag="X-Tag: $id"
	{
		printf 'OPTIONS sip:bob@example.com SIP/2.0\r\n'
		printf 'Via: SIP/2.0/UDP %s:%s;branch=z9hG4bK%s\r\n' "$from" "$port" "$id"
		[ -z "$header" ] || printf '%s\r\n' "$header"
		printf 'CSeq: 1 OPTIONS\r\n%s\r\nContent-Length: 0\r\n\r\n' "$tag"
	} >"$TMP_DIR/sip.$id"
	in_ns client socat -t 3 -T 3 - "UDP4:$VIP:5060,bind=$from:$port" \
		<"$TMP_DIR/sip.$id" >"$TMP_DIR/echo.$id" 2>/dev/null || true
	stored_on "$tag" "$TMP_DIR/sip.$id" "$TMP_DIR/echo.$id"
}

CALL="Call-ID: a84b4c76e66710@pc33.example.com"
ONE_CALL=""
for port in 5071 5072 5073 5074; do
	ONE_CALL+="$(sip "$CLIENT_IP" "$port" "$CALL") "
done
ONE_CALL=${ONE_CALL% }
ktap_check "4 datagrams of one call from 4 ports reach one server, echoed intact (got: $ONE_CALL)" \
	one_server "$ONE_CALL"
COMPACT=$(sip "$CLIENT_IP" 5075 "i: a84b4c76e66710@pc33.example.com")
ktap_check "the compact form 'i:' names the same call (got: $COMPACT, the call is on ${ONE_CALL%% *})" \
	test "$COMPACT" = "${ONE_CALL%% *}"

CALLS=""
for c in 1 2 3 4; do
	CALLS+="$(sip "$CLIENT_IP" 5080 "Call-ID: call-$c-$RANDOM@client") "
done
CALLS=${CALLS% }
ktap_check "4 calls from one address and port reach both servers (got: $CALLS)" \
	both_servers "$CALLS"

# All clients one network: a call is a call, wherever it comes from.
case $DSR_IMPL in
ipvs)	adm lb -E -u "$VIP:5060" -s rr -p 60 -M 0.0.0.0 -o --pe sip ;;
*)	adm lb -E -u "$VIP:5060" -M 0.0.0.0 ;;
esac
RCALL="roaming-$RANDOM@client.example.com"
ROAMING="$(sip "$CLIENT_IP" 5076 "Call-ID: $RCALL") $(sip "$CLIENT2_IP" 5077 "Call-ID: $RCALL")"
ROAMING+=" $(sip "$CLIENT2_IP" 5078 "Call-ID: $RCALL")"
ktap_check "-M 0.0.0.0: one call from 2 addresses reaches one server (got: $ROAMING)" \
	one_server "$ROAMING"

if [ "$DSR_IMPL" = dsr ]; then
	SPELLED="$(sip "$CLIENT_IP" 5079 "call-id:$RCALL  ") $(sip "$CLIENT_IP" 5079 "CALL-ID	:	$RCALL")"
	ktap_check "'call-id:' and 'CALL-ID<tab>:<tab>', blanks after the value: the same call (got: $SPELLED, the call is on ${ROAMING%% *})" \
		test "$SPELLED" = "${ROAMING%% *} ${ROAMING%% *}"

	# Malformed messages: cut off, Call-ID without a value or past the
	# 2048 bytes searched, headers after the body, binary noise, and
	# datagrams over the MTU, which the load balancer reassembles into
	# packets whose payload is not in one piece. Each is forwarded, by
	# its client's template.
	in_pkts()
	{
		adm_stats lb | awk -v s="$VIP:5060" '$1 == "UDP" && $2 == s { print $4; exit }'
	}
	BEFORE=$(in_pkts)
	MALFORMED=$(in_ns client python3 - "$VIP" <<'EOF'
import os, random, socket, sys
vip = sys.argv[1]
crafted = [b"", b"INVITE", b"X\r\nCall-ID", b"X\r\nCall-ID:", b"X\r\nCall-ID: \t ",
           b"X\r\ni", b"X\r\ni:", b"X\r\nI : v", b"X\ncall-id:v", b"X\rCall-ID: v",
           b"X\r\n" + b"A" * 3000, b"X\r\nCall-ID: " + b"v" * 3000,
           b"X\r\n" + b"Y: y\r\n" * 400 + b"Call-ID: late\r\n",
           b"X\r\n\r\nCall-ID: body", b"\r\n" * 1000, b"\n" * 1500, b"\r" * 2100]
rng = random.Random(5060)
noise = [bytes(rng.getrandbits(8) for _ in range(rng.randrange(0, 3000)))
         for _ in range(150)]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 5200))
for m in crafted + noise:
    s.sendto(m, (vip, 5060))
print(len(crafted) + len(noise))
EOF
)
	forwarded_all()
	{
		[ $(($(in_pkts) - BEFORE)) -ge "$MALFORMED" ]
	}
	ktap_check "$MALFORMED malformed, oversize and random datagrams are all forwarded" \
		busywait 10000 forwarded_all

	NOCALL="$(sip "$CLIENT_IP" 5090 "") $(sip "$CLIENT_IP" 5091 "")"
	ktap_check "datagrams without a Call-ID are forwarded, by the client's template: one server (got: $NOCALL)" \
		one_server "$NOCALL"

	# A Call-ID that the 2048 bytes searched cut off is not taken: the
	# datagrams of one call could be cut at different places. Here the
	# header starts 10 bytes apart in two datagrams of one call.
	LONG_ID="long-$(printf '%060d' 0)@client.example.com"
	PAD1=$(printf '%01880d' 0)
	PAD2=$(printf '%01890d' 0)
	CUT="$(sip "$CLIENT_IP" 5092 "X-Pad: $PAD1"$'\r\n'"Call-ID: $LONG_ID")"
	CUT+=" $(sip "$CLIENT_IP" 5093 "X-Pad: $PAD2"$'\r\n'"Call-ID: $LONG_ID")"
	ktap_check "a Call-ID across byte 2048 is not taken: the client's template, as without one (got: $CUT, that template is on ${NOCALL%% *})" \
		test "$CUT" = "${NOCALL%% *} ${NOCALL%% *}"

	tcp_refused()
	{
		local out
		if out=$(adm lb -A -t "$VIP:5060" -s rr -p 60 --pe sip 2>&1); then
			echo "accepted"
			return 1
		fi
		grep -q "sip persistence engine reads UDP datagrams" <<<"$out" ||
			{ echo "$out"; return 1; }
		! adm lb -Ln | grep -q "^TCP "
	}
	ktap_check "--pe sip on a TCP service is refused, with why, and nothing is added" tcp_refused

	adm lb -E -u "$VIP:5060" --pe ''
	off_ok()
	{
		adm lb -Sn | grep -qx -- "-A -u $VIP:5060 -s rr -p 60 -M 0.0.0.0 -o"
	}
	ktap_check "-E --pe '' turns the engine off: -Sn has no --pe" off_ok
	CLIENT_CALLS=""
	for c in 1 2 3; do
		CLIENT_CALLS+="$(sip "$CLIENT_IP" 5100 "Call-ID: later-$c-$RANDOM@client") "
	done
	CLIENT_CALLS=${CLIENT_CALLS% }
	ktap_check "without it, one client's calls stay on one server (got: $CLIENT_CALLS)" \
		one_server "$CLIENT_CALLS"
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
