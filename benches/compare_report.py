#!/usr/bin/env python3
"""Benchmark `costtop report` against ccusage 20 and `wc -l` on the same generated files.

Runs the three commands alternately (so machine noise hits all of them alike), N rounds,
and prints the median wall time of each, the ratios, and costtop's peak RSS.

  python3 benches/compare_report.py --lines 200000 [--rounds 7] [--data DIR]

Needs: a release build (cargo build --release), python3, ../shared/bench/gen_claude_logs.py,
and for the ccusage column `npm install ccusage@20.0.24` in DIR (skipped when absent).
Generated data goes to DIR (default /tmp/costtop-bench); it is never committed.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_claude_logs.py")


def run(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t0


def peak_rss_kb(cmd):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, default=200000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--data", default="/tmp/costtop-bench")
    a = p.parse_args()
    data = os.path.join(a.data, f"gen-{a.lines}-{a.seed}")
    if not os.path.isdir(data):
        subprocess.run([sys.executable, GEN, "--out", data, "--lines", str(a.lines), "--seed",
                        str(a.seed), "--end", "2026-11-23T06:00:00Z"], check=True)
    files = []
    for dirpath, _, names in os.walk(data):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".jsonl")]
    costtop = [os.path.join(ROOT, "target", "release", "costtop"), "report", data, "--format", "json"]
    wc = ["wc", "-l"] + files
    npx = os.path.join(a.data, "node_modules", ".bin", "ccusage")
    ccusage = [npx, "claude", "daily", "--json", "--offline"] if os.path.exists(npx) else None
    env = dict(os.environ, CLAUDE_CONFIG_DIR=data)
    run(wc)  # warm the page cache
    times = {"costtop": [], "wc -l": [], "ccusage": []}
    for _ in range(a.rounds):
        times["costtop"].append(run(costtop))
        times["wc -l"].append(run(wc))
        if ccusage:
            times["ccusage"].append(run(ccusage, env))
    med = {k: statistics.median(v) for k, v in times.items() if v}
    size = sum(os.path.getsize(f) for f in files)
    print(json.dumps({"lines": a.lines, "bytes": size, "rounds": a.rounds,
                      "median_seconds": {k: round(v, 3) for k, v in med.items()}}))
    print(f"costtop / wc -l   = {med['costtop'] / med['wc -l']:.2f}x  (target: <= 3x)")
    if "ccusage" in med:
        print(f"ccusage / costtop = {med['ccusage'] / med['costtop']:.2f}x  (target: >= 3x)")
    print(f"costtop peak RSS  = {peak_rss_kb(costtop) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
