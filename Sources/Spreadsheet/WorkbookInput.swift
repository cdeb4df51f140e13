import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An `.xlsx` workbook read directly: one sheet's cells written out, row by row, as a private
/// CSV file that the CSV reader (libcsv) then reads like any export, so a workbook gets the same
/// header detection, title and footer handling, checks and messages as a CSV file.
///
/// The package is opened with ZIPFoundation; the sheet and its shared strings are extracted to
/// private temporary files and read with Foundation's streaming `XMLParser`, so a 200,000-row
/// sheet is never held in memory (the shared strings are, packed into one byte buffer).
///
/// Values come out as Excel shows them: numbers Excel stored for ZIP codes and IDs as their
/// digits (`2134`, which the ZIP check then repairs to `02134`, with its usual warning), dates
/// as `2026-11-30`, booleans as `TRUE`/`FALSE`. Rows keep their numbers: a finding about sheet
/// row 7 says line 7, and column letters are the sheet's own (`LineMap`).
enum WorkbookInput {
    /// What reading the workbook produced.
    struct Converted: Sendable {
        /// The private CSV copy of the sheet.
        var path: String
        var sheet: String
        var sheets: [String]
        var lineMap: LineMap
        /// The workbook counts days from 1904 (`<workbookPr date1904="1"/>`, Excel for Mac), not 1900.
        var dates1904 = false
        /// Columns up to the rightmost that holds a value anywhere in the sheet.
        var valueWidth = 0
    }

    /// The most a sheet's values may come to: 32 times its XML and shared strings, and never
    /// less than 16 MiB (a 100,000-person roster's values come to about 20 MiB, from far more XML). A roster's cells are mostly shorter than the XML around them; only a
    /// workbook built to expand (one long string in thousands of cells) comes near it.
    static func expansionBudget(partBytes: Int) -> Int {
        max(16 << 20, partBytes.multipliedReportingOverflow(by: 32).partialValue)
    }

    /// Workbooks already converted, by path and sheet: the reader opens its input twice.
    private static let converted = Guarded<[String: Converted]>([:])

    static func convert(_ path: String, sheet wanted: String?) throws(SpreadsheetError) -> Converted {
        // The same file (path, inode, size and time) and sheet: converted once per process.
        let key = InputFile.identity(of: path) + "\u{0}" + (wanted ?? "")
        if let done = converted.withLock({ $0[key] }) { return done }
        let result: Converted
        do {
            result = try WorkbookConverter(path: path).convert(sheet: wanted)
        } catch let error as SpreadsheetError {
            throw error
        } catch is Archive.ArchiveError {
            throw SpreadsheetError(
                path: path, code: .unreadableWorkbook(reason: "the package is damaged or incomplete"))
        } catch {
            throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: error.localizedDescription))
        }
        converted.withLock { $0[key] = result }
        return result
    }
}

/// Checks that bytes arriving in chunks are UTF-8, a sequence split between two chunks included.
/// Each chunk is checked where it lies; only the few bytes of a split sequence are copied.
struct UTF8Stream {
    /// The start of a sequence the last chunk ended inside.
    private var pending: [UInt8] = []

    /// False once the bytes so far cannot be UTF-8.
    mutating func accepts(_ chunk: Data) -> Bool {
        var chunk = chunk[...]
        if !pending.isEmpty {
            // Finish the split sequence first, from the chunk's first bytes.
            let needed = Self.length(of: pending[0]) - pending.count
            let joined = pending + chunk.prefix(needed)
            chunk = chunk.dropFirst(needed)
            pending = []
            guard check(joined[...]) else { return false }
        }
        return check(chunk)
    }

    /// Checks `bytes` in place; a sequence cut by their end is kept in `pending`.
    private mutating func check<Bytes: DataProtocol & ContiguousBytes>(_ bytes: Bytes) -> Bool {
        bytes.withUnsafeBytes { raw -> Bool in
            let buffer = raw.bindMemory(to: UInt8.self)
            guard let base = buffer.baseAddress else { return true }
            let valid = UTF8Validation.validPrefixLength(base, buffer.count)
            let rest = UnsafeBufferPointer(rebasing: buffer[valid...])
            guard let lead = rest.first else { return true }
            // What is left may only be the start of a sequence cut by the chunk's end.
            guard (0xC2...0xF4).contains(lead), rest.count < Self.length(of: lead),
                rest.dropFirst().allSatisfy({ $0 & 0xC0 == 0x80 })
            else { return false }
            pending = Array(rest)
            return true
        }
    }

