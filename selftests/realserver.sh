#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# realserver.sh - dsr-realserver sets up a real server for DR, IPIP, GUE
# and GRE, and for an IPv6 VIP DR and IPv6-in-IPv6 (with TCP through the
# load balancer, see "IPv6" below), and down leaves the namespace exactly
# as it found it.
#
# One pair of namespaces per mode; MODE is the real server, MODEtx stands in
# for the client and the load balancer at once (it sends to the VIP as an LB
# would forward: through the RS's MAC for DR, through a tunnel to the RS for
# the others; the RS answers it directly from the VIP):
#
#   drtx   10.0.1.1 eth0 ---- eth0 10.0.1.2 dr      route VIP via 10.0.1.2
#   ipiptx 10.0.1.1 eth0 ---- eth0 10.0.1.2 ipip    t0: ipip to 10.0.1.2
#   guetx  10.0.1.1 eth0 ---- eth0 10.0.1.2 gue     t0: ipip, encap gue :6080
#   gretx  10.0.1.1 eth0 ---- eth0 10.0.1.2 gre     t0: gre to 10.0.1.2
#   other  (no links)                               arguments, per-namespace state
#
# The real servers start hardened (all.rp_filter 1, default.rp_filter 2),
# so up has reverse-path filtering to relax. For each mode: a snapshot of
# the namespace (ip -d addr, ip -d link, routes, rules, ip fou show,
# sysctl -a); up (status 0, the VIP on lo, the mode's settings, traffic to
# the VIP answered); up again changes nothing; down; the snapshot must be
# identical to the one from before. Also: the comparison can fail (after up,
# and after a hand-made change that down leaves alone), loose rp_filter
# drops decapsulated packets and arp_ignore is what keeps the RS from
# answering ARP for the VIP, two VIPs or two modes sharing settings, state
# kept per namespace, missing kernel support, bad arguments (exit 2, one
# line), IPv6 VIPs (see below).

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

RS_TOOL=${DSR_REALSERVER:-$TOP_DIR/tools/realserver/dsr-realserver}
STATE_DIR=/run/dsr-realserver
TX_IP=10.0.1.1
RS_IP=10.0.1.2
VIP2=10.0.0.101
GUE_PORT=6080
MODES=(dr ipip gue gre)

# sysctl -a lines that change with nothing done to the namespace (seen to
# change between two reads a second apart in the guest): the dentry and
# inode cache counts, the open-file count, the last pid handed out (every
# fork moves it) and kernel.random.uuid (a fresh UUID on every read).
# Everything else must come back byte for byte. (No conntrack is loaded
# here, so there are no net.netfilter counters to leave out.)
SYSCTL_VOLATILE='^(fs\.(dentry-state|inode-nr|inode-state|file-nr)|kernel\.ns_last_pid|kernel\.random\.uuid) = '

test_init
require_cmd sysctl ping diff unshare mount
[ -x "$RS_TOOL" ] || skip_all "$RS_TOOL not found"

# The tunnel modules go first: loading ipip (ip_gre) creates its fallback
# device tunl0 (gre0, gretap0, erspan0) in every namespace, those that
# exist and those created later, and dsr-realserver never unloads a module
# (it is kernel-wide). The "before" snapshots must already include them.
# ip6_tunnel likewise creates ip6tnl0 everywhere. So does the load
# balancer of the IPv6 checks (dsr, IPVS) with its sysctls, and dsr.ko
# taints the kernel (kernel.tainted).
load_modules ipip fou ip_gre ip6_tunnel

# lb6_usable - the load balancer under test can run here (without it the
# IPv6 traffic checks are skipped, dsr-realserver's own are not)
lb6_usable()
{
	case $DSR_IMPL in
	ipvs)	command -v ipvsadm >/dev/null 2>&1 && modprobe -n ip_vs 2>/dev/null ;;
	*)	[ -x "$DSRADM" ] && modprobe -n dsr 2>/dev/null ;;
	esac
}

LB6_OK=0
if lb6_usable && lb_load; then
	LB6_OK=1
fi

mode_args()
{
	case $1 in
	gue)	ARGS=(--gue "$GUE_PORT") ;;
	*)	ARGS=("--$1") ;;
	esac
}

# mode_supported MODE - the guest kernel has what MODE needs
mode_supported()
{
	case $1 in
	dr)	return 0 ;;
	ipip)	[ -d /sys/module/ipip ] ;;
	gre)	[ -d /sys/module/ip_gre ] ;;
	gue)	[ -d /sys/module/ipip ] && ip fou show >/dev/null 2>&1 ;;
	esac
}

# ---------------------------------------------------------------- setup

setup_ns other
for m in "${MODES[@]}"; do
	setup_ns "$m" "${m}tx"
	in_ns "$m" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.default.rp_filter=2
	in_ns "${m}tx" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	veth_link "${m}tx" eth0 "$m" eth0
	printf '%s\n' "addr add $TX_IP/24 dev eth0" "link set eth0 up" | ns_ip "${m}tx"
	printf '%s\n' "addr add $RS_IP/24 dev eth0" "link set eth0 up" | ns_ip "$m"
done
mode_supported gue && printf '%s\n' \
	"link add t0 type ipip local $TX_IP remote $RS_IP encap gue encap-sport auto encap-dport $GUE_PORT" \
	"link set t0 up" "route add $VIP/32 dev t0" | ns_ip guetx
mode_supported ipip && printf '%s\n' "link add t0 type ipip local $TX_IP remote $RS_IP" \
	"link set t0 up" "route add $VIP/32 dev t0" | ns_ip ipiptx
