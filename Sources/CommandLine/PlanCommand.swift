import ArgumentParser
import Foundation
import GoodyAPI
import Planning
import Recipients
import Sending

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the order batches a spreadsheet becomes and what they will cost. Creates nothing.",
        discussion: """
            Validates the file, groups the recipients into batches by everything Goody sets per \
            batch (product, message, sender, card, send date, expiry, swap), and asks Goody to price \
            each batch. With no API key it runs against the built-in emulator, labelled SIMULATED. \
            It takes every option `send` takes, so a `send` line can be previewed by changing one \
            word; the ones that only matter when sending (--yes, --output…) are accepted and unused.

            EXAMPLES
              goody-batch plan employees.csv --campaign campaign.yaml
              goody-batch plan employees.csv --send-method email_and_link --product "Cookie Box" \\
                  --from-name "People Team" --max-spend 2500
              goody-batch plan employees.xlsx --campaign campaign.yaml \\
                  --split-by manager --share Department
              goody-batch plan employees.csv --campaign campaign.yaml --out january.goody-plan
                  (for someone else to approve; then: goody-batch send --plan january.goody-plan)

            \(ExitStatus.seeRoot)
            """)

    @OptionGroup var arguments: PlanArguments
    @OptionGroup var connection: ConnectionOptions
    /// `send`'s own options, accepted so a `send` line previews as it is (--json prints the plan).
    @OptionGroup var sending: SendingOptions

    @Option(
        help: ArgumentHelp(
            "Write the plan to this file for someone to approve (NAME.goody-plan, mode 0600); `send --plan NAME.goody-plan` then sends exactly it.",
            valueName: "path"))
    var out: String?

    @Option(
        help: ArgumentHelp(
            "With --out: the column the approver's report subtotals by (default: the manager column).",
            valueName: "header"))
    var groupBy: String?

    @Option(
        help: ArgumentHelp(
            "With --out: the approver's report as html (one page, the default), xlsx (a workbook) or both.",
            valueName: "format"))
    var report: ReportFormat = .html

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable { case html, xlsx, both }

    func run() async throws {
        let request = try arguments.request()
        let (json, sharing, output) = (sending.report.json, sending.sharing, sending.output)
        let options = SendOptions(
            outputPath: output, ledgerPath: sending.ledger.ledger, splitBy: sharing.splitBy,
            resend: ResendPermission(sending.allowResend), historyDays: sending.historyDays,
            share: sharing.share.isEmpty ? request.campaign.share : sharing.share, format: sharing.format)
        let outcome = try await Output.reportingProblems {
            try await connection.withClient { client, label in
                // The same preparation `send` makes: the same earlier gifts, people left out,
                // batches and total.
                let session = SendSession(client: client, connection: label, options: options, progress: nil)
                switch try await session.prepare(request, forSending: false) {
                case .existing(let run, let ledgerPath):
                    Output.err(try Send.continuing(run, ledgerPath: ledgerPath))
                    return (refused: false, rejected: false)
                case .new(let prepared):
                    let plan = prepared.plan
                    if json {
                        JSONDocument.print(try Output.json(PlanJSON(plan, connection: label)))
                    } else {
                        Output.out(Send.describe(prepared, connection: label, sending: false))
                    }
                    if let out {
                        try Self.write(
                            prepared, to: out, campaign: arguments.campaign.campaign, groupBy: groupBy,
                            share: options.share ?? [], report: report)
                    }
                    return (
                        refused: plan.exceedsMaxSpend || plan.insufficientFunds, rejected: plan.rejectedRowCount > 0
                    )
                }
            }
        }
        if outcome.refused { throw ExitStatus.refused }

        if outcome.rejected { throw ExitStatus.rowsRejected }
    }

    /// Writes the plan for approval, unless it was refused: a plan over its cap or the funds
    /// cannot be approved as it is.
    static func write(
        _ prepared: PreparedRun, to path: String, campaign: String?, groupBy: String?, share: [String],
        report format: ReportFormat
    ) throws {
        let plan = prepared.plan
        guard !(plan.exceedsMaxSpend || plan.insufficientFunds) else {
            Output.err("goody-batch: \(path) was not written: this plan is refused as it is (see above).\n")
            return
        }
        let file = try PlanFile(
            prepared,
            // Without the options about the plan's own files.
            arguments: CommandWords.removing(["--out", "--group-by", "--report"], from: CommandWords.after("plan")),
            workingDirectory: FileManager.default.currentDirectoryPath,
            campaignPath: campaign, now: Today.now())
        // The report is made first: a mistake in --group-by leaves no plan without its report.
        let data = try file.encoded()
        let sha256 = PlanFile.sha256(data)
        let report = ApproverReport(
            prepared, file: file, planPath: path, planSHA256: sha256, groupBy: groupBy, share: share)
        let page = format == .xlsx ? nil : try report.html()
        var reports: [String] = []
        if format != .html {
            try report.writeWorkbook(to: path + ".xlsx")
            reports.append("\(path).xlsx (a workbook)")
        }
        try PlanFile.writeAtomically(data, to: path)
        if let page {
            try PlanFile.writeAtomically(Data(page.utf8), to: path + ".html")
            reports.insert("\(path).html (one page: opens in any browser and prints to PDF)", at: 0)
        }
        Output.err(
            """
            Wrote the plan to \(path) (SHA-256 \(sha256.prefix(12))…) for approval: \(plan.recipientCount) gift\(plan.recipientCount == 1 ? "" : "s"), up to \(Money.dollars(file.approvedCapCents)).
            The approver's report: \(reports.joined(separator: " and ")).
            Once approved, this sends exactly it (and refuses if the file, a setting, a batch or a price changed):
              goody-batch send --plan \(ShellWord.quoted(path)) --approved-by "NAME"

            """)
    }

}
