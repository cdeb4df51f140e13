# Sourced by the benchmarks that send: builds both executables in release mode and starts and
# stops a `goody-emulator` on a free loopback port.
#   source bench/emulator.sh; start_emulator --rate-limit 50; … "$URL" …; stop_emulator
swift build -c release --product goody-batch >&2
swift build -c release --product goody-emulator >&2
TOOL=.build/release/goody-batch
EMULATOR=.build/release/goody-emulator

# Starts the emulator with these options (key `bench-key`), sets URL and EMULATOR_PID; its
# output goes to $OUT/emulator.txt.
start_emulator() {
    "$EMULATOR" --port 0 --api-key bench-key "$@" >"$OUT/emulator.txt" 2>&1 &
    EMULATOR_PID=$!
    trap 'kill $EMULATOR_PID 2>/dev/null || true' EXIT
    for _ in $(seq 100); do grep -q listening "$OUT/emulator.txt" && break; sleep 0.05; done
    URL=$(grep -o 'http://127.0.0.1:[0-9]*' "$OUT/emulator.txt")
}

stop_emulator() {
    kill "$EMULATOR_PID" 2>/dev/null || true
    wait "$EMULATOR_PID" 2>/dev/null || true
}