mode_supported gre && printf '%s\n' "link add t0 type gre local $TX_IP remote $RS_IP" \
	"link set t0 up" "route add $VIP/32 dev t0" | ns_ip gretx
echo "route add $VIP/32 via $RS_IP" | ns_ip drtx

# IPv6 duplicate address detection on the veths would change ip addr
# ("tentative") between two snapshots: wait until it is over.
dad_done()
{
	local m out
	for m in "${MODES[@]}"; do
		out=$(in_ns "$m" ip -6 addr show tentative)
		[ -z "$out" ] || { echo "$m: $out"; return 1; }
	done
}
busywait 10000 dad_done >/dev/null || fail_all "IPv6 DAD did not finish on the veths"

# ---------------------------------------------------------------- helpers

# snapshot NS FILE - what dsr-realserver could change in NS, as text
snapshot()
{
	# shellcheck disable=SC2016 # expanded by that bash
	in_ns "$1" bash -c '
		echo "## ip -d addr"; ip -d addr
		echo "## ip -d link"; ip -d link
		echo "## ip -d route show table all"; ip -d route show table all
		echo "## ip -6 -d route show table all"; ip -6 -d route show table all
		echo "## ip rule"; ip rule; ip -6 rule
		echo "## ip fou show"; ip fou show 2>&1
		echo "## sysctl -a"; sysctl -a 2>"$2" | grep -Ev "$1"
		echo "## sysctl -a errors"; cat "$2"
	' _ "$SYSCTL_VOLATILE" "$TMP_DIR/sysctl.err" >"$2"
}

# same A B - the snapshots A and B are identical (else the diff)
same()
{
	diff -u "$1" "$2" && return 0
	return 1
}

differ()
{
	! diff -q "$1" "$2" >/dev/null || { echo "the snapshots are identical"; return 1; }
}

# tool NS ARGS... - run dsr-realserver in NS; sets RC, OUT, ERR
tool()
{
	local ns=$1
	shift
	RC=0
	in_ns "$ns" "$RS_TOOL" "$@" >"$TMP_DIR/out" 2>"$TMP_DIR/err" || RC=$?
	OUT=$(<"$TMP_DIR/out")
	ERR=$(<"$TMP_DIR/err")
}

show_run()
{
	echo "exit status $RC"
	[ -z "$OUT" ] || { echo "stdout:"; echo "$OUT"; }
	[ -z "$ERR" ] || { echo "stderr:"; echo "$ERR"; }
}

# expect RC_WANT - the last run exited RC_WANT with nothing on stderr, and
# each line on stdout starts with "dsr-realserver: "
expect()
{
	if [ "$RC" -eq "$1" ] && [ -z "$ERR" ] &&
	   { [ -z "$OUT" ] || ! grep -qv '^dsr-realserver: ' <<<"$OUT"; }; then
		return 0
	fi
	show_run
	return 1
}

expect_exit()
{
	[ "$RC" -eq "$1" ] && return 0
	show_run
	return 1
}

# says LINE... - each LINE (after "dsr-realserver: ") is on stdout
says()
{
	local l
	for l in "$@"; do
		grep -qxF "dsr-realserver: $l" <<<"$OUT" || { echo "missing line: dsr-realserver: $l"; show_run; return 1; }
	done
}

# changes_nothing - the output of up names no change
changes_nothing()
{
	says "$1" || return 1
	! grep -Eq '^dsr-realserver: (set|added|created|loaded|removed|deleted) ' <<<"$OUT" ||
		{ show_run; return 1; }
}

ping_vip()
{
	in_ns "$1" ping -c 1 -W "${2:-3}" "$VIP" >/dev/null 2>&1
}

no_ping_vip()
{
	! ping_vip "$1" 1 || { echo "$VIP answered"; return 1; }
}

# (the output is taken whole first: grep -q leaving early could kill ip
# with SIGPIPE, which pipefail counts as a failure)
vip_on_lo()
{
	local out
	out=$(in_ns "$1" ip -4 -o addr show dev lo)
	[[ $out == *" inet ${2:-$VIP}/32 "* ]] && return 0
	echo "${2:-$VIP}/32 is not on lo:"
	echo "$out"
	return 1
}

# sysctls NS KEY=VALUE... - the sysctls have these values
sysctls()
{
	local ns=$1 kv keys=() want=() got i bad=0
	shift
	for kv in "$@"; do
		keys+=("${kv%=*}")
		want+=("${kv#*=}")
	done
	mapfile -t got < <(in_ns "$ns" sysctl -n "${keys[@]}")
	for i in "${!keys[@]}"; do
		[ "${got[$i]:-}" = "${want[$i]}" ] && continue
		echo "${keys[$i]} = ${got[$i]:-?}, want ${want[$i]}"
		bad=1
	done
	return "$bad"
}

# state_of NS MODE - everything as up sets it, checked without the tool
state_of()
{
	local ns=$1 mode=$2 type dev line
	vip_on_lo "$ns" || return 1
	case $mode in
	dr)
		sysctls "$ns" net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2 \
			net.ipv4.conf.lo.arp_ignore=1 net.ipv4.conf.lo.arp_announce=2
		return
		;;
	gre)	type=gre; dev=dsr-gre ;;
	*)	type=ipip; dev=dsr-ipip ;;
	esac
	line=$(in_ns "$ns" ip -d -o link show dev "$dev") || return 1
	[[ $line == *" $type external "* ]] || { echo "$dev is not an external $type device: $line"; return 1; }
	[[ $line == *"<"*UP*">"* ]] || { echo "$dev is down: $line"; return 1; }
	sysctls "$ns" net.ipv4.conf.all.rp_filter=0 "net.ipv4.conf.$dev.rp_filter=0" || return 1
	if [ "$mode" = gue ]; then
		grep -qx "port $GUE_PORT gue" <<<"$(in_ns "$ns" ip fou show)" ||
			{ echo "no fou port $GUE_PORT gue:"; in_ns "$ns" ip fou show; return 1; }
	fi
}

