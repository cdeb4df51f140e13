import Foundation
public import Spreadsheet

/// What `inspect` is asked to show.
public struct InspectRequest: Sendable {
    public var path: String
    public var read: ReadOptions
    public var overrides: [RecipientField: String]
    public var preferPreferredName: Bool
    /// How many data rows to show.
    public var rows: Int

    public init(
        path: String, read: ReadOptions = ReadOptions(), overrides: [RecipientField: String] = [:],
        preferPreferredName: Bool = false, rows: Int = 5
    ) {
        self.path = path
        self.read = read
        self.overrides = overrides
        self.preferPreferredName = preferPreferredName
        self.rows = rows
    }
}

/// How a file is laid out and how its columns map, with its first rows.
public struct InspectReport: Sendable {
    public var layout: SpreadsheetLayout
    /// nil when the header cannot be mapped; `mappingProblem` says why.
    public var mapping: ColumnMapping?
    public var mappingProblem: String?
    /// Each row shown, with what is wrong with its shape when it could not be split reliably.
    public var rows: [(line: Int, values: [String], problem: String?)]
    public var encoding: EncodingReport
}

/// Shows how goody-batch reads a file, before anything is judged.
public struct Inspection {
    public let request: InspectRequest

    public init(_ request: InspectRequest) { self.request = request }

    private func openReader() throws -> SpreadsheetReader {
        try SpreadsheetReader(path: request.path, options: request.read, headerScore: Validation.headerScore)
    }

    /// The layout, the mapping and the first `request.rows` rows.
    public func run() throws -> InspectReport {
        let reader = try openReader()
        let layout = reader.layout
        var mapping: ColumnMapping?
        var problem: String?
        do {
            mapping = try ColumnMapping(
                header: layout.header, overrides: request.overrides, preferPreferredName: request.preferPreferredName)
        } catch {
            problem = error.message(path: request.path, headerLine: layout.headerLine)
        }
        var rows: [(line: Int, values: [String], problem: String?)] = []
        let summary = try reader.readRecords(limit: request.rows) { record in
            rows.append((record.line, record.strings(width: layout.header.count), Self.describe(record.problem)))
        }
        return InspectReport(
            layout: layout, mapping: mapping, mappingProblem: problem, rows: rows, encoding: summary.encoding)
    }

    /// Every row as a JSON object keyed by its header, in a JSON array, written piece by piece.
    public func streamJSON(_ write: (String) -> Void) throws {
        let reader = try openReader()
        let header = reader.layout.header
        var first = true
        write("[")
        _ = try reader.readRecords { record in
            var pairs = header.indices.map { (key: header[$0], value: record.string(at: $0)) }
            if let problem = Self.describe(record.problem) {
                pairs.append((key: "goody_batch_problem", value: problem))
            }
            write((first ? "\n  " : ",\n  ") + JSONText.object(pairs))
            first = false
        }
        write(first ? "]\n" : "\n]\n")
    }

    /// "not split reliably: …", for a row whose shape is wrong; nil for a sound row.
    static func describe(_ problem: RecordProblem?) -> String? {
        switch problem {
        case nil: nil
        case .strayQuote(let column, let rest)?:
            "not split reliably: a stray quotation mark in column \(ColumnRef.letter(for: column)); from there the line reads \"\(rest)\""
        case .tooManyValues(let found, let expected)?:
            "not split reliably: \(found) values, but the header has \(expected) columns"
        case .tooFewValues(let found, let expected)?:
            "not split reliably: \(found) values, but the header has \(expected) columns"
        }
    }

}
