#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # check functions are called through ktap_check
#
# metrics.sh - Debian's prometheus-node-exporter, started here, serves the
# load balancer's counters over HTTP, and they are the listing's.
#
#   client -- br0 -- lb (VIP 10.0.0.100, node_exporter on 127.0.0.1:9100)
#                 -- rs1, rs2 (echo servers on VIP:80)
#
#   TCP VIP:80  rr  rs1 (weight 2), rs2 (weight 1)
#   TCP VIP:81  rr  rs1 (weight 0: every connection is dropped, no_dest)
#
# With dsr, dsr-metrics (run as dsr-metrics.service runs it) writes the
# textfile collector's dsr.prom; with --ipvs, node_exporter's own IPVS
# collector reads /proc/net/ip_vs. Both use the same label names, so the
# same checks run on both:
# 1. node_exporter serves the metrics without a collector error.
# 2. Each real server's weight is the listing's.
# 3. The connections counted over all services are the listing's (6).
# dsr only:
# 4. Every service's and real server's connections, packets and bytes,
#    the flow count and the drops by reason are those of
#    "dsradm -Ln --stats -j".
# 5. The metric names follow Prometheus' conventions (counters end in
#    _total, every family has HELP and TYPE), and the unit verifies.
# The kernel log stays clean.

set -eE -o pipefail

# shellcheck source=selftests/lib.sh
source "$(dirname "$0")/lib.sh"

test_init
lb_require
require_cmd prometheus-node-exporter curl python3
lb_load

TEXTFILE=$TMP_DIR/textfile
METRICS=$TMP_DIR/metrics
mkdir -p "$TEXTFILE"

topo_dr 2
for i in 1 2; do
	sink_start tcp "rs$i" "$VIP" 80 "$TMP_DIR/rs$i"
done
adm lb -A -t "$VIP:80" -s rr
adm lb -a -t "$VIP:80" -r "$(rs_ip 1):80" -g -w 2
adm lb -a -t "$VIP:80" -r "$(rs_ip 2):80" -g -w 1
adm lb -A -t "$VIP:81" -s rr
adm lb -a -t "$VIP:81" -r "$(rs_ip 1):81" -g -w 0

echo "counted" >"$TMP_DIR/hello"
for i in 1 2 3 4 5 6; do
	tcp_send client "$VIP" 80 "$TMP_DIR/hello" "$TMP_DIR/out.$i"
done
# refused by the LB's policy: no real server takes new connections
in_ns client socat -T 2 - "TCP4:$VIP:81,connect-timeout=2" </dev/null >/dev/null 2>&1 || true
lb_settle

if [ "$DSR_IMPL" = dsr ]; then
	# dsr-metrics.service's command, with this checkout's programs
	unit=$TOP_DIR/tools/metrics/dsr-metrics.service.in
	sed -e "s|@SBINDIR@/dsr-metrics|$TOP_DIR/tools/metrics/dsr-metrics|" \
		-e "s|@SBINDIR@/dsradm|$DSRADM|" \
		-e "s|/var/lib/prometheus/node-exporter|$TEXTFILE|" "$unit" \
		>"$TMP_DIR/dsr-metrics.service"
	unit_run lb "$TMP_DIR/dsr-metrics.service" ExecStart
	collector=(--collector.textfile "--collector.textfile.directory=$TEXTFILE")
	PREFIX=dsr
else
	collector=(--collector.ipvs)
	PREFIX=node_ipvs
fi
in_ns_bg lb prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
	--collector.disable-defaults "${collector[@]}"
busywait 10000 listening lb -tln 127.0.0.1:9100

scrape()
{
	in_ns lb curl -sS --max-time 5 http://127.0.0.1:9100/metrics >"$METRICS"
}

# ---------------------------------------------------------------- 1.

served()
{
	scrape || return 1
	if [ "$DSR_IMPL" = dsr ]; then
		grep -qx 'node_textfile_scrape_error 0' "$METRICS" &&
			grep -q '^dsr_up 1$' "$METRICS" && return 0
		grep -E '^node_textfile|^dsr_up' "$METRICS"
	else
		grep -qx 'node_scrape_collector_success{collector="ipvs"} 1' "$METRICS" &&
			return 0
		grep '^node_scrape' "$METRICS"
	fi
	return 1
}
ktap_check "node_exporter serves the LB's metrics without a collector error" served

# metric NAME LABELS - the value of NAME{LABELS...} (labels in any order,
# each k="v"; all must match)
metric()
{
	awk -v name="$1" -v want="$2" '
		BEGIN { n = split(want, w, ",") }
		index($0, name "{") == 1 || $1 == name {
			ok = 1
			for (i = 1; i <= n; i++) if (index($0, w[i]) == 0) ok = 0
			if (ok) { print $NF; exit }
		}' "$METRICS"
}

# ---------------------------------------------------------------- 2.

