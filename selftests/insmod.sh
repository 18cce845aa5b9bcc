#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# insmod.sh - the ways an operator loads dsr.ko on a load-balancer host.
#
#   client 10.0.0.1 -- br0 -- lb 10.0.0.2 (VIP 10.0.0.100) -- rs1 10.0.0.11
#
# 1. insmod of the built dsr.ko, with nf_defrag_ipv4 and nf_defrag_ipv6 not
#    loaded (insmod resolves no dependencies): it loads, a TCP service
#    forwards a connection (which needs defragmentation enabled in the
#    namespace), and an IPv6 service is taken (IPv6 defragmentation).
# 2. dsr holds both while loaded and lets go of them on rmmod.
# 3. modinfo describes every module parameter with its default.
# 4. The options of the shipped modprobe.d example reach the module.
#
# dsr only: IPVS is loaded by modprobe, never by insmod.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
[ "$DSR_IMPL" = dsr ] || skip_all "loading dsr.ko is dsr's own (IPVS: modprobe)"
lb_require
require_cmd modinfo insmod rmmod

KO=$(modinfo -n dsr)
EXAMPLE=$TOP_DIR/tools/modprobe.d/dsr.conf

# unload_tree MOD - unload MOD after the modules that hold it (conntrack,
# nf_nat, ... left by earlier tests in the same guest); at most 3 levels
unload_tree()
{
	local mod=$1 depth=${2:-0} holder
	[ -d "/sys/module/$mod" ] || return 0
	[ "$depth" -lt 3 ] || return 1
	for holder in "/sys/module/$mod/holders/"*; do
		[ -e "$holder" ] || continue
		unload_tree "${holder##*/}" $((depth + 1)) || return 1
	done
	rmmod "$mod" 2>/dev/null
}

# The defragmentation modules dsr takes by symbol. A kernel may have them
# built in (the debug lane's does): then only dsr.ko's own loading and
# unloading are checked for them.
DEFRAG=()
for mod in nf_defrag_ipv4 nf_defrag_ipv6; do
	grep -q "/$mod\.ko" "/lib/modules/$(uname -r)/modules.builtin" 2>/dev/null ||
		DEFRAG+=("$mod")
