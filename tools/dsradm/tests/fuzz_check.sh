#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_check.sh RUNS - run both libFuzzer harnesses for RUNS inputs each,
# from fixed seeds and a fixed random seed (FUZZ_SEED, default 1), as make
# check does. Prints TAP; a crash, leak, sanitizer report (undefined
# behaviour included) or wrong exit code fails, and the input that did it
# is kept in tests/ as crash-* (or leak-*, timeout-*).
#
#   fuzz_listing  the kernel's answers to a listing (seeds: fuzz_seed.py)
#   fuzz_args     a command line, and -R's input (seeds: the golden rules)
set -u

runs=${1:-20000}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/listing" "$work/args"
python3 "$here/fuzz_seed.py" "$work/listing" >/dev/null || exit 1

# A command line, then standard input: every saved table the unit tests
# know, restored plainly and with --sync, and commands of every kind.
n=0
for f in "$here"/golden/save*.txt "$here"/golden/*-save.txt \
	 "$here"/golden/ipvsadm-*.txt; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	{ echo "-R"; cat "$f"; } >"$work/args/restore-$n"
	{ echo "-R --sync"; cat "$f"; } >"$work/args/sync-$n"
done
n=0
while IFS= read -r line; do
	n=$((n + 1))
	printf '%s\n' "$line" >"$work/args/cmd-$n"
done <<'EOF'
-A -t 10.0.0.1:80 -s wrr -p 300 -b sh-port --sched-table 251
-E -u 10.0.0.1:53 --stateless --tun-src 10.1.0.0/28
-a -t 10.0.0.1:80 -r 10.0.1.1:80 -i --tun-type gue --tun-port 6080 --tun-csum -w 5
-e -t [2001:db8::1]:80 -r [2001:db8::2]:80 -g -w 0
-d -f 7 -r 10.0.1.1
-A -f 1 -6 -s rr -p 600 -M 48
-a -f 1 -6 -r [2001:db8::20] -i -w 2
-L -n --stats --exact --sort -t 10.0.0.1:80
-L --rate -j
-Lcn -j
-L --timeout
--set 900 120 300
--set-timeouts syn=5,rst=2
--set-flow-limit 1000
--set-service-limit 10
--hook local-in
-Z -t 10.0.0.1:80
-S -n
monitor -j
EOF

fail=0
passed=0
failed=0
check() {
	name=$1
	shift
	out=$(cd "$work" && "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		echo "ok - $name: $runs inputs, no crash, leak or sanitizer report"
		passed=$((passed + 1))
	else
		echo "not ok - $name (exit $rc)"
		printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|Test unit written|panic' |
			head -n 10 | sed 's/^/# /'
		cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$here"/ 2>/dev/null
		fail=1
		failed=$((failed + 1))
	fi
}
check fuzz_listing "$here/fuzz_listing" -runs="$runs" -seed="${FUZZ_SEED:-1}" \
	-max_len=8192 -timeout=10 "$work/listing"
check fuzz_args "$here/fuzz_args" -runs="$runs" -seed="${FUZZ_SEED:-1}" -max_len=4096 \
	-timeout=10 "$work/args"
echo "dsradm fuzz: $passed passed, $failed failed"
exit "$fail"
