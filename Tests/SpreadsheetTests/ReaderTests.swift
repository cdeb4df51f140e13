import Foundation
import GoodyBatchTestSupport
import Testing

@_spi(Testing) @testable import Spreadsheet

/// A row as the reader delivered it, copied out for assertions.
struct Row: Equatable, CustomStringConvertible {
    var line: Int
    var values: [String]
    var problem: RecordProblem?
    var flags: [FieldFlags] = []

    var description: String { "line \(line): \(values) \(problem.map { "\($0)" } ?? "")" }
}

struct ReadResult {
    var reader: SpreadsheetReader
    var rows: [Row]
    var summary: ReadSummary
}

/// A header score like the recipients module's: the number of cells that are known names.
func knownNames(_ cells: [String]) -> Int {
    cells.filter { ["first name", "last name", "email", "city", "zip", "name"].contains($0.lowercased()) }.count
}

func read(_ path: String, _ options: ReadOptions = ReadOptions()) throws -> ReadResult {
    let reader = try SpreadsheetReader(path: path, options: options, headerScore: knownNames)
    var rows: [Row] = []
    let summary = try reader.readRecords { record in
        rows.append(
            Row(
                line: record.line, values: (0..<record.count).map { record.string(at: $0) }, problem: record.problem,
                flags: (0..<record.count).map { record.flags(at: $0).intersection(.problems) }))
    }
    return ReadResult(reader: reader, rows: rows, summary: summary)
}

func values(_ result: ReadResult) -> [[String]] { result.rows.map(\.values) }
func lines(_ result: ReadResult) -> [Int] { result.rows.map(\.line) }

struct EncodingTests {
    let fixture = Fixture()
    let text = "First Name,Last Name\nJosé,Müller\nZoë,Ñúñez\n"

    @Test func utf8WithoutBOM() throws {
        let result = try read(fixture.write("a.csv", text))
        #expect(result.reader.layout.encoding.encoding == .utf8)
        #expect(result.reader.layout.encoding.hasBOM == false)
        #expect(values(result) == [["José", "Müller"], ["Zoë", "Ñúñez"]])
    }

    @Test func utf8WithBOMKeepsTheFirstHeaderClean() throws {
        let result = try read(fixture.write("a.csv", text, bom: true))
        #expect(result.reader.layout.encoding.hasBOM)
        #expect(result.reader.layout.header == ["First Name", "Last Name"])
        #expect(values(result) == [["José", "Müller"], ["Zoë", "Ñúñez"]])
    }

    @Test(arguments: [false, true])
    func utf16WithBOMExcelUnicodeText(bigEndian: Bool) throws {
        let path = fixture.writeUTF16(
            "u.txt", "First Name\tLast Name\r\nJosé\tMüller\r\n😀Zoë\tÑúñez\r\n", bigEndian: bigEndian)
        let result = try read(path)
        #expect(result.reader.layout.encoding.encoding == (bigEndian ? .utf16BE : .utf16LE))
        #expect(result.reader.layout.delimiter.delimiter == .tab)
        #expect(values(result) == [["José", "Müller"], ["😀Zoë", "Ñúñez"]])
        #expect(lines(result) == [2, 3])
    }

    @Test func utf16WithoutBOMIsRecognisedByItsNULs() throws {
        let path = fixture.writeUTF16("u.txt", "First Name\tLast Name\r\nAna\tDiaz\r\n", bom: false)
        let result = try read(path)
        #expect(result.reader.layout.encoding.encoding == .utf16LE)
        #expect(values(result) == [["Ana", "Diaz"]])
    }

    @Test func windows1252IsDetectedAndSaid() throws {
        let path = fixture.writeWindows1252("w.csv", "First Name,Last Name\nAna,Diaz\nJosé,Müller – “Jr”\n")
        let result = try read(path)
        #expect(result.summary.encoding.encoding == .windows1252)
        #expect(result.summary.encoding.decidedAtLine == 3)
        #expect(result.summary.encoding.description.contains("not valid UTF-8"))
        #expect(values(result) == [["Ana", "Diaz"], ["José", "Müller – “Jr”"]])
    }

