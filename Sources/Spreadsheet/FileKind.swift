/// A file that is not CSV text, recognised from its first bytes or its name, with the way to
/// export CSV from the program that made it.
public enum NonTextKind: Sendable, Equatable {
    case excelWorkbook
    case legacyExcelWorkbook
    case excelXMLSpreadsheet
    case htmlTable
    case numbersDocument
    case openDocumentSpreadsheet
    case wordDocument
    case pdf
    case image(String)
    case compressed(String)
    case utf32
    case binary

    /// What the file is, in a person's words.
    public var description: String {
        switch self {
        case .excelWorkbook: "an Excel workbook (.xlsx)"
        case .legacyExcelWorkbook: "an Excel 97-2003 workbook (.xls) or another Office document"
        case .excelXMLSpreadsheet: "an Excel 2003 XML spreadsheet"
        case .htmlTable: "a web page (HTML); some HR systems save HTML tables with an .xls name"
        case .numbersDocument: "an Apple Numbers document"
        case .openDocumentSpreadsheet: "an OpenDocument spreadsheet (.ods)"
        case .wordDocument: "a Word document"
        case .pdf: "a PDF document"
        case .image(let format): "a \(format) image"
        case .compressed(let format): "a \(format) archive"
        case .utf32: "UTF-32 text, which goody-batch does not read"
        case .binary: "not a text file (it holds control bytes that never appear in CSV text)"
        }
    }

    /// How to get a CSV UTF-8 file out of it.
    public var howToExport: String {
        switch self {
        case .excelWorkbook, .legacyExcelWorkbook, .excelXMLSpreadsheet, .htmlTable:
            "Open it in Excel, choose File › Save As (or Save a Copy), pick \"CSV UTF-8 (Comma delimited) (*.csv)\", and run goody-batch on the new .csv file."
        case .numbersDocument:
            "Open it in Numbers, choose File › Export To › CSV…, set Text Encoding to Unicode (UTF-8), and run goody-batch on the exported .csv file."
        case .openDocumentSpreadsheet:
            "Open it in LibreOffice Calc, choose File › Save As, pick \"Text CSV (.csv)\" with character set Unicode (UTF-8), and run goody-batch on the .csv file."
        case .wordDocument, .pdf, .image:
            "goody-batch reads spreadsheets saved as CSV. Put the recipients in a spreadsheet (one row per person, a header row on top) and save it as CSV UTF-8."
        case .compressed:
            "Extract the archive first and run goody-batch on the .csv file inside it."
        case .utf32:
            "Save the file again as CSV UTF-8 (in Excel: File › Save As › \"CSV UTF-8 (Comma delimited)\")."
        case .binary:
            "Export the spreadsheet as CSV UTF-8 from the program that made it (in Excel: File › Save As › \"CSV UTF-8 (Comma delimited)\")."
        }
    }

    /// Recognises a non-text file from its first bytes and its name; nil for text.
    static func detect(head: [UInt8], fileName: String) -> NonTextKind? {
        func starts(_ prefix: [UInt8]) -> Bool { head.starts(with: prefix) }
        let lowerName = fileName.lowercased()
        let headText = String(decoding: head.prefix(4096), as: UTF8.self).lowercased()

        if starts([0x50, 0x4B, 0x03, 0x04]) {
            if headText.contains("[content_types].xml") || headText.contains("xl/") {
                return headText.contains("word/") ? .wordDocument : .excelWorkbook
            }
            if headText.contains("index/") || headText.contains(".iwa") || lowerName.hasSuffix(".numbers") {
                return .numbersDocument
            }
            if headText.contains("opendocument.spreadsheet") { return .openDocumentSpreadsheet }
            if lowerName.hasSuffix(".xlsx") || lowerName.hasSuffix(".xlsm") { return .excelWorkbook }
            return .compressed("ZIP")
        }
        if starts([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) { return .legacyExcelWorkbook }
        if starts([0x25, 0x50, 0x44, 0x46]) { return .pdf }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return .image("PNG") }
        if starts([0xFF, 0xD8, 0xFF]) { return .image("JPEG") }
        if starts([0x47, 0x49, 0x46, 0x38]) { return .image("GIF") }
        if starts([0x1F, 0x8B]) { return .compressed("gzip") }
        if starts([0xFF, 0xFE, 0x00, 0x00]) || starts([0x00, 0x00, 0xFE, 0xFF]) { return .utf32 }

        let trimmed = headText.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if trimmed.hasPrefix("<?xml") && headText.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return .excelXMLSpreadsheet
        }
        if trimmed.hasPrefix("<!doctype html") || trimmed.hasPrefix("<html") || trimmed.hasPrefix("<table") {
            return .htmlTable
        }
        if trimmed.hasPrefix("{\\rtf") { return .wordDocument }
        return nil
    }

    /// Names whose extension says the file is a workbook even when its bytes were not recognised.
    static func fromExtension(_ fileName: String) -> NonTextKind? {
        let lowerName = fileName.lowercased()
        if lowerName.hasSuffix(".xlsx") || lowerName.hasSuffix(".xlsm") { return .excelWorkbook }
        if lowerName.hasSuffix(".xls") { return .legacyExcelWorkbook }
        if lowerName.hasSuffix(".numbers") { return .numbersDocument }
        if lowerName.hasSuffix(".ods") { return .openDocumentSpreadsheet }
        return nil
    }
}
