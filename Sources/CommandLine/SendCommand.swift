import APIClient
import ArgumentParser
import Foundation
import GoodyAPI
import Ledger
import Planning
import Recipients
import Sending

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// How a send, resume or status reports: a progress display and a closing summary, or JSON.
struct ReportOptions: ParsableArguments {
    @Flag(help: "No progress display; only the closing summary.")
    var quiet = false

    @Flag(help: "Print the closing summary as JSON (and no progress).")
    var json = false

    var progress: (any SendProgress)? { quiet || json ? nil : ProgressDisplay() }

    /// Prints the summary and turns it into the exit code. `readOnly` (status, export): a run
    /// left unfinished is reported, not a failure of this command.
    ///
    /// `followUp` (cancel, extend): the run's rejected rows are not this command's concern; Goody
    /// refusing some of its calls is (exit 3).
    func finish(_ report: SendReport, interrupted: Bool, readOnly: Bool = false, followUp: Bool = false) throws {
        if json { JSONDocument.print(try Output.json(SendReportJSON(report))) } else { Output.out(report.renderText()) }
        if interrupted || report.stoppedBy is CancellationError {
            Output.err(
                "goody-batch: stopped. `goody-batch resume \(report.run.id)` continues; nothing is sent twice.\n")
            throw ExitStatus.interrupted
        }
        if let refusal = report.stoppedBy as? SendRefusal {
            Output.err("goody-batch: \(refusal.localizedDescription)\n")
            throw ExitStatus.refused
        }
        if let refusal = report.stoppedBy as? GoodyClientError, refusal.kind == .setup {
            // Goody refused the whole run before creating anything: resuming would not help.
            Output.err(
                "goody-batch: \(refusal.localizedDescription)\nNo batch of run \(report.run.id) was created; the results mark every row as not sent.\n"
            )
            throw ExitStatus.code(for: refusal)
        }
        if let stop = report.stoppedBy {
            Output.err(
                "goody-batch: the send stopped: \(stop.localizedDescription)\nEverything done so far is in the ledger and the results; `goody-batch resume \(report.run.id)` continues.\n"
            )
            throw stop is GoodyClientError || stop is SendFailure ? ExitStatus.code(for: stop) : ExitStatus.apiProblem
        }
        if report.interrupted && !readOnly { throw ExitStatus.apiProblem }
        if followUp {
            if report.followUpRefused > 0 { throw ExitStatus.apiProblem }
            return
        }
        if report.rowsFailed > 0 || report.rowsRejected > 0 { throw ExitStatus.rowsRejected }
    }
}

/// How much is worked on at once, and how long to wait for Goody.
struct WorkOptions: ParsableArguments {
    @Option(help: "Batches worked on at once (1 to 32).")
    var concurrency = 24

    @Option(
        help: ArgumentHelp("Seconds to wait for pending batches before leaving them to `status`.", valueName: "seconds")
    )
    var maxWait = 600

    func validate() throws {
        if !(1...32).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 32.") }
        if maxWait < 0 { throw ValidationError("--max-wait cannot be negative.") }
    }
}

/// Where the results and the ledger go.
struct LedgerOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The run ledger (default: goody-batch-ledger.sqlite beside the results).", valueName: "path")
    )
    var ledger: String?
}

