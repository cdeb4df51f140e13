import Foundation
import GoodyAPI
import Ledger
import Spreadsheet

/// Writes a run's results from the ledger: every input row, unchanged and in the original
/// order, then its gift link, order and batch IDs, status, amounts and error. For Excel: UTF-8
/// with BOM, CRLF, leading zeros kept, formulas neutralized; written atomically, mode 0600.
struct ResultsWriter {
    static let columns = [
        "gift_link", "order_id", "order_reference_id", "order_status", "batch_id", "batch_reference_id",
        "amount_product", "amount_shipping", "amount_processing_fee", "amount_tax", "amount_total", "error",
    ]

    let ledger: RunLedger
    let run: RunRecord

    /// Writes the results (and one file per value of `splitBy`), returning the paths written.
    func write(to path: String, splitBy: String?) throws -> [String] {
        let header = try run.header()
        let rows = try ledger.rows(ofRun: run.id)
        let orders = Dictionary(
            try ledger.orders(ofRun: run.id).compactMap { order in order.line.map { ($0, order) } },
            uniquingKeysWith: { first, _ in first })
        let batches = Dictionary(uniqueKeysWithValues: try ledger.batches(ofRun: run.id).map { ($0.number, $0) })
        let lines = try rows.map { row in
            try line(
                for: row, width: header.count, order: orders[row.line], batch: row.batchNumber.flatMap { batches[$0] })
        }
        // An order Goody returned that no row could be paired with is listed too (after the
        // rows, with empty input columns): its gift link is never dropped.
        let unmatched = try ledger.orders(ofRun: run.id).filter { $0.line == nil }.map { order in
            let who = [order.firstName, order.lastName ?? "", order.email.map { "<\($0)>" } ?? ""]
                .filter { !$0.isEmpty }.joined(separator: " ")
            let note =
                "Goody returned this order (for \(who)) in batch \(order.batchNumber), but it matches no row of the input; find out who it is for before sharing the link"
            return orderCells(order, batch: batches[order.batchNumber], error: note, width: header.count)
        }

        var written = [path]
        try Self.writeFile(path, header: header + Self.columns, lines: lines.map(\.cells) + unmatched)
        if let splitBy {
            guard let column = header.firstIndex(where: { $0.lowercased() == splitBy.lowercased() }) else {
                throw SendError(
                    "--split-by \(splitBy): the input has no such column. Its columns are: \(header.map { "\"\($0)\"" }.joined(separator: ", "))."
                )
            }
            var groups: [String: [[String]]] = [:]
            var order: [String] = []
            for (row, line) in zip(rows, lines) {
                let values = try row.values()
                let key = column < values.count ? values[column].trimmingCharacters(in: .whitespaces) : ""
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(line.cells)
            }
            var used: Set<String> = []
            for key in order {
                var slug = Self.slug(key.isEmpty ? "no \(splitBy)" : key)
                while used.contains(slug) { slug += "-2" }
                used.insert(slug)
                let splitPath = OutputNaming.sibling(of: path, inserting: slug)
                try Self.writeFile(splitPath, header: header + Self.columns, lines: groups[key] ?? [])
                written.append(splitPath)
            }
        }
        return written
    }

    private struct Line {
        var cells: [String]
    }

    private func line(for row: RowRecord, width: Int, order: OrderRecord?, batch: BatchRecord?) throws -> Line {
        var cells = try row.values()
        if cells.count < width { cells += Array(repeating: "", count: width - cells.count) }
        var status = Self.status(of: order)
        let error: String
        switch row.status {
        case .sent: error = ""
        case .pending:
            if let batch, batch.state == .created, let scheduled = batch.scheduledSendOn {
                // Scheduled is a state, not an error: the batch exists and Goody sends it then.
                status = "scheduled for \(Self.day(scheduled))"
                error = ""
            } else {
                error = "not sent yet: resume with goody-batch resume \(run.id)"
            }
        default: error = row.error ?? row.status.rawValue
        }
        return Line(cells: orderCells(order, batch: batch, status: status, error: error, width: 0, values: cells))
    }

    /// "2027-03-01T09:00:00Z" → "1 Mar 2027" (UTC); the text itself when it is not a date.
    static func day(_ timestamp: String) -> String {
        guard let date = GoodyJSON.date(timestamp) else { return timestamp }
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_GB"))
        style.timeZone = TimeZone(identifier: "UTC") ?? .current
        return date.formatted(style)
    }

    /// The input's values (or `width` empty ones), then the order's columns and the error.
    private func orderCells(
        _ order: OrderRecord?, batch: BatchRecord?, status: String? = nil, error: String, width: Int,
        values: [String]? = nil
    ) -> [String] {
        func dollars(_ cents: Int?) -> String { cents.map { String(format: "%d.%02d", $0 / 100, abs($0 % 100)) } ?? "" }
        return (values ?? Array(repeating: "", count: width)) + [
            order?.giftLink ?? "", order?.orderID ?? "", order?.referenceID ?? "", status ?? Self.status(of: order),
            batch?.goodyID ?? "", batch?.referenceID ?? "", dollars(order?.amountProduct),
            dollars(order?.amountShipping), dollars(order?.amountProcessingFee), dollars(order?.amountTax),
            dollars(order?.amountTotal), error,
        ]
    }

    /// Goody's order status as it wrote it ("accepted", "pending_user_approval"), and whether the
    /// recipient swapped the gift: "accepted (swapped)".
    static func status(of order: OrderRecord?) -> String {
        guard let order else { return "" }
        return order.swapped ? "\(order.status) (swapped)" : order.status
    }

    private static func writeFile(_ path: String, header: [String], lines: [[String]]) throws {
        let writer = try CSVFileWriter(path: path, format: .excel)
        try writer.writeRow(header)
        for line in lines { try writer.writeRow(line) }
        try writer.commit()
    }

    /// "Sam Lee" → "sam-lee".
    static func slug(_ text: String) -> String {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        let words = folded.lowercased().split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        let slug = words.joined(separator: "-")
        return slug.isEmpty ? "blank" : String(slug.prefix(60))
    }
}

/// Where outputs go by default.
public enum OutputNaming {
    /// "dir/team.csv" → "dir/team.results.csv".
    public static func results(for input: String) -> String {
        let url = URL(fileURLWithPath: input)
        let name = url.deletingPathExtension().lastPathComponent + ".results.csv"
        let directory = (input as NSString).deletingLastPathComponent
        return directory.isEmpty ? name : directory + "/" + name
    }

    /// "dir/team.results.csv" + "sam-lee" → "dir/team.results.sam-lee.csv".
    static func sibling(of path: String, inserting part: String) -> String {
        let ext = (path as NSString).pathExtension
        let base = (path as NSString).deletingPathExtension
        return "\(base).\(part).\(ext.isEmpty ? "csv" : ext)"
    }

    /// The ledger beside the results: one per folder, shared by every run there, so a later
    /// run notices who already got a gift.
    public static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    public static func ledger(besideOutput output: String) -> String {
        let directory = (output as NSString).deletingLastPathComponent
        return (directory.isEmpty ? "" : directory + "/") + "goody-batch-ledger.sqlite"
    }
}
