#!/usr/bin/env bash
# An accelerated day: RECORDS usage records (default 8,640,000: 100 per second of event time
# over the 24 hours before now) piped into `costtop watch - --window today` as fast as it reads
# them, for the memory an ops screen needs after a day.
#
#   benches/day.sh app    [RECORDS]   application-log records (15 tag sets, 3 models); their ids
#                                     are remembered for the short horizon only
#   benches/day.sh claude [RECORDS]   Claude Code transcript lines (200 sessions, 12 projects);
#                                     every key is kept for the run
#
# Prints VmRSS every 5 s with the records counted so far, then the peak (VmHWM), the records
# counted and the RSS growth per record between the first sample past 10% of the records and
# the end (what each further record costs). Uses the release binary (built if missing), or
# $COSTTOP_BIN. Nothing is written to disk but costtop's snapshots (one every 2 s).
set -euo pipefail

kind=${1:-app}
records=${2:-8640000}
root=$(cd "$(dirname "$0")/.." && pwd)
bin="${COSTTOP_BIN:-$root/target/release/costtop}"
[ -x "$bin" ] || (cd "$root" && cargo build --release --quiet)
work=$(mktemp -d)
pid=""
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/gen.py" <<'EOF'
import sys, time
kind, n = sys.argv[1], int(sys.argv[2])
end = int(time.time())
start = end - n // 100
out = sys.stdout
APP = ('{"timestamp":"%s","model":"%s","id":"req_%d","usage":{"input_tokens":%d,'
       '"output_tokens":%d,"cache_read_input_tokens":%d},"tags":{"feature":"f%d","team":"t%d"}}\n')
CC = ('{"parentUuid":null,"isSidechain":false,"message":{"model":"%s","id":"msg_%024d","type":"message",'
      '"role":"assistant","content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn","stop_sequence":null,'
      '"usage":{"input_tokens":3,"cache_creation_input_tokens":2849,"cache_read_input_tokens":%d,"output_tokens":%d,'
      '"service_tier":"standard","cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":2849}}},'
      '"requestId":"req_%024d","type":"assistant","uuid":"u","timestamp":"%s","cwd":"/home/dev/p%d",'
      '"sessionId":"session-%04d","version":"2.1.126","gitBranch":"main"}\n')
MODELS = ["claude-sonnet-4-5", "claude-opus-4-6", "claude-haiku-4-5"]
buf = []
for i in range(n):
    if i % 100 == 0:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i // 100)) + ".000Z"
    m = MODELS[i % 3]
    if kind == "app":
        buf.append(APP % (ts, m, i, 100 + i % 900, 1 + i % 4000, i % 9000, i % 5, i % 3))
    else:
        s = (i // 37) % 200
        buf.append(CC % (m, i, 9000 + i % 997, 1 + i % 4000, i, ts, s % 12, s))
    if len(buf) == 4096:
        out.write("".join(buf))
        buf = []
out.write("".join(buf))
EOF

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
# Lines read from stdin (every line is one record), and today's requests.
progress() { tail -n 1 "$work/out.jsonl" 2>/dev/null | python3 -c 'import json,sys
try:
    s = json.load(sys.stdin); print(s["sources"][0]["lines"], s["totals"]["requests"])
except Exception: print(0, 0)'; }

now=$(date +%s)
since=$(date -u -d "@$(( now - records / 100 - 3600 ))" +%Y-%m-%dT%H:%M:%SZ)
# Records stamped since local midnight: what `--window today` must show at the end.
midnight=$(date -d "today 00:00" +%s)
today=$(( records - ( (midnight - (now - records / 100)) > 0 ? (midnight - (now - records / 100)) * 100 : 0 ) ))
t0=$(date +%s.%N)
python3 "$work/gen.py" "$kind" "$records" |
    "$bin" watch - --window today --since "$since" --interval 2s >"$work/out.jsonl" 2>/dev/null &
pid=$!
base_rss="" base_n=0 n=0
while :; do
    sleep 5
    read -r n req < <(progress)
    rss=$(rss_kb "$pid")
    printf '%6.0f s: VmRSS %s kB, %s records read, %s requests today\n' "$(echo "$(date +%s.%N) - $t0" | bc)" "$rss" "$n" "$req"
    if [ -z "$base_rss" ] && [ "$n" -ge $((records / 10)) ]; then base_rss=$rss; base_n=$n; fi
    [ "$n" -ge "$records" ] && break
done
t1=$(date +%s.%N)
end_rss=$(rss_kb "$pid")
sleep 3
read -r n req < <(progress)
echo "$kind: $n of $records records read in $(echo "$t1 - $t0" | bc | cut -c1-6) s (±5 s); today's requests $req of $today stamped today"
echo "peak RSS (VmHWM): $(hwm_kb "$pid") kB = $(( $(hwm_kb "$pid") / 1024 )) MiB; RSS at end $end_rss kB"
awk -v a="$base_rss" -v b="$end_rss" -v n="$((n - base_n))" -v from="$base_n" \
    'BEGIN { if (n <= 0) exit; printf "growth from %d records to the end: %+d kB over %d records = %.1f bytes per record\n", from, b - a, n, (b - a) * 1024 / n }'
