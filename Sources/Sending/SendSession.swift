public import APIClient
public import Foundation
import GoodyAPI
public import Ledger
public import Planning
import Recipients
import Spreadsheet

/// How a send runs.
public struct SendOptions: Sendable {
    /// The results file; default `<input>.results.csv` beside the input.
    public var outputPath: String?
    /// The ledger; default `goody-batch-ledger.sqlite` beside the results.
    public var ledgerPath: String?
    /// Also write one results file per value of this column (a manager, a team).
    public var splitBy: String?
    /// Who is sent to although gifted before (`--allow-resend`).
    public var resend: ResendPermission
    /// How long to wait for a pending batch before leaving it for `status`.
    public var maxWait: Duration
    /// Batches worked on at once.
    public var concurrency: Int
    public var registry: LedgerRegistry
    /// How many days of earlier gifts count for a send without an occasion (0: none), in the
    /// ledgers and in Goody's order history.
    public var historyDays: Int
    /// A new approval given with `resume --max-spend`: the run may spend this much in all (cents).
    public var newApproval: Int?
    /// Columns the managers' files hold beyond the defaults (`--share`, `share:`); nil keeps
    /// what the run was started with.
    public var share: [String]?
    /// Which files each manager gets (`--format`); nil keeps what the run was started with.
    public var format: ShareFormat?

    public init(
        outputPath: String? = nil, ledgerPath: String? = nil, splitBy: String? = nil, allowResend: Bool = false,
        resend: ResendPermission? = nil, maxWait: Duration = .seconds(600), concurrency: Int = 24,
        registry: LedgerRegistry = .standard(), historyDays: Int = 90, newApproval: Int? = nil,
        share: [String]? = nil, format: ShareFormat? = nil
    ) {
        self.share = share
        self.format = format
        self.historyDays = historyDays
        self.newApproval = newApproval
        self.outputPath = outputPath
        self.ledgerPath = ledgerPath
        self.splitBy = splitBy
        self.resend = resend ?? (allowResend ? .everyone : .nobody)
        self.maxWait = maxWait
        self.concurrency = concurrency
        self.registry = registry
    }
}

/// Who approved a send and what they approved: recorded with the run.
public struct ApprovalRecord: Sendable {
    public var by: String?
    /// The plan file the send was held to.
    public var planSHA256: String?
    /// What the run may spend in all, in cents.
    public var cap: Int?

    public init(by: String?, planSHA256: String?, cap: Int?) {
        self.by = by
        self.planSHA256 = planSHA256
        self.cap = cap
    }
}

/// What `send` (and `plan`) found before asking for approval.
public enum Preparation: Sendable {
    /// A run with the same input, settings and API exists: it is continued, not repeated.
    case existing(RunRecord, ledgerPath: String)
    /// A new run, planned and waiting for approval.
    case new(PreparedRun)
}

/// A prepared run on its way to `start`, which takes it out once: after that nothing holds the
/// plan. Used by one task at a time (the command that made it, then `start`), so it needs no lock.
public final class PreparedHandoff: @unchecked Sendable {
    private var prepared: PreparedRun?
    let ledgerPath: String
    let runID: String

    public init(_ prepared: consuming PreparedRun) {
        ledgerPath = prepared.ledgerPath
        runID = prepared.runID
        self.prepared = prepared
    }

    /// Runs `body` with the prepared run, which is let go of when `body` returns.
    func withTaken<T>(_ body: (PreparedRun) throws -> T) throws -> T {
        guard let taken = prepared.take() else { throw SendError("this prepared run was already sent") }
        return try body(taken)
    }
}

/// A planned run, not yet recorded or sent: what `plan` shows and `send` sends.
public struct PreparedRun: Sendable {
    public var plan: Plan
    public var identity: RunIdentity
    public var account: AccountIdentity
    /// People of this file gifted before, by line: left out unless the gift does not count
    /// (another occasion) or `--allow-resend` names them.
    public var priorGifts: [Int: PriorGift]
    /// How the search for earlier gifts went, for the plan to say.
    public var search: PriorGiftReport
    public var outputPath: String
    public var ledgerPath: String
    var settingsJSON: String
    /// How the files are written (delimiter, which columns name the person, what managers see).
    var output: OutputSettings
    /// With `--split-by`: what each manager's file will hold, for the plan to say.
    public var sharing: String?

