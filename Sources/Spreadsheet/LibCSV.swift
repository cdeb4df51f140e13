// The only file that imports libcsv. It turns libcsv's callbacks into rows that carry the
// physical line number a person sees in an editor, and turns Swift strings into CSV fields.
internal import CLibCSV

/// Hard bounds that keep memory flat whatever the input holds.
public struct ParseLimits: Sendable, Equatable {
    /// The longest single value accepted (a longer one almost always means a quote that never closed).
    public var maxFieldBytes: Int
    /// The longest row accepted, all values together.
    public var maxRowBytes: Int
    /// The most values a row may hold.
    public var maxFields: Int

    public init(maxFieldBytes: Int = 1 << 20, maxRowBytes: Int = 8 << 20, maxFields: Int = 16_384) {
        self.maxFieldBytes = maxFieldBytes
        self.maxRowBytes = maxRowBytes
        self.maxFields = maxFields
    }
}

/// How the bytes of each value are turned into UTF-8.
enum FieldDecoding: Equatable {
    /// Not yet known: the first value that is not plain ASCII decides between UTF-8 and Windows-1252.
    case undecided
    /// UTF-8 detected; a value that is not valid UTF-8 is read as Windows-1252 and flagged.
    case utf8Detected
    /// UTF-8 demanded by the user; a value that is not valid UTF-8 is flagged as an error.
    case utf8Required
    /// Windows-1252: every byte above 0x7F is mapped to its character.
    case windows1252
    /// Mac Roman: every byte above 0x7F is mapped to its character.
    case macRoman
    /// The bytes were already transcoded to valid UTF-8 (UTF-16 input).
    case transcoded
}

/// Marks on a single value, found while the value was copied out of libcsv. The flags are
/// computed constants, so using one costs no call to a global's accessor.
@frozen public struct FieldFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// The value was not valid UTF-8 and was read as Windows-1252.
    @inlinable public static var readAsWindows1252: FieldFlags { FieldFlags(rawValue: 1) }
    /// The value holds a NUL byte.
    @inlinable public static var containsNUL: FieldFlags { FieldFlags(rawValue: 2) }
    /// The value is not valid UTF-8 although UTF-8 was required.
    @inlinable public static var invalidUTF8: FieldFlags { FieldFlags(rawValue: 4) }
    /// Plain ASCII with no control character, no space at either end and no two spaces in a
    /// row: nothing to clean. (Only set when that was cheap to see; absent means "look".)
    @inlinable public static var clean: FieldFlags { FieldFlags(rawValue: 8) }

    /// The flags that report a problem with the text.
    @inlinable public static var problems: FieldFlags { FieldFlags(rawValue: 7) }
}

/// A structural problem libcsv found inside a row (strict mode).
struct MalformedQuote: Equatable {
    /// Zero-based index of the value where the stray quote was found.
    var fieldIndex: Int
    /// The bytes of the broken value as far as libcsv read it, then the rest of its line as it
    /// was in the file: what could not be split, kept so that nothing of the row is lost.
    var rest: [UInt8] = []
}

/// One record as libcsv delivered it. The pointers are valid only during the callback.
struct RawRecord {
    var line: Int
    var count: Int
    var bytes: UnsafePointer<UInt8>
    var ends: UnsafePointer<Int>
    var flags: UnsafePointer<FieldFlags>
    var malformed: MalformedQuote?
    var flagsUnion: FieldFlags
    /// True when the line held no characters at all (not even delimiters).
    var isEmptyLine: Bool { count == 0 }
}

/// A place in the text where a record starts, with what the parser knew there: parsing from it
/// gives the same records, with the same lines and decoding, as the first reading did. The reader
/// marks one every few kilobytes, so a row can be read again without keeping its bytes.
struct ReplayPoint: Equatable {
    /// Bytes from the start of the text (past any byte-order mark).
    var offset: Int
    /// The physical line the next record starts on.
    var line: Int
    /// The last byte before it was a CR, so a LF right after it ends no record.
    var afterCR: Bool
    var decoding: FieldDecoding
}

/// What stops the parse of a whole file.
enum ParseFailure: Error, Equatable {
    case fieldTooLong(line: Int)
    case rowTooLong(line: Int)
    case tooManyFields(line: Int)
    case unterminatedQuote(line: Int)
}

/// The function records are handed to, boxed so the callback state can hold it unretained.
final class RecordSink {
    let body: (RawRecord) -> Void
    init(body: @escaping (RawRecord) -> Void) { self.body = body }
}