state_files()
{
	find "$STATE_DIR" -maxdepth 1 -type f ! -name .lock 2>/dev/null | sort
}

netns_inode()
{
	in_ns "$1" stat -L -c %i /proc/self/ns/net
}

# ran_and_same RC A B - the last run exited RC (expect), snapshots A = B
ran_and_same()
{
	expect "$1" && same "$2" "$3"
}

# ran_and_says RC LINE... - the last run exited RC and printed each LINE
ran_and_says()
{
	local rc=$1
	shift
	expect "$rc" && says "$@"
}

# only_says LINE - the last run exited 0 and printed only LINE
only_says()
{
	expect 0 && says "$1" || return 1
	[ "$OUT" = "dsr-realserver: $1" ] || { show_run; return 1; }
}

# warned TEXT - the last run exited 0 with TEXT in a warning on stderr
warned()
{
	[ "$RC" -eq 0 ] && [[ $ERR == *"dsr-realserver: warning: $1"* ]] && return 0
	show_run
	return 1
}

# still_up NS VIP MODE ARGS... - status exits 0, the state is as up sets it,
# and $VIP is not on lo unless it is the VIP that is up
still_up()
{
	local ns=$1 vip=$2 mode=$3
	shift 3
	tool "$ns" status "$vip" "$@"
	expect_exit 0 || return 1
	if [ "$vip" != "$VIP" ] && vip_on_lo "$ns" >/dev/null; then
		echo "$VIP is still on lo"
		return 1
	fi
	VIP=$vip state_of "$ns" "$mode"
}

# only_fou_removed - down --gue with --ipip up: the fou port goes, the
# rest stays
only_fou_removed()
{
	ran_and_says 0 "removed fou port $GUE_PORT" \
		"kept the external ipip device: $VIP --ipip needs it" \
		"kept $VIP/32 on lo: $VIP --ipip needs it" || return 1
	! grep -Eq '^dsr-realserver: (set|deleted|removed [0-9])' <<<"$OUT" || { show_run; return 1; }
}

# state_files_are FILE... - the state directory holds exactly these files
state_files_are()
{
	local got want
	got=$(state_files)
	want=$(printf '%s\n' "$@" | sort | sed '/^$/d')
	[ "$got" = "$want" ] && return 0
	echo "state files: ${got:-none}; want: ${want:-none}"
	return 1
}

no_state_files()
{
	local got
	got=$(state_files)
	[ -z "$got" ] && return 0
	echo "state files left: $got"
	return 1
}

same_no_state()
{
	same "$1" "$2" && no_state_files
}

# ---------------------------------------------------------------- arguments

# bad_args DESC ARGS... - exit 2, one line "dsr-realserver: ..." on stderr,
# nothing on stdout, no state written
bad_args()
{
	local desc=$1 nlines why=()
	shift
	tool other "$@"
	nlines=$(printf '%s' "$ERR" | grep -c '' || true)
	[ "$RC" -eq 2 ] || why+=("exit status $RC, want 2")
	[ "$nlines" -eq 1 ] || why+=("$nlines lines on stderr, want 1")
	[[ $ERR == "dsr-realserver: "?* ]] || why+=("stderr does not start with 'dsr-realserver: '")
	[ -z "$OUT" ] || why+=("stdout not empty")
	no_state_files >/dev/null || why+=("state written: $(state_files)")
	if [ ${#why[@]} -eq 0 ]; then
		ktap_ok "$desc: exit 2, '$ERR'"
	else
		ktap_not_ok "$desc"
		ktap_diag "${why[@]}"
		show_run | ktap_diag
	fi
}

bad_args "no arguments"
bad_args "missing VIP" up
bad_args "missing mode" up "$VIP"
bad_args "unknown command" start "$VIP" --dr
bad_args "bad VIP" up 10.0.0.256 --dr
bad_args "VIP that is not an address" up vip.example --dr
bad_args "IPv6 VIP with --gre (dsr tunnels IPv6 by IPIP only)" up 2001:db8::100 --gre
bad_args "IPv6 VIP with --gue" up 2001:db8::100 --gue "$GUE_PORT"
bad_args "IPv6 loopback VIP" up ::1 --dr
bad_args "IPv6 link-local VIP" up fe80::1 --dr
bad_args "IPv4-mapped IPv6 VIP" up ::ffff:10.0.0.100 --dr
bad_args "bad IPv6 VIP" up 2001:db8::1::2 --ipip
bad_args "unknown mode" up "$VIP" --nat
bad_args "two modes" up "$VIP" --dr --ipip
bad_args "--gue without a port" up "$VIP" --gue
bad_args "bad port 0" up "$VIP" --gue 0
bad_args "bad port 65536" up "$VIP" --gue 65536
bad_args "bad port x" down "$VIP" --gue x
bad_args "extra argument" up "$VIP" --dr extra

# ---------------------------------------------------------------- each mode

# expected_changes MODE - lines that the first up must print
expected_changes()
{
	case $1 in
	dr)
		CHANGES=("added $VIP/32 to lo"
			"set net.ipv4.conf.all.arp_ignore 0 -> 1"
			"set net.ipv4.conf.all.arp_announce 0 -> 2"
			"set net.ipv4.conf.lo.arp_ignore 0 -> 1"
			"set net.ipv4.conf.lo.arp_announce 0 -> 2")
		;;
	ipip|gue|gre)
		local dev=dsr-ipip type=ipip
		[ "$1" != gre ] || { dev=dsr-gre; type=gre; }
		CHANGES=("added $VIP/32 to lo"
			"created $dev (external $type device: decapsulates $type from any load balancer), set it up"
			"set net.ipv4.conf.all.rp_filter 1 -> 0"
			"set net.ipv4.conf.$dev.rp_filter 2 -> 0")
		[ "$1" != gue ] ||
			CHANGES+=("added fou port $GUE_PORT (gue): GUE on UDP port $GUE_PORT goes to the ipip stack")
		;;
	esac
}

