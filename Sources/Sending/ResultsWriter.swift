import Foundation
import GoodyAPI
import Ledger
import Recipients
import Spreadsheet
import Workbook

/// Writes a run's results from the ledger.
///
/// - For HR, the faithful record: `<input>.results.csv` holds every input row, unchanged, raw
///   and in the input's order and delimiter, then its gift link, order and batch IDs, status,
///   send date, expiry, amounts and error (UTF-8 with BOM, CRLF, formulas neutralised, mode
///   0600); `<input>.results.xlsx` holds the same with the links clickable and every input value
///   as text.
/// - With `--split-by`, one workbook (and/or CSV) per manager holding only what a manager
///   should see (`ManagerColumns`), and a manifest for HR, `<input>.managers.xlsx` and `.csv`.
struct ResultsWriter {
    static let columns = [
        "gift_link", "order_id", "order_reference_id", "order_status", "send_date", "expires_at", "opened_at",
        "accepted_at", "shipped_at", "delivered_at", "canceled_at", "steps", "batch_id",
        "batch_reference_id", "amount_product", "amount_shipping", "amount_processing_fee", "amount_pre_tax_total",
        "amount_tax", "amount_total", "note", "error",
    ]

    let ledger: RunLedger
    let run: RunRecord

    /// What was written.
    struct Written {
        var results: String
        var workbook: String
        /// The manifest for HR (xlsx and csv), when split.
        var manifest: [String] = []
        var managerFiles: [String] = []
        /// Things HR should know (spellings of one manager put in one file, links past Excel's limit).
        var notes: [String] = []

        var all: [String] { [results, workbook] + manifest + managerFiles }
    }

    /// One row of the results, as every file needs it.
    struct Line {
        var input: [String]
        var row: RowRecord?
        var order: OrderRecord?
        var batch: BatchRecord?
        /// Goody's status as it wrote it, or "scheduled for 1 Mar 2027".
        var status: String
        var sendDate: Date?
        /// The day Goody sends a scheduled gift; nil for anything else.
        var scheduledOn: Date?
        var expires: Date?
        /// Only errors: a scheduled gift has none.
        var error: String
        /// What happened to the row after the send (a replacement), for HR.
        var note = ""

        func resultValue(_ column: String) -> String {
            func dollars(_ cents: Int?) -> String {
                cents.map { String(format: "%d.%02d", $0 / 100, abs($0 % 100)) } ?? ""
            }
            switch column {
            case "gift_link": return order?.giftLink ?? ""
            case "order_id": return order?.orderID ?? ""
            case "order_reference_id": return order?.referenceID ?? ""
            case "order_status": return status
            case "send_date": return sendDate.map(ResultsWriter.isoDay) ?? ""
            case "expires_at": return expires.map(ResultsWriter.isoDay) ?? ""
            case "opened_at", "accepted_at", "shipped_at", "delivered_at", "canceled_at":
                return step(String(column.dropLast(3))).map(ResultsWriter.isoDay) ?? ""
            case "steps": return ResultsWriter.history(order)
            case "batch_id": return batch?.goodyID ?? ""
            case "batch_reference_id": return batch?.referenceID ?? ""
            case "amount_product": return dollars(order?.amountProduct)
            case "amount_shipping": return dollars(order?.amountShipping)
            case "amount_processing_fee": return dollars(order?.amountProcessingFee)
            case "amount_pre_tax_total": return dollars(order?.amountPreTaxTotal)
            case "amount_tax": return dollars(order?.amountTax)
            case "amount_total": return dollars(order?.amountTotal)
            case "note": return note
            default: return error
            }
        }

        /// When the order reached a step ("opened"), from Goody's order activities.
        func step(_ status: String) -> Date? { order?.steps[status].flatMap(GoodyJSON.date) }

        /// The results' own column as a workbook cell: links clickable, dates as dates, money as numbers.
        func resultCell(_ column: String) -> WorkbookCell {
            let text = resultValue(column)
            guard !text.isEmpty else { return .empty }
            switch column {
            case "gift_link": return .link(url: text, label: text)
            case "send_date": return sendDate.map(WorkbookCell.date) ?? .text(text)
            case "expires_at": return expires.map(WorkbookCell.date) ?? .text(text)
            case "opened_at", "accepted_at", "shipped_at", "delivered_at", "canceled_at":
                return step(String(column.dropLast(3))).map(WorkbookCell.date) ?? .text(text)
            case _ where column.hasPrefix("amount_"): return Double(text).map(WorkbookCell.amount) ?? .text(text)
            default: return .text(text)
            }
        }
    }