    public var runID: String { identity.runID }

    /// The people left out because they were gifted before.
    public var leftOut: [PriorGift] { priorGifts.values.filter(\.leavesOut).sorted { $0.line < $1.line } }
    /// Gifted before, and sent again: on purpose, or for another occasion.
    public var sentAgain: [PriorGift] { priorGifts.values.filter { !$0.leavesOut }.sorted { $0.line < $1.line } }
}

/// Where earlier gifts were looked for.
public struct PriorGiftReport: Sendable {
    public var ledgers: Int
    public var skippedLedgers: [String]
    public var historyDays: Int
    public var ordersSearched: Int
    /// How far back Goody's history was read (a year before an occasion's day).
    public var since: Date?
    /// The occasion, when the send has one: gifts count for it alone.
    public var occasion: OccasionKind?

    /// "Looked for earlier gifts in 2 ledgers on this machine and in Goody's order history for the
    /// last 90 days (812 orders; --history-days)."
    public var sentence: String {
        let ledgerText = "\(ledgers) ledger\(ledgers == 1 ? "" : "s") on this machine"
        let orders = "\(ordersSearched) order\(ordersSearched == 1 ? "" : "s")"
        let history: String
        if let occasion, let since {
            history =
                " and in Goody's history since \(GoodyJSON.timestamp(since).prefix(10)) (\(orders) and the scheduled batches); a gift counts when it was for this \(occasion.words)"
        } else if historyDays > 0 {
            history =
                " and in Goody's order history for the last \(historyDays) day\(historyDays == 1 ? "" : "s") (\(orders); --history-days changes it)"
        } else {
            history = " (nowhere else: --history-days 0)"
        }
        let skipped = skippedLedgers.isEmpty ? "" : " Skipped: \(skippedLedgers.joined(separator: "; "))."
        return "Looked for earlier gifts to these people in \(ledgerText)\(history).\(skipped)"
    }
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

    /// What runs recorded before accounts were identified by `/v1/me` hold as their environment.
    private var legacyEnvironmentKey: String { connection.account ?? client.environment.baseURL.absoluteString }

    func account() async throws -> AccountIdentity {
        try await AccountIdentity.of(client, simulated: connection.simulated)
    }

    /// Every ledger this machine knows, the one beside the results first.
    private func knownLedgers(besides ledgerPath: String) -> [String] {
        let local = FileManager.default.fileExists(atPath: ledgerPath) ? [ledgerPath] : []
        return local + options.registry.ledgers().filter { $0 != ledgerPath }
    }

    // MARK: - Send