weights()
{
	local port rs want got bad=0
	for spec in "80 1 2" "80 2 1" "81 1 0"; do
		read -r port rs want <<<"$spec"
		got=$(metric "${PREFIX}_backend_weight" \
			"local_address=\"$VIP\",local_port=\"$port\",remote_address=\"$(rs_ip "$rs")\",remote_port=\"$port\"")
		if [ "$got" != "$want" ]; then
			echo "weight of rs$rs in VIP:$port: metric '${got}', listing $want"
			bad=1
		fi
	done
	[ "$bad" = 0 ] || grep "${PREFIX}_backend_weight" "$METRICS"
	return "$bad"
}
ktap_check "each real server's weight is the listing's" weights

# ---------------------------------------------------------------- 3.

total_conns()
{
	local listed got
	listed=$(adm_stats lb | awk '$1 == "TCP" { n += $3 } END { print n + 0 }')
	if [ "$DSR_IMPL" = dsr ]; then
		got=$(awk '/^dsr_service_connections_total/ { n += $NF } END { print n + 0 }' "$METRICS")
	else
		got=$(metric node_ipvs_connections_total "")
	fi
	[ "$listed" = 6 ] && [ "$got" = "$listed" ] && return 0
	echo "connections: metrics $got, listing $listed (want 6)"
	adm_stats lb
	return 1
}
ktap_check "the connections counted over all services are the listing's" total_conns

# ---------------------------------------------------------------- dsr only

if [ "$DSR_IMPL" = dsr ]; then
	match_json()
	{
		adm lb -Ln --stats -j >"$TMP_DIR/listing.json" || return 1
		python3 - "$TMP_DIR/listing.json" "$METRICS" <<'EOF'
import json, re, sys
listing = json.load(open(sys.argv[1]))
samples = {}
for line in open(sys.argv[2]):
    if line.startswith("dsr_"):
        key, value = line.rsplit(" ", 1)
        samples[key] = float(value)
def get(name, **labels):
    for key, value in samples.items():
        if not key.startswith(name + "{") and key != name:
            continue
        if all(f'{k}="{v}"' in key for k, v in labels.items()):
            return value
    return None
bad = []
def expect(what, got, want):
    if got is None or got != want:
        bad.append(f"{what}: metric {got}, listing {want}")
expect("flows", get("dsr_flows"), listing["flows"])
for reason, value in listing["drops"].items():
    expect(f"drops {reason}", get("dsr_drops_total", reason=reason), value)
if listing["drops"]["no_dest"] < 1:
    bad.append("no no_dest drop was counted: the check would prove nothing")
for svc in listing["services"]:
    lab = dict(local_address=svc["address"], local_port=svc["port"])
    for k in ("conns", "packets", "bytes"):
        name = {"conns": "connections"}.get(k, k)
        expect(f"service {svc['port']} {k}", get(f"dsr_service_{name}_total", **lab), svc["stats"][k])
    for d in svc["dests"]:
        dl = dict(lab, remote_address=d["address"], remote_port=d["port"])
        for k in ("conns", "packets", "bytes"):
            name = {"conns": "connections"}.get(k, k)
            expect(f"{d['address']}:{svc['port']} {k}", get(f"dsr_backend_{name}_total", **dl), d["stats"][k])
        expect(f"{d['address']}:{svc['port']} active", get("dsr_backend_connections_active", **dl), d["active_conns"])
        expect(f"{d['address']}:{svc['port']} inactive", get("dsr_backend_connections_inactive", **dl), d["inactive_conns"])
if sum(s["stats"]["packets"] for s in listing["services"]) == 0:
    bad.append("no packet was counted: the check would prove nothing")
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
	}
	ktap_check "connections, packets, bytes, flows and drops are those of dsradm -Ln --stats -j" match_json

	conventions()
	{
		local bad
		bad=$(awk '
			/^# TYPE dsr_/ { type[$3] = $4 }
			/^# HELP dsr_/ { help[$3] = 1 }
			/^dsr_/ { n = $1; sub(/\{.*/, "", n); seen[n] = 1 }
			END {
				for (n in seen) {
					if (!(n in type) || !(n in help)) print n ": no HELP or TYPE"
					if (type[n] == "counter" && n !~ /_total$/) print n ": a counter not named _total"
					if (type[n] != "counter" && n ~ /_total$/) print n ": _total but a " type[n]
				}
			}' "$METRICS")
		[ -z "$bad" ] && grep -q '^dsr_backend_connections_total' "$METRICS" && return 0
		echo "$bad"
		return 1
	}
	ktap_check "metric names follow Prometheus conventions (HELP, TYPE, counters _total)" conventions

	unit_verifies()
	{
		systemd-analyze verify --man=no "$TMP_DIR/dsr-metrics.service" 2>&1
	}
	ktap_check "systemd-analyze verify accepts dsr-metrics.service" unit_verifies
fi

kill_ns_procs lb
ktap_check "kernel log is clean" klog_check
ktap_summary
