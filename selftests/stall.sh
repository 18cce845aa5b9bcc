#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# stall.sh - a long configuration change in one namespace holds up nobody.
#
#   big  10,000 services, flushed in one FLUSH request
#   lb   one service, asked for INFO_GET again and again meanwhile
#   and beside them: the generic netlink controller (another family) and
#   rtnetlink ("ip link show lo"), asked again and again too
#
# Every prober has its socket open and the family resolved before the flush
# starts, and times each request (nl_probe.py). While the flush runs, each
# prober must get at least two answers, and none may wait more than half
# as long as the flush took. A family that holds the generic netlink mutex
# through its handlers (no parallel_ops) fails the first two: lb's requests
# and the controller's wait for the flush to end (seen with a dsr.ko built
# so: 0 answers inside a 58-95 ms flush, each waiting it out). rtnetlink
# guards against a handler that would take the RTNL.
#
# dsr only: IPVS's netlink family is serialised by the generic netlink mutex.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd python3
[ "$DSR_IMPL" = dsr ] || skip_all "IPVS's family holds the generic netlink mutex"
lb_load

PROBE=(python3 "$SELFTEST_DIR/nl_probe.py")
N=10000
setup_ns lb big
adm lb -A -t 10.0.0.100:80 -s mh
for i in $(seq 0 $((N - 1))); do
	echo "-A -u 10.$((i / 250 + 1)).$((i % 250)).1:53 -s rr"
done >"$TMP_DIR/big.rules"

# fill - N services in big
fill()
{
	adm big -R <"$TMP_DIR/big.rules" &&
		[ "$(adm big -Ln | grep -c '^UDP ')" -eq "$N" ]
}
t0=$(now_ms)
ktap_check "namespace big holds $N services" fill
ktap_diag "dsradm -R of $N services: $(($(now_ms) - t0)) ms"

# probe NAME NS WHAT [SPEC] - start a prober, wait until it is ready
probe()
{
	local name=$1 ns=$2
	shift 2
	in_ns "$ns" "${PROBE[@]}" "$@" --stop "$TMP_DIR/stop" \
		--ready "$TMP_DIR/$name.ready" >"$TMP_DIR/$name" 2>"$TMP_DIR/$name.err" &
	busywait 30000 test -e "$TMP_DIR/$name.ready"
}

# judge FLUSH PROBE... - each probe answered twice inside the flush and
# never waited half of it
judge()
{
	python3 - "$@" <<'EOF'
import sys
start, end, err = sys.argv[1].split()
start, end = float(start), float(end)
took = end - start
print(f"flush: {took * 1000:.0f} ms ({err})")
ok = err == "0"
for path in sys.argv[2:]:
    reqs = [line.split() for line in open(path)]
    reqs = [(float(s), float(e), x) for s, e, x in reqs]
    inside = [r for r in reqs if r[0] >= start and r[1] <= end]
    overlap = [r for r in reqs if r[0] < end and r[1] > start]
    worst = max((e - s for s, e, _ in overlap), default=0.0)
    errs = sorted({x for _, _, x in reqs if x != "0"})
    name = path.rsplit("/", 1)[-1]
    print(f"{name}: {len(inside)} answers inside the flush, slowest "
          f"{worst * 1000:.0f} ms, {len(reqs)} in all, errors {errs or 'none'}")
    ok = ok and len(inside) >= 2 and worst < took / 2 and not errs
sys.exit(0 if ok else 1)
EOF
}

# round - the flush with three probers beside it
round()
{
	rm -f "$TMP_DIR"/stop "$TMP_DIR"/*.ready
	probe lb lb dsr INFO_GET
	probe ctrl lb ctrl
	probe link lb link
	in_ns big "${PROBE[@]}" once FLUSH >"$TMP_DIR/flush"
	sleep 0.2
	touch "$TMP_DIR/stop"
	wait
	judge "$(cat "$TMP_DIR/flush")" "$TMP_DIR/lb" "$TMP_DIR/ctrl" \
		"$TMP_DIR/link" | tee "$TMP_DIR/judged"
}
# A flush too short to be told from a probe's own pace says nothing:
# then fill again and retry, a few times.
stall_free()
{
	local try
	for try in 1 2 3; do
		[ "$try" = 1 ] || fill
		round && return 0
	done
	return 1
}
ktap_check "while big flushes $N services, lb's dsr, the controller and rtnetlink answer" stall_free
ktap_diag <"$TMP_DIR/judged"
ktap_check "big is empty afterwards" test "$(adm big -Ln | grep -c '^UDP ' || true)" -eq 0
ktap_check "lb's service is untouched" eval "adm lb -Ln | grep -q '^TCP  10.0.0.100:80 mh'"

ktap_check "kernel log is clean" klog_check
ktap_summary
