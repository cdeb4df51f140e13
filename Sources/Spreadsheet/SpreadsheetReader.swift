#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What the person asked for on the command line; anything nil is detected.
public struct ReadOptions: Sendable {
    public var encoding: TextEncoding?
    public var delimiter: Delimiter?
    /// The physical line holding the column names.
    public var headerLine: Int?
    /// The sheet of an .xlsx workbook to read (`--sheet`); the first when nil.
    public var sheet: String?
    public var limits: ParseLimits
    /// Files larger than this are parsed on a second thread (a second thread costs more than it
    /// saves below it). Tests and the fuzzer lower it to run both paths on small files.
    @_spi(Testing) public var pipelineThreshold = 4 << 20
    /// Tests and the fuzzer: the reading thread prepares every other batch, the first included
    /// (`readBatches(prepare:)`), whether or not the other thread is behind, so both ways of
    /// checking meet in one file.
    @_spi(Testing) public var preparesEveryOtherBatch = false

    public init(
        encoding: TextEncoding? = nil, delimiter: Delimiter? = nil, headerLine: Int? = nil, sheet: String? = nil,
        limits: ParseLimits = ParseLimits()
    ) {
        self.sheet = sheet
        self.encoding = encoding
        self.delimiter = delimiter
        self.headerLine = headerLine
        self.limits = limits
    }
}

/// A line that is not a recipient: above the header, blank, or a footer such as "Total".
public struct SkippedLine: Sendable, Equatable, Codable {
    public enum Reason: String, Sendable, Codable {
        case aboveHeader = "above the header"
        case blank = "blank"
        case footer = "footer"
        case repeatedHeader = "repeated header"
    }

    public var line: Int
    public var text: String
    public var reason: Reason

    public init(line: Int, text: String, reason: Reason) {
        self.line = line
        self.text = text
        self.reason = reason
    }
}

/// How the file is laid out: everything `inspect` shows before the rows.
public struct SpreadsheetLayout: Sendable {
    public var path: String
    public var encoding: EncodingReport
    public var delimiter: DelimiterReport
    public var headerLine: Int
    public var header: [String]
    /// Title and blank lines above the header.
    public var aboveHeader: [SkippedLine]
    /// Roughly how many data rows the file holds (from the size of the file and of its first rows).
    public var estimatedRows: Int
    /// For an .xlsx workbook: the sheet read, and all of them. Lines are then the sheet's rows.
    public var sheet: String?
    public var sheets: [String] = []
    /// For an .xlsx workbook: its day numbers count from 1904 (Excel for Mac), not 1900. A
    /// date cell is already written as a date; this is for day numbers in cells not formatted
    /// as dates.
    public var dates1904 = false
    /// What the reader chose that may be wrong, in words (rows that look like data skipped
    /// above the header).
    public var warnings: [String] = []
}

/// Column letters as a spreadsheet shows them: 0 → "A", 26 → "AA".
public enum ColumnLetters {
    public static func letters(for index: Int) -> String {
        var number = index + 1
        var letters = ""
        while number > 0 {
            let remainder = (number - 1) % 26
            letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
            number = (number - 1) / 26
        }
        return letters
    }
}

/// What a header row looks like beside the data: as wide as most rows, every cell a distinct
/// name, none of them an address or a number.
struct HeaderShape {
    var modalCount: Int

    /// As wide as the data, most of it filled.
    func isFullWidth(_ cells: [String]) -> Bool {
        modalCount >= 2 && cells.count >= modalCount && cells.filter { !$0.isEmpty }.count * 2 > modalCount
    }

    func isHeaderLike(_ cells: [String]) -> Bool {
        guard isFullWidth(cells) else { return false }
        let names = cells.filter { !$0.isEmpty }
        guard Set(names.map { $0.lowercased() }).count == names.count else { return false }
        return !names.contains(where: Self.isDataValue)
    }

    func looksLikeData(_ cells: [String]) -> Bool {
        isFullWidth(cells) && cells.contains(where: Self.isDataValue)
    }

