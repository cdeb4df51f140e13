public import Foundation
import ZIPFoundation

/// Builds `.xlsx` packages the way Excel saves them, independently of the code under test:
/// text in the shared-strings table (`t="s"`), numbers as numbers (a ZIP code Excel turned into
/// 2134, an ID into 1.2345678901234567E+19), dates as day numbers with a date style, rows Excel
/// left out when empty, and any number of sheets.
public enum WorkbookFixture {
    public enum Cell: Sendable, ExpressibleByStringLiteral {
        case text(String)
        case number(String)
        /// Excel's day number (46,082 is 1 Mar 2026 in the 1900 system), shown with the date style.
        case date(Int)
        /// A day number with a time of day, shown with a date-and-time style ("m/d/yyyy h:mm:ss").
        case dateTime(Double)
        /// A time of day alone (a fraction of a day), shown with a time style ("h:mm").
        case time(Double)
        case inline(String)
        case empty

        public init(stringLiteral value: String) { self = .text(value) }
    }

    /// Writes a workbook; `sheets` are name → rows, rows as (row number, cells from column A).
    /// `stored` keeps the parts uncompressed (so a test can damage one in place); `replacing`
    /// gives a part's bytes outright.
    /// `dates1904` writes the workbook as Excel for Mac does in its 1904 date system
    /// (`<workbookPr date1904="1"/>`); day numbers are then counted from 1 Jan 1904.
    /// `prefix` writes the spreadsheet parts as the .NET Open XML SDK does: every element with a
    /// namespace prefix (`<x:workbook xmlns:x="…">`, `<x:row>`, `<x:c>`).
    /// `charts` names sheets written as chart sheets (`xl/chartsheets/`, no cells), as Excel
    /// saves a chart moved to its own sheet.
    public static func write(
        _ path: String, sheets: [(name: String, rows: [(Int, [Cell])])], stored: Bool = false,
        replacing: [String: Data] = [:], dates1904: Bool = false, prefix: String? = nil, charts: Set<String> = []
    ) throws {
        try? FileManager.default.removeItem(atPath: path)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        var strings: [String] = []
        var index: [String: Int] = [:]
        func shared(_ text: String) -> Int {
            if let at = index[text] { return at }
            index[text] = strings.count
            strings.append(text)
            return strings.count - 1
        }
        var sheetXML: [String] = []
        for sheet in sheets {
            var xml =
                #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
            for (number, cells) in sheet.rows {
                xml += "<row r=\"\(number)\">"
                for (column, cell) in cells.enumerated() {
                    let reference = letters(column) + String(number)
                    switch cell {
                    case .text(let text): xml += "<c r=\"\(reference)\" t=\"s\"><v>\(shared(text))</v></c>"
                    case .number(let value): xml += "<c r=\"\(reference)\"><v>\(value)</v></c>"
                    case .date(let day): xml += "<c r=\"\(reference)\" s=\"1\"><v>\(day)</v></c>"
                    case .dateTime(let value): xml += "<c r=\"\(reference)\" s=\"2\"><v>\(value)</v></c>"
                    case .time(let value): xml += "<c r=\"\(reference)\" s=\"3\"><v>\(value)</v></c>"
                    case .inline(let text):
                        xml += "<c r=\"\(reference)\" t=\"inlineStr\"><is><t>\(escaped(text))</t></is></c>"
                    case .empty: break
                    }
                }
                xml += "</row>"
            }
            sheetXML.append(xml + "</sheetData></worksheet>")
        }
        let sharedXML =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#
            + strings.map { "<si><t xml:space=\"preserve\">\(escaped($0))</t></si>" }.joined() + "</sst>"
        let styles =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="2"><numFmt numFmtId="164" formatCode="m/d/yyyy"/><numFmt numFmtId="165" formatCode="m/d/yyyy\ h:mm:ss"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="165" applyNumberFormat="1"/><xf numFmtId="20" applyNumberFormat="1"/></cellXfs></styleSheet>"#
        let workbook =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
            + (dates1904 ? #"<workbookPr date1904="1" defaultThemeVersion="124226"/>"# : "") + "<sheets>"
            + sheets.indices.map {
                "<sheet name=\"\(escaped(sheets[$0].name))\" sheetId=\"\($0 + 1)\" r:id=\"rId\($0 + 1)\"/>"
            }
            .joined() + "</sheets></workbook>"
        let relations =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
            + sheets.indices.map {
                let chart = charts.contains(sheets[$0].name)
                return
                    "<Relationship Id=\"rId\($0 + 1)\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/\(chart ? "chartsheet" : "worksheet")\" Target=\"\(chart ? "chartsheets" : "worksheets")/sheet\($0 + 1).xml\"/>"
            }.joined() + "</Relationships>"
        let contentTypes =
            #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#
        var parts: [(String, String)] = [
            ("[Content_Types].xml", contentTypes), ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", relations), ("xl/sharedStrings.xml", sharedXML), ("xl/styles.xml", styles),
        ]
        for (number, xml) in sheetXML.enumerated() {
            if charts.contains(sheets[number].name) {
                parts.append(
                    (
                        "xl/chartsheets/sheet\(number + 1).xml",
                        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><chartsheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr/><drawing r:id="rId1"/></chartsheet>"#
                    ))
            } else {
                parts.append(("xl/worksheets/sheet\(number + 1).xml", xml))
            }
        }
        for (name, text) in parts {
            let text =
                prefix.map { name.hasPrefix("xl/") && !name.contains("_rels") ? prefixed(text, $0) : text } ?? text
            let data = replacing[name] ?? Data(text.utf8)
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count),
                compressionMethod: stored ? .none : .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
    }

    /// `<a><b/></a>` → `<x:a><x:b/></x:a>`, the default namespace declared for the prefix.
    static func prefixed(_ xml: String, _ prefix: String) -> String {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        var text = xml.replacingOccurrences(of: "xmlns=\"\(main)\"", with: "xmlns:\(prefix)=\"\(main)\"")
        text = text.replacingOccurrences(
            of: "<(/?)([A-Za-z])", with: "<$1\(prefix):$2", options: .regularExpression)
        return text
    }

    static func letters(_ column: Int) -> String {
        var column = column + 1
        var text = ""
        while column > 0 {
            let remainder = (column - 1) % 26
            text = String(UnicodeScalar(UInt8(65 + remainder))) + text
            column = (column - 1) / 26
        }
        return text
    }

    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