    /// Plans the send, or finds the run it continues: the one preparation `plan` shows and
    /// `send` sends. The file is read and checked once, the account read once, earlier gifts
    /// looked for, and each batch priced once. Nothing is written before approval (`plan`
    /// writes nothing; `forSending` checks that the results can be written).
    public func prepare(_ request: PlanRequest, forSending: Bool = true) async throws -> Preparation {
        let input = request.input.path
        // Absolute, so `resume`, `status` and `export` work from any folder.
        let output = OutputNaming.absolute(options.outputPath ?? OutputNaming.results(for: input))
        let ledgerPath = OutputNaming.absolute(options.ledgerPath ?? OutputNaming.ledger(besideOutput: output))
        let account = try await account()
        let planner = Planner(client: client)
        let draft = try await planner.draft(request)
        // The files asked for must be possible before anything is priced.
        let outputSettings = OutputSettings(
            share: options.share ?? [], format: options.format ?? .both,
            delimiter: draft.validation.layout.delimiter.delimiter, mapping: draft.validation.mapping)
        let sharing = try options.splitBy.map { splitBy in
            try ManagerColumns.preview(
                splitBy: splitBy, header: draft.validation.mapping.header, settings: outputSettings, results: output)
        }
        if sharing == nil && !outputSettings.share.isEmpty {
            _ = try ManagerColumns(header: draft.validation.mapping.header, settings: outputSettings)
        }
        var identified = request
        if let window = draft.resolvedWindow { identified.campaign.window = window }
        let settingsJSON = String(decoding: try GoodyJSON.encoder().encode(identified.campaign), as: UTF8.self)
        let identity = try RunIdentity(
            request: request, inputSHA256: try RunIdentity.fileSHA256(input), account: account,
            resolvedWindow: draft.resolvedWindow)
        // The ledger the results go beside must be ours: a planted one is refused, not read.
        let ledger = FileManager.default.fileExists(atPath: ledgerPath) ? try RunLedger(path: ledgerPath) : nil
        let ledgers = knownLedgers(besides: ledgerPath)

        // The same send recorded here or in another ledger of this machine (another --output,
        // another folder) is the same run: it is continued, never sent again, once its recorded
        // batches are checked to be what this file and these settings would create.
        // A ledger that cannot be read may record this very send: never passed over in silence.
        var opened: [(path: String, ledger: RunLedger)] = []
        var unreadable: [String] = []
        for path in ledgers {
            if path == ledgerPath, let ledger {
                opened.append((path, ledger))
                continue
            }
            do { opened.append((path, try RunLedger(path: path))) } catch {
                unreadable.append("\(path) (\(error.localizedDescription))")
            }
        }
        if forSending, !unreadable.isEmpty, options.resend != .everyone {
            throw SendRefusal(
                "not sent: goody-batch cannot read \(unreadable.count == 1 ? "a ledger" : "\(unreadable.count) ledgers") of this machine, which may record this same send or gifts to these people: \(unreadable.joined(separator: "; ")). Sending now could give someone a second gift. Make it readable again (or move it back where it was), then send; `plan` shows what would be sent meanwhile. Nothing was created."
            )
        }
        for (path, found) in opened {
            guard let existing = try found.run(identity: identity.value) else { continue }
            let plan = try await planner.plan(draft, leavingOut: [])
            try Self.verify(existing, in: path, matches: plan)
            return .existing(existing, ledgerPath: path)
        }

        // A new run: its results and ledger must be writable before it is approved, let alone sent.
        for (what, file) in [("results", output), ("ledger", ledgerPath)] where forSending {
            let folder = (file as NSString).deletingLastPathComponent
            guard access(folder, W_OK) == 0 else {
                throw SpreadsheetError(
                    path: folder,
                    code: .cannotWrite(
                        reason:
                            "the \(what) would go in this folder, which cannot be written (\(String(cString: strerror(errno)))). Give --output (and --ledger) in a folder you can write; nothing was sent"
                    ))
            }
        }
        let candidates = draft.candidates
        if options.resend != .everyone {
            try refuseOverlappingUnsettledRuns(candidates, method: draft.method, account: account, ledgers: opened)
        }
        let search = PriorGiftSearch(
            client: client, account: account, ledgers: ledgers, historyDays: options.historyDays,
            now: request.now, occasion: draft.occasion?.kind, cards: try await client.allCards())
        var found = try await search.run(candidates, method: draft.method)
        // Only the people found are looked up by line (a first send finds nobody).
        let byLine = Dictionary(
            candidates.lazy.filter { found.gifts[$0.recipient.line] != nil }.map { ($0.recipient.line, $0.recipient) },
            uniquingKeysWith: { first, _ in first })
        for (line, gift) in found.gifts where gift.leavesOut {
            guard let recipient = byLine[line], options.resend.allows(recipient) else { continue }
            found.gifts[line]?.leavesOut = false
            found.gifts[line]?.onPurpose = true
        }
        var plan = try await planner.plan(
            draft, leavingOut: Set(found.gifts.values.filter(\.leavesOut).map(\.line)))
        plan.earlierGifts = found.gifts.values.sorted { $0.line < $1.line }.map { gift in
            let who = byLine[gift.line].map { $0.email ?? [$0.firstName, $0.lastName ?? ""].joined(separator: " ") }
            return EarlierGift(
                line: gift.line, who: who ?? "", sentence: gift.sentence, leftOut: gift.leavesOut,
                nameOnly: gift.nameOnly, onPurpose: gift.onPurpose)
        }
        let report = PriorGiftReport(
            ledgers: ledgers.count - found.skippedLedgers.count, skippedLedgers: found.skippedLedgers,
            historyDays: options.historyDays, ordersSearched: found.ordersSearched, since: found.since,
            occasion: draft.occasion?.kind)
        plan.earlierGiftSearch = report.sentence
        return .new(
            PreparedRun(
                plan: plan, identity: identity, account: account, priorGifts: found.gifts, search: report,
                outputPath: output, ledgerPath: ledgerPath, settingsJSON: settingsJSON, output: outputSettings,
                sharing: sharing))
    }

