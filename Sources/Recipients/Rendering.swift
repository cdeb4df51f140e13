import GoodyAPI
import Spreadsheet

/// Text for people: the layout of a file, the mapping of its columns, and findings.
public enum Rendering {
    /// "File / Encoding / Delimiter / Header" lines shared by `inspect` and `validate`.
    static func layoutLines(_ layout: SpreadsheetLayout, encoding: EncodingReport) -> [String] {
        var lines = ["File       \(layout.path)"]
        if let sheet = layout.sheet {
            // A workbook: its cells are read as text; lines are the sheet's rows.
            let all = layout.sheets.map { "\"\($0)\"" }.joined(separator: ", ")
            let position = (layout.sheets.firstIndex(of: sheet) ?? 0) + 1
            lines.append(
                "Sheet      \"\(sheet)\" (\(position) of \(layout.sheets.count): \(all); --sheet chooses); lines are its rows"
            )
        } else {
            lines += ["Encoding   \(encoding.description)", "Delimiter  \(layout.delimiter.description)"]
        }
        var header = "Header     line \(layout.headerLine)"
        let above = layout.aboveHeader.filter { $0.reason == .aboveHeader }
        if !above.isEmpty {
            let titles = above.map { "line \($0.line) \"\(shorten($0.text, 40))\"" }.joined(separator: ", ")
            header += "; skipped above it: \(titles)"
        }
        lines.append(header)
        for warning in layout.warnings { lines.append("           ⚠ \(warning)") }
        return lines
    }

