#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The opening bytes of a file, turned into UTF-8 where the file is UTF-16.
struct DecodedHead {
    var bytes: [UInt8]
    /// True when the head holds the whole file.
    var isWholeFile: Bool
}

/// Reads a file in fixed-size chunks (memory stays flat whatever its size) and recognises what it
/// is from its first bytes. A UTF-16 file is turned into a private UTF-8 copy first, so that what
/// libcsv reads is always bytes of a file, which a record can be read back from by offset.
final class FileSource {
    static let headSize = 64 * 1024
    static let chunkSize = 1 << 20

    let path: String
    let encoding: TextEncoding
    let hasBOM: Bool
    /// The size of the file in bytes when it was opened.
    let size: Int
    private let bomLength: Int
    /// The file libcsv reads: the input itself, or its UTF-8 copy when the input is UTF-16.
    let dataPath: String
    /// Where the text starts in `dataPath` (after a byte-order mark).
    let dataStart: Int
    private let rawHead: [UInt8]
    private let rawHeadIsWholeFile: Bool

    /// For an .xlsx workbook: the sheet that was read, as the CSV copy read in its place.
    let workbook: WorkbookInput.Converted?

    init(path: String, forcedEncoding: TextEncoding?, sheet: String? = nil) throws(SpreadsheetError) {
        // A pipe is read once, into a copy; a folder or a device is refused here.
        var readable = try InputFile.readablePath(for: path)
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        if Self.isWorkbook(readable, fileName: fileName) {
            let converted = try WorkbookInput.convert(readable, sheet: sheet)
            workbook = converted
            readable = converted.path
        } else {
            workbook = nil
        }
        self.path = readable
        var info = stat()
        guard stat(readable, &info) == 0 else {
            throw SpreadsheetError(path: path, code: .cannotOpen(reason: Self.errnoText()))
        }
        size = Int(info.st_size)

        let head = try Self.head(of: readable, count: Self.headSize, reportingAs: path)
        rawHead = head
        rawHeadIsWholeFile = head.count < Self.headSize

        if let kind = NonTextKind.detect(head: head, fileName: fileName) {
            throw SpreadsheetError(path: path, code: .notText(kind))
        }
        let detected = Self.detectEncoding(head)
        if detected == nil, Self.looksBinary(head) {
            throw SpreadsheetError(path: path, code: .notText(NonTextKind.fromExtension(fileName) ?? .binary))
        }
        let bom = Self.byteOrderMark(head)
        hasBOM = bom != nil
        encoding = forcedEncoding ?? bom ?? detected ?? .utf8
        // A byte-order mark is dropped only when it matches the encoding being read.
        bomLength = bom == encoding ? (encoding == .utf8 ? 3 : 2) : 0
        if encoding == .utf16LE || encoding == .utf16BE {
            dataPath = try Self.transcodedCopy(of: readable, skipping: bomLength, bigEndian: encoding == .utf16BE)
            dataStart = 0
        } else {
            dataPath = readable
            dataStart = bomLength
        }
    }

    /// UTF-16 copies already made, by the input's path, size, time and byte order.
    private static let transcoded = Guarded<[String: String]>([:])

    /// The UTF-16 file at `path` as UTF-8, in a private file removed when the process exits.
    private static func transcodedCopy(of path: String, skipping bomLength: Int, bigEndian: Bool)
        throws(SpreadsheetError) -> String
    {
        let key = "\(InputFile.identity(of: path))\u{0}\(bigEndian)"
        if let done = transcoded.withLock({ $0[key] }) { return done }
        let input = try openFile(path)
        defer { close(input) }
        let (output, copy) = try InputFile.makePrivateFile(for: path)
        defer { close(output) }
        var transcoder = UTF16Transcoder(bigEndian: bigEndian)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var utf8: [UInt8] = []
        var skip = bomLength
        while true {
            let count = try readFully(input, into: &buffer, path: path)
            let start = min(skip, count)
            skip -= start
            utf8.removeAll(keepingCapacity: true)
            buffer.withUnsafeBytes {
                transcoder.transcode(UnsafeRawBufferPointer(rebasing: $0[start..<count]), into: &utf8)
            }
            if count < buffer.count { transcoder.finish(into: &utf8) }
            try InputFile.writeAll(utf8[...], to: output, copy)
            if count < buffer.count { break }
        }
        transcoded.withLock { $0[key] = copy }
        return copy
    }

    /// An .xlsx (or .xlsm) package, by its first bytes.
    private static func isWorkbook(_ path: String, fileName: String) -> Bool {
        guard let head = try? head(of: path, count: 4096, reportingAs: path) else { return false }
        return NonTextKind.detect(head: head, fileName: fileName) == .excelWorkbook
    }

    /// The first `count` bytes of `file` (fewer when it is shorter); errors name `path`.
    private static func head(of file: String, count: Int, reportingAs path: String) throws(SpreadsheetError)
        -> [UInt8]
    {
        let descriptor = try openFile(file)
        defer { close(descriptor) }
        var head = [UInt8](repeating: 0, count: count)
        let read = try readFully(descriptor, into: &head, path: path)
        head.removeLast(head.count - read)
        return head
    }

    /// Roughly how many records the file holds, from how many the head held.
    func estimatedRecords(inHead records: Int) -> Int {
        guard !rawHeadIsWholeFile, !rawHead.isEmpty else { return records }
        return Int(Double(size) / Double(rawHead.count) * Double(records))
    }

