import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

@testable import Recipients
@_spi(Testing) @testable import Spreadsheet

/// Duplicates are confirmed on the two rows' own values, read again from the file from the
/// nearest replay point. These tests put the earlier row where reading it again is hardest.
struct DuplicateTests {
    let fixture = Fixture()

    /// Runs `validate` for direct send over the file at `path`, all findings written out.
    private func duplicates(
        _ path: String, mask: UInt64 = .max, read: ReadOptions = ReadOptions()
    ) throws -> (pairs: [[Int]], report: ValidationReport) {
        var options = ValidationOptions(method: .directSend)
        options.duplicateHashMask = mask
        var request = ValidationRequest(path: path, options: options)
        request.read = read
        var findings: [Finding] = []
        let report = try Validation(request).run { findings.append($0) }
        let pairs = findings.filter { $0.code == .duplicateEmail || $0.code == .duplicateAddress }
            .map { [$0.line, $0.relatedLine ?? 0] }
        return (pairs, report)
    }

    /// A row of an export whose values are quoted, with commas and line breaks inside: a read
    /// that stops after one row leaves libcsv inside the next one's quotes.
    private func row(_ index: Int, email: String? = nil) -> String {
        "\"P\(index)\",\"Lee\",\"\(email ?? "p\(index)@acme.example")\",\"\(index) Main St\",\"Apt \(index % 7), Floor \(index % 3)\",\"Boston\",\"MA\",\"02134\",\"note, with \"\"quotes\"\"\nand a second line\"\n"
    }

    private let header = "First Name,Last Name,Email,Street,Unit,City,State,Zip,Note\n"

    /// Every duplicate is found, with its first line, however far back it is and whatever the
    /// reading stopped in before; with narrowed hashes, no agreement alone makes one.
    @Test(arguments: [UInt64.max, 0b111])
    func duplicatesAreConfirmedAfterQuotedValuesWithLineBreaks(_ mask: UInt64) throws {
        var text = header
        var expected: [[Int]] = []
        // Each row takes two physical lines; row n starts on line 2n.
        for index in 1...3000 {
            if index % 500 == 0 {
                // The email of a row far back (its line: 2 * earlier).
                let earlier = index - 401 - index / 10
                text += row(index, email: "P\(earlier)@ACME.example")
                expected.append([2 * index, 2 * earlier])
            } else {
                text += row(index)
            }
        }
        let path = fixture.write("quoted.csv", text)
        let (pairs, report) = try duplicates(path, mask: mask)
        #expect(pairs == expected)
        #expect(report.rowsWithErrors == expected.count)
    }

    /// Excel for Mac ends lines with CR alone, Windows with CR LF: the replay points fall
    /// after either, and the lines named are the file's.
    @Test(arguments: ["\r", "\r\n"])
    func duplicatesAreFoundWithEveryLineEnding(_ lineEnd: String) throws {
        var lines = ["First Name,Last Name,Email,Street,City,State,Zip"]
        for index in 1...2000 { lines.append("P\(index),Lee,p\(index)@acme.example,\(index) Main St,Boston,MA,02134") }
        lines.append("Again,Lee,p17@acme.example,1 Elm St,Boston,MA,02134")  // line 2002: line 18's email
        lines.append("P1500,LEE,new@acme.example,1500 main st,Boston,MA,02134")  // line 2003: line 1501's person
        let path = fixture.write("mac.csv", lines.joined(separator: lineEnd) + lineEnd)
        let (pairs, _) = try duplicates(path, mask: 0b11)
        #expect(pairs == [[2002, 18], [2003, 1501]])
    }

    /// A UTF-16 export (Excel's "Unicode Text") is read through a UTF-8 copy, which the
    /// duplicate check reads again too.
    @Test func duplicatesAreFoundInUTF16() throws {
        var text = "First Name\tLast Name\tEmail\tStreet\tCity\tState\tZip\n"
        for index in 1...1500 {
            text += "Zoë\(index)\tLee\tp\(index)@acme.example\t\(index) Main St\tBoston\tMA\t02134\n"
        }
        text += "Zoë9\tLee\tother@acme.example\t9 Main St\tBoston\tMA\t02134\n"  // line 1502: line 10's person
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let path = fixture.path("unicode.txt")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (pairs, report) = try duplicates(path, mask: 0b11)
        #expect(report.encoding.encoding == .utf16LE)
        #expect(pairs == [[1502, 10]])
    }