    @Test func windows1252FoundAfterTheHeadSwitchesWithoutChangingEarlierRows() throws {
        var text = "First Name,Last Name\n"
        for index in 0..<5000 { text += "Person\(index),Plain\n" }
        var bytes = Array(text.utf8)
        bytes += [0x4A, 0x6F, 0x73, 0xE9, 0x2C, 0x4C, 0x61, 0x73, 0x74, 0x0A]  // "José,Last" in Windows-1252
        let result = try read(fixture.write("late.csv", bytes: bytes))
        #expect(result.reader.layout.encoding.decidedAtLine == nil)
        #expect(result.summary.encoding.encoding == .windows1252)
        #expect(result.summary.encoding.decidedAtLine == 5002)
        #expect(result.rows.last?.values == ["José", "Last"])
        #expect(result.rows.count == 5001)
    }

    @Test func aStrayWindows1252ValueInAUTF8FileIsFlaggedOnItsRow() throws {
        var bytes = Array("First Name,Last Name\nZoë,Ok\n".utf8)
        bytes += [0x52, 0x65, 0x6E, 0xE9, 0x65, 0x2C, 0x44, 0x0A]  // "Renée,D" in Windows-1252
        let result = try read(fixture.write("mixed.csv", bytes: bytes))
        #expect(result.summary.encoding.encoding == .utf8)
        #expect(result.rows[1].values == ["Renée", "D"])
        #expect(result.rows[1].flags[0] == .readAsWindows1252)
        #expect(result.rows[0].flags == [[], []])
    }

    @Test func encodingOverrideWins() throws {
        let path = fixture.write("a.csv", "First Name,Last Name\nJosé,X\n")
        let result = try read(path, ReadOptions(encoding: .windows1252))
        #expect(result.reader.layout.encoding.givenByUser)
        #expect(values(result) == [["JosÃ©", "X"]])
    }

    @Test func requiredUTF8FlagsInvalidBytes() throws {
        let path = fixture.write("a.csv", bytes: Array("First Name,Last Name\n".utf8) + [0x41, 0xE9, 0x2C, 0x42, 0x0A])
        let result = try read(path, ReadOptions(encoding: .utf8))
        #expect(result.rows[0].flags[0] == .invalidUTF8)
    }

    @Test func nulBytesAreFlaggedOnTheirValue() throws {
        let path = fixture.write(
            "nul.csv", bytes: Array("First Name,Last Name\nAna,Di".utf8) + [0] + Array("az\n".utf8))
        let result = try read(path)
        #expect(result.rows[0].flags[1] == .containsNUL)
        #expect(result.rows[0].flags[0] == [])
    }
}

struct DelimiterTests {
    let fixture = Fixture()

    @Test(arguments: [(",", Delimiter.comma), (";", .semicolon), ("\t", .tab), ("|", .pipe)])
    func detectsEachDelimiter(separator: String, expected: Delimiter) throws {
        let text =
            ["First Name", "Last Name", "City"].joined(separator: separator) + "\n"
            + ["Ana", "Diaz, Jr", "Boston"].joined(separator: separator) + "\n"
            + ["Ben", "Ode", "Austin"].joined(separator: separator) + "\n"
        let quoted = separator == "," ? text.replacing("Diaz, Jr", with: "\"Diaz, Jr\"") : text
        let result = try read(fixture.write("d.csv", quoted))
        #expect(result.reader.layout.delimiter.delimiter == expected)
        #expect(values(result) == [["Ana", "Diaz, Jr", "Boston"], ["Ben", "Ode", "Austin"]])
    }