    /// Writes every file; `splitBy` names a column (or the `manager` field).
    func write(to path: String, splitBy: String?) throws -> Written {
        let header = try run.header()
        return try write(header: header, to: path, splitBy: splitBy, about: true) { visit in
            try eachLine(width: header.count, visit)
        }
    }

    /// The people who have not opened their gift yet (and whose link still works), for a nudge:
    /// `<input>.not-opened.csv` and `.xlsx` for HR and, split by manager, one file each.
    func writeNotOpened(splitBy: String?, now: Date) throws -> Written {
        let header = try run.header()
        var lines: [Line] = []
        try eachLine(width: header.count) { line in
            if line.row?.status == .sent && line.order.map({ GiftStage($0, now: now) == .notOpened }) == true {
                lines.append(line)
            }
        }
        var path = (run.outputPath as NSString).deletingPathExtension
        if path.hasSuffix(".results") { path.removeLast(".results".count) }
        var written = try write(header: header, to: path + ".not-opened.csv", splitBy: splitBy, about: false) {
            visit in try lines.forEach(visit)
        }
        written.notes.append(
            "\(lines.count) \(lines.count == 1 ? "person has" : "people have") not opened their gift yet: \(written.results)\(written.manifest.isEmpty ? "" : ", and one file per manager listed in \(written.manifest[0])")."
        )
        return written
    }

    /// Writes the CSV and the workbook in one pass over `lines` (which hands each line to the
    /// closure it is given), so a run's lines are never all held at once; only the managers'
    /// files, when split, keep theirs.
    private func write(
        header: [String], to path: String, splitBy: String?, about: Bool,
        lines: (_ visit: (Line) throws -> Void) throws -> Void
    ) throws -> Written {
        let settings = try OutputSettings.of(run.outputJSON, header: header, runID: run.id)
        let fullHeader = header + Self.columns

        let csv = try CSVFileWriter(path: path, format: .results(delimiter: settings.delimiter))
        try csv.writeRow(fullHeader)

        var written = Written(results: path, workbook: OutputNaming.replacingExtension(of: path, with: "xlsx"))
        let book = try WorkbookWriter(path: written.workbook, sheetName: "Results", header: fullHeader)
        // Printed across pages, each page starts with who the row is.
        let names = [RecipientField.firstName, .lastName, .fullName, .preferredName, .email].compactMap {
            settings.roles[$0.rawValue]
        }
        if let first = names.min() {
            let last = names.filter { $0 <= first + 2 }.max() ?? first
            book.repeatedColumns = first...last
        }
        var sums = Totals()
        var kept: [Line] = []
        try lines { line in
            try csv.writeRow(line.input + Self.columns.map(line.resultValue))
            try book.append(line.input.map { $0.isEmpty ? .empty : .text($0) } + Self.columns.map(line.resultCell))
            if let order = line.order { sums.add(order) }
            if splitBy != nil, line.row != nil { kept.append(line) }
        }
        try csv.commit()
        if about {
            try book.appendTotals(totalsRow(sums, width: header.count))
            book.addAboutSheet("Run", rows: aboutRun + totals(sums))
        }
        try book.commit()
        if book.linksWrittenAsText > 0 {
            written.notes.append(
                "\(written.workbook): \(book.linksWrittenAsText) gift links are longer than a spreadsheet link can be and are written as text (every link is in the CSV)."
            )
        }
        if let splitBy {
            try ManagerFiles(run: run, header: header, settings: settings, resultsPath: path).write(
                kept, splitBy: splitBy, into: &written)
        }
        return written
    }

    /// The run and its approval: who approved what and when, beside the results.
    private var aboutRun: [(String, String)] {
        var rows: [(String, String)] = [
            ("Run", run.id), ("Input", run.inputPath), ("Input SHA-256", run.inputSHA256),
            (
                "Account",
                run.simulated ? "simulated (built-in emulator)" : AccountIdentity.describe(key: run.environment)
            ),
            ("Created", GoodyJSON.timestamp(run.createdAt)), ("Approved at", GoodyJSON.timestamp(run.approvedAt)),
            ("Approved by", run.approvedBy ?? "(not recorded)"),
            ("Approved up to", Money.dollars(run.approvedLimit ?? run.estimateHigh)),
            ("Estimate", "\(Money.dollars(run.estimateLow)) – \(Money.dollars(run.estimateHigh))"),
            ("Approval", run.approval),
        ]
        if let plan = run.planSHA256 { rows.append(("Plan SHA-256", plan)) }
        return rows
    }

    /// What the live orders come to (a canceled order's money comes back), per amount column:
    /// the sum and how many orders Goody gave it for. Goody reports tax (and so the total) only
    /// once a gift is accepted.
    struct Totals {
        var orders = 0
        var canceled = 0
        var sums: [String: (cents: Int, known: Int)] = [:]

