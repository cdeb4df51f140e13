/// Trims and collapses whitespace, including the non-breaking and other Unicode spaces that
/// spreadsheets paste in, working on UTF-8 bytes so that clean values cost one pass.
enum Whitespace {
    /// The byte length of the whitespace character at `index`, or 0. `removable` is set for
    /// zero-width characters that vanish instead of becoming a space.
    @inline(__always)
    static func width(at index: Int, in input: UnsafeBufferPointer<UInt8>, removable: inout Bool) -> Int {
        let byte = input[index]
        removable = false
        if byte < 0x80 { return byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) ? 1 : 0 }
        let remaining = input.count - index
        if byte == 0xC2, remaining >= 2, input[index + 1] == 0xA0 { return 2 }
        guard remaining >= 3 else { return 0 }
        let second = input[index + 1]
        let third = input[index + 2]
        switch (byte, second) {
        case (0xE2, 0x80):
            if (0x80...0x8A).contains(third) || third == 0xAF { return 3 }
            if third == 0x8B || third == 0x8C || third == 0x8D {
                removable = true
                return 3
            }
        case (0xE2, 0x81) where third == 0x9F: return 3
        case (0xE3, 0x80) where third == 0x80: return 3
        case (0xEF, 0xBB) where third == 0xBF:
            removable = true
            return 3
        default: break
        }
        return 0
    }

    /// Writes `input` trimmed, with each run of whitespace made one space, to `output` (at least
    /// as long as `input`) and returns the length written.
    static func collapse(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        var index = 0
        var pendingSpace = false
        var removable = false
        while index < input.count {
            let width = width(at: index, in: input, removable: &removable)
            if width > 0 {
                if !removable { pendingSpace = true }
                index += width
                continue
            }
            if pendingSpace && written > 0 {
                output[written] = 0x20
                written += 1
            }
            pendingSpace = false
            output[written] = input[index]
            written += 1
            index += 1
        }
        return written
    }

    /// Plain ASCII with no control character, no space at either end and no two spaces in a row:
    /// nothing to clean, decided in one pass.
    @inline(__always)
    static func isClean(_ input: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = input.first, let last = input.last, let base = input.baseAddress else { return true }
        guard first != 0x20, last != 0x20 else { return false }
        // Eight bytes at a time: no byte >= 0x80, none below 0x20, and no two spaces in a row.
        let raw = UnsafeRawPointer(base)
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let spaces: UInt64 = 0x2020_2020_2020_2020
        var index = 0
        var previous: UInt8 = 0
        while index + 8 <= input.count {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let below32 = (word &- ones &* 0x20) & ~word & high
            let isSpace = word ^ spaces
            let spaceBytes = (isSpace &- ones) & ~isSpace & high
            // A space next to a space: this word's space marks overlap their neighbours' (or the
            // last byte of the previous word is a space and the first here is too).
            let adjacent = spaceBytes & (spaceBytes >> 8) != 0 || (previous == 0x20 && word & 0xFF == 0x20)
            if (word & high) | below32 != 0 || adjacent { return false }
            previous = UInt8(truncatingIfNeeded: word >> 56)
            index += 8
        }
        while index < input.count {
            let byte = input[index]
            if byte < 0x20 || byte >= 0x80 || (byte == 0x20 && previous == 0x20) { return false }
            previous = byte
            index += 1
        }
        return true
    }

    /// Writes `input` without leading and trailing whitespace (inner line breaks kept) to `output`
    /// and returns the length written.
    static func trim(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var removable = false
        var start = 0
        while start < input.count {
            let width = width(at: start, in: input, removable: &removable)
            if width == 0 { break }
            start += width
        }
        // Find the end by scanning forward, remembering where the last non-space ended.
        var end = start
        var index = start
        while index < input.count {
            let width = width(at: index, in: input, removable: &removable)
            if width > 0 {
                index += width
            } else {
                index += 1
                end = index
            }
        }
        for offset in start..<end { output[offset - start] = input[offset] }
        return end - start
    }
}

extension Array where Element == UInt8 {
    /// The bytes as a String.
    var utf8String: String { String(decoding: self, as: UTF8.self) }

    /// ASCII lowercase, in place.
    mutating func lowercaseASCII() {
        for index in indices where self[index] >= 0x41 && self[index] <= 0x5A { self[index] += 0x20 }
    }
}
