#!/usr/bin/env bash
# Peak memory and time of `goody-batch validate` on an .xlsx workbook of ROWS rows (200,000 by
# default) and of half and a quarter of it, to show memory stays bounded as the sheet grows.
#
#   bench/xlsx.sh                 # 50k, 100k, 200k rows
#   ROWS=400000 bench/xlsx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-200000}
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --product goody-batch >&2
TOOL=.build/release/goody-batch
for rows in $((ROWS / 4)) $((ROWS / 2)) "$ROWS"; do
    file="$OUT/workbook-$rows.xlsx"
    [ -f "$file" ] || python3 bench/generate_xlsx.py "$rows" "$file"
    /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$TOOL" validate "$file" --send-method direct_send \
        --rejected "" >/dev/null 2>&1 || true
    read -r seconds kb < <(tail -1 "$OUT/time.txt")
    printf '%7d rows (%3d MB .xlsx): %6.2f s, peak RSS %4d MB\n' "$rows" "$(du -m "$file" | cut -f1)" "$seconds" $((kb / 1024))
done