        static let amounts: [(column: String, label: String, value: @Sendable (OrderRecord) -> Int?)] = [
            ("amount_product", "Products", { $0.amountProduct }),
            ("amount_shipping", "Shipping", { $0.amountShipping }),
            ("amount_processing_fee", "Processing fees", { $0.amountProcessingFee }),
            ("amount_pre_tax_total", "Before tax", { $0.amountPreTaxTotal }), ("amount_tax", "Tax", { $0.amountTax }),
            ("amount_total", "Total", { $0.amountTotal }),
        ]

        init() {}

        init(_ all: [OrderRecord]) { for order in all { add(order) } }

        mutating func add(_ order: OrderRecord) {
            guard order.status != OrderStatus.canceled.rawValue else {
                canceled += 1
                return
            }
            orders += 1
            for amount in Self.amounts {
                let sum = sums[amount.column] ?? (0, 0)
                sums[amount.column] = amount.value(order).map { (sum.cents + $0, sum.known + 1) } ?? sum
            }
        }

        /// The closing report's line: "products $1,200.00, shipping $80.00, fees $128.00; before
        /// tax $1,408.00; tax for 3 of 40 orders".
        var line: String {
            func dollars(_ column: String) -> String { Money.dollars(sums[column]?.cents ?? 0) }
            let tax = sums["amount_tax"]?.known ?? 0
            return
                "products \(dollars("amount_product")), shipping \(dollars("amount_shipping")), fees \(dollars("amount_processing_fee")); before tax \(dollars("amount_pre_tax_total")); "
                + (tax == orders
                    ? "tax \(dollars("amount_tax")), total \(dollars("amount_total"))"
                    : "tax known for \(tax) of \(orders) orders (Goody gives it once a gift is accepted)")
        }

        /// The sum when Goody gave it for every order.
        func complete(_ column: String) -> Int? {
            sums[column].flatMap { $0.known == orders ? $0.cents : nil }
        }
    }

    /// The summary sheet's lines for the totals.
    private func totals(_ totals: Totals) -> [(String, String)] {
        [("Orders", "\(totals.orders)")]
            + (totals.canceled > 0
                ? [("Canceled", "\(totals.canceled) (their money comes back; not counted in the amounts)")] : [])
            + Totals.amounts.map { amount in
                let figure = totals.sums[amount.column] ?? (0, 0)
                return (
                    amount.label,
                    figure.known == totals.orders
                        ? Money.dollars(figure.cents)
                        : "\(Money.dollars(figure.cents)) (\(figure.known) of \(totals.orders) orders; Goody gives it once a gift is accepted)"
                )
            }
    }

    /// The results sheet's totals row: the label under the first column, each amount under its own.
    private func totalsRow(_ totals: Totals, width: Int) -> [WorkbookCell] {
        var cells = Array(repeating: WorkbookCell.empty, count: width + Self.columns.count)
        cells[0] = .text(
            "Total of \(totals.orders) order\(totals.orders == 1 ? "" : "s") (canceled ones left out; tax and total once Goody gives them for every order)"
        )
        for (index, column) in Self.columns.enumerated() {
            if let cents = totals.complete(column) { cells[width + index] = .amount(Double(cents) / 100) }
        }
        return cells
    }

    /// Every row in input order, then the orders Goody returned that match no row (with empty
    /// input columns, so no gift link is ever dropped), read from the ledger a page at a time.
    private func eachLine(width: Int, _ visit: (Line) throws -> Void) throws {
        let batches = Dictionary(uniqueKeysWithValues: try ledger.batches(ofRun: run.id).map { ($0.number, $0) })
        let withoutLine = try ledger.ordersWithoutLine(ofRun: run.id)
        let replacedOrders = Dictionary(
            withoutLine.filter { $0.matchedBy == OrderRecord.replaced }.map { ($0.orderID, $0) },
            uniquingKeysWith: { first, _ in first })
        var notes: [Int: String] = [:]
        for action in try ledger.actions(ofRun: run.id) where action.kind == .replace && action.state == .done {
            guard let line = action.line, let old = replacedOrders[action.orderID] else { continue }
            notes[line] =
                "replaced on \(Self.isoDay(action.updatedAt)): sent to \(action.value ?? "") instead of \(old.email ?? "the address in the file"), whose gift (order \(old.referenceID)) was canceled"
        }
        var after = Int.min
        while true {
            let rows = try ledger.rows(ofRun: run.id, after: after, limit: Self.pageSize)
            guard let first = rows.first?.line, let last = rows.last?.line else { break }
            let orders = Dictionary(
                try ledger.orders(ofRun: run.id, lines: first...last).compactMap { order in
                    order.line.map { ($0, order) }
                }, uniquingKeysWith: { first, _ in first })
            for row in rows {
                var input = try row.values()
                if input.count < width { input += Array(repeating: "", count: width - input.count) }
                var written = line(
                    input: input, row: row, order: orders[row.line], batch: row.batchNumber.flatMap { batches[$0] })
                written.note = notes[row.line] ?? ""
                try visit(written)
            }
            after = last
        }
        // A replaced order (canceled, its person sent a new gift) is kept in the ledger, off the results.
        for order in withoutLine where order.matchedBy != OrderRecord.replaced {
            let who = [order.firstName, order.lastName ?? "", order.email.map { "<\($0)>" } ?? ""]
                .filter { !$0.isEmpty }.joined(separator: " ")
            var line = line(
                input: Array(repeating: "", count: width), row: nil, order: order, batch: batches[order.batchNumber])
            line.error =
                "Goody returned this order (for \(who)) in batch \(order.batchNumber), but it matches no row of the input; find out who it is for before sharing the link"
            try visit(line)
        }
    }

