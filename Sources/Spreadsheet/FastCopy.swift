/// The reader's fast path: values copied and checked eight bytes at a time, reading (and, in the
/// destination, writing) up to seven bytes past a value's end. All of the reader's loads past a
/// value live in this file; the fuzzer (`bench/fuzz.sh`, AddressSanitizer on) runs over it.
///
/// Why the reads are in bounds. libcsv hands every value to its field callback as a pointer to
/// the *start* of its own `entry_buf`, an allocation of `entry_size` bytes (`csv.h`), with the
/// value's length. `LibCSV.swift` reads `entry_size` (the only read of libcsv's internals) and
/// passes it here as a plain number: `knownSourceCapacity` (a value seen earlier, safe because
/// libcsv only ever grows the buffer, and set back to 0 when `LibCSVParser.reset` sets libcsv up
/// afresh) or `readableBeyond` (this value's `entry_size - length`).
/// - `appendShortPlainField` runs only when `capacity >= length + 8`. Its loads start at
///   multiples of 8 below `length`, so the last ends before `length + 8 <= capacity`.
/// - `ByteScan` loads whole words below `length`; its one word past the end is loaded only
///   when `readableBeyond >= 8`, at an offset below `length`, so it ends before `length + 8`.
/// Bytes read past the end are masked off before any decision, so their contents (whatever an
/// earlier, longer value left there) cannot change a result.
///
/// Why the writes are in bounds. The destination is the row buffer's free space, reserved
/// first: 72 bytes for a value of at most 64 (the last word ends before 64 + 8), and
/// `length * 3 + 8` in the full path (the last word ends before `length + 8`). The bytes written
/// past the end are outside the row's counted length and are overwritten by the next value.
///
/// Why it pays: on the million-row benchmark (`bench/run.sh`) most values take this path, and
/// byte-at-a-time copying made `validate` slower than twice libcsv's own parse.

extension CallbackState {
    /// The common case, kept small: a value of up to 64 plain ASCII bytes with no line break or
    /// NUL, with room to spare. Copied a word at a time (see the file's comment for the bounds).
    /// Returns false to leave it to `appendField`.
    @inline(__always)
    mutating func appendShortPlainField(_ source: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        guard length <= 64, fieldCount < limits.maxFields, knownSourceCapacity >= length + 8 else { return false }
        bytes.reserve(72)
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let spaces: UInt64 = 0x2020_2020_2020_2020
        let input = UnsafeRawPointer(source)
        let output = UnsafeMutableRawPointer(bytes.end)
        var flagged: UInt64 = 0
        var doubleSpace = false
        var previousLast: UInt64 = 0
        var offset = 0
        while offset < length {
            var word = input.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            output.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
            let remaining = length - offset
            if remaining < 8 {
                // Past the end, read as "A", which needs no look and is no space.
                let mask: UInt64 = (1 << UInt64(remaining &* 8)) &- 1
                word = (word & mask) | (0x4141_4141_4141_4141 & ~mask)
            }
            // Any byte >= 0x80 or below 0x20 sends the value to the full path.
            flagged |= word | ((word &- ones &* 0x20) & ~word)
            // Spaces next to each other (a borrow can mark a "!" after a space too: that only
            // withholds the clean flag, and the checker then looks for itself).
            let isSpace = word ^ spaces
            let spaceMarks = (isSpace &- ones) & ~isSpace & high
            if spaceMarks & (spaceMarks << 8) != 0 || (previousLast & spaceMarks & 0x80) != 0 { doubleSpace = true }
            previousLast = spaceMarks >> 56
            offset += 8
        }
        guard flagged & high == 0 else { return false }
        let edgeSpace = length > 0 && (source[0] == 0x20 || source[length - 1] == 0x20)
        if fieldCount == 0 { recordLine = line }
        lastBreakWasCR = false
        bytes.count += length
        ends.append(bytes.count)
        flags.append(doubleSpace || edgeSpace ? [] : .clean)
        return bytes.count <= limits.maxRowBytes
            || {
                failure = failure ?? .rowTooLong(line: recordLine)
                return true
            }()
    }

}

/// What one pass over a value's bytes found: plain ASCII or not, a NUL, and line breaks.
struct ByteScan {
    var isASCII = true
    var hasNUL = false
    var lineBreaks = 0

    /// Scans `length` bytes; with a destination, copies them there in the same pass. When at
    /// least 8 bytes past the end may be read (`readableBeyond`) and written, the last partial
    /// word is handled whole, with the bytes past the end masked off.
    @inline(__always)
    init(
        copying source: UnsafePointer<UInt8>, _ length: Int, to destination: UnsafeMutablePointer<UInt8>? = nil,
        readableBeyond: Int = 0
    ) {
        var index = 0
        // Eight bytes at a time: words with no byte >= 0x80 and none below 0x0E need no look.
        let high: UInt64 = 0x8080_8080_8080_8080
        let ones: UInt64 = 0x0101_0101_0101_0101
        let raw = UnsafeRawPointer(source)
        let output = destination.map(UnsafeMutableRawPointer.init)
        while index + 8 <= length {
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            output?.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
            let below14 = (word &- ones &* 14) & ~word & high
            if (word | below14) & high != 0 {
                for offset in index..<(index + 8) { inspect(source, offset, length) }
            }
            index += 8
        }
        if index < length && readableBeyond >= 8, let output {
            let remaining = length - index
            let mask: UInt64 = (1 << UInt64(remaining * 8)) &- 1
            let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            output.storeBytes(of: word, toByteOffset: index, as: UInt64.self)
            let kept = word & mask
            // Bytes past the end read as 0x20, which needs no look.
            let padded = kept | (0x2020_2020_2020_2020 & ~mask)
            let below14 = (padded &- ones &* 14) & ~padded & high
            if (padded | below14) & high != 0 {
                for offset in index..<length { inspect(source, offset, length) }
            }
            return
        }
        // The tail: copy while gathering whether any byte needs a look, then look only if so.
        var any: UInt8 = 0
        var low = false
        let tail = index
        while index < length {
            let byte = source[index]
            destination?[index] = byte
            any |= byte
            low = low || byte < 14
            index += 1
        }
        if any >= 0x80 || low {
            for offset in tail..<length { inspect(source, offset, length) }
        }
    }

    init(_ source: UnsafePointer<UInt8>, _ length: Int) { self.init(copying: source, length) }

    @inline(__always)
    private mutating func inspect(_ source: UnsafePointer<UInt8>, _ index: Int, _ length: Int) {
        let byte = source[index]
        if byte >= 0x80 {
            isASCII = false
        } else if byte == 0x0A {
            lineBreaks += 1
        } else if byte == 0x0D {
            if index + 1 >= length || source[index + 1] != 0x0A { lineBreaks += 1 }
        } else if byte == 0 {
            hasNUL = true
        }
    }
}
