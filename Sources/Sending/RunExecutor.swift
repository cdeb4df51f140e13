import APIClient
import Foundation
import GoodyAPI
import Ledger
import Planning

/// How far a run got.
struct ExecutionOutcome: Sendable {
    /// Batches still to create, or whose creation is not confirmed.
    var unsent: Int
    /// Created batches without their gift links yet (pending past the wait, or scheduled).
    var awaiting: Int
    var scheduled: Int
    var notes: [String]
    /// Set when Goody refused something for the whole run (direct send outside the partner
    /// programme): every batch not created is marked refused, so the run is finished, not half-done.
    var refusal: GoodyClientError?
}

/// Creates each batch of a run exactly once and collects every gift link. Each state change is
/// committed to the ledger before and after the call it describes, so a run stopped at any
/// point (Ctrl-C, SIGKILL, a lost network) continues from what the ledger says:
///
/// - `planned`: created now, with its `customer_reference_id`.
/// - `creating`: the answer was lost; Goody is asked for a batch with that reference first, and
///   only if there is none is it created (and Goody refuses a duplicate anyway).
/// - `created`: polled until complete, then every order is read and matched to its row.
struct RunExecutor: Sendable {
    let client: GoodyClient
    let ledger: RunLedger
    let run: RunRecord
    let progress: (any SendProgress)?
    /// How long to wait for a pending batch before leaving it for `status` or `resume`.
    let maxWait: Duration
    /// Batches worked on at once (the client's pacer sets the request rate).
    let concurrency: Int
    /// Rounds of create → look up → create for one batch when answers keep getting lost.
    let createRounds = 4
    /// `status`: collect what exists, create nothing.
    var readOnly = false
    /// High estimates this command already had from Goody, by batch number (a `send` that just
    /// priced its plan): used instead of pricing the batch again before its create.
    var knownPrices: [Int: Int] = [:]