    /// An email address, or a value with no letter at all (a number, a date, a phone, a ZIP).
    static func isDataValue(_ value: String) -> Bool {
        guard !value.isEmpty else { return false }
        if value.contains("@") && !value.hasPrefix("@") { return true }
        return !value.unicodeScalars.contains { $0.properties.isAlphabetic }
    }
}

/// A structural problem with one row; the row is still delivered so it can be reported.
public enum RecordProblem: Sendable, Equatable {
    /// A quotation mark inside a value that is not quoted, or text after a closing quote.
    /// `rest`: the broken value and the rest of its line, as they were in the file.
    case strayQuote(column: Int, rest: String = "")
    /// More non-empty values than the header has columns.
    case tooManyValues(found: Int, expected: Int)
    /// Fewer values than the header has columns.
    case tooFewValues(found: Int, expected: Int)
}

/// One data row. Its storage is reused for the next row: copy out what you keep.
public struct Record {
    public let line: Int
    /// The number of values, at most the header's column count (extra empty values are dropped).
    public let count: Int
    public let problem: RecordProblem?
    /// Every problem flag of every value together: empty for the usual row.
    public let flagsUnion: FieldFlags
    @usableFromInline let bytes: UnsafePointer<UInt8>
    @usableFromInline let ends: UnsafePointer<Int>
    @usableFromInline let flagStorage: UnsafePointer<FieldFlags>

    init(
        line: Int, count: Int, problem: RecordProblem?, bytes: UnsafePointer<UInt8>, ends: UnsafePointer<Int>,
        flagStorage: UnsafePointer<FieldFlags>, flagsUnion: FieldFlags
    ) {
        self.line = line
        self.count = count
        self.problem = problem
        self.bytes = bytes
        self.ends = ends
        self.flagStorage = flagStorage
        self.flagsUnion = flagsUnion
    }

    /// The UTF-8 bytes of value `index`; empty when the row has fewer values.
    @inlinable @inline(__always)
    public func bytes(at index: Int) -> UnsafeBufferPointer<UInt8> {
        guard index < count else { return UnsafeBufferPointer(start: nil, count: 0) }
        let start = index == 0 ? 0 : ends[index - 1]
        return UnsafeBufferPointer(start: bytes + start, count: ends[index] - start)
    }

    public func string(at index: Int) -> String {
        String(decoding: bytes(at: index), as: UTF8.self)
    }

    @inlinable @inline(__always)
    public func flags(at index: Int) -> FieldFlags {
        index < count ? flagStorage[index] : []
    }

    /// All values as strings, padded with empty strings to `width`.
    public func strings(width: Int) -> [String] {
        (0..<max(width, count)).map { string(at: $0) }
    }

    /// True when every value is empty.
    public var isBlank: Bool { byteCount == 0 }

    /// The bytes of all values together.
    @inlinable
    public var byteCount: Int { count == 0 ? 0 : ends[count - 1] }
}

extension Record {
    /// A data row as read: extra empty values dropped, and its width checked against the header's.
    init(_ raw: RawRecord, width: Int, lineMap: LineMap?) {
        var count = raw.count
        var problem: RecordProblem?
        let allEmpty = count == 0 || raw.ends[count - 1] == 0
        if let malformed = raw.malformed {
            problem = .strayQuote(column: malformed.fieldIndex, rest: String(decoding: malformed.rest, as: UTF8.self))
        } else if allEmpty {
            count = min(count, width)
        } else if count > width {
            // Extra values are harmless when empty (Excel pads rows to the widest one).
            var nonEmptyWidth = count
            while nonEmptyWidth > width && raw.ends[nonEmptyWidth - 1] == raw.ends[nonEmptyWidth - 2] {
                nonEmptyWidth -= 1
            }
            if nonEmptyWidth > width {
                problem = .tooManyValues(found: nonEmptyWidth, expected: width)
            } else {
                count = width
            }
        } else if count < width && lineMap == nil {
            // (A workbook's row is whole however short: Excel leaves out its empty cells.)
            problem = .tooFewValues(found: count, expected: width)
        }
        self.init(
            line: lineMap?.row(forLine: raw.line) ?? raw.line, count: count, problem: problem, bytes: raw.bytes,
            ends: raw.ends, flagStorage: raw.flags, flagsUnion: raw.flagsUnion)
    }
}

