#!/usr/bin/env bash
# A send's memory and time by size: for each size, starts `goody-emulator` (no rate limit unless
# RATE is set) and runs `goody-batch send` of that many recipients to it over loopback, with the
# default batch size, exactly as a person would (plan, price, create, poll, read every order,
# write the results and the workbook). Reports peak RSS and wall time (/usr/bin/time), and the
# requests by endpoint, plan included (the summary's `command_requests_by_endpoint`).
# Targets (issue 24): peak RSS under 150 MB at 100,000 and within 20% of that at 10,000.
#
#   bench/send.sh                           # SIZES="10000 50000 100000"
#   SIZES=10000 RATE=50 LATENCY_MS=100 bench/send.sh
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"10000 50000 100000"}
RATE=${RATE:-}
LATENCY_MS=${LATENCY_MS:-0}
OUT=bench/out/send
mkdir -p "$OUT"

source bench/emulator.sh

echo "send by size; rate limit: ${RATE:-none}; latency $LATENCY_MS ms; default batch size"
for size in $SIZES; do
    python3 - "$size" "$OUT/team-$size.csv" <<'PY'
import csv, sys
count, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["Employee ID", "First Name", "Last Name", "Work Email", "Manager"])
    for i in range(count):
        w.writerow([f"E{i:06d}", f"Person{i}", "Bench", f"person{i}@bench.example", f"Manager {i % 40}"])
PY
    rm -rf "$OUT/run" && mkdir -p "$OUT/run"
    limit=()
    if [ -n "$RATE" ]; then limit=(--rate-limit "$RATE"); fi
    start_emulator --latency-ms "$LATENCY_MS" "${limit[@]}"
    GOODY_API_KEY=bench-key XDG_STATE_HOME="$OUT/run/state" /usr/bin/time -f "%e %M" -o "$OUT/run/time.txt" \
        "$TOOL" send "$OUT/team-$size.csv" --send-method email_and_link --product "Cookie Box" --from-name Bench \
        --api-url "$URL" --output "$OUT/run/results.csv" --yes --json >"$OUT/run/report.json" || true
    stop_emulator
    python3 - "$OUT/run/report.json" "$OUT/run/time.txt" "$size" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
seconds, kb = open(sys.argv[2]).read().split()[-2:]
size = int(sys.argv[3])
by = report.get("command_requests_by_endpoint") or {}
print(f"{size:>7} recipients: {report['sent']} sent, peak RSS {int(kb) / 1024:.0f} MB, wall {float(seconds):.1f} s "
      f"(sending phase {report['seconds']:.1f} s); {sum(by.values())} requests in all:")
for endpoint, count in sorted(by.items(), key=lambda item: -item[1]):
    print(f"          {count:>6}  {endpoint}")
PY
done