    func execute() async throws -> ExecutionOutcome {
        let batches = try ledger.batches(ofRun: run.id)
        let tracker = ProgressTracker(
            batches: batches, recipients: batches.reduce(0) { $0 + $1.recipientCount }, pacer: client.pacer,
            requestsBefore: await client.pacer?.statistics.requests ?? 0, progress: progress)
        // Read-only (`status`) still looks up a create whose answer was lost, and collects what
        // exists; it never creates.
        let work = batches.filter {
            $0.state == .creating || $0.state == .created || (!readOnly && $0.state == .planned)
        }
        let spend = SpendGuard(
            run: run, batches: batches,
            funds: readOnly || !work.contains { $0.state == .planned } ? nil : try await funds(batches))
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = work.makeIterator()
            func startNext() {
                guard let batch = pending.next() else { return }
                group.addTask {
                    // Each batch's rows are read when it is worked on: a run's rows are never all held.
                    let rows = try ledger.rows(ofRun: run.id, batch: batch.number)
                    try await process(batch, rows: rows, tracker: tracker, spend: spend)
                }
            }
            for _ in 0..<concurrency { startNext() }
            while try await group.next() != nil {
                try Task.checkCancellation()
                startNext()
            }
        }
        // Prices moved past the approval: the batches that exist were still collected. The rest
        // are priced again, so the figure to approve covers the whole run at today's prices.
        if var refusal = await tracker.spendRefusal {
            var total = refusal.freshEstimate
            for batch in try ledger.batches(ofRun: run.id) where batch.number != refusal.batch {
                switch batch.state {
                case .planned: total += try await freshHigh(batch)
                default: total += batch.committedAmount
                }
            }
            refusal.atTodaysPrices = total
            throw refusal
        }
        let final = try ledger.batches(ofRun: run.id)
        let now = GoodyJSON.timestamp(Today.now())
        return ExecutionOutcome(
            unsent: final.filter { $0.state == .planned || $0.state == .creating }.count,
            awaiting: final.filter { $0.state == .created }.count,
            scheduled: final.filter { $0.state == .created && ($0.scheduledSendOn ?? "") > now }.count,
            notes: await tracker.notes, refusal: await tracker.refusal)
    }

    /// What the payment method of the batches still to create holds, when it has a balance.
    private func funds(_ batches: [BatchRecord]) async throws -> Int? {
        guard let first = batches.first(where: { $0.state == .planned }) else { return nil }
        let method = try request(first).paymentMethodID
        return try await client.paymentMethods().first { $0.id == method }?.balance
    }

    private func process(_ batch: BatchRecord, rows: [RowRecord], tracker: ProgressTracker, spend: SpendGuard)
        async throws
    {
        var batch = batch
        if batch.state == .creating { batch = try await recover(batch, tracker: tracker) }
        if readOnly, batch.state == .planned || batch.state == .creating { return }
        // Once one batch would take the run past its approval, no other is created.
        if batch.state == .planned, await tracker.spendRefusal != nil { return }
        if batch.state == .planned, let refusal = await tracker.refusal {
            // Goody refused this for the whole run: the rest are not even tried.
            batch.state = .refused
            batch.error = refusal.apiMessage ?? refusal.localizedDescription
            try ledger.saveCollected(batch, orders: [], rows: failed(rows, "not sent: \(batch.error ?? "")"))
            return
        }
        var round = 0
        while batch.state == .planned || batch.state == .creating {
            round += 1
            guard round <= createRounds else {
                await tracker.note(
                    "Batch \(batch.number): Goody's answers kept getting lost; it is left to resume (it cannot be created twice)."
                )
                return
            }
            do {
                batch = try await create(batch, rows: rows, tracker: tracker, spend: spend)
            } catch let refusal as SpendGuard.Refusal {
                await tracker.refuseSpending(refusal)
                return
            }
        }
        if batch.state == .created { try await collect(batch, rows: rows, tracker: tracker, spend: spend) }
    }

    /// Goody's high estimate for the batch as it would be created now.
    private func freshHigh(_ batch: BatchRecord) async throws -> Int {
        let input = try request(batch)
        return try await client.price(
            OrderBatchPriceInput(recipients: input.recipients, cart: input.cart, sendMethod: input.sendMethod)
        ).range.high
    }

    /// Prices the batch afresh and reserves it within the approval, or stops the run before it
    /// is created. A batch priced in an earlier round is already reserved.
    private func checkSpending(_ batch: inout BatchRecord, spend: SpendGuard) async throws {
        guard batch.freshEstimateHigh == nil else { return }
        let fresh: Int
        if let known = knownPrices[batch.number] {
            fresh = known
        } else {
            fresh = try await freshHigh(batch)
        }
        if let refusal = await spend.reserve(batch.number, fresh: fresh) { throw refusal }
        batch.freshEstimateHigh = fresh
    }

    // MARK: - Creating

    private func request(_ batch: BatchRecord) throws -> OrderBatchInput {
        try GoodyJSON.decoder().decode(OrderBatchInput.self, from: Data(batch.requestJSON.utf8))
    }

    /// Sends the create. Before the call the batch is `creating` in the ledger; after it, either
    /// `created` (with Goody's ID), `refused` (with Goody's reason), or still `creating` when the
    /// answer is unknown and the reference finds nothing yet.
    private func create(_ batch: BatchRecord, rows: [RowRecord], tracker: ProgressTracker, spend: SpendGuard)
        async throws -> BatchRecord
    {
        var batch = batch
        try await checkSpending(&batch, spend: spend)
        batch.state = .creating
        batch.attempts += 1
        try ledger.update(batch)
        do {
            let created = try await client.createBatch(try request(batch))
            return try await record(created, into: batch, rows: rows, tracker: tracker, spend: spend)
        } catch let error as GoodyClientError {
            if error.isUnauthorized { throw error }
            if error.isDirectSendNotAllowed {
                // Nothing was created: Goody checks this before it makes anything.
                batch.state = .refused
                batch.error = error.apiMessage ?? error.localizedDescription
                try ledger.saveCollected(batch, orders: [], rows: failed(rows, "not sent: \(batch.error ?? "")"))
                await spend.release(batch.number)
                await tracker.refuseAll(error)
                return batch
            }
            // A lost answer, or Goody saying the reference is taken: either way it may exist.
            switch try await lookUp(batch) {
            case .found(let found, let byContent):
                await tracker.note(
                    "Batch \(batch.number): its answer was lost; found it at Goody by \(byContent ? "its recipients and settings (Goody's listing does not show references)" : "its reference")."
                )
                return try await record(found, into: batch, rows: rows, tracker: tracker, spend: spend)
            case .unknown:
                // Cannot tell whether it exists: it stays `creating`, to be looked up again.
                try await Task.sleep(for: .seconds(1))
                return batch
            case .absent:
                break
            }
            if error.saysReferenceTaken {
                // Goody has a batch with this reference, so it exists: never "refused". It stays
                // `creating` (it cannot be created twice) until a lookup finds it.
                await tracker.note(
                    "Batch \(batch.number): Goody says it already exists (its reference is taken) but its listing does not show it yet; it will be looked up again, never created twice."
                )
                try await Task.sleep(for: .seconds(1))
                return batch
            }
            if error.isBadRequest {
                await spend.release(batch.number)
                batch.state = .refused
                batch.error = error.apiMessage ?? error.localizedDescription
                try ledger.saveCollected(
                    batch, orders: [], rows: failed(rows, "Goody refused the batch: \(batch.error ?? "")"))
                await tracker.note(
                    "Batch \(batch.number) was refused by Goody: \(batch.error ?? ""). Its rows are marked.")
                await tracker.settled(batch, links: 0)
                return batch
            }
            try await Task.sleep(for: .seconds(1))
            return batch
        }
    }

    /// A batch whose create may have happened: Goody is asked for it by its reference.
    private func recover(_ batch: BatchRecord, tracker: ProgressTracker) async throws -> BatchRecord {
        var batch = batch
        let lookup = try await lookUp(batch)
        if case .unknown = lookup { return batch }
        if case .found(let found, _) = lookup {
            batch.goodyID = found.id
            batch.referenceID = found.referenceID
            batch.sendStatus = found.sendStatus.rawValue
            batch.scheduledSendOn = found.scheduledSendOn
            batch.state = .created
            try ledger.update(batch)
            await tracker.note("Batch \(batch.number) was created before the interruption; continuing with it.")
            await tracker.created(batch)
            return batch
        }
        batch.state = .planned
        try ledger.update(batch)
        return batch
    }

    enum Lookup {
        case found(OrderBatch, byContent: Bool)
        case absent
        /// Goody could not be asked, or its listing could not all be read.
        case unknown
    }

    private func lookUp(_ batch: BatchRecord) async throws -> Lookup {
        let claimed = try ledger.recordedGoodyIDs(environment: run.environment)
        do {
            switch try await BatchFinder(client: client).find(
                try request(batch), reference: batch.customerReferenceID, claimed: claimed)
            {
            case .found(let found, let byContent): return .found(found, byContent: byContent)
            case .absent: return .absent
            case .uncertain: return .unknown
            }
        } catch let error as GoodyClientError where !error.isUnauthorized {
            return .unknown
        }
    }

    /// Records a batch Goody has; a small complete batch brings its orders along.
    private func record(
        _ created: OrderBatch, into batch: BatchRecord, rows: [RowRecord], tracker: ProgressTracker,
        spend: SpendGuard
    ) async throws -> BatchRecord {
        var batch = batch
        batch.goodyID = created.id
        batch.referenceID = created.referenceID
        batch.sendStatus = created.sendStatus.rawValue
        batch.scheduledSendOn = created.scheduledSendOn
        batch.state = .created
        batch.error = nil
        try ledger.update(batch)
        await tracker.created(batch)
        if let preview = Self.completePreview(created, recipients: batch.recipientCount) {
            return try await save(preview, for: batch, rows: rows, tracker: tracker, spend: spend)
        }
        return batch
    }

    /// How long a pending batch is left before it is looked at again: the time Goody takes for a
    /// batch grows with its recipients (half a second for a hundred, at most five), then each
    /// wait doubles.
    static func firstPause(recipients: Int) -> Duration {
        .milliseconds(min(5_000, max(500, recipients * 5)))
    }

    /// A complete batch of 10 or fewer brings all its orders in `orders_preview`; otherwise (or
    /// when the preview could not be read) they are read from `/orders`.
    static func completePreview(_ batch: OrderBatch, recipients: Int) -> [Order]? {
        guard batch.sendStatus == .known(.complete), recipients <= 10, let preview = batch.ordersPreview,
            preview.count == recipients
        else { return nil }
        return preview
    }

    // MARK: - Collecting

    /// Waits for the batch to complete (bounded backoff), then reads every order.
    private func collect(_ batch: BatchRecord, rows: [RowRecord], tracker: ProgressTracker, spend: SpendGuard)
        async throws
    {
        guard let id = batch.goodyID else { return }
        var batch = batch
        let deadline = ContinuousClock.now + maxWait
        var pause = Self.firstPause(recipients: batch.recipientCount)
        // Goody just said "pending" (the create's answer, or the ledger's last word): asking again
        // at once would only hear it again, so the first look waits as long as the later ones.
        if batch.sendStatus == SendStatus.pending.rawValue, batch.scheduledSendOn == nil {
            try await Task.sleep(for: pause)
        }
        while true {
            let current = try await client.batch(id: id)
            batch.sendStatus = current.sendStatus.rawValue
            batch.scheduledSendOn = current.scheduledSendOn ?? batch.scheduledSendOn
            switch current.sendStatus {
            case .known(.complete):
                let orders: [Order]
                if let preview = Self.completePreview(current, recipients: batch.recipientCount) {
                    orders = preview
                } else {
                    orders = try await client.allBatchOrders(id: id)
                }
                _ = try await save(orders, for: batch, rows: rows, tracker: tracker, spend: spend)
                return
            case .known(.failed), .known(.canceled):
                batch.state = .failed
                batch.error = "Goody marked the batch \(current.sendStatus.rawValue)"
                try ledger.saveCollected(batch, orders: [], rows: failed(rows, batch.error ?? ""))
                await tracker.note(
                    "Batch \(batch.number) \(current.sendStatus.rawValue) at Goody; its rows are marked.")
                await tracker.settled(batch, links: 0)
                return
            case .known(.pending), .other:
                // A status the tool does not know is waited on like `pending`, then left to `status`.
                if let scheduled = current.scheduledSendOn.flatMap(GoodyJSON.date), scheduled > Today.now() {
                    try ledger.update(batch)
                    return
                }
                guard ContinuousClock.now + pause < deadline else {
                    try ledger.update(batch)
                    await tracker.note(
                        "Batch \(batch.number) is still \(current.sendStatus) at Goody; `status` collects it later.")
                    return
                }
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(5))
            }
        }
    }

    /// Matches the orders to the rows and saves them with the batch, in one transaction.
    private func save(
        _ orders: [Order], for batch: BatchRecord, rows: [RowRecord], tracker: ProgressTracker, spend: SpendGuard
    ) async throws -> BatchRecord {
        var batch = batch
        // What Goody charged, against what it estimated just before the create.
        let amount = charged(orders)
        batch.charged = amount
        await spend.charged(batch.number, amount)
        let estimate = batch.freshEstimateHigh ?? batch.estimateHigh
        if amount > estimate {
            await tracker.note(
                "Batch \(batch.number): Goody charged \(Money.dollars(amount)), \(Money.dollars(amount - estimate)) more than its estimate of \(Money.dollars(estimate))."
            )
        }
        let match = OrderMatcher.match(orders: orders, rows: rows)
        let now = Today.now()
        var records: [OrderRecord] = []
        var updated: [RowRecord] = []
        for (order, row, method) in match.pairs {
            records.append(
                Self.record(order, run: run.id, batch: batch.number, line: row.line, method: method, at: now))
            var row = row
            row.status = .sent
            row.error = nil
            updated.append(row)
        }
        for order in match.unmatchedOrders {
            records.append(Self.record(order, run: run.id, batch: batch.number, line: nil, method: nil, at: now))
        }
        updated += failed(
            match.unmatchedRows,
            "Goody returned no order that matches this recipient; check batch \(batch.referenceID ?? "") in Goody")
        if !match.unmatchedOrders.isEmpty || !match.unmatchedRows.isEmpty {
            await tracker.note(
                "Batch \(batch.number): \(match.unmatchedOrders.count) order(s) matched no row and \(match.unmatchedRows.count) row(s) got no order; they are listed in the results."
            )
        }
        batch.state = .collected
        try ledger.saveCollected(batch, orders: records, rows: updated)
        await tracker.settled(batch, links: match.pairs.count)
        return batch
    }

    private func failed(_ rows: [RowRecord], _ reason: String) -> [RowRecord] {
        rows.map { row in
            var row = row
            row.status = .failed
            row.error = reason
            return row
        }
    }

    static func record(_ order: Order, run: String, batch: Int, line: Int?, method: String?, at date: Date)
        -> OrderRecord
    {
        OrderRecord(
            runID: run, orderID: order.id, batchNumber: batch, line: line, matchedBy: method,
            giftLink: order.individualGiftLink, referenceID: order.referenceID, status: order.status.rawValue,
            swapped: order.isSwapped ?? false,
            firstName: order.recipientFirstName, lastName: order.recipientLastName, email: order.recipientEmail,
            amountProduct: order.amounts.amountProduct, amountShipping: order.amounts.amountShipping,
            amountProcessingFee: order.amounts.amountProcessingFee, amountTax: order.amounts.amountTax,
            amountTotal: order.amounts.amountTotal, amountPreTaxTotal: order.amounts.amountPreTaxTotal,
            expiresAt: order.expiresAt, at: date)
    }
}

