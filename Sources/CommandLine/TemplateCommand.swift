import ArgumentParser
import Foundation
import GoodyAPI
import Recipients

struct Template: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter spreadsheet for a send method: the header and one example row.")

    @Argument(help: "The send method: \(SendMethod.allValueStrings.joined(separator: ", ")).")
    var method: SendMethod

    @Option(name: .shortAndLong, help: ArgumentHelp("Where to write it (default: METHOD.csv here).", valueName: "path"))
    var output: String?

    @Flag(help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        let path = output ?? StarterSpreadsheet.fileName(for: method)
        if FileManager.default.fileExists(atPath: path) && !force {
            Output.err(
                "goody-batch: \(path) already exists. Add --force to replace it, or choose another name with --output.\n"
            )
            throw ExitStatus.inputProblem
        }
        try Output.reportingInputProblems { try StarterSpreadsheet.write(method, to: path) }
        let columns = method.templateFields.map(\.templateHeader).joined(separator: ", ")
        Output.out(
            """
            Wrote \(path) for \(method.rawValue): \(method.summary).
            Columns: \(columns).
            Replace the example row with your recipients, then run:
              goody-batch validate \(path) --send-method \(method.rawValue)

            """)
    }
}