/// The mutable state shared with libcsv's C callbacks through the `data` pointer.
struct CallbackState {
    /// The values of the record being collected, back to back.
    var bytes = GrowableBuffer<UInt8>(capacity: 4096)
    /// Per value: where it ends in `bytes`.
    var ends = GrowableBuffer<Int>(capacity: 64)
    var flags = GrowableBuffer<FieldFlags>(capacity: 64)
    var fieldCount: Int { ends.count }
    var rowFlags: FieldFlags = []

    /// The physical line at libcsv's current position (1-based).
    var line = 1
    /// The line on which the record being collected started.
    var recordLine = 1
    var lastBreakWasCR = false

    var decoding: FieldDecoding
    /// The line of the first value that was not plain ASCII, and so decided the encoding.
    var firstNonASCIILine: Int?
    var limits: ParseLimits
    /// How many bytes past the end of the value libcsv's buffer still holds (so may be read).
    var sourceSlack = 0
    var failure: ParseFailure?
    /// Set after a stray quote: the record ends, marked malformed, at the next line break.
    var malformedPending: MalformedQuote?
    /// Where records go, held unretained while `LibCSVParser.withSink` runs (which keeps it
    /// alive): a call through it then costs no reference counting, once per record.
    var sink: Unmanaged<RecordSink>?
    /// The libcsv parser, to learn the size of the buffer it hands over.
    var parser: UnsafeMutablePointer<csv_parser>?

    /// libcsv's buffer size as last seen: it only grows, so an old value is a safe lower bound,
    /// and reading it once per slice spares a load per value. (See FastCopy.swift for why the
    /// fast path may read up to this many bytes from the start of a value.)
    var knownSourceCapacity = 0

    /// The only reads of libcsv's internals: `entry_size`, the allocated size of `entry_buf`,
    /// the buffer every value is handed over in, from its start.
    mutating func refreshSourceCapacity() {
        if let parser { knownSourceCapacity = Int(parser.pointee.entry_size) }
    }

    func parserSlack(for length: Int) -> Int {
        guard let parser else { return 0 }
        return Int(parser.pointee.entry_size) - length
    }

    init(decoding: FieldDecoding, limits: ParseLimits) {
        self.decoding = decoding
        self.limits = limits
    }

    func release() {
        bytes.release()
        ends.release()
        flags.release()
    }

    /// Copies one value out of libcsv's buffer, decoding it and counting the line breaks inside it.
    @inline(never)
    mutating func appendField(_ source: UnsafePointer<UInt8>, _ length: Int) {
        if fieldCount == 0 { recordLine = line }
        lastBreakWasCR = false
        if length > limits.maxFieldBytes {
            failure = failure ?? .fieldTooLong(line: line)
            return
        }
        if fieldCount >= limits.maxFields {
            failure = failure ?? .tooManyFields(line: recordLine)
            return
        }
        // Windows-1252 needs at most 3 bytes of UTF-8 per input byte; 8 more let the copy end
        // with a whole word.
        bytes.reserve(length * 3 + 8)
        let scan = ByteScan(copying: source, length, to: bytes.end, readableBeyond: sourceSlack)
        if scan.lineBreaks > 0 { line += scan.lineBreaks }
        var fieldFlags: FieldFlags = scan.hasNUL ? .containsNUL : []
        if scan.isASCII || decoding == .transcoded {
            bytes.count += length
        } else {
            let valid = UTF8Validation.isValid(source, length)
            if decoding == .undecided {
                decoding = valid ? .utf8Detected : .windows1252
                firstNonASCIILine = recordLine
            }
            switch decoding {
            case .windows1252:
                bytes.count += Windows1252.decode(source, length, into: bytes.end)
            case .macRoman:
                bytes.count += MacRoman.decode(source, length, into: bytes.end)
            case .utf8Detected where !valid:
                bytes.count += Windows1252.decode(source, length, into: bytes.end)
                fieldFlags.insert(.readAsWindows1252)
            case .utf8Required where !valid:
                bytes.count += length
                fieldFlags.insert(.invalidUTF8)
            default:
                bytes.count += length
            }
        }
        if bytes.count > limits.maxRowBytes {
            failure = failure ?? .rowTooLong(line: recordLine)
            return
        }
        ends.append(bytes.count)
        flags.append(fieldFlags)
        rowFlags.formUnion(fieldFlags.intersection(.problems))
    }

