#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a CSV file through libcsv, atomically: rows go to a private temporary file beside the
/// destination, which replaces the destination only on `commit()`. A writer dropped without a
/// commit leaves nothing behind, so a half-written file never stands where a finished one should.
public final class CSVFileWriter {
    /// How the file is laid out for the program that will open it.
    public struct Format: Sendable {
        /// Start with a UTF-8 byte-order mark, so Excel reads accents right.
        public var byteOrderMark: Bool
        /// End lines with CR LF, as Excel does.
        public var crlf: Bool
        /// Prefix a value that a spreadsheet would run as a formula with an apostrophe.
        public var neutralizeFormulas: Bool
        /// Between values: the input's own, so a semicolon-separated export gets a
        /// semicolon-separated result that the same Excel opens in columns.
        public var delimiter: Delimiter
        /// File permissions: 0600 keeps recipients' data to the owner.
        public var mode: UInt32

        public init(
            byteOrderMark: Bool = true, crlf: Bool = true, neutralizeFormulas: Bool = false,
            delimiter: Delimiter = .comma, mode: UInt32 = 0o600
        ) {
            self.byteOrderMark = byteOrderMark
            self.crlf = crlf
            self.neutralizeFormulas = neutralizeFormulas
            self.delimiter = delimiter
            self.mode = mode
        }

        /// For files people open in Excel and programs read as data: BOM, CRLF, formulas
        /// neutralised, every other value raw (`02134`, never `="02134"`: the workbook beside it
        /// keeps leading zeros as text), owner-only.
        public static func results(delimiter: Delimiter) -> Format {
            Format(neutralizeFormulas: true, delimiter: delimiter)
        }
        /// For a file of the input's own rows that a person opens to fix: formulas neutralised,
        /// every other value exactly as it was read.
        public static let guarded = Format(neutralizeFormulas: true)
    }

    public let path: String
    private let temporaryPath: String
    private let format: Format
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private var committed = false
    public private(set) var rowsWritten = 0

    public init(path: String, format: Format = Format()) throws(SpreadsheetError) {
        self.path = path
        self.format = format
        let directory = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)]) : "."
        let name = path.split(separator: "/").last.map(String.init) ?? path
        temporaryPath =
            (directory.isEmpty ? "" : directory + "/") + ".\(name).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, mode_t(format.mode))
        guard descriptor >= 0 else {
            throw SpreadsheetError(path: path, code: .cannotWrite(reason: String(cString: strerror(errno))))
        }
        // The umask may have removed bits; permissions are exactly what was asked for.
        fchmod(descriptor, mode_t(format.mode))
        buffer.reserveCapacity(1 << 16)
        if format.byteOrderMark { buffer.append(contentsOf: [0xEF, 0xBB, 0xBF]) }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !committed { unlink(temporaryPath) }
    }

    /// Appends one row, then `emptyAfter` empty values (a sheet's short row padded to the
    /// widest, written as one run).
    public func writeRow(_ values: [String], emptyAfter: Int = 0) throws(SpreadsheetError) {
        for (index, value) in values.enumerated() {
            if index > 0 { buffer.append(format.delimiter.rawValue) }
            var value = format.neutralizeFormulas ? FormulaGuard.neutralize(value) : value
            value.withUTF8 { LibCSVFieldWriter.append(UnsafeRawBufferPointer($0), to: &buffer) }
        }
        if emptyAfter > 0 {
            // `""` for each, after a delimiter except at the row's start.
            let empty: [UInt8] = [format.delimiter.rawValue, 0x22, 0x22]
            while emptyRun.count < emptyAfter * 3 { emptyRun += emptyRun.isEmpty ? empty : emptyRun }
            buffer.append(contentsOf: emptyRun[(values.isEmpty ? 1 : 0)..<emptyAfter * 3])
            if buffer.count >= 1 << 16 { try flush() }
        }
        try endRow()
    }

    /// Empty values, grown as a row needs more of them.
    private var emptyRun: [UInt8] = []

    /// Appends one row from raw UTF-8 values, as read, then `extra` values; the formula guard
    /// applies to both when the format asks for it.
    public func writeRow(count: Int, value: (Int) -> UnsafeBufferPointer<UInt8>, extra: [String] = [])
        throws(SpreadsheetError)
    {
        for index in 0..<count {
            if index > 0 { buffer.append(format.delimiter.rawValue) }
            let bytes = UnsafeRawBufferPointer(value(index))
            if format.neutralizeFormulas, FormulaGuard.isRisky(bytes) {
                var guarded = "'" + String(decoding: bytes, as: UTF8.self)
                guarded.withUTF8 { LibCSVFieldWriter.append(UnsafeRawBufferPointer($0), to: &buffer) }
            } else {
                LibCSVFieldWriter.append(bytes, to: &buffer)
            }
        }
        for (offset, text) in extra.enumerated() {
            if count + offset > 0 { buffer.append(format.delimiter.rawValue) }
            var text = format.neutralizeFormulas ? FormulaGuard.neutralize(text) : text
            text.withUTF8 { LibCSVFieldWriter.append(UnsafeRawBufferPointer($0), to: &buffer) }
        }
        try endRow()
    }

    private func endRow() throws(SpreadsheetError) {
        if format.crlf { buffer.append(0x0D) }
        buffer.append(0x0A)
        rowsWritten += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(SpreadsheetError) {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(path: path, code: .cannotWrite(reason: String(cString: strerror(errno))))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs to disk and moves the file into place.
    public func commit() throws(SpreadsheetError) {
        try flush()
        guard fsync(descriptor) == 0, close(descriptor) == 0 else {
            throw SpreadsheetError(path: path, code: .cannotWrite(reason: String(cString: strerror(errno))))
        }
        descriptor = -1
        guard rename(temporaryPath, path) == 0 else {
            throw SpreadsheetError(path: path, code: .cannotWrite(reason: String(cString: strerror(errno))))
        }
        committed = true
    }
}

/// Keeps a spreadsheet from running a cell as a formula (CSV injection). A cell is guarded when
/// it starts with a tab or a carriage return, or when its first Unicode scalar after any leading
/// whitespace and line breaks is `=`, `+`, `-` or `@` (or their full-width forms): spreadsheets
/// skip the whitespace, and a combining mark after `=` does not stop them.
public enum FormulaGuard {
    private static let triggers: Set<Unicode.Scalar> = [
        "=", "+", "-", "@", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}",
    ]

    /// Whether `value` could start a formula.
    public static func isRisky(_ value: String) -> Bool {
        // The usual cell starts with a letter, a digit or harmless punctuation: decided on its
        // first byte, without looking up any Unicode property.
        if let first = value.utf8.first, first > 0x20, first < 0x7F {
            return first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
                || first == UInt8(ascii: "@")
        }
        var scalars = value.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return false }
        if first == "\t" || first == "\r" { return true }
        var current: Unicode.Scalar? = first
        while let scalar = current, scalar.properties.isWhitespace { current = scalars.next() }
        return current.map(triggers.contains) ?? false
    }

    /// The same decision on UTF-8 bytes, without making a string for the usual cell.
    public static func isRisky(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let first = bytes.first else { return false }
        switch first {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D: return true
        // Plain text (a letter, a digit, punctuation that starts nothing) needs no more look.
        case 0x21..<0x7F: return false
        default: return isRisky(String(decoding: bytes, as: UTF8.self))
        }
    }

    /// The value with an apostrophe in front when it could start a formula.
    public static func neutralize(_ value: String) -> String { isRisky(value) ? "'" + value : value }

}
