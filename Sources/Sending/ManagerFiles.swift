import Foundation
import Ledger
import Recipients
import Spreadsheet
import Workbook

/// One file per manager (`--split-by`), holding only what a manager should see, and the
/// manifest that tells HR which file goes to whom.
struct ManagerFiles {
    let run: RunRecord
    let header: [String]
    let settings: OutputSettings
    let resultsPath: String

    /// The people of one manager; spellings that differ only by case, accents or spacing are one.
    private struct Group {
        var spellings: [String]
        var lines: [ResultsWriter.Line] = []
        var files: [String] = []
        var name: String { spellings[0] }
    }

    func write(_ lines: [ResultsWriter.Line], splitBy: String, into written: inout ResultsWriter.Written) throws {
        let column = try Self.column(splitBy, header: header, settings: settings)
        let columns = try ManagerColumns(header: header, settings: settings)
        var groups: [Group] = []
        var index: [String: Int] = [:]
        for line in lines {
            let value = line.input[column].split(whereSeparator: \.isWhitespace).joined(separator: " ")
            let key = Self.fold(value)
            if let at = index[key] {
                if !groups[at].spellings.contains(value) { groups[at].spellings.append(value) }
                groups[at].lines.append(line)
            } else {
                index[key] = groups.count
                groups.append(Group(spellings: [value], lines: [line]))
            }
        }
        // A manager whose people were all gifted in an earlier send has nothing new: no file,
        // which would read as "my team was skipped". HR's results keep those rows.
        for number in groups.indices { groups[number].lines.removeAll { $0.row?.status == .alreadySent } }
        let nothingNew = groups.filter(\.lines.isEmpty)
        groups.removeAll(where: \.lines.isEmpty)
        if !nothingNew.isEmpty {
            let names = nothingNew.prefix(5).map { $0.name.isEmpty ? "(no \(header[column]))" : $0.name }
            written.notes.append(
                "No file for \(nothingNew.count) \(header[column]) value\(nothingNew.count == 1 ? "" : "s") (\(names.joined(separator: ", "))\(nothingNew.count > 5 ? "…" : "")): everyone of theirs was gifted in an earlier send, so nothing is new for them."
            )
        }
        var slugs: Set<String> = []
        let fileHeader = columns.header(header)
        for number in groups.indices {
            var slug = Self.slug(groups[number].name.isEmpty ? "no \(header[column])" : groups[number].name)
            while slugs.contains(slug) { slug += "-2" }
            slugs.insert(slug)
            if settings.format.xlsx {
                let path = OutputNaming.sibling(of: resultsPath, inserting: slug, extension: "xlsx")
                // A run that stopped part-way: the sheet's name (its title in Excel) says so.
                let name = groups[number].name.isEmpty ? "Gifts" : groups[number].name
                let book = try WorkbookWriter(
                    path: path, sheetName: unfinished ? "UNFINISHED " + name : name, header: fileHeader)
                for line in groups[number].lines { try book.append(cells(line, columns)) }
                try book.commit()
                groups[number].files.append(path)
            }
            if settings.format.csv {
                let path = OutputNaming.sibling(of: resultsPath, inserting: slug, extension: "csv")
                let csv = try CSVFileWriter(path: path, format: .results(delimiter: settings.delimiter))
                try csv.writeRow(fileHeader)
                for line in groups[number].lines { try csv.writeRow(values(line, columns)) }
                try csv.commit()
                groups[number].files.append(path)
            }
            written.managerFiles += groups[number].files
            if groups[number].spellings.count > 1 {
                let quoted = groups[number].spellings.map { "\"\($0)\"" }
                written.notes.append(
                    "\(header[column]) is written \(quoted.dropLast().joined(separator: ", ")) and \(quoted.last ?? ""), which differ only by case, accents or spacing: they are taken as one and share \((groups[number].files.first.map { ($0 as NSString).lastPathComponent }) ?? "one file"). Check they are one person."
                )
            }
        }
        written.manifest = try writeManifest(groups, column: header[column])
    }

    /// The run stopped before the end (or is still going): the files do not hold every gift yet.
    var unfinished: Bool { run.state != .complete && run.state != .waiting }

    /// A header by its text, or the `manager` field by its name (`--split-by manager`).
    static func column(_ splitBy: String, header: [String], settings: OutputSettings) throws -> Int {
        if let column = header.firstIndex(where: { $0.caseInsensitiveCompare(splitBy) == .orderedSame }) {
            return column
        }
        if let field = RecipientField(rawValue: splitBy.lowercased()), let column = settings.roles[field.rawValue],
            column < header.count
        {
            return column
        }
        let guess = EditDistance.closest(splitBy, in: header).map {
            " Did you mean --split-by \(ShellWord.quoted($0))?"
        }
        throw SendError(
            "--split-by \(splitBy): the input has no such column.\(guess ?? "") Its columns are: \(HeaderList.quoted(header)). Nothing was priced or sent."
        )
    }

    private func cells(_ line: ResultsWriter.Line, _ columns: ManagerColumns) -> [WorkbookCell] {
        let text = { (column: Int) in line.input[column].isEmpty ? WorkbookCell.empty : .text(line.input[column]) }
        let gift =
            line.row?.status == .sent ? line.order.map { WorkbookCell.link(url: $0.giftLink, label: "Open gift") } : nil
        return columns.names(line.input, row: line.row).map { $0.isEmpty ? WorkbookCell.empty : .text($0) }
            + [
                gift ?? .empty, .text(Self.words(line, method: run.sendMethod)),
                line.sendDate.map(WorkbookCell.date) ?? .empty,
                line.expires.map(WorkbookCell.date) ?? .empty,
            ]
            + columns.contact.map(text)
            + columns.shared.map { shared in
                switch shared {
                case .input(let column): text(column)
                case .result(let name): line.resultCell(name)
                }
            }
    }

