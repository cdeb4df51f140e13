public import Foundation

/// A problem that stops the whole file from being read. Row-level problems are not errors:
/// they travel with the row (see `Record.problem`).
public struct SpreadsheetError: Error, LocalizedError, Equatable, Sendable {
    /// A file could not be written (a local I/O failure, not a problem with the input).
    public var isWriteFailure: Bool { if case .cannotWrite = code { true } else { false } }

    public enum Code: Equatable, Sendable {
        case cannotOpen(reason: String)
        case isDirectory
        /// A device (`/dev/zero`, a terminal): it never ends, so it is not read at all.
        case isDevice
        /// A pipe or FIFO that went on past the size limit.
        case streamTooLong(limit: Int)
        /// A FIFO no one wrote to in time.
        case streamSilent(seconds: Int)
        case notText(NonTextKind)
        case empty
        case noHeader
        case headerLineOutOfRange(requested: Int, lastLine: Int)
        case fieldTooLong(line: Int, limit: Int)
        case rowTooLong(line: Int, limit: Int)
        case tooManyColumns(line: Int, limit: Int)
        case unterminatedQuote(line: Int)
        case cannotWrite(reason: String)
        /// An .xlsx package that could not be read (damaged, or not what it says).
        case unreadableWorkbook(reason: String)
        /// `--sheet` names no sheet of the workbook.
        case noSuchSheet(String, sheets: [String])
        /// `~$team.xlsx`: the lock file Excel keeps beside a workbook while it is open.
        case excelLockFile(workbook: String)
        /// `--sheet` names a chart sheet, which has no rows.
        case chartSheet(String, worksheets: [String])
        /// The sheet read (the first, no `--sheet` given) is empty while another has rows.
        case emptySheet(String, withData: [String])
        /// The sheet's values come to far more than the workbook holds: a few cells repeating a
        /// huge shared string, or a cell placed far to the right padding every row.
        case expandsTooFar(sheet: String, row: Int, limit: Int)

        /// The case's name in snake case, for `--json` ("unterminated_quote").
        public var name: String {
            let caseName = String(describing: self).prefix { $0 != "(" }
            return caseName.reduce(into: "") { name, character in
                if character.isUppercase { name += "_" + character.lowercased() } else { name.append(character) }
            }
        }
    }

    public let path: String
    public let code: Code

    public init(path: String, code: Code) {
        self.path = path
        self.code = code
    }

    /// The line the problem is on, when there is one.
    public var line: Int? {
        switch code {
        case .fieldTooLong(let line, _), .rowTooLong(let line, _), .tooManyColumns(let line, _),
            .unterminatedQuote(let line):
            line
        default: nil
        }
    }

    public var errorDescription: String? {
        switch code {
        case .cannotOpen(let reason):
            "\(path): cannot open the file (\(reason)). Check the path and that you may read it; if it is open in Excel or another program that locks it, close it there and run again."
        case .excelLockFile(let workbook):
            "\(path) is the lock file Excel keeps while \(workbook) is open in Excel, not a spreadsheet. Give \(workbook) instead (saved and closed in Excel, so what is read is what you see)."
        case .isDevice:
            "\(path) is a device, not a file; goody-batch reads spreadsheets (CSV or .xlsx) from files or pipes. Give the export's file."
        case .streamTooLong(let limit):
            "\(path) did not end within \(limit >= 1 << 20 ? "\(limit / (1 << 20)) MiB" : "\(limit) bytes"), so it was not read; an HR export is far smaller. Check what is writing to it, or save the export to a file."
        case .streamSilent(let seconds):
            "nothing was written to \(path) within \(seconds) s, so it was not read. Start the program that writes to it first, or save the export to a file."
        case .isDirectory:
            if path.lowercased().hasSuffix(".numbers") {
                "\(path) is an Apple Numbers document. \(NonTextKind.numbersDocument.howToExport)"
            } else {
                "\(path) is a folder, not a file. Give the path of the exported .csv file."
            }
        case .notText(let kind):
            "\(path) is \(kind.description), not a CSV file. \(kind.howToExport)"
        case .unreadableWorkbook(let reason):
            "\(path) could not be read as an Excel workbook (\(reason)). Open it in Excel and save it again as .xlsx, or export it as CSV UTF-8."
        case .noSuchSheet(let name, let sheets):
            "\(path) has no sheet named \"\(name)\". Its sheets are: \(sheets.map { "\"\($0)\"" }.joined(separator: ", ")). Choose one with --sheet."
        case .chartSheet(let name, let worksheets):
            "\(path): sheet \"\(name)\" is a chart, with no rows to read. Its sheets with rows are: \(worksheets.map { "\"\($0)\"" }.joined(separator: ", ")). Choose one with --sheet."
        case .emptySheet(let name, let withData):
            "\(path): the first sheet, \"\(name)\", is empty; the rows are on \(withData.map { "\"\($0)\"" }.joined(separator: ", ")). Choose that sheet with --sheet \(withData[0].contains(" ") ? "\"\(withData[0])\"" : withData[0])."
        case .expandsTooFar(let sheet, let row, let limit):
            "\(path): sheet \"\(sheet)\" expands past \(limit / (1 << 20)) MiB of values by row \(row), far more than the workbook's own size: a long text repeated in many cells, or a cell far to the right of the others. It was not read, so nothing was sent. Delete the repeated text or the stray cell, or export the rows as CSV UTF-8."
        case .empty:
            "\(path) is empty. Export the spreadsheet again, with a header row and one row per recipient."
        case .noHeader:
            "\(path) has no header row: no line names its columns. Add a header row (for example First Name, Last Name, Email) above the data, or name the header line with --header-line."
        case .headerLineOutOfRange(let requested, let lastLine):
            "\(path): --header-line \(requested) is past the end of the file (the last line with data is \(lastLine))."
        case .fieldTooLong(let line, let limit):
            "\(path): line \(line): a value starts here that is longer than \(limit / 1024) KiB. This almost always means a quotation mark opened a value and never closed it: look at line \(line) for a \" without its closing \"."
        case .rowTooLong(let line, let limit):
            "\(path): line \(line): the row starting here is longer than \(limit / (1024 * 1024)) MiB. Check that the file is a CSV export and that every quoted value closes its quotes."
        case .tooManyColumns(let line, let limit):
            "\(path): line \(line) has more than \(limit) columns. Check that the delimiter is right (try --delimiter) and that the file is a CSV export."
        case .unterminatedQuote(let line):
            "\(path): line \(line): a quoted value starts here and never ends, so everything after it would be swallowed into one value. Add the missing closing quotation mark (\") on or after line \(line), then run again."
        case .cannotWrite(let reason):
            "\(path): cannot write the file (\(reason)). Check that the folder exists and that you may write to it."
        }
    }
}
