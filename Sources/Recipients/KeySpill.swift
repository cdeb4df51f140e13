import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Every row's duplicate keys (its email; for direct send its name and address), as read, so
/// that a hash agreement in `DuplicateIndex` is confirmed on the two rows' own keys the moment
/// it happens, without a second read of the file.
///
/// The keys go to an unlinked temporary file (mode 0600, gone when the process ends, whatever
/// way it ends) written a megabyte at a time, so memory stays flat: what stays in memory is the
/// write buffer and 8 bytes a line for where each row's keys start. A hit reads one or two
/// records back with `pread`. When no temporary file can be made or written, the rest stays in
/// memory.
///
/// A record is two keys (email, then address); a key is a part count (0xFF: no key) and each
/// part as a length (one byte, or 0xFF and four more) and its bytes.
final class KeySpill {
    /// Where each line's record starts; `.max` for lines that have none.
    private var offsets: [UInt64] = []
    /// Records not written out yet; they start at `written`. Bytes, not an array, so appending
    /// a row costs no allocation and no bounds check per byte.
    private var buffer: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private var used = 0
    private var written: UInt64 = 0
    private let file: Int32
    private var fileFailed = false
    private static let flushAt = 1 << 20
    private static let noKey: UInt8 = 0xFF

    init() {
        file = Self.anonymousFile()
        capacity = Self.flushAt * 2
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        if file >= 0 { close(file) }
        buffer.deallocate()
    }

    /// Records `line`'s keys, each as its parts (none: the row has no such key). Lines come in
    /// increasing order.
    func append(
        line: Int, email: UnsafeBufferPointer<UInt8>?, address: UnsafeBufferPointer<UnsafeBufferPointer<UInt8>>?
    ) {
        if used >= Self.flushAt { flush() }
        while offsets.count < line { offsets.append(.max) }
        offsets.append(written + UInt64(used))
        var needed = 2
        if let email { needed += 5 + email.count }
        for part in address ?? UnsafeBufferPointer(start: nil, count: 0) { needed += 5 + part.count }
        reserve(needed)
        if let email {
            buffer[used] = 1
            used += 1
            appendPart(email)
        } else {
            appendByte(Self.noKey)
        }
        guard let address else { return appendByte(Self.noKey) }
        appendByte(UInt8(address.count))
        for part in address { appendPart(part) }
    }

    @inline(__always)
    private func appendByte(_ byte: UInt8) {
        buffer[used] = byte
        used += 1
    }

    @inline(__always)
    private func appendPart(_ part: UnsafeBufferPointer<UInt8>) {
        if part.count < 0xFF {
            appendByte(UInt8(part.count))
        } else {
            appendByte(0xFF)
            for byte in withUnsafeBytes(of: UInt32(part.count).littleEndian, Array.init) { appendByte(byte) }
        }
        if let base = part.baseAddress { (buffer + used).update(from: base, count: part.count) }
        used += part.count
    }

    private func reserve(_ needed: Int) {
        guard used + needed > capacity else { return }
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, used + needed))
        grown.update(from: buffer, count: used)
        buffer.deallocate()
        buffer = grown
        capacity = max(capacity * 2, used + needed)
    }

    /// `line`'s key for `code` (`.duplicateEmail` or `.duplicateAddress`) with ASCII letters
    /// lowercased: two rows' keys are the same exactly when these bytes are.
    func key(line: Int, code: FindingCode) -> [UInt8]? {
        guard line < offsets.count, offsets[line] != .max else { return nil }
        var reader = Reader(spill: self, offset: offsets[line])
        if code == .duplicateAddress { _ = reader.key() }
        return reader.key()
    }

    /// The first line from `first` on, before `before`, whose key for `code` is `key`.
    func line(from first: Int, before: Int, code: FindingCode, matching key: [UInt8]) -> Int? {
        (first..<min(before, offsets.count)).first { self.key(line: $0, code: code) == key }
    }

    /// Reads a record's keys back, a field at a time.
    private struct Reader {
        let spill: KeySpill
        var offset: UInt64

        mutating func take(_ count: Int) -> [UInt8] {
            defer { offset += UInt64(count) }
            return spill.bytes(at: offset, count: count)
        }

        mutating func length() -> Int {
            let first = take(1)[0]
            guard first == 0xFF else { return Int(first) }
            return take(4).withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self))) }
        }

        /// The next key, lowercased, each part led by its length as four bytes.
        mutating func key() -> [UInt8]? {
            let parts = take(1)[0]
            guard parts != KeySpill.noKey else { return nil }
            var key: [UInt8] = []
            for _ in 0..<parts {
                let count = length()
                withUnsafeBytes(of: UInt32(count).littleEndian) { key.append(contentsOf: $0) }
                key.append(contentsOf: take(count).lazy.map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 })
            }
            return key
        }
    }

    /// Bytes of the spill: from the buffer, or from the file (a record is never split between them).
    private func bytes(at offset: UInt64, count: Int) -> [UInt8] {
        if offset >= written {
            let start = Int(offset - written)
            return Array(UnsafeBufferPointer(start: buffer + start, count: count))
        }
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        result.withUnsafeMutableBytes { target in
            guard let base = target.baseAddress else { return }
            while done < count {
                let got = pread(file, base + done, count - done, off_t(offset) + off_t(done))
                if got > 0 {
                    done += got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    // Written by this process a moment ago; if it cannot be read back, nothing can be trusted.
                    fatalError("the temporary file of duplicate keys could not be read back (errno \(errno))")
                }
            }
        }
        return result
    }

    /// Writes the buffer out. If the file cannot take it (a full temporary disk), nothing more
    /// is written and the buffer keeps everything from `written` on, in memory.
    private func flush() {
        guard file >= 0, !fileFailed else { return }
        var done = 0
        while done < used {
            let put = pwrite(file, buffer + done, used - done, off_t(written) + off_t(done))
            if put > 0 {
                done += put
            } else if put < 0 && errno == EINTR {
                continue
            } else {
                fileFailed = true
                return
            }
        }
        written += UInt64(used)
        used = 0
    }

    /// A file with no name: `O_TMPFILE` where the system has it, else made and unlinked at once.
    private static func anonymousFile() -> Int32 {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        #if os(Linux)
            // O_TMPFILE is a C macro Swift does not import: __O_TMPFILE | O_DIRECTORY.
            let direct = open(directory, 0o20_000_000 | O_DIRECTORY | O_RDWR | O_CLOEXEC, 0o600)
            if direct >= 0 { return direct }
        #endif
        var template = Array((directory + "/goody-batch-keys.XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.map { mkstemp($0) } ?? -1 }
        if made >= 0 { _ = unlink(String(cString: template)) }
        return made
    }
}
