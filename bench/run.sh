#!/usr/bin/env bash
# Times `goody-batch validate` on a generated direct-send export against two comparison points:
# a C program that only parses the same file with libcsv (the floor for any libcsv-based
# reader) and a Python csv-module script doing the same checks. Runs are interleaved so that
# a noisy machine slows all three alike; wall time and peak RSS come from /usr/bin/time.
#
#   bench/run.sh                  # 1,000,000 rows, 7 rounds, plus the memory curve
#   ROWS=200000 ROUNDS=3 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

ROWS=${ROWS:-1000000}
ROUNDS=${ROUNDS:-7}
OUT=bench/out
mkdir -p "$OUT"

command -v gcc >/dev/null && [ -f /usr/include/csv.h ] || {
    echo "bench/run.sh needs gcc and libcsv-dev (apt-get install -y gcc libcsv-dev)" >&2
    exit 2
}

swift build -c release --product goody-batch >&2
TOOL=.build/release/goody-batch
gcc -O2 -o "$OUT/floor" bench/floor.c -lcsv

input() {
    local rows=$1 file="$OUT/direct-send-$1.csv"
    [ -f "$file" ] || python3 bench/generate.py "$rows" "$file"
    echo "$file"
}

# CPU time the host took from this VM (steal, /proc/stat), in milliseconds since boot. A
# round that loses one of the two cores to the host slows the two-thread goody-batch more
# than the one-thread floor; the figure says when that happened.
steal_ms() {
    awk '/^cpu / { print $9 * 10 }' /proc/stat
}

# Prints "seconds peak_kb steal_ms" for one run of the command.
measure() {
    local before
    before=$(steal_ms)
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" >/dev/null 2>&1 || true
    echo "$(tail -1 "$OUT/time.txt") $(($(steal_ms) - before))"
}

FILE=$(input "$ROWS")
SIZE=$(du -m "$FILE" | cut -f1)
echo "input: $FILE ($ROWS rows, ${SIZE} MB)"
echo

floor_times=()
tool_times=()
ratios=()
steals=()
for round in $(seq "$ROUNDS"); do
    read -r f_s f_kb f_steal < <(measure "$OUT/floor" "$FILE")
    read -r t_s t_kb t_steal < <(measure "$TOOL" validate "$FILE" --send-method direct_send --rejected "$OUT/rejected.csv")
    ratio=$(python3 -c "print(f'{$t_s / $f_s:.2f}')")
    printf 'round %d: libcsv floor %5.2f s   goody-batch %5.2f s (%6d KB)   ratio %s   stolen by the host: %d ms, %d ms\n' \
        "$round" "$f_s" "$t_s" "$t_kb" "$ratio" "$f_steal" "$t_steal"
    floor_times+=("$f_s")
    tool_times+=("$t_s")
    ratios+=("$ratio")
    steals+=("$t_steal")
done

read -r p_s p_kb _ < <(measure python3 bench/validate.py "$FILE" "$OUT/python-rejected.csv")

python3 - "$p_s" "$p_kb" "${floor_times[*]}" "${tool_times[*]}" "${ratios[*]}" "${steals[*]}" <<'EOF'
import statistics, sys
python_s, python_kb = float(sys.argv[1]), int(sys.argv[2])
floor = [float(x) for x in sys.argv[3].split()]
tool = [float(x) for x in sys.argv[4].split()]
ratios = [float(x) for x in sys.argv[5].split()]
print()
print(f"libcsv floor (C):      best {min(floor):.2f} s   median {statistics.median(floor):.2f} s")
print(f"goody-batch validate:  best {min(tool):.2f} s   median {statistics.median(tool):.2f} s")
print(f"python csv module:     {python_s:.2f} s   peak RSS {python_kb / 1024:.0f} MB")
steals = [int(x) for x in sys.argv[6].split()]
print(f"ratio to the floor:    median of rounds {statistics.median(ratios):.2f}x, best/best {min(tool) / min(floor):.2f}x (target: under 2x)")
quiet = [r for r, s in zip(ratios, steals) if s < 20]
print(f"host steal:            {sum(steals)} ms over goody-batch's {len(steals)} rounds; "
      + (f"median of the {len(quiet)} rounds with under 20 ms stolen {statistics.median(quiet):.2f}x" if quiet else "no round under 20 ms"))
EOF

echo
echo "peak RSS of goody-batch validate by size (target: under 100 MB, roughly flat):"
for rows in 100000 300000 1000000; do
    file=$(input "$rows")
    read -r s kb _ < <(measure "$TOOL" validate "$file" --send-method direct_send --rejected "$OUT/rejected.csv")
    read -r s2 kb2 _ < <(measure "$TOOL" validate "$file" --send-method direct_send --rejected "$OUT/rejected.csv" --allow-duplicates)
    printf '  %8d rows: %4d MB (%4d MB with --allow-duplicates, which keeps no duplicate index)\n' "$rows" $((kb / 1024)) $((kb2 / 1024))
done
