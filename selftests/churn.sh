#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# churn.sh - 100 rounds of configuration changes under traffic, with dumps
# running alongside; then a namespace deletion and the module unload while
# traffic still flows. Connections to real servers that nothing changed
# must survive all of it, and the kernel log must stay clean.
#
#      client 10.0.0.1: two long TCP streams to VIP:80, a UDP exchange
#      loop to VIP:9, short TCP connections to VIP:81 and VIP2:80
#           | eth0
#   sw: br0-+--------------+--------------+--------------+--------------+
#           | eth0         | eth0         | eth0         | eth0         | eth0
#       lb 10.0.0.2    lbx 10.0.0.3   rs1 10.0.0.11  rs2 10.0.0.12  rs3 10.0.0.13
#       VIP 10.0.0.100 VIP2 10.0.0.101  VIP and VIP2 on lo, echo servers
#
#   lb, unchanged: TCP VIP:80 and UDP VIP:9, rr -> rs1, rs2 (weight 1)
#   lb, churned every round: rs3 joins VIP:80 and VIP:9, its weight is
#       edited, it leaves again; TCP VIP:81 and UDP VIP:91 are created with
#       rs1..rs3, edited and deleted
#   lbx, churned: TCP VIP2:80 is created with rs1..rs3, edited, and the
#       whole namespace is flushed (-C) every round
#   alongside: a loop of listings (-Ln, -Ln --stats) and, with dsr, raw
#       service and destination dumps and a consistency check of them
#
# Every round changes the configuration with one restore (-R) batch, and
# every tenth with one command per change as an operator would type them.
# At the end: lbx is deleted while connections to VIP2 run, the streams
# are closed and must have arrived whole, and dsr is unloaded while UDP
# traffic still flows.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_nft
lb_load

ROUNDS=${DSR_CHURN_ROUNDS:-100}
VIP2=$SUBNET.101
LBX_IP=$SUBNET.3

topo_dr 3
setup_ns lbx
ip -n "$(ns_name sw)" link add lbx type veth peer name eth0 netns "$(ns_name lbx)"
ip -n "$(ns_name sw)" link set lbx master br0 up
printf '%s\n' "addr add $LBX_IP/24 dev eth0" "addr add $VIP2/32 dev eth0" \
	"link set eth0 up" | ns_ip lbx
for i in 1 2 3; do
	ip -n "$(ns_name "rs$i")" addr add "$VIP2/32" dev lo
	tcp_sink_start "rs$i" "$VIP" 80 "$TMP_DIR/rs$i-80"
	tcp_sink_start "rs$i" "$VIP" 81 "$TMP_DIR/rs$i-81"
	tcp_sink_start "rs$i" "$VIP2" 80 "$TMP_DIR/rs$i-v2"
	sink_start udp "rs$i" "$VIP" 9 "$TMP_DIR/rs$i-9"
	sink_start udp "rs$i" "$VIP" 91 "$TMP_DIR/rs$i-91"
done

RS1=$(rs_ip 1)
RS2=$(rs_ip 2)
RS3=$(rs_ip 3)
adm lb -A -t "$VIP:80" -s rr
adm lb -A -u "$VIP:9" -s rr
for rs in "$RS1" "$RS2"; do
	adm lb -a -t "$VIP:80" -r "$rs:80" -g -w 1
	adm lb -a -u "$VIP:9" -r "$rs:9" -g -w 1
done
STABLE=$(adm lb -Sn)

# ---------------------------------------------------------------- traffic

# stream N - a long TCP connection to VIP:80 of numbered lines, until
# $TMP_DIR/stop exists; every line must arrive, in order
stream()
{
	local i
	for i in $(seq 100000); do
		echo "stream $1 line $i"
		[ -e "$TMP_DIR/stop" ] && break
		nap 0.2
	done | in_ns client socat -T 900 - "TCP4:$VIP:80,connect-timeout=5" \
		>/dev/null 2>"$TMP_DIR/stream$1.err"
	echo "$?" >"$TMP_DIR/stream$1.rc"
}

