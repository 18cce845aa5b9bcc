#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# bad_input.sh - dsradm rejects bad requests cleanly and changes nothing.
#
#   lb (its own namespace, no links)
#     TCP 10.0.0.100:80 rr
#       -> 10.0.0.11:80 Route 1
#
# Each bad request must exit with the right status (2: usage or parse error,
# caught by dsradm; 255: rejected by the kernel), print exactly one line on
# stderr, "dsradm: <what is wrong>", nothing on stdout, and leave "dsradm -Ln"
# exactly as it was. With the module unloaded, dsradm says so and exits 255.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
[ "$DSR_IMPL" = dsr ] || skip_all "dsradm's own messages and exit codes (DSR_IMPL=$DSR_IMPL)"
lb_require
lb_load

setup_ns lb
SVC=$VIP:80
RS=$SUBNET.11:80
adm lb -A -t "$SVC" -s rr
adm lb -a -t "$SVC" -r "$RS" -g -w 1

NOSUCH='no such|not found|does not exist|doesn.t exist|unknown|missing'

# rejects DESCRIPTION STATUS REGEX ARGS... - "dsradm ARGS" in lb must exit
# with STATUS (an extended regex such as "2" or "2|255"), print one line
# "dsradm: ..." matching REGEX (case-insensitive) on stderr, nothing on
# stdout, and not change "dsradm -Ln"
rejects()
{
	local desc=$1 want=$2 re=$3 rc=0 before after out err nlines
	shift 3
	before=$(adm lb -Ln 2>&1)
	out=$(adm lb "$@" 2>"$TMP_DIR/err") || rc=$?
	err=$(cat "$TMP_DIR/err")
	after=$(adm lb -Ln 2>&1)
	nlines=$(printf '%s' "$err" | grep -c '' || true)
	local why=()
	[[ $rc =~ ^($want)$ ]] || why+=("exit status $rc, want $want")
	[ "$nlines" -eq 1 ] || why+=("$nlines lines on stderr, want 1")
	[[ $err =~ ^dsradm:\ . ]] || why+=("stderr does not start with 'dsradm: '")
	shopt -s nocasematch
	[[ $err =~ $re ]] || why+=("stderr does not say /$re/")
	shopt -u nocasematch
	[ -z "$out" ] || why+=("stdout not empty")
	[ "$before" = "$after" ] || why+=("dsradm -Ln changed")
	if [ ${#why[@]} -eq 0 ]; then
		ktap_ok "$desc: exit $rc, '$err'"
		return 0
	fi
	ktap_not_ok "$desc"
	{
		echo "command: dsradm $*"
		printf '%s\n' "${why[@]}"
		echo "exit status: $rc"
		echo "stderr:"
		printf '%s\n' "$err"
		[ -z "$out" ] || { echo "stdout:"; printf '%s\n' "$out"; }
		if [ "$before" != "$after" ]; then
			echo "-Ln before:"
			printf '%s\n' "$before"
			echo "-Ln after:"
			printf '%s\n' "$after"
		fi
	} | ktap_diag
}

# Kernel rejections (255).
rejects "duplicate service" 255 'exist' -A -t "$SVC" -s rr
rejects "duplicate destination" 255 'exist' -a -t "$SVC" -r "$RS" -g -w 1
rejects "delete an unknown service" 255 "$NOSUCH" -D -t "$SUBNET.200:80"
rejects "add a destination to an unknown service" 255 "$NOSUCH" \
	-a -t "$SUBNET.200:80" -r "$RS" -g -w 1
rejects "edit an unknown service" 255 "$NOSUCH" -E -t "$SUBNET.200:80" -s rr
rejects "delete an unknown destination" 255 "$NOSUCH" -d -t "$SVC" -r "$SUBNET.99:80"
rejects "unknown scheduler" 255 'sched|nosuch' -A -t "$SUBNET.101:80" -s nosuch

# dsr forwards within one address family: dsradm says so before sending.
rejects "an IPv6 real server for an IPv4 service" 2 'address family' \
	-a -t "$SVC" -r "[2001:db8::12]:80" -g -w 1

# The namespace's limits: at the limit, one more is refused, and saying
# which limit; lowering a limit keeps what is there.
adm lb --set-service-limit 1
rejects "a service beyond the service limit" 255 'service limit.*--set-service-limit' \
	-A -t "$SUBNET.101:80" -s rr
adm lb --set-server-limit 1
rejects "a real server beyond the real-server limit" 255 'real-server limit.*--set-server-limit' \
	-a -t "$SVC" -r "$SUBNET.12:80" -g -w 1
limits_listed()
{
	adm lb -Ln --stats | head -1 | grep -q 'service_max=1, server_max=1[,)]'
}
ktap_check "the limits are listed" limits_listed
rejects "a service limit of 0" 2 'service limit' --set-service-limit 0
rejects "a real-server limit of 4097" 2 'real-server limit' --set-server-limit 4097
adm lb --set-service-limit 65536
adm lb --set-server-limit 4096
ktap_check "raised again, the limits let the service and server in" \
	eval "adm lb -A -t $SUBNET.101:80 -s rr && adm lb -a -t $SVC -r $SUBNET.12:80 -g -w 1 &&
		adm lb -D -t $SUBNET.101:80 && adm lb -d -t $SVC -r $SUBNET.12:80"

# dsr forwards without rewriting addresses: no NAT. dsradm may refuse -m
# itself (2) or let the kernel refuse the method (255).
rejects "masquerading (-m)" '2|255' 'masq|nat|forward|method|not supported' \
	-a -t "$SVC" -r "$SUBNET.12:80" -m -w 1

# Usage and parse errors (2).
rejects "bad service address 10.0.0.300" 2 'addr|10\.0\.0\.300' -A -t "$SUBNET.300:80" -s rr
rejects "bad service address 1.2.3" 2 'addr|1\.2\.3' -A -t "1.2.3:80" -s rr
rejects "bad destination address 10.0.0.256" 2 'addr|10\.0\.0\.256' \
	-a -t "$SVC" -r "$SUBNET.256:80" -g -w 1
rejects "port 0" 2 'port' -A -t "$SUBNET.101:0" -s rr
rejects "port 70000" 2 'port|70000' -A -t "$SUBNET.101:70000" -s rr
rejects "destination port 70000" 2 'port|70000' -a -t "$SVC" -r "$SUBNET.12:70000" -g -w 1
rejects "missing port" 2 'port' -A -t "$SUBNET.101" -s rr
rejects "weight -1" 2 'weight|-1' -a -t "$SVC" -r "$SUBNET.12:80" -g -w -1
rejects "weight 65536" 2 'weight|65536' -a -t "$SVC" -r "$SUBNET.12:80" -g -w 65536
rejects "weight abc" 2 'weight|abc' -a -t "$SVC" -r "$SUBNET.12:80" -g -w abc
rejects "destination without -r" 2 '-r|real|server|dest|missing|requires' -a -t "$SVC" -g -w 1
rejects "unknown option" 2 'option|bogus|unrecognized|invalid' -A -t "$SUBNET.101:80" --bogus

# The edges of the weight range are valid.
weights_ok()
{
	local out
	adm lb -a -t "$SVC" -r "$SUBNET.12:80" -g -w 65535 || return 1
	out=$(adm lb -Ln) || return 1
	echo "$out" | grep -Eq "^  -> ${SUBNET//./\\.}\.12:80 +Route +65535 " ||
		{ echo "weight 65535 not listed:"; echo "$out"; return 1; }
	adm lb -e -t "$SVC" -r "$SUBNET.12:80" -g -w 0 || return 1
	out=$(adm lb -Ln) || return 1
	echo "$out" | grep -Eq "^  -> ${SUBNET//./\\.}\.12:80 +Route +0 " ||
		{ echo "weight 0 not listed:"; echo "$out"; return 1; }
	adm lb -d -t "$SVC" -r "$SUBNET.12:80"
}
ktap_check "weights 65535 and 0 are accepted and listed" weights_ok

# Without the module, and none to load: dsradm's request would load an
# installed module on demand (unload.sh checks that), so the kernel's
# modprobe helper is pointed at /bin/false meanwhile, as on a host where
# dsr is not installed.
not_loaded_ok()
{
	local rc=0 err helper want="dsradm: the dsr kernel module is not loaded (try: modprobe dsr)"
	adm lb -C || return 1
	timeout 30 rmmod dsr || { echo "rmmod dsr failed"; return 1; }
	helper=$(cat /proc/sys/kernel/modprobe)
	echo /bin/false >/proc/sys/kernel/modprobe
	"$DSRADM" -Ln 2>"$TMP_DIR/err" >/dev/null || rc=$?
	echo "$helper" >/proc/sys/kernel/modprobe
	err=$(cat "$TMP_DIR/err")
	[ "$rc" -eq 255 ] && [ "$err" = "$want" ] && return 0
	echo "dsradm -Ln without the module: exit $rc, stderr:"
	echo "$err"
	echo "want exit 255 and: $want"
	return 1
}
ktap_check "without a module to load, dsradm -Ln says it is not loaded and exits 255" not_loaded_ok

ktap_check "kernel log is clean" klog_check
ktap_summary