    /// Rows read from the ledger at a time while the results are written.
    static let pageSize = 2_000

    private func line(input: [String], row: RowRecord?, order: OrderRecord?, batch: BatchRecord?) -> Line {
        var line = Line(
            input: input, row: row, order: order, batch: batch, status: Self.status(of: order),
            expires: order?.expiresAt.flatMap(GoodyJSON.date), error: "")
        let scheduled = batch?.scheduledSendOn.flatMap(GoodyJSON.date)
        // The scheduled day, else the day the run was approved (when its batches were created).
        line.sendDate = scheduled ?? (order != nil ? run.createdAt : nil)
        switch row?.status {
        case .sent, nil: break
        case .pending:
            if let batch, batch.state == .created, let scheduled = batch.scheduledSendOn {
                // Scheduled is a state, not an error: the batch exists and Goody sends it then.
                line.scheduledOn = GoodyJSON.date(scheduled)
                line.status = "scheduled for \(Self.day(scheduled))"
            } else {
                line.error = "not sent yet: resume with goody-batch resume \(run.id)"
            }
        case .some(let status): line.error = row?.error ?? status.rawValue
        }
        return line
    }

    /// "2027-03-01T09:00:00Z" → "1 Mar 2027" (UTC); the text itself when it is not a date.
    static func day(_ timestamp: String) -> String {
        GoodyJSON.date(timestamp).map(day) ?? timestamp
    }

    /// "1 Mar 2027", the day in UTC.
    static func day(_ date: Date) -> String {
        var style = Date.FormatStyle(date: .abbreviated, time: .omitted, locale: Locale(identifier: "en_GB"))
        style.timeZone = TimeZone(identifier: "UTC") ?? .current
        return date.formatted(style)
    }

    /// "2027-03-01", the day in UTC.
    static func isoDay(_ date: Date) -> String {
        var style = Date.ISO8601FormatStyle().year().month().day()
        style.timeZone = TimeZone(identifier: "UTC") ?? .current
        return date.formatted(style)
    }

    /// Every step the order took, in order: "created 2027-01-04, opened 2027-01-06".
    static func history(_ order: OrderRecord?) -> String {
        guard let steps = order?.steps, !steps.isEmpty else { return "" }
        return steps.sorted { ($0.value, $0.key) < ($1.value, $1.key) }
            .map { "\($0.key) \(GoodyJSON.date($0.value).map(isoDay) ?? $0.value)" }.joined(separator: ", ")
    }

    /// Goody's order status as it wrote it ("accepted", "pending_user_approval"), and whether the
    /// recipient swapped the gift: "accepted (swapped)".
    static func status(of order: OrderRecord?) -> String {
        guard let order else { return "" }
        return order.swapped ? "\(order.status) (swapped)" : order.status
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

    /// "dir/team.results.csv" + "sam-lee" + "xlsx" → "dir/team.results.sam-lee.xlsx".
    static func sibling(of path: String, inserting part: String, extension ext: String) -> String {
        "\((path as NSString).deletingPathExtension).\(part).\(ext)"
    }

    /// "dir/team.results.csv" → "dir/team.results.xlsx".
    static func replacingExtension(of path: String, with ext: String) -> String {
        "\((path as NSString).deletingPathExtension).\(ext)"
    }

    /// "dir/team.results.csv" → "dir/team.managers.xlsx"; "dir/out.csv" → "dir/out.managers.xlsx".
    static func manifest(for results: String, extension ext: String) -> String {
        var base = (results as NSString).deletingPathExtension
        if base.hasSuffix(".results") { base.removeLast(".results".count) }
        return "\(base).managers.\(ext)"
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