    @Test func semicolonsWinOverCommasInsideValues() throws {
        let text = "First Name;Last Name;Address\nAna;Diaz;1 Main St, Apt 2\nBen;Ode;3 Elm St, Unit 4\n"
        let result = try read(fixture.write("d.csv", text))
        #expect(result.reader.layout.delimiter.delimiter == .semicolon)
    }

    @Test func delimiterOverrideWins() throws {
        let text = "First Name;Last Name\nAna;Diaz\n"
        let result = try read(fixture.write("d.csv", text), ReadOptions(delimiter: .comma))
        #expect(result.reader.layout.delimiter.givenByUser)
        #expect(result.reader.layout.header == ["First Name;Last Name"])
    }
}

struct HeaderTests {
    let fixture = Fixture()

    @Test func headerBelowTitleAndBlankLinesIsFound() throws {
        let text = "Employee Gift List,,\nGenerated 2026-11-01,,\n,,\n\nFirst Name,Last Name,City\nAna,Diaz,Boston\n"
        let result = try read(fixture.write("t.csv", text))
        let layout = result.reader.layout
        #expect(layout.headerLine == 5)
        #expect(layout.header == ["First Name", "Last Name", "City"])
        #expect(layout.aboveHeader.filter { $0.reason == .aboveHeader }.map(\.line) == [1, 2])
        #expect(layout.aboveHeader.first?.text == "Employee Gift List")
        #expect(result.rows == [Row(line: 6, values: ["Ana", "Diaz", "Boston"], flags: [[], [], []])])
    }

    @Test func withoutKnownNamesTheFirstFullWidthRowIsTheHeader() throws {
        let text = "Report\nalpha,beta,gamma\n1,2,3\n"
        let result = try read(fixture.write("t.csv", text))
        #expect(result.reader.layout.headerLine == 2)
        #expect(values(result) == [["1", "2", "3"]])
    }

    @Test func headerLineOverride() throws {
        let text = "First Name,Last Name\nx,y\nA,B\n"
        let result = try read(fixture.write("t.csv", text), ReadOptions(headerLine: 2))
        #expect(result.reader.layout.header == ["x", "y"])
        #expect(values(result) == [["A", "B"]])
    }

    @Test func headerLineOutOfRangeSaysTheLastLine() throws {
        let path = fixture.write("t.csv", "First Name,Last Name\nA,B\n")
        #expect(throws: SpreadsheetError(path: path, code: .headerLineOutOfRange(requested: 9, lastLine: 2))) {
            try read(path, ReadOptions(headerLine: 9))
        }
    }

    @Test func trailingEmptyHeaderCellsAreDropped() throws {
        let result = try read(fixture.write("t.csv", "First Name,Last Name,,\nA,B,,\n"))
        #expect(result.reader.layout.header == ["First Name", "Last Name"])
        #expect(values(result) == [["A", "B"]])
        #expect(result.rows[0].problem == nil)
    }
}

struct StructureTests {
    let fixture = Fixture()

    @Test(arguments: ["\n", "\r\n", "\r"])
    func lineEndingsGiveEditorLineNumbers(ending: String) throws {
        let text = ["First Name,Last Name", "Ana,Diaz", "", "Ben,Ode", "Cy,Ray"].joined(separator: ending) + ending
        let result = try read(fixture.write("e.csv", text))
        #expect(values(result) == [["Ana", "Diaz"], ["Ben", "Ode"], ["Cy", "Ray"]])
        #expect(lines(result) == [2, 4, 5])
        #expect(result.summary.skipped == [SkippedLine(line: 3, text: "", reason: .blank)])
    }

