import Foundation
import GoodyBatchTestSupport
import Testing

@testable import Spreadsheet

struct WriterTests {
    let fixture = Fixture()

    @Test func writesExcelFriendlyCSVThroughLibcsv() throws {
        let path = fixture.path("out.csv")
        let writer = try CSVFileWriter(path: path)
        try writer.writeRow(["Name", "Note"])
        try writer.writeRow(["Ana \"Ani\" Díaz", "one, two\nthree"])
        try writer.commit()
        let bytes = try #require(fixture.read("out.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text == "\"Name\",\"Note\"\r\n\"Ana \"\"Ani\"\" Díaz\",\"one, two\nthree\"\r\n")
    }

    @Test func whatItWritesReadsBackTheSame() throws {
        let rows = [["First Name", "Note"], ["Zoë", "say \"hi\", then\r\nleave"], ["", "=HYPERLINK(1)"]]
        let path = fixture.path("round.csv")
        let writer = try CSVFileWriter(path: path)
        for row in rows { try writer.writeRow(row) }
        try writer.commit()
        let reader = try SpreadsheetReader(path: path, headerScore: { $0.contains("First Name") ? 2 : 0 })
        var read: [[String]] = []
        _ = try reader.readRecords { record in read.append(record.strings(width: 2)) }
        #expect([reader.layout.header] + read == rows)
    }

    @Test func fileIsPrivateAndAppearsOnlyOnCommit() throws {
        let path = fixture.path("private.csv")
        let writer = try CSVFileWriter(path: path)
        try writer.writeRow(["a"])
        #expect(!fixture.exists("private.csv"))
        try writer.commit()
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(fixture.files() == ["private.csv"])
    }

    @Test func abandonedWriterLeavesNothingBehind() throws {
        do {
            let writer = try CSVFileWriter(path: fixture.path("gone.csv"))
            try writer.writeRow(["a"])
        }
        #expect(fixture.files().isEmpty)
    }

    /// Results are data as well as something to open: values stay raw (`02134`, not
    /// `="02134"`), formulas are neutralised, and the input's delimiter is kept.
    @Test func formulasAreNeutralizedWhenAsked() throws {
        let path = fixture.path("safe.csv")
        let writer = try CSVFileWriter(path: path, format: .results(delimiter: .comma))
        try writer.writeRow([
            "=HYPERLINK(\"http://x\")", "+1", "-2", "@a", "\tx", "plain", "02134", "02134-1234", "0", "0.5",
        ])
        try writer.commit()
        let text = String(decoding: try #require(fixture.read("safe.csv")).dropFirst(3), as: UTF8.self)
        #expect(
            text
                == "\"'=HYPERLINK(\"\"http://x\"\")\",\"'+1\",\"'-2\",\"'@a\",\"'\tx\",\"plain\",\"02134\",\"02134-1234\",\"0\",\"0.5\"\r\n"
        )
    }

    @Test func theInputsDelimiterIsKept() throws {
        let path = fixture.path("semi.csv")
        let writer = try CSVFileWriter(path: path, format: .results(delimiter: .semicolon))
        try writer.writeRow(["Ana", "02134", "a;b"])
        try writer.commit()
        let text = String(decoding: try #require(fixture.read("semi.csv")).dropFirst(3), as: UTF8.self)
        #expect(text == "\"Ana\";\"02134\";\"a;b\"\r\n")
    }

    /// Spreadsheets skip leading whitespace and line breaks, and a combining mark after `=` does
    /// not stop them: the guard decides on the first scalar after the whitespace, in both the
    /// string and the raw-bytes paths.
    @Test(arguments: [
        "\r\n=1+1", "\n=1+1", "=\u{301}cmd", " =1+1", "\u{A0}=1+1", "\u{3000}@SUM(A1)", "\u{FF1D}1+1",
        "\r", "\t-2",
    ])
    func formulasBehindWhitespaceOrMarksAreNeutralized(_ value: String) throws {
        #expect(FormulaGuard.isRisky(value))
        #expect(FormulaGuard.neutralize(value) == "'" + value)
        var bytes = Array(value.utf8)
        #expect(bytes.withUnsafeMutableBytes { FormulaGuard.isRisky(UnsafeRawBufferPointer($0)) })

        let path = fixture.path("guarded.csv")
        let writer = try CSVFileWriter(path: path, format: .guarded)
        try bytes.withUnsafeBufferPointer { pointer in
            try writer.writeRow(count: 1, value: { _ in pointer }, extra: [value])
        }
        try writer.commit()
        let row = try #require(try WrittenCSV.rows(at: path, header: false).first)
        #expect(row == ["'" + value, "'" + value])
    }

    @Test(arguments: ["plain", "Ana-María", "02134", "", " spaced", "日本", "a=b", "e-mail@x.com"])
    func plainValuesAreLeftAlone(_ value: String) {
        #expect(!FormulaGuard.isRisky(value))
        var bytes = Array(value.utf8)
        #expect(!bytes.withUnsafeMutableBytes { FormulaGuard.isRisky(UnsafeRawBufferPointer($0)) })
    }

    @Test func cannotWriteIntoAMissingFolder() {
        #expect(throws: SpreadsheetError.self) { try CSVFileWriter(path: "/no/such/folder/out.csv") }
    }
}

struct JSONTextTests {
    @Test func keepsKeyOrderAndEscapes() {
        let text = JSONText.object([("b", "1"), ("a", "x\"y\n\u{1}"), ("b", "2")])
        #expect(text == #"{"b":"1","a":"x\"y\n\u0001","b (2)":"2"}"#)
    }
}