struct Send: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Send the gifts: plan, approve, create each batch exactly once, and write the results with every gift link.",
        discussion: """
            Shows the plan and the estimated total, then asks for approval: on a terminal, type the \
            number of recipients; without one, --yes is required. Every step is recorded in a run \
            ledger (SQLite, mode 0600) before and after each call to Goody, so a run stopped in any \
            way (Ctrl-C, a crash, a lost network) continues with `resume` or by running the same \
            `send` again, and no batch is ever created twice. The results file holds every input \
            row, unchanged, with its gift link, order, status, amounts and any error; it is \
            Excel-safe and private (mode 0600).

            EXAMPLES
              goody-batch send employees.csv --campaign campaign.yaml
              goody-batch send employees.csv --campaign campaign.yaml --yes
              goody-batch send employees.xlsx --campaign campaign.yaml \\
                  --max-spend 2500 --split-by manager --share Department
              goody-batch send --plan january.goody-plan --approved-by "Dana Reyes"

            \(ExitStatus.seeRoot)
            """)

    @OptionGroup var arguments: PlanArguments
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var sending: SendingOptions

    @Option(
        help: ArgumentHelp(
            "Send exactly this approved plan (written by `plan --out`). Refused, with nothing created, when the input, a setting, a batch or a price is not what was approved.",
            valueName: "plan"))
    var plan: String?

    @Option(
        help: ArgumentHelp(
            "Who approved the send, recorded with the run (asked at a terminal when not given).", valueName: "name"))
    var approvedBy: String?

    @Option(help: ArgumentHelp("With --plan: the oldest plan that may be sent, in days.", valueName: "days"))
    var maxPlanAge = PlanFile.defaultMaxAgeDays

    /// A plan file the send is held to.
    struct Contract {
        var file: PlanFile
        var path: String
        var sha256: String
        /// `--max-spend` given with `send --plan`: a new approval.
        var newCap: Int?
    }

    func run() async throws {
        if let plan {
            try await HeldSend.send(plan, maxAgeDays: maxPlanAge)
        } else {
            try await send(heldTo: nil)
        }
    }

    func send(heldTo contract: Contract?) async throws {
        let request = try arguments.request()
        let (report, work, sharing, ledger) = (sending.report, sending.work, sending.sharing, sending.ledger)
        let options = SendOptions(
            outputPath: sending.output, ledgerPath: ledger.ledger, splitBy: sharing.splitBy,
            resend: ResendPermission(sending.allowResend), maxWait: .seconds(work.maxWait),
            concurrency: work.concurrency,
            historyDays: sending.historyDays,
            share: sharing.share.isEmpty ? request.campaign.share : sharing.share, format: sharing.format)
        let (yes, json) = (sending.yes, sending.report.json)
        try await Output.reportingProblems {
            try await connection.withClient { client, label in
                let session = SendSession(
                    client: client, connection: label, options: options, progress: report.progress)
                switch try await session.prepare(request) {
                case .existing(let run, let ledgerPath):
                    Output.err(try Self.continuing(run, ledgerPath: ledgerPath))
                    try Self.approveContinuing(run, ledgerPath: ledgerPath, yes: yes)
                    let (result, interrupted) = try await Interruption.run {
                        try await session.resume(run, ledgerPath: ledgerPath)
                    }
                    try report.finish(result, interrupted: interrupted)
                case .new(let prepared):
                    if let contract {
                        try contract.file.check(prepared, path: contract.path, newCap: contract.newCap)
                    }
                    if !json { Output.out(Self.describe(prepared, connection: label, sending: true)) }
                    if let contract {
                        Output.err(
                            "Sending the plan \(contract.path) (\(contract.sha256.prefix(12))…), made \(contract.file.age(at: Today.now())) ago: the input, settings and batches are as approved, and the high estimate \(Money.dollars(prepared.plan.totalHigh)) is within the \(Money.dollars(contract.newCap ?? contract.file.approvedCapCents)) approved.\n"
                        )
                    }
                    let (approval, name) = try Self.approve(
                        prepared, yes: yes, approvedBy: approvedBy, contract: contract)
                    let record = ApprovalRecord(
                        by: name, planSHA256: contract?.sha256,
                        cap: contract.map { $0.newCap ?? $0.file.approvedCapCents })
                    // Handed over: once the run is recorded, nothing holds the plan while it is sent.
                    let handoff = PreparedHandoff(consume prepared)
                    let (result, interrupted) = try await Interruption.run {
                        try await session.start(handoff, approval: approval, approved: record)
                    }
                    try report.finish(result, interrupted: interrupted)
                }
            }
        }
    }

    /// The plan, and what will not be sent: what `plan` shows and `send` asks approval for.
    static func describe(_ prepared: PreparedRun, connection: ConnectionLabel, sending: Bool) -> String {
        var text = prepared.plan.renderText(connection: connection, sending: sending)
        if let sharing = prepared.sharing {
            // With the rest of the plan, before its closing "Plan … Nothing was created".
            if let closing = text.range(of: "\nPlan ", options: .backwards) {
                text.insert(contentsOf: "\n" + sharing + "\n", at: closing.lowerBound)
            } else {
                text += sharing + "\n"
            }
        }
        return text
    }

    /// Said when the same send was made before: it is continued, and what is left to do.
    static func continuing(_ run: RunRecord, ledgerPath: String) throws -> String {
        let left = try RunLedger(path: ledgerPath).batches(ofRun: run.id).filter {
            $0.state == .planned || $0.state == .creating
        }
        let next =
            left.isEmpty
            ? "it is finished, so `send` sends nothing new (`goody-batch status \(run.id)` follows its gifts)"
            : "\(left.count) of its batches (\(left.reduce(0) { $0 + $1.recipientCount }) gifts) are still to create; `send` continues it"
        return
            "goody-batch: this file was already sent with these settings as run \(run.id) (\(run.state.rawValue)); \(next). Nothing is sent twice.\n"
    }

    /// Continuing an unfinished run creates its remaining batches: that needs the same approval
    /// as a new send (`--yes`, or the count typed at a terminal). A finished run only reads.
    static func approveContinuing(_ run: RunRecord, ledgerPath: String, yes: Bool) throws {
        let left = try RunLedger(path: ledgerPath).batches(ofRun: run.id).filter {
            $0.state == .planned || $0.state == .creating
        }
        guard !left.isEmpty, !yes else { return }
        let summary =
            "its \(left.count) remaining batch\(left.count == 1 ? "" : "es") (\(left.reduce(0) { $0 + $1.recipientCount }) gifts), within the \(Money.dollars(run.approvedLimit ?? run.estimateHigh)) approved"
        guard isatty(STDIN_FILENO) == 1 else {
            Output.err(
                "goody-batch: not continued: run \(run.id) stopped before it finished, and continuing it creates \(summary). There is no terminal to ask on: add --yes, or run `goody-batch resume \(run.id)`. Nothing was created.\n"
            )
            throw ExitStatus.refused
        }
        Output.err(
            "Continue run \(run.id), creating \(summary)? Type \(left.count) to approve, anything else to stop: ")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == String(left.count) else {
            Output.err("goody-batch: not continued. Nothing was created.\n")
            throw ExitStatus.refused
        }
    }

    /// Approval: refused over budget or funds; on a terminal the person types the recipient
    /// count; without one, only --yes approves.
    static func approve(_ prepared: PreparedRun, yes: Bool, approvedBy: String?, contract: Contract?) throws -> (
        String, String?
    ) {
        let given = approvedBy?.trimmingCharacters(in: .whitespaces)
        var (approval, name) = (try approve(prepared, yes: yes), given.flatMap { $0.isEmpty ? nil : $0 })
        if name == nil, !yes, isatty(STDIN_FILENO) == 1 {
            Output.err("Your name, recorded as who approved it (Enter to leave it out): ")
            name = readLine()?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        }
        if let name { approval += "; approved by \(name)" }
        if let contract {
            approval +=
                "; held to the plan \(contract.path) (SHA-256 \(contract.sha256)) made \(GoodyJSON.timestamp(contract.file.createdAt))"
            if let cap = contract.newCap {
                approval += "; --max-spend \(Money.dollars(cap)) given with the send, a new approval"
            }
        }
        return (approval, name)
    }

    static func approve(_ prepared: PreparedRun, yes: Bool) throws -> String {
        let plan = prepared.plan
        if plan.exceedsMaxSpend || plan.insufficientFunds {
            Output.err(
                "goody-batch: not sent: \(plan.exceedsMaxSpend ? "the high estimate is over --max-spend" : "the funds available do not cover the high estimate"). Nothing was created.\n"
            )
            throw ExitStatus.refused
        }
        guard plan.recipientCount > 0 else {
            let leftOut = prepared.leftOut.count
            if leftOut > 0, plan.rejected.isEmpty, plan.validation.rejectedRows.isEmpty {
                let due = plan.occasion == nil ? "everyone in this file" : "everyone due in this window"
                Output.err(
                    "goody-batch: nothing to send: \(due) was already gifted (listed above). Nothing was created. --allow-resend EMAIL sends to one of them again.\n"
                )
                throw ExitCode.success
            }
            if plan.occasion != nil, leftOut == 0, plan.rejectedRowCount == 0 {
                Output.err(
                    "goody-batch: nothing to send: nobody's \(plan.occasion?.kind.words ?? "occasion") falls in \(plan.occasion?.windowDescription ?? "the window"). Nothing was created.\n"
                )
                throw ExitCode.success
            }
            var reasons: [String] = []
            let rejected = plan.rejectedRowCount
            if rejected > 0 {
                reasons.append(
                    "\(rejected) row\(rejected == 1 ? "" : "s") cannot be sent (each is listed above with its fix, and in the rejected file)"
                )
            }
            if leftOut > 0 {
                reasons.append(
                    "\(leftOut) \(leftOut == 1 ? "person was" : "people were") already gifted (--allow-resend sends again)"
                )
            }
            Output.err("goody-batch: nothing to send: \(reasons.joined(separator: ", and ")). Nothing was created.\n")
            throw ExitStatus.rowsRejected
        }
        let summary =
            "\(plan.recipientCount) gift\(plan.recipientCount == 1 ? "" : "s") in \(plan.batches.count) batch\(plan.batches.count == 1 ? "" : "es"), up to \(Money.dollars(plan.totalHigh))"
        return try TypedApproval.ask(
            summary: summary, question: "Send \(summary)?", count: plan.recipientCount, yes: yes,
            notDone: "not sent", closing: "Nothing was created.")
    }
}