    /// The length of the sequence a lead byte starts.
    private static func length(of lead: UInt8) -> Int { lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2 }

    /// True when no sequence was left unfinished.
    var isComplete: Bool { pending.isEmpty }
}

/// Physical lines of the CSV copy → the sheet's row numbers. They differ only after a cell with
/// a line break in it (which takes more than one line of CSV); otherwise line n is row n.
public struct LineMap: Sendable, Equatable {
    /// (first CSV line of a sheet row, that row), one entry wherever the two stop being equal.
    private var starts: [(line: Int, row: Int)] = []

    public static func == (lhs: LineMap, rhs: LineMap) -> Bool {
        lhs.starts.map(\.line) == rhs.starts.map(\.line) && lhs.starts.map(\.row) == rhs.starts.map(\.row)
    }

    mutating func record(line: Int, row: Int) {
        let expected = starts.last.map { $0.row + (line - $0.line) } ?? line
        if expected != row { starts.append((line, row)) }
    }

    /// The sheet row a CSV line belongs to.
    public func row(forLine line: Int) -> Int {
        var low = 0
        var high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle].line <= line { low = middle + 1 } else { high = middle }
        }
        guard low > 0 else { return line }
        let entry = starts[low - 1]
        return entry.row + (line - entry.line)
    }

    /// The CSV line where a sheet row starts (for `--header-line`, given as a row).
    public func line(forRow row: Int) -> Int {
        var line = row
        for entry in starts where entry.row <= row { line = entry.line + (row - entry.row) }
        return line
    }
}

/// Reads one workbook package.
private struct WorkbookConverter {
    let path: String

