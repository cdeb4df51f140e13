public import Foundation
public import GoodyAPI
public import Spreadsheet

/// Everything `validate` (and later `plan` and `send`) needs to read a recipient file.
public struct ValidationRequest: Sendable {
    public var path: String
    public var read: ReadOptions
    public var options: ValidationOptions
    /// Field → header from `--map`; an empty header unmaps the field.
    public var overrides: [RecipientField: String]
    public var preferPreferredName: Bool
    /// Where rejected rows go; nil for the default beside the input, "" for nowhere.
    public var rejectedPath: String?
    /// Which files goody-batch wrote and nobody changed since: a default rejected file someone
    /// edited is never written over.
    public var ownFiles = OwnFiles.standard()

    public init(
        path: String, read: ReadOptions = ReadOptions(), options: ValidationOptions,
        overrides: [RecipientField: String] = [:], preferPreferredName: Bool = false, rejectedPath: String? = nil
    ) {
        self.path = path
        self.read = read
        self.options = options
        self.overrides = overrides
        self.preferPreferredName = preferPreferredName
        self.rejectedPath = rejectedPath
    }

    /// "team.csv" → "team.rejected.csv", beside the input.
    public static func defaultRejectedPath(for input: String) -> String {
        OutputPaths.sibling(of: input, suffix: "rejected.csv")
    }
}

/// Names for files written beside the input.
public enum OutputPaths {
    /// "dir/team.csv" + "results.csv" → "dir/team.results.csv". An input read from a pipe
    /// (`<(cat team.csv)` is /dev/fd/63, or /dev/stdin) has no folder to write beside: its files
    /// go to the current folder as "input.results.csv" ("stdin.results.csv").
    public static func sibling(of input: String, suffix: String) -> String {
        let url = URL(fileURLWithPath: input)
        let folder = url.deletingLastPathComponent().path
        if folder == "/dev" || folder.hasPrefix("/dev/") || folder.hasPrefix("/proc/") {
            return (url.lastPathComponent == "stdin" ? "stdin" : "input") + "." + suffix
        }
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent("\(base).\(suffix)").relativePathIfPossible(
            from: input)
    }
}

extension URL {
    /// Keeps a relative input relative in messages ("samples/x.csv", not "/work/…/samples/x.csv").
    fileprivate func relativePathIfPossible(from input: String) -> String {
        guard !input.hasPrefix("/") else { return path }
        let directory = (input as NSString).deletingLastPathComponent
        let name = lastPathComponent
        return directory.isEmpty ? name : directory + "/" + name
    }
}

/// A row that failed validation, kept for outputs that list every row.
public struct RejectedRow: Sendable, Hashable {
    public var line: Int
    public var values: [String]
    /// "line 7: column C (Email): … Fix: …"
    public var reason: String
}

/// A problem that stops the whole run before any row is judged.
public struct InputError: Error, LocalizedError, Sendable {
    public let message: String
    /// Where the problem is, when it is in one place of one file (for `--json`).
    public var file: String?
    public var line: Int?
    public init(_ message: String, file: String? = nil, line: Int? = nil) {
        self.message = message
        self.file = file
        self.line = line
    }
    public var errorDescription: String? { message }
}

/// The outcome of reading and checking every row of a file.
public struct ValidationReport: Sendable {
    public var layout: SpreadsheetLayout
    public var mapping: ColumnMapping
    public var method: SendMethod
    /// The encoding as settled by reading the whole file.
    public var encoding: EncodingReport
    public var rows = 0
    public var rowsOK = 0
    public var rowsWithWarnings = 0
    public var rowsWithErrors = 0
    /// Every finding counted by kind.
    public var counts: [FindingCode: Int] = [:]
    /// The first findings of each kind (all of them up to a bound), in line order.
    public var examples: [FindingCode: [Finding]] = [:]
    /// Blank and footer lines below the header.
    public var skipped: [SkippedLine] = []
    public var skippedCount = 0
    /// Things about the whole file a person should know.
    public var notes: [String] = []
    /// Things about the whole file a person should check before sending.
    public var fileWarnings: [String] = []
    /// Where the rejected rows were written, if any row was rejected.
    public var rejectedPath: String?
    /// A rejected file from an earlier run that was removed because no row fails now.
    public var removedStaleRejected: String?
    /// The default rejected file, left as it was because someone changed it after goody-batch
    /// wrote it (their fixes); this run's rejected rows are in `rejectedPath` instead.
    public var keptEditedRejected: String?
    /// The valid rows, when they were asked for.
    public var recipients: [Recipient] = []
    /// The rows with errors, with their values and reasons, when recipients are kept.
    public var rejectedRows: [RejectedRow] = []