    /// The head as UTF-8 bytes (raw bytes for UTF-8 and Windows-1252, which libcsv reads as is).
    func decodedHead() throws(SpreadsheetError) -> DecodedHead {
        switch encoding {
        case .utf16LE, .utf16BE:
            let head = try Self.head(of: dataPath, count: Self.headSize, reportingAs: path)
            return DecodedHead(bytes: head, isWholeFile: head.count < Self.headSize)
        case .utf8, .windows1252, .macRoman:
            return DecodedHead(bytes: Array(rawHead[bomLength...]), isWholeFile: rawHeadIsWholeFile)
        }
    }

    /// Reads the text from its start (past any byte-order mark), handing each chunk to `body`,
    /// which returns false to stop early. Chunks follow each other in `dataPath` from `dataStart`.
    func forEachDecodedChunk(_ body: (UnsafeRawBufferPointer) throws -> Bool) throws {
        let descriptor = try Self.openFile(dataPath)
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var skip = dataStart
        while true {
            let count = try Self.readFully(descriptor, into: &buffer, path: path)
            let start = min(skip, count)
            skip -= start
            let keepGoing = try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<count])) }
            if !keepGoing || count < buffer.count { return }
        }
    }

    private static func openFile(_ path: String) throws(SpreadsheetError) -> Int32 {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw SpreadsheetError(path: path, code: .cannotOpen(reason: errnoText())) }
        return descriptor
    }

    /// Fills `buffer` unless the file ends first; returns how many bytes were read.
    private static func readFully(_ descriptor: Int32, into buffer: inout [UInt8], path: String)
        throws(SpreadsheetError) -> Int
    {
        var total = 0
        let capacity = buffer.count
        while total < capacity {
            let result = buffer.withUnsafeMutableBytes { bytes in
                read(descriptor, bytes.baseAddress.map { $0 + total }, capacity - total)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SpreadsheetError(path: path, code: .cannotOpen(reason: errnoText()))
            }
            if result == 0 { break }
            total += result
        }
        return total
    }

    private static func errnoText() -> String {
        String(cString: strerror(errno))
    }

    static func byteOrderMark(_ head: [UInt8]) -> TextEncoding? {
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        if head.starts(with: [0xFF, 0xFE]) { return .utf16LE }
        if head.starts(with: [0xFE, 0xFF]) { return .utf16BE }
        return nil
    }

    /// The encoding a byte-order mark or the NUL pattern of UTF-16 text declares; nil otherwise.
    static func detectEncoding(_ head: [UInt8]) -> TextEncoding? {
        if let bom = byteOrderMark(head) { return bom }
        // UTF-16 without a byte-order mark: ASCII text puts a NUL in every other byte.
        let sample = head.prefix(4096)
        guard sample.count >= 4 else { return nil }
        var evenNUL = 0
        var oddNUL = 0
        for (index, byte) in sample.enumerated() where byte == 0 {
            if index % 2 == 0 { evenNUL += 1 } else { oddNUL += 1 }
        }
        let pairs = sample.count / 2
        if oddNUL * 10 > pairs * 4 && evenNUL * 10 < pairs { return .utf16LE }
        if evenNUL * 10 > pairs * 4 && oddNUL * 10 < pairs { return .utf16BE }
        return nil
    }

    /// More than one byte in ten is a control character that text never holds.
    static func looksBinary(_ head: [UInt8]) -> Bool {
        let sample = head.prefix(4096)
        guard !sample.isEmpty else { return false }
        let controls = sample.filter { $0 < 0x09 || ($0 > 0x0D && $0 < 0x20 && $0 != 0x1B) || $0 == 0x7F }.count
        return controls * 10 > sample.count
    }
}

/// Decides between UTF-8 and Windows-1252 from the first non-ASCII bytes of the head.
enum HeadEncodingSniffer {
    struct Verdict {
        var isUTF8: Bool
        /// The physical line of the first non-ASCII byte.
        var line: Int
    }

    /// nil when the head is plain ASCII.
    static func verdict(head: [UInt8], isWholeFile: Bool) -> Verdict? {
        guard let firstHigh = head.firstIndex(where: { $0 >= 0x80 }) else { return nil }
        var line = 1
        var index = 0
        while index < firstHigh {
            if head[index] == 0x0A || (head[index] == 0x0D && (index + 1 >= head.count || head[index + 1] != 0x0A)) {
                line += 1
            }
            index += 1
        }
        // Most non-ASCII sequences valid as UTF-8 means UTF-8 (a stray bad byte is flagged on its
        // row later); a sequence cut by the end of a partial head counts for neither.
        var valid = 0
        var invalid = 0
        head.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var position = firstHigh
            while position < buffer.count {
                if base[position] < 0x80 {
                    position += 1
                    continue
                }
                let remaining = buffer.count - position
                let length = UTF8Validation.validPrefixLength(base + position, min(remaining, 4))
                if length > 0 {
                    valid += 1
                    position += length
                } else {
                    if isWholeFile || remaining >= 4 { invalid += 1 }
                    position += 1
                }
            }
        }
        let isUTF8 = valid > 0 && valid >= invalid
        return Verdict(isUTF8: isUTF8, line: line)
    }
}
