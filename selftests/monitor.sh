#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# monitor.sh - dsradm monitor shows every change as it happens.
#
#   lb   dsradm monitor, dsradm monitor -j     lb2   dsradm monitor
#        (two watchers of lb's changes)              (sees only lb2's)
#
# No traffic: the namespaces need only their loopback.
#
# monitor prints every change of its namespace as it happens, in order,
#    as -S names the objects (added or changed: "service"/"server" and the
#    options; deleted: "deleted service"/"deleted server" and the key);
#    monitor -j prints the same events as one JSON object per line; a
#    watcher in another namespace sees none of them, and only its own.
#
# dsr only: IPVS has no change events.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd python3
[ "$DSR_IMPL" = dsr ] || skip_all "change events are dsr's"
lb_load

setup_ns lb lb2

# watch HOST NAME [ARGS] - dsradm monitor in HOST, output in $TMP_DIR/NAME
watch()
{
	local out=$TMP_DIR/$2 ns
	ns=$(ns_name "$1")
	shift 2
	# Appending, so that the file can be emptied under the writer.
	ip netns exec "$ns" "$DSRADM" monitor "$@" </dev/null >>"$out" 2>"$out.err" &
	disown
}
watch lb text
watch lb json -j
watch lb2 other

# A watcher prints nothing until it has joined: add and delete a marker
# service until all three have printed its deletion, then start afresh.
MARK=192.0.2.1
marked()
{
	local f
	adm "$1" -A -u "$MARK:9" && adm "$1" -D -u "$MARK:9"
	for f in "${@:2}"; do
		grep -q "$MARK" "$TMP_DIR/$f" || return 1
	done
}
ktap_check "the watchers are listening" busywait 20000 marked lb text json
ktap_check "... also in the other namespace" busywait 20000 marked lb2 other
# wait_lines FILE N - FILE has N lines
wait_lines()
{
	[ "$(wc -l <"$TMP_DIR/$1")" -ge "$2" ]
}
# Wait for the watchers' last marker line, then forget the markers.
busywait 5000 grep -q "deleted service -u $MARK:9" "$TMP_DIR/other"
sleep 1
for f in text json other; do
	: >"$TMP_DIR/$f"
done

V=10.0.0.100
adm lb -A -t "$V:80" -s rr
adm lb -a -t "$V:80" -r 10.0.0.11 -g -w 2
adm lb -a -t "$V:80" -r 10.0.0.12:80 -i --tun-type gue --tun-port 6080 -w 1
adm lb -e -t "$V:80" -r 10.0.0.11:80 -g -w 0
adm lb -E -t "$V:80" -s mh -b mh-port
adm lb -A -u "$V:53" --stateless
adm lb -d -t "$V:80" -r 10.0.0.12:80
adm lb -D -u "$V:53"
adm lb -C
adm lb2 -A -t "$V:443" -s wrr

WANT="service -t $V:80 -s rr
server -t $V:80 -r 10.0.0.11:80 -g -w 2
server -t $V:80 -r 10.0.0.12:80 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum
server -t $V:80 -r 10.0.0.11:80 -g -w 0
service -t $V:80 -s mh -b mh-port
service -u $V:53 -s mh --stateless
deleted server -t $V:80 -r 10.0.0.12:80
deleted service -u $V:53
deleted service -t $V:80"
WANT_LINES=$(wc -l <<<"$WANT")

same_events()
{
	diff -u <(echo "$WANT") "$TMP_DIR/text" && return 0
	cat "$TMP_DIR/text.err"
	return 1
}
busywait 10000 wait_lines text "$WANT_LINES" || true
ktap_check "monitor prints each change of its namespace, in order" same_events

json_events()
{
	python3 - "$TMP_DIR/json" "$V" <<'EOF'
import json, sys
vip = sys.argv[2]
got = [json.loads(line) for line in open(sys.argv[1])]
want = [  # event, deleted, service (protocol, port), server address, weight
    ("service", False, ("tcp", 80), None, None),
    ("server", False, ("tcp", 80), "10.0.0.11", 2),
    ("server", False, ("tcp", 80), "10.0.0.12", 1),
    ("server", False, ("tcp", 80), "10.0.0.11", 0),
    ("service", False, ("tcp", 80), None, None),
    ("service", False, ("udp", 53), None, None),
    ("server", True, ("tcp", 80), "10.0.0.12", 1),
    ("service", True, ("udp", 53), None, None),
    ("service", True, ("tcp", 80), None, None),
]
assert len(got) == len(want), "%d events, want %d: %s" % (len(got), len(want), got)
for g, (ev, deleted, (proto, port), rs, weight) in zip(got, want):
    svc = g["service"]
    assert (g["event"], g["deleted"]) == (ev, deleted), g
    assert (svc["protocol"], svc["address"], svc["port"]) == (proto, vip, port), g
    if rs:
        assert (g["server"]["address"], g["server"]["weight"]) == (rs, weight), g
    else:
        assert "server" not in g, g
assert got[4]["service"]["scheduler"] == "mh" and got[4]["service"]["flag_names"] == ["mh-port"], got[4]
assert got[2]["server"]["tunnel"] == {"type": "gue", "port": 6080, "csum": False}, got[2]
assert got[5]["service"]["flag_names"] == ["stateless"], got[5]
EOF
}
busywait 10000 wait_lines json "$WANT_LINES" || true
ktap_check "monitor -j prints the same events as JSON" json_events

other_only()
{
	local want="service -t $V:443 -s wrr"
	[ "$(cat "$TMP_DIR/other")" = "$want" ] && return 0
	echo "lb2's watcher printed:"
	cat "$TMP_DIR/other" "$TMP_DIR/other.err"
	return 1
}
busywait 10000 wait_lines other 1 || true
ktap_check "a watcher in another namespace sees only that namespace's change" other_only

ktap_check "kernel log is clean" klog_check
ktap_summary
