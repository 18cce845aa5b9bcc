#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py RAW OUTDIR - the benchmark's report from guest.sh's lines.

Prints a table of median rates and of ratios (the comparisons in
COMPARISONS, taken within each round, so that both sides of a ratio ran
side by side), with each ratio's lowest and highest value, its spread
(half the interquartile range over the median; with fewer than 4 rounds,
the larger distance from the median to the lowest or highest) and the
target from the issue it answers. Writes OUTDIR/results.csv (every measurement),
OUTDIR/ratios.csv (the ratio table), OUTDIR/report.txt (what is printed)
and, when gnuplot is there, OUTDIR/ratios.png.
"""
import csv
import os
import shutil
import statistics
import subprocess
import sys

# What the report compares: (scenario, configuration, against, issue 10's
# target for the ratio of their rates, or None where there is none).
DR_TARGETS = {
    "oneflow": {"bridge": 0.9, "fwd": 1.3, "ipvs": 1.5, "ipvs-tuned": 1.5},
    "newflow": {"bridge": 0.85, "fwd": 1.0, "ipvs": 2.5, "ipvs-tuned": 1.4},
}
COMPARISONS = []
for _s in ("oneflow", "newflow"):
    COMPARISONS += [(_s, "dsr", _c, _t) for _c, _t in DR_TARGETS[_s].items()]
    # the same targets for DR without the TTL decrement (dr_keep_ttl=1)
    COMPARISONS += [(_s, "dsr-keepttl", _c, _t) for _c, _t in DR_TARGETS[_s].items()]
    COMPARISONS += [
        (_s, "dsr-ipip", "ipvs-tun", 1.5),
        (_s, "dsr-gue", "ipvs-tun", 1.5),
        (_s, "dsr-fw", "dsr", 0.95),       # within 5% of itself unfirewalled
        (_s, "ipvs-fw", "ipvs-tuned", None),  # what the firewall costs IPVS
        (_s, "dsr-fw", "ipvs-fw", None),
        (_s, "dsr-full", "dsr", 0.9),      # 10,000 services, 1M flows
    ]
COMPARISONS += [
    ("oneflow-1400", "dsr", "ipvs-tuned", 1.0),
    ("oneflow-1400", "dsr-keepttl", "ipvs-tuned", 1.0),
    ("oneflow-1400", "dsr-ipip", "ipvs-tun", 1.0),
    ("oneflow-1400", "dsr-gue", "ipvs-tun", 1.0),
    ("oneflow-1400", "dsr", "fwd", None),
    ("nonvip", "fwd-dsr", "fwd", 0.97),   # dsr's cost on other traffic
]
ORDER = ["bridge", "fwd", "ipvs", "ipvs-tuned", "dsr", "dsr-keepttl", "ipvs-tun", "dsr-ipip", "dsr-gue",
         "ipvs-fw", "dsr-fw", "dsr-full", "fwd-dsr"]


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    rows = []
    memory = []
    with open(raw) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5 and parts[0] == "memory":
                memory.append(dict(config=parts[1], entries=int(parts[2]),
                                   bytes=int(parts[3]), entry=int(parts[4])))
                continue
            if len(parts) != 6:
                continue
            rnd, scenario, config, rx, ns, pps = parts
            rows.append(dict(round=int(rnd), scenario=scenario, config=config,
                             received=int(rx), elapsed_ns=int(ns), pps=int(pps)))
    if not rows:
        sys.exit("report: no measurements in " + raw)
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, "results.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)

    scenarios = list(dict.fromkeys(r["scenario"] for r in rows))
    configs = [c for c in ORDER if any(r["config"] == c for r in rows)]
    configs += [c for c in dict.fromkeys(r["config"] for r in rows) if c not in configs]
    rate = {}
    for r in rows:
        rate.setdefault((r["scenario"], r["config"]), {})[r["round"]] = r["pps"]

    out = []
    out.append("median rate at the real server, kpps (rounds: %d)"
               % len({r["round"] for r in rows}))
    out.append("%-10s" % "scenario" + "".join("%12s" % c for c in configs))
    for s in scenarios:
        cells = []
        for c in configs:
            v = rate.get((s, c))
            cells.append("%12.1f" % (statistics.median(v.values()) / 1000) if v else "%12s" % "-")
        out.append("%-10s" % s + "".join(cells))

    ratios = []
    for s, mine_config, c, target in COMPARISONS:
        mine, other = rate.get((s, mine_config)), rate.get((s, c))
        if not mine or not other:
            continue
        per_round = [mine[k] / v for k, v in other.items() if k in mine and v > 0]
        if not per_round:
            continue
        med = statistics.median(per_round)
        lo, hi = min(per_round), max(per_round)
        # half the interquartile range, relative to the median: robust
        # to the odd round a shared machine spoils
        if len(per_round) >= 4:
            q = statistics.quantiles(per_round, n=4)
            spread = (q[2] - q[0]) / 2 / med * 100 if med else 0
        else:
            spread = max(med - lo, hi - med) / med * 100 if med else 0
        ratios.append(dict(scenario=s, config=mine_config, versus=c, ratio=round(med, 3),
                           low=round(lo, 3), high=round(hi, 3), spread_pct=round(spread, 1),
                           target=target if target is not None else "",
                           met=("yes" if med >= target else "no") if target else ""))
    out.append("")
    out.append("rate ratios: median of the per-round ratios [lowest..highest],"
               " spread (half the interquartile range), issue 10's target")
    for r in ratios:
        out.append("%-13s %-21s %5.2f [%4.2f..%4.2f] +-%4.1f%%   target %-5s %s"
                   % (r["scenario"], r["config"] + "/" + r["versus"], r["ratio"], r["low"],
                      r["high"], r["spread_pct"], r["target"],
                      {"yes": "met", "no": "NOT MET"}.get(r["met"], "")))
    if memory:
        out.append("")
        out.append("memory per flow: one entry in its slab cache, and the slab and"
                   " vmalloc memory the flows took (entries, hash buckets, accounting)"
                   " over the flows present; issue 10's target for a dsr entry: 64 bytes")
        for m in memory:
            verdict = ""
            if m["config"] == "dsr":
                verdict = "met" if m["entry"] <= 64 else "NOT MET"
            out.append("%-13s entry %4d bytes  %8d flows took %7.1f bytes each   %s"
                       % (m["config"], m["entry"], m["entries"],
                          m["bytes"] / m["entries"], verdict))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    with open(os.path.join(outdir, "report.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "ratios.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["scenario", "config", "versus", "ratio", "low",
                                          "high", "spread_pct", "target", "met"])
        w.writeheader()
        w.writerows(ratios)
    plot(outdir, ratios)


def plot(outdir, ratios):
    if not ratios:
        return
    if not shutil.which("gnuplot"):
        print("report: gnuplot not found, no chart (tools/deps.sh installs it)", file=sys.stderr)
        return
    data = os.path.join(outdir, "ratios.dat")
    with open(data, "w") as f:
        for i, r in enumerate(ratios):
            f.write('%d "%s\\n%s/%s" %s %s %s %s\n' % (
                i, r["scenario"], r["config"], r["versus"], r["ratio"], r["low"], r["high"],
                r["target"] if r["target"] != "" else "NaN"))
    script = f"""
set terminal png size 1400,560
set output '{os.path.join(outdir, "ratios.png")}'
set title "rate ratios (median of per-round ratios, bars: lowest..highest)"
set ylabel "rate / other rate"
set yrange [0:*]
set grid ytics
set boxwidth 0.6
set style fill solid 0.5
set xtics rotate by -45 font ",8"
set key top left
plot '{data}' using 1:3:xtic(2) with boxes title "ratio", \\
     '' using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \\
     '' using 1:6 with points pt 7 ps 1.2 lc rgb "red" title "target", \\
     1 with lines lc rgb "gray" dt 2 notitle
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, check=False)
    if res.returncode != 0:
        print("report: gnuplot failed: " + res.stderr.strip(), file=sys.stderr)


if __name__ == "__main__":
    main()