    /// In a workbook the lines are the sheet's rows, even after cells with line breaks and rows
    /// Excel left out.
    @Test func duplicatesInAWorkbookNameTheSheetRows() throws {
        var rows: [(Int, [WorkbookFixture.Cell])] = [
            (1, ["First Name", "Last Name", "Email", "Street", "City", "State", "Zip"])
        ]
        for index in 1...300 {
            let street: WorkbookFixture.Cell = index == 5 ? "5 Main St\nBuilding B" : .text("\(index) Main St")
            // Row numbers skip one after row 100, as when Excel leaves an empty row out.
            let cells: [WorkbookFixture.Cell] = [
                .text("P\(index)"), "Lee", .text("p\(index)@acme.example"), street, "Boston", "MA", "02134",
            ]
            rows.append((index < 100 ? index + 1 : index + 2, cells))
        }
        rows.append((400, ["Again", "Lee", "P7@acme.example", "1 Elm St", "Boston", "MA", "02134"]))
        let path = fixture.path("team.xlsx")
        try WorkbookFixture.write(path, sheets: [(name: "Team", rows: rows)])
        let (pairs, _) = try duplicates(path, mask: 0b11)
        #expect(pairs == [[400, 8]])
    }

    /// Rows checked on the reading thread (every other batch here) give the report the checking
    /// thread alone gives: the same findings, and the same first examples of each kind.
    @Test func rowsCheckedOnEitherThreadGiveTheSameReport() throws {
        var lines = ["First Name,Last Name,Email,Street,City,State,Zip"]
        for index in 1...10_000 {
            // A state written out every 20th row (500 warnings, past the 200 kept), a bad ZIP
            // every 700th, and a repeated email every 900th.
            let state = index % 20 == 0 ? "Massachusetts" : "MA"
            let zip = index % 700 == 0 ? "ABCDE" : "02134"
            let email = index % 900 == 0 ? "p\(index - 850)@acme.example" : "p\(index)@acme.example"
            lines.append("P\(index),Lee,\(email),\(index) Main St,Boston,\(state),\(zip)")
        }
        let path = fixture.write("big.csv", lines.joined(separator: "\n") + "\n")
        var alone = ReadOptions()
        alone.pipelineThreshold = .max
        var shared = ReadOptions()
        shared.pipelineThreshold = 0
        shared.preparesEveryOtherBatch = true

        var options = ValidationOptions(method: .directSend)
        options.duplicateHashMask = .max
        func run(_ read: ReadOptions) throws -> (ValidationReport, [UInt8]) {
            var request = ValidationRequest(path: path, options: options)
            request.read = read
            let report = try Validation(request).run()
            return (report, Array(try Data(contentsOf: URL(fileURLWithPath: fixture.path("big.rejected.csv")))))
        }
        let (expected, expectedRejected) = try run(alone)
        let (report, rejected) = try run(shared)
        #expect(report.counts == expected.counts)
        #expect(
            report.rowsWithErrors == expected.rowsWithErrors && report.rowsWithWarnings == expected.rowsWithWarnings)
        #expect(rejected == expectedRejected)
        let states = try #require(report.examples[.stateNormalized])
        #expect(states.map(\.line) == (1...200).map { $0 * 20 + 1 })
        #expect(states == expected.examples[.stateNormalized])
        #expect(report.examples[.duplicateEmail]?.map(\.line) == (1...11).map { $0 * 900 + 1 })
    }

    /// The file changes while it is checked (cut short here, after the first rows were
    /// reported): a duplicate cannot be confirmed on rows that are gone, so the run stops and
    /// says so instead of passing the row.
    @Test func aFileChangedWhileItIsCheckedStopsWithAMessage() throws {
        var lines = ["First Name,Last Name,Email,Street,City,State,Zip"]
        lines.append("Ana,Lee,ana@acme.example,1 Main St,Boston,Massachusetts,02134")  // line 2: a warning
        for index in 3...5000 { lines.append("P\(index),Lee,p\(index)@acme.example,\(index) Main St,Boston,MA,02134") }
        lines.append("Again,Lee,p3@acme.example,3 Elm St,Boston,MA,02134")  // line 5001: line 3's email
        let path = fixture.write("team.csv", lines.joined(separator: "\n") + "\n")
        var truncated = false
        let error = #expect(throws: InputError.self) {
            try Validation(ValidationRequest(path: path, options: ValidationOptions(method: .directSend))).run { _ in
                // Findings come batch by batch: the first one's batch is long past line 5001's.
                if !truncated { truncated = truncate(path, 60) == 0 }
            }
        }
        #expect(truncated)
        #expect(error?.message.contains("changed or could not be read again") == true)
    }
}