    @Test func quotedNewlinesAndEscapedQuotesKeepLaterLineNumbersRight() throws {
        let text = "First Name,Note\r\nAna,\"two\r\nlines\"\r\nBen,\"say \"\"hi\"\"\"\r\nCy,\"a\nb\nc\"\nDee,end\n"
        let result = try read(fixture.write("q.csv", text))
        #expect(
            values(result) == [["Ana", "two\r\nlines"], ["Ben", "say \"hi\""], ["Cy", "a\nb\nc"], ["Dee", "end"]])
        #expect(lines(result) == [2, 4, 5, 8])
    }

    @Test func lastRowWithoutLineBreakIsRead() throws {
        let result = try read(fixture.write("n.csv", "First Name,Last Name\nAna,Diaz"))
        #expect(values(result) == [["Ana", "Diaz"]])
    }

    @Test func trailingBlankAndFooterRowsAreSkippedAndReported() throws {
        let text =
            "First Name,Last Name,City\nAna,Diaz,Boston\nBen,Ode,Austin\n,,\nTotal,2,\n\n\"Generated by Workday\",,\n,,\n"
        let result = try read(fixture.write("f.csv", text))
        #expect(values(result) == [["Ana", "Diaz", "Boston"], ["Ben", "Ode", "Austin"]])
        #expect(result.summary.skipped.map(\.line) == [4, 5, 6, 7, 8])
        #expect(
            result.summary.skipped.filter { $0.reason == .footer }.map(\.text) == ["Total 2", "Generated by Workday"])
    }

    @Test func aFooterLikeRowFollowedByDataIsData() throws {
        let text = "First Name,Last Name,City\nTotal,,\n\nAna,Diaz,Boston\n"
        let result = try read(fixture.write("f.csv", text))
        #expect(values(result) == [["Total", "", ""], ["Ana", "Diaz", "Boston"]])
        #expect(result.summary.skipped == [SkippedLine(line: 3, text: "", reason: .blank)])
    }

    @Test func footerWordsMustEndThere() {
        #expect(FooterPattern.matches("Total: 12"))
        #expect(FooterPattern.matches("=SUM(C2:C40)"))
        #expect(FooterPattern.matches("1,204 employees"))
        #expect(!FooterPattern.matches("Summer"))
        #expect(!FooterPattern.matches("Totality"))
        #expect(!FooterPattern.matches("Counts"))
    }

    @Test func aLastRecipientNamedSummerIsNotAFooter() throws {
        let result = try read(fixture.write("f.csv", "First Name\nAna\nSummer\n"))
        #expect(values(result) == [["Ana"], ["Summer"]])
    }

    @Test func headerRepeatedOnEveryPageIsSkipped() throws {
        let text = "First Name,Last Name\nAna,Diaz\nFirst Name,Last Name\nBen,Ode\n"
        let result = try read(fixture.write("p.csv", text))
        #expect(values(result) == [["Ana", "Diaz"], ["Ben", "Ode"]])
        #expect(result.summary.skipped.map(\.reason) == [.repeatedHeader])
        #expect(result.summary.skipped.map(\.line) == [3])
    }

    @Test func raggedRowsAreMarkedWithTheCounts() throws {
        let text = "First Name,Last Name,City\nAna,Diaz,Boston,Extra\nBen,Ode\nCy,Ray,Reno,,\n"
        let result = try read(fixture.write("r.csv", text))
        #expect(result.rows[0].problem == .tooManyValues(found: 4, expected: 3))
        #expect(result.rows[1].problem == .tooFewValues(found: 2, expected: 3))
        #expect(result.rows[2].problem == nil)
        #expect(result.rows[2].values == ["Cy", "Ray", "Reno"])
    }

    @Test func strayQuoteMarksTheRowAndReadingGoesOn() throws {
        let text = "First Name,Last Name,City\nAna,\"Di\"az,Boston\nBen,\"Ode\"x,Austin\nCy,Ray,Reno\n"
        let result = try read(fixture.write("s.csv", text))
        // Text after a closing quote: the broken value and the rest of its line are kept with the
        // row exactly as written, opening quote included.
        #expect(
            result.rows.map(\.problem) == [
                .strayQuote(column: 1, rest: "\"Di\"az,Boston"), .strayQuote(column: 1, rest: "\"Ode\"x,Austin"), nil,
            ])
        #expect(result.rows[0].values == ["Ana"])
        #expect(lines(result) == [2, 3, 4])
        #expect(result.rows[2].values == ["Cy", "Ray", "Reno"])
    }

    /// Excel, LibreOffice and Python's csv module read a quote inside an unquoted value as part
    /// of it, and PHP, MySQL and many scripts escape a quote with a backslash: both are read as
    /// written, with nothing rejected, and the rows after them read as usual.
    @Test func aQuoteInsideAnUnquotedValueAndABackslashEscapedQuoteAreRead() throws {
        let text = """
            First Name,Note,City
            Ana,say "hi" now,Boston
            Ben,"a \\"quoted\\" word",Austin
            Cy,"spaced \\" out",Reno
            Dee,"C:\\",Lima
            Eve,5'10" tall,Oslo

            """
        let result = try read(fixture.write("q.csv", text))
        #expect(result.rows.allSatisfy { $0.problem == nil }, "\(result.rows.map(\.problem))")
        #expect(
            result.rows.map { $0.values[1] } == [
                "say \"hi\" now", "a \"quoted\" word", "spaced \" out", "C:\\", "5'10\" tall",
            ])
        #expect(result.rows.map { $0.values[2] } == ["Boston", "Austin", "Reno", "Lima", "Oslo"])
        #expect(lines(result) == [2, 3, 4, 5, 6])
    }

    /// Google Sheets' "Download as CSV" has no final line break, so a file can end with a
    /// closing quote.
    @Test func aQuotedLastValueWithNoFinalLineBreakIsWhole() throws {
        let result = try read(fixture.write("g.csv", "First Name,Note\nAna,x\nBen,\"last, quoted\""))
        #expect(result.rows.map(\.values) == [["Ana", "x"], ["Ben", "last, quoted"]])
        let open = fixture.write("o.csv", "First Name,Note\nAna,x\nBen,\"never closed")
        #expect(throws: SpreadsheetError(path: open, code: .unterminatedQuote(line: 3))) { try read(open) }
    }

    @Test func strayQuoteAfterAQuotedNewlineCountsItsLines() throws {
        let text = "First Name,Note\nAna,\"one\ntwo\"x\nBen,ok\n"
        let result = try read(fixture.write("s.csv", text))
        #expect(result.rows.map(\.line) == [2, 4])
        #expect(result.rows[1].values == ["Ben", "ok"])
    }

    @Test func unterminatedQuoteNamesTheLineWhereItOpened() throws {
        let path = fixture.write("u.csv", "First Name,Note\nAna,ok\nBen,\"never closed\nCy,x\nDee,y\n")
        #expect(throws: SpreadsheetError(path: path, code: .unterminatedQuote(line: 3))) { try read(path) }
    }

    @Test func aValueOverOneMebibyteStopsWithTheLine() throws {
        let big = String(repeating: "x", count: (1 << 20) + 10)
        let path = fixture.write("big.csv", "First Name,Note\nAna,ok\nBen,\"\(big)\"\n")
        let error = #expect(throws: SpreadsheetError.self) { try read(path) }
        #expect(error?.code == .fieldTooLong(line: 3, limit: 1 << 20))
        #expect(error?.errorDescription?.contains("line 3") == true)
    }

    @Test func anUnclosedQuoteInAHugeFileStopsEarlyInsteadOfSwallowingIt() throws {
        var text = "First Name,Note\nAna,\"oops\n"
        for index in 0..<60_000 { text += "Person\(index),Some note text here\n" }
        let path = fixture.write("huge.csv", text)
        let error = #expect(throws: SpreadsheetError.self) { try read(path) }
        #expect(error?.code == .fieldTooLong(line: 2, limit: 1 << 20))
    }

    @Test func tooManyColumnsStops() throws {
        let path = fixture.write("wide.csv", "First Name,Last Name\n" + String(repeating: "a,", count: 20_000) + "\n")
        let error = #expect(throws: SpreadsheetError.self) { try read(path) }
        #expect(error?.code == .tooManyColumns(line: 2, limit: 16_384))
    }

    @Test func emptyFileSaysSo() throws {
        let path = fixture.write("empty.csv", "")
        #expect(throws: SpreadsheetError(path: path, code: .empty)) { try read(path) }
    }

    @Test func spacesAroundUnquotedValuesAreTrimmedButQuotedSpacesKept() throws {
        let result = try read(fixture.write("s.csv", "First Name,Last Name\n  Ana  ,\"  Diaz \"\n"))
        #expect(values(result) == [["Ana", "  Diaz "]])
    }

    @Test func emptyValuesInTabFilesStayInPlace() throws {
        let result = try read(fixture.write("t.txt", "First Name\tLast Name\tCity\nAna\t\tBoston\n\tOde\t\n"))
        #expect(values(result) == [["Ana", "", "Boston"], ["", "Ode", ""]])
    }
}