    /// How many findings of each kind are kept in `examples`.
    public static let examplesKept = 200

    public var errorCount: Int { counts.filter { $0.key.severity == .error }.values.reduce(0, +) }
    public var warningCount: Int { counts.filter { $0.key.severity == .warning }.values.reduce(0, +) }
}

/// Reads a recipient file and judges every row against the rules of the send method, streaming
/// in bounded memory, writing rejected rows to a file a person can fix and run again.
public struct Validation {
    public let request: ValidationRequest

    public init(_ request: ValidationRequest) { self.request = request }

    /// Runs the validation. `onFinding` sees every finding as it is made (for `--json`).
    public func run(onFinding: ((Finding) -> Void)? = nil) throws -> ValidationReport {
        // A SpreadsheetError goes up as it is: its kind decides the exit code (a write failure
        // is this machine's problem, not the input's) and `--json` names its file and line.
        let reader = try SpreadsheetReader(path: request.path, options: request.read, headerScore: Self.headerScore)
        let layout = reader.layout
        let mapping: ColumnMapping
        do {
            mapping = try ColumnMapping(
                header: layout.header, overrides: request.overrides, preferPreferredName: request.preferPreferredName)
            let missing = mapping.missingColumns(for: request.options.method)
            if !missing.isEmpty {
                throw MappingError(
                    code: .missingColumns(
                        missing, method: request.options.method, header: layout.header,
                        suggestions: Dictionary(
                            uniqueKeysWithValues: missing.compactMap { field in
                                mapping.suggestion(for: field).map { (field, $0) }
                            })))
            }
        } catch let error as MappingError {
            throw InputError(
                error.message(path: request.path, headerLine: layout.headerLine), file: request.path,
                line: layout.headerLine)
        }

        var report = ValidationReport(
            layout: layout, mapping: mapping, method: request.options.method, encoding: layout.encoding)
        report.notes = mapping.notes
        // Room for every row at once (the estimate from the file's size and an eighth more, at most
        // a million rows), rather than the doubling a growing array does.
        if request.options.collectRecipients {
            report.recipients.reserveCapacity(min(layout.estimatedRows + layout.estimatedRows / 8, 1 << 20))
        }
        if request.options.method == .emailAndLink, let personal = mapping.fallbackPersonalEmail,
            let column = mapping.ref(for: .email)
        {
            report.fileWarnings.append(
                "Goody will email each gift to \"\(personal)\" (column \(column.letter)), a personal address: no column is a work email. If the export renamed the work email, choose it with --map email=\"…\"; to send to personal addresses, say so with --map email=\"\(personal)\"."
            )
        }
        if request.options.method == .directSend && mapping.column(for: .country) == nil {
            report.notes.append("There is no country column: every address is taken as a US address.")
        }

        var rejectedTarget = request.rejectedPath ?? ValidationRequest.defaultRejectedPath(for: request.path)
        var keptEdited: String?
        if request.rejectedPath == nil {
            (rejectedTarget, keptEdited) = request.ownFiles.writableTarget(for: rejectedTarget)
        }
        var rejected: CSVFileWriter?
        func makeValidator(replayer: RecordReplayer?, expectedRows: Int) -> RowValidator {
            let validator = RowValidator(
                mapping: mapping, options: request.options, replayer: replayer, expectedRows: expectedRows)
            // Warnings are written out while examples are wanted; past that they are only counted.
            if onFinding == nil { validator.detailedWarningsPerKind = ValidationReport.examplesKept }
            return validator
        }
        let validator = makeValidator(replayer: reader.makeReplayer(), expectedRows: layout.estimatedRows)
        // Checks rows on the reading thread while `validator` is behind. Each writes out the
        // first warnings of each kind it meets, so the first ones in the file are all written.
        let helper = makeValidator(replayer: nil, expectedRows: 0)
        var rejectedHeader = layout.header
        let errorColumn = layout.header.firstIndex { $0.lowercased() == "error" }
        if errorColumn == nil { rejectedHeader.append("error") }

        // Counted by ordinal in the loop (a dictionary keyed by the code would hash its name).
        var rowsByCode = [Int](repeating: 0, count: FindingCode.allCases.count)
        var verdicts: [RowVerdict] = []
        let summary = try reader.readBatches(prepare: { helper.check($0) }) { batch in
            validator.validate(batch, into: &verdicts)
            for (index, verdict) in verdicts.enumerated() {
                report.rows += 1
                if verdict.codes.isEmpty {
                    report.rowsOK += 1
                    if let recipient = verdict.recipient { report.recipients.append(recipient) }
                    continue
                }
                for code in verdict.codes { rowsByCode[code.ordinal] += 1 }
                for finding in verdict.findings {
                    onFinding?(finding)
                    if report.examples[finding.code, default: []].count < ValidationReport.examplesKept {
                        report.examples[finding.code, default: []].append(finding)
                    }
                }
                guard verdict.hasError else {
                    report.rowsWithWarnings += 1
                    if let recipient = verdict.recipient { report.recipients.append(recipient) }
                    continue
                }
                report.rowsWithErrors += 1
                if request.options.collectRecipients {
                    report.rejectedRows.append(
                        RejectedRow(
                            line: verdict.line, values: batch[index].strings(width: layout.header.count),
                            reason: Self.reasons(verdict)))
                }
                guard !rejectedTarget.isEmpty else { continue }
                if rejected == nil {
                    rejected = try CSVFileWriter(path: rejectedTarget, format: .guarded)
                    try rejected?.writeRow(rejectedHeader)
                }
                try Self.writeRejected(
                    batch[index], verdict: verdict, width: layout.header.count, errorColumn: errorColumn,
                    to: rejected)
            }
        }
        if validator.rereadFailed {
            throw InputError(
                "\(request.path): the file changed or could not be read again while it was checked, so duplicate rows could not be confirmed. Make sure nothing else writes to it and run the command again; nothing was sent."
            )
        }
        for code in FindingCode.allCases where rowsByCode[code.ordinal] > 0 {
            report.counts[code] = rowsByCode[code.ordinal]
        }
        try rejected?.commit()
        if rejected != nil {
            report.rejectedPath = rejectedTarget
            report.keptEditedRejected = keptEdited
            request.ownFiles.remember(rejectedTarget)
        } else if !rejectedTarget.isEmpty, request.ownFiles.isUnchanged(rejectedTarget) {
            try? FileManager.default.removeItem(atPath: rejectedTarget)
            report.removedStaleRejected = rejectedTarget
        }
        report.encoding = summary.encoding
        report.skipped = summary.skipped
        report.skippedCount = summary.skippedCount
        guard report.rows > 0 else {
            let below = summary.skipped.prefix(3).map { line in
                switch line.reason {
                case .blank: "line \(line.line) is blank"
                case .footer: "line \(line.line) is a footer (\"\(line.text)\")"
                case .repeatedHeader: "line \(line.line) repeats the header"
                case .aboveHeader: "line \(line.line) is above the header"
                }
            }
            let skipped =
                below.isEmpty
                ? "" : " (" + below.joined(separator: ", ") + (summary.skippedCount > 3 ? ", …" : "") + ")"
            throw InputError(
                "\(request.path): no recipients: the header is line \(layout.headerLine) and there are no data rows below it\(skipped). Add one row per recipient below the header and run again; nothing was sent."
            )
        }
        return report
    }