    func convert(sheet wanted: String?) throws -> WorkbookInput.Converted {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        let scratch = try Scratch()
        func extract(_ name: String) throws -> URL? {
            guard let entry = archive[name] else { return nil }
            let url = scratch.url(for: name)
            guard
                FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]),
                let output = FileHandle(forWritingAtPath: url.path)
            else {
                throw SpreadsheetError(
                    path: path, code: .unreadableWorkbook(reason: "a private copy could not be made"))
            }
            defer { try? output.close() }
            // Chunk by chunk through our own handle (ZIPFoundation's extract-to-URL leaks a path
            // buffer each time, and this keeps the part's permissions ours). Extracting this way
            // ZIPFoundation computes the checksum but leaves comparing it to us; and a part that
            // is not UTF-8 is refused here, as FoundationXML's parser stops the process on one.
            var text = UTF8Stream()
            let notUTF8 = SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "\(name) is not UTF-8 text"))
            let checksum = try archive.extract(entry, skipCRC32: false) { chunk in
                guard text.accepts(chunk) else { throw notUTF8 }
                try output.write(contentsOf: chunk)
            }
            guard checksum == entry.checksum else {
                throw SpreadsheetError(
                    path: path,
                    code: .unreadableWorkbook(reason: "the package is damaged (\(name) does not match its checksum)"))
            }
            guard text.isComplete else { throw notUTF8 }
            return url
        }
        guard let workbookURL = try extract("xl/workbook.xml") else {
            throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "it has no xl/workbook.xml"))
        }
        let book = WorkbookPart()
        book.parse(workbookURL)
        let relations = RelationsPart()
        if let url = try extract("xl/_rels/workbook.xml.rels") { relations.parse(url) }
        guard !book.sheets.isEmpty else {
            throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "it has no sheets"))
        }
        let names = book.sheets.map(\.name)
        // Chart sheets have no rows: the first sheet read is the first worksheet.
        let worksheets = book.sheets.filter { !relations.isChart($0.relation) }
        let chosen: (name: String, relation: String)
        if let wanted {
            guard let match = book.sheets.first(where: { $0.name.caseInsensitiveCompare(wanted) == .orderedSame })
            else {
                throw SpreadsheetError(path: path, code: .noSuchSheet(wanted, sheets: names))
            }
            guard !relations.isChart(match.relation) else {
                throw SpreadsheetError(path: path, code: .chartSheet(match.name, worksheets: worksheets.map(\.name)))
            }
            chosen = match
        } else {
            guard let first = worksheets.first else {
                throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "it has only chart sheets"))
            }
            chosen = first
        }
        func partPath(_ relation: String) -> String {
            var target = relations.targets[relation] ?? "worksheets/sheet1.xml"
            if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
            return target
        }
        guard let sheetURL = try extract(partPath(chosen.relation)) else {
            throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "sheet \"\(chosen.name)\" is missing"))
        }
        let strings = SharedStrings()
        let stringsURL = try extract("xl/sharedStrings.xml")
        if let url = stringsURL, !strings.parse(url) {
            throw SpreadsheetError(path: path, code: .unreadableWorkbook(reason: "its shared strings are damaged"))
        }
        let styles = StylesPart()
        if let url = try extract("xl/styles.xml") { styles.parse(url) }

        let output = try scratch.keep("sheet.csv")
        let writer = try CSVFileWriter(path: output, format: .init(byteOrderMark: false, crlf: false))
        // The copy's size is bounded by what the workbook holds, so reading time is too.
        let partBytes = [sheetURL, stringsURL].compactMap { $0 }.reduce(0) {
            $0 + ((try? FileManager.default.attributesOfItem(atPath: $1.path)[.size] as? Int) ?? 0)
        }
        let sheet = SheetPart(
            strings: strings, dateStyles: styles.dateStyles, dateSystem: book.dates1904 ? .from1904 : .from1900,
            writer: writer, budget: WorkbookInput.expansionBudget(partBytes: partBytes))
        let wellFormed = sheet.parse(sheetURL)
        if sheet.overBudget {
            throw SpreadsheetError(
                path: path, code: .expandsTooFar(sheet: chosen.name, row: sheet.rowInProgress, limit: sheet.budget))
        }
        if let failure = sheet.failure {
            throw failure.path.isEmpty ? SpreadsheetError(path: path, code: failure.code) : failure
        }
        guard wellFormed else {
            throw SpreadsheetError(
                path: path,
                code: .unreadableWorkbook(reason: "sheet \"\(chosen.name)\" is damaged after row \(sheet.lastRow)"))
        }
        if sheet.lastRow == 0, wanted == nil {
            // An empty first sheet says where the rows are, rather than "empty".
            let withData = try worksheets.dropFirst().filter { other in
                guard let url = try extract(partPath(other.relation)) else { return false }
                let probe = ValueProbe()
                probe.parse(url)
                return probe.hasValue
            }
            if !withData.isEmpty {
                throw SpreadsheetError(path: path, code: .emptySheet(chosen.name, withData: withData.map(\.name)))
            }
        }
        try writer.commit()
        InputFile.registerForRemoval(output)
        // The extracted parts were needed only to write the copy.
        for part in (try? FileManager.default.contentsOfDirectory(atPath: scratch.directory.path)) ?? []
        where part != "sheet.csv" {
            try? FileManager.default.removeItem(at: scratch.directory.appendingPathComponent(part))
        }
        return WorkbookInput.Converted(
            path: output, sheet: chosen.name, sheets: names, lineMap: sheet.lineMap, dates1904: book.dates1904,
            valueWidth: sheet.valueWidth)
    }
}

/// A private folder for the extracted parts; the CSV copy is kept until the process exits.
private struct Scratch {
    let directory: URL

    init() throws {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        directory = URL(fileURLWithPath: base).appendingPathComponent("goody-batch-xlsx-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        InputFile.registerForRemoval(directory.path)
    }

    func url(for part: String) -> URL {
        directory.appendingPathComponent(part.replacingOccurrences(of: "/", with: "_"))
    }

    func keep(_ name: String) throws -> String { directory.appendingPathComponent(name).path }
}

/// A SAX walk over one extracted XML part.
private class PartParser: NSObject, XMLParserDelegate {
    var text = ""
    var collecting = false

    private weak var parser: XMLParser?

    /// False when the part is not well-formed XML.
    @discardableResult
    func parse(_ url: URL) -> Bool {
        guard let parser = XMLParser(contentsOf: url) else { return false }
        parser.delegate = self
        self.parser = parser
        // Elements are matched by local name within the spreadsheet's own namespaces, so a
        // prefixed part (`<x:workbook>`, as the .NET Open XML SDK writes) reads like Excel's, and
        // an extension's elements (`<x14:…>`, `<mc:…>`) are never taken for cells.
        parser.shouldProcessNamespaces = true
        return parser.parse()
    }

    /// SpreadsheetML (transitional and strict) and the package's relationships.
    private static let namespaces: Set<String> = [
        "http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main",
        "http://schemas.openxmlformats.org/package/2006/relationships", "",
    ]

