#!/usr/bin/env bash
# `goody-batch plan` of a 100,000-person roster for one month of work anniversaries, against
# the built-in emulator: wall time, peak RSS, and how many batches were priced (each distinct
# batch once). The roster has hire dates spread over 22 years and every day of the year.
#
#   bench/occasions.sh                 # 100,000 people, 3 rounds
#   PEOPLE=20000 ROUNDS=1 bench/occasions.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PEOPLE=${PEOPLE:-100000}
ROUNDS=${ROUNDS:-3}
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --product goody-batch >&2
TOOL=$PWD/.build/release/goody-batch

ROSTER="$OUT/roster-$PEOPLE.csv"
[ -f "$ROSTER" ] || python3 - "$PEOPLE" "$ROSTER" <<'PY'
import sys
people, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w") as out:
    out.write("Employee ID,First Name,Last Name,Work Email,Department,Manager,Hire Date,Birth Date\n")
    for i in range(people):
        year = 2004 + (i * 7) % 22
        month = (i * 5) % 12 + 1
        day = (i * 13) % 28 + 1
        out.write(f"E{i},First{i},Last{i},p{i}@acme.example,D{i % 40},M{i % 900},"
                  f"{month:02d}/{day:02d}/{year},{(i * 7) % 12 + 1:02d}/{(i * 17) % 28 + 1:02d}/{1960 + i % 40}\n")
PY

CAMPAIGN="$OUT/anniversaries.yaml"
cat > "$CAMPAIGN" <<'YAML'
send_method: email_and_link
occasion: work_anniversary
from_name: The People Team
card: Work Anniversary
message: Happy work anniversary!
time_zone: America/New_York
payment_method: Visa 4242
milestones:
  default: { product: Cookie Box }
  5: { product: Wine Duo }
  10: { product: Goody Gift Card, amount: 250 }
YAML

STATE=$(mktemp -d)
trap 'rm -rf "$STATE"' EXIT
for round in $(seq 1 "$ROUNDS"); do
    rm -rf "$STATE"/*
    /usr/bin/time -f "%e %M" -o "$OUT/occasions.time" env GOODY_API_KEY= XDG_STATE_HOME="$STATE" \
        GOODY_BATCH_TODAY=2026-12-15T12:00 "$TOOL" plan "$ROSTER" --campaign "$CAMPAIGN" --window 2027-01 --json \
        > "$OUT/occasions.json" || [ $? -eq 1 ]
    read -r seconds kb < "$OUT/occasions.time"
    python3 - "$OUT/occasions.json" "$round" "$seconds" "$kb" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
batches = plan["batches"]
print(f"round {sys.argv[2]}: {sys.argv[3]} s, peak {int(sys.argv[4]) // 1024} MB; "
      f"{plan['rows']} rows, {plan['recipients']} due in {len(batches)} batches, "
      f"{len(plan['occasion']['not_due'])} not due, total ${plan['total_high_cents'] / 100:,.2f}")
PY
done