struct NonTextTests {
    let fixture = Fixture()

    private func kind(_ name: String, _ bytes: [UInt8]) -> SpreadsheetError.Code? {
        let path = fixture.write(name, bytes: bytes)
        do {
            _ = try SpreadsheetReader(path: path)
            return nil
        } catch {
            return error.code
        }
    }

    /// A part damaged in the package, or one that is not UTF-8, is refused with a message; it
    /// is never handed to FoundationXML's parser, which stops the whole process on bytes that
    /// are not UTF-8 (found by the fuzzer in a shared-strings part).
    @Test func aDamagedOrNonUTF8WorkbookPartIsRefused() throws {
        let rows: [(Int, [WorkbookFixture.Cell])] = [
            (1, ["First Name", "Email"]), (2, ["Annabel", "a@acme.example"]),
        ]
        let damaged = fixture.path("damaged.xlsx")
        try WorkbookFixture.write(damaged, sheets: [("Team", rows)], stored: true)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        let name = try #require(bytes.range(of: Data("Annabel".utf8)))
        bytes[name.lowerBound] = UInt8(ascii: "B")
        try bytes.write(to: URL(fileURLWithPath: damaged))
        #expect(
            kind("damaged.xlsx", Array(bytes))
                == .unreadableWorkbook(
                    reason: "the package is damaged (xl/sharedStrings.xml does not match its checksum)"))

