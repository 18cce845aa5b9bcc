#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# realserver.sh - dsr-realserver sets up a real server for DR, IPIP, GUE
# and GRE, and down leaves the namespace exactly as it found it.
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
# line).

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
load_modules ipip fou ip_gre

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

vip_on_lo()
{
	in_ns "$1" ip -4 -o addr show dev lo | grep -qF " inet ${2:-$VIP}/32 " && return 0
	echo "${2:-$VIP}/32 is not on lo:"
	in_ns "$1" ip -4 -o addr show dev lo
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
		in_ns "$ns" ip fou show | grep -qx "port $GUE_PORT gue" ||
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
bad_args "IPv6 VIP" status 2001:db8::1 --dr
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

for m in ipip gre; do
	mode_supported "$m" || { ktap_skip "--$m without kernel support: the kernel lacks it anyway"; continue; }
	case $m in
	ipip)	mod=ipip; cfg=CONFIG_NET_IPIP ;;
	gre)	mod=ip_gre; cfg=CONFIG_NET_IPGRE ;;
	esac
	hidden_up "$m" "--$m"
	ktap_check "--$m without $mod: exit 1, one line naming $mod ($cfg)" missing_said "$mod" "$cfg"
	ktap_diag "$ERR"
	snapshot "$m" "$TMP_DIR/$m.hidden"
	ktap_check "--$m without $mod: nothing changed, no state written" \
		same_no_state "$TMP_DIR/$m.before" "$TMP_DIR/$m.hidden"
done

ktap_check "no state file is left behind" no_state_files
ktap_check "kernel log is clean" klog_check
ktap_summary
