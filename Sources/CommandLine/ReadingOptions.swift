public import ArgumentParser
public import GoodyAPI
import Planning
import Recipients
import Spreadsheet

/// How to read the input file; everything is detected unless given.
struct ReadingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The file's text encoding: utf-8, utf-16le, utf-16be or windows-1252 (detected if omitted).",
            valueName: "name"))
    var encoding: String?

    @Option(
        help: ArgumentHelp(
            "The value separator: comma, semicolon, tab or pipe (detected if omitted).", valueName: "name"))
    var delimiter: String?

    @Option(
        help: ArgumentHelp("The line (a workbook's row) holding the column names (found if omitted).", valueName: "n"))
    var headerLine: Int?

    @Option(help: ArgumentHelp("For an .xlsx workbook: the sheet to read (default: the first).", valueName: "name"))
    var sheet: String?

    @Option(
        name: .customLong("map"),
        help: ArgumentHelp(
            "Read a field from a column: --map email=\"Work Email\". Repeat for more; --map phone= ignores a column. Fields: \(RecipientField.allCases.map(\.rawValue).joined(separator: ", ")).",
            valueName: "field=header"))
    var mappings: [String] = []

    @Flag(
        help:
            "Greet people by their legal first name even where a Preferred Name column is filled (by default the preferred name is used: its first word when it carries the last name, as in \"Kim Allen\")."
    )
    var legalName = false

    /// Kept so that commands written before preferred names became the default still run.
    @Flag(help: .hidden)
    var preferredName = false

    /// Whether first names come from a filled preferred-name column.
    var usesPreferredName: Bool { !legalName }

    func validate() throws {
        if let encoding, TextEncoding(userName: encoding) == nil {
            throw ValidationError("Unknown --encoding \"\(encoding)\". Use utf-8, utf-16le, utf-16be or windows-1252.")
        }
        if let delimiter, Delimiter(userName: delimiter) == nil {
            throw ValidationError("Unknown --delimiter \"\(delimiter)\". Use comma, semicolon, tab or pipe.")
        }
        if let headerLine, headerLine < 1 {
            throw ValidationError("--header-line counts from 1.")
        }
        _ = try overrides()
    }

    var readOptions: ReadOptions {
        ReadOptions(
            encoding: encoding.flatMap(TextEncoding.init(userName:)),
            delimiter: delimiter.flatMap(Delimiter.init(userName:)),
            headerLine: headerLine, sheet: sheet)
    }

    func overrides() throws -> [RecipientField: String] {
        var result: [RecipientField: String] = [:]
        for mapping in mappings {
            guard let equals = mapping.firstIndex(of: "=") else {
                throw ValidationError("--map takes field=header, as in --map email=\"Work Email\"; got \"\(mapping)\".")
            }
            let name = String(mapping[..<equals])
            guard let field = RecipientField(userName: name) else {
                throw ValidationError(
                    "--map: unknown field \"\(name)\". Fields: \(RecipientField.allCases.map(\.rawValue).joined(separator: ", "))."
                )
            }
            result[field] = String(mapping[mapping.index(after: equals)...])
        }
        return result
    }

    /// `columns:` from the campaign file, then `--map`, which wins.
    func overrides(campaign settings: CampaignSettings) throws -> [RecipientField: String] {
        var result: [RecipientField: String] = [:]
        for (name, header) in settings.columns ?? [:] {
            // Field names were checked when the campaign file was read.
            if let field = RecipientField(userName: name) { result[field] = header }
        }
        return result.merging(try overrides()) { $1 }
    }
}

extension SendMethod: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// Where the rows that cannot be sent are written, for `validate`, `plan` and `send`.
struct RejectedOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Where to write the rejected rows (default: FILE.rejected.csv beside the input; a copy you edited is never written over).",
            valueName: "path"))
    var rejected: String?

    @Flag(help: "Do not write a rejected-rows file.")
    var noRejected = false

    func validate() throws {
        if rejected != nil && noRejected { throw ValidationError("Give either --rejected or --no-rejected, not both.") }
    }

    /// For `ValidationRequest.rejectedPath`: nil for the default, "" for none.
    var path: String? { noRejected ? "" : rejected }
}
