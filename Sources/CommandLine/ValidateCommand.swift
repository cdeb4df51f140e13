import ArgumentParser
import GoodyAPI
import Planning
import Recipients

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every row against the rules of a send method, before anything is sent.",
        discussion: """
            Prints a summary, then each finding with its line, column, value, reason and fix. Rows \
            with errors are written to FILE.rejected.csv (the original columns plus an "error" \
            column) so they can be fixed and checked again.

            EXAMPLES
              goody-batch validate employees.csv --send-method email_and_link
              goody-batch validate employees.csv --campaign campaign.yaml
              goody-batch validate workday.xlsx --send-method direct_send --sheet Team
              goody-batch validate employees.rejected.csv --send-method email_and_link
              goody-batch validate payroll.csv --send-method direct_send \\
                  --map full_name="Employee"

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The exported spreadsheet (.csv, .txt or .xlsx).")
    var file: String

    @Option(
        help:
            "How the gifts will be sent: \(SendMethod.allValueStrings.joined(separator: ", ")) (default: the campaign file's send_method)."
    )
    var sendMethod: SendMethod?

    @Option(
        help: ArgumentHelp(
            "Check the file as this campaign (YAML) would send it: its send_method and columns.",
            valueName: "path"))
    var campaign: String?

    @OptionGroup var reading: ReadingOptions

    @Flag(help: "Print the findings and the summary as JSON.")
    var json = false

    @OptionGroup var rejected: RejectedOptions

    @Flag(help: "Allow two rows with the same email, or the same name and address.")
    var allowDuplicates = false

    @Option(help: "How many errors to list (all are in the rejected file and in --json).")
    var limit = 50

    @Flag(help: "List every finding in full, warnings included (up to \(ValidationReport.examplesKept) of each kind).")
    var all = false

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit cannot be negative.") }
        if sendMethod == nil && campaign == nil {
            throw ValidationError(
                "Say how the gifts will be sent: --send-method \(SendMethod.allValueStrings.joined(separator: "|")), or --campaign FILE with send_method: in it."
            )
        }
    }

    func run() throws {
        let settings = try Output.reportingInputProblems {
            try campaign.map { try CampaignSettings.load(path: $0) } ?? CampaignSettings()
        }
        guard let method = sendMethod ?? settings.sendMethod else {
            Output.err(
                "goody-batch: \(campaign ?? "the campaign file") has no send_method:. Add one (send_method: email_and_link), or give --send-method.\n"
            )
            throw ExitStatus.inputProblem
        }
        let validation = Validation(
            ValidationRequest(
                path: file, read: reading.readOptions,
                options: ValidationOptions(method: method, allowDuplicates: allowDuplicates),
                overrides: try Output.reportingInputProblems { try reading.overrides(campaign: settings) },
                preferPreferredName: reading.usesPreferredName, rejectedPath: rejected.path))
        let report = try Output.reportingInputProblems {
            if json {
                var first = true
                JSONDocument.stream("{\"findings\":[", closing: "\n],", suffix: "}")
                let report = try validation.run { finding in
                    Output.out((first ? "\n" : ",\n") + ((try? Output.json(finding)) ?? "{}"))
                    first = false
                }
                JSONDocument.close("\n],\"report\":" + (try Output.json(ValidationReportJSON(report))) + "}\n")
                return report
            }
            let report = try validation.run()
            Output.out(
                all
                    ? report.renderText(errorLimit: .max, warningExamples: .max, warningsInFull: true)
                    : report.renderText(errorLimit: limit, warningExamples: 5))
            return report
        }
        if report.rowsWithErrors > 0 { throw ExitStatus.rowsRejected }
    }
}
