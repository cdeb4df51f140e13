public import APIClient
import Foundation
import GoodyAPI
public import Ledger
public import Planning
import Recipients

/// How a send runs.
public struct SendOptions: Sendable {
    /// The results file; default `<input>.results.csv` beside the input.
    public var outputPath: String?
    /// The ledger; default `goody-batch-ledger.sqlite` beside the results.
    public var ledgerPath: String?
    /// Also write one results file per value of this column (a manager, a team).
    public var splitBy: String?
    /// Send even to people who already got a gift in an earlier run of this ledger.
    public var allowResend: Bool
    /// How long to wait for a pending batch before leaving it for `status`.
    public var maxWait: Duration
    /// Batches worked on at once.
    public var concurrency: Int
    public var registry: LedgerRegistry

    public init(
        outputPath: String? = nil, ledgerPath: String? = nil, splitBy: String? = nil, allowResend: Bool = false,
        maxWait: Duration = .seconds(600), concurrency: Int = 8, registry: LedgerRegistry = .standard()
    ) {
        self.outputPath = outputPath
        self.ledgerPath = ledgerPath
        self.splitBy = splitBy
        self.allowResend = allowResend
        self.maxWait = maxWait
        self.concurrency = concurrency
        self.registry = registry
    }
}

/// What `send` found before asking for approval.
public enum Preparation: Sendable {
    /// A run with the same input, settings and API exists: it is continued, not repeated.
    case existing(RunRecord, ledgerPath: String)
    /// A new run, planned and waiting for approval.
    case new(PreparedRun)
}

/// A planned run, not yet recorded or sent.
public struct PreparedRun: Sendable {
    public var plan: Plan
    public var identity: RunIdentity
    /// Rows left out because that person already got a gift in an earlier run: line → run ID.
    public var alreadySent: [Int: String]
    public var outputPath: String
    public var ledgerPath: String
    var settingsJSON: String

    public var runID: String { identity.runID }
}

/// The core of `send`, `resume`, `status` and `export`: plans, records the run in the ledger,
/// creates every batch exactly once, collects the gift links and writes the results.
public struct SendSession: Sendable {
    public let client: GoodyClient
    public let connection: ConnectionLabel
    public let options: SendOptions
    public let progress: (any SendProgress)?

    public init(client: GoodyClient, connection: ConnectionLabel, options: SendOptions, progress: (any SendProgress)?) {
        self.client = client
        self.connection = connection
        self.options = options
        self.progress = progress
    }

    private var environmentKey: String { connection.account ?? client.environment.baseURL.absoluteString }

    // MARK: - Send