/// Counts what is done and tells the progress display.
actor ProgressTracker {
    private var snapshot: ProgressSnapshot
    private let pacer: RequestPacer?
    private let progress: (any SendProgress)?
    private let started = ContinuousClock.now
    private var createdBatches: Set<Int>
    private let requestsBefore: Int
    private(set) var notes: [String] = []
    private(set) var refusal: GoodyClientError?
    private(set) var spendRefusal: SpendGuard.Refusal?

    func refuseSpending(_ refusal: SpendGuard.Refusal) {
        if spendRefusal == nil { spendRefusal = refusal }
    }

    init(
        batches: [BatchRecord], recipients: Int, pacer: RequestPacer?, requestsBefore: Int,
        progress: (any SendProgress)?
    ) {
        self.requestsBefore = requestsBefore
        let done = batches.filter { $0.state == .created || $0.state == .collected || $0.state == .failed }
        createdBatches = Set(done.map(\.number))
        snapshot = ProgressSnapshot(
            batchesTotal: batches.count, batchesCreated: createdBatches.count, recipientsTotal: recipients,
            giftLinksCollected: 0, requestRate: 0, elapsedSeconds: 0)
        self.pacer = pacer
        self.progress = progress
    }

    func created(_ batch: BatchRecord) async {
        createdBatches.insert(batch.number)
        await publish()
    }

    func settled(_ batch: BatchRecord, links: Int) async {
        if batch.state != .refused { createdBatches.insert(batch.number) }
        snapshot.giftLinksCollected += links
        await publish()
    }

    /// Goody refused something for the whole run: no batch after it is tried, and the command
    /// says so once, as the reason the run stopped.
    func refuseAll(_ error: GoodyClientError) {
        if refusal == nil { refusal = error }
    }

    func note(_ message: String) {
        // The same words twice tell nothing new (a batch looked up on each of its rounds).
        guard !notes.contains(message) else { return }
        notes.append(message)
        progress?.note(message)
    }

    private func publish() async {
        let elapsed = ContinuousClock.now - started
        snapshot.elapsedSeconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        snapshot.batchesCreated = createdBatches.count
        if let pacer, snapshot.elapsedSeconds > 0 {
            snapshot.requestRate = Double(await pacer.statistics.requests - requestsBefore) / snapshot.elapsedSeconds
        }
        progress?.update(snapshot)
    }
}