    /// One line per column: letter, header, and the field it holds.
    static func mappingLines(_ mapping: ColumnMapping) -> [String] {
        let width = min(28, mapping.header.map(\.count).max() ?? 0)
        var lines = ["Columns"]
        for (index, name) in mapping.header.enumerated() {
            let letter = ColumnRef.letter(for: index).padding(3)
            let shown = shorten(name.isEmpty ? "(no name)" : name, 28).padding(width)
            let field = mapping.field(forColumn: index).map { "→ \($0.rawValue)" } ?? "  kept as is"
            lines.append("  \(letter)\(shown)  \(field)")
        }
        for note in mapping.notes { lines.append("  Note: \(note)") }
        return lines
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        let flat = text.replacing("\n", with: "⏎").replacing("\r", with: "")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    /// A finding as two or three lines: where and why, the value, and the fix.
    static func findingLines(_ finding: Finding) -> [String] {
        let place = "line \(finding.line)" + (finding.column.map { ", \($0.description)" } ?? "")
        return [
            "  \(place): \(finding.message)",
            "      value: \(finding.value.isEmpty ? "(empty)" : shorten(finding.value, 80))",
            "      fix:   \(finding.fix)",
        ]
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}

extension InspectReport {
    /// What `inspect` prints.
    public func renderText() -> String {
        var lines = Rendering.layoutLines(layout, encoding: encoding)
        if let mapping {
            lines += Rendering.mappingLines(mapping)
        } else if let mappingProblem {
            lines.append("Columns    cannot be mapped: \(mappingProblem)")
        }
        lines.append("")
        if rows.isEmpty {
            lines.append("No data rows below the header.")
        } else {
            lines.append("First \(rows.count) row\(rows.count == 1 ? "" : "s")")
            for row in rows {
                lines.append("  line \(row.line)" + (row.problem.map { "  ⚠ \($0)" } ?? ""))
                for (index, value) in row.values.enumerated() where !value.isEmpty {
                    let name = index < layout.header.count ? layout.header[index] : ColumnRef.letter(for: index)
                    lines.append("    \(Rendering.shorten(name, 24)): \(Rendering.shorten(value, 60))")
                }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ValidationReport {
    /// What `validate` prints: the layout, a summary, then the findings.
    /// - Parameter errorLimit: how many errors to list; warnings show this many examples per kind at most.
    public func renderText(errorLimit: Int, warningExamples: Int, warningsInFull: Bool = false) -> String {
        var lines = Rendering.layoutLines(layout, encoding: encoding)
        lines += Rendering.mappingLines(mapping)
        for note in notes where !mapping.notes.contains(note) { lines.append("  Note: \(note)") }
        for warning in fileWarnings { lines.append("  ⚠ \(warning)") }
        lines.append("")
        lines.append("Send method \(method.rawValue): \(method.summary)")
        lines.append(
            "Rows       \(rows) read: \(rowsOK) OK, \(rowsWithWarnings) with warnings only, \(rowsWithErrors) with errors"
        )
        if skippedCount > 0 {
            let shown = skipped.prefix(5).map { line in
                line.reason == .blank
                    ? "line \(line.line) (blank)"
                    : "line \(line.line) (\(line.reason.rawValue): \"\(Rendering.shorten(line.text, 30))\")"
            }
            let more = skippedCount > shown.count ? " and \(skippedCount - shown.count) more" : ""
            lines.append("Skipped    \(shown.joined(separator: ", "))\(more)")
        }

        let errorKinds = counts.keys.filter { $0.severity == .error }.sorted { $0.rawValue < $1.rawValue }
        if !errorKinds.isEmpty {
            lines.append("")
            lines.append("Errors: \(rowsWithErrors) row\(rowsWithErrors == 1 ? "" : "s") will not be sent")
            let all = errorKinds.flatMap { examples[$0] ?? [] }.sorted {
                ($0.line, $0.column?.index ?? -1) < ($1.line, $1.column?.index ?? -1)
            }
            for finding in all.prefix(errorLimit) { lines += Rendering.findingLines(finding) }
            let total = errorCount
            if total > min(errorLimit, all.count) {
                lines.append(
                    "  … \(total - min(errorLimit, all.count)) more errors (--limit N shows more; --json lists all)")
            }
        }
        let warningKinds = counts.keys.filter { $0.severity == .warning }.sorted { counts[$0] ?? 0 > counts[$1] ?? 0 }
        if !warningKinds.isEmpty {
            lines.append("")
            lines.append("Warnings: these rows will be sent as repaired; check the repairs")
            for kind in warningKinds {
                let count = counts[kind] ?? 0
                lines.append("  \(kind.title): \(count) row\(count == 1 ? "" : "s")")
                for finding in (examples[kind] ?? []).prefix(warningExamples) {
                    if warningsInFull {
                        lines += Rendering.findingLines(finding).map { "  " + $0 }
                    } else {
                        let place = "line \(finding.line)" + (finding.column.map { ", \($0.description)" } ?? "")
                        lines.append("    \(place): \(finding.message)")
                    }
                }
                let shown = min(warningExamples, examples[kind]?.count ?? 0)
                if count > shown {
                    lines.append(
                        "    … and \(count - shown) more (--all lists up to \(Self.examplesKept) of each kind; --json lists every one)"
                    )
                }
            }
        }
        lines.append("")
        if let rejectedPath {
            if let keptEditedRejected {
                lines.append(
                    "\(keptEditedRejected) was changed after goody-batch wrote it (your fixes?), so it was left as it is."
                )
            }
            lines.append("Rejected rows were written to \(rejectedPath), with an \"error\" column saying what to fix.")
            lines.append("Fix them there, then check them again:")
            lines.append("  goody-batch validate \(ShellWord.quoted(rejectedPath)) --send-method \(method.rawValue)")
        } else if rows == 0 {
            lines.append("The file has no data rows below the header.")
        } else if rowsWithErrors > 0 {
            lines.append(
                "\(rowsWithErrors) row\(rowsWithErrors == 1 ? "" : "s") will not be sent until fixed (no rejected-rows file was written)."
            )
        } else {
            lines.append("Every row can be sent.")
        }
        if let removedStaleRejected {
            lines.append("(Removed \(removedStaleRejected) from an earlier run: no row fails now.)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