mtu_note()
{
	case $1 in
	dr)	! grep -q '^dsr-realserver: MTU:' <<<"$OUT" || { echo "an MTU note for DR"; show_run; return 1; } ;;
	*)	grep -q '^dsr-realserver: MTU: .*no MSS clamping is needed' <<<"$OUT" || { show_run; return 1; } ;;
	esac
}

for m in "${MODES[@]}"; do
	mode_args "$m"
	if ! mode_supported "$m"; then
		ktap_skip "${ARGS[*]}: the kernel lacks what it needs"
		continue
	fi
	a="${ARGS[*]}"
	snapshot "$m" "$TMP_DIR/$m.before"

	tool "$m" status "$VIP" "${ARGS[@]}"
	ktap_check "$a: status before up exits 3" expect_exit 3

	tool "$m" up "$VIP" "${ARGS[@]}"
	expected_changes "$m"
	ktap_check "$a: up exits 0 and explains each change in one line" expect 0
	ktap_check "$a: up names the changes it made" says "${CHANGES[@]}"
	ktap_check "$a: up prints an MTU note for tunnels only" mtu_note "$m"
	ktap_diag "$OUT"
	tool "$m" status "$VIP" "${ARGS[@]}"
	ktap_check "$a: status after up exits 0" expect_exit 0
	ktap_check "$a: the VIP on lo and the mode's settings are in place" state_of "$m" "$m"
	snapshot "$m" "$TMP_DIR/$m.up"
	ktap_check "$a: the snapshot after up differs from before (the comparison can fail)" \
		differ "$TMP_DIR/$m.before" "$TMP_DIR/$m.up"

	tool "$m" up "$VIP" "${ARGS[@]}"
	ktap_check "$a: up again exits 0 and says nothing changed" \
		changes_nothing "$VIP $a: already set up, nothing changed"
	snapshot "$m" "$TMP_DIR/$m.up2"
	ktap_check "$a: up again leaves everything as the first up did" \
		same "$TMP_DIR/$m.up" "$TMP_DIR/$m.up2"

	ktap_check "$a: ${m}tx's packets to the VIP are answered by the real server" \
		busywait 5000 ping_vip "${m}tx"

	case $m in
	ipip)
		# Loose mode is not enough: the decapsulating device has no
		# address, and the kernel then drops what loose mode would pass.
		in_ns "$m" sysctl -qw net.ipv4.conf.dsr-ipip.rp_filter=2
		ktap_check "$a: with dsr-ipip's rp_filter loose (2), decapsulated packets are dropped" \
			no_ping_vip "${m}tx"
		in_ns "$m" sysctl -qw net.ipv4.conf.dsr-ipip.rp_filter=0
		ktap_check "$a: with it back at 0 they are answered again" ping_vip "${m}tx"
		;;
	dr)
		# What arp_ignore prevents: answering ARP for the VIP on eth0.
		echo "route replace $VIP/32 dev eth0" | ns_ip drtx
		ktap_check "$a: the real server does not answer ARP for the VIP" no_ping_vip drtx
		in_ns dr sysctl -qw net.ipv4.conf.all.arp_ignore=0
		in_ns drtx ip neigh flush dev eth0
		ktap_check "$a: with all.arp_ignore 0 it would (and would take the VIP's traffic)" \
			busywait 5000 ping_vip drtx
		in_ns dr sysctl -qw net.ipv4.conf.all.arp_ignore=1
		printf '%s\n' "route replace $VIP/32 via $RS_IP" "neigh flush dev eth0" | ns_ip drtx
		;;
	esac

	tool "$m" down "$VIP" "${ARGS[@]}"
	ktap_check "$a: down exits 0" expect 0
	ktap_diag "$OUT"
	snapshot "$m" "$TMP_DIR/$m.down"
	ktap_check "$a: after down, addresses, links, routes, fou ports and sysctl -a are as before up" \
		same "$TMP_DIR/$m.before" "$TMP_DIR/$m.down"
	tool "$m" status "$VIP" "${ARGS[@]}"
	ktap_check "$a: status after down exits 3" expect_exit 3
	ktap_check "$a: down removed its state file" \
		test ! -e "$STATE_DIR/net$(netns_inode "$m")-$VIP-$m${ARGS[1]:-}"

	tool "$m" down "$VIP" "${ARGS[@]}"
	snapshot "$m" "$TMP_DIR/$m.down2"
	ktap_check "$a: down without up exits 0 and changes nothing" \
		ran_and_same 0 "$TMP_DIR/$m.before" "$TMP_DIR/$m.down2"
done

# ---------------------------------------------------------------- the comparison can fail