    /// Ends the record on `terminator` (CR, LF, or -1 at the end of the data).
    mutating func endRecord(terminator: Int32) {
        if fieldCount == 0 && malformedPending == nil {
            // A line break outside any record: an empty line, or the LF of a CRLF pair.
            if terminator == 0x0A && lastBreakWasCR {
                lastBreakWasCR = false
                return
            }
            if terminator < 0 { return }
            recordLine = line
        }
        if failure == nil, let sink {
            let record = RawRecord(
                line: recordLine, count: fieldCount, bytes: bytes.base, ends: ends.base, flags: flags.base,
                malformed: malformedPending, flagsUnion: rowFlags)
            sink._withUnsafeGuaranteedRef { $0.body(record) }
        }
        malformedPending = nil
        rowFlags = []
        ends.count = 0
        flags.count = 0
        bytes.count = 0
        if terminator == 0x0A || terminator == 0x0D {
            line += 1
            lastBreakWasCR = terminator == 0x0D
        }
    }
}

@inline(__always)
private func fieldCallback(_ data: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    let state = context.assumingMemoryBound(to: CallbackState.self)
    guard state.pointee.failure == nil else { return }
    if let data {
        let source = data.assumingMemoryBound(to: UInt8.self)
        if state.pointee.appendShortPlainField(source, length) { return }
        // libcsv hands over its own buffer; what lies past this value in it may be read.
        state.pointee.sourceSlack = state.pointee.parserSlack(for: length)
        state.pointee.refreshSourceCapacity()
        state.pointee.appendField(source, length)
    } else {
        var empty: UInt8 = 0
        state.pointee.appendField(&empty, 0)
    }
}

private func recordCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    context.assumingMemoryBound(to: CallbackState.self).pointee.endRecord(terminator: terminator)
}

/// A streaming libcsv parser in strict mode that reports every line break, so that each record
/// carries its physical line number. A row with a stray quote is delivered as malformed and
/// parsing resumes on the next line.
final class LibCSVParser {
    private let parser: UnsafeMutablePointer<csv_parser>
    private let state: UnsafeMutablePointer<CallbackState>
    /// After a stray quote, input is skipped up to the next line break.
    private var skippingToLineEnd = false

    private let delimiter: UInt8

    init(delimiter: UInt8, decoding: FieldDecoding, limits: ParseLimits = ParseLimits()) {
        parser = .allocate(capacity: 1)
        self.delimiter = delimiter
        Self.start(parser, delimiter: delimiter)
        state = .allocate(capacity: 1)
        state.initialize(to: CallbackState(decoding: decoding, limits: limits))
        state.pointee.parser = parser
    }

    deinit {
        csv_free(parser)
        parser.deallocate()
        state.pointee.release()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// How values are being decoded now (the first non-ASCII value settles an undecided file).
    var decoding: FieldDecoding { state.pointee.decoding }
    var firstNonASCIILine: Int? { state.pointee.firstNonASCIILine }
    /// The physical line libcsv has reached.
    var currentLine: Int { state.pointee.line }

    /// Bytes of text parsed so far.
    private(set) var consumed = 0
    /// About how far apart replay points are.
    static let replaySpacing = 2048

    /// Parses `input`, calling `sink` for every record completed by it and `mark` at each replay
    /// point: after a line break, every couple of kilobytes, where no record is unfinished. (The
    /// start of the text is one too, which the replayer holds from the first.)
    func parse(_ input: UnsafeRawBufferPointer, _ sink: (RawRecord) -> Void, mark: ((ReplayPoint) -> Void)? = nil)
        throws(ParseFailure)
    {
        guard let base = input.baseAddress else { return }
        try withSink(sink) { () throws(ParseFailure) in
            // Slices end after a line break where one is near; they are short, which also keeps
            // libcsv's buffer for an unfinished value from growing far past the limit unchecked.
            var offset = 0
            while offset < input.count {
                var end = min(offset + Self.replaySpacing, input.count)
                if end < input.count, let cut = Self.lastLineBreak(base + offset, end - offset) {
                    end = offset + cut + 1
                }
                try parseSlice(UnsafeRawBufferPointer(rebasing: input[offset..<end]))
                consumed += end - offset
                offset = end
                if let mark, isBetweenRecords { mark(replayPoint) }
            }
        }
    }

    /// The position of the last LF (or, in a file of CR line ends, CR) among `count` bytes.
    private static func lastLineBreak(_ start: UnsafeRawPointer, _ count: Int) -> Int? {
        let bytes = UnsafeRawBufferPointer(start: start, count: count)
        // A line is usually short, so the LF is a few bytes back.
        return bytes.lastIndex(of: 0x0A) ?? bytes.lastIndex(of: 0x0D)
    }

    /// libcsv waits for a new row (`pstate` 0, its ROW_NOT_BEGUN) and nothing of one is held here.
    private var isBetweenRecords: Bool {
        parser.pointee.pstate == 0 && state.pointee.fieldCount == 0 && state.pointee.malformedPending == nil
            && !skippingToLineEnd && state.pointee.failure == nil
    }

    private var replayPoint: ReplayPoint {
        ReplayPoint(
            offset: consumed, line: state.pointee.line, afterCR: state.pointee.lastBreakWasCR,
            decoding: state.pointee.decoding)
    }

    private static func start(_ parser: UnsafeMutablePointer<csv_parser>, delimiter: UInt8) {
        // csv_init fails only for a null pointer.
        _ = csv_init(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL))
        csv_set_delim(parser, delimiter)
        csv_set_blk_size(parser, 4096)
    }

