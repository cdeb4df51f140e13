#!/usr/bin/env bash
# The reader and validator under libFuzzer with AddressSanitizer.
#
#   bench/fuzz.sh [SECONDS]        fuzz for SECONDS (default 60); FUZZ_JOBS=N runs N in parallel
#
# Builds the fuzz-reader product with -sanitize=fuzzer,address into .build-fuzz, seeds a corpus
# from samples/, templates/, the CSV text in the tests and ../shared/conformance/csv-spectrum,
# and keeps what it learns in .build-fuzz/corpus (so later runs start from there). A crash, a
# leak or a timeout is written to .build-fuzz/findings/ and makes the script exit non-zero; replay
# one with `swift run fuzz-reader FILE` (a normal build runs the same code on it).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
scratch=.build-fuzz
swift build -c release --product fuzz-reader --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -E "error|Compiling|Build" >&2 || true
binary="$scratch/release/fuzz-reader"
[ -x "$binary" ] || { echo "fuzz.sh: the fuzz build failed" >&2; exit 2; }

corpus="$scratch/corpus"
findings="$scratch/findings"
mkdir -p "$corpus" "$findings"
seed() { [ -f "$1" ] && cp "$1" "$corpus/seed-$(sha1sum "$1" | cut -c1-16)" || true; }
for file in samples/*.csv samples/*.xlsx templates/*.csv; do seed "$file"; done
if [ -d ../shared/conformance/csv-spectrum ]; then
    while IFS= read -r -d '' file; do seed "$file"; done < <(find ../shared/conformance/csv-spectrum -name '*.csv' -print0)
fi
# Every multi-line string literal of the reader and validator tests that looks like CSV.
python3 - "$corpus" <<'PY'
import hashlib, pathlib, re, sys
out = pathlib.Path(sys.argv[1])
for test in pathlib.Path("Tests").rglob("*.swift"):
    text = test.read_text(errors="replace")
    for block in re.findall(r'"""\n(.*?)\n\s*"""', text, re.S) + re.findall(r'"([^"\n]*\\n[^"\n]*)"', text):
        body = block.replace("\\n", "\n").replace("\\t", "\t")
        if "," in body or ";" in body or "\t" in body:
            data = body.encode()
            (out / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)
PY
# Workbook shapes for the fuzz target's workbook mode (second byte 0x02, 0x06 for the 1904
# date system): a sheet's XML, 0xFF, the shared strings' XML, as Excel, the .NET Open XML SDK
# (prefixed), Google Sheets and Excel for Mac write them.
python3 - "$corpus" <<'PY'
import hashlib, pathlib, sys
out = pathlib.Path(sys.argv[1])
main = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
strings = ('<?xml version="1.0"?><sst xmlns="%s"><si><t>First Name</t></si><si><t>Email</t></si>'
           '<si><t>Ana</t></si><si><r><t>ana@</t></r><r><t>acme.example</t></r><rPh><t>x</t></rPh></si>'
           '<si><t xml:space="preserve"> line\none </t></si></sst>' % main)
sheets = [
    '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c><c r="D2" t="s"><v>4</v></c></row></sheetData></worksheet>' % main,
    '<x:worksheet xmlns:x="%s"><x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>First Name</x:t></x:is></x:c>'
    '<x:c r="B1" t="inlineStr"><x:is><x:t>Hire Date</x:t></x:is></x:c></x:row><x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>Bo</x:t></x:is></x:c>'
    '<x:c r="B3" s="1"><x:v>45292</x:v></x:c><x:c r="C3" s="2"><x:v>45292.5</x:v></x:c><x:c r="D3" s="3"><x:v>0.25</x:v></x:c></x:row></x:sheetData></x:worksheet>' % main,
    '<worksheet xmlns="%s"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="XFD2" t="s"><v>4</v></c></row>'
    '<row r="3"><c r="A3" t="b"><v>1</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" s="1"><v>59</v></c><c r="D3" s="1"><v>60</v></c></row></sheetData></worksheet>' % main,
]
for number, sheet in enumerate(sheets):
    for mode in (0x02, 0x06):
        data = bytes([number * 8, mode]) + sheet.encode() + b'\xff' + strings.encode()
        (out / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)
PY
echo "corpus: $(ls "$corpus" | wc -l) inputs; fuzzing for ${seconds}s" >&2

log="$scratch/fuzz.log"
status=0
# The private copies the reader makes (pipes, UTF-16, workbooks) are removed at exit, which
# libFuzzer skips: they go to a folder of the fuzzer's own, emptied before and after.
export TMPDIR="$PWD/$scratch/tmp"
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
trap 'rm -rf "$TMPDIR"' EXIT
# Leaks are findings, except the dependencies' own ones listed in .ci/lsan.supp.
SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=1 \
    LSAN_OPTIONS="suppressions=$PWD/.ci/lsan.supp:print_suppressions=0" "$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix="$findings/" -print_final_stats=1 ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} \
    >"$log" 2>&1 || status=$?
grep -E "^#[0-9]+.*(DONE|pulse|NEW)" "$log" | tail -1 >&2 || true
grep -E "stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added" "$log" >&2 || true
if [ "$status" -ne 0 ] || ls "$findings" | grep -q .; then
    echo "fuzz.sh: FINDING (exit $status): see $log and $findings/" >&2
    grep -E "ERROR|SUMMARY|==[0-9]+==" "$log" | head -20 >&2 || true
    exit 1
fi
echo "fuzz.sh: no finding in ${seconds}s" >&2