/// What reading the data rows found besides the rows themselves.
public struct ReadSummary: Sendable {
    public var encoding: EncodingReport
    /// Blank and footer lines after the header, with the lines they were on.
    public var skipped: [SkippedLine]
    /// The number of skipped lines, even when `skipped` was trimmed to bound memory.
    public var skippedCount: Int
    /// The last physical line of the file.
    public var lastLine: Int
    public var rowsDelivered: Int
}

/// Reads any HR export: detects encoding, delimiter and header row, then streams the data rows
/// through libcsv with their physical line numbers, in bounded memory.
public final class SpreadsheetReader {
    public let layout: SpreadsheetLayout
    let options: ReadOptions
    /// For a workbook: the copy's lines → the sheet's rows.
    let lineMap: LineMap?
    /// The header's line in what libcsv reads (the copy of a workbook's sheet).
    private let physicalHeaderLine: Int
    let source: FileSource
    let initialDecoding: FieldDecoding

    /// Opens `path` and settles its layout. `headerScore` rates how much a row looks like a header
    /// (the number of known column names it holds); the best-rated row among the first ones wins.
    public init(path: String, options: ReadOptions = ReadOptions(), headerScore: ([String]) -> Int = { _ in 0 })
        throws(SpreadsheetError)
    {
        self.options = options
        let source = try FileSource(path: path, forcedEncoding: options.encoding, sheet: options.sheet)
        let lineMap = source.workbook?.lineMap
        self.lineMap = lineMap
        var options = options
        // A header line is given as the sheet's row; the copy may have it on a later line.
        if let row = options.headerLine, let lineMap { options.headerLine = lineMap.line(forRow: row) }
        self.source = source
        let head = try source.decodedHead()

        var decoding: FieldDecoding
        var encodingReport = EncodingReport(
            encoding: source.encoding, hasBOM: source.hasBOM, givenByUser: options.encoding != nil,
            decidedAtLine: nil)
        switch source.encoding {
        case .utf16LE, .utf16BE:
            decoding = .transcoded
        case .windows1252:
            decoding = .windows1252
        case .macRoman:
            decoding = .macRoman
        case .utf8:
            if options.encoding == .utf8 {
                decoding = .utf8Required
            } else if let verdict = HeadEncodingSniffer.verdict(head: head.bytes, isWholeFile: head.isWholeFile) {
                encodingReport.decidedAtLine = verdict.line
                if verdict.isUTF8 {
                    decoding = .utf8Detected
                } else {
                    // Not UTF-8: Windows-1252 or Excel for Mac's Mac Roman, by where the letters are.
                    let guess = SingleByteGuess.judge(head.bytes, firstLine: 1)
                    decoding = guess.encoding == .macRoman ? .macRoman : .windows1252
                    encodingReport.encoding = guess.encoding
                    encodingReport.otherReading = guess.other
                }
            } else {
                decoding = .undecided
            }
        }
        initialDecoding = decoding

        let chosen: DelimiterSniffer.Candidate
        if let delimiter = options.delimiter {
            chosen = DelimiterSniffer.evaluate(
                delimiter, head: head.bytes, headIsWholeFile: head.isWholeFile, decoding: decoding)
        } else {
            chosen = DelimiterSniffer.choose(head: head.bytes, headIsWholeFile: head.isWholeFile, decoding: decoding)
        }
        guard !chosen.records.isEmpty else {
            throw SpreadsheetError(path: path, code: head.bytes.isEmpty ? .empty : .noHeader)
        }
        let headerIndex = try Self.headerIndex(in: chosen, options: options, path: path, headerScore: headerScore)
        physicalHeaderLine = chosen.lines[headerIndex]
        let headerLine = lineMap?.row(forLine: physicalHeaderLine) ?? physicalHeaderLine
        let headerWarning =
            options.headerLine == nil
            ? Self.skippedDataWarning(in: chosen, headerIndex: headerIndex) {
                lineMap?.row(forLine: chosen.lines[$0]) ?? chosen.lines[$0]
            } : nil
        var aboveHeader: [SkippedLine] = []
        for index in 0..<headerIndex {
            let text = chosen.records[index].filter { !$0.isEmpty }.joined(separator: " ")
            let line = lineMap?.row(forLine: chosen.lines[index]) ?? chosen.lines[index]
            aboveHeader.append(SkippedLine(line: line, text: text, reason: text.isEmpty ? .blank : .aboveHeader))
        }
        layout = SpreadsheetLayout(
            path: path, encoding: encodingReport,
            delimiter: DelimiterReport(
                delimiter: chosen.delimiter, givenByUser: options.delimiter != nil, columns: chosen.modalCount),
            headerLine: headerLine,
            header: Self.covering(
                Self.trimmedHeader(chosen.records[headerIndex]), width: source.workbook?.valueWidth ?? 0),
            aboveHeader: aboveHeader,
            estimatedRows: max(0, source.estimatedRecords(inHead: chosen.recordsInHead) - headerIndex - 1),
            sheet: source.workbook?.sheet, sheets: source.workbook?.sheets ?? [],
            dates1904: source.workbook?.dates1904 ?? false, warnings: headerWarning.map { [$0] } ?? [])
    }

