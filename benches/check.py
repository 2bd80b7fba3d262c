#!/usr/bin/env python3
"""`costtop check` and `costtop hook` latency with a month of history, the history's bytes per
record, and what keeping the history costs `costtop report`.

    python3 benches/check.py [--calls 50] [--runs 5] [--data /tmp/costtop-check-gen]

Builds the release binary and the repository's transcript generator, and generates the month
with it (200,000 lines over the 30 days before now) unless --data already holds it. Then:

  report, history off            COSTTOP_HISTORY=off: the code path main has
  report, writing the history    a fresh history each run: every record is appended
  report, history up to date     the history already holds every record
  history                        bytes per record of the history the report wrote
  check, cold ledger             month and day budgets, the cache deleted before every call
  check, warm ledger             the cache of the previous call kept
  check, running costtop         a stub listener serving a snapshot with those budgets
  hook, warm ledger              a UserPromptSubmit input for the newest session

and prints median and p99 wall time and the median CPU time (user + system) in milliseconds,
beside `costtop --version` (process start). Nothing is written outside --data and temp dirs.
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from statusline import latest_session, stub_listener  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GEN = ROOT / "target" / "release" / "examples" / "gen_transcripts"


def timed(cmd, calls, env, stdin=None, before=None):
    """Median and p99 of wall time, and median CPU time (user + system), in ms; the exit code
    is not checked (`check` answers with it)."""
    wall, cpu = [], []
    for _ in range(calls):
        if before:
            before()
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, input=stdin, env=env, stdout=subprocess.DEVNULL)
        wall.append((time.perf_counter() - t) * 1000)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000)
    wall.sort()
    return statistics.median(wall), wall[min(len(wall) - 1, int(len(wall) * 0.99))], statistics.median(cpu)


def generate(data: Path) -> Path:
    projects = data / "projects"
    if not projects.is_dir():
        subprocess.run([str(GEN), "--out", str(data), "--lines", "200000", "--days", "30",
                        "--truth", os.devnull], check=True)
    return projects


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--calls", type=int, default=50)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--data", default="/tmp/costtop-check-gen")
    args = p.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "costtop", "--example",
                    "gen_transcripts"], cwd=ROOT, check=True)
    costtop = str(ROOT / "target" / "release" / "costtop")
    data = Path(args.data)
    projects = generate(data)
    work = Path(tempfile.mkdtemp(prefix="costtop-check-"))
    history = work / "history.ledger"
    ledger = work / "cache" / "costtop" / "check.ledger"
    env = dict(os.environ, CLAUDE_CONFIG_DIR=str(data), XDG_CACHE_HOME=str(work / "cache"),
               XDG_DATA_HOME=str(work / "data"), COSTTOP_HISTORY=str(history),
               COSTTOP_CONFIG=str(ROOT / "tests/fixtures/config/empty.toml"))
    env.pop("COSTTOP_URL", None)
    off = dict(env, COSTTOP_HISTORY="off")
    report = [costtop, "report", "--format", "json"]

    def fresh_history():
        history.unlink(missing_ok=True)

    rows = [("baseline: costtop --version", timed([costtop, "--version"], args.calls, env))]
    rows.append(("report, history off", timed(report, args.runs, off)))
    rows.append(("report, writing the history", timed(report, args.runs, env, before=fresh_history)))
    rows.append(("report, history up to date", timed(report, args.runs, env)))
    shown = subprocess.run([costtop, "history"], env=env, check=True,
                           capture_output=True).stdout.decode()
    print(shown, end="")

    budgets = ["--budget", "day=50", "--budget", "month=500", "--tz", "UTC"]
    check = [costtop, "check", "--url", "off"] + budgets
    sample = subprocess.run(check, env=env, capture_output=True).stdout.decode().strip()
    print(f"check says: {sample}")
    snapshot = subprocess.run([costtop, "watch", "--once"] + budgets, env=env, check=True,
                              capture_output=True).stdout
    server = stub_listener(snapshot)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    transcript = latest_session(projects)
    hook_input = json.dumps({
        "session_id": transcript.stem, "transcript_path": str(transcript),
        "cwd": "/home/dev", "permission_mode": "default",
        "hook_event_name": "UserPromptSubmit", "prompt": "hello",
    }).encode()

    def drop_ledger():
        ledger.unlink(missing_ok=True)

    rows += [
        ("check, cold ledger", timed(check, args.calls, env, before=drop_ledger)),
        ("check, warm ledger", timed(check, args.calls, env)),
        ("check, running costtop", timed([costtop, "check", "--url", url] + budgets, args.calls, env)),
        ("hook, warm ledger", timed([costtop, "hook", "--url", "off"] + budgets, args.calls, env, hook_input)),
    ]
    server.shutdown()
    base = rows[0][1][0]
    records = int(re.search(r"records\s+([\d,]+)", shown).group(1).replace(",", ""))
    size = int(re.search(r"size\s+([\d,]+)", shown).group(1).replace(",", ""))
    print(f"history: {size / records:.1f} bytes per record ({records} records, {size} bytes)")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':32} {'median ms':>10} {'p99 ms':>8} {'CPU ms':>8} {'median / --version':>20}")
    for name, (median, p99, cpu) in rows:
        print(f"{name:32} {median:10.2f} {p99:8.2f} {cpu:8.2f} {median / base:19.1f}x")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
