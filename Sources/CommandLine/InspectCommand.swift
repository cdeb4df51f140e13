import ArgumentParser
import Recipients

struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show how a spreadsheet is read: encoding, delimiter, header, column mapping, first rows.",
        discussion: """
            With --json, prints every row as a JSON object keyed by its header. Rows that could \
            not be split into columns reliably (a stray quote, too many values) are marked.

            EXAMPLES
              goody-batch inspect employees.csv
              goody-batch inspect export.xlsx --sheet "Team B" --rows 10
              goody-batch inspect export.csv --map first_name="Given Name" --json

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: "The exported spreadsheet (.csv, .txt or .xlsx).")
    var file: String

    @OptionGroup var reading: ReadingOptions

    @Option(help: "How many rows to show.")
    var rows = 5

    @Flag(help: "Print every row as a JSON object keyed by its header.")
    var json = false

    func run() throws {
        let inspection = Inspection(
            InspectRequest(
                path: file, read: reading.readOptions, overrides: try reading.overrides(),
                preferPreferredName: reading.usesPreferredName, rows: rows))
        try Output.reportingInputProblems {
            if json {
                // An array of rows; a problem part-way ends it with one more element, the error.
                var rows = 0
                try inspection.streamJSON { text in
                    if text.hasSuffix("]\n") { return JSONDocument.close(text) }
                    JSONDocument.stream(text, closing: rows == 0 ? "{" : ",\n  {", suffix: "}]")
                    if text != "[" { rows += 1 }
                }
            } else {
                Output.out(try inspection.run().renderText())
            }
        }
    }
}