    /// Rows above the header that look like data (as wide as the rest, with an address or a
    /// number in them): skipping them may be skipping people, so it is said, with the way out.
    static func skippedDataWarning(
        in candidate: DelimiterSniffer.Candidate, headerIndex: Int, lineOf: (Int) -> Int
    ) -> String? {
        let shape = HeaderShape(modalCount: candidate.modalCount)
        let dataLike = (0..<headerIndex).filter { shape.looksLikeData(candidate.records[$0]) }
        guard let first = dataLike.first else { return nil }
        let lines =
            dataLike.prefix(3).map { "\(lineOf($0))" }.joined(separator: ", ") + (dataLike.count > 3 ? ", …" : "")
        let example = candidate.records[first].filter { !$0.isEmpty }.prefix(3).joined(separator: ", ")
        return
            "the header was taken to be line \(lineOf(headerIndex)), so \(dataLike.count == 1 ? "line" : "lines") \(lines) above it, which \(dataLike.count == 1 ? "looks" : "look") like data (\"\(example)\"), \(dataLike.count == 1 ? "is" : "are") skipped. If the header is another line, name it with --header-line N."
    }

    /// A workbook's header, widened to every column that holds a value: a column to the right
    /// of the last named one (a note nobody labelled) is kept, named by its letter ("F").
    private static func covering(_ header: [String], width: Int) -> [String] {
        var header = header
        for index in header.indices where header[index].isEmpty && index < width {
            header[index] = ColumnLetters.letters(for: index)
        }
        while header.count < width { header.append(ColumnLetters.letters(for: header.count)) }
        return header
    }

    /// Header cells without the trailing empty ones Excel leaves when a sheet had wider rows.
    private static func trimmedHeader(_ cells: [String]) -> [String] {
        var cells = cells
        while let last = cells.last, last.isEmpty, cells.count > 1 { cells.removeLast() }
        return cells
    }

