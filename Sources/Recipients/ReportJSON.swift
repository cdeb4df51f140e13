import GoodyAPI
import Spreadsheet

/// The shape of `validate --json` after the streamed findings: stable keys for tools.
public struct ValidationReportJSON: Encodable {
    struct Column: Encodable {
        var column: String
        var header: String
        var field: String?
    }

    struct FileInfo: Encodable {
        var path: String
        var encoding: String
        var encodingDetail: String
        var hasBOM: Bool
        var delimiter: String
        var headerLine: Int
        var columns: [Column]
        var notes: [String]
        var warnings: [String]
        var skipped: [SkippedLine]
        var skippedCount: Int

        enum CodingKeys: String, CodingKey {
            case path, encoding, delimiter, columns, notes, warnings, skipped
            case encodingDetail = "encoding_detail"
            case hasBOM = "has_bom"
            case headerLine = "header_line"
            case skippedCount = "skipped_count"
        }
    }

    struct Rows: Encodable {
        var total: Int
        var ok: Int
        var withWarnings: Int
        var withErrors: Int

        enum CodingKeys: String, CodingKey {
            case total, ok
            case withWarnings = "with_warnings"
            case withErrors = "with_errors"
        }
    }

    var file: FileInfo
    var sendMethod: String
    var rows: Rows
    var counts: [String: Int]
    var rejectedFile: String?
    /// The default rejected file, left alone because someone edited it.
    var keptEditedRejectedFile: String?

    enum CodingKeys: String, CodingKey {
        case file, rows, counts
        case sendMethod = "send_method"
        case rejectedFile = "rejected_file"
        case keptEditedRejectedFile = "kept_edited_rejected_file"
    }

    public init(_ report: ValidationReport) {
        let mapping = report.mapping
        file = FileInfo(
            path: report.layout.path, encoding: report.encoding.encoding.rawValue,
            encodingDetail: report.encoding.description, hasBOM: report.encoding.hasBOM,
            delimiter: String(report.layout.delimiter.delimiter.character), headerLine: report.layout.headerLine,
            columns: mapping.header.indices.map {
                Column(
                    column: ColumnRef.letter(for: $0), header: mapping.header[$0],
                    field: mapping.field(forColumn: $0)?.rawValue)
            },
            notes: report.notes, warnings: report.fileWarnings, skipped: report.skipped,
            skippedCount: report.skippedCount)
        sendMethod = report.method.rawValue
        rows = Rows(
            total: report.rows, ok: report.rowsOK, withWarnings: report.rowsWithWarnings,
            withErrors: report.rowsWithErrors)
        counts = Dictionary(uniqueKeysWithValues: report.counts.map { ($0.key.rawValue, $0.value) })
        rejectedFile = report.rejectedPath
        keptEditedRejectedFile = report.keptEditedRejected
    }
}
