import ArgumentParser
import Foundation
import GoodyAPI
import Ledger
import Sending

/// Who a `cancel` or `extend` acts on: lines, emails, or the run's people no longer on a roster.
struct PeopleOptions: ParsableArguments {
    @Option(
        name: .customLong("line"), parsing: .upToNextOption,
        help: ArgumentHelp("Input lines of the run (as in its results).", valueName: "N"))
    var lines: [Int] = []

    @Option(
        name: .customLong("email"), parsing: .upToNextOption,
        help: ArgumentHelp("People of the run by email.", valueName: "address"))
    var emails: [String] = []

    @Option(
        help: ArgumentHelp(
            "A newer roster: everyone of the run who is not on it (by email, employee ID or name) — leavers.",
            valueName: "roster"))
    var notIn: String?

    var isEmpty: Bool { lines.isEmpty && emails.isEmpty && notIn == nil }

    func apply(to request: inout FollowUpRequest) {
        request.lines = lines
        request.emails = emails
        request.notIn = notIn.map(OutputNaming.absolute)
    }
}

/// What every follow-up command takes: approval, the files it rewrites, the ledger and the API.
struct FollowUpOptions: ParsableArguments {
    @Flag(help: "Approve without asking (required when there is no terminal).")
    var yes = false

    @OptionGroup var sharing: ShareOptions
    @OptionGroup var ledger: LedgerOptions
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var report: ReportOptions
}

/// Shows what a follow-up command will do and asks for approval the way `send` does.
enum FollowUpApproval {
    /// Prints what will be done, then asks (nothing to do asks nothing); returns the approval's
    /// words for the ledger. With `--json`, what will be done goes to stderr, so stdout holds only
    /// the JSON summary.
    static func ask(shown: String, summary: String, count: Int, yes: Bool, verb: String, json: Bool) throws -> String {
        if json { Output.err(shown) } else { Output.out(shown) }
        if count == 0 { return "" }
        return try TypedApproval.ask(
            summary: summary, question: "\(summary.capitalizedFirstLetter)?", count: count, yes: yes,
            notDone: "not \(verb)", closing: "Nothing was changed.")
    }

    /// Runs a follow-up command on a run and prints its summary.
    static func run(
        _ runID: String, _ common: FollowUpOptions,
        _ action: @escaping @Sendable (SendSession, RunRecord, String) async throws -> SendReport
    ) async throws {
        let sharing = common.sharing
        let options = SendOptions(
            splitBy: sharing.splitBy, maxWait: .seconds(60), share: sharing.share.isEmpty ? nil : sharing.share,
            format: sharing.format)
        try await RunLookup.continuing(
            runID, ledger: common.ledger, connection: common.connection, options: options, report: common.report,
            readOnly: true, followUp: true, action)
    }

    /// `cancel` and `extend`.
    static func run(_ runID: String, request: FollowUpRequest, verb: String, _ common: FollowUpOptions)
        async throws
    {
        let (yes, json) = (common.yes, common.report.json)
        try await run(runID, common) {
            session, found, path in
            try await session.followUp(found, ledgerPath: path, request: request) { plan in
                try ask(
                    shown: plan.renderText(), summary: plan.summary, count: plan.items.count, yes: yes, verb: verb,
                    json: json)
            }.1
        }
    }
}

extension String {
    fileprivate var capitalizedFirstLetter: String { prefix(1).uppercased() + dropFirst() }
}

struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Cancel gifts of a run that nobody has accepted yet (leavers, mistakes); their money comes back.",
        discussion: """
            Shows who will be canceled and what comes back, then asks for approval as `send` \
            does. Each order is canceled once: the ledger records each cancel before and after \
            the call, so a repeat after a crash or Ctrl-C finishes the job and cancels nothing \
            twice. Gifts already accepted, and gifts scheduled for a later day (Goody has no \
            order for them yet), are listed with what can be done. The results and manager files \
            are written again.

            EXAMPLES
              goody-batch cancel r93762b0017 --line 14 27
              goody-batch cancel r9376 --email kim.allen@acme.example
              goody-batch cancel r9376 --not-in roster-february.csv

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String
    @OptionGroup var people: PeopleOptions

    @OptionGroup var common: FollowUpOptions

    func validate() throws {
        if people.isEmpty {
            throw ValidationError(
                "Say whom to cancel: --line N, --email ADDRESS or --not-in ROSTER (the run's people not on a newer roster)."
            )
        }
    }

    func run() async throws {
        var request = FollowUpRequest(kind: .cancel, command: CommandWords.current)
        people.apply(to: &request)
        try await FollowUpApproval.run(run, request: request, verb: "canceled", common)
    }
}

struct Extend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move the expiry of a run's gifts that nobody has accepted yet.",
        discussion: """
            Without --line, --email or --not-in, every unaccepted gift of the run; --not-opened \
            and --expiring-within narrow it. Shown, approved and recorded like `cancel`: each \
            order's expiry is moved once, and a repeat finishes what was begun.

            EXAMPLES
              goody-batch extend r93762b0017 --until 2027-03-31
              goody-batch extend r9376 --until 2027-03-31 --not-opened --expiring-within 7

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String

    @Option(help: ArgumentHelp("The new expiry: a day (YYYY-MM-DD, the end of that day in UTC).", valueName: "date"))
    var until: String

    @OptionGroup var people: PeopleOptions

    @Flag(help: "Only gifts nobody has opened yet.")
    var notOpened = false

    @Option(help: ArgumentHelp("Only gifts whose link stops working within this many days.", valueName: "days"))
    var expiringWithin: Int?

    @OptionGroup var common: FollowUpOptions

    /// "2027-03-31" → the last second of that day in UTC.
    static func endOfDay(_ text: String) -> Date? {
        guard let day = GoodyJSON.date(text + "T23:59:59Z") else { return nil }
        return day
    }

    func validate() throws {
        guard let date = Self.endOfDay(until) else {
            throw ValidationError("--until takes a day as YYYY-MM-DD, such as 2027-03-31; got \"\(until)\".")
        }
        guard date > Today.now() else {
            throw ValidationError(
                "--until \(until) is not in the future; a gift's expiry can only move to a later day.")
        }
        if let expiringWithin, expiringWithin < 0 { throw ValidationError("--expiring-within cannot be negative.") }
    }

    func run() async throws {
        var request = FollowUpRequest(kind: .extend, command: CommandWords.current)
        people.apply(to: &request)
        request.until = Self.endOfDay(until)
        request.notOpened = notOpened
        request.expiringWithinDays = expiringWithin
        try await FollowUpApproval.run(run, request: request, verb: "extended", common)
    }
}

struct Replace: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Send one person's gift to a corrected email: their gift is canceled and the same gift sent again.",
        discussion: """
            For a wrong address. Shows the gift that is canceled and the one that replaces it, \
            then asks for approval. One recorded step: the cancel comes first, and the new gift \
            (the same product, message and card) is created exactly once after it, so the person \
            never ends with two gifts or none; a repeat after a crash finishes it. A gift already \
            accepted cannot be replaced.

            EXAMPLES
              goody-batch replace r93762b0017 --line 14 --email kim.allen@acme.example

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The run ID.") var run: String

    @Option(help: ArgumentHelp("The input line of the run (as in its results).", valueName: "N"))
    var line: Int

    @Option(help: ArgumentHelp("The corrected email.", valueName: "address"))
    var email: String

    @OptionGroup var common: FollowUpOptions

    func run() async throws {
        let (line, email, yes, json, command) = (line, email, common.yes, common.report.json, CommandWords.current)
        try await FollowUpApproval.run(run, common) {
            session, found, path in
            try await session.replace(found, ledgerPath: path, line: line, email: email, command: command) { plan in
                try FollowUpApproval.ask(
                    shown: plan.renderText(), summary: plan.summary, count: 1, yes: yes, verb: "replaced", json: json)
            }
        }
    }
}
