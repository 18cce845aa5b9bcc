#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run the dsradm host tests (TAP) and sum them up. The last line is
#   dsradm unit: N passed, N failed
# and the exit status is 1 when anything failed, a test crashed included.

passed=0
failed=0
for t in "$@"; do
	out=$("$t")
	rc=$?
	printf '# %s\n%s\n' "${t##*/}" "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - ${t##*/} exited with status $rc"
		failed=$((failed + 1))
	fi
done
echo "dsradm unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
