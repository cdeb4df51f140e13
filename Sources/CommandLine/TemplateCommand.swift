import ArgumentParser
import Foundation
import GoodyAPI
import Recipients
import Spreadsheet
import Workbook

struct Template: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a starter spreadsheet for a send method: the header and one example row.",
        discussion: """
            The example row's address is at example.com, which receives no mail: `validate` \
            refuses it, so it can never be sent by mistake. Replace it with your recipients.

            EXAMPLES
              goody-batch template email_and_link
              goody-batch template direct_send --format xlsx -o gifts.xlsx

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The send method: \(SendMethod.allValueStrings.joined(separator: ", ")).")
    var method: SendMethod

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Where to write it (default: METHOD.csv, or METHOD.xlsx with --format xlsx).", valueName: "path"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "csv, or xlsx for an Excel workbook whose cells are all text (default: from --output's extension, else csv).",
            valueName: "format"))
    var format: TemplateFormat?

    enum TemplateFormat: String, ExpressibleByArgument, CaseIterable { case csv, xlsx }

    @Flag(help: "Replace the file if it exists.")
    var force = false

    func run() throws {
        let format = format ?? (output?.lowercased().hasSuffix(".xlsx") == true ? .xlsx : .csv)
        let path = output ?? method.rawValue + "." + format.rawValue
        if FileManager.default.fileExists(atPath: path) && !force {
            Output.err(
                "goody-batch: \(path) already exists. Add --force to replace it, or choose another name with --output.\n"
            )
            throw ExitStatus.inputProblem
        }
        try Output.reportingInputProblems {
            guard format == .xlsx else { return try StarterSpreadsheet.write(method, to: path) }
            // Every cell text, so a ZIP code or an ID typed into it keeps its zeros.
            let rows = StarterSpreadsheet.rows(for: method)
            let book = try WorkbookWriter(
                path: path, sheetName: "Recipients", header: rows[0], typedTextIsText: true)
            for row in rows.dropFirst() { try book.append(row.map { $0.isEmpty ? .empty : .text($0) }) }
            try book.commit()
        }
        let columns = method.templateFields.map(\.templateHeader).joined(separator: ", ")
        Output.out(
            """
            Wrote \(path) for \(method.rawValue): \(method.summary).
            Columns: \(columns).
            Replace the example row with your recipients, then run:
              goody-batch validate \(ShellWord.quoted(path)) --send-method \(method.rawValue)

            """)
    }
}