        let strings =
            Data(
                #"<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>First Name</t></si><si><t>Email</t></si><si><t>Ren"#
                    .utf8) + Data([0xE9]) + Data("e</t></si></sst>".utf8)
        let latin = fixture.path("latin.xlsx")
        try WorkbookFixture.write(latin, sheets: [("Team", rows)], replacing: ["xl/sharedStrings.xml": strings])
        let latinBytes = try Data(contentsOf: URL(fileURLWithPath: latin))
        #expect(
            kind("latin.xlsx", Array(latinBytes))
                == .unreadableWorkbook(reason: "xl/sharedStrings.xml is not UTF-8 text"))
    }

    /// UTF-8 split anywhere between chunks is still UTF-8; a bad byte is caught wherever it is.
    @Test func utf8IsCheckedAcrossChunks() {
        let text = Array("Zoë Müller 日本 😀".utf8)
        for cut in 0...text.count {
            var stream = UTF8Stream()
            #expect(stream.accepts(Data(text[..<cut])) && stream.accepts(Data(text[cut...])) && stream.isComplete)
        }
        var byteByByte = UTF8Stream()
        #expect(text.allSatisfy { byteByByte.accepts(Data([$0])) } && byteByByte.isComplete)
        var truncated = UTF8Stream()
        #expect(truncated.accepts(Data(text.dropLast(1))) && !truncated.isComplete)
        var bad = UTF8Stream()
        #expect(bad.accepts(Data(text.prefix(5))) && !bad.accepts(Data([0xA9, 0x41])))
    }

    @Test func excelWorkbook() throws {
        let zip: [UInt8] =
            [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 26) + Array("[Content_Types].xml".utf8)
        // Read directly now; a damaged one says so. The refusal's advice is kept for .xlsm and the like.
        #expect(kind("staff.xlsx", zip) == .unreadableWorkbook(reason: "the package is damaged or incomplete"))
        let path = fixture.path("staff.xlsx")
        let message = SpreadsheetError(path: path, code: .notText(.excelWorkbook)).errorDescription ?? ""
        #expect(message.contains("CSV UTF-8 (Comma delimited)"))
        #expect(message.contains("an Excel workbook (.xlsx)"))
    }

    @Test func legacyExcel() {
        #expect(
            kind("staff.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 0])
                == .notText(.legacyExcelWorkbook))
    }

    @Test func numbersDocument() {
        let zip: [UInt8] = [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 26) + Array("Index/Document.iwa".utf8)
        #expect(kind("staff.numbers", zip) == .notText(.numbersDocument))
        #expect(NonTextKind.numbersDocument.howToExport.contains("Export To › CSV"))
    }

    @Test func numbersPackageFolder() throws {
        let path = fixture.path("Team.numbers")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let error = #expect(throws: SpreadsheetError.self) { try SpreadsheetReader(path: path) }
        #expect(error?.errorDescription?.contains("Apple Numbers") == true)
    }

    @Test func htmlSavedAsXLS() {
        #expect(kind("report.xls", Array("<html><body><table><tr><td>x".utf8)) == .notText(.htmlTable))
    }

    @Test func pdfAndImagesAndBinary() {
        #expect(kind("a.pdf", Array("%PDF-1.7".utf8)) == .notText(.pdf))
        #expect(kind("a.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A]) == .notText(.image("PNG")))
        let noise: [UInt8] = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) % 32 }
        #expect(kind("a.csv", noise) == .notText(.binary))
        #expect(kind("b.xlsx", noise) == .notText(.excelWorkbook))
    }

    @Test func missingFile() {
        let error = #expect(throws: SpreadsheetError.self) { try SpreadsheetReader(path: "/no/such/file.csv") }
        #expect(error?.errorDescription?.contains("cannot open") == true)
    }
}

