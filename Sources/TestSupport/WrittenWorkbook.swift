import Foundation
import ZIPFoundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// An `.xlsx` file as Excel reads it, opened independently of the code that wrote it: the
/// package unzipped (ZIPFoundation) and the first sheet's XML, its relationships and the styles
/// read with `XMLParser`. Tests assert what a person opening the file would see.
public struct WrittenWorkbook {
    /// One cell: its text (strings) or number, and how it is shown.
    public struct Cell: Equatable, Sendable {
        /// "s", "inlineStr", "str" for text; nil for a number (a date is a number with a date format).
        public var type: String?
        public var text: String
        /// The number format, e.g. "d mmm yyyy"; nil for the general format.
        public var numberFormat: String?

        public init(type: String?, text: String, numberFormat: String?) {
            self.type = type
            self.text = text
            self.numberFormat = numberFormat
        }

        public var isText: Bool { type == "inlineStr" || type == "s" || type == "str" }
        public var isDate: Bool { type == nil && (numberFormat?.contains("yy") ?? false) }
        /// The day of a date cell, "2027-03-01".
        public var day: String? {
            guard isDate, let serial = Double(text) else { return nil }
            // Excel's day 25,569 is 1 Jan 1970.
            let date = Date(timeIntervalSince1970: (serial - 25_569) * 86_400)
            var style = Date.ISO8601FormatStyle().year().month().day()
            style.timeZone = TimeZone(identifier: "UTC") ?? .current
            return date.formatted(style)
        }
    }

    /// Rows by number (1-based), cells by column letter.
    public var rows: [[String: Cell]] = []
    /// Cell reference ("C2") → the link's target.
    public var links: [String: String] = [:]
    public var frozenRows = 0
    /// The number format set on whole columns (1-based column → format), e.g. "@" for text.
    public var columnFormats: [Int: String] = [:]
    public var autoFilter: String?
    public var orientation: String?
    public var fitToWidth: String?
    public var sheetName: String?
    /// The print titles ("Sheet!$1:$1"), from the workbook's defined names.
    public var printTitles: String?

    /// - Parameter number: which sheet, 1 for the first.
    public init(path: String, sheet number: Int = 1) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        func part(_ name: String) throws -> Data? {
            guard let entry = archive[name] else { return nil }
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            return data
        }
        let styles = try part("xl/styles.xml").map(StylesReader.read) ?? []
        let strings = try part("xl/sharedStrings.xml").map(SharedStringsReader.read) ?? []
        guard let sheet = try part("xl/worksheets/sheet\(number).xml") else {
            throw CocoaError(.fileReadCorruptFile)
        }
        let relations = try part("xl/worksheets/_rels/sheet\(number).xml.rels").map(RelationsReader.read) ?? [:]
        let reader = SheetReader(styles: styles, strings: strings)
        try reader.parse(sheet)
        rows = reader.rows
        links = reader.linkIDs.compactMapValues { relations[$0] }.merging(reader.formulaLinks) { first, _ in first }
        frozenRows = reader.frozenRows
        columnFormats = reader.columnStyles.compactMapValues { $0 < styles.count ? styles[$0] : nil }
        autoFilter = reader.autoFilter
        orientation = reader.orientation
        fitToWidth = reader.fitToWidth
        if let workbook = try part("xl/workbook.xml") {
            let book = WorkbookReader()
            try book.parse(workbook)
            sheetName = book.sheetName
            printTitles = book.printTitles
        }
    }

    /// The header row's texts, in column order.
    public var header: [String] { Self.ordered(rows.first ?? [:]).map(\.text) }

    /// The data rows as header → cell.
    public var records: [[String: Cell]] {
        let header = Self.ordered(rows.first ?? [:])
        let columns = (rows.first ?? [:]).keys.sorted(by: Self.columnOrder)
        return rows.dropFirst().map { row in
            Dictionary(
                zip(header.map(\.text), columns).compactMap { name, column in row[column].map { (name, $0) } },
                uniquingKeysWith: { first, _ in first })
        }
    }

    /// The reference ("C2") of the cell under `header` in data row `index` (0-based).
    public func reference(header name: String, row index: Int) -> String? {
        let columns = (rows.first ?? [:]).keys.sorted(by: Self.columnOrder)
        guard let column = columns.first(where: { rows[0][$0]?.text == name }) else { return nil }
        return "\(column)\(index + 2)"
    }

    static func ordered(_ row: [String: Cell]) -> [Cell] {
        row.keys.sorted(by: columnOrder).compactMap { row[$0] }
    }

    static func columnOrder(_ a: String, _ b: String) -> Bool { a.count != b.count ? a.count < b.count : a < b }
}

/// Parses one XML document with a delegate that sees elements, attributes and text.
private class XMLWalker: NSObject, XMLParserDelegate {
    var text = ""

