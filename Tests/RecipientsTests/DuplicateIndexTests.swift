import Testing

@testable import Recipients

/// The index keeps each key in 5 bytes; these tests would see a slot written over its
/// neighbours, a line or fingerprint cut short, or a load past the last slot.
struct DuplicateIndexTests {
    /// Distinct pseudo-random hashes (splitmix64), the same on every run.
    private func hashes(_ count: Int, seed: UInt64) -> [UInt64] {
        var state = seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [1024, 400_000])
    func everyKeyGivesBackItsOwnLineAndNewKeysRarelyAgree(capacity: Int) {
        let index = DuplicateIndex(capacity: capacity)
        let keys = hashes(200_000, seed: 1)
        var agreedFalsely: Set<Int> = []
        for (offset, key) in keys.enumerated() where index.insert(key, line: offset + 1) != nil {
            agreedFalsely.insert(offset)
        }
        // Inserting again finds each key's own line: no slot was written over by a neighbour.
        // (A key that agreed falsely on its first insert was not stored: those are left out.)
        var wrong = 0
        for (offset, key) in keys.enumerated() where !agreedFalsely.contains(offset) {
            if index.insert(key, line: 9_999_999) != offset + 1 { wrong += 1 }
        }
        #expect(wrong == 0)
        // 16 fingerprint bits: a few dozen agreements by chance in 200,000 keys. An index that
        // had to grow (14 tables from 1024 slots) looks in every table, so it meets more: still
        // under 0.2%, each costing one row read again.
        let bound = capacity >= keys.count ? 50 : 400
        #expect(agreedFalsely.count < bound)
        let fresh = hashes(200_000, seed: 2).filter { index.insert($0, line: 1) != nil }.count
        #expect(fresh < bound)
    }

    @Test func linesKeepAll24BitsAndLaterOnesAreRememberedAsTheLast() {
        let index = DuplicateIndex(capacity: 64)
        let lines = [1, 0x7F_FFFF, 0x80_0000, 0xAB_CDEF, DuplicateIndex.maxLine, DuplicateIndex.maxLine + 5]
        let keys = hashes(lines.count, seed: 3)
        for (key, line) in zip(keys, lines) { #expect(index.insert(key, line: line) == nil) }
        for (key, line) in zip(keys, lines) {
            #expect(index.insert(key, line: 1) == min(line, DuplicateIndex.maxLine))
        }
    }

    @Test func theLastSlotAndTheWrapToTheFirstHoldTheirKeys() {
        // The highest hashes start at the last slot; the second of two there wraps to slot 0.
        let index = DuplicateIndex(capacity: 16)
        let last: UInt64 = .max
        let next: UInt64 = .max - 1
        #expect(index.insert(last, line: 0xFF_FFFE) == nil)
        #expect(index.insert(next, line: 77) == nil)
        #expect(index.insert(0, line: 5) == nil)
        #expect(index.insert(last, line: 1) == 0xFF_FFFE)
        #expect(index.insert(next, line: 1) == 77)
        #expect(index.insert(0, line: 1) == 5)
    }

    @Test func keysWithTheSameFingerprintButAnotherHomeDoNotAgree() {
        let index = DuplicateIndex(capacity: 1024)
        let fingerprint: UInt64 = 0x1234
        #expect(index.insert(fingerprint, line: 10) == nil)
        // Same low 16 bits, home half the table away.
        #expect(index.insert(1 << 63 | fingerprint, line: 20) == nil)
        #expect(index.insert(1 << 63 | fingerprint, line: 1) == 20)
        #expect(index.insert(fingerprint, line: 1) == 10)
    }
}