# stream_file N - the real server's copy of stream N
stream_file()
{
	grep -l "^stream $1 line 1\$" "$TMP_DIR"/rs[12]-80/data.* 2>/dev/null | head -n 1
}

stream_lines()
{
	local f
	f=$(stream_file "$1") || true
	if [ -n "$f" ]; then wc -l <"$f"; else echo 0; fi
}

streams_grow()
{
	[ "$(stream_lines 1)" -ge "$1" ] && [ "$(stream_lines 2)" -ge "$1" ]
}

# udp_loop - UDP exchanges with VIP:9 until $TMP_DIR/stop; "ok"/"fail" per
# exchange in $TMP_DIR/udp.log
udp_loop()
{
	local i
	echo "unchanged udp service" >"$TMP_DIR/dgram"
	for i in $(seq 5000); do
		[ -e "$TMP_DIR/stop" ] && break
		if in_ns client socat -t 5 -T 5 - "UDP4:$VIP:9" <"$TMP_DIR/dgram" \
			>"$TMP_DIR/dgram.echo" 2>/dev/null &&
		   cmp -s "$TMP_DIR/dgram" "$TMP_DIR/dgram.echo"; then
			echo ok
		else
			echo fail
		fi >>"$TMP_DIR/udp.log"
		nap 1
	done
}

# short_loop ADDR PORT LOG STOP - short TCP connections to a churned
# service until the file $TMP_DIR/STOP exists; "ok"/"fail" per connection
# in $TMP_DIR/LOG (they fail while the service is absent)
short_loop()
{
	local i
	echo "churned service" >"$TMP_DIR/short.$2.$1"
	for i in $(seq 5000); do
		[ -e "$TMP_DIR/$4" ] && break
		if in_ns client socat -t 3 -T 3 - "TCP4:$1:$2,connect-timeout=2" \
			<"$TMP_DIR/short.$2.$1" >/dev/null 2>&1; then
			echo ok
		else
			echo fail
		fi >>"$TMP_DIR/$3"
		nap 1
	done
}

# dump_loop - listings and dumps until $TMP_DIR/stop.dumps; one line per
# dump in $TMP_DIR/dumps.log: "ok", or "fail ..." with the error
dump_loop()
{
	local out
	while [ ! -e "$TMP_DIR/stop.dumps" ]; do
		for args in "-Ln" "-Ln --stats"; do
			# shellcheck disable=SC2086 # two words on purpose
			if out=$(adm lb $args 2>&1); then
				echo ok
			else
				echo "fail $args: $out"
			fi
		done
		if [ "$DSR_IMPL" = dsr ]; then
			for spec in "SERVICE_GET +dump" "DEST_GET +dump SERVICE{ PROTOCOL=6 ADDR4=$VIP PORT=80 }"; do
				# shellcheck disable=SC2086 # a spec of words
				if out=$(in_ns lb "$SELFTEST_DIR/dsr_nl.py" req $spec 2>&1); then
					echo ok
				else
					echo "fail $spec: $(tail -n 1 <<<"$out")"
				fi
			done
		fi
		nap 1
	done >"$TMP_DIR/dumps.log"
}

stream 1 &
S1=$!
stream 2 &
S2=$!
check_eventually "two long TCP streams to the unchanged service flow" 30000 streams_grow 5
ktap_check "... one on each unchanged real server" test \
	"$(stream_file 1 | cut -d/ -f4)" != "$(stream_file 2 | cut -d/ -f4)"
udp_loop &
UDPL=$!
short_loop "$VIP" 81 short81.log stop &
SH81=$!
short_loop "$VIP2" 80 shortv2.log stop.v2 &
SHV2=$!
dump_loop &
DUMPS=$!

# ---------------------------------------------------------------- churn