    /// Ends the walk early (what was read so far is all `parse` reports).
    func stop() { parser?.abortParsing() }

    func start(_ name: String, _ attributes: [String: String]) {}
    func end(_ name: String) {}

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        guard Self.namespaces.contains(namespaceURI ?? "") else { return }
        start(name, attributes)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard Self.namespaces.contains(namespaceURI ?? "") else { return }
        end(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if collecting { text += string }
    }
}

private final class WorkbookPart: PartParser {
    var sheets: [(name: String, relation: String)] = []
    /// Dates count from 1 Jan 1904 (Excel for Mac's date system), not from 1900.
    var dates1904 = false

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "sheet", let sheetName = attributes["name"] {
            // The relationship ID, whatever prefix its namespace has (`r:id` in Excel's files).
            let relation = attributes["r:id"] ?? attributes.first { $0.key.hasSuffix(":id") }?.value
            sheets.append((sheetName, relation ?? ""))
        }
        if name == "workbookPr", let value = attributes["date1904"] {
            dates1904 = value == "1" || value.lowercased() == "true"
        }
    }
}

private final class RelationsPart: PartParser {
    var targets: [String: String] = [:]
    var types: [String: String] = [:]

    /// A chart sheet (`…/relationships/chartsheet`), which has no cells.
    func isChart(_ relation: String) -> Bool { types[relation]?.hasSuffix("/chartsheet") == true }

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "Relationship", let id = attributes["Id"], let target = attributes["Target"] {
            targets[id] = target
            types[id] = attributes["Type"]
        }
    }
}

/// Whether a sheet holds any cell value (stops looking at the first).
private final class ValueProbe: PartParser {
    private(set) var hasValue = false

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "v" || name == "t" { collecting = true }
    }

    override func end(_ name: String) {
        if (name == "v" || name == "t") && !text.trimmingCharacters(in: .whitespaces).isEmpty { hasValue = true }
        collecting = false
        text = ""
    }
}

/// The shared strings, packed into one buffer (a String each would cost several times more).
private final class SharedStrings: PartParser {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// Line breaks in each string, counted once rather than at each cell that shows it.
    private var breaks: [Int] = []
    private var inPhonetic = false

    subscript(index: Int) -> String? {
        guard index >= 0, index < ends.count else { return nil }
        let start = index == 0 ? 0 : ends[index - 1]
        return String(decoding: bytes[start..<ends[index]], as: UTF8.self)
    }

    func lineBreaks(_ index: Int) -> Int { index >= 0 && index < breaks.count ? breaks[index] : 0 }

    override func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "si":
            text = ""
            collecting = true
        case "rPh": inPhonetic = true  // phonetic guides are not part of the value
        case "t": collecting = !inPhonetic
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "rPh": inPhonetic = false
        case "si":
            bytes.append(contentsOf: text.utf8)
            ends.append(bytes.count)
            breaks.append(SheetPart.lineBreaks(in: text))
            collecting = false
        default: break
        }
    }
}

/// Which cell styles show a number as a date.
private final class StylesPart: PartParser {
    private var formats: [Int: String] = [:]
    private var inCellFormats = false
    private(set) var dateStyles: [DateStyle?] = []

    override func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init) { formats[id] = attributes["formatCode"] ?? "" }
        case "cellXfs": inCellFormats = true
        case "xf" where inCellFormats:
            let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
            dateStyles.append(DateStyle.of(id: id, code: formats[id]))
        default: break
        }
    }

    override func end(_ name: String) {
        if name == "cellXfs" { inCellFormats = false }
    }
}

/// What a date-formatted cell shows.
enum DateStyle {
    case date
    case time
    case dateTime

    /// What a number format shows of a date: built-in formats 14–17 (and the East Asian 27–36,
    /// 50–58) are dates, 18–21 and 45–47 times, 22 both; a custom format shows a date when it
    /// holds a day, a year or (with no hour or second beside it) a month outside quotes and
    /// brackets, and a time when it holds an hour or a second.
    static func of(id: Int, code: String?) -> DateStyle? {
        switch id {
        case 14...17, 27...36, 50...58: return .date
        case 18...21, 45...47: return .time
        case 22: return .dateTime
        default: break
        }
        guard let code else { return nil }
        var plain = ""
        var inQuotes = false
        var inBrackets = false
        var escaped = false
        for character in code.lowercased() {
            if escaped {
                escaped = false
                continue
            }
            switch character {
            case "\\": escaped = true
            case "\"": inQuotes.toggle()
            case "[": inBrackets = true
            case "]": inBrackets = false
            default: if !inQuotes && !inBrackets { plain.append(character) }
            }
        }
        guard !plain.contains("general") else { return nil }
        let time = plain.contains("h") || plain.contains("s")
        let date = plain.contains("d") || plain.contains("y") || (!time && plain.contains("m"))
        switch (date, time) {
        case (true, true): return .dateTime
        case (true, false): return .date
        case (false, true): return .time
        case (false, false): return nil
        }
    }
}