struct Resume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Continue a run that stopped: create what is left (never twice) and collect every gift link.",
        discussion: """
            RUN is the ID `send` and `runs` print (a unique prefix is enough). Before each batch is \
            created it is priced again; if prices moved so that the run would cost more than was \
            approved, nothing more is created until a new figure is approved with --max-spend.

            EXAMPLES
              goody-batch resume r93762b0017
              goody-batch resume r9376 --max-spend 1734.40

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var report: ReportOptions

    @Option(
        help: ArgumentHelp(
            "Approve a new total for the run, in dollars (after prices moved); never less than it has committed.",
            valueName: "dollars"))
    var maxSpend: String?

    @OptionGroup var work: WorkOptions

    func validate() throws {
        if let maxSpend, GiftAmount.cents(maxSpend) == nil {
            throw ValidationError("--max-spend takes dollars, such as 1500 or 1,500.00; got \"\(maxSpend)\".")
        }
    }

    func run() async throws {
        let options = SendOptions(
            maxWait: .seconds(work.maxWait), concurrency: work.concurrency,
            newApproval: maxSpend.flatMap(GiftAmount.cents))
        try await RunLookup.continuing(run, ledger: ledger, connection: connection, options: options, report: report) {
            session, found, path in try await session.resume(found, ledgerPath: path)
        }
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Follow a run's gifts at Goody (opened, accepted, shipped…, with the date of each step) and rewrite its results.",
        discussion: """
            Reads every page of Goody's order activities since the run began. The results gain \
            the date each gift was opened, accepted, shipped, delivered or canceled, and the \
            summary counts where the gifts are and how many expire within 7 days. Also collects gift links of batches that were still pending or scheduled. Never \
            creates anything: an unfinished run is named, with the `resume` that finishes it.

            EXAMPLES
              goody-batch status r93762b0017
              goody-batch status r9376 --split-by manager
              goody-batch status r9376 --not-opened

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String

    @Flag(
        help:
            "Also write who has not opened their gift yet, for a nudge: <input>.not-opened.csv and .xlsx and, with --split-by (or the run's), one file per manager."
    )
    var notOpened = false

    @OptionGroup var sharing: ShareOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        let notOpened = notOpened
        try await RunLookup.continuing(
            run, ledger: ledger, connection: connection,
            options: SendOptions(
                splitBy: sharing.splitBy, maxWait: .seconds(30), share: sharing.share.isEmpty ? nil : sharing.share,
                format: sharing.format), report: report,
            readOnly: true
        ) { session, found, path in try await session.refreshStatus(found, ledgerPath: path, notOpened: notOpened) }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a run's results again from its ledger alone (no call to Goody).",
        discussion: """
            EXAMPLES
              goody-batch export r93762b0017
              goody-batch export r9376 --output ~/Desktop/anniversaries.csv
              goody-batch export r9376 --split-by manager --format xlsx

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String
    @OptionGroup var ledger: LedgerOptions

    @Option(help: ArgumentHelp("Write the results here instead of where the run wrote them.", valueName: "path"))
    var output: String?

    @OptionGroup var sharing: ShareOptions

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        try await Output.reportingProblems {
            let (found, path) = try RunLookup.find(run, explicit: ledger.ledger, registry: .standard())
            let result = try SendSession.export(
                found, ledgerPath: path, outputPath: output.map(OutputNaming.absolute), splitBy: sharing.splitBy,
                share: sharing.share.isEmpty ? nil : sharing.share, format: sharing.format)
            if json {
                JSONDocument.print(try Output.json(SendReportJSON(result)))
            } else {
                Output.out(result.renderText())
            }
        }
    }
}

struct Runs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the runs this machine knows (or those in one ledger), newest first.",
        discussion: """
            EXAMPLES
              goody-batch runs
              goody-batch runs --ledger ~/gifts/goody-batch-ledger.sqlite
              goody-batch runs --json

            \(ExitStatus.seeRoot)
            """)

    @OptionGroup var ledger: LedgerOptions

    @Flag(help: "Print the runs as JSON.")
    var json = false

    func run() async throws {
        try await Output.reportingProblems {
            let paths = ledger.ledger.map { [$0] } ?? LedgerRegistry.standard().ledgers()
            var listed: [RunListing] = []
            for path in paths {
                let ledger = try RunLedger(path: path)
                for run in try ledger.runs() {
                    let rows = try ledger.rows(ofRun: run.id)
                    listed.append(
                        RunListing(
                            run: run.id, state: run.state.rawValue, created: run.createdAt, input: run.inputPath,
                            sent: rows.filter { $0.status == .sent }.count, rows: rows.count,
                            simulated: run.simulated, environment: AccountIdentity.describe(key: run.environment),
                            results: run.outputPath, ledger: path, approvedBy: run.approvedBy,
                            approvedAt: run.approvedAt, approval: run.approval, planSHA256: run.planSHA256))
                }
            }
            listed.sort { $0.created > $1.created }
            if json {
                JSONDocument.print(try Output.json(listed))
                return
            }
            guard !listed.isEmpty else {
                Output.out("No runs yet. `goody-batch send FILE` makes one.\n")
                return
            }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [
                .withFullDate, .withTime, .withColonSeparatorInTime, .withSpaceBetweenDateAndTime,
            ]
            formatter.timeZone = .current
            Output.out(
                "RUN          CREATED              STATE        SENT/ROWS  APPROVED BY      API                            INPUT\n"
            )
            for run in listed {
                let api =
                    run.simulated ? "simulated (built-in emulator)" : AccountIdentity.describe(key: run.environment)
                let approver = (run.approvedBy ?? "-") + (run.planSHA256 == nil ? "" : " (plan)")
                Output.out(
                    "\(pad(run.run, 12)) \(pad(formatter.string(from: run.created), 20)) \(pad(run.state, 12)) \(pad("\(run.sent)/\(run.rows)", 10)) \(pad(approver, 16)) \(pad(api, 30)) \(run.input)\n"
                )
            }
        }
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

struct RunListing: Encodable {
    var run: String
    var state: String
    var created: Date
    var input: String
    var sent: Int
    var rows: Int
    var simulated: Bool
    var environment: String
    var results: String
    var ledger: String
    var approvedBy: String?
    var approvedAt: Date
    var approval: String
    var planSHA256: String?

    enum CodingKeys: String, CodingKey {
        case run, state, created, input, sent, rows, simulated, environment, results, ledger, approval
        case approvedBy = "approved_by"
        case approvedAt = "approved_at"
        case planSHA256 = "plan_sha256"
    }
}

enum RunLookup {
    /// Finds an earlier run and works on it with the API (resume, status): Ctrl-C stops it
    /// cleanly, and the summary and exit code come from the report.
    static func continuing(
        _ runID: String, ledger: LedgerOptions, connection: ConnectionOptions, options: SendOptions,
        report: ReportOptions, readOnly: Bool = false, followUp: Bool = false,
        _ action: @escaping @Sendable (SendSession, RunRecord, String) async throws -> SendReport
    ) async throws {
        try await Output.reportingProblems {
            let (found, path) = try find(runID, explicit: ledger.ledger, registry: options.registry)
            try await connection.withClient { client, label in
                let session = SendSession(
                    client: client, connection: label, options: options, progress: report.progress)
                let (result, interrupted) = try await Interruption.run { try await action(session, found, path) }
                try report.finish(result, interrupted: interrupted, readOnly: readOnly, followUp: followUp)
            }
        }
    }

    static func find(_ runID: String, explicit: String?, registry: LedgerRegistry) throws -> (RunRecord, String) {
        let (ledger, run) = try registry.find(runID: runID, explicit: explicit)
        return (run, ledger.path)
    }
}

/// Approval as `send` asks it, and `cancel`, `extend` and `replace` too: `--yes`, or the count
/// typed at a terminal. Returns the approval's words for the ledger.
enum TypedApproval {
    /// - Parameters:
    ///   - notDone: what a refusal says first ("not sent"); `closing` ends it ("Nothing was created.").
    static func ask(summary: String, question: String, count: Int, yes: Bool, notDone: String, closing: String)
        throws -> String
    {
        if yes { return "--yes: \(summary)" }
        guard isatty(STDIN_FILENO) == 1 else {
            Output.err(
                "goody-batch: \(notDone): approval needed. There is no terminal to ask on, so add --yes to approve \(summary). \(closing)\n"
            )
            throw ExitStatus.refused
        }
        Output.err("\(question) Type \(count) to approve, anything else to stop: ")
        guard readLine()?.trimmingCharacters(in: .whitespaces) == String(count) else {
            Output.err("goody-batch: \(notDone): the answer was not \(count). \(closing)\n")
            throw ExitStatus.refused
        }
        return "typed \(count) at a terminal: \(summary)"
    }
}

/// What `send` takes beyond the plan's options. `plan` takes them too, so a `send` line can be
/// previewed by changing one word.
struct SendingOptions: ParsableArguments {
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var report: ReportOptions

    @Option(help: ArgumentHelp("The results file (default: <input>.results.csv beside the input).", valueName: "path"))
    var output: String?

    @OptionGroup var sharing: ShareOptions

    @Flag(help: "Approve without asking (required when there is no terminal).")
    var yes = false

    @Option(
        name: .customLong("allow-resend"), parsing: .upToNextOption,
        help: ArgumentHelp(
            "Send even to these people, found among earlier gifts (in a ledger of this machine for this account, or in Goody's history): their emails or line numbers. Alone, it lets everyone through.",
            valueName: "email|line"))
    var allowResend: [String] = []

    @Option(
        help: ArgumentHelp(
            "Without an occasion: how many days back an earlier gift to the same person counts, in the ledgers and in Goody's order history (0: none).",
            valueName: "days"))
    var historyDays = 90

    @OptionGroup var work: WorkOptions

    func validate() throws {
        for value in allowResend where value != ResendArguments.everyone {
            guard value.contains("@") || (Int(value).map { $0 > 0 } ?? false) else {
                throw ValidationError(
                    "--allow-resend takes the emails or line numbers of the people to send to again (or nothing, for everyone); \"\(value)\" is neither. Put the file before --allow-resend."
                )
            }
        }
        if historyDays < 0 { throw ValidationError("--history-days cannot be negative.") }
    }
}

/// `--allow-resend` alone lets everyone through: the command line gets `all` in its place, so
/// the option can also take emails and line numbers.
public enum ResendArguments {
    static let everyone = "all"

    public static func normalized(_ arguments: [String]) -> [String] {
        var result: [String] = []
        for (index, argument) in arguments.enumerated() {
            result.append(argument)
            guard argument == "--allow-resend" else { continue }
            let next = index + 1 < arguments.count ? arguments[index + 1] : nil
            if next == nil || next?.hasPrefix("-") == true { result.append(everyone) }
        }
        return result
    }
}

/// The files shared with managers: one per value of a column, holding only what a manager
/// should see.
struct ShareOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also write one workbook per value of this column (a manager), with only what a manager should see, and a list for HR of which file goes to whom. A column name, or `manager` for the mapped manager column.",
            valueName: "column"))
    var splitBy: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp(
            "Columns a manager's file also holds (by default: the name, email, employee ID, gift link, status, send date and expiry). Any input column, or a results column such as amount_total.",
            valueName: "column"))
    var share: [String] = []

    @Option(help: ArgumentHelp("Which files each manager gets: csv, xlsx or both (default both).", valueName: "format"))
    var format: ShareFormat?
}
