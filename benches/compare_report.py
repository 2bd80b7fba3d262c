#!/usr/bin/env python3
"""Benchmark `costtop report` against ccusage 20 and `wc -l` on the same generated files.

Runs the three commands alternately (so machine noise hits all of them alike), N rounds,
and prints the median wall time of each, the ratios, and costtop's peak RSS.

  python3 benches/compare_report.py --lines 200000 [--rounds 7] [--data DIR]

Builds the release binary and the repository's transcript generator (`cargo build --release
--bin costtop --example gen_transcripts`), generates the set with it unless DIR already holds
it, and checks that costtop's report counts the requests and cost the generator says it wrote.
For the ccusage column, `npm install ccusage@20.0.24` in DIR (skipped when absent).
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
GEN = os.path.join(ROOT, "target", "release", "examples", "gen_transcripts")


def run(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)
    return time.perf_counter() - t0


def peak_rss_kb(cmd, env=None):
    out = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True, env=env, check=True)
    return int(out.stderr.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--lines", type=int, default=200000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--data", default="/tmp/costtop-bench")
    a = p.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "costtop", "--example",
                    "gen_transcripts"], cwd=ROOT, check=True)
    data = os.path.join(a.data, f"transcripts-{a.lines}-{a.seed}")
    truth_file = data + ".truth.json"
    if not os.path.exists(truth_file):
        subprocess.run([GEN, "--out", data, "--lines", str(a.lines), "--seed", str(a.seed),
                        "--end", "2026-11-23T06:00:00Z", "--truth", truth_file], check=True)
    with open(truth_file) as f:
        truth = json.load(f)
    files = []
    for dirpath, _, names in os.walk(data):
        files += [os.path.join(dirpath, n) for n in names if n.endswith(".jsonl")]
    costtop = [os.path.join(ROOT, "target", "release", "costtop"), "report", data, "--format", "json"]
    wc = ["wc", "-l"] + files
    npx = os.path.join(a.data, "node_modules", ".bin", "ccusage")
    ccusage = [npx, "claude", "daily", "--json", "--offline"] if os.path.exists(npx) else None
    env = dict(os.environ, CLAUDE_CONFIG_DIR=data)
    # costtop without the user's config or price update, so its figures are the list prices.
    config = os.path.join(a.data, "empty-config.toml")
    open(config, "w").close()
    cenv = dict(os.environ, COSTTOP_CONFIG=config, XDG_DATA_HOME=os.path.join(a.data, "xdg-data"))
    run(wc)  # warm the page cache
    report = json.loads(subprocess.run(costtop, capture_output=True, check=True, env=cenv).stdout)
    counted = (report["totals"]["requests"], round(report["totals"]["cost_usd"], 6))
    expected = (truth["requests"], round(float(truth["cost_usd"]), 6))
    if counted != expected:
        sys.exit(f"costtop counted {counted} (requests, $), the generator wrote {expected}")
    times = {"costtop": [], "wc -l": [], "ccusage": []}
    for _ in range(a.rounds):
        times["costtop"].append(run(costtop, cenv))
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
    print(f"costtop peak RSS  = {peak_rss_kb(costtop, cenv) / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
