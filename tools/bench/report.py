#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py RAW OUTDIR - the benchmark's report from guest.sh's lines.

Prints a table of median rates and of ratios (dsr against each other
configuration, taken within each round, so that both sides of a ratio ran
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

# (scenario, other configuration) -> dsr's target ratio
TARGETS = {
    ("oneflow", "bridge"): 0.9,
    ("oneflow", "fwd"): 1.3,
    ("oneflow", "ipvs-tuned"): 1.5,
    ("oneflow", "ipvs"): 1.5,
    ("newflow", "bridge"): 0.85,
    ("newflow", "fwd"): 1.0,
    ("newflow", "ipvs-tuned"): 1.4,
    ("newflow", "ipvs"): 2.5,
}
ORDER = ["bridge", "fwd", "ipvs", "ipvs-tuned", "dsr"]


def main():
    raw, outdir = sys.argv[1], sys.argv[2]
    rows = []
    with open(raw) as f:
        for line in f:
            parts = line.split()
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
    for s in scenarios:
        mine = rate.get((s, "dsr"), {})
        for c in configs:
            if c == "dsr" or (s, c) not in rate:
                continue
            per_round = [mine[k] / v for k, v in rate[(s, c)].items() if k in mine and v > 0]
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
            target = TARGETS.get((s, c))
            ratios.append(dict(scenario=s, versus=c, ratio=round(med, 3), low=round(lo, 3),
                               high=round(hi, 3), spread_pct=round(spread, 1),
                               target=target if target is not None else "",
                               met=("yes" if med >= target else "no") if target else ""))
    out.append("")
    out.append("dsr / other: median of the per-round ratios [lowest..highest],"
               " spread (half the interquartile range), issue 10's target")
    for r in ratios:
        out.append("%-10s dsr/%-11s %5.2f [%4.2f..%4.2f] +-%4.1f%%   target %-5s %s"
                   % (r["scenario"], r["versus"], r["ratio"], r["low"], r["high"],
                      r["spread_pct"], r["target"], {"yes": "met", "no": "NOT MET"}.get(r["met"], "")))
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    with open(os.path.join(outdir, "report.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(outdir, "ratios.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["scenario", "versus", "ratio", "low", "high",
                                          "spread_pct", "target", "met"])
        w.writeheader()
        w.writerows(ratios)
    plot(outdir, ratios)


def plot(outdir, ratios):
    if not ratios or not shutil.which("gnuplot"):
        print("report: gnuplot not found, no chart (tools/deps.sh installs it)", file=sys.stderr)
        return
    data = os.path.join(outdir, "ratios.dat")
    with open(data, "w") as f:
        for i, r in enumerate(ratios):
            f.write('%d "%s\\ndsr/%s" %s %s %s %s\n' % (
                i, r["scenario"], r["versus"], r["ratio"], r["low"], r["high"],
                r["target"] if r["target"] != "" else "NaN"))
    script = f"""
set terminal png size 1000,520
set output '{os.path.join(outdir, "ratios.png")}'
set title "dsr against each configuration (median of per-round ratios, bars: lowest..highest)"
set ylabel "dsr rate / other rate"
set yrange [0:*]
set grid ytics
set boxwidth 0.6
set style fill solid 0.5
set xtics rotate by -30 font ",9"
set key top left
plot '{data}' using 1:3:xtic(2) with boxes title "dsr / other", \\
     '' using 1:3:4:5 with yerrorbars lc rgb "black" pt 0 notitle, \\
     '' using 1:6 with points pt 7 ps 1.2 lc rgb "red" title "target", \\
     1 with lines lc rgb "gray" dt 2 notitle
"""
    res = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True, check=False)
    if res.returncode != 0:
        print("report: gnuplot failed: " + res.stderr.strip(), file=sys.stderr)


if __name__ == "__main__":
    main()
