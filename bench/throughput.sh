#!/usr/bin/env bash
# Throughput under a rate limit: starts `goody-emulator` allowing RATE requests a second
# (more are answered 429 with Retry-After), then `goody-batch send`s a generated file of
# small batches to it over loopback. Reports, for the sending phase (batch creates and order
# reads, after the plan), the requests a second achieved as a share of RATE and the share of
# requests answered 429. Target: at least 85% of RATE, at most 5% answered 429.
#
#   bench/throughput.sh                      # RATE=20, 4,000 recipients in batches of 10
#   RATE=50 RECIPIENTS=10000 LATENCY_MS=100 bench/throughput.sh   # each answer 100 ms late
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-20}
RECIPIENTS=${RECIPIENTS:-4000}
BATCH=${BATCH:-10}
ROUNDS=${ROUNDS:-3}
LATENCY_MS=${LATENCY_MS:-0}
OUT=bench/out/throughput
mkdir -p "$OUT"

source bench/emulator.sh

python3 - "$RECIPIENTS" "$OUT/team.csv" <<'PY'
import csv, sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["First Name", "Last Name", "Work Email"])
    for i in range(count):
        w.writerow([f"Person{i}", "Bench", f"person{i}@bench.example"])
PY

echo "rate limit: $RATE requests/s; $RECIPIENTS recipients in batches of $BATCH; latency $LATENCY_MS ms"
for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$OUT/run" && mkdir -p "$OUT/run"
    start_emulator --rate-limit "$RATE" --latency-ms "$LATENCY_MS"
    GOODY_API_KEY=bench-key XDG_STATE_HOME="$OUT/run/state" "$TOOL" send "$OUT/team.csv" \
        --send-method email_and_link --product "Cookie Box" --from-name Bench --batch-size "$BATCH" \
        --api-url "$URL" --output "$OUT/run/results.csv" --yes --json >"$OUT/run/report.json" || true
    stop_emulator
    python3 - "$OUT/run/report.json" "$RATE" "$round" <<'PY'
import json, sys
report, rate, round_ = json.load(open(sys.argv[1])), float(sys.argv[2]), sys.argv[3]
requests, limited, seconds = report["requests"], report["rate_limited"], report["seconds"]
achieved = requests / seconds
print(f"round {round_}: {report['sent']} sent, {requests} requests in {seconds:.1f} s = {achieved:.1f}/s "
      f"({100 * achieved / rate:.0f}% of {rate:g}), {limited} answered 429 ({100 * limited / requests:.1f}%)")
PY
done