    /// Starts over at `point`, as the parser was there. libcsv is set up afresh: csv_fini leaves
    /// it as it was when it stopped inside a quoted value.
    func reset(to point: ReplayPoint) {
        csv_free(parser)
        Self.start(parser, delimiter: delimiter)
        // The new parser's buffer starts empty: the size seen for the old one no longer holds.
        state.pointee.knownSourceCapacity = 0
        state.pointee.sourceSlack = 0
        skippingToLineEnd = false
        consumed = point.offset
        state.pointee.line = point.line
        state.pointee.recordLine = point.line
        state.pointee.lastBreakWasCR = point.afterCR
        state.pointee.decoding = point.decoding
        state.pointee.failure = nil
        state.pointee.malformedPending = nil
        state.pointee.rowFlags = []
        state.pointee.ends.count = 0
        state.pointee.flags.count = 0
        state.pointee.bytes.count = 0
    }

    /// Ends the data: delivers a last record without a trailing line break.
    func finish(_ sink: (RawRecord) -> Void) throws(ParseFailure) {
        try withSink(sink) { () throws(ParseFailure) in
            // Only a quoted value still open is unterminated; one whose closing quote was the
            // last byte (Google Sheets' downloads end so, with no final line break) is whole.
            let fieldBegun: UInt8 = 2
            if parser.pointee.pstate == fieldBegun && parser.pointee.quoted != 0 && !skippingToLineEnd {
                throw ParseFailure.unterminatedQuote(line: state.pointee.line)
            }
            if skippingToLineEnd {
                csv_fini(parser, nil, nil, nil)
                state.pointee.endRecord(terminator: -1)
                return
            }
            csv_fini(parser, fieldCallback, recordCallback, state)
            if let failure = state.pointee.failure { throw failure }
        }
    }