# round_batch R - the changes of round R as one restore batch
round_batch()
{
	local w=$((1 + $1 % 7))
	cat <<EOF
-a -t $VIP:80 -r $RS3:80 -g -w $w
-a -u $VIP:9 -r $RS3:9 -g -w $w
-A -t $VIP:81 -s rr
-a -t $VIP:81 -r $RS1:81 -g -w 1
-a -t $VIP:81 -r $RS2:81 -g -w 2
-a -t $VIP:81 -r $RS3:81 -g -w 3
-A -u $VIP:91 -s rr
-a -u $VIP:91 -r $RS3:91 -g -w 1
-e -t $VIP:80 -r $RS3:80 -g -w 0
-e -u $VIP:9 -r $RS3:9 -g -w $((w + 1))
-e -t $VIP:81 -r $RS2:81 -g -w 0
-E -t $VIP:81 -s rr
-d -t $VIP:81 -r $RS1:81
-d -t $VIP:80 -r $RS3:80
-d -u $VIP:9 -r $RS3:9
EOF
	# Odd rounds leave VIP:81 for the next round to find and delete.
	if [ $(($1 % 2)) -eq 0 ]; then
		echo "-D -t $VIP:81"
	fi
	echo "-D -u $VIP:91"
}

lbx_batch()
{
	cat <<EOF
-A -t $VIP2:80 -s rr
-a -t $VIP2:80 -r $RS1:80 -g -w 1
-a -t $VIP2:80 -r $RS2:80 -g -w 1
-a -t $VIP2:80 -r $RS3:80 -g -w 1
-e -t $VIP2:80 -r $RS2:80 -g -w 5
EOF
}

