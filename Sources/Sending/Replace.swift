import APIClient
public import Foundation
import GoodyAPI
public import Ledger
import Planning
import Recipients

/// What `replace` will do, shown before it is approved: cancel one person's gift and send the
/// same gift to the corrected address.
public struct ReplacePlan: Sendable {
    public var run: RunRecord
    public var line: Int
    public var who: String
    public var newEmail: String
    public var order: OrderRecord
    /// The new gift's estimate (high), in cents; the canceled one's money comes back.
    public var estimate: Int

    public var summary: String {
        "cancel line \(line)'s gift (\(who)) and send the same gift to <\(newEmail)>, up to \(Money.dollars(estimate))"
    }

    public func renderText() -> String {
        let stage = GiftStage(order, now: Today.now()).words
        return """
            Replace — run \(run.id) (\(run.inputPath)), line \(line):
              now     \(who) — \(stage), order \(order.referenceID), \(Money.dollars(order.amountTotal ?? order.amountPreTaxTotal)) (comes back when canceled)
              then    the same gift, message and card to <\(newEmail)>, up to \(Money.dollars(estimate))
            The old link stops working; the new one is in the results once Goody has made it.

            """
    }
}

extension SendSession {
    /// Cancels one row's gift and sends the same gift to a corrected email, as one recorded
    /// step: the ledger records the replacement before the cancel, and the new batch (created
    /// exactly once, by its `customer_reference_id`) only after the cancel succeeded, so a repeat
    /// after a crash finishes it and the person never ends with two gifts or none.
    public func replace(
        _ run: RunRecord, ledgerPath: String, line: Int, email: String, command: String,
        approve: @Sendable (ReplacePlan) throws -> String
    ) async throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        try options.registry.register(ledgerPath)
        let lock = try RunLock.acquire(runID: run.id, besideLedger: ledgerPath)
        defer { withExtendedLifetime(lock) {} }
        try await checkSameAccount(run, doing: "replace a gift of it")
        var notes: [String] = []
        let newEmail = try Self.checkedEmail(email)
        // A replacement an earlier command began is finished first; when it is this one, that is all.
        var repeated: OrderAction?
        for action in try ledger.actions(ofRun: run.id) where action.state == .pending && action.kind == .replace {
            notes.append(try await continueReplacing(action, run: run, ledger: ledger))
            if action.line == line && action.value?.caseInsensitiveCompare(newEmail) == .orderedSame {
                repeated = action
            }
        }
        let finished = try ledger.actions(ofRun: run.id).first {
            $0.kind == .replace && $0.state == .done && $0.line == line
                && $0.value?.caseInsensitiveCompare(newEmail) == .orderedSame
        }
        let action: OrderAction
        if repeated == nil, let finished {
            action = finished
            notes.append(
                "Line \(line) was already replaced with <\(newEmail)> on \(ResultsWriter.day(finished.updatedAt)); nothing was done again."
            )
        } else if let repeated {
            action = repeated
        } else {
            let plan = try await replacePlan(run, ledger: ledger, line: line, email: newEmail)
            let approval = try approve(plan)
            action = try ledger.begin(
                OrderAction(
                    runID: run.id, orderID: plan.order.orderID, line: line, kind: .replace, value: newEmail,
                    command: command, approval: approval, at: Today.now()))
            notes.append(try await continueReplacing(action, run: run, ledger: ledger))
        }
        let current = try ledger.run(id: run.id) ?? run
        var report = try Self.export(
            current, ledgerPath: ledgerPath, splitBy: options.splitBy, share: options.share, format: options.format,
            notes: notes)
        report.followUpRefused = try ledger.actions(ofRun: run.id).filter { $0.id == action.id && $0.state == .refused }
            .count
        return report
    }

    /// An address as the rules take it: cleaned of "mailto:" and brackets, or refused.
    static func checkedEmail(_ text: String) throws -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch Email.check(trimmed) {
        case .valid: return trimmed
        case .cleaned(let cleaned): return cleaned
        case .invalid(let reason):
            throw FollowUpError("--email \(text): \(reason). Nothing was changed.")
        }
    }

    private func replacePlan(_ run: RunRecord, ledger: RunLedger, line: Int, email: String) async throws -> ReplacePlan
    {
        let rows = try ledger.rows(ofRun: run.id)
        guard let row = rows.first(where: { $0.line == line }) else {
            throw FollowUpError(
                "run \(run.id) has no input line \(line) (its lines are \(rows.first?.line ?? 0)–\(rows.last?.line ?? 0)). Nothing was changed."
            )
        }
        let who = Self.who(row)
        let batches = Dictionary(uniqueKeysWithValues: try ledger.batches(ofRun: run.id).map { ($0.number, $0) })
        guard row.status == .sent,
            var order = try ledger.orders(ofRun: run.id).first(where: { $0.line == line }),
            let number = row.batchNumber, let batch = batches[number]
        else {
            throw FollowUpError(
                "line \(line) (\(who)): \(Self.whyNoOrder(row, batch: row.batchNumber.flatMap { batches[$0] }, run: run)). Nothing was changed."
            )
        }
        if row.email?.caseInsensitiveCompare(email) == .orderedSame {
            throw FollowUpError("line \(line) already has the email \(email). Nothing was changed.")
        }
        if let other = rows.first(where: {
            $0.line != line && $0.email?.caseInsensitiveCompare(email) == .orderedSame
                && ($0.status == .sent || $0.status == .pending)
        }) {
            throw FollowUpError(
                "\(email) already has a gift in this run (line \(other.line)): replacing line \(line) with it would give that person two. Nothing was changed."
            )
        }
        GiftLife.refresh(&order, from: try await client.order(id: order.orderID))
        let stage = GiftStage(order, now: Today.now())
        if let why = stage.whyLeftAlone(order, doing: "canceled and sent again") {
            let next =
                stage == .canceled
                ? "; to send one to \(email), put them in a spreadsheet and use `goody-batch send`" : ""
            throw FollowUpError("line \(line) (\(who)): \(why)\(next). Nothing was changed.")
        }
        let input = try replacementInput(batch: batch, row: row, email: email, reference: "")
        return ReplacePlan(
            run: run, line: line, who: who, newEmail: email, order: order, estimate: try await priced(input).high)
    }

    /// Goody's estimate for a batch as it would be created now.
    private func priced(_ input: OrderBatchInput) async throws -> (low: Int, high: Int) {
        let range = try await client.price(
            OrderBatchPriceInput(recipients: input.recipients, cart: input.cart, sendMethod: input.sendMethod)
        ).range
        return (range.low, range.high)
    }

    /// The original batch's request for one person with the new email: the same cart, message,
    /// card and sender; sent now; its expiry kept while it is still ahead.
    private func replacementInput(batch: BatchRecord, row: RowRecord, email: String, reference: String) throws
        -> OrderBatchInput
    {
        var input = try GoodyJSON.decoder().decode(OrderBatchInput.self, from: Data(batch.requestJSON.utf8))
        guard let position = row.position, position < input.recipients.count else {
            throw FollowUpError("the ledger's record of line \(row.line)'s batch does not hold the person")
        }
        var recipient = input.recipients[position]
        recipient.email = email
        input.recipients = [recipient]
        input.scheduledSendOn = nil
        if let expiry = input.expiresAt.flatMap(GoodyJSON.date), expiry <= Today.now() { input.expiresAt = nil }
        input.customerReferenceID = reference
        return input
    }

    /// Takes a replacement as far as it can go, from wherever it stopped: cancel (checked at
    /// Goody first), then the new batch recorded, then created and its gift link collected.
    private func continueReplacing(_ action: OrderAction, run: RunRecord, ledger: RunLedger) async throws -> String {
        var action = action
        guard let line = action.line, let email = action.value,
            var order = try ledger.orders(ofRun: run.id).first(where: { $0.orderID == action.orderID })
        else { throw FollowUpError("the ledger's record of a replacement is incomplete (action \(action.id ?? 0))") }
        let reference = "\(run.id)-replace-\(action.id ?? 0)"
        let batches = try ledger.batches(ofRun: run.id)
        if !batches.contains(where: { $0.customerReferenceID == reference }) {
            // Not recorded yet: the cancel comes first, and only a canceled gift is replaced.
            let current = try await client.order(id: order.orderID)
            if current.status.known != .canceled {
                do {
                    GiftLife.refresh(&order, from: try await client.cancelOrder(id: order.orderID))
                } catch let error as GoodyClientError where error.kind == .rejected {
                    action.state = .refused
                    action.note = error.apiMessage ?? error.localizedDescription
                    try ledger.finish(action, order: nil)
                    return
                        "Line \(line) was not replaced: Goody refused to cancel its gift (\(action.note ?? "refused")). Nothing new was sent; the person keeps the gift they have."
                }
            } else {
                GiftLife.refresh(&order, from: current)
            }
            guard var row = try ledger.rows(ofRun: run.id).first(where: { $0.line == line }),
                let original = batches.first(where: { $0.number == row.batchNumber })
            else { throw FollowUpError("the ledger has no row \(line) for the replacement") }
            let input = try replacementInput(batch: original, row: row, email: email, reference: reference)
            let request = String(decoding: try GoodyJSON.encoder().encode(input), as: UTF8.self)
            let (low, high) = try await priced(input)
            let batch = BatchRecord(
                runID: run.id, number: (batches.map(\.number).max() ?? 0) + 1, customerReferenceID: reference,
                requestJSON: request, recipientCount: 1, estimateLow: low, estimateHigh: high, scheduledSendOn: nil,
                at: Today.now())
            row.batchNumber = batch.number
            row.position = 0
            row.email = email
            row.status = .pending
            // The canceled order stays in the ledger (and the action names it), off the row.
            order.line = nil
            order.matchedBy = OrderRecord.replaced
            let limit = (run.approvedLimit ?? run.estimateHigh) + high
            try ledger.approve(limit, approval: "replace line \(line): \(action.approval)", ofRun: run.id)
            try ledger.finish(action, order: order, batch: batch, row: row)
        }
        let current = try ledger.run(id: run.id) ?? run
        let report = try await execute(current, ledger: ledger)
        if let stop = report.stoppedBy { throw stop }
        guard let made = try ledger.orders(ofRun: run.id).first(where: { $0.line == line }) else {
            return
                "Line \(line): the replacement batch exists at Goody and its gift link is not collected yet; `goody-batch status \(run.id)` collects it."
        }
        action.state = .done
        action.newOrderID = made.orderID
        try ledger.finish(action, order: nil)
        return
            "Line \(line) replaced: the old gift is canceled and <\(email)> has the same gift (order \(made.referenceID))."
    }
}