done
DEFRAG_NAMES=${DEFRAG[*]:-}
DEFRAG_NAMES=${DEFRAG_NAMES// / and }

lb_loaded && rmmod dsr
for mod in "${DEFRAG[@]}"; do
	unload_tree "$mod" ||
		skip_all "$mod cannot be unloaded here (held by: $(ls "/sys/module/$mod/holders"))"
done

topo_dr 1
sink_start tcp rs1 "$VIP" 80 "$TMP_DIR/rs1"

# ---------------------------------------------------------------- 1. insmod

insmod_alone()
{
	if ! insmod "$KO" 2>"$TMP_DIR/insmod.err"; then
		echo "insmod $KO: $(cat "$TMP_DIR/insmod.err")"
		klog_new | grep -i 'dsr\|symbol' | tail -n 5 || true
		return 1
	fi
	lb_loaded || { echo "insmod returned 0 but dsr is not loaded"; return 1; }
}
if [ -z "$DEFRAG_NAMES" ]; then
	ktap_check "insmod loads dsr.ko (defragmentation is built in)" insmod_alone
else
	ktap_check "insmod loads dsr.ko while $DEFRAG_NAMES are not loaded" insmod_alone
fi

forwards()
{
	adm lb -A -t "$VIP:80" -s rr || return 1
	adm lb -a -t "$VIP:80" -r "$(rs_ip 1):80" -g -w 1 || return 1
	random_file "$TMP_DIR/payload" 3000
	tcp_send client "$VIP" 80 "$TMP_DIR/payload" "$TMP_DIR/echo" ||
		{ echo "connection failed: $(cat "$TMP_DIR/echo.err")"; return 1; }
	cmp "$TMP_DIR/payload" "$TMP_DIR/echo" || return 1
	grep -q . "$TMP_DIR"/rs1/data.* ||
		{ echo "rs1 received nothing"; return 1; }
}
ktap_check "the insmod-loaded module forwards a connection to the real server" forwards

# An IPv6 service enables IPv6 defragmentation in the namespace.
ipv6_service()
{
	adm lb -A -t "[2001:db8::100]:80" -s rr
}
ktap_check "the insmod-loaded module takes an IPv6 service" ipv6_service

# ---------------------------------------------------------------- 2. references

held()
{
	local mod
	for mod in "${DEFRAG[@]}"; do
		[ -d "/sys/module/$mod" ] || { echo "$mod is not loaded"; return 1; }
		if rmmod "$mod" 2>/dev/null; then
			echo "$mod unloaded under a loaded dsr"
			return 1
		fi
	done
}
if [ -z "$DEFRAG_NAMES" ]; then
	ktap_skip "defragmentation cannot be unloaded while dsr uses it: built into this kernel"
else
	ktap_check "$DEFRAG_NAMES cannot be unloaded while dsr uses them" held
fi

released()
{
	local mod
	adm lb -C || return 1
	rmmod dsr || { echo "rmmod dsr failed"; return 1; }
	for mod in "${DEFRAG[@]}"; do
		rmmod "$mod" 2>"$TMP_DIR/rmmod.err" || {
			echo "rmmod $mod after dsr: $(cat "$TMP_DIR/rmmod.err")"
			echo "refcnt $(cat "/sys/module/$mod/refcnt")"
			return 1
		}
	done
}
if [ -z "$DEFRAG_NAMES" ]; then
	ktap_check "rmmod dsr succeeds (defragmentation is built in)" released
else
	ktap_check "rmmod dsr lets go of $DEFRAG_NAMES" released
fi

# ---------------------------------------------------------------- 3. modinfo

params_documented()
{
	local line n=0 bad=0
	while IFS= read -r line; do
		n=$((n + 1))
		# "name:description (default: value) (type)"
		case $line in
		*:?*"(default"*) ;;
		*) echo "undocumented: $line"; bad=1 ;;
		esac
	done < <(modinfo -F parm "$KO")
	[ "$n" -ge 3 ] || { echo "$n parameters listed"; return 1; }
	return "$bad"
}
ktap_check "modinfo describes every parameter with its default" params_documented

# ---------------------------------------------------------------- 4. modprobe.d

example_options()
{
	local conf=$TMP_DIR/modprobe.d want_local want_max want_host
	mkdir -p "$conf"
	sed 's/^#options /options /' "$EXAMPLE" >"$conf/dsr.conf"
	read -r want_local want_max want_host < <(awk '
		$1 == "options" && $2 == "dsr" {
			for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		}
		END { print v["local_in"], v["flow_max"], v["flow_max_host"] }' \
		"$conf/dsr.conf")
	[ -n "$want_host" ] || { echo "the example sets no flow_max_host"; return 1; }
	modprobe -C "$conf" dsr 2>&1 || return 1
	local got
	got="$(cat /sys/module/dsr/parameters/local_in) $(cat /sys/module/dsr/parameters/flow_max) $(cat /sys/module/dsr/parameters/flow_max_host)"
	# bool parameters read back as Y/N
	[ "$want_local" = 1 ] && want_local=Y
	[ "$got" = "$want_local $want_max $want_host" ] && return 0
	echo "parameters: $got, example: $want_local $want_max $want_host"
	return 1
}
ktap_check "the modprobe.d example's options reach the module" example_options

example_applies()
{
	adm lb -Ln --stats >"$TMP_DIR/info" || return 1
	grep -q "flow_max_host=$(cat /sys/module/dsr/parameters/flow_max_host)" \
		"$TMP_DIR/info" && grep -q 'hook=local-in' "$TMP_DIR/info" && return 0
	cat "$TMP_DIR/info"
	return 1
}
ktap_check "dsradm shows the example's hook and flow cap" example_applies

ktap_check "kernel log is clean" klog_check
ktap_summary