    private static func headerIndex(
        in candidate: DelimiterSniffer.Candidate, options: ReadOptions, path: String,
        headerScore: ([String]) -> Int
    ) throws(SpreadsheetError) -> Int {
        if let requested = options.headerLine {
            guard let index = candidate.lines.firstIndex(where: { $0 >= requested }),
                candidate.lines[index] == requested
            else {
                throw SpreadsheetError(
                    path: path,
                    code: .headerLineOutOfRange(requested: requested, lastLine: candidate.lines.last ?? 0))
            }
            return index
        }
        let searched = min(candidate.records.count, 30)
        var best: (index: Int, score: Int)?
        for index in 0..<searched {
            let score = headerScore(candidate.records[index])
            if score > 0 && score > (best?.score ?? 0) { best = (index, score) }
        }
        if let best {
            // A row that names known columns but holds data (an address, a number) is a data row
            // whose values happen to be words such as "Email": the header is the row of names
            // above the rows shaped like it, when there is one.
            let shape = HeaderShape(modalCount: candidate.modalCount)
            if !shape.isHeaderLike(candidate.records[best.index]),
                let names = (0..<best.index).first(where: { shape.isHeaderLike(candidate.records[$0]) })
            {
                return names
            }
            return best.index
        }
        // Nothing named a known column: the first row as wide as most rows is the header.
        if let index = candidate.records.firstIndex(where: {
            $0.count == candidate.modalCount && $0.contains { !$0.isEmpty }
        }) {
            return index
        }
        throw SpreadsheetError(path: path, code: .noHeader)
    }

    /// Streams every data row after the header to `body`, in file order. Blank rows and trailing
    /// footer rows are skipped and reported in the summary. `limit` stops after that many rows.
    public func readRecords(limit: Int? = nil, _ body: (Record) throws -> Void) throws -> ReadSummary {
        try readBatches(limit: limit) { batch in
            for index in 0..<batch.count { try body(batch[index]) }
        }
    }

    /// Streams the data rows in batches of up to a few thousand, each valid during the call.
    /// Working a batch at a time lets a caller overlap its memory accesses across rows.
    ///
    /// Files over a few megabytes are parsed on a second thread while `body` runs on this one,
    /// through a bounded hand-over, so memory stays flat and both cores work. When `body` falls
    /// behind, that thread runs `prepare` on a batch before handing it over (instead of waiting),
    /// and `body` finds the result in `batch.prepared`; `prepare` must be safe to run on another
    /// thread than `body`, one batch at a time.
    public func readBatches(
        limit: Int? = nil, prepare: ((RecordBatch) -> AnyObject?)? = nil, _ body: (RecordBatch) throws -> Void
    ) throws -> ReadSummary {
        let parser = LibCSVParser(
            delimiter: layout.delimiter.delimiter.rawValue, decoding: initialDecoding, limits: options.limits)
        if limit == nil && source.size > options.pipelineThreshold {
            return try pipelined(parser: parser, prepare: prepare, body)
        }
        return try withoutActuallyEscaping(body) { body in
            var consumer = BatchingConsumer(deliver: DirectDelivery(body: body))
            let summary = try stream(parser: parser, limit: limit, into: &consumer)
            try consumer.flush()
            return summary
        }
    }

    private func pipelined(
        parser: LibCSVParser, prepare: ((RecordBatch) -> AnyObject?)?, _ body: (RecordBatch) throws -> Void
    ) throws -> ReadSummary {
        let pipeline = RowPipeline(prepare: prepare, everyOther: options.preparesEveryOtherBatch)
        let work = Handover(value: (reader: self, parser: parser))
        pipeline.startProducer {
            var consumer = BatchingConsumer(deliver: pipeline)
            do {
                let summary = try work.value.reader.stream(parser: work.value.parser, limit: nil, into: &consumer)
                try consumer.flush()
                _ = pipeline.put(.end(summary))
            } catch {
                _ = pipeline.put(.failure(error))
            }
        }
        defer {
            pipeline.close()
            pipeline.join()
        }
        while let item = pipeline.take() {
            switch item {
            case .batch(let batch):
                try batch.withView(body)
                pipeline.recycle(batch)
            case .end(let summary):
                return summary
            case .failure(let error):
                throw error
            }
        }
        throw PipelineClosed()
    }

