#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh - what `make check` runs: the host unit tests (dsradm's parsers,
# printers and netlink layer, the VM runner's kernel-log scanner, the
# selftests' helpers, shellcheck on every script), then every selftest in
# its own QEMU guest. Each suite
# ends with a "N passed, N failed" line; this script adds them up and ends
# with one such line of its own.
#
#   tools/check.sh           everything
#   tools/check.sh --unit    host unit tests only (no VM)
set -u

cd "$(dirname "$0")/.." || exit 1

passed=0
failed=0
skipped=0
failed_suites=()

# run_suite NAME COMMAND...: run a suite, show its output, add its counts.
run_suite() {
	local name=$1 log rc line p f s
	shift
	log=$(mktemp)
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '([0-9]+) passed, ([0-9]+) failed' "$log" | tail -n 1)
	rm -f "$log"
	if [ -z "$line" ]; then
		# A suite that died before its summary counts as one failure.
		echo "check: $name ended (status $rc) without a summary line"
		failed=$((failed + 1))
		failed_suites+=("$name")
		return
	fi
	p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+')
	f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
	s=$(grep -oE '[0-9]+ skipped' <<<"$line" | grep -oE '[0-9]+' || true)
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
	if [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
		# A non-zero exit with no failed test still fails the suite.
		[ "$f" -gt 0 ] || failed=$((failed + 1))
		failed_suites+=("$name")
	fi
}

lint_shell() {
	local n=0 bad=0 script
	if ! command -v shellcheck >/dev/null 2>&1; then
		echo "shellcheck is not installed (run tools/deps.sh)"
		echo "0 passed, 1 failed"
		return 1
	fi
	while IFS= read -r script; do
		n=$((n + 1))
		if shellcheck -x "$script"; then
			echo "ok $n - shellcheck $script"
		else
			echo "not ok $n - shellcheck $script"
			bad=$((bad + 1))
		fi
	done < <(git ls-files --cached --others --exclude-standard | while IFS= read -r f; do
		[ -f "$f" ] || continue
		case "$f" in
		*.sh) echo "$f" ;;
		*.c|*.h|*.md|*.8|*.conf|Makefile|Kbuild|*.txt) ;;
		*) head -n 1 "$f" | grep -qE '^#!.*(ba)?sh' && echo "$f" ;;
		esac
	done)
	echo "shellcheck: $((n - bad)) passed, $bad failed"
	[ "$bad" -eq 0 ]
}

# The module must build without a warning at W=1 and under sparse.
lint_kernel() {
	local kdir out n=0 bad=0
	kdir=${KDIR:-$(tools/kdir.sh)} || return 1
	n=$((n + 1))
	if out=$(make -s -C "$kdir" M="$PWD" W=1 C=2 DSR_WERROR=1 modules 2>&1) &&
	   ! grep -qE 'warning:|error:' <<<"$out"; then
		echo "ok $n - dsr.ko builds clean with W=1 and sparse"
	else
		echo "$out" | grep -E -A3 'warning:|error:'
		echo "not ok $n - dsr.ko builds clean with W=1 and sparse"
		bad=1
	fi
	echo "kernel build: $((n - bad)) passed, $bad failed"
	[ "$bad" -eq 0 ]
}

# Arguments flood must refuse, one invocation a line.
FLOOD_BAD_ARGS='--src 10.9.0.0/16 --count 1
--dst 10.0.0.100:80 --count 1
--dst 10.0.0.100:80 --src 10.9.0.0/16
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 0
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 10000001
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1e6
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count -1
--dst 10.0.0.100 --src 10.9.0.0/16 --count 1
--dst 10.0.0.100:0 --src 10.9.0.0/16 --count 1
--dst 10.0.0.100:65536 --src 10.9.0.0/16 --count 1
--dst 8.8.8.8:53 --src 10.9.0.0/16 --count 1
--dst 10.0.0.100:80 --src 1.2.3.0/24 --count 1
--dst 10.0.0.100:80 --src 10.0.0.0/7 --count 1
--dst 10.0.0.100:80 --src 10.9.0.0/33 --count 1
--dst 10.0.0.100:80 --src 10.9.0.0 --count 1
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --kinds syn,bogus
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --kinds ,
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --pick sometimes
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --batch 0
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --batch 1025
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 --no-such-option
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count 1 stray
--dst 10.0.0.100:80 --src 10.9.0.0/16 --count'

