#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Remembers each key's hash with the line it came from, in 5 bytes a slot, so duplicate
/// detection over a million direct-send rows (two keys a row) costs about 17 MB.
///
/// A slot holds the line (24 bits) and 16 bits of the hash; where a key lands is chosen by the
/// hash's high bits, so two keys agree only when they meet in one run of slots and these bits
/// match (a few dozen false agreements in a million rows, each costing one row read again).
/// What it answers is only a candidate: the row validator confirms each one on the two rows'
/// own keys, read again from the file (`RecordReplayer`).
/// Lines past 16,777,215 are remembered as that number.
///
/// Why 5 bytes: fresh memory is what costs most here. On the VMs this is measured on, the first
/// write to a page the host has not backed yet costs about 3 ms a megabyte, and 8-byte slots
/// made the index 28 MB of the checking thread's first writes (docs/benchmarks.md).
final class DuplicateIndex {
    private static let lineBits: UInt64 = 24
    private static let lineMask: UInt64 = (1 << 24) - 1
    private static let fingerprintMask: UInt64 = 0xFFFF
    private static let slotMask: UInt64 = (1 << 40) - 1
    private static let slotSize = 5
    static let maxLine = (1 << 24) - 1

    /// One open-addressing table; a full one is kept, frozen, and a new one takes the inserts
    /// (the slots keep too few hash bits to be placed again in a bigger table).
    ///
    /// Slot `i` is the 5 bytes at `i * 5`, little-endian (as on every platform this builds
    /// for): the line in the low 24 bits (0 when empty; a line is at least 1) and the
    /// fingerprint above it. A slot is read with one unaligned 8-byte load: the mapping holds 8
    /// bytes more than the slots (`mappedLength`), so the last slot's load stays inside it; the
    /// 3 bytes past the slot are masked off. A slot is written as 4 bytes and 1, so its
    /// neighbours are never written.
    private struct Table {
        let slots: UnsafeMutableRawPointer
        let capacity: Int
        var count = 0

        @inline(__always)
        func home(_ hash: UInt64) -> Int { Int(hash.multipliedFullWidth(by: UInt64(capacity)).high) }

        @inline(__always)
        func load(_ slot: Int) -> UInt64 {
            slots.loadUnaligned(fromByteOffset: slot &* DuplicateIndex.slotSize, as: UInt64.self)
                & DuplicateIndex.slotMask
        }

        /// The earlier line for `hash`, or the slot where it goes.
        @inline(__always)
        func find(_ hash: UInt64) -> (line: Int?, slot: Int) {
            let fingerprint = hash & DuplicateIndex.fingerprintMask
            var slot = home(hash)
            while true {
                let stored = load(slot)
                if stored == 0 { return (nil, slot) }
                if stored >> DuplicateIndex.lineBits == fingerprint {
                    return (Int(stored & DuplicateIndex.lineMask), slot)
                }
                slot += 1
                if slot == capacity { slot = 0 }
            }
        }

        /// Writes the slot's 5 bytes, leaving its neighbours as they are.
        @inline(__always)
        func store(_ value: UInt64, at slot: Int) {
            let offset = slot &* DuplicateIndex.slotSize
            slots.storeBytes(of: UInt32(truncatingIfNeeded: value), toByteOffset: offset, as: UInt32.self)
            slots.storeBytes(of: UInt8(truncatingIfNeeded: value >> 32), toByteOffset: offset + 4, as: UInt8.self)
        }
    }

    // Used from one thread (the checking one), so the dynamic exclusivity checks would only
    // cost time on every insert.
    @exclusivity(unchecked) private var frozen: [Table] = []
    @exclusivity(unchecked) private var current: Table

    init(capacity: Int = 1024) {
        current = Self.makeTable(max(16, capacity))
    }

    deinit {
        for table in frozen + [current] { Self.release(table) }
    }

    private static let page = 4096

    /// The slots, and 8 bytes for the last slot's whole-word load, in whole pages (the kernel
    /// puts huge pages where whole ones fit, and no page is touched that the slots do not need).
    private static func mappedLength(_ capacity: Int) -> Int {
        (capacity * slotSize + 8 + page - 1) / page * page
    }