# A sysctl changed by hand after up: down leaves it (it is not what up set)
# and says so, and the comparison shows exactly that line.
hand_change_seen()
{
	local d
	d=$(diff "$TMP_DIR/dr.before" "$TMP_DIR/dr.hand" | grep '^[<>]') || true
	if [ "$d" = "< net.ipv4.conf.all.arp_ignore = 0"$'\n'"> net.ipv4.conf.all.arp_ignore = 2" ]; then
		return 0
	fi
	echo "the difference, want only net.ipv4.conf.all.arp_ignore 0 -> 2:"
	echo "${d:-none}"
	return 1
}

tool dr up "$VIP" --dr
in_ns dr sysctl -qw net.ipv4.conf.all.arp_ignore=2
tool dr down "$VIP" --dr
ktap_check "hand-made change after up: down warns that it left net.ipv4.conf.all.arp_ignore at 2" \
	warned "left net.ipv4.conf.all.arp_ignore at 2"
snapshot dr "$TMP_DIR/dr.hand"
ktap_check "hand-made change after up: the comparison with before shows it, and only it" hand_change_seen
in_ns dr sysctl -qw net.ipv4.conf.all.arp_ignore=0
snapshot dr "$TMP_DIR/dr.hand"
ktap_check "hand-made change undone by hand: identical to before again" \
	same "$TMP_DIR/dr.before" "$TMP_DIR/dr.hand"

# ---------------------------------------------------------------- sharing

# Two VIPs in DR mode share the ARP sysctls: the first down keeps them for
# the second, the second restores them.
tool dr up "$VIP" --dr
tool dr up "$VIP2" --dr
ktap_check "two VIPs: the second up changes only its address" \
	only_says "added $VIP2/32 to lo"
tool dr down "$VIP" --dr
ktap_check "two VIPs: down of the first keeps what the second needs" \
	ran_and_says 0 "removed $VIP/32 from lo" "kept net.ipv4.conf.all.arp_ignore: $VIP2 --dr needs it"
ktap_check "two VIPs: the second is still fully up, the first VIP is gone" \
	still_up dr "$VIP2" dr --dr
tool dr down "$VIP2" --dr
snapshot dr "$TMP_DIR/dr.two"
ktap_check "two VIPs: after both downs, identical to before" \
	ran_and_same 0 "$TMP_DIR/dr.before" "$TMP_DIR/dr.two"

# --gue and --ipip for one VIP share the address, the ipip device and the
# rp_filter settings; only the fou port is --gue's own.
if mode_supported gue; then
	tool gue up "$VIP" --gue "$GUE_PORT"
	tool gue up "$VIP" --ipip
	ktap_check "--gue and --ipip: --ipip after --gue changes nothing" \
		changes_nothing "$VIP --ipip: already set up, nothing changed"
	tool gue down "$VIP" --gue "$GUE_PORT"
	ktap_check "--gue and --ipip: down --gue removes only the fou port" \
		only_fou_removed
	ktap_check "--gue and --ipip: --ipip is still fully up" \
		still_up gue "$VIP" ipip --ipip
	ktap_check "--gue and --ipip: GUE is no longer answered (the fou port is gone)" \
		no_ping_vip guetx
	tool gue down "$VIP" --ipip
	snapshot gue "$TMP_DIR/gue.two"
	ktap_check "--gue and --ipip: after both downs, identical to before" \
		ran_and_same 0 "$TMP_DIR/gue.before" "$TMP_DIR/gue.two"
else
	ktap_skip "--gue and --ipip sharing: the kernel lacks GUE or IPIP"
fi

# ---------------------------------------------------------------- per namespace

snapshot other "$TMP_DIR/other.before"
tool dr up "$VIP" --dr
tool other up "$VIP" --dr
ktap_check "per namespace: up in the second namespace changed what it needed there" \
	ran_and_says 0 "set net.ipv4.conf.all.arp_ignore 0 -> 1"
ktap_check "per namespace: the same VIP and mode up in two namespaces, two state files named by netns inode" \
	state_files_are "$STATE_DIR/net$(netns_inode dr)-$VIP-dr" "$STATE_DIR/net$(netns_inode other)-$VIP-dr"
tool other down "$VIP" --dr
ktap_check "per namespace: down in one leaves the other up" \
	still_up dr "$VIP" dr --dr
snapshot other "$TMP_DIR/other.after"
ktap_check "per namespace: the namespace that went down is as before" \
	same "$TMP_DIR/other.before" "$TMP_DIR/other.after"
tool dr down "$VIP" --dr
snapshot dr "$TMP_DIR/dr.ns"
ktap_check "per namespace: and so is the other after its down" \
	ran_and_same 0 "$TMP_DIR/dr.before" "$TMP_DIR/dr.ns"

# ---------------------------------------------------------------- IPv6

# IPv6 VIPs, with real traffic through the load balancer under test (dsr,
# or IPVS with --ipvs). Both real servers start with IPv6 off on new
# devices (default.disable_ipv6 1), so up has it to turn on for the
# decapsulating device; ip6tnl0, which ip6_tunnel puts in every namespace,
# must stay as it is (bringing it up and down would leave its qdisc
# noqueue instead of noop).
#
#   c6     2001:db8::1    eth0 --+
#   lb6    2001:db8::2    eth0 --+-- sw6: br0
#   dr6    2001:db8::11   eth0 --+
#   ipip6  2001:db8::12   eth0 --+
#
#   VIP6 2001:db8::100 on lb6's lo (so no host on the link answers
#   neighbour solicitations for it); c6 routes it via lb6.
#   TCP [VIP6]:80 rr -> [2001:db8::11]:80 -g (DR, MAC rewrite)
#   TCP [VIP6]:81 rr -> [2001:db8::12]:81 -i (IPv6 in IPv6)
#
# For each mode: snapshot; up (the VIP as a /128 on lo; for --ipip an
# external ip6tnl device in mode ip6ip6, IPv6 on and router advertisements
# off on it); up again, the VIP spelled otherwise, changes nothing; a TCP
# connection from c6 through the LB: the real server stores the payload
# whole and its echo comes back whole; DR: no neighbour advertisement for
# the VIP on lo, which the VIP on eth0 would draw; IPIP: without IPv6 on
# the device the decapsulated packets are dropped; down; the snapshot is
# identical to the one from before, ip6tnl0 untouched. (Fewer snapshots
# than for IPv4: each takes seconds under TCG, and the IPv4 checks already
# show that the comparison can fail.)