# The selftests' helpers: flood builds with -Werror and refuses bad
# arguments before it opens a socket; dsr_nl.py's attribute tables match
# the uapi header. flood runs in an empty network namespace when this host
# allows one, so that nothing could leave even if it took a bad argument.
unit_selftest_helpers() {
	local n=1 bad=0 args out rc netns=()
	! unshare -n true 2>/dev/null || netns=(unshare -n)
	if out=$(make -s -C selftests all 2>&1); then
		echo "ok $n - selftests/flood builds with -Wall -Wextra -Werror"
	else
		echo "$out"
		echo "not ok $n - selftests/flood builds with -Wall -Wextra -Werror"
		echo "selftest helpers: 0 passed, 1 failed"
		return 1
	fi
	while IFS= read -r args; do
		n=$((n + 1))
		rc=0
		# shellcheck disable=SC2086 # ARGS are words
		out=$("${netns[@]}" selftests/flood $args 2>&1 >/dev/null) || rc=$?
		if [ "$rc" -eq 2 ] && grep -q '^flood: ' <<<"$out"; then
			echo "ok $n - flood $args: refused ($(tail -n 1 <<<"$out"))"
		else
			echo "not ok $n - flood $args: exit $rc, want 2 and a message: $out"
			bad=$((bad + 1))
		fi
	done <<<"$FLOOD_BAD_ARGS"
	n=$((n + 1))
	if out=$(selftests/flood --help) && [[ $out == usage:* ]]; then
		echo "ok $n - flood --help"
	else
		echo "not ok $n - flood --help"
		bad=$((bad + 1))
	fi
	n=$((n + 1))
	if out=$(python3 selftests/dsr_nl.py uapi 2>&1); then
		echo "ok $n - dsr_nl.py's attribute tables match include/uapi/linux/dsr.h"
	else
		grep -v '^ok ' <<<"$out"
		echo "not ok $n - dsr_nl.py's attribute tables match include/uapi/linux/dsr.h"
		bad=$((bad + 1))
	fi
	echo "selftest helpers: $((n - bad)) passed, $bad failed"
	[ "$bad" -eq 0 ]
}

