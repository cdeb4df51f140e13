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

            \(ExitStatus.seeRoot)
            """)

    @OptionGroup var arguments: PlanArguments
    @OptionGroup var connection: ConnectionOptions
    /// `send`'s own options, accepted so a `send` line previews as it is (--json prints the plan).
    @OptionGroup var sending: SendingOptions

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
                    return (
                        refused: plan.exceedsMaxSpend || plan.insufficientFunds, rejected: plan.rejectedRowCount > 0
                    )
                }
            }
        }
        if outcome.refused { throw ExitStatus.refused }
        if outcome.rejected { throw ExitStatus.rowsRejected }
    }
}