    /// The number of known column names in a row: how much it looks like the header.
    public static func headerScore(_ cells: [String]) -> Int {
        Set(cells.compactMap { RecipientField.match($0)?.field }).count
    }

    /// Why a row was rejected, in one line: each error with its column and fix.
    static func reasons(_ verdict: RowVerdict) -> String {
        let reasons = verdict.findings.filter { $0.severity == .error }.map { finding in
            let place = finding.column.map { "\($0.description): " } ?? ""
            return "\(place)\(finding.message). Fix: \(finding.fix)"
        }
        return "line \(verdict.line): " + reasons.joined(separator: " | ")
    }

    /// The row's own values, then the reasons it was rejected, under the "error" column. Nothing
    /// of a row that could not be split is lost: after a stray quote, the broken value and the
    /// rest of its line stand, as they were, in the broken value's column; values past the
    /// header's width follow the error, in columns of their own.
    private static func writeRejected(
        _ record: Record, verdict: RowVerdict, width: Int, errorColumn: Int?, to writer: CSVFileWriter?
    ) throws {
        let errorText = reasons(verdict)
        // The usual rejected row: its values written as they are in memory, no string made.
        // (A value that is not UTF-8 goes the string way, which writes it repaired.)
        var splitWhole = true
        if case .strayQuote = record.problem { splitWhole = false }
        if errorColumn == nil, splitWhole, record.count <= width, !record.flagsUnion.contains(.invalidUTF8) {
            try writer?.writeRow(count: width, value: { record.bytes(at: $0) }, extra: [errorText])
            return
        }
        var values = record.strings(width: max(width, record.count))
        if case .strayQuote(let column, let rest) = record.problem, column < values.count {
            values[column] = rest
            for index in (column + 1)..<values.count { values[index] = "" }
        }
        if let errorColumn {
            values[errorColumn] = errorText
            try writer?.writeRow(values)
        } else {
            try writer?.writeRow(Array(values.prefix(width)) + [errorText] + values.dropFirst(width))
        }
    }
}