    private func stream<Consumer: RecordConsumer>(parser: LibCSVParser, limit: Int?, into consumer: inout Consumer)
        throws -> ReadSummary
    {
        let box = StreamBox(
            RecordStream(
                headerLine: physicalHeaderLine, header: layout.header, limit: limit, lineMap: lineMap,
                consumer: consumer))
        defer { consumer = box.stream.consumer }
        let sink: (RawRecord) -> Void = { box.stream.accept($0) }
        let mark: (ReplayPoint) -> Void = { box.stream.mark($0) }
        do {
            try source.forEachDecodedChunk { chunk in
                try parser.parse(chunk, sink, mark: mark)
                if let error = box.stream.consumerError { throw error }
                return !box.stream.isDone
            }
            if !box.stream.isDone { try parser.finish(sink) }
        } catch let failure as ParseFailure {
            throw Self.spreadsheetError(failure, path: layout.path, limits: options.limits)
        }
        if let error = box.stream.consumerError { throw error }
        box.stream.flushTrailing()
        if let error = box.stream.consumerError { throw error }

        var encoding = layout.encoding
        if encoding.decidedAtLine == nil, let line = parser.firstNonASCIILine {
            encoding.decidedAtLine = line
            encoding.encoding = parser.decoding == .windows1252 ? .windows1252 : .utf8
        }
        return ReadSummary(
            encoding: encoding, skipped: box.stream.skipped, skippedCount: box.stream.skippedCount,
            lastLine: parser.currentLine, rowsDelivered: box.stream.delivered)
    }

    static func spreadsheetError(_ failure: ParseFailure, path: String, limits: ParseLimits) -> SpreadsheetError {
        switch failure {
        case .fieldTooLong(let line):
            SpreadsheetError(path: path, code: .fieldTooLong(line: line, limit: limits.maxFieldBytes))
        case .rowTooLong(let line):
            SpreadsheetError(path: path, code: .rowTooLong(line: line, limit: limits.maxRowBytes))
        case .tooManyFields(let line):
            SpreadsheetError(path: path, code: .tooManyColumns(line: line, limit: limits.maxFields))
        case .unterminatedQuote(let line):
            SpreadsheetError(path: path, code: .unterminatedQuote(line: line))
        }
    }
}

/// Where a stream of records goes: straight to the caller, or into batches for another thread.
protocol RecordConsumer {
    mutating func consume(_ record: Record) throws
    /// A replay point, passed on before any record that starts after it.
    mutating func mark(_ point: ReplayPoint)
}

/// Where full batches go: to the caller on this thread, or over the pipeline to another.
protocol BatchDelivery {
    /// Takes the batch and returns an empty one to fill next.
    func deliver(_ batch: RowBatch) throws -> RowBatch
    func freshBatch() -> RowBatch
}

/// Hands each full batch to the caller right away and reuses it.
struct DirectDelivery: BatchDelivery {
    let body: (RecordBatch) throws -> Void

    func deliver(_ batch: RowBatch) throws -> RowBatch {
        try batch.withView(body)
        batch.removeAll()
        return batch
    }

    func freshBatch() -> RowBatch { RowBatch() }
}

extension RowPipeline: BatchDelivery {
    func deliver(_ batch: RowBatch) throws -> RowBatch {
        guard handOver(batch) else { throw PipelineClosed() }
        return freshBatch()
    }
}

/// Fills batches with the stream's records and delivers each full one.
struct BatchingConsumer<Delivery: BatchDelivery>: RecordConsumer {
    let delivery: Delivery
    var batch: RowBatch

    init(deliver delivery: Delivery) {
        self.delivery = delivery
        batch = delivery.freshBatch()
    }

    mutating func consume(_ record: Record) throws {
        batch.append(record)
        if batch.isFull { batch = try delivery.deliver(batch) }
    }

    mutating func mark(_ point: ReplayPoint) { batch.points.append(point) }

