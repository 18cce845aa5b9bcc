#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# save_restore.sh - a host moves from IPVS to dsr with "ipvsadm -Sn |
# dsradm -R", and dsr's own save/restore round-trips.
#
#   ipvs (namespace, Linux IPVS)         lb (namespace, dsr)
#     TCP 10.0.0.100:443 rr                 dsradm -R < ipvsadm -Sn
#       -> 10.0.0.21:443 Route 2            dsradm -Sn == ipvsadm -Sn
#       -> 10.0.0.22:443 Route 1            dsradm -C; dsradm -R < saved
#       -> 10.0.0.24:443 Tunnel ipip        dsradm -Sn unchanged
#       -> 10.0.0.25:443 Tunnel gue :6080, checksum
#       -> 10.0.0.26:443 Tunnel gre, no checksum
#     UDP 10.0.0.100:53 rr
#       -> 10.0.0.23:53  Route 0
#     TCP 10.0.0.100:8080 wrr persistent 120 mask 255.255.255.0
#       -> 10.0.0.27:8080 Route 1
#     UDP 10.0.0.100:5353 sh (sh-port) persistent 360
#       -> 10.0.0.28:5353 Route 1
#     UDP 10.0.0.100:5354 wrr ops
#       -> 10.0.0.31:5354 Route 1
#     UDP 10.0.0.100:5060 rr persistent 60 mask 0.0.0.0 pe sip ops
#       -> 10.0.0.32:5060 Route 1
#     FWM 7 wrr persistent 600
#       -> 10.0.0.29:0 Route 2, 10.0.0.30:0 Tunnel ipip 1
#     TCP [2001:db8::100]:443 wrr persistent 300 mask 64
#       -> [2001:db8::21]:443 Route 2, [2001:db8:1::22]:443 Tunnel ipip 1
#     UDP [2001:db8::100]:53 rr
#       -> [2001:db8::23]:53 Route 0
#     FWM 7 IPv6 rr persistent 60 mask 48
#       -> [2001:db8::29]:0 Route 1
#
#   ipvs2 (namespace, Linux IPVS): ipvsadm -R < dsradm -Sn, and its
#   ipvsadm -Sn equals dsradm's: the way back works too. ipvsadm lists
#   services in its hash table's order and dsradm in address order, so
#   the two are compared service by service (same_rules).
#
# No traffic: this is about configuration only.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
[ "$DSR_IMPL" = dsr ] || skip_all "dsradm save/restore (DSR_IMPL=$DSR_IMPL)"
require_cmd ipvsadm
lb_require
lb_load
load_modules ip_vs

setup_ns ipvs ipvs2 lb

IPVS_SAVE="$TMP_DIR/ipvs.save"
DSR_SAVE="$TMP_DIR/dsr.save"

in_ns ipvs ipvsadm -A -t "$VIP:443" -s rr
in_ns ipvs ipvsadm -a -t "$VIP:443" -r "$SUBNET.21:443" -g -w 2
in_ns ipvs ipvsadm -a -t "$VIP:443" -r "$SUBNET.22:443" -g -w 1
in_ns ipvs ipvsadm -a -t "$VIP:443" -r "$SUBNET.24:443" -i -w 1 --tun-type ipip
in_ns ipvs ipvsadm -a -t "$VIP:443" -r "$SUBNET.25:443" -i -w 3 \
	--tun-type gue --tun-port 6080 --tun-csum
in_ns ipvs ipvsadm -a -t "$VIP:443" -r "$SUBNET.26:443" -i -w 1 \
	--tun-type gre --tun-nocsum
