import ArgumentParser
import Foundation
import GoodyAPI
import Planning
import Recipients

struct Plan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the order batches a spreadsheet becomes and what they will cost. Creates nothing.",
        discussion: """
            Validates the file, groups the recipients into batches by everything Goody sets per \
            batch (product, message, sender, card, send date, expiry, swap), and asks Goody to price \
            each batch. With no API key it runs against the built-in emulator, labelled SIMULATED.

            \(ExitStatus.help)
            """)

    @OptionGroup var arguments: PlanArguments
    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print the plan as JSON.")
    var json = false

    func run() async throws {
        let request = try arguments.request()
        let json = json
        let outcome = try await Output.reportingProblems {
            try await connection.withClient { client, label in
                let plan = try await Planner(client: client).plan(request)
                Output.out(
                    json
                        ? (try Output.json(PlanJSON(plan, connection: label))) + "\n"
                        : plan.renderText(connection: label))
                return (refused: plan.exceedsMaxSpend || plan.insufficientFunds, rejected: plan.rejectedRowCount > 0)
            }
        }
        if outcome.refused { throw ExitStatus.refused }
        if outcome.rejected { throw ExitStatus.rowsRejected }
    }
}