    /// Delivers the last, partly filled batch.
    mutating func flush() throws {
        if !batch.isEmpty { batch = try delivery.deliver(batch) }
    }
}

/// The stream the parser's callbacks feed, in a box their closures share. Only the reading
/// thread touches it, one call at a time, so the dynamic exclusivity check a captured `var`
/// would get on every record is left out.
private final class StreamBox<Consumer: RecordConsumer> {
    @exclusivity(unchecked) var stream: RecordStream<Consumer>
    init(_ stream: RecordStream<Consumer>) { self.stream = stream }
}

/// Turns raw libcsv records into data rows: drops lines above the header, checks each row's
/// width against the header, and holds blank and footer-like rows until it knows whether more
/// data follows them.
private struct RecordStream<Consumer: RecordConsumer> {
    let headerLine: Int
    let width: Int
    let header: [[UInt8]]
    let limit: Int?
    /// For a workbook's copy: its lines → the sheet's rows, for every line reported.
    let lineMap: LineMap?
    var consumer: Consumer
    var consumerError: (any Error)?
    var delivered = 0
    var skipped: [SkippedLine] = []
    var skippedCount = 0
    /// Rows that look like blank lines or footers, waiting to learn whether data follows.
    private var held: [HeldRecord] = []
    private var maxHeld: Int { 1000 }
    private var maxSkippedKept: Int { 1000 }

    init(headerLine: Int, header: [String], limit: Int?, lineMap: LineMap?, consumer: Consumer) {
        self.lineMap = lineMap
        self.headerLine = headerLine
        self.width = header.count
        self.header = header.map { Array($0.utf8) }
        self.limit = limit
        self.consumer = consumer
    }

    var isDone: Bool { consumerError != nil || (limit.map { delivered >= $0 } ?? false) }

    mutating func mark(_ point: ReplayPoint) {
        if !isDone { consumer.mark(point) }
    }

    mutating func accept(_ raw: RawRecord) {
        guard raw.line > headerLine, !isDone else { return }
        let record = makeRecord(raw)
        if record.isBlank && record.problem == nil {
            held.append(HeldRecord(line: raw.line, text: "", isBlank: true))
            return
        }
        if repeatsHeader(record) {
            // Paginated exports repeat the header on every page; it is no recipient.
            releaseHeld()
            skip(
                SkippedLine(
                    line: raw.line, text: header.map { String(decoding: $0, as: UTF8.self) }.joined(separator: ", "),
                    reason: .repeatedHeader))
            return
        }
        // A one-cell footer ("Total: 3") has fewer values than the header: still a footer.
        if record.problem == nil || Self.isShort(record.problem), let text = footerText(record) {
            if held.count < maxHeld {
                held.append(HeldRecord(copying: raw, text: text))
                return
            }
        }
        releaseHeld()
        deliver(record)
    }

    /// At the end of the file every held row is a trailing blank or footer row.
    mutating func flushTrailing() {
        for row in held {
            skip(SkippedLine(line: row.line, text: row.text, reason: row.isBlank ? .blank : .footer))
        }
        held.removeAll()
    }

    /// Data follows the held rows: blank ones are skipped, footer-like ones were data after all.
    private mutating func releaseHeld() {
        guard !held.isEmpty else { return }
        let rows = held
        held.removeAll()
        for row in rows {
            if row.isBlank {
                skip(SkippedLine(line: row.line, text: "", reason: .blank))
            } else {
                row.withRaw { raw in deliver(makeRecord(raw)) }
            }
        }
    }

    private mutating func skip(_ line: SkippedLine) {
        var line = line
        if let lineMap { line.line = lineMap.row(forLine: line.line) }
        skippedCount += 1
        if skipped.count < maxSkippedKept { skipped.append(line) }
    }

    private mutating func deliver(_ record: Record) {
        guard !isDone else { return }
        delivered += 1
        do {
            try consumer.consume(record)
        } catch {
            consumerError = error
        }
    }

    private func makeRecord(_ raw: RawRecord) -> Record {
        Record(raw, width: width, lineMap: lineMap)
    }

