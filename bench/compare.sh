#!/usr/bin/env bash
# Compares two builds of goody-batch on `validate` of the million-row export, for changes too
# small to see in bench/run.sh on a noisy machine. The two run alternately, in turn first, and
# each round's B/A ratio is taken, so that the machine speeding up or slowing down (which it
# does, by 30% and more within minutes) affects both sides of a ratio alike.
#
#   cp .build/release/goody-batch /tmp/before      # build A, then change and rebuild
#   bench/compare.sh /tmp/before .build/release/goody-batch 20
#
# Prints the medians of wall and CPU (user + system) time and of the paired ratios. On the
# 2-vCPU build machine two copies of one binary give paired medians within about 2-4% of 1.00
# at 20 rounds: smaller differences are noise.
set -euo pipefail
cd "$(dirname "$0")/.."

[ $# -ge 2 ] || { echo "usage: bench/compare.sh BINARY_A BINARY_B [ROUNDS]" >&2; exit 2; }
A=$1
B=$2
ROUNDS=${3:-20}
ROWS=${ROWS:-1000000}
OUT=bench/out
FILE="$OUT/direct-send-$ROWS.csv"
mkdir -p "$OUT"
[ -f "$FILE" ] || python3 bench/generate.py "$ROWS" "$FILE"
TIMES="$OUT/compare-times.txt"
: >"$TIMES"

run() {
    /usr/bin/time -f "$1 %e %U %S" -a -o "$TIMES" "$2" validate "$FILE" --send-method direct_send \
        --rejected "$OUT/compare-rejected.csv" >/dev/null 2>&1 || true
}

for round in $(seq "$ROUNDS"); do
    if [ $((round % 2)) = 0 ]; then
        run A "$A"
        run B "$B"
    else
        run B "$B"
        run A "$A"
    fi
done

python3 - "$TIMES" <<'EOF'
import statistics, sys
runs = {"A": [], "B": []}
for line in open(sys.argv[1]):
    fields = line.split()
    # /usr/bin/time also notes "Command exited with non-zero status 1" (rejected rows: exit 1).
    if len(fields) != 4 or fields[0] not in runs:
        continue
    side, wall, user, system = fields
    runs[side].append((float(wall), float(user) + float(system)))
a, b = runs["A"], runs["B"]
for name, side in (("A", a), ("B", b)):
    print(f"{name}: wall median {statistics.median(w for w, _ in side):.3f} s   "
          f"CPU median {statistics.median(c for _, c in side):.3f} s")
wall = [y[0] / x[0] for x, y in zip(a, b)]
cpu = [y[1] / x[1] for x, y in zip(a, b)]
print(f"B/A over {len(wall)} rounds: wall median {statistics.median(wall):.3f} (mean {statistics.mean(wall):.3f}), "
      f"CPU median {statistics.median(cpu):.3f} (mean {statistics.mean(cpu):.3f})")
EOF