    /// Zeroed slots from the kernel (no second zeroing), with huge pages asked for: a million
    /// random probes then miss the TLB far less often than over 4 KiB pages.
    private static func makeTable(_ capacity: Int) -> Table {
        let length = mappedLength(capacity)
        let memory = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let memory, memory != MAP_FAILED else {
            fatalError("out of memory for the duplicate index (\(length) bytes)")
        }
        #if os(Linux)
            _ = madvise(memory, length, MADV_HUGEPAGE)
        #endif
        return Table(slots: memory, capacity: capacity)
    }

    private static func release(_ table: Table) {
        munmap(table.slots, mappedLength(table.capacity))
    }

    /// Records `hash` for `line`; returns the earlier line when the hash was already there.
    func insert(_ hash: UInt64, line: Int) -> Int? {
        if !frozen.isEmpty {
            for table in frozen {
                if let earlier = table.find(hash).line { return earlier }
            }
        }
        var found = current.find(hash)
        if let earlier = found.line { return earlier }
        if (current.count + 1) * 10 > current.capacity * 7 {
            frozen.append(current)
            current = Self.makeTable(current.capacity + current.capacity / 2)
            found = current.find(hash)
        }
        // A line is at least 1, so an occupied slot is never 0.
        let line = UInt64(min(max(line, 1), Self.maxLine))
        current.store((hash & Self.fingerprintMask) << Self.lineBits | line, at: found.slot)
        current.count += 1
        return nil
    }

    /// Loads the slot `hash` starts at, so a following `insert` finds it in cache. Loads for
    /// several keys in a row overlap, which one insert after another cannot.
    @inline(__always)
    func touch(_ hash: UInt64) -> UInt64 {
        current.load(current.home(hash))
    }
}

/// A 64-bit hash of byte runs, fed piece by piece: eight bytes at a time through a
/// multiply-fold mixer (the core of wyhash), seeded per process so inputs cannot be chosen to
/// collide. Far cheaper than SipHash for short keys, and as well spread for this use.
struct KeyHasher {
    private static let seed = UInt64.random(in: 1...UInt64.max)
    private static let prime1: UInt64 = 0xA076_1D64_78BD_642F
    private static let prime2: UInt64 = 0xE703_7ED1_A0B4_28DB
    private var state = KeyHasher.seed
    private var length: UInt64 = 0

    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    private mutating func absorb(_ word: UInt64) {
        state = Self.mix(state ^ Self.prime1, word ^ Self.prime2)
    }

    /// Adds the bytes with ASCII letters lowercased, then a separator so "ab"+"c" ≠ "a"+"bc".
    mutating func addLowercased(_ bytes: UnsafeBufferPointer<UInt8>) {
        var start = 0
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while start + 8 <= bytes.count {
                absorb(Self.lowercased(raw.loadUnaligned(fromByteOffset: start, as: UInt64.self)))
                start += 8
            }
        }
        var word: UInt64 = 0
        var filled: UInt64 = 0
        for byte in UnsafeBufferPointer(rebasing: bytes[start...]) {
            let lowered = byte &- 0x41 < 26 ? byte | 0x20 : byte
            word |= UInt64(lowered) << (filled * 8)
            filled += 1
            if filled == 8 {
                absorb(word)
                word = 0
                filled = 0
            }
        }
        absorb(word ^ (UInt64(bytes.count) << 56) ^ 0xFF)
        length &+= UInt64(bytes.count) + 1
    }

    /// ASCII A-Z made a-z in all eight bytes at once; other bytes unchanged.
    @inline(__always)
    private static func lowercased(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let ascii = ~word & high
        // High bit set where the byte is >= "A", and where it is > "Z" (both only for ASCII bytes).
        let aboveA = (word & ~high) &+ ones &* (0x80 - 0x41)
        let aboveZ = (word & ~high) &+ ones &* (0x80 - 0x5B)
        let upper = aboveA & ~aboveZ & ascii & high
        return word | (upper >> 2)
    }

    consuming func finalize() -> UInt64 { Self.mix(state ^ length, Self.prime1 ^ 0x2D35_8DCC_AA6C_78A5) }
}