    /// A run that stopped part-way may have created batches nobody has seen the answer to, and
    /// will create the rest when resumed: a new run for any of the same people, for the same
    /// occasion, could give them a second gift. Runs that share nobody with this file, or that
    /// were for another occasion or occurrence, do not block it.
    private func refuseOverlappingUnsettledRuns(
        _ candidates: [PriorGiftSearch.Candidate], method: SendMethod, account: AccountIdentity,
        ledgers: [(path: String, ledger: RunLedger)]
    ) throws {
        var occurrences: [PersonKey: Set<String?>] = [:]
        for candidate in candidates {
            for key in PersonKey.lookups(for: candidate.recipient, method: method) {
                occurrences[key, default: []].insert(candidate.occurrence?.key)
            }
        }
        for (path, ledger) in ledgers {
            for (run, row) in try ledger.unsettledRows(environment: account.key) {
                let rowKeys = PersonKey.recorded(
                    row.recipientKey, email: row.email, firstName: row.firstName, lastName: row.lastName)
                let overlapping = rowKeys.contains { key in
                    guard let ours = occurrences[key] else { return false }
                    return row.occasion == nil || ours.contains(nil) || ours.contains(row.occasion)
                }
                guard overlapping else { continue }
                throw SendRefusal(
                    "not sent: run \(run.id) (\(run.inputPath)) in \(path) stopped before it finished, and it includes people of this file (line \(row.line) there); some of its gifts may already exist at Goody. Finish it first with `goody-batch resume \(run.id)`, so nobody gets two gifts (or --allow-resend to send anyway). Nothing was created."
                )
            }
        }
    }

    /// Continuing a run found in a ledger creates what it recorded. That is only allowed when
    /// every batch it has still to create sends exactly what this file and these settings would:
    /// the same recipients with the same gift. A forged or stale run is refused.
    static func verify(_ run: RunRecord, in path: String, matches plan: Plan) throws {
        let ledger = try RunLedger(path: path)
        var expected: [String: Int] = [:]
        for batch in plan.batches {
            for item in try signatures(batch.input) { expected[item, default: 0] += 1 }
        }
        for batch in try ledger.batches(ofRun: run.id) where batch.state == .planned || batch.state == .creating {
            let input = try GoodyJSON.decoder().decode(OrderBatchInput.self, from: Data(batch.requestJSON.utf8))
            for item in try signatures(input) {
                guard let count = expected[item], count > 0 else {
                    throw SendRefusal(
                        "not sent: run \(run.id) in \(path) would create batch \(batch.number) for people or a gift that this file and these settings do not give, so it is not continued. If that ledger is not yours, move it aside; nothing was created."
                    )
                }
                expected[item] = count - 1
            }
        }
    }

    /// One entry per recipient: who, and everything about the gift except the batch it sits in.
    private static func signatures(_ input: OrderBatchInput) throws -> [String] {
        var settings = input
        settings.recipients = []
        settings.customerReferenceID = nil
        let encoder = GoodyJSON.encoder()
        let gift = String(decoding: try encoder.encode(settings), as: UTF8.self)
        return try input.recipients.map { String(decoding: try encoder.encode($0), as: UTF8.self) + gift }
    }

