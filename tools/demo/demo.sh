#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh - dsr in one minute: a client, a load balancer and three real
# servers, each serving its own name over HTTP. Run as root where dsr.ko can
# be loaded, normally in the VM: make demo (tools/vm/run -- tools/demo/demo.sh).
#
#                        client 10.0.0.1   (curl http://10.0.0.100/)
#                          |
#   sw: br0 ---------------+------------+------------+------------+
#                          |            |            |            |
#                          lb           rs1          rs2          rs3
#                    10.0.0.2       10.0.0.11    10.0.0.12    10.0.0.13
#                VIP 10.0.0.100     VIP on lo, busybox httpd on VIP:80
#                dsradm: rr, -g     serving "rs1" / "rs2" / "rs3"
#
# Requests go client -> lb -> rsN; answers go rsN -> client directly.
# DSR_IMPL=ipvs runs the same demo on Linux IPVS and ipvsadm.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/../../selftests/lib.sh"

NRS=3
NREQ=9

say()
{
	printf '%s\n' "$*"
}

run_adm()
{
	say "  \$ $(basename "$(lb_adm_cmd)") $*"
	adm lb "$@"
}

die()
{
	say "demo: $*" >&2
	exit 1
}

demo_exit()
{
	local rc=$?
	trap - EXIT
	set +e
	cleanup_all
	[ "$rc" -eq 0 ] || say "demo: FAILED" >&2
	exit "$rc"
}

[ "$(id -u)" -eq 0 ] || die "run me as root, in the VM: make demo"
for c in ip curl busybox ss; do
	command -v "$c" >/dev/null || die "$c is not installed"
done
case $DSR_IMPL in
dsr)	[ -x "$DSRADM" ] || die "$DSRADM is not built (make -C tools/dsradm)" ;;
ipvs)	command -v ipvsadm >/dev/null || die "ipvsadm is not installed" ;;
esac

TMP_DIR=$(mktemp -d /tmp/dsr-demo.XXXXXX)
trap demo_exit EXIT
load_modules veth bridge
lb_load || die "cannot load the load balancer's module"

say "dsr demo: 1 client, 1 load balancer (VIP $VIP), $NRS real servers, direct server return"
say ""
topo_dr "$NRS"
for i in $(seq "$NRS"); do
	mkdir -p "$TMP_DIR/www$i"
	echo "rs$i" >"$TMP_DIR/www$i/index.html"
	in_ns_bg "rs$i" busybox httpd -f -p "$VIP:80" -h "$TMP_DIR/www$i"
	wait_listen "rs$i" tcp "$VIP" 80 || die "httpd on rs$i did not start"
done

say "configure the load balancer:"
run_adm -A -t "$VIP:80" -s rr
for i in $(seq "$NRS"); do
	run_adm -a -t "$VIP:80" -r "$(rs_ip "$i"):80" -g -w 1
done
say ""

say "$NREQ HTTP requests from the client to http://$VIP/:"
declare -A served
failed=0
for i in $(seq "$NREQ"); do
	if answer=$(in_ns client curl -sS --max-time 5 "http://$VIP/" 2>&1); then
		say "  request $i -> $answer"
		served[$answer]=$((${served[$answer]:-0} + 1))
	else
		say "  request $i -> FAILED: $answer"
		failed=$((failed + 1))
	fi
done
say ""

spread=
for i in $(seq "$NRS"); do
	spread+="${spread:+, }rs$i ${served[rs$i]:-0}"
done
say "answers: $spread"
say ""

say "counters on the load balancer:"
adm_stats lb | sed 's/^/  /'

[ "$failed" -eq 0 ] || die "$failed of $NREQ requests failed"
for i in $(seq "$NRS"); do
	[ "${served[rs$i]:-0}" -eq $((NREQ / NRS)) ] ||
		die "round robin should give each real server $((NREQ / NRS)) requests"
done