# The YNL spec agrees with the uapi header, and the check can fail: a spec
# with an attribute renamed, and a header with a flag moved, must not pass.
unit_ynl() {
	local tmp out p f
	out=$(tools/ynl-check) || true
	sed '$d' <<<"$out"
	p=$(tail -n 1 <<<"$out" | sed -n 's/.* \([0-9]*\) passed.*/\1/p')
	f=$(tail -n 1 <<<"$out" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	if [ -z "$p" ] || [ -z "$f" ]; then
		p=0
		f=1
	fi
	tmp=$(mktemp -d)
	sed 's/^        name: tun-pmtu$/        name: tun-mtu/' \
		include/uapi/linux/dsr.yaml >"$tmp/dsr.yaml"
	cp include/uapi/linux/dsr.h "$tmp/dsr.h"
	if ! cmp -s include/uapi/linux/dsr.yaml "$tmp/dsr.yaml" &&
	   ! tools/ynl-check "$tmp/dsr.yaml" >/dev/null; then
		echo "ok - a spec with tun-pmtu renamed fails the check"
		p=$((p + 1))
	else
		echo "not ok - a spec with tun-pmtu renamed passes the check"
		f=$((f + 1))
	fi
	sed 's/^#define DSR_TUN_F_CSUM\t\t(1U << 0)$/#define DSR_TUN_F_CSUM\t\t(1U << 1)/' \
		include/uapi/linux/dsr.h >"$tmp/dsr.h"
	if ! cmp -s include/uapi/linux/dsr.h "$tmp/dsr.h" &&
	   ! tools/ynl-check include/uapi/linux/dsr.yaml "$tmp/dsr.h" >/dev/null; then
		echo "ok - a header with DSR_TUN_F_CSUM moved fails the check"
		p=$((p + 1))
	else
		echo "not ok - a header with DSR_TUN_F_CSUM moved passes the check"
		f=$((f + 1))
	fi
	rm -rf "$tmp"
	echo "netlink spec: $p passed, $f failed"
	[ "$f" -eq 0 ]
}

# make install into a staging root, as the README has an operator run it:
# every file where the README says, and the installed units verify there
# (their programs and man page included).
unit_install() {
	local root p=0 f=0 want got
	root=$(mktemp -d)
	if ! make -s install DESTDIR="$root" >"$root.log" 2>&1; then
		sed 's/^/# /' "$root.log"
		echo "not ok - make install DESTDIR=..."
		echo "0 passed, 1 failed"
		rm -rf "$root" "$root.log"
		return 1
	fi
	want="etc/dsr
etc/systemd/system/dsr-metrics.service
etc/systemd/system/dsr-metrics.timer
etc/systemd/system/dsr.service
lib/modules/$(tools/kdir.sh --release)/updates/dsr.ko
usr/local/sbin/dsr-keepalived
usr/local/sbin/dsr-metrics
usr/local/sbin/dsr-realserver
usr/local/sbin/dsr-rules
usr/local/sbin/dsradm
usr/local/share/bash-completion/completions/dsradm
usr/local/share/doc/dsr/examples/keepalived-dsr.conf
usr/local/share/doc/dsr/examples/keepalived-mirror.conf
usr/local/share/doc/dsr/examples/modprobe.d-dsr.conf
usr/local/share/man/man8/dsr-realserver.8
usr/local/share/man/man8/dsradm.8"
	got=$(cd "$root" && find . \( -type f -o -type d -empty \) | sed 's|^\./||' | sort)
	if [ "$got" = "$want" ]; then
		echo "ok - make install puts every file where the README says"
		p=$((p + 1))
	else
		diff <(echo "$want") <(echo "$got") | sed 's/^/# /'
		echo "not ok - make install puts every file where the README says"
		f=$((f + 1))
	fi
	# systemd-analyze needs the units the installed ones depend on
	mkdir -p "$root/lib/systemd"
	cp -a /lib/systemd/system "$root/lib/systemd/"
	if MANPATH=$root/usr/local/share/man systemd-analyze verify --root="$root" \
		/etc/systemd/system/dsr.service /etc/systemd/system/dsr-metrics.service \
		/etc/systemd/system/dsr-metrics.timer 2>&1 | sed 's/^/# /' | grep .; then
		echo "not ok - the installed units verify (systemd-analyze verify --root)"
		f=$((f + 1))
	else
		echo "ok - the installed units verify (systemd-analyze verify --root)"
		p=$((p + 1))
	fi
	rm -rf "$root" "$root.log"
	echo "make install: $p passed, $f failed"
	[ "$f" -eq 0 ]
}

run_suite "kernel build (W=1, sparse)" lint_kernel
run_suite "dsradm unit tests" make -s -C tools/dsradm check
run_suite "dsradm fuzzing (bounded)" make -s -C tools/dsradm fuzz-check
run_suite "dsr-metrics (Prometheus text)" tools/metrics/test
run_suite "dsr-keepalived (against a fake dsradm)" tools/keepalived/test
run_suite "make install (staging root)" unit_install
run_suite "VM kernel-log scanner" tools/vm/test-check-kernel-log
run_suite "selftest helpers" unit_selftest_helpers
run_suite "netlink spec (YNL) against the header" unit_ynl
run_suite "shellcheck" lint_shell
if [ "${1:-}" != "--unit" ]; then
	run_suite "selftests (QEMU)" selftests/run.sh
fi

echo
if [ "${#failed_suites[@]}" -gt 0 ]; then
	echo "failed suites: ${failed_suites[*]}"
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
