#!/usr/bin/env python3
"""`costtop statusline` latency with a month of Claude Code history on disk.

    python3 benches/statusline.py [--calls 100] [--data /tmp/costtop-statusline-gen]

Builds the release binary and the repository's transcript generator, and generates the month
with it (200,000 lines over the 30 days before the current hour; every file has the
modification time of its last line, as a real history has) unless --data already holds it.
Then times CALLS runs of each, reporting median and p99 wall time and the median CPU time in
milliseconds, and the median as a ratio to the first baseline measured in the same run (CPU time
is the steadier figure on a loaded machine):

  baseline: costtop --version      process start of the same binary
  baseline: cat transcript         reading the session's transcript once
  statusline, cold ledger          the cache deleted before every call
  statusline, warm ledger          the cache of the previous call kept
  statusline, running costtop      a stub listener serving the snapshot JSON

The status JSON names the most recently modified session (as Claude Code would, mid-session);
`--budget day=50` makes the budget part of the line.
"""

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "target" / "release" / "examples" / "gen_transcripts"


def generate(data: Path):
    projects = data / "projects"
    if not projects.is_dir():
        subprocess.run(
            [str(GEN), "--out", str(data), "--lines", "200000", "--days", "30",
             "--truth", os.devnull],
            check=True)
    return projects


def latest_session(projects: Path) -> Path:
    files = [p for p in projects.glob("*/*.jsonl")]
    return max(files, key=lambda p: p.stat().st_mtime)


def timed(cmd, calls, env, stdin=None, before=None):
    """Median and p99 of wall time, and median CPU time (user + system), in ms."""
    wall, cpu = [], []
    for _ in range(calls):
        if before:
            before()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, input=stdin, env=env, stdout=subprocess.DEVNULL, check=True)
        wall.append((time.perf_counter() - t) * 1000)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
    wall.sort()
    return statistics.median(wall), wall[min(len(wall) - 1, int(len(wall) * 0.99))], statistics.median(cpu)


def stub_listener(snapshot: bytes):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(snapshot)))
            self.end_headers()
            self.wfile.write(snapshot)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=100)
    p.add_argument("--data", default="/tmp/costtop-statusline-gen")
    args = p.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "costtop", "--example",
                    "gen_transcripts"], cwd=ROOT, check=True)
    costtop = str(ROOT / "target" / "release" / "costtop")
    data = Path(args.data)
    projects = generate(data)
    transcript = latest_session(projects)
    cache = Path(tempfile.mkdtemp(prefix="costtop-statusline-cache-"))
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(data), XDG_CACHE_HOME=str(cache),
               COSTTOP_HISTORY=str(cache / "history.ledger"),
               COSTTOP_CONFIG=str(ROOT / "tests/fixtures/config/empty.toml"))
    env.pop("COSTTOP_URL", None)
    status = json.dumps({
        "session_id": transcript.stem, "transcript_path": str(transcript),
        "model": {"id": "claude-sonnet-4-5", "display_name": "Sonnet 4.5"},
        "cost": {"total_cost_usd": 1.0},
    }).encode()
    line = [costtop, "statusline", "--budget", "day=50"]
    ledger = cache / "costtop" / "statusline.ledger"

    def drop_ledger():
        ledger.unlink(missing_ok=True)

    snapshot = subprocess.run([costtop, "watch", "--once", "--budget", "day=50"], env=env,
                              check=True, capture_output=True).stdout
    server = stub_listener(snapshot)
    url = f"http://127.0.0.1:{server.server_address[1]}"

    sample = subprocess.run(line + ["--url", "off"], input=status, env=env, check=True,
                            capture_output=True).stdout.decode().strip()
    today = sum(1 for p in projects.rglob("*.jsonl")
                if p.stat().st_mtime >= datetime.now().replace(hour=0, minute=0, second=0).timestamp())
    print(f"history: {sum(1 for _ in projects.rglob('*.jsonl'))} transcripts, "
          f"{today} modified today; session {transcript.stat().st_size / 1e6:.1f} MB")
    print(f"line: {sample}")
    rows = [
        ("baseline: costtop --version", timed([costtop, "--version"], args.calls, env)),
        ("baseline: cat transcript", timed(["cat", str(transcript)], args.calls, env)),
        ("statusline, cold ledger", timed(line + ["--url", "off"], args.calls, env, status, drop_ledger)),
        ("statusline, warm ledger", timed(line + ["--url", "off"], args.calls, env, status)),
        ("statusline, running costtop", timed(line + ["--url", url], args.calls, env, status)),
    ]
    server.shutdown()
    base = rows[0][1][0]
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':32} {'median ms':>10} {'p99 ms':>8} {'CPU ms':>8} {'median / --version':>20}")
    for name, (median, p99, cpu) in rows:
        print(f"{name:32} {median:10.2f} {p99:8.2f} {cpu:8.2f} {median / base:19.1f}x")
    shutil.rmtree(cache)


if __name__ == "__main__":
    main()
