#!/usr/bin/env bash
# The approver's report (`plan --out`) in a real browser: renders it with headless Chromium
# (Debian's chromium), measures a 5,000-recipient plan's page (its size, and how much longer
# Chromium takes to load and paint it than an empty page), and saves a screenshot of the sample
# plan as docs/approver-report.png for the README.
#
#   bench/report.sh                 # 5,000 recipients, 5 rounds
#   PEOPLE=20000 ROUNDS=3 bench/report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
PEOPLE=${PEOPLE:-5000}
ROUNDS=${ROUNDS:-5}
command -v chromium >/dev/null || { echo "bench/report.sh needs chromium (.ci/setup installs it)" >&2; exit 2; }
swift build -c release --product goody-batch >&2
TOOL="$PWD/.build/release/goody-batch"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export GOODY_API_KEY= XDG_STATE_HOME="$WORK/state" GOODY_BATCH_TODAY=2026-12-04T12:00

python3 - "$PEOPLE" "$WORK/team.csv" <<'PY'
import csv, sys
people, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", newline="") as out:
    writer = csv.writer(out)
    writer.writerow(["Employee ID", "First Name", "Last Name", "Work Email", "Manager", "Department"])
    for index in range(people):
        writer.writerow([f"E{index:05d}", f"Person{index}", f"Surname{index % 977}", f"person{index}@acme.example",
                         f"Manager {index % 60}", ["Sales", "Engineering", "Support", "Finance", "People"][index % 5]])
PY
(cd "$WORK" && "$TOOL" plan team.csv --send-method email_and_link --product "Cookie Box" --from-name "People Team" \
    --card Birthday --message "Happy birthday, {{first_name}}!" --out big.goody-plan >/dev/null 2>"$WORK/plan.err") \
    || { cat "$WORK/plan.err" >&2; exit 1; }
bytes=$(stat -c %s "$WORK/big.goody-plan.html")
echo "<!DOCTYPE html><title>empty</title>" > "$WORK/empty.html"

shot() { chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
    --screenshot="$2" "file://$1" >/dev/null 2>&1; }
seconds() { local start end; start=$(date +%s.%N); shot "$1" "$WORK/out.png"; end=$(date +%s.%N); echo "$end - $start" | bc; }
report=() empty=()
for _ in $(seq "$ROUNDS"); do
    empty+=("$(seconds "$WORK/empty.html")")
    report+=("$(seconds "$WORK/big.goody-plan.html")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf 'report of %d recipients: %d bytes (%.2f MB); chromium load+paint median %.2f s, empty page %.2f s, difference %.2f s\n' \
    "$PEOPLE" "$bytes" "$(echo "$bytes / 1048576" | bc -l)" "$(median "${report[@]}")" "$(median "${empty[@]}")" \
    "$(echo "$(median "${report[@]}") - $(median "${empty[@]}")" | bc -l)"

# The README's picture: the sample roster's January anniversaries, subtotalled by department.
cp samples/bamboohr-roster.csv samples/work-anniversaries.campaign.yaml "$WORK/"
(cd "$WORK" && "$TOOL" plan bamboohr-roster.csv --campaign work-anniversaries.campaign.yaml \
    --window 2027-01..2027-02-28 --group-by Department --out january.goody-plan >/dev/null 2>&1)
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1500 \
    --screenshot="$PWD/docs/approver-report.png" "file://$WORK/january.goody-plan.html" >/dev/null 2>&1
echo "wrote docs/approver-report.png" >&2