struct PipelineTests {
    let fixture = Fixture()

    /// A file with every kind of row the stream treats specially, repeated.
    private func messyFile() -> String {
        var text = "Gift report\n\nFirst Name,Last Name,City\n"
        for index in 0..<20_000 {
            switch index % 7 {
            case 0: text += "Ana\(index),\"Di\naz\",Boston\n"
            case 1: text += ",,\n"
            case 2: text += "Ben\(index),Od\"e,Austin\n"
            case 3: text += "First Name,Last Name,City\n"
            case 4: text += "Cy\(index),Ray,Reno,Extra\n"
            case 5: text += "Total,,\n"
            default: text += "Dee\(index),Lo,Lima\n"
            }
        }
        return text + "Total: 99,,\n\n"
    }

    @Test func twoThreadsDeliverExactlyWhatOneDoes() throws {
        let path = fixture.write("messy.csv", messyFile())
        var inline = ReadOptions()
        inline.pipelineThreshold = .max
        var threaded = ReadOptions()
        threaded.pipelineThreshold = 0
        let one = try read(path, inline)
        let two = try read(path, threaded)
        #expect(one.rows.count > 10_000)
        #expect(one.rows == two.rows)
        #expect(one.summary.skipped == two.summary.skipped)
        #expect(one.summary.skippedCount == two.summary.skippedCount)
        #expect(one.summary.rowsDelivered == two.summary.rowsDelivered)
        #expect(one.summary.lastLine == two.summary.lastLine)
    }

    struct Stop: Error {}