    private static func isShort(_ problem: RecordProblem?) -> Bool {
        if case .tooFewValues = problem { return true }
        return false
    }

    private func repeatsHeader(_ record: Record) -> Bool {
        guard record.count == width, width > 1 else { return false }
        for index in 0..<width where !record.bytes(at: index).elementsEqual(header[index]) { return false }
        return true
    }

    /// The text of a row that reads like a report footer ("Total", "Count: 12", "Generated by…")
    /// and holds few values; nil for anything else.
    private func footerText(_ record: Record) -> String? {
        // Counting non-empty values needs no strings; most rows stop here.
        var nonEmptyCount = 0
        for index in 0..<record.count where !record.bytes(at: index).isEmpty {
            nonEmptyCount += 1
            if nonEmptyCount > max(2, width / 3) { return nil }
        }
        let nonEmpty = (0..<record.count).filter { !record.bytes(at: $0).isEmpty }.map { record.string(at: $0) }
        guard let first = nonEmpty.first, FooterPattern.matches(first) else { return nil }
        return nonEmpty.joined(separator: " ")
    }
}

/// Words that start the footer lines HR systems append to exports.
enum FooterPattern {
    private static let prefixes = [
        "total", "totals", "grand total", "subtotal", "sub-total", "count", "record count", "row count",
        "number of", "generated", "report generated", "printed", "run date", "end of report", "page ",
        "confidential", "sum", "employees:", "workers:", "records:", "rows:",
    ]

    static func matches(_ text: String) -> Bool {
        let lower = text.lowercased().trimmingPrefix(while: { $0 == " " || $0 == "*" || $0 == "-" || $0 == "=" })
        // The word must end there: "Total:" and "Sum 12" are footers, "Summer" is a name.
        for prefix in prefixes where lower.hasPrefix(prefix) {
            guard let next = lower.dropFirst(prefix.count).first else { return true }
            if prefix.hasSuffix(" ") || !next.isLetter { return true }
        }
        // "42 records", "1,204 employees"
        let words = lower.split(separator: " ")
        if words.count == 2, words[0].allSatisfy({ $0.isNumber || $0 == "," }),
            ["records", "rows", "employees", "workers", "people", "recipients"].contains(String(words[1]))
        {
            return true
        }
        return false
    }
}

/// A copy of a held row, so it can be delivered after libcsv has reused its buffers.
private struct HeldRecord {
    var line: Int
    var text: String
    var isBlank: Bool
    var bytes: [UInt8] = []
    var ends: [Int] = []
    var flags: [FieldFlags] = []

    init(line: Int, text: String, isBlank: Bool) {
        self.line = line
        self.text = text
        self.isBlank = isBlank
    }

    init(copying raw: RawRecord, text: String) {
        line = raw.line
        self.text = text
        isBlank = false
        let total = raw.count == 0 ? 0 : raw.ends[raw.count - 1]
        bytes = Array(UnsafeBufferPointer(start: raw.bytes, count: total))
        ends = Array(UnsafeBufferPointer(start: raw.ends, count: raw.count))
        flags = Array(UnsafeBufferPointer(start: raw.flags, count: raw.count))
    }

    func withRaw(_ body: (RawRecord) -> Void) {
        bytes.withUnsafeBufferPointer { bytePointer in
            ends.withUnsafeBufferPointer { endPointer in
                flags.withUnsafeBufferPointer { flagPointer in
                    // A held footer row always has a non-empty value, so every buffer has an address.
                    guard let base = bytePointer.baseAddress, let endBase = endPointer.baseAddress,
                        let flagBase = flagPointer.baseAddress
                    else { return }
                    body(
                        RawRecord(
                            line: line, count: ends.count, bytes: base, ends: endBase, flags: flagBase, malformed: nil,
                            flagsUnion: flags.reduce(into: []) { $0.formUnion($1.intersection(.problems)) }))
                }
            }
        }
    }
}
