public import APIClient
import Foundation
import GoodyAPI
public import Ledger

/// The closing summary of a send, resume, status or export: what was sent, what failed and why,
/// what it is estimated to cost, and where the results are.
public struct SendReport: Sendable {
    public var run: RunRecord
    /// Every file written: the results CSV, its workbook, the managers' manifest and files.
    public var outputs: [String]
    /// The results workbook, the manifest for HR and each manager's files.
    public var workbook: String?
    public var manifest: [String] = []
    public var managerFiles: [String] = []
    /// `status --not-opened`: the lists of who has not opened their gift.
    public var notOpenedFiles: [String] = []
    /// Where the gifts are: "212 accepted, 61 opened not accepted…".
    public var gifts: String?
    /// What the live orders come to, amount by amount.
    public var amounts: String?
    /// Orders canceled by `replace`, their people sent the same gift at a corrected email.
    public var replaced = 0
    /// Cancels or expiry moves Goody refused in this command.
    public var followUpRefused = 0
    public var rowsSent: Int
    public var rowsFailed: Int
    public var rowsRejected: Int
    public var rowsAlreadySent: Int
    /// In a batch with no gift link yet (pending, scheduled, or not sent before a stop).
    public var rowsPending: Int
    public var batches: Int
    public var batchesRefused: Int
    public var batchesFailed: Int
    public var batchesUnsent: Int
    public var estimateHigh: Int
    /// The sum of the orders' amounts (their total where Goody gave one, else pre-tax).
    public var charged: Int
    public var orderStatuses: [String: Int]
    /// Orders Goody returned that match no row (listed at the end of the results).
    public var ordersUnmatched: Int
    public var notes: [String]
    /// The requests of the sending phase (creates, polls, order reads), for its pace.
    public var requests: RequestPacer.Statistics?
    /// Every request of the command, plan included.
    public var commandRequests: RequestPacer.Statistics?
    public var seconds: Double
    /// What stopped the run early (Ctrl-C, a lost connection), if anything.
    public var stoppedBy: (any Error)?

    init(
        ledger: RunLedger, run: RunRecord, written: ResultsWriter.Written, notes: [String],
        requests: RequestPacer.Statistics?, seconds: Double
    ) throws {
        self.run = run
        outputs = written.all
        workbook = written.workbook
        manifest = written.manifest
        managerFiles = written.managerFiles
        self.notes = notes
        self.requests = requests
        self.seconds = seconds
        let rows = try ledger.rowCounts(ofRun: run.id)
        func count(_ status: RowRecord.Status) -> Int { rows[status] ?? 0 }
        rowsSent = count(.sent)
        rowsFailed = count(.failed)
        rowsRejected = count(.rejected)
        rowsAlreadySent = count(.alreadySent)
        rowsPending = count(.pending)
        let batches = try ledger.batches(ofRun: run.id)
        self.batches = batches.count
        batchesRefused = batches.filter { $0.state == .refused }.count
        batchesFailed = batches.filter { $0.state == .failed }.count
        batchesUnsent = batches.filter { $0.state == .planned || $0.state == .creating }.count
        estimateHigh = batches.filter { $0.state != .refused && $0.state != .planned }.reduce(0) {
            $0 + $1.estimateHigh
        }
        // One pass over the orders, none of them kept.
        var charged = 0
        var replaced = 0
        var unmatched = 0
        var statuses: [String: Int] = [:]
        var tally = GiftLife.Tally(now: Today.now())
        var totals = ResultsWriter.Totals()
        try ledger.forEachOrder(ofRun: run.id) { order in
            // A canceled order's money comes back.
            if order.status != OrderStatus.canceled.rawValue { charged += order.amountTotal ?? order.amountPreTaxTotal }
            // A replaced order is the same person's earlier gift: counted apart, not as a gift of the run.
            guard order.matchedBy != OrderRecord.replaced else {
                replaced += 1
                return
            }
            if order.line == nil { unmatched += 1 }
            statuses[order.status, default: 0] += 1
            tally.add(order)
            totals.add(order)
        }
        self.charged = charged
        self.replaced = replaced
        ordersUnmatched = unmatched
        orderStatuses = statuses
        gifts = tally.text
        amounts = statuses.isEmpty ? nil : totals.line
    }

    public var interrupted: Bool { run.state == .interrupted }