VIP6=2001:db8::100
VIP6_ALT=2001:DB8:0:0::0100
C6=2001:db8::1
LB6=2001:db8::2
PAYLOAD6=65536

rs6_addr()
{
	case $1 in
	dr)	RS6=2001:db8::11 PORT6=80 ;;
	ipip)	RS6=2001:db8::12 PORT6=81 ;;
	esac
}

mode6_supported()
{
	case $1 in
	dr)	return 0 ;;
	ipip)	[ -d /sys/module/ip6_tunnel ] ;;
	esac
}

setup_ns c6 lb6 dr6 ipip6
# Link-local addresses usable at once: neighbour solicitations for a
# packet that is not from an address of the interface (the LB's forwarded
# requests, a real server's replies from the VIP on lo) go out from it.
for h in c6 lb6 dr6 ipip6; do
	in_ns "$h" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
done
sw_create sw6 c6 lb6 dr6 ipip6
printf '%s\n' "link set eth0 up" "addr add $C6/64 dev eth0 nodad" \
	"route add $VIP6/128 via $LB6" | ns_ip c6
printf '%s\n' "link set eth0 up" "addr add $LB6/64 dev eth0 nodad" \
	"addr add $VIP6/128 dev lo nodad" | ns_ip lb6
for m in dr ipip; do
	rs6_addr "$m"
	printf '%s\n' "link set eth0 up" "addr add $RS6/64 dev eth0 nodad" | ns_ip "${m}6"
	in_ns "${m}6" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
done
if [ "$LB6_OK" -eq 1 ]; then
	for m in dr ipip; do
		rs6_addr "$m"
		how=-g
		[ "$m" = dr ] || how=-i
		adm lb6 -A -t "[$VIP6]:$PORT6" -s rr
		adm lb6 -a -t "[$VIP6]:$PORT6" -r "[$RS6]:$PORT6" "$how"
	done
fi

expected_changes6()
{
	CHANGES=("added $VIP6/128 to lo")
	[ "$1" = ipip ] || return 0
	CHANGES+=("created dsr-ip6tnl (external ip6tnl device, mode ip6ip6: decapsulates IPv6 in IPv6 from any load balancer), set it up"
		"set net.ipv6.conf.dsr-ip6tnl.accept_ra 1 -> 0"
		"set net.ipv6.conf.dsr-ip6tnl.disable_ipv6 1 -> 0")
}

# exactly_says LINE... - the last run exited 0 and printed these lines,
# and no other change (notes may follow)
exactly_says()
{
	local got want
	expect 0 && says "$@" || return 1
	got=$(grep -E '^dsr-realserver: (set|added|created|loaded|removed|deleted) ' <<<"$OUT")
	want=$(printf 'dsr-realserver: %s\n' "$@")
	[ "$got" = "$want" ] && return 0
	echo "changes: $got"
	return 1
}

mtu_note6()
{
	case $1 in
	dr)	! grep -q '^dsr-realserver: MTU:' <<<"$OUT" || { echo "an MTU note for DR"; show_run; return 1; } ;;
	*)	grep -q '^dsr-realserver: MTU: .*40 bytes more (the outer IPv6 header).*ICMPv6 "packet too big"' <<<"$OUT" ||
			{ show_run; return 1; } ;;
	esac
}

vip6_on_lo()
{
	local out
	out=$(in_ns "$1" ip -6 -o addr show dev lo)
	[[ $out == *" inet6 $VIP6/128 "* ]] && return 0
	echo "$VIP6/128 is not on lo:"
	echo "$out"
	return 1
}

# state6_of NS MODE - everything as up sets it for VIP6, checked without
# the tool
state6_of()
{
	local line
	vip6_on_lo "$1" || return 1
	[ "$2" = ipip ] || return 0
	line=$(in_ns "$1" ip -d -o link show dev dsr-ip6tnl) || return 1
	[[ $line == *" ip6tnl external ip6ip6 "* ]] ||
		{ echo "dsr-ip6tnl is not an external ip6tnl device in mode ip6ip6: $line"; return 1; }
	if ! [[ $line =~ \<([^>]*)\> ]] || [[ ,${BASH_REMATCH[1]}, != *,UP,* ]]; then
		echo "dsr-ip6tnl is down: $line"
		return 1
	fi
	sysctls "$1" net.ipv6.conf.dsr-ip6tnl.accept_ra=0 net.ipv6.conf.dsr-ip6tnl.disable_ipv6=0
}

# ip6tnl0_untouched NS - the fallback device is down, with its qdisc noop,
# as ip6_tunnel made it
ip6tnl0_untouched()
{
	local line
	line=$(in_ns "$1" ip -o link show dev ip6tnl0) || return 1
	[[ $line == *"<NOARP> "*" qdisc noop state DOWN "* ]] && return 0
	echo "ip6tnl0: $line"
	return 1
}

