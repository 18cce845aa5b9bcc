#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh - run the selftests, each in its own fresh QEMU guest.
#
#   selftests/run.sh [--ipvs] [--module KO] [--kernel DIR] [-v] [TEST...]
#   selftests/run.sh --one-vm [options] [TEST...]
#   selftests/run.sh --here [TEST...]
#
# TEST defaults to every TEST_PROGS entry of selftests/Makefile. Each test
# runs as root in a new guest (tools/vm/run), so each gets its own kernel-log
# check, with the timeout from selftests/settings. The tests' KTAP output is
# streamed as it comes; the last line is "N passed, N failed" (with
# ", N skipped" when some were), and the exit status is 0 only when none
# failed. --ipvs runs the same checks with Linux IPVS as the load balancer
# (DSR_IMPL=ipvs), the stand-in that proves the tests on real traffic.
# --module KO loads KO as dsr.ko instead of the checkout's build;
# --kernel DIR boots a kernel of our own (tools/debug-kernel/build);
# -v streams the guests' consoles. --one-vm runs all the tests one after
# the other in a single guest (a slow-booting debug kernel boots once);
# --here runs them where we are, which is what that guest does. Each test
# gets the timeout from selftests/settings times DSR_WAIT_FACTOR. Except
# with --here, the helpers the tests run (TEST_GEN_FILES of
# selftests/Makefile: flood) are built first, on this host: a guest runs
# them from its read-only view of the host's root.

set -u

SELFTEST_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
TOP_DIR=$(cd "$SELFTEST_DIR/.." && pwd -P)
VM_RUN=$TOP_DIR/tools/vm/run
vm_opts=()
mode=vm

usage()
{
	awk 'NR > 3 && /^#/ { sub(/^# ?/, ""); print; next } NR > 3 { exit }' "$0"
	exit "$1"
}

while [ $# -gt 0 ]; do
	case $1 in
	--ipvs) export DSR_IMPL=ipvs; shift ;;
	-v) vm_opts+=(-v); shift ;;
	--module|--kernel)
		[ $# -ge 2 ] || usage 2
		vm_opts+=("$1" "$2")
		shift 2
		;;
	--one-vm) mode=one-vm; shift ;;
	--here) mode=here; shift ;;
	-h|--help) usage 0 ;;
	--) shift; break ;;
	-*) echo "run.sh: unknown option $1" >&2; usage 2 ;;
	*) break ;;
	esac
done

if [ $# -gt 0 ]; then
	tests=("$@")
else
	mapfile -t tests < <(make -s --no-print-directory -C "$SELFTEST_DIR" list)
fi
[ ${#tests[@]} -gt 0 ] || { echo "run.sh: no tests" >&2; exit 2; }

if [ "$mode" != here ] && ! make -s --no-print-directory -C "$SELFTEST_DIR" all; then
	echo "run.sh: building the selftest helpers failed (make -C selftests)" >&2
	exit 2
fi

timeout=$(sed -n 's/^timeout=\([0-9][0-9]*\)$/\1/p' "$SELFTEST_DIR/settings")
timeout=${timeout:-300}
timeout=$((timeout * ${DSR_WAIT_FACTOR:-1}))

if [ "$mode" = one-vm ]; then
	# One guest for all: its time limit is the sum of the tests' limits.
	exec "$VM_RUN" "${vm_opts[@]}" --timeout $((timeout * ${#tests[@]})) \
		-- selftests/run.sh --here "${tests[@]}"
fi
[ "$mode" = here ] || [ -x "$VM_RUN" ] ||
	{ echo "run.sh: $VM_RUN not found" >&2; exit 2; }

pass=0
fail=0
skip=0
results=()
for t in "${tests[@]}"; do
	t=${t##*/}
	if [ ! -x "$SELFTEST_DIR/$t" ]; then
		echo "# $t: no such test"
		results+=("FAIL $t (no such test)")
		fail=$((fail + 1))
		continue
	fi
	start=$(date +%s)
	rc=0
	if [ "$mode" = here ]; then
		echo "# ---- $t (DSR_IMPL=${DSR_IMPL:-dsr}, $(uname -r), timeout ${timeout}s)"
		timeout --kill-after=10 "$timeout" "$SELFTEST_DIR/$t" </dev/null || rc=$?
	else
		echo "# ---- $t (DSR_IMPL=${DSR_IMPL:-dsr}, own VM, timeout ${timeout}s)"
		"$VM_RUN" "${vm_opts[@]}" --timeout "$timeout" -- "selftests/$t" || rc=$?
	fi
	secs=$(($(date +%s) - start))
	case $rc in
	0) verdict=PASS; pass=$((pass + 1)) ;;
	4) verdict=SKIP; skip=$((skip + 1)) ;;
	*) verdict=FAIL; fail=$((fail + 1)) ;;
	esac
	echo "# $t: $verdict (exit $rc, ${secs}s)"
	results+=("$verdict $t (${secs}s)")
done

echo "# ---- summary"
printf '# %s\n' "${results[@]}"
summary="$pass passed, $fail failed"
[ "$skip" -eq 0 ] || summary+=", $skip skipped"
echo "$summary"
[ "$fail" -eq 0 ]