    /// Records the approved run in the ledger and sends it.
    /// - Parameter approved: who approved and the plan file held to, when there is one; its
    ///   cap is what the run may spend (the plan's cap, or a new `--max-spend`).
    public func start(_ prepared: PreparedRun, approval: String, approved: ApprovalRecord? = nil) async throws
        -> SendReport
    {
        try await start(PreparedHandoff(prepared), approval: approval, approved: approved)
    }

    /// The same, letting go of the plan (every recipient, every batch) once the run is recorded,
    /// so it is not held while the batches are sent: the ledger is the store of what is sent.
    public func start(_ handoff: PreparedHandoff, approval: String, approved: ApprovalRecord? = nil) async throws
        -> SendReport
    {
        let ledgerPath = handoff.ledgerPath
        let ledger = try RunLedger(path: ledgerPath)
        try options.registry.register(ledgerPath)
        let lock = try RunLock.acquire(runID: handoff.runID, besideLedger: ledgerPath)
        defer { withExtendedLifetime(lock) {} }
        let (run, knownPrices, existing) = try handoff.withTaken { prepared in
            try record(prepared, approval: approval, approved: approved, in: ledger)
        }
        // Another process may have recorded the same send while this one was asking for approval.
        if existing { return try await execute(run, ledger: ledger) }
        return try await execute(run, ledger: ledger, knownPrices: knownPrices)
    }

    /// Records the run, unless another process recorded the same send while this one was asking
    /// for approval (then that run, `existing`).
    private func record(_ prepared: PreparedRun, approval: String, approved: ApprovalRecord?, in ledger: RunLedger)
        throws -> (run: RunRecord, knownPrices: [Int: Int], existing: Bool)
    {
        if let existing = try ledger.run(identity: prepared.identity.value) { return (existing, [:], true) }
        // Priced moments ago by this command: not priced again before each create. A plan left
        // waiting for approval longer than this is priced again, batch by batch.
        let fresh = Today.now().timeIntervalSince(prepared.plan.pricedAt) < Self.priceFreshness
        let knownPrices =
            fresh ? Dictionary(prepared.plan.batches.map { ($0.number, $0.estimateRange.high) }) { a, _ in a } : [:]
        var (run, batches) = try records(for: prepared, approval: approval)
        if let approved {
            run.approvedBy = approved.by
            run.planSHA256 = approved.planSHA256
            if let cap = approved.cap { run.approvedLimit = max(cap, run.estimateHigh) }
        }
        do {
            // Each row is made as it is inserted: the run's rows are never all held beside the plan.
            try ledger.createRun(run, batches: batches) { insert in try eachRow(of: prepared, insert) }
        } catch let error as LedgerError {
            throw LedgerError(
                "\(error.message) Nothing was sent: the run could not be recorded, so nothing was created.")
        }
        return (run, knownPrices, false)
    }

    /// How long a price from this command's plan stands for the batch's create.
    static let priceFreshness: TimeInterval = 300