    /// Plans the send, or finds the run it continues.
    public func prepare(_ request: PlanRequest, reading: String) async throws -> Preparation {
        let input = request.input.path
        // Absolute, so `resume`, `status` and `export` work from any folder.
        let output = OutputNaming.absolute(options.outputPath ?? OutputNaming.results(for: input))
        let ledgerPath = OutputNaming.absolute(options.ledgerPath ?? OutputNaming.ledger(besideOutput: output))
        let settingsJSON = String(decoding: try GoodyJSON.encoder().encode(request.campaign), as: UTF8.self)
        let identity = RunIdentity(
            inputSHA256: try RunIdentity.fileSHA256(input), settingsJSON: settingsJSON + (options.splitBy ?? ""),
            reading: reading, environment: environmentKey)
        // Nothing is written before approval: a ledger that does not exist yet stays so.
        let ledger = FileManager.default.fileExists(atPath: ledgerPath) ? try RunLedger(path: ledgerPath) : nil
        if let existing = try ledger?.run(identity: identity.value) {
            return .existing(existing, ledgerPath: ledgerPath)
        }
        // The same send recorded in another known ledger (say, with another --output) is the
        // same run too: it is continued there, never sent again.
        for path in options.registry.ledgers() where path != ledgerPath {
            if let existing = try? RunLedger(path: path).run(identity: identity.value) {
                return .existing(existing, ledgerPath: path)
            }
        }

        // A run of this ledger that stopped part-way may have created batches nobody has seen
        // the answer to; a new run beside it could send those people a second gift.
        if let ledger, !options.allowResend {
            let unfinished = try ledger.runs().filter {
                $0.environment == environmentKey && [.approved, .sending, .interrupted].contains($0.state)
            }
            if let run = unfinished.first {
                throw SendRefusal(
                    "not sent: run \(run.id) (\(run.inputPath)) in \(ledgerPath) stopped before it finished, and some of its gifts may already exist at Goody. Finish it first with `goody-batch resume \(run.id)`, so nobody gets two gifts (or --allow-resend to send anyway). Nothing was created."
                )
            }
        }
        var plan = try await Planner(client: client).plan(request)
        var alreadySent: [Int: String] = [:]
        if !options.allowResend, let ledger {
            let sent = try ledger.sentRecipients(environment: environmentKey)
            for recipient in plan.batches.flatMap(\.recipients) {
                if let key = Self.recipientKey(recipient, method: plan.method), let earlier = sent[key] {
                    alreadySent[recipient.line] = earlier.run
                }
            }
            if !alreadySent.isEmpty {
                var again = request
                again.excludedLines = Set(alreadySent.keys)
                plan = try await Planner(client: client).plan(again)
            }
        }
        if let splitBy = options.splitBy,
            !plan.validation.mapping.header.contains(where: { $0.lowercased() == splitBy.lowercased() })
        {
            throw SendError(
                "--split-by \(splitBy): the input has no such column. Its columns are: \(plan.validation.mapping.header.map { "\"\($0)\"" }.joined(separator: ", "))."
            )
        }
        return .new(
            PreparedRun(
                plan: plan, identity: identity, alreadySent: alreadySent, outputPath: output, ledgerPath: ledgerPath,
                settingsJSON: settingsJSON))
    }

    /// Records the approved run in the ledger and sends it.
    public func start(_ prepared: PreparedRun, approval: String) async throws -> SendReport {
        let ledger = try RunLedger(path: prepared.ledgerPath)
        options.registry.register(prepared.ledgerPath)
        let (run, batches, rows) = records(for: prepared, approval: approval)
        try ledger.createRun(run, batches: batches, rows: rows)
        return try await execute(run, ledger: ledger)
    }

    /// Continues a run from where its ledger says it stopped.
    public func resume(_ run: RunRecord, ledgerPath: String) async throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        options.registry.register(ledgerPath)
        guard run.environment == environmentKey else {
            throw SendError(
                "Run \(run.id) was sent to \(run.environment); this connects to \(environmentKey). Use the same API (and key) to resume it."
            )
        }
        return try await execute(run, ledger: ledger)
    }

    private func execute(_ run: RunRecord, ledger: RunLedger) async throws -> SendReport {
        try ledger.setState(.sending, ofRun: run.id)
        let executor = RunExecutor(
            client: client, ledger: ledger, run: run, progress: progress, maxWait: options.maxWait,
            concurrency: options.concurrency)
        let started = ContinuousClock.now
        let before = await client.pacer?.statistics
        var outcome: ExecutionOutcome?
        var stop: (any Error)?
        do {
            outcome = try await executor.execute()
        } catch {
            stop = error
        }
        progress?.finish()
        let state: RunRecord.State =
            stop != nil || (outcome?.unsent ?? 1) > 0
            ? .interrupted : ((outcome?.awaiting ?? 0) > 0 ? .waiting : .complete)
        try ledger.setState(state, ofRun: run.id)
        let current = try ledger.run(id: run.id) ?? run
        let outputs = try ResultsWriter(ledger: ledger, run: current).write(
            to: current.outputPath, splitBy: current.splitBy)
        let elapsed = ContinuousClock.now - started
        var report = try SendReport(
            ledger: ledger, run: current, outputs: outputs, notes: outcome?.notes ?? [],
            requests: await client.pacer?.statistics.since(before),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        report.stoppedBy = stop ?? outcome?.refusal
        return report
    }

    // MARK: - Records

    private func records(for prepared: PreparedRun, approval: String) -> (RunRecord, [BatchRecord], [RowRecord]) {
        let plan = prepared.plan
        let now = Date()
        let runID = prepared.runID
        let header = plan.validation.mapping.header
        let run = RunRecord(
            id: runID, identity: prepared.identity.value, createdAt: now, inputPath: OutputNaming.absolute(plan.path),
            inputSHA256: prepared.identity.inputSHA256, outputPath: prepared.outputPath, environment: environmentKey,
            simulated: connection.simulated, sendMethod: plan.method.rawValue, settingsJSON: prepared.settingsJSON,
            headerJSON: String(decoding: (try? JSONEncoder().encode(header)) ?? Data("[]".utf8), as: UTF8.self),
            planFingerprint: plan.fingerprint, estimateLow: plan.totalLow, estimateHigh: plan.totalHigh,
            maxSpend: plan.maxSpend, approval: approval, splitBy: options.splitBy)

        var batches: [BatchRecord] = []
        var rows: [RowRecord] = []
        for batch in plan.batches {
            var input = batch.input
            input.customerReferenceID = prepared.identity.customerReferenceID(batch: batch.number, request: input)
            let range = batch.estimateRange
            batches.append(
                BatchRecord(
                    runID: runID, number: batch.number, customerReferenceID: input.customerReferenceID ?? "",
                    requestJSON: String(decoding: (try? GoodyJSON.encoder().encode(input)) ?? Data(), as: UTF8.self),
                    recipientCount: batch.recipients.count, estimateLow: range.low, estimateHigh: range.high,
                    scheduledSendOn: input.scheduledSendOn, at: now))
            for (position, recipient) in batch.recipients.enumerated() {
                rows.append(
                    row(
                        runID, recipient.line, recipient.values, recipient: recipient, method: plan.method,
                        batch: batch.number, position: position, status: .pending, error: nil))
            }
        }
        let byLine = Dictionary(uniqueKeysWithValues: plan.validation.recipients.map { ($0.line, $0) })
        for finding in plan.rejected {
            guard let recipient = byLine[finding.line] else { continue }
            rows.append(
                row(
                    runID, finding.line, recipient.values, recipient: nil, method: plan.method, batch: nil,
                    position: nil,
                    status: .rejected, error: "line \(finding.line): \(finding.message). Fix: \(finding.fix)"))
        }
        for rejected in plan.validation.rejectedRows {
            rows.append(
                row(
                    runID, rejected.line, rejected.values, recipient: nil, method: plan.method, batch: nil,
                    position: nil,
                    status: .rejected, error: rejected.reason))
        }
        for (line, earlierRun) in prepared.alreadySent {
            guard let recipient = byLine[line] else { continue }
            rows.append(
                row(
                    runID, line, recipient.values, recipient: nil, method: plan.method, batch: nil, position: nil,
                    status: .alreadySent,
                    error:
                        "not sent again: this person already got a gift in run \(earlierRun) (see its results; --allow-resend sends anyway)"
                ))
        }
        return (run, batches, rows)
    }

    private func row(
        _ runID: String, _ line: Int, _ values: [String], recipient: Recipient?, method: SendMethod, batch: Int?,
        position: Int?, status: RowRecord.Status, error: String?
    ) -> RowRecord {
        let valuesJSON = String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
        return RowRecord(
            runID: runID, line: line, batchNumber: batch, position: position, rowHash: RunIdentity.sha256(valuesJSON),
            valuesJSON: valuesJSON, recipientKey: recipient.flatMap { Self.recipientKey($0, method: method) },
            email: recipient?.email, firstName: recipient?.firstName, lastName: recipient?.lastName, status: status,
            error: error)
    }

    /// Who a recipient is, across runs: their email, or for direct send their name and address.
    static func recipientKey(_ recipient: Recipient, method: SendMethod) -> String? {
        if let email = recipient.email?.lowercased(), !email.isEmpty { return "email:\(email)" }
        guard method == .directSend, let address = recipient.address else { return nil }
        let parts = [
            recipient.firstName, recipient.lastName ?? "", address.address1, address.address2 ?? "",
            String(address.postalCode.prefix(5)),
        ]
        return "address:" + parts.map { $0.lowercased() }.joined(separator: "|")
    }

    // MARK: - Status and export

    /// Reads every order's current status (opened, accepted, shipped…) and any gift links not
    /// yet collected, then rewrites the results.
    public func refreshStatus(_ run: RunRecord, ledgerPath: String) async throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        let batches = try ledger.batches(ofRun: run.id)
        let unfinished = batches.contains { $0.state == .planned || $0.state == .creating || $0.state == .created }
        if unfinished { return try await resume(run, ledgerPath: ledgerPath) }
        let stored = Dictionary(uniqueKeysWithValues: try ledger.orders(ofRun: run.id).map { ($0.orderID, $0) })
        var changed: [OrderRecord] = []
        for batch in batches where batch.state == .collected {
            guard let id = batch.goodyID else { continue }
            for order in try await client.allBatchOrders(id: id) {
                let swapped = order.isSwapped ?? false
                guard var record = stored[order.id],
                    record.status != order.status.rawValue || record.swapped != swapped
                else { continue }
                record.status = order.status.rawValue
                record.swapped = swapped
                record.amountTax = order.amounts.amountTax ?? record.amountTax
                record.amountTotal = order.amounts.amountTotal ?? record.amountTotal
                changed.append(record)
            }
        }
        try ledger.updateOrders(changed)
        return try Self.export(
            run, ledgerPath: ledgerPath, splitBy: options.splitBy,
            note: "\(changed.count) order status\(changed.count == 1 ? "" : "es") changed.")
    }

    /// Rewrites the results from the ledger alone (no API call).
    public static func export(
        _ run: RunRecord, ledgerPath: String, outputPath: String? = nil, splitBy: String? = nil, note: String? = nil
    ) throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        var current = run
        if let outputPath { current.outputPath = outputPath }
        if let splitBy { current.splitBy = splitBy }
        let outputs = try ResultsWriter(ledger: ledger, run: current).write(
            to: current.outputPath, splitBy: splitBy ?? current.splitBy)
        return try SendReport(
            ledger: ledger, run: current, outputs: outputs, notes: note.map { [$0] } ?? [], requests: nil, seconds: 0)
    }
}