# stored6 DIR FILE - a connection's data in the sink DIR is FILE whole
stored6()
{
	local f
	for f in "$1"/data.*; do
		cmp -s "$2" "$f" && return 0
	done
	echo "no connection in $1 stored the payload whole:"
	ls -l "$1"
	return 1
}

# tcp6_ok PORT RSNS - one TCP connection from c6 to [VIP6]:PORT through
# the LB: the echo comes back whole, the sink of RSNS stored the payload
# whole, and saw c6's address as the peer (the LB kept the client's
# source)
tcp6_ok()
{
	local dir=$TMP_DIR/sink6-$2 peer
	random_file "$TMP_DIR/in6" "$PAYLOAD6"
	if ! tcp_send c6 "$VIP6" "$1" "$TMP_DIR/in6" "$TMP_DIR/out6"; then
		echo "the connection failed:"
		cat "$TMP_DIR/out6.err"
		return 1
	fi
	cmp "$TMP_DIR/in6" "$TMP_DIR/out6" || { echo "the echo is not the payload"; return 1; }
	busywait 5000 stored6 "$dir" "$TMP_DIR/in6" || return 1
	peer=$(cat "$dir"/peer.* 2>/dev/null)
	[[ $peer == *"[2001:0db8:0000:0000:0000:0000:0000:0001]"* ]] && return 0
	echo "the real server saw the peer(s): $peer"
	return 1
}

no_tcp6()
{
	! tcp_send c6 "$VIP6" "$1" "$TMP_DIR/in6" "$TMP_DIR/out6" ||
		{ echo "the connection to port $1 went through"; return 1; }
}

ping6_vip()
{
	in_ns "$1" ping -6 -c 1 -W "${2:-3}" "$VIP6" >/dev/null 2>&1
}

no_ping6_vip()
{
	! ping6_vip "$1" 1 || { echo "$VIP6 answered"; return 1; }
}

# vip6_on_link - c6 sends to the VIP as on its link (neighbour discovery
# decides who gets it); vip6_via_lb - through the LB again
vip6_on_link()
{
	printf '%s\n' "route replace $VIP6/128 dev eth0" "neigh flush dev eth0" | ns_ip c6
}

vip6_via_lb()
{
	printf '%s\n' "route replace $VIP6/128 via $LB6" "neigh flush dev eth0" | ns_ip c6
}

for m in dr ipip; do
	ns=${m}6
	a="$VIP6 --$m"
	if ! mode6_supported "$m"; then
		ktap_skip "$a: the kernel lacks ip6_tunnel"
		continue
	fi
	rs6_addr "$m"
	snapshot "$ns" "$TMP_DIR/$ns.before"

	tool "$ns" status "$VIP6" "--$m"
	ktap_check "$a: status before up exits 3" expect_exit 3

	tool "$ns" up "$VIP6" "--$m"
	expected_changes6 "$m"
	ktap_check "$a: up changes exactly what IPv6 needs, one line each" exactly_says "${CHANGES[@]}"
	ktap_check "$a: up prints the IPv6 MTU note for the tunnel only" mtu_note6 "$m"
	ktap_diag "$OUT"
	tool "$ns" status "$VIP6" "--$m"
	ktap_check "$a: status after up exits 0" expect_exit 0
	ktap_check "$a: the VIP on lo and the mode's settings are in place" state6_of "$ns" "$m"

	tool "$ns" up "$VIP6_ALT" "--$m"
	ktap_check "$a: up again, the VIP spelled $VIP6_ALT, says nothing changed" \
		changes_nothing "$VIP6 --$m: already set up, nothing changed"
	ktap_check "$a: one state file, named by the VIP as ip(8) writes it" \
		state_files_are "$STATE_DIR/net$(netns_inode "$ns")-$VIP6-$m"

	if [ "$LB6_OK" -eq 1 ]; then
		if sink_start tcp "$ns" "$VIP6" "$PORT6" "$TMP_DIR/sink6-$ns"; then
			ktap_check "$a: TCP through the LB ($DSR_IMPL) to [$VIP6]:$PORT6 reaches the real server whole and the echo comes back" \
				tcp6_ok "$PORT6" "$ns"
		else
			ktap_not_ok "$a: a TCP sink on [$VIP6]:$PORT6 in $ns"
		fi
	else
		ktap_skip "$a: TCP through the LB: $DSR_IMPL cannot run here"
	fi

	case $m in
	dr)
		vip6_on_link
		ktap_check "$a: no host answers neighbour solicitations for the VIP on lo (no arp_ignore needed)" \
			no_ping6_vip c6
		vip6_via_lb
		;;
	ipip)
		if [ "$LB6_OK" -eq 1 ]; then
			in_ns "$ns" sysctl -qw net.ipv6.conf.dsr-ip6tnl.disable_ipv6=1
			ktap_check "$a: with IPv6 off on dsr-ip6tnl, decapsulated packets are dropped" no_tcp6 "$PORT6"
			in_ns "$ns" sysctl -qw net.ipv6.conf.dsr-ip6tnl.disable_ipv6=0
			ktap_check "$a: with it on again they get through" busywait 10000 tcp6_ok "$PORT6" "$ns"
		else
			ktap_skip "$a: IPv6 off on dsr-ip6tnl: $DSR_IMPL cannot run here"
		fi
		;;
	esac
	kill_ns_procs "$ns"

	tool "$ns" down "$VIP6" "--$m"
	ktap_check "$a: down exits 0" expect 0
	ktap_diag "$OUT"
	snapshot "$ns" "$TMP_DIR/$ns.down"
	ktap_check "$a: after down, addresses, links, routes and sysctl -a are as before up" \
		same "$TMP_DIR/$ns.before" "$TMP_DIR/$ns.down"
	ktap_check "$a: ip6tnl0 is untouched (down, qdisc noop)" ip6tnl0_untouched "$ns"
	tool "$ns" status "$VIP6" "--$m"
	ktap_check "$a: status after down exits 3" expect_exit 3
	ktap_check "$a: down removed its state file" no_state_files

	tool "$ns" down "$VIP6" "--$m"
	ktap_check "$a: down without up exits 0 and has nothing to do" \
		only_says "$VIP6 --$m: not set up here (no state in $STATE_DIR), nothing to do"
