#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# sync.sh - dsradm -R --sync changes only what differs, under traffic.
#
#                        client 10.0.0.1
#                          | eth0
#   sw:  br0 --------------+-------------+------- ... ---+
#                          | eth0        | eth0          | eth0
#                          lb 10.0.0.2   rs1 10.0.0.11 ... rs4 10.0.0.14
#                          VIP on eth0   VIP/32 on lo, TCP echo on VIP:80
#                          dsradm monitor watching
#
# The table: TCP VIP:80 mh over rs1, rs2 and rs3. Twelve streams of
# numbered lines run through it while:
# 1. the same table is synced again: monitor sees no change at all;
# 2. a table with rs2's weight doubled, rs3 gone and rs4 new is synced:
#    monitor sees exactly those three changes, -Sn then prints that table,
#    and every stream on rs1 and rs2 keeps its real server and arrives
#    whole, while rs3's streams are moved off it (its flows purged).
# 3. an input with an unknown option, or a -D line, is refused whole and
#    changes nothing.
#
# dsr only: ipvsadm -R has no --sync.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
[ "$DSR_IMPL" = dsr ] || skip_all "ipvsadm -R has no --sync"
lb_load

topo_dr 4
# Echo servers that wait out a slow client: twelve streams starting at
# once in an emulated guest on a busy host can take longer than the
# sink's default 5 s to send their first line.
for i in 1 2 3 4; do
	SINK_IDLE=120 sink_start tcp "rs$i" "$VIP" 80 "$TMP_DIR/rs$i"
done

rules()
{
	local w2=$1 shift_rs=$2 i
	echo "-A -t $VIP:80 -s mh"
	for i in 1 2 3 4; do
		[ "$i" != "$shift_rs" ] || continue
		[ "$i" != 4 ] || [ "$shift_rs" = 3 ] || continue
		echo "-a -t $VIP:80 -r $(rs_ip "$i"):80 -g -w $([ "$i" = 2 ] && echo "$w2" || echo 1)"
	done
}
rules 1 4 >"$TMP_DIR/table1"
rules 2 3 >"$TMP_DIR/table2"
adm lb -R <"$TMP_DIR/table1"

in_ns_bg_out()
{
	local ns
	ns=$(ns_name "$1")
	shift
	ip netns exec "$ns" "$@" </dev/null >>"$TMP_DIR/events" 2>"$TMP_DIR/events.err" &
	disown
}
in_ns_bg_out lb "$DSRADM" monitor

# stream PORT - 80 numbered lines, one every 0.1 s, from client port PORT;
# its status is the test's to judge (rs3's streams are cut), not the ERR
# trap's
stream()
{
	seq 80 | while read -r n; do echo "stream $1 line $n"; sleep 0.1; done |
		in_ns client socat -t 10 -T 20 - "TCP4:$VIP:80,connect-timeout=5,sourceport=$1,reuseaddr" \
			>"$TMP_DIR/stream.$1" 2>"$TMP_DIR/stream.$1.err" || return
}
PORTS=$(seq 45001 45012)
PIDS=()
for port in $PORTS; do
	stream "$port" &
	PIDS+=("$!")
done
# server_of PORT - the real server lb's flow table names for client PORT
server_of()
{
	adm lb -Lcn | awk -v c="$CLIENT_IP:$1" '$4 == c { split($6, d, ":"); print d[1] }'
}
sleep 2
declare -A BEFORE
for port in $PORTS; do
	BEFORE[$port]=$(server_of "$port")
done
ktap_diag "streams on: $(for p in $PORTS; do printf '%s ' "${BEFORE[$p]:-?}"; done)"

# 1. The same table: nothing changes.
adm lb -R --sync <"$TMP_DIR/table1"
sleep 1
no_events()
{
	[ ! -s "$TMP_DIR/events" ] && return 0
	echo "monitor saw:"
	cat "$TMP_DIR/events"
	return 1
}
ktap_check "1. syncing the same table changes nothing (monitor sees no event)" no_events

