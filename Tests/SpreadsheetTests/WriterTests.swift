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

    @Test func formulasAreNeutralizedWhenAsked() throws {
        let path = fixture.path("safe.csv")
        let writer = try CSVFileWriter(path: path, format: .excel)
        try writer.writeRow([
            "=HYPERLINK(\"http://x\")", "+1", "-2", "@a", "\tx", "plain", "02134", "02134-1234", "0", "0.5",
        ])
        try writer.commit()
        let text = String(decoding: try #require(fixture.read("safe.csv")).dropFirst(3), as: UTF8.self)
        #expect(
            text
                == "\"'=HYPERLINK(\"\"http://x\"\")\",\"'+1\",\"'-2\",\"'@a\",\"'\tx\",\"plain\",\"=\"\"02134\"\"\",\"=\"\"02134-1234\"\"\",\"0\",\"0.5\"\r\n"
        )
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