done

# What the DR check above relies on: the VIP on the real server's eth0
# instead of lo is answered for, and would take the VIP's traffic.
echo "addr add $VIP6/128 dev eth0 nodad" | ns_ip dr6
vip6_on_link
ktap_check "$VIP6 on the real server's eth0 instead: it answers neighbour solicitations for it" \
	busywait 5000 ping6_vip c6
vip6_via_lb
echo "addr del $VIP6/128 dev eth0" | ns_ip dr6

# --dr and --ipip for one IPv6 VIP share the address; the device and its
# settings are --ipip's own. And an IPv4 and an IPv6 VIP up together.
if mode6_supported ipip; then
	tool ipip6 up "$VIP6" --dr
	tool ipip6 up "$VIP6" --ipip
	expected_changes6 ipip
	ktap_check "IPv6 --dr and --ipip: --ipip after --dr makes only the device's changes" \
		exactly_says "${CHANGES[@]:1}"
	tool ipip6 up "$VIP" --ipip
	tool ipip6 down "$VIP6" --dr
	ktap_check "IPv6 --dr and --ipip: down --dr keeps the VIP for --ipip, and changes nothing" \
		only_says "kept $VIP6/128 on lo: $VIP6 --ipip needs it"
	ktap_check "IPv6 --dr and --ipip: --ipip is still fully up" state6_of ipip6 ipip
	tool ipip6 down "$VIP6" --ipip
	ktap_check "IPv6 --dr and --ipip: down --ipip deletes the device and removes the VIP it was handed" \
		ran_and_says 0 "deleted dsr-ip6tnl" "removed $VIP6/128 from lo"
	ktap_check "IPv6 and IPv4: the IPv4 VIP's --ipip is still up" \
		still_up ipip6 "$VIP" ipip --ipip
	tool ipip6 down "$VIP" --ipip
	snapshot ipip6 "$TMP_DIR/ipip6.two"
	ktap_check "IPv6 --dr and --ipip, IPv4 --ipip: after all downs, identical to before" \
		ran_and_same 0 "$TMP_DIR/ipip6.before" "$TMP_DIR/ipip6.two"
else
	ktap_skip "IPv6 --dr and --ipip sharing: the kernel lacks ip6_tunnel"
fi

# ---------------------------------------------------------------- missing kernel support

# Hide the modules from dsr-realserver in a mount namespace of its own:
# /sys/module, /proc/modules and the module tree (so modprobe finds none).
: >"$TMP_DIR/empty"
hidden_up()
{
	local ns=$1
	shift
	RC=0
	# shellcheck disable=SC2016 # expanded by that sh
	in_ns "$ns" unshare -m sh -c '
		mount -t tmpfs none /sys/module &&
		mount --bind "$1" /proc/modules &&
		mount -t tmpfs none "/lib/modules/$(uname -r)" || exit 99
		shift
		exec "$@"' _ "$TMP_DIR/empty" "$RS_TOOL" up "$VIP" "$@" \
		>"$TMP_DIR/out" 2>"$TMP_DIR/err" || RC=$?
	OUT=$(<"$TMP_DIR/out")
	ERR=$(<"$TMP_DIR/err")
}

# missing_said MODULE CONFIG - exit 1, one line naming what is missing
missing_said()
{
	[ "$RC" -eq 1 ] && [ -z "$OUT" ] && [ "$(grep -c '' <<<"$ERR")" -eq 1 ] &&
		[[ $ERR == "dsr-realserver: "*"missing: "*"$1 ($2)"* ]] && return 0
	show_run
	return 1
}

for m in ipip gre ipip6; do
	case $m in
	ipip)	mod=ipip; cfg=CONFIG_NET_IPIP; v=$VIP; a=--ipip ;;
	gre)	mod=ip_gre; cfg=CONFIG_NET_IPGRE; v=$VIP; a=--gre ;;
	ipip6)	mod=ip6_tunnel; cfg=CONFIG_IPV6_TUNNEL; v=$VIP6; a=--ipip ;;
	esac
	case $m in
	ipip6)	supported=mode6_supported; sm=ipip ;;
	*)	supported=mode_supported; sm=$m ;;
	esac
	if ! "$supported" "$sm"; then
		ktap_skip "$v $a without kernel support: the kernel lacks it anyway"
		continue
	fi
	VIP=$v hidden_up "$m" "$a"
	ktap_check "$v $a without $mod: exit 1, one line naming $mod ($cfg)" missing_said "$mod" "$cfg"
	ktap_diag "$ERR"
	snapshot "$m" "$TMP_DIR/$m.hidden"
	ktap_check "$v $a without $mod: nothing changed, no state written" \
		same_no_state "$TMP_DIR/$m.before" "$TMP_DIR/$m.hidden"
done

ktap_check "no state file is left behind" no_state_files
ktap_check "kernel log is clean" klog_check
ktap_summary
