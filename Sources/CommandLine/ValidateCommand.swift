import ArgumentParser
import GoodyAPI
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
              goody-batch validate workday.xlsx --send-method direct_send --sheet Team
              goody-batch validate employees.rejected.csv --send-method email_and_link
              goody-batch validate payroll.csv --send-method direct_send \\
                  --map full_name="Employee"

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The exported spreadsheet (.csv, .txt or .xlsx).")
    var file: String

    @Option(help: "How the gifts will be sent: \(SendMethod.allValueStrings.joined(separator: ", ")).")
    var sendMethod: SendMethod

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
    }

    func run() throws {
        let validation = Validation(
            ValidationRequest(
                path: file, read: reading.readOptions,
                options: ValidationOptions(method: sendMethod, allowDuplicates: allowDuplicates),
                overrides: try reading.overrides(), preferPreferredName: reading.preferredName,
                rejectedPath: rejected.path))
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