    private func values(_ line: ResultsWriter.Line, _ columns: ManagerColumns) -> [String] {
        let gift = line.row?.status == .sent ? line.order?.giftLink ?? "" : ""
        return columns.names(line.input, row: line.row)
            + [
                gift, Self.words(line, method: run.sendMethod), line.sendDate.map(ResultsWriter.isoDay) ?? "",
                line.expires.map(ResultsWriter.isoDay) ?? "",
            ]
            + columns.contact.map { line.input[$0] }
            + columns.shared.map { shared in
                switch shared {
                case .input(let column): line.input[column]
                case .result(let name): line.resultValue(name)
                }
            }
    }

    /// The gift's state in words a manager reads; never a command line.
    /// With `email_and_link` Goody emailed the person their gift: the link in the manager's
    /// file is for reference, and the status says so.
    static func words(_ line: ResultsWriter.Line, method: String = "") -> String {
        switch line.row?.status {
        case .sent, nil:
            guard let order = line.order else { return "" }
            let words: [String: String] = [
                "created": method == "email_and_link"
                    ? "Emailed to them by Goody (the link is for your reference)" : "Gift link ready",
                "notified": "Recipient notified", "opened": "Opened",
                "accepted": "Accepted", "pending_payment": "Waiting for payment", "paid": "Paid",
                "ordered": "Ordered", "shipped": "Shipped", "delivered": "Delivered", "failed": "Failed",
                "canceled": "Canceled",
            ]
            let base = words[order.status] ?? order.status.replacingOccurrences(of: "_", with: " ").capitalizedFirst
            return order.swapped ? "\(base) (swapped for another gift)" : base
        case .pending:
            if let scheduled = line.scheduledOn { return "Scheduled for \(ResultsWriter.day(scheduled))" }
            return "Not sent yet"
        case .alreadySent:
            return "Not sent: already received a gift in an earlier send"
        case .failed, .rejected:
            return "Not sent: " + plain(line.error)
        }
    }

    /// An error in plain words: no line numbers, no column letters, no "Fix:" and no commands.
    static func plain(_ error: String) -> String {
        var text = error
        for prefix in [#"^line \d+: "#, #"^column [A-Z]+ \([^)]*\): "#, #"^column [A-Z]+: "#] {
            if let range = text.range(of: prefix, options: .regularExpression) { text.removeSubrange(range) }
        }
        for cut in [" Fix:", " | ", "; ", "`", "goody-batch", "(run ", "--"] {
            if let range = text.range(of: cut) { text = String(text[..<range.lowerBound]) }
        }
        text = text.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: ".;:,(")))
        return text.isEmpty ? "ask HR why" : text.lowercasedFirst
    }

    private func writeManifest(_ groups: [Group], column: String) throws -> [String] {
        // The manager's email when the input has one, to attach each file; one column per file.
        let input = self.header
        let emailColumn: Int? = settings.roles[RecipientField.managerEmail.rawValue].flatMap {
            $0 < input.count ? $0 : nil
        }
        var fileColumns: [String] = []
        if settings.format.xlsx { fileColumns.append("Workbook") }
        if settings.format.csv { fileColumns.append("CSV file") }
        var header: [String] = [column]
        if let emailColumn { header.append(input[emailColumn]) }
        header += ["Also written"] + fileColumns + ["People", "Gift links", "Scheduled", "Not sent", "Run"]
        let state =
            unfinished
            ? "UNFINISHED: run \(run.id) stopped before the end; `goody-batch resume \(run.id)` completes it and writes these files again"
            : "complete"
        let xlsxPath = OutputNaming.manifest(for: resultsPath, extension: "xlsx")
        let csvPath = OutputNaming.manifest(for: resultsPath, extension: "csv")
        let book = try WorkbookWriter(path: xlsxPath, sheetName: "Managers", header: header)
        let csv = try CSVFileWriter(path: csvPath, format: .results(delimiter: settings.delimiter))
        try csv.writeRow(header)
        for group in groups {
            let links = group.lines.filter { $0.row?.status == .sent && $0.order != nil }.count
            let scheduled = group.lines.filter { $0.row?.status == .pending && $0.scheduledOn != nil }.count
            let notSent = group.lines.count - links - scheduled
            let name = group.name.isEmpty ? "(no \(column))" : group.name
            let files = group.files.map { ($0 as NSString).lastPathComponent }
            let counts = [group.lines.count, links, scheduled, notSent]
            var texts: [String] = [name]
            if let emailColumn {
                texts.append(group.lines.map { $0.input[emailColumn] }.first { !$0.isEmpty } ?? "")
            }
            texts.append(group.spellings.dropFirst().joined(separator: "; "))
            var cells: [WorkbookCell] = texts.map { $0.isEmpty ? WorkbookCell.empty : WorkbookCell.text($0) }
            cells += files.map { WorkbookCell.link(url: "external:\($0)", label: $0) }
            cells += counts.map { WorkbookCell.count($0) } + [.text(state)]
            try book.append(cells)
            try csv.writeRow(texts + files + counts.map { String($0) } + [state])
        }
        try book.commit()
        try csv.commit()
        return [xlsxPath, csvPath]
    }

    /// "Renée Côté", "renee  cote" → "renee cote".
    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// "Sam Lee" → "sam-lee".
    static func slug(_ text: String) -> String {
        let words = fold(text).split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        let slug = words.joined(separator: "-")
        return slug.isEmpty ? "blank" : String(slug.prefix(60))
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
    var lowercasedFirst: String { prefix(1).lowercased() + dropFirst() }
}