in_ns ipvs ipvsadm -A -u "$VIP:53" -s rr
in_ns ipvs ipvsadm -a -u "$VIP:53" -r "$SUBNET.23:53" -g -w 0
in_ns ipvs ipvsadm -A -t "$VIP:8080" -s wrr -p 120 -M 255.255.255.0
in_ns ipvs ipvsadm -a -t "$VIP:8080" -r "$SUBNET.27:8080" -g -w 1
load_modules ip_vs_sh
in_ns ipvs ipvsadm -A -u "$VIP:5353" -s sh -b sh-port -p
in_ns ipvs ipvsadm -a -u "$VIP:5353" -r "$SUBNET.28:5353" -g -w 1
in_ns ipvs ipvsadm -A -u "$VIP:5354" -s wrr -o
in_ns ipvs ipvsadm -a -u "$VIP:5354" -r "$SUBNET.31:5354" -g -w 1
in_ns ipvs ipvsadm -A -u "$VIP:5060" -s rr -p 60 -M 0.0.0.0 -o --pe sip
in_ns ipvs ipvsadm -a -u "$VIP:5060" -r "$SUBNET.32:5060" -g -w 1
in_ns ipvs ipvsadm -A -f 7 -s wrr -p 600
in_ns ipvs ipvsadm -a -f 7 -r "$SUBNET.29" -g -w 2
in_ns ipvs ipvsadm -a -f 7 -r "$SUBNET.30" -i -w 1
in_ns ipvs ipvsadm -A -t "[2001:db8::100]:443" -s wrr -p 300 -M 64
in_ns ipvs ipvsadm -a -t "[2001:db8::100]:443" -r "[2001:db8::21]:443" -g -w 2
in_ns ipvs ipvsadm -a -t "[2001:db8::100]:443" -r "[2001:db8:1::22]:443" -i -w 1 --tun-type ipip
in_ns ipvs ipvsadm -A -u "[2001:db8::100]:53" -s rr
in_ns ipvs ipvsadm -a -u "[2001:db8::100]:53" -r "[2001:db8::23]:53" -g -w 0
in_ns ipvs ipvsadm -A -f 7 -6 -s rr -p 60 -M 48
in_ns ipvs ipvsadm -a -f 7 -6 -r "[2001:db8::29]:0" -g -w 1
in_ns ipvs ipvsadm -Sn >"$IPVS_SAVE"

# same_rules A B - two saved tables hold the same services with the same
# lines, whatever order the services come in (diff of the sorted blocks)
same_rules()
{
	diff -u <(rule_blocks <"$1") <(rule_blocks <"$2")
}

# rule_blocks - a saved table, one service and its real servers per line,
# services sorted
rule_blocks()
{
	awk '/^-A / && NR > 1 { print line; line = "" }
	     { line = line (line == "" ? "" : " | ") $0 }
	     END { if (line != "") print line }' | sort
}

migrate_ok()
{
	adm lb -R <"$IPVS_SAVE" || { echo "dsradm -R failed on:"; cat "$IPVS_SAVE"; return 1; }
	adm lb -Sn >"$DSR_SAVE" || return 1
	same_rules "$IPVS_SAVE" "$DSR_SAVE" && return 0
	echo "dsradm -Sn differs from ipvsadm -Sn (above)"
	return 1
}
ktap_check "ipvsadm -Sn | dsradm -R reproduces IPVS's table exactly (dsradm -Sn == ipvsadm -Sn)" migrate_ok