churn_failures=0
churn_commands=0
for r in $(seq "$ROUNDS"); do
	# An odd round's VIP:81 survives into the next one, which deletes it.
	if [ $((r % 2)) -eq 0 ]; then
		pre="-D -t $VIP:81"
	else
		pre=
	fi
	if [ $((r % 10)) -eq 0 ]; then
		# One command per change, as typed.
		while read -r -a cmd; do
			[ ${#cmd[@]} -gt 0 ] || continue
			churn_commands=$((churn_commands + 1))
			adm lb "${cmd[@]}" >>"$TMP_DIR/churn.err" 2>&1 ||
				churn_failures=$((churn_failures + 1))
		done < <(echo "$pre"; round_batch "$r")
	else
		churn_commands=$((churn_commands + 1))
		{ echo "$pre"; round_batch "$r"; } | adm lb -R >>"$TMP_DIR/churn.err" 2>&1 ||
			churn_failures=$((churn_failures + 1))
	fi
	churn_commands=$((churn_commands + 1))
	{ lbx_batch; echo "-C"; } | adm lbx -R >>"$TMP_DIR/churn.err" 2>&1 ||
		churn_failures=$((churn_failures + 1))
	[ $((r % 10)) -ne 0 ] || ktap_diag "round $r: $churn_failures failed changes so far"
done
if [ $((ROUNDS % 2)) -eq 1 ]; then
	adm lb -D -t "$VIP:81"
fi
ktap_diag "$ROUNDS rounds, $churn_commands dsradm invocations"
churn_ok()
{
	[ "$churn_failures" -eq 0 ] && return 0
	echo "$churn_failures of $churn_commands changes failed:"
	head -n 20 "$TMP_DIR/churn.err"
	return 1
}
ktap_check "$ROUNDS rounds of adding, editing, deleting and flushing: every change accepted" churn_ok

touch "$TMP_DIR/stop.dumps"
wait "$DUMPS" || true
dumps_ok()
{
	local n bad
	n=$(wc -l <"$TMP_DIR/dumps.log")
	bad=$(grep -c '^fail' "$TMP_DIR/dumps.log" || true)
	echo "$n dumps and listings, $bad failed"
	[ "$n" -ge 10 ] && [ "$bad" -eq 0 ] && return 0
	grep '^fail' "$TMP_DIR/dumps.log" | sort | uniq -c | head -n 10
	return 1
}
ktap_check "listings and dumps ran alongside, none failed" dumps_ok
ktap_diag "$(dumps_ok | head -n 1)"
if [ "$DSR_IMPL" = dsr ]; then
	ktap_check "the kernel's service and destination counts agree with its dumps" \
		in_ns lb "$SELFTEST_DIR/dsr_nl.py" check
fi
ktap_check "the unchanged configuration is all that is left" \
	test "$(adm lb -Sn)" = "$STABLE"

# ---------------------------------------------------------------- lbx goes away

lbx_batch | adm lbx -R
connections_to()
{
	local n
	n=$(grep -c '^ok' "$TMP_DIR/$1" 2>/dev/null || true)
	[ "${n:-0}" -ge "$2" ]
}
base=$(grep -c '^ok' "$TMP_DIR/shortv2.log" || true)
check_eventually "short connections to VIP2 flow through lbx" 30000 \
	connections_to shortv2.log $((base + 2))
del_ns lbx
sleep 1
touch "$TMP_DIR/stop.v2"
wait "$SHV2" || true
ktap_check "lbx's namespace deleted with its service under traffic: kernel log clean" klog_check

# ---------------------------------------------------------------- the survivors

before=$(stream_lines 1)
check_eventually "both streams still flow after the churn" 30000 streams_grow $((before + 5))
touch "$TMP_DIR/stop"
streams_ended()
{
	[ -e "$TMP_DIR/stream1.rc" ] && [ -e "$TMP_DIR/stream2.rc" ]
}
check_eventually "the client closes both streams cleanly" 60000 streams_ended
wait "$S1" "$S2" "$SH81" || true
streams_intact()
{
	local s f n bad=0
	for s in 1 2; do
		f=$(stream_file "$s")
		n=$(wc -l <"$f")
		if [ "$(cat "$TMP_DIR/stream$s.rc")" != 0 ] || [ -s "$TMP_DIR/stream$s.err" ]; then
			echo "stream $s: socat ended with $(cat "$TMP_DIR/stream$s.rc"): $(cat "$TMP_DIR/stream$s.err")"
			bad=1
		fi
		seq "$n" | sed "s/^/stream $s line /" | cmp -s - "$f" ||
			{ echo "stream $s: the real server's copy is not lines 1..$n"; bad=1; }
		ktap_diag "stream $s: $n lines, on ${f%/data.*}"
	done
	return "$bad"
}
ktap_check "no stream to an unchanged real server was reset; every line arrived in order" streams_intact
wait "$UDPL" || true
udp_ok()
{
	local ok fail
	ok=$(grep -c '^ok' "$TMP_DIR/udp.log" || true)
	fail=$(grep -c '^fail' "$TMP_DIR/udp.log" || true)
	echo "$ok UDP exchanges answered, $fail not"
	[ "$ok" -ge 5 ] && [ "$fail" -eq 0 ]
}
ktap_check "every UDP exchange with the unchanged service was answered" udp_ok
ktap_diag "$(udp_ok)"
ktap_diag "short connections to the churned VIP:81: $(grep -c '^ok' "$TMP_DIR/short81.log" || true) succeeded, $(grep -c '^fail' "$TMP_DIR/short81.log" || true) failed while it was absent"

# ---------------------------------------------------------------- unload

rm -f "$TMP_DIR/stop"
udp_loop &
UDPL=$!
sleep 2
# IPVS's schedulers stay in use while a service uses them; dsr unloads as is.
[ "$DSR_IMPL" = dsr ] || adm lb -C
ktap_check "the module unloads while UDP traffic flows" lb_unload
touch "$TMP_DIR/stop"
wait "$UDPL" || true
unloaded()
{
	! lb_loaded
}
ktap_check "the module is gone" unloaded
ktap_check "kernel log is clean" klog_check
ktap_summary