    /// Reads `data`; a part that is not well-formed XML is an error, not an empty sheet.
    func parse(_ data: Data) throws {
        let parser = XMLParser(data: data)
        parser.delegate = self
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.fileReadCorruptFile) }
    }

    func start(_ name: String, _ attributes: [String: String]) {}
    func end(_ name: String) {}

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        text = ""
        start(name, attributes)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        end(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

private final class SheetReader: XMLWalker {
    let styles: [String?]
    let strings: [String]
    var rows: [[String: WrittenWorkbook.Cell]] = []
    var linkIDs: [String: String] = [:]
    var frozenRows = 0
    var columnStyles: [Int: Int] = [:]
    var autoFilter: String?
    var orientation: String?
    var fitToWidth: String?
    private var fitsToPage = false
    private var formula = ""
    /// Cell reference → the target of its `HYPERLINK` formula.
    var formulaLinks: [String: String] = [:]
    private var reference = ""
    private var type: String?
    private var style: Int?
    private var value = ""

    init(styles: [String?], strings: [String]) {
        self.styles = styles
        self.strings = strings
    }

    override func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "row":
            let number = Int(attributes["r"] ?? "") ?? rows.count + 1
            while rows.count < number { rows.append([:]) }
        case "c":
            reference = attributes["r"] ?? ""
            type = attributes["t"]
            style = attributes["s"].flatMap(Int.init)
            value = ""
        case "pane" where attributes["state"] == "frozen":
            frozenRows = Int(attributes["ySplit"] ?? "") ?? 0
        case "autoFilter": autoFilter = attributes["ref"]
        case "col":
            if let style = attributes["style"].flatMap(Int.init), let min = attributes["min"].flatMap(Int.init),
                let max = attributes["max"].flatMap(Int.init), min <= max
            {
                for column in min...max { columnStyles[column] = style }
            }
        case "pageSetUpPr":
            fitsToPage = attributes["fitToPage"] == "1"
        case "pageSetup":
            orientation = attributes["orientation"]
            // The page counts apply only when the sheet is set to fit (`sheetPr`, written first).
            fitToWidth = fitsToPage ? attributes["fitToWidth"] ?? "1" : nil
        case "hyperlink":
            if let ref = attributes["ref"], let id = attributes["r:id"] { linkIDs[ref] = id }
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "t", "v": value += text
        case "f": formula = text
        case "c":
            // A link written as a formula, `HYPERLINK("url","label")`, links like a hyperlink does.
            if formula.hasPrefix("HYPERLINK(\""), let end = formula.dropFirst(11).firstIndex(of: "\"") {
                formulaLinks[reference] = String(formula[formula.index(formula.startIndex, offsetBy: 11)..<end])
            }
            formula = ""
            let column = String(reference.prefix { $0.isLetter })
            let row = Int(reference.drop { $0.isLetter }) ?? rows.count
            var text = value
            if type == "s", let index = Int(value), index < strings.count { text = strings[index] }
            let format = style.flatMap { $0 < styles.count ? styles[$0] : nil }
            if row >= 1 && row <= rows.count {
                rows[row - 1][column] = WrittenWorkbook.Cell(type: type, text: text, numberFormat: format)
            }
        default: break
        }
    }
}

/// Each cell style's number format code.
private final class StylesReader: XMLWalker {
    private var custom: [Int: String] = [:]
    private var inCellFormats = false
    var formats: [String?] = []

    static func read(_ data: Data) throws -> [String?] {
        let reader = StylesReader()
        try reader.parse(data)
        return reader.formats
    }

    override func start(_ name: String, _ attributes: [String: String]) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init) { custom[id] = attributes["formatCode"] }
        case "cellXfs": inCellFormats = true
        case "xf" where inCellFormats:
            let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
            // Built-in 14 to 22 are dates.
            formats.append(custom[id] ?? ((14...22).contains(id) ? "yyyy-mm-dd" : id == 49 ? "@" : nil))
        default: break
        }
    }

    override func end(_ name: String) {
        if name == "cellXfs" { inCellFormats = false }
    }
}

private final class SharedStringsReader: XMLWalker {
    var strings: [String] = []
    private var current = ""

    static func read(_ data: Data) throws -> [String] {
        let reader = SharedStringsReader()
        try reader.parse(data)
        return reader.strings
    }

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "si" { current = "" }
    }

    override func end(_ name: String) {
        if name == "t" { current += text }
        if name == "si" { strings.append(current) }
    }
}

private final class RelationsReader: XMLWalker {
    var targets: [String: String] = [:]

    static func read(_ data: Data) throws -> [String: String] {
        let reader = RelationsReader()
        try reader.parse(data)
        return reader.targets
    }

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "Relationship", let id = attributes["Id"] { targets[id] = attributes["Target"] }
    }
}

private final class WorkbookReader: XMLWalker {
    var sheetName: String?
    var printTitles: String?
    private var definedName: String?

    override func start(_ name: String, _ attributes: [String: String]) {
        if name == "sheet", sheetName == nil { sheetName = attributes["name"] }
        if name == "definedName" { definedName = attributes["name"] }
    }

    override func end(_ name: String) {
        if name == "definedName", definedName == "_xlnm.Print_Titles" { printTitles = text }
    }
}
