import CLibXLSXWriter
public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The only file that talks to libxlsxwriter (Debian's libxlsxwriter-dev). Everything a cell can
// hold is a `WorkbookCell`; strings are written with `worksheet_write_string`, never as
// formulas, so nothing in a workbook can run.

/// One cell of a row.
public enum WorkbookCell: Sendable, Equatable {
    case empty
    /// Written as text, whatever it looks like (a ZIP code, a 20-digit ID, "1E5").
    case text(String)
    /// A hyperlink to `url`, showing `label`.
    case link(url: String, label: String)
    /// A calendar day, shown as "1 Mar 2027".
    case date(Date)
    /// Money, shown with two decimals.
    case amount(Double)
    /// A whole number (a count), shown as one: 13, never 13.00.
    case count(Int)
}

/// Why a workbook could not be written.
public struct WorkbookError: Error, LocalizedError, Sendable {
    public let path: String
    public let reason: String
    public var errorDescription: String? { "cannot write \(path): \(reason)" }
}

/// Writes one worksheet as an `.xlsx` file a person opens in Excel: a bold header row that is
/// frozen, filtered and repeated on every printed page, columns as wide as their contents,
/// landscape, one page wide. Rows stream to disk (libxlsxwriter's constant-memory mode), so
/// memory stays flat whatever the number of rows. The file is written under a private
/// temporary name beside the destination (mode 0600) and moved into place by `commit()`.
public final class WorkbookWriter {
    public let path: String
    private let temporaryPath: String
    private var workbook: UnsafeMutablePointer<lxw_workbook>?
    private let sheet: UnsafeMutablePointer<lxw_worksheet>
    private let headerFormat: UnsafeMutablePointer<lxw_format>?
    private let dateFormat: UnsafeMutablePointer<lxw_format>?
    private let amountFormat: UnsafeMutablePointer<lxw_format>?
    private let linkFormat: UnsafeMutablePointer<lxw_format>?
    /// Set on the columns themselves when what people type into the sheet must stay text.
    private let columnFormat: UnsafeMutablePointer<lxw_format>?
    private var widths: [Int]
    private var row: UInt32 = 0
    /// The rows the filter covers, set when a totals row follows them.
    private var filteredRows: UInt32?
    /// Links too long for a `HYPERLINK` formula (255 characters), written as their address in
    /// plain text.
    public private(set) var linksWrittenAsText = 0

    /// `HYPERLINK("url","label")`, quotes doubled; nil when the address or label is longer than
    /// the function takes or the address holds what a link should not (a line break).
    static func hyperlink(url: String, label: String) -> String? {
        guard url.count <= 255, label.count <= 255, !url.contains(where: \.isNewline),
            !label.contains(where: \.isNewline)
        else { return nil }
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        return "HYPERLINK(\(quoted(url)),\(quoted(label)))"
    }
    /// Longest text Excel holds in a cell.
    public static let maxCellLength = 32_767

    /// - Parameter typedTextIsText: format every column as text, so what a person types into
    ///   the sheet later (a ZIP code, an ID) is kept as typed (a starter spreadsheet).
    public init(path: String, sheetName: String, header: [String], typedTextIsText: Bool = false)
        throws(WorkbookError)
    {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath =
            url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
            ).path
        // Made here with mode 0600 first: libxlsxwriter opens the path with fopen, which keeps it.
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            throw WorkbookError(path: path, reason: String(cString: strerror(errno)))
        }
        fchmod(descriptor, 0o600)
        close(descriptor)
        var options = lxw_workbook_options(constant_memory: 1, tmpdir: nil, use_zip64: 1)
        guard let workbook = workbook_new_opt(temporaryPath, &options),
            let sheet = workbook_add_worksheet(workbook, Self.sheetName(sheetName))
        else {
            unlink(temporaryPath)
            throw WorkbookError(path: path, reason: "libxlsxwriter could not start the workbook")
        }
        self.workbook = workbook
        self.sheet = sheet
        headerFormat = workbook_add_format(workbook)
        format_set_bold(headerFormat)
        format_set_bottom(headerFormat, UInt8(LXW_BORDER_THIN.rawValue))
        dateFormat = workbook_add_format(workbook)
        format_set_num_format(dateFormat, "d mmm yyyy")
        format_set_align(dateFormat, UInt8(LXW_ALIGN_LEFT.rawValue))
        amountFormat = workbook_add_format(workbook)
        format_set_num_format(amountFormat, "#,##0.00")
        linkFormat = workbook_add_format(workbook)
        format_set_underline(linkFormat, UInt8(LXW_UNDERLINE_SINGLE.rawValue))
        format_set_font_color(linkFormat, LXW_COLOR_BLUE.rawValue)
        if typedTextIsText {
            columnFormat = workbook_add_format(workbook)
            format_set_num_format(columnFormat, "@")
        } else {
            columnFormat = nil
        }
        widths = header.map { $0.count + 4 }  // room for the filter button
        worksheet_freeze_panes(sheet, 1, 0)
        worksheet_set_landscape(sheet)
        worksheet_repeat_rows(sheet, 0, 0)
        try append(header.map(WorkbookCell.text), format: headerFormat)
    }

    deinit {
        // Dropped without a commit: close what libxlsxwriter holds and leave nothing behind.
        if let workbook { workbook_close(workbook) }
        if workbook != nil || !FileManager.default.fileExists(atPath: path) { unlink(temporaryPath) }
    }

    /// Sheet names: at most 31 characters, none of `[]:*?/\`.
    private static func sheetName(_ name: String) -> String {
        let cleaned = String(name.map { "[]:*?/\\".contains($0) ? "-" : $0 }).trimmingCharacters(in: .whitespaces)
        let short = String(cleaned.prefix(31)).trimmingCharacters(in: CharacterSet(charactersIn: "'"))
        return short.isEmpty ? "Sheet1" : short
    }

    /// Appends one row.
    public func append(_ cells: [WorkbookCell]) throws(WorkbookError) {
        try append(cells, format: nil)
    }

    /// Appends a totals row under the data, in bold, outside the filter (sorting leaves it last).
    public func appendTotals(_ cells: [WorkbookCell]) throws(WorkbookError) {
        // Set now: with constant memory, libxlsxwriter takes a filter only up to the row it holds.
        try filter()
        filteredRows = row
        try append(cells, format: headerFormat)
    }

    /// The filter over the header and the rows written so far.
    private func filter() throws(WorkbookError) {
        guard !widths.isEmpty else { return }
        let status = worksheet_autofilter(sheet, 0, 0, max(row, 1) - 1, lxw_col_t(widths.count - 1))
        guard status == LXW_NO_ERROR else {
            throw WorkbookError(path: path, reason: "the filter: " + String(cString: lxw_strerror(status)))
        }
    }

    private func append(_ cells: [WorkbookCell], format: UnsafeMutablePointer<lxw_format>?) throws(WorkbookError) {
        for (index, cell) in cells.enumerated() {
            let column = lxw_col_t(index)
            if index >= widths.count { widths.append(8) }
            let status: lxw_error
            switch cell {
            case .empty:
                continue
            case .text(let text):
                let kept = text.count > Self.maxCellLength ? String(text.prefix(Self.maxCellLength - 1)) + "…" : text
                status = worksheet_write_string(sheet, row, column, kept, format)
                widths[index] = max(widths[index], Self.displayWidth(kept))
            case .link(let url, let label):
                // libxlsxwriter's "external:" for a file beside the workbook; a formula takes its name.
                let target = url.hasPrefix("external:") ? String(url.dropFirst("external:".count)) : url
                if let formula = Self.hyperlink(url: target, label: label) {
                    // A HYPERLINK formula, with its label as the value shown before any
                    // recalculation: clickable in Excel, LibreOffice, Numbers and Google Sheets like
                    // a hyperlink, but streamed with the row (libxlsxwriter keeps every hyperlink in
                    // memory to the end, about 2 KB each) and not bound by Excel's 65,530 a sheet.
                    status = worksheet_write_formula_str(sheet, row, column, formula, linkFormat, label)
                    widths[index] = max(widths[index], Self.displayWidth(label))
                } else {
                    linksWrittenAsText += 1
                    status = worksheet_write_string(sheet, row, column, url, format)
                    widths[index] = max(widths[index], Self.displayWidth(url))
                }
            case .date(let date):
                // The day in UTC, with no time of day (a time would show as a fraction in formulas and filters).
                let day = Int64((date.timeIntervalSince1970 / 86_400).rounded(.down)) * 86_400
                status = worksheet_write_unixtime(sheet, row, column, day, dateFormat)
                widths[index] = max(widths[index], 12)
            case .amount(let value):
                status = worksheet_write_number(sheet, row, column, value, amountFormat)
                widths[index] = max(widths[index], 10)
            case .count(let value):
                status = worksheet_write_number(sheet, row, column, Double(value), format)
                widths[index] = max(widths[index], String(value).count + 2)
            }
            guard status == LXW_NO_ERROR else {
                throw WorkbookError(
                    path: path, reason: "row \(row + 1), column \(index + 1): " + String(cString: lxw_strerror(status)))
            }
        }
        row += 1
    }

    /// Characters, the longest line of a value; wide enough to read, never wider than 60.
    private static func displayWidth(_ text: String) -> Int {
        min(60, (text.split(whereSeparator: \.isNewline).map(\.count).max() ?? 0) + 2)
    }

    /// A second sheet of labelled values ("Approved by" → "Dana Reyes"), written at commit
    /// after the main one.
    private var about: (name: String, rows: [(String, String)])?

    /// Adds a sheet of labelled values about the main one (the run, who approved it).
    public func addAboutSheet(_ name: String, rows: [(String, String)]) { about = (name, rows) }

    /// Columns printed on every page when the sheet is too wide for one (the person's name), as
    /// a range of 0-based columns.
    public var repeatedColumns: ClosedRange<Int>?

    /// The widest sheet (in characters) printed fitted to one page's width: beyond it the text
    /// would shrink below about two thirds of its size, so the sheet prints across pages instead.
    public static let fittedWidthLimit = 200

    /// Sets the widths, the filter and how it prints, closes the workbook and moves it into place.
    public func commit() throws(WorkbookError) {
        guard let workbook else { return }
        for (index, width) in widths.enumerated() {
            worksheet_set_column(sheet, lxw_col_t(index), lxw_col_t(index), Double(width), columnFormat)
        }
        if widths.reduce(0, +) <= Self.fittedWidthLimit {
            worksheet_fit_to_pages(sheet, 1, 0)
        } else if let columns = repeatedColumns, columns.upperBound < widths.count {
            worksheet_repeat_columns(sheet, lxw_col_t(columns.lowerBound), lxw_col_t(columns.upperBound))
        }
        if filteredRows == nil { try filter() }
        if let about, let extra = workbook_add_worksheet(workbook, Self.sheetName(about.name)) {
            var labelWidth = 10.0
            var valueWidth = 10.0
            for (index, (label, value)) in about.rows.enumerated() {
                worksheet_write_string(extra, lxw_row_t(index), 0, label, headerFormat)
                worksheet_write_string(extra, lxw_row_t(index), 1, value, nil)
                labelWidth = max(labelWidth, Double(Self.displayWidth(label)))
                valueWidth = max(valueWidth, Double(Self.displayWidth(value)))
            }
            worksheet_set_column(extra, 0, 0, labelWidth, nil)
            worksheet_set_column(extra, 1, 1, valueWidth, nil)
        }
        let status = workbook_close(workbook)
        self.workbook = nil
        guard status == LXW_NO_ERROR else {
            unlink(temporaryPath)
            throw WorkbookError(path: path, reason: String(cString: lxw_strerror(status)))
        }
        chmod(temporaryPath, 0o600)
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw WorkbookError(path: path, reason: reason)
        }
    }
}