    public func renderText() -> String {
        var lines: [String] = []
        for note in notes { lines.append("Note: \(note)") }
        if !notes.isEmpty { lines.append("") }
        lines.append(
            "Run \(run.id) (\(run.simulated ? "SIMULATED, built-in emulator" : AccountIdentity.describe(key: run.environment))): \(stateText)"
        )
        lines.append("  sent            \(rowsSent) gift\(rowsSent == 1 ? "" : "s"), each with its gift link")
        if rowsFailed > 0 {
            lines.append(
                "  failed          \(rowsFailed) (Goody refused or failed their batch; reasons in the results)")
        }
        if rowsRejected > 0 { lines.append("  rejected        \(rowsRejected) (not sent; reasons in the results)") }
        if rowsAlreadySent > 0 {
            lines.append("  already sent    \(rowsAlreadySent) (got a gift in an earlier run; not sent again)")
        }
        if ordersUnmatched > 0 {
            lines.append(
                "  unmatched       \(ordersUnmatched) order\(ordersUnmatched == 1 ? "" : "s") from Goody matched no row; listed at the end of the results with their gift links"
            )
        }
        if rowsPending > 0 { lines.append("  not yet         \(rowsPending) (\(pendingText))") }
        if replaced > 0 {
            lines.append(
                "  replaced        \(replaced) (canceled, and the same gift sent to a corrected email; see the results' note)"
            )
        }
        lines.append(
            "  batches         \(batches)\(batchesRefused > 0 ? ", \(batchesRefused) refused" : "")\(batchesFailed > 0 ? ", \(batchesFailed) failed" : "")"
        )
        lines.append(
            "  estimated       up to \(Money.dollars(estimateHigh)); orders so far come to \(Money.dollars(charged))")
        if let amounts { lines.append("  amounts         \(amounts)") }
        if run.approvedBy != nil || run.planSHA256 != nil {
            let who = run.approvedBy.map { "by \($0) " } ?? ""
            let plan = run.planSHA256.map { ", held to plan \($0.prefix(12))…" } ?? ""
            lines.append(
                "  approved        \(who)on \(GoodyJSON.timestamp(run.approvedAt)), up to \(Money.dollars(run.approvedLimit ?? run.estimateHigh))\(plan)"
            )
        }
        if !orderStatuses.isEmpty {
            let statuses = orderStatuses.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(
                separator: ", ")
            lines.append("  order status    \(statuses)")
        }
        if let gifts { lines.append("  gifts           \(gifts)") }
        if let requests, requests.requests > 0, seconds > 0 {
            lines.append(
                "  requests        \(requests.requests) in \(String(format: "%.1f", seconds)) s (\(String(format: "%.1f", Double(requests.requests) / seconds))/s; \(requests.rateLimited) rate-limited, \(requests.serverErrors) server errors, \(requests.transportErrors) lost)"
            )
        }
        lines.append(
            "Results: \(outputs.first ?? "")\(workbook.map { " (and \($0) for Excel, links clickable)" } ?? "")")
        if let manifest = manifest.first {
            lines.append(
                "Manager files: \(managerFiles.count), one set per \(run.splitBy ?? "manager"); which goes to whom: \(manifest)"
            )
            for path in managerFiles.prefix(20) { lines.append("  \(path)") }
            if managerFiles.count > 20 {
                lines.append("  … and \(managerFiles.count - 20) more, each listed in \(manifest)")
            }
        }
        if !notOpenedFiles.isEmpty {
            lines.append("Not opened yet: \(notOpenedFiles.prefix(2).joined(separator: " and "))")
            for path in notOpenedFiles.dropFirst(2).prefix(20) { lines.append("  \(path)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private var stateText: String {
        switch run.state {
        case .complete: "complete"
        case .waiting: "created; some gifts are scheduled for later"
        case .interrupted: "interrupted; continue it with `goody-batch resume \(run.id)` (nothing is sent twice)"
        case .sending, .approved: "in progress"
        }
    }

    private var pendingText: String {
        run.state == .waiting
            ? "scheduled; `goody-batch status \(run.id)` collects their gift links after the send date"
            : "`goody-batch resume \(run.id)` finishes them"
    }
}

/// `send --json` and friends: the summary for tools.
public struct SendReportJSON: Encodable {
    var run: String
    var state: String
    var simulated: Bool
    var sent: Int
    var failed: Int
    var rejected: Int
    var alreadySent: Int
    var pending: Int
    var batches: Int
    var estimateHighCents: Int
    var chargedCents: Int
    var outputs: [String]
    var orderStatuses: [String: Int]
    var gifts: String?
    var ordersUnmatched: Int
    var requests: Int?
    var commandRequestsByEndpoint: [String: Int]?
    var rateLimited: Int?
    var seconds: Double
    var notes: [String]

    enum CodingKeys: String, CodingKey {
        case run, state, simulated, sent, failed, rejected, pending, batches, outputs, requests, seconds, notes, gifts
        case alreadySent = "already_sent"
        case estimateHighCents = "estimate_high_cents"
        case chargedCents = "charged_cents"
        case orderStatuses = "order_statuses"
        case ordersUnmatched = "orders_unmatched"
        case rateLimited = "rate_limited"
        case commandRequestsByEndpoint = "command_requests_by_endpoint"
    }

    public init(_ report: SendReport) {
        run = report.run.id
        state = report.run.state.rawValue
        simulated = report.run.simulated
        sent = report.rowsSent
        failed = report.rowsFailed
        rejected = report.rowsRejected
        alreadySent = report.rowsAlreadySent
        pending = report.rowsPending
        batches = report.batches
        estimateHighCents = report.estimateHigh
        chargedCents = report.charged
        outputs = report.outputs + report.notOpenedFiles
        orderStatuses = report.orderStatuses
        gifts = report.gifts
        ordersUnmatched = report.ordersUnmatched
        requests = report.requests?.requests
        commandRequestsByEndpoint = report.commandRequests?.byEndpoint
        rateLimited = report.requests?.rateLimited
        seconds = report.seconds
        notes = report.notes
    }
}