    /// Continues a run from where its ledger says it stopped.
    public func resume(_ run: RunRecord, ledgerPath: String) async throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        try options.registry.register(ledgerPath)
        let lock = try RunLock.acquire(runID: run.id, besideLedger: ledgerPath)
        defer { withExtendedLifetime(lock) {} }
        try await checkSameAccount(run, doing: "resume it")
        var run = run
        if let cents = options.newApproval {
            try ledger.approve(cents, approval: "--max-spend \(Money.dollars(cents)) on resume", ofRun: run.id)
            run = try ledger.run(id: run.id) ?? run
        }
        return try await execute(run, ledger: ledger)
    }

    /// Refuses to work on a run with another account than it was sent to.
    func checkSameAccount(_ run: RunRecord, doing what: String) async throws {
        let account = try await account()
        guard run.environment == account.key || run.environment == legacyEnvironmentKey else {
            throw SendError(
                "Run \(run.id) was sent to \(AccountIdentity.describe(key: run.environment)); this key is \(account.description). Use the same API and key to \(what)."
            )
        }
    }

    /// Runs the batches, then records the outcome and writes the results. Anything that fails
    /// after the run was recorded says what exists at Goody, where the links are and what
    /// command finishes the job.
    func execute(
        _ run: RunRecord, ledger: RunLedger, readOnly: Bool = false, knownPrices: [Int: Int] = [:]
    ) async throws -> SendReport {
        do {
            return try await executeRecorded(run, ledger: ledger, readOnly: readOnly, knownPrices: knownPrices)
        } catch let error as RunBusyError {
            throw error
        } catch {
            throw SendFailure(run: run, ledger: ledger, underlying: error)
        }
    }

    private func executeRecorded(
        _ run: RunRecord, ledger: RunLedger, readOnly: Bool, knownPrices: [Int: Int]
    ) async throws -> SendReport {
        if !readOnly { try ledger.setState(.sending, ofRun: run.id) }
        var executor = RunExecutor(
            client: client, ledger: ledger, run: run, progress: progress, maxWait: options.maxWait,
            concurrency: options.concurrency)
        executor.readOnly = readOnly
        executor.knownPrices = knownPrices
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
        if let refusal = stop as? SpendGuard.Refusal {
            stop = SendRefusal(
                "\(refusal.localizedDescription) Nothing more was created; what exists is in the ledger \(ledger.path) and the results. The whole run at today's prices comes to \(Money.dollars(refusal.atTodaysPrices ?? refusal.projected)); to approve it: `goody-batch resume \(run.id) --max-spend \(Money.plain(refusal.atTodaysPrices ?? refusal.projected))`."
            )
        }
        let state: RunRecord.State =
            stop != nil || (outcome?.unsent ?? 1) > 0
            ? .interrupted : ((outcome?.awaiting ?? 0) > 0 ? .waiting : .complete)
        try ledger.setState(state, ofRun: run.id)
        let current = try ledger.run(id: run.id) ?? run
        let written = try ResultsWriter(ledger: ledger, run: current).write(
            to: current.outputPath, splitBy: current.splitBy)
        let elapsed = ContinuousClock.now - started
        var report = try SendReport(
            ledger: ledger, run: current, written: written, notes: (outcome?.notes ?? []) + written.notes,
            requests: await client.pacer?.statistics.since(before),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        report.stoppedBy = stop ?? outcome?.refusal
        report.commandRequests = await client.pacer?.statistics
        return report
    }

    // MARK: - Records

    private func records(for prepared: PreparedRun, approval: String) throws -> (RunRecord, [BatchRecord]) {
        let plan = prepared.plan
        let now = Today.now()
        let runID = prepared.runID
        let header = plan.validation.mapping.header
        var run = RunRecord(
            id: runID, identity: prepared.identity.value, createdAt: now, inputPath: OutputNaming.absolute(plan.path),
            inputSHA256: prepared.identity.inputSHA256, outputPath: prepared.outputPath,
            environment: prepared.account.key,
            simulated: connection.simulated, sendMethod: plan.method.rawValue, settingsJSON: prepared.settingsJSON,
            headerJSON: String(decoding: try JSONEncoder().encode(header), as: UTF8.self),
            planFingerprint: plan.fingerprint, estimateLow: plan.totalLow, estimateHigh: plan.totalHigh,
            maxSpend: plan.maxSpend, approval: approval, splitBy: options.splitBy)
        run.outputJSON = prepared.output.json

        var batches: [BatchRecord] = []
        for batch in plan.batches {
            var input = batch.input
            let reference = try prepared.identity.customerReferenceID(
                batch: batch.number, request: input, occurrence: batch.occurrence)
            input.customerReferenceID = reference
            let range = batch.estimateRange
            batches.append(
                BatchRecord(
                    runID: runID, number: batch.number, customerReferenceID: reference,
                    requestJSON: String(decoding: try GoodyJSON.encoder().encode(input), as: UTF8.self),
                    recipientCount: batch.recipients.count, estimateLow: range.low, estimateHigh: range.high,
                    scheduledSendOn: input.scheduledSendOn, at: now))
        }
        return (run, batches)
    }

    /// Every row of the run, as the ledger records it: each recipient in its batch, then the
    /// rows rejected and the people left out because they were gifted before.
    private func eachRow(of prepared: PreparedRun, _ visit: (RowRecord) throws -> Void) throws {
        let plan = prepared.plan
        let runID = prepared.runID
        for batch in plan.batches {
            for (position, recipient) in batch.recipients.enumerated() {
                try visit(
                    try row(
                        runID, recipient.line, recipient.values, recipient: recipient, method: plan.method,
                        batch: batch.number, position: position, status: .pending, error: nil,
                        occurrence: plan.occurrences[recipient.line]))
            }
        }
        // Only the rows rejected by the plan and the people left out are looked up by line.
        let wanted = Set(plan.rejected.map(\.line) + prepared.leftOut.map(\.line))
        let byLine = Dictionary(
            plan.validation.recipients.lazy.filter { wanted.contains($0.line) }.map { ($0.line, $0) },
            uniquingKeysWith: { first, _ in first })
        for finding in plan.rejected {
            guard let recipient = byLine[finding.line] else { continue }
            try visit(
                try row(
                    runID, finding.line, recipient.values, recipient: nil, method: plan.method, batch: nil,
                    position: nil,
                    status: .rejected, error: "line \(finding.line): \(finding.message). Fix: \(finding.fix)"))
        }
        for rejected in plan.validation.rejectedRows {
            try visit(
                try row(
                    runID, rejected.line, rejected.values, recipient: nil, method: plan.method, batch: nil,
                    position: nil,
                    status: .rejected, error: rejected.reason))
        }
        for gift in prepared.leftOut {
            guard let recipient = byLine[gift.line] else { continue }
            try visit(
                try row(
                    runID, gift.line, recipient.values, recipient: recipient, method: plan.method, batch: nil,
                    position: nil, status: .alreadySent,
                    error: "not sent again: \(gift.sentence)\(gift.rule == nil ? " (--allow-resend sends anyway)" : "")"
                ))
        }
    }

    private func row(
        _ runID: String, _ line: Int, _ values: [String], recipient: Recipient?, method: SendMethod, batch: Int?,
        position: Int?, status: RowRecord.Status, error: String?, occurrence: Occurrence? = nil
    ) throws -> RowRecord {
        let valuesJSON = String(decoding: try JSONEncoder().encode(values), as: UTF8.self)
        return RowRecord(
            runID: runID, line: line, batchNumber: batch, position: position, rowHash: RunIdentity.sha256(valuesJSON),
            valuesJSON: valuesJSON, recipientKey: recipient.map { PersonKey.of($0, method: method).description },
            email: recipient?.email, firstName: recipient?.firstName, lastName: recipient?.lastName, status: status,
            error: error, occasion: occurrence?.key, occasionDate: occurrence?.date?.description)
    }

    // MARK: - Status and export

    /// Reads every order's current status (opened, accepted, shipped…) and collects the gift
    /// links of batches that exist but were not read yet, then rewrites the results. It never
    /// creates anything: a run with batches still to create says so and names `resume`.
    public func refreshStatus(_ run: RunRecord, ledgerPath: String, notOpened: Bool = false) async throws
        -> SendReport
    {
        let ledger = try RunLedger(path: ledgerPath)
        let lock = try RunLock.acquire(runID: run.id, besideLedger: ledgerPath)
        defer { withExtendedLifetime(lock) {} }
        var notes: [String] = []
        if try ledger.batches(ofRun: run.id).contains(where: { $0.state == .created || $0.state == .creating }) {
            notes += try await execute(run, ledger: ledger, readOnly: true).notes
        }
        let batches = try ledger.batches(ofRun: run.id)
        // Every step of every order since the run began (a day earlier, for a server clock that
        // differs from this one). No upper bound by this machine's clock, which could leave out
        // the newest steps; a step seen twice is merged once.
        let readAt = Today.now()
        let activities = try await client.allOrderActivities(after: run.createdAt.addingTimeInterval(-86_400))
        let before = Dictionary(uniqueKeysWithValues: try ledger.orders(ofRun: run.id).map { ($0.orderID, $0) })
        // Each order's state as Goody has it now, from its batch's orders: the activities'
        // statuses are a shorter list than the orders' (no "canceled" among them), so they give
        // the dates of the steps, and the orders give where each gift is.
        var atGoody: [String: Order] = [:]
        for batch in batches where batch.state == .collected {
            guard let id = batch.goodyID else { continue }
            for order in try await client.allBatchOrders(id: id) { atGoody[order.id] = order }
        }
        let changed = GiftLife.apply(activities, current: atGoody, to: Array(before.values))
        try ledger.updateOrders(changed)
        let moved = changed.filter { order in
            before[order.orderID].map { $0.status != order.status || $0.swapped != order.swapped } ?? true
        }.count
        notes.append(
            "\(moved) order status\(moved == 1 ? "" : "es") changed (\(activities.count) order activit\(activities.count == 1 ? "y" : "ies") read)."
        )
        let unsent = batches.filter { $0.state == .planned || $0.state == .creating }
        if !unsent.isEmpty {
            notes.append(
                "Run \(run.id) is unfinished: \(unsent.count) batch\(unsent.count == 1 ? " was" : "es were") not created. `status` never creates anything; `goody-batch resume \(run.id)` creates \(unsent.count == 1 ? "it" : "them"), within the approved amount."
            )
        }
        let current = try ledger.run(id: run.id) ?? run
        var report = try Self.export(
            current, ledgerPath: ledgerPath, splitBy: options.splitBy, share: options.share, format: options.format,
            notes: notes)
        if notOpened {
            let written = try ResultsWriter(ledger: ledger, run: current).writeNotOpened(
                splitBy: options.splitBy ?? current.splitBy, now: readAt)
            report.notOpenedFiles = written.all
            report.notes += written.notes
        }
        return report
    }

    /// Rewrites the results from the ledger alone (no API call).
    public static func export(
        _ run: RunRecord, ledgerPath: String, outputPath: String? = nil, splitBy: String? = nil,
        share: [String]? = nil, format: ShareFormat? = nil, notes: [String] = []
    ) throws -> SendReport {
        let ledger = try RunLedger(path: ledgerPath)
        var current = run
        if let outputPath { current.outputPath = outputPath }
        if let splitBy { current.splitBy = splitBy }
        // A new --share or --format applies to this writing; the run keeps what it was started with.
        var settings = try OutputSettings.of(current.outputJSON, header: try current.header(), runID: current.id)
        if let share { settings.share = share }
        if let format { settings.format = format }
        current.outputJSON = settings.json
        let written = try ResultsWriter(ledger: ledger, run: current).write(
            to: current.outputPath, splitBy: splitBy ?? current.splitBy)
        return try SendReport(
            ledger: ledger, run: current, written: written, notes: notes + written.notes, requests: nil, seconds: 0)
    }
}

/// A send (or resume, or status) that failed after its run was recorded: the cause, and what a
/// person needs to finish the job.
public struct SendFailure: Error, LocalizedError {
    public let runID: String
    public let underlying: any Error
    let situation: String

    init(run: RunRecord, ledger: RunLedger, underlying: any Error) {
        runID = run.id
        self.underlying = underlying
        if let batches = try? ledger.batches(ofRun: run.id), let orders = try? ledger.orders(ofRun: run.id) {
            let made = batches.filter { [.creating, .created, .collected].contains($0.state) }.count
            situation =
                "Run \(run.id): \(made) of \(batches.count) batch\(batches.count == 1 ? "" : "es") exist at Goody (or may, for one whose answer was lost), and \(orders.count) gift link\(orders.count == 1 ? " is" : "s are") recorded in the ledger \(ledger.path)."
        } else {
            situation = "Run \(run.id): what exists at Goody is recorded in the ledger \(ledger.path)."
        }
    }

    public var errorDescription: String? {
        "\(underlying.localizedDescription)\n\(situation) Once that is fixed, `goody-batch resume \(runID)` finishes the job (nothing is sent twice), and `goody-batch export \(runID) --output PATH` writes the results to another folder."
    }
}