    private func withSink(_ sink: (RawRecord) -> Void, _ body: () throws(ParseFailure) -> Void) throws(ParseFailure) {
        let outcome: Result<Void, ParseFailure> = withoutActuallyEscaping(sink) { escaping in
            let box = RecordSink(body: escaping)
            state.pointee.sink = Unmanaged.passUnretained(box)
            defer {
                state.pointee.sink = nil
                withExtendedLifetime(box) {}
            }
            do throws(ParseFailure) {
                try body()
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try outcome.get()
    }

    private func parseSlice(_ input: UnsafeRawBufferPointer) throws(ParseFailure) {
        guard let base = input.baseAddress else { return }
        var offset = 0
        while offset < input.count {
            if skippingToLineEnd {
                guard let lineEnd = Self.firstLineBreak(in: input, from: offset) else {
                    // The line goes on into the next chunk (its start was kept already).
                    if offset < input.count, state.pointee.malformedPending?.rest.isEmpty == false {
                        state.pointee.malformedPending?.rest += input[offset..<input.count]
                    }
                    return
                }
                skippingToLineEnd = false
                offset = lineEnd
                continue
            }
            let remaining = input.count - offset
            let used = csv_parse(parser, base + offset, remaining, fieldCallback, recordCallback, state)
            state.pointee.refreshSourceCapacity()
            if let failure = state.pointee.failure { throw failure }
            if used == remaining {
                if Int(parser.pointee.entry_pos) > state.pointee.limits.maxFieldBytes {
                    throw ParseFailure.fieldTooLong(line: state.pointee.line)
                }
                return
            }
            guard csv_error(parser) == CSV_EPARSE else {
                throw ParseFailure.fieldTooLong(line: state.pointee.line)
            }
            offset += used
            if readQuoteAsWritten(at: base + offset) {
                offset += 1
                continue
            }
            recoverFromStrayQuote()
            // What follows the stray quote on its line is skipped, but kept with the row.
            let lineEnd = Self.firstLineBreak(in: input, from: offset) ?? input.count
            state.pointee.malformedPending?.rest += input[offset..<lineEnd]
        }
    }

    /// libcsv's strict mode stopped at `byte`. Two shapes have one reading, the one Excel,
    /// LibreOffice and Python's csv module agree on, and are read so instead of rejected:
    /// - a quotation mark inside a value that is not quoted (`say "hi" now`) is part of the value;
    /// - a quotation mark escaped with a backslash inside a quoted value (`"a \"quoted\" word"`, as
    ///   PHP, MySQL and many scripts write): libcsv took `\"` for the closing quote and now sees
    ///   more text; the backslash is dropped and the quote kept.
    /// Returns true when the byte was read (by libcsv, in lenient mode for this byte alone).
    private func readQuoteAsWritten(at byte: UnsafeRawPointer) -> Bool {
        let fieldBegun: Int32 = 2
        let fieldMightHaveEnded: Int32 = 3
        let pending = Int(parser.pointee.entry_pos)
        let spaces = Int(parser.pointee.spaces)
        let quote = pending - 1 - spaces
        switch (parser.pointee.pstate, parser.pointee.quoted) {
        case (fieldBegun, 0):
            break
        case (fieldMightHaveEnded, 1)
        where quote >= 1 && parser.pointee.entry_buf?[quote] == 0x22 && parser.pointee.entry_buf?[quote - 1] == 0x5C:
            // entry_buf ends with the backslash, the quote libcsv kept and any spaces after it:
            // they move back over the backslash, and libcsv goes on inside the quoted value.
            guard let buffer = parser.pointee.entry_buf else { return false }
            for index in quote..<pending { buffer[index - 1] = buffer[index] }
            parser.pointee.entry_pos = pending - 1
        default:
            return false
        }
        parser.pointee.status = 0
        csv_set_opts(parser, UInt8(CSV_STRICT_FINI | CSV_REPALL_NL))
        let used = csv_parse(parser, byte, 1, fieldCallback, recordCallback, state)
        csv_set_opts(parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL))
        return used == 1 && state.pointee.failure == nil
    }

    /// Marks the row malformed, resets libcsv and drops the rest of the line; the line break that
    /// ends it then ends the record, which keeps the values read before the stray quote.
    private func recoverFromStrayQuote() {
        let pending = Int(parser.pointee.entry_pos)
        let pendingBreaks = pending > 0 ? ByteScan(parser.pointee.entry_buf, pending).lineBreaks : 0
        if state.pointee.fieldCount == 0 { state.pointee.recordLine = state.pointee.line }
        // A quoted value's opening quote was consumed by libcsv: it is put back, as written.
        let opening: [UInt8] = parser.pointee.quoted == 1 ? [0x22] : []
        state.pointee.malformedPending = MalformedQuote(
            fieldIndex: state.pointee.fieldCount,
            rest: opening
                + (pending > 0 ? Array(UnsafeBufferPointer(start: parser.pointee.entry_buf, count: pending)) : []))
        state.pointee.line += pendingBreaks
        state.pointee.lastBreakWasCR = false
        csv_fini(parser, nil, nil, nil)
        skippingToLineEnd = true
    }

    private static func firstLineBreak(in input: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index < input.count {
            let byte = input[index]
            if byte == 0x0A || byte == 0x0D { return index }
            index += 1
        }
        return nil
    }
}

/// Writes values as CSV fields through libcsv (always quoted, inner quotes doubled).
enum LibCSVFieldWriter {
    /// Appends `value` as one quoted CSV field to `output`.
    static func append(_ value: UnsafeRawBufferPointer, to output: inout [UInt8]) {
        guard let source = value.baseAddress, !value.isEmpty else {
            output.append(0x22)
            output.append(0x22)
            return
        }
        let needed = csv_write(nil, 0, source, value.count)
        // Written into a fresh array's storage, then copied whole: appending `needed` zeros
        // first costs a step per byte where the optimizer does not run (debug builds, tests).
        let field = [UInt8](unsafeUninitializedCapacity: needed) { buffer, initialized in
            initialized = buffer.baseAddress.map { csv_write($0, needed, source, value.count) } ?? 0
        }
        output.append(contentsOf: field)
    }
}