/// Where a workbook's day numbers count from.
enum DateSystem {
    /// Day 1 is 1 Jan 1900, with Excel's (and Lotus 1-2-3's) 29 Feb 1900 as day 60.
    case from1900
    /// Day 0 is 1 Jan 1904 (Excel for Mac's workbooks, `date1904`).
    case from1904

    /// The day number of 1 Jan 1970 (days before day 61 in 1900 are one later: see `date`).
    var unixEpochSerial: Double {
        switch self {
        case .from1900: 25_569
        case .from1904: 24_107
        }
    }
}

/// The sheet, streamed: each row's cells become one CSV record, written as the row ends.
private final class SheetPart: PartParser {
    let strings: SharedStrings
    let dateStyles: [DateStyle?]
    let dateSystem: DateSystem
    let writer: CSVFileWriter
    var lineMap = LineMap()
    var failure: SpreadsheetError?
    private var row: [String] = []
    /// The widest row so far: Excel leaves out empty cells at a row's end, and a shorter row
    /// is padded to it, so no row below the header reads as having too few values.
    private var width = 0
    /// The columns up to the rightmost one that holds a value in any row: what the header must
    /// cover so that a note in an unlabelled column is kept, not taken for a broken row.
    private(set) var valueWidth = 0
    private var rowNumber = 0
    /// Line breaks in the row's values: its record takes this many more lines of CSV.
    private var rowBreaks = 0
    private var lastRowWritten = 0
    var lastRow: Int { lastRowWritten }
    /// The CSV line the next record starts on.
    private var nextLine = 1
    private var cellColumn = 0
    private var cellType = ""
    private var cellStyle = 0
    private var value = ""
    private var inlineText = ""
    private var inInline = false

    /// The bytes of values the copy may hold, and those written or pending so far.
    let budget: Int
    private var spent = 0
    private(set) var overBudget = false
    var rowInProgress: Int { rowNumber }

    init(
        strings: SharedStrings, dateStyles: [DateStyle?], dateSystem: DateSystem, writer: CSVFileWriter, budget: Int
    ) {
        self.strings = strings
        self.dateStyles = dateStyles
        self.dateSystem = dateSystem
        self.writer = writer
        self.budget = budget
    }

    /// Counts bytes the copy will hold; past the budget, parsing stops.
    private func spend(_ bytes: Int) {
        spent += bytes
        if spent > budget && !overBudget {
            overBudget = true
            stop()
        }
    }

