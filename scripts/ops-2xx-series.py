#!/usr/bin/env python3
"""Prints "operations with a 2xx" over time from a Shrike JSON report (`--json`).

  scripts/ops-2xx-series.py REPORT.json [--step SECONDS]

The report's `coverage.series` holds one [seconds, count, operation] point per operation's first 2xx; this
prints the count at every STEP seconds (default 10) up to the run's duration, then the operations
that never got a 2xx with the most likely reason.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report")
    ap.add_argument("--step", type=float, default=10.0)
    a = ap.parse_args()
    with open(a.report) as f:
        report = json.load(f)
    cov = report.get("coverage")
    if not cov:
        sys.exit("no `coverage` in this report (written by `shrike fuzz/demo --json`)")
    series = cov["series"]
    duration = max(report.get("duration_s") or 0, series[-1][0] if series else 0)
    print(f"# operations with a 2xx over time ({cov['with_2xx']} of {cov['operations']} at the end)")
    print("seconds\twith_2xx")
    t, i, count = 0.0, 0, 0
    while True:
        while i < len(series) and series[i][0] <= t:
            count = series[i][1]
            i += 1
        print(f"{t:.0f}\t{count}")
        if t >= duration:
            break
        t = min(t + a.step, duration)
    for point in series:
        if len(point) > 2:
            print(f"# first 2xx at {point[0]:.3f}s: {point[2]} ({point[1]})")
    for d in cov["never_2xx"]:
        print(f"# never 2xx: {d['operation']}: {d['reason']}")


if __name__ == "__main__":
    main()