    @Test func anErrorFromTheCallerStopsTheParsingThread() throws {
        let path = fixture.write("messy.csv", messyFile())
        var options = ReadOptions()
        options.pipelineThreshold = 0
        let reader = try SpreadsheetReader(path: path, options: options, headerScore: knownNames)
        var seen = 0
        #expect(throws: Stop.self) {
            _ = try reader.readRecords { _ in
                seen += 1
                if seen == 5000 { throw Stop() }
            }
        }
        #expect(seen == 5000)
    }

    @Test func aParseFailureOnTheParsingThreadReachesTheCaller() throws {
        let path = fixture.write("bad.csv", messyFile() + "Eve,\"never closed\nmore\n")
        var options = ReadOptions()
        options.pipelineThreshold = 0
        let error = #expect(throws: SpreadsheetError.self) { try read(path, options) }
        #expect(error?.code == .unterminatedQuote(line: messyFile().count(where: { $0 == "\n" }) + 1))
    }
}

/// Dates in workbooks as each producer stores them: day numbers in the 1900 system (Windows
/// Excel, LibreOffice) or the 1904 system (Excel for Mac, `<workbookPr date1904="1"/>`), with
/// Excel's 29 February 1900, seconds, and times of day alone.
struct WorkbookDateTests {
    let fixture = Fixture()

    private func sheet(_ cells: [WorkbookFixture.Cell], dates1904: Bool = false) throws -> [String] {
        let path = fixture.path("dates.xlsx")
        try WorkbookFixture.write(
            path,
            sheets: [("Dates", [(1, ["First Name", "Email", "When"]), (2, ["Ann", "a@acme.example"] + cells)])],
            dates1904: dates1904)
        let result = try read(path)
        return Array(try #require(result.rows.first).values.dropFirst(2))
    }

    @Test func the1904DateSystemIsReadFromTheWorkbook() throws {
        // 24 Jan 2017 is day 42,759 in the 1900 system and 41,297 in the 1904 system.
        #expect(try sheet([.date(42_759)]) == ["2017-01-24"])
        #expect(try sheet([.date(41_297)], dates1904: true) == ["2017-01-24"])
        #expect(try read(fixture.path("dates.xlsx")).reader.layout.dates1904)
    }

    @Test func datesBeforeMarch1900CountExcelsLeapDay() throws {
        #expect(try sheet([.date(1)]) == ["1900-01-01"])
        #expect(try sheet([.date(59)]) == ["1900-02-28"])
        #expect(try sheet([.date(60)]) == ["1900-02-29"])
        #expect(try sheet([.date(61)]) == ["1900-03-01"])
    }

    @Test func timesKeepTheirSecondsAndATimeAloneIsATime() throws {
        // 46,082.5 + 15 s: noon and 15 seconds on 1 Mar 2026.
        #expect(try sheet([.dateTime(46_082.5 + 15.0 / 86_400)]) == ["2026-03-01 12:00:15"])
        #expect(try sheet([.dateTime(46_082.375)]) == ["2026-03-01 09:00"])
        #expect(try sheet([.time(0.4375)]) == ["10:30"])
        #expect(try sheet([.time(0.75 + 30.0 / 86_400)]) == ["18:00:30"])
    }

    @Test func formatsAreDatesTimesOrNeither() {
        #expect(DateStyle.of(id: 14, code: nil) == .date)
        #expect(DateStyle.of(id: 20, code: nil) == .time)
        #expect(DateStyle.of(id: 22, code: nil) == .dateTime)
        #expect(DateStyle.of(id: 31, code: nil) == .date)
        #expect(DateStyle.of(id: 164, code: "h:mm") == .time)
        #expect(DateStyle.of(id: 164, code: "mm:ss") == .time)
        #expect(DateStyle.of(id: 164, code: "[$-409]mmmm d, yyyy") == .date)
        #expect(DateStyle.of(id: 164, code: "yyyy-mm-dd hh:mm") == .dateTime)
        #expect(DateStyle.of(id: 164, code: "0.00\"d\"") == nil)
        #expect(DateStyle.of(id: 164, code: "General") == nil)
    }
}