    override func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "row":
            rowNumber = attributes["r"].flatMap(Int.init) ?? lastRowWritten + 1
            row.removeAll(keepingCapacity: true)
            rowBreaks = 0
            // Excel's sheets end at row 1,048,576: a number past it (or below 1) is damage, and
            // would otherwise be a billion blank lines.
            guard (1...Self.lastRow).contains(rowNumber) else { return damaged("row number \(attributes["r"] ?? "")") }
        case "c":
            guard let column = attributes["r"].map(Self.column(of:)) ?? row.count else {
                return damaged("cell reference \(attributes["r"] ?? "")")
            }
            cellColumn = column
            cellType = attributes["t"] ?? "n"
            cellStyle = max(attributes["s"].flatMap(Int.init) ?? 0, 0)
            value = ""
            inlineText = ""
        case "v":
            text = ""
            collecting = true
        case "is": inInline = true
        case "t" where inInline:
            text = ""
            collecting = true
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "v":
            value = text
            collecting = false
        case "t" where inInline:
            inlineText += text
            collecting = false
        case "is": inInline = false
        case "c":
            guard !overBudget else { return }
            // A cell far to the right pads this row and, through `width`, every row after it.
            spend(max(cellColumn + 1 - max(row.count, width), 0))
            while row.count < cellColumn { row.append("") }
            let shown = self.shown()
            spend(shown.utf8.count + 1)
            guard !overBudget else { return }
            rowBreaks += cellType == "s" ? Int(value).map(strings.lineBreaks) ?? 0 : Self.lineBreaks(in: shown)
            if cellColumn < row.count { row[cellColumn] = shown } else { row.append(shown) }
            if !shown.isEmpty { valueWidth = max(valueWidth, cellColumn + 1) }
        case "row": writeRow()
        default: break
        }
    }

    /// The cell as Excel shows it.
    private func shown() -> String {
        switch cellType {
        case "s": return Int(value).flatMap { strings[$0] } ?? ""
        case "inlineStr": return inlineText
        case "str", "e", "d": return value
        case "b": return value == "1" ? "TRUE" : "FALSE"
        default:
            guard let number = Double(value) else { return value }
            if cellStyle < dateStyles.count, let style = dateStyles[cellStyle] {
                return Self.date(number, style: style, system: dateSystem) ?? Self.digits(number, raw: value)
            }
            return Self.digits(number, raw: value)
        }
    }

    /// 2134.0 → "2134"; 12.5 → "12.5"; what Excel stored otherwise.
    static func digits(_ number: Double, raw: String) -> String {
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return raw
    }

    /// Excel's day number as the cell shows it: "2026-11-30", "2026-11-30 09:30" (seconds when
    /// there are any), or "09:30" for a time of day alone. Day numbers before 1 March 1900
    /// count Excel's 29 February 1900, which never was: they are one day later than the days
    /// since 1970 say, and day 60 is shown as Excel shows it. Nil for a day no calendar has.
    static func date(_ serial: Double, style: DateStyle, system: DateSystem) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let wholeSeconds = (serial * 86_400).rounded()
        let secondOfDay = Int(wholeSeconds.truncatingRemainder(dividingBy: 86_400))
        let time =
            String(format: "%02d:%02d", secondOfDay / 3600, secondOfDay / 60 % 60)
            + (secondOfDay % 60 == 0 ? "" : String(format: ":%02d", secondOfDay % 60))
        // A time-formatted cell, or a time of day with no day (day 0): the time alone.
        if style == .time || (serial < 1 && style != .date && system == .from1900) { return time }
        var day = (wholeSeconds / 86_400).rounded(.down)
        let text: String
        if system == .from1900 && day == 60 {
            text = "1900-02-29"
        } else {
            if system == .from1900 && day < 60 { day += 1 }
            let seconds = (day - system.unixEpochSerial) * 86_400
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: seconds))
            text = String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
        }
        guard style == .dateTime || secondOfDay != 0 else { return text }
        return text + " " + time
    }

    static func lineBreaks(in text: String) -> Int {
        var count = 0
        for byte in text.utf8 where byte == 0x0A { count += 1 }
        return count
    }

    /// "AB12" → 27; nil past Excel's last column, XFD.
    static func column(of reference: String) -> Int? {
        var column = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65 && scalar.value <= 90 else { break }
            column = column * 26 + Int(scalar.value - 64)
            guard column <= lastColumn else { return nil }
        }
        return max(column - 1, 0)
    }

    /// Excel's limits: 16,384 columns (XFD) and 1,048,576 rows.
    static let lastColumn = 16_384
    static let lastRow = 1_048_576

    /// Stops at a reference no sheet can have: the workbook is damaged.
    private func damaged(_ what: String) {
        guard failure == nil else { return }
        failure = SpreadsheetError(
            path: "", code: .unreadableWorkbook(reason: "its \(what) is beyond what an Excel sheet can hold"))
        stop()
    }

    private func writeRow() {
        // Each row repeats the padding up to the widest row.
        spend(max(width - row.count, 0) + 1)
        guard failure == nil, !overBudget else { return }
        do {
            // Rows Excel left out (empty ones) become blank lines, so row numbers carry through.
            while lastRowWritten + 1 < rowNumber {
                lineMap.record(line: nextLine, row: lastRowWritten + 1)
                try writer.writeRow([])
                lastRowWritten += 1
                nextLine += 1
            }
            lineMap.record(line: nextLine, row: rowNumber)
            width = max(width, row.count)
            try writer.writeRow(row, emptyAfter: width - row.count)
            lastRowWritten = rowNumber
            nextLine += 1 + rowBreaks
        } catch {
            failure = error
        }
    }
}
