#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# bulk.sh - a large configuration, restored, listed, saved and cleared, by
# dsr and by IPVS with the same rules in the same guest.
#
#   d   dsr:  dsradm  -R, -Ln, -Sn, -C
#   v   IPVS: ipvsadm -R, -Ln, -Sn, -C (when ip_vs loads)
#
# 10,000 TCP services (rr) of 10 real servers each: 110,000 lines in
# ipvsadm -S format. Checked for each: -R succeeds, -Ln lists every service
# and real server, -Sn gives back exactly the rules restored, -C leaves
# nothing. How long each step took goes to the log (wall clock in a TCG
# guest, so comparable only within one run): the numbers, never a limit.
#
# rr, because IPVS and dsr then do the same work per real server; dsr's
# default mh rebuilds a 65537-slot table for every -a, as IPVS's mh does.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require

NSVC=${BULK_SERVICES:-10000}
NDEST=${BULK_SERVERS:-10}
RULES=$TMP_DIR/rules

# VIPs 10.100.0.1 onwards, real servers 10.200.0.1 onwards (250 to an
# octet, so 10.201.* after 62,500), all port 80; as -S writes them.
awk -v nsvc="$NSVC" -v ndest="$NDEST" 'BEGIN {
	for (i = 0; i < nsvc; i++) {
		vip = sprintf("10.100.%d.%d:80", int(i / 250), i % 250 + 1)
		printf "-A -t %s -s rr\n", vip
		for (j = 0; j < ndest; j++) {
			k = i * ndest + j
			printf "-a -t %s -r 10.%d.%d.%d:80 -g -w 1\n", vip,
				200 + int(k / 62500), int(k / 250) % 250,
				k % 250 + 1
		}
	}
}' >"$RULES"

# timed NAME CMD... - run CMD, its wall time in ms into $TMP_DIR/NAME.ms
timed()
{
	local name=$1 t0 rc=0
	shift
	t0=$(now_ms)
	"$@" || rc=$?
	echo $(($(now_ms) - t0)) >"$TMP_DIR/$name.ms"
	return "$rc"
}

ms()
{
	cat "$TMP_DIR/$1.ms" 2>/dev/null || echo "?"
}

# run_bulk LABEL NS TOOL - the four steps with TOOL in namespace NS
run_bulk()
{
	local label=$1 ns=$2 tool=$3

	restore()
	{
		in_ns "$ns" "$tool" -R <"$RULES"
	}
	listed()
	{
		local svcs dests
		timed "$label-list" in_ns "$ns" "$tool" -Ln >"$TMP_DIR/$label.list" ||
			return 1
		svcs=$(grep -c '^TCP ' "$TMP_DIR/$label.list" || true)
		dests=$(grep -c '^  -> 10\.20[01]\.' "$TMP_DIR/$label.list" || true)
		[ "$svcs" -eq "$NSVC" ] && [ "$dests" -eq $((NSVC * NDEST)) ] && return 0
		echo "-Ln: $svcs services, $dests real servers"
		return 1
	}
	saved()
	{
		timed "$label-save" in_ns "$ns" "$tool" -Sn >"$TMP_DIR/$label.save" ||
			return 1
		sort "$TMP_DIR/$label.save" >"$TMP_DIR/$label.save.sorted"
		sort "$RULES" >"$TMP_DIR/rules.sorted"
		cmp -s "$TMP_DIR/rules.sorted" "$TMP_DIR/$label.save.sorted" && return 0
		diff "$TMP_DIR/rules.sorted" "$TMP_DIR/$label.save.sorted" | head -n 5
		return 1
	}
	cleared()
	{
		timed "$label-clear" in_ns "$ns" "$tool" -C || return 1
		[ -z "$(in_ns "$ns" "$tool" -Sn)" ]
	}

	ktap_check "$label: -R of $NSVC services with $NDEST real servers each" \
		timed "$label-restore" restore
	ktap_check "$label: -Ln lists them all" listed
	ktap_check "$label: -Sn saves exactly what was restored" saved
	ktap_check "$label: -C clears them" cleared
	ktap_diag "$label: -R $(ms "$label-restore") ms, -Ln $(ms "$label-list") ms," \
		"-Sn $(ms "$label-save") ms, -C $(ms "$label-clear") ms" \
		"($(wc -l <"$RULES") lines)"
}

setup_ns d v
if [ "$DSR_IMPL" = dsr ]; then
	lb_load
	run_bulk dsradm d "$DSRADM"
fi
# IPVS beside dsr: the stand-in's own run, or dsr's comparison.
if command -v ipvsadm >/dev/null && modprobe ip_vs 2>/dev/null &&
   modprobe ip_vs_rr 2>/dev/null; then
	run_bulk ipvsadm v ipvsadm
else
	ktap_skip "ipvsadm: no ipvsadm or ip_vs here, no comparison"
fi
if [ "$DSR_IMPL" = dsr ] && [ -e "$TMP_DIR/ipvsadm-restore.ms" ]; then
	ktap_diag "same rules, same guest: dsradm -R $(ms dsradm-restore) ms," \
		"ipvsadm -R $(ms ipvsadm-restore) ms; -Ln $(ms dsradm-list) ms" \
		"and $(ms ipvsadm-list) ms"
fi

ktap_check "kernel log is clean" klog_check
ktap_summary
