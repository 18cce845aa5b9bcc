#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# boot_restore.sh - the saved rules come back at boot through dsr.service.
#
# The unit (tools/systemd/dsr.service.in) is rendered as "make
# install-lbhost" renders it, with the rules file and programs of this
# checkout, and checked by systemd-analyze verify. Its ExecStart line is
# then run as systemd would run it, in a fresh namespace standing for the
# rebooted host:
#
# 1. A configuration with most of what dsr has (schedulers and their flags,
#    persistence with a netmask, a fwmark service, one-packet UDP, DR and
#    tunnel real servers, thresholds, weight 0) is saved with
#    "dsr-rules save" and restores into the fresh namespace with the same
#    listing and the same saved rules.
# 2. Traffic flows in the restored namespace: a connection to the VIP
#    reaches the real server.
# 3. Running the unit's ExecReload against an unchanged file changes
#    nothing: the flow of an open connection stays, no notification.
# 4. A missing rules file gives a one-line error and changes nothing.
#
# dsr only: IPVS has its own ipvsadm-save/-restore units.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
[ "$DSR_IMPL" = dsr ] || skip_all "dsr.service restores dsr's own rules"
lb_require
require_cmd systemd-analyze
lb_load

RULES=$TMP_DIR/etc/dsr.rules
STAGE=$TMP_DIR/stage
UNIT=$STAGE/dsr.service
mkdir -p "$STAGE/sbin" "$TMP_DIR/etc"
# the installed programs, as "make install-lbhost install-dsradm" puts them
ln -s "$TOP_DIR/tools/systemd/dsr-rules" "$STAGE/sbin/dsr-rules"
ln -s "$DSRADM" "$STAGE/sbin/dsradm"
sed -e "s|@SBINDIR@|$STAGE/sbin|g" -e "s|/etc/dsr/dsr.rules|$RULES|g" \
	"$TOP_DIR/tools/systemd/dsr.service.in" >"$UNIT"

verify()
{
	# --man=no: the man page is installed with dsradm, not in this tree
	systemd-analyze verify --man=no "$UNIT" 2>&1 && return 0
	cat "$UNIT"
	return 1
}
ktap_check "systemd-analyze verify accepts dsr.service" verify

ordered()
{
	local after before
	after=$(sed -n 's/^After=//p' "$UNIT")
	before=$(sed -n 's/^Before=//p' "$UNIT")
	case " $before " in
	*" network-pre.target "*) ;;
	*) echo "Before=$before"; return 1 ;;
	esac
	case " $before " in
	*" keepalived.service "*) ;;
	*) echo "Before=$before"; return 1 ;;
	esac
	case " $after " in
	*network*|*keepalived*) echo "After=$after"; return 1 ;;
	esac
}
ktap_check "dsr.service runs before the network and keepalived, never after them" ordered

topo_dr 2
setup_ns boot
# the rebooted LB: same addresses, a port on the same switch
in_ns sw ip link add boot type veth peer name eth0 netns "$(ns_name boot)"
printf '%s\n' "link set boot master br0 up" | ns_ip sw
NS_BOOT_IP=$SUBNET.3
printf '%s\n' "addr add $NS_BOOT_IP/24 dev eth0" "link set eth0 up" | ns_ip boot

RS1=$(rs_ip 1)
RS2=$(rs_ip 2)
cat >"$TMP_DIR/config" <<EOF
-A -t $VIP:80 -s mh -b mh-port
-a -t $VIP:80 -r $RS1:80 -g -w 3
-a -t $VIP:80 -r $RS2:80 -g -w 0
-A -t $VIP:443 -s wrr -p 600 -M 255.255.255.0
-a -t $VIP:443 -r $RS1:443 -g -w 2 -x 100 -y 50
-a -t $VIP:443 -r $RS2:443 -i -w 1
-A -u $VIP:53 -s rr -o
-a -u $VIP:53 -r $RS1:53 -g -w 1
-A -f 7 -s sh
-a -f 7 -r $RS1:0 -g -w 1
-a -f 7 -r $RS2:0 -i --tun-type gue --tun-port 6080 -w 1
EOF
adm lb -R <"$TMP_DIR/config"

saved()
{
	in_ns lb env DSRADM="$DSRADM" "$TOP_DIR/tools/systemd/dsr-rules" save "$RULES" ||
		return 1
	diff <(adm lb -Sn) "$RULES" || return 1
	[ "$(grep -c '^-a' "$RULES")" = 7 ] || { cat "$RULES"; return 1; }
}
ktap_check "dsr-rules save writes the running configuration to the rules file" saved

restored()
{
	unit_run boot "$UNIT" ExecStart || { echo "ExecStart failed"; return 1; }
	diff <(adm lb -Ln) <(adm boot -Ln) || return 1
	diff "$RULES" <(adm boot -Sn) || return 1
}
ktap_check "the unit's ExecStart restores the same listing in a fresh namespace" restored

# ---------------------------------------------------------------- traffic

adm lb -C
sink_start tcp rs1 "$VIP" 80 "$TMP_DIR/rs1"
sink_start tcp rs2 "$VIP" 80 "$TMP_DIR/rs2"
# the client reaches the VIP through the restored LB
in_ns client ip neigh replace "$VIP" lladdr "$(mac_of boot)" dev eth0

forwards()
{
	echo "hello from the client" >"$TMP_DIR/hello"
	tcp_send client "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/hello.out" ||
		{ echo "connect failed: $(cat "$TMP_DIR/hello.out.err")"; return 1; }
	cmp "$TMP_DIR/hello" "$TMP_DIR/hello.out" || return 1
	# rs2 has weight 0: rs1 gets it
	grep -q hello "$TMP_DIR"/rs1/data.* ||
		{ echo "rs1 did not get the connection"; return 1; }
}
ktap_check "the restored LB forwards a connection to the real server" forwards

# ---------------------------------------------------------------- reload

reload_keeps()
{
	local before after
	before=$(adm boot -Lcn | grep -c ESTABLISHED) || true
	in_ns boot timeout 30 "$DSRADM" monitor >"$TMP_DIR/monitor" 2>&1 &
	local mon=$!
	nap 1
	unit_run boot "$UNIT" ExecReload || { echo "ExecReload failed"; return 1; }
	nap 1
	kill "$mon" 2>/dev/null
	wait "$mon" 2>/dev/null || true
	after=$(adm boot -Lcn | grep -c ESTABLISHED) || true
	if [ "$before" -ge 1 ] && [ "$after" = "$before" ] && ! grep -q . "$TMP_DIR/monitor"; then
		return 0
	fi
	echo "established flows: $before before, $after after; notifications:"
	cat "$TMP_DIR/monitor"
	return 1
}
# outside the check: the stream's writer must not hold the check's output
stream_start 80
nap 2
ktap_check "ExecReload with the file unchanged changes nothing (flows kept, no notification)" reload_keeps

missing()
{
	local out before
	before=$(adm boot -Sn)
	if out=$(in_ns boot env DSRADM="$DSRADM" "$TOP_DIR/tools/systemd/dsr-rules" restore \
		"$TMP_DIR/etc/none.rules" 2>&1); then
		echo "restore of a missing file succeeded"
		return 1
	fi
	if [ "$(echo "$out" | wc -l)" != 1 ] || [[ $out != *none.rules*"does not exist"* ]]; then
		echo "error: $out"
		return 1
	fi
	[ "$(adm boot -Sn)" = "$before" ] || { echo "the configuration changed"; return 1; }
}
kill_ns_procs client

ktap_check "a missing rules file: one-line error, nothing changed" missing

ktap_check "kernel log is clean" klog_check
ktap_summary