# 2. rs2 weight 2, rs3 gone, rs4 new.
adm lb -R --sync <"$TMP_DIR/table2"
busywait 5000 test "$(wc -l <"$TMP_DIR/events")" -ge 3 || true
sleep 1
three_changes()
{
	local want
	want=$(printf '%s\n' \
		"server -t $VIP:80 -r $(rs_ip 2):80 -g -w 2" \
		"server -t $VIP:80 -r $(rs_ip 4):80 -g -w 1" \
		"deleted server -t $VIP:80 -r $(rs_ip 3):80" | sort)
	diff -u <(echo "$want") <(sort "$TMP_DIR/events") && return 0
	cat "$TMP_DIR/events.err"
	return 1
}
ktap_check "2. syncing a changed table makes exactly its three changes" three_changes
ktap_check "... and -Sn prints the new table" \
	diff -u "$TMP_DIR/table2" <(adm lb -Sn)
kept_servers()
{
	local port bad=0 n=0
	for port in $PORTS; do
		case ${BEFORE[$port]} in
		"$(rs_ip 1)"|"$(rs_ip 2)")
			n=$((n + 1))
			if [ "$(server_of "$port")" != "${BEFORE[$port]}" ]; then
				echo "stream $port moved from ${BEFORE[$port]} to $(server_of "$port")"
				bad=1
			fi
			;;
		"$(rs_ip 3)")
			if [ "$(server_of "$port")" = "$(rs_ip 3)" ]; then
				echo "stream $port is still on the removed rs3"
				bad=1
			fi
			;;
		esac
	done
	echo "$n streams on rs1 and rs2"
	[ "$bad" -eq 0 ] && [ "$n" -gt 0 ]
}
ktap_check "... streams on rs1 and rs2 keep their server, rs3's are moved off it" kept_servers

STATUS=()
for pid in "${PIDS[@]}"; do
	rc=0
	wait "$pid" || rc=$?
	STATUS+=("$rc")
done
whole()
{
	local i=0 port bad=0
	for port in $PORTS; do
		case ${BEFORE[$port]} in
		"$(rs_ip 1)"|"$(rs_ip 2)")
			if [ "${STATUS[$i]}" -ne 0 ] ||
			   ! diff -q <(seq 80 | sed "s/^/stream $port line /") "$TMP_DIR/stream.$port" >/dev/null; then
				echo "stream $port (on ${BEFORE[$port]}): exit ${STATUS[$i]}, $(wc -l <"$TMP_DIR/stream.$port") of 80 lines: $(cat "$TMP_DIR/stream.$port.err")"
				bad=1
			fi
			;;
		esac
		i=$((i + 1))
	done
	[ "$bad" -eq 0 ]
}
ktap_check "... and each of those streams arrives whole" whole

# 3. Bad input changes nothing.
: >"$TMP_DIR/events"
refused_whole()
{
	local rc=0
	{ cat "$TMP_DIR/table1"; echo "-D -t $VIP:80"; } | adm lb -R --sync 2>"$TMP_DIR/err" || rc=$?
	if [ "$rc" -ne 2 ] || ! grep -q "accepts only -A and -a" "$TMP_DIR/err"; then
		echo "exit $rc: $(cat "$TMP_DIR/err")"
		return 1
	fi
	rc=0
	{ cat "$TMP_DIR/table1"; echo "-a -t $VIP:80 -r $(rs_ip 4):80 -g -w 1 --bogus"; } |
		adm lb -R --sync 2>"$TMP_DIR/err" || rc=$?
	[ "$rc" -eq 2 ] || { echo "exit $rc: $(cat "$TMP_DIR/err")"; return 1; }
	sleep 1
	diff -u "$TMP_DIR/table2" <(adm lb -Sn) && no_events
}
ktap_check "3. a bad input is refused whole: table and monitor unchanged" refused_whole

ktap_check "kernel log is clean" klog_check
ktap_summary