listing_ok()
{
	local out
	out=$(adm lb -Ln) || return 1
	grep -Eq "^TCP  ${VIP//./\\.}:443 rr$" <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.21:443 +Route +2 " <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.22:443 +Route +1 " <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.24:443 +Tunnel +1 " <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.25:443 +Tunnel +3 " <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.26:443 +Tunnel +1 " <<<"$out" &&
	grep -Eq "^UDP  ${VIP//./\\.}:53 rr$" <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.23:53 +Route +0 " <<<"$out" &&
	grep -Eq "^TCP  ${VIP//./\\.}:8080 wrr persistent 120 mask 255\.255\.255\.0$" <<<"$out" &&
	grep -Eq "^UDP  ${VIP//./\\.}:5353 sh \(sh-port\) persistent 360$" <<<"$out" &&
	grep -Eq "^UDP  ${VIP//./\\.}:5354 wrr ops$" <<<"$out" &&
	grep -Eq "^UDP  ${VIP//./\\.}:5060 rr persistent 60 mask 0\.0\.0\.0 pe sip ops$" <<<"$out" &&
	grep -Eq "^FWM  7 wrr persistent 600$" <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.29:0 +Route +2 " <<<"$out" &&
	grep -Eq "^  -> ${SUBNET//./\\.}\.30:0 +Tunnel +1 " <<<"$out" &&
	grep -Eq "^TCP  \[2001:db8::100\]:443 wrr persistent 300 mask 64$" <<<"$out" &&
	grep -Eq "^  -> \[2001:db8::21\]:443 +Route +2 " <<<"$out" &&
	grep -Eq "^  -> \[2001:db8:1::22\]:443 +Tunnel +1 " <<<"$out" &&
	grep -Eq "^UDP  \[2001:db8::100\]:53 rr$" <<<"$out" &&
	grep -Eq "^  -> \[2001:db8::23\]:53 +Route +0 " <<<"$out" &&
	grep -Eq "^FWM  7 IPv6 rr persistent 60 mask 48$" <<<"$out" &&
	grep -Eq "^  -> \[2001:db8::29\]:0 +Route +1 " <<<"$out" && return 0
	echo "dsradm -Ln after the restore:"
	echo "$out"
	return 1
}
ktap_check "the restored services, real servers and weights are listed" listing_ok

roundtrip_ok()
{
	local out after
	adm lb -C || return 1
	out=$(adm lb -Sn) || return 1
	[ -z "$out" ] || { echo "dsradm -C left:"; echo "$out"; return 1; }
	adm lb -R <"$DSR_SAVE" || return 1
	after=$(adm lb -Sn) || return 1
	diff -u "$DSR_SAVE" <(printf '%s\n' "$after") && return 0
	echo "dsradm -Sn after -C and -R differs from before (above)"
	return 1
}
ktap_check "dsradm -C then dsradm -R of its own save restores the same table" roundtrip_ok

back_to_ipvs_ok()
{
	local back
	in_ns ipvs2 ipvsadm -R <"$DSR_SAVE" ||
		{ echo "ipvsadm -R failed on:"; cat "$DSR_SAVE"; return 1; }
	back=$(in_ns ipvs2 ipvsadm -Sn) || return 1
	same_rules "$DSR_SAVE" <(printf '%s\n' "$back") && return 0
	echo "ipvsadm -Sn after ipvsadm -R of dsradm -Sn differs from it (above)"
	return 1
}
ktap_check "dsradm -Sn | ipvsadm -R gives IPVS the same table (DR and tunnels)" back_to_ipvs_ok

bad_line_ok()
{
	local rc=0 before after err
	before=$(adm lb -Sn) || return 1
	printf '%s\n' "-A -t $SUBNET.200:80 -s rr" "-a -t $SUBNET.200:80 -r $SUBNET.31:80 -g -w 99999" \
		"-A -t $SUBNET.201:80 -s rr" >"$TMP_DIR/bad.save"
	adm lb -R <"$TMP_DIR/bad.save" 2>"$TMP_DIR/err" || rc=$?
	err=$(cat "$TMP_DIR/err")
	after=$(adm lb -Sn) || return 1
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$TMP_DIR/err")" -eq 1 ] &&
	   grep -q "weight" <<<"$err" && grep -q "2" <<<"$err" &&
	   ! grep -q "$SUBNET.201:80" <<<"$after"; then
		return 0
	fi
	echo "dsradm -R of a file whose line 2 has weight 99999: exit $rc, stderr:"
	echo "$err"
	echo "table before:"; echo "$before"
	echo "table after:"; echo "$after"
	return 1
}
ktap_check "dsradm -R stops at a bad line, names it in one line, and goes no further" bad_line_ok

ktap_check "kernel log is clean" klog_check
ktap_summary
