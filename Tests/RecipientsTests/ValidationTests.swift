import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Spreadsheet
import Testing

@testable import Recipients

/// Runs a validation of `text` and returns the report and every finding.
func validate(
    _ text: String, method: SendMethod, fixture: Fixture, name: String = "team.csv", collect: Bool = false,
    allowDuplicates: Bool = false, overrides: [RecipientField: String] = [:], preferPreferredName: Bool = false
) throws -> (report: ValidationReport, findings: [Finding]) {
    let path = fixture.write(name, text)
    var findings: [Finding] = []
    let report = try Validation(
        ValidationRequest(
            path: path,
            options: ValidationOptions(method: method, allowDuplicates: allowDuplicates, collectRecipients: collect),
            overrides: overrides, preferPreferredName: preferPreferredName)
    ).run { findings.append($0) }
    return (report, findings)
}

extension Array where Element == Finding {
    func codes(line: Int) -> Set<FindingCode> { Set(filter { $0.line == line }.map(\.code)) }
}

struct RuleTests {
    let fixture = Fixture()

    @Test func firstNameIsAlwaysRequired() throws {
        let (report, findings) = try validate(
            "First Name,Last Name\n,Diaz\nBen,Ode\n", method: .linkMultipleCustomList, fixture: fixture)
        #expect(report.rowsWithErrors == 1)
        #expect(findings.codes(line: 2) == [.firstNameMissing])
        let finding = try #require(findings.first)
        #expect(finding.column?.description == "column A (First Name)")
        #expect(finding.fix == "fill in the recipient's first name")
    }

    @Test func emailAndLinkNeedsAValidEmailOnEveryRow() throws {
        let text = "First Name,Email\nAna,ana@acme.example\nBen,\nCy,cy@example\n"
        let (report, findings) = try validate(text, method: .emailAndLink, fixture: fixture)
        #expect(report.rowsOK == 1)
        #expect(findings.codes(line: 3) == [.emailMissing])
        #expect(findings.codes(line: 4) == [.emailInvalid])
    }

    @Test func linkListNeedsOnlyAFirstName() throws {
        let (report, _) = try validate("First Name\nAna\nBen\n", method: .linkMultipleCustomList, fixture: fixture)
        #expect(report.rows == 2)
        #expect(report.rowsOK == 2)
    }

    @Test func directSendNeedsAFullUSAddress() throws {
        let text = """
            First Name,Address 1,City,State,ZIP,Country
            Ana,1 Main St,Boston,MA,02134,US
            Ben,,Austin,TX,78701,US
            Cy,2 Elm St,,TX,78701,US
            Dee,3 Oak St,Reno,,89501,US
            Eve,4 Pine St,Reno,NV,,US
            Fay,300 King St,Toronto,ON,M5V 1J5,Canada
            Gus,5 Lake Rd,Portland,Oregn,97205,US

            """
        let (report, findings) = try validate(text, method: .directSend, fixture: fixture)
        #expect(report.rowsOK == 1)
        #expect(findings.codes(line: 3) == [.address1Missing])
        #expect(findings.codes(line: 4) == [.cityMissing])
        #expect(findings.codes(line: 5) == [.stateMissing])
        #expect(findings.codes(line: 6) == [.postalCodeMissing])
        #expect(findings.codes(line: 7) == [.countryUnsupported])
        #expect(findings.codes(line: 8) == [.stateInvalid])
    }

    @Test func addressRepairsAreWarningsOnTheirRows() throws {
        let text = """
            First Name,Street,City,State,Zip,Country
            Ana,1 Main St,Boston,Massachusetts,2134,United States
            Ben,PO Box 12,Austin,tx,78701,
            Cy,Unit 2050 Box 4190,APO,AP,96278,USA

            """
        let (report, findings) = try validate(text, method: .directSend, fixture: fixture, collect: true)
        #expect(report.rowsWithErrors == 0)
        #expect(report.rowsWithWarnings == 3)
        #expect(findings.codes(line: 2) == [.stateNormalized, .postalCodeRepaired, .countryNormalized])
        #expect(findings.codes(line: 3) == [.stateNormalized, .countryAssumedUS, .poBox])
        #expect(findings.codes(line: 4) == [.countryNormalized, .militaryAddress])
        let ana = try #require(report.recipients.first)
        #expect(
            ana.address
                == MailingAddressInput(
                    firstName: "Ana", lastName: nil, address1: "1 Main St", address2: nil, city: "Boston", state: "MA",
                    postalCode: "02134",
                    country: "US"))
        let zip = try #require(findings.first { $0.code == .postalCodeRepaired })
        #expect(zip.value == "2134")
        #expect(zip.message == "\"2134\" repaired to 02134: a leading zero was missing")
    }

    @Test func aMissingCountryColumnIsSaidOnceNotPerRow() throws {
        let text = "First Name,Street,City,State,Zip\nAna,1 Main St,Boston,MA,02134\n"
        let (report, findings) = try validate(text, method: .directSend, fixture: fixture)
        #expect(findings.isEmpty)
        #expect(report.notes.contains { $0.contains("no country column") })
    }

    @Test func aPhoneThatIsNotAUSNumberIsLeftOutAndTheGiftStillGoes() throws {
        let text = "First Name,Phone\nAna,(555) 234-7890\nBen,555-0100\nCy,\nDee,555-234-7891 x12\n"
        let (report, findings) = try validate(text, method: .linkMultipleCustomList, fixture: fixture, collect: true)
        // Rewriting into E.164 changes nothing a person would see, so it is not a warning.
        #expect(findings.codes(line: 2).isEmpty)
        #expect(findings.codes(line: 3) == [.phoneInvalid])
        #expect(findings.codes(line: 4).isEmpty)
        // Dropping an extension does change the number, so it is said.
        #expect(findings.codes(line: 5) == [.phoneNormalized])
        // An optional phone Goody would refuse is left out; the person still gets the gift.
        #expect(report.recipients.map(\.phone) == ["+15552347890", nil, nil, "+15552347891"])
        #expect(report.recipients.map(\.firstName) == ["Ana", "Ben", "Cy", "Dee"])
        #expect(report.rowsWithErrors == 0 && report.rowsWithWarnings == 2)
    }

    @Test func duplicateEmailsNameBothLines() throws {
        let text = "First Name,Email\nAna,ana@acme.example\nBen,ben@acme.example\nAnnie,ANA@acme.example\n"
        let (_, findings) = try validate(text, method: .emailAndLink, fixture: fixture)
        let duplicate = try #require(findings.first { $0.code == .duplicateEmail })
        #expect(duplicate.line == 4)
        #expect(duplicate.relatedLine == 2)
        #expect(duplicate.message.contains("line 2"))
        #expect(duplicate.fix.contains("lines 2 and 4"))
    }

    /// Hashes narrowed to two bits make different emails agree all the time: only the rows whose
    /// keys really agree are called duplicates, and the rejected file holds only them.
    @Test(arguments: [SendMethod.emailAndLink, .directSend])
    func aHashAgreementAloneNeverMakesADuplicate(_ method: SendMethod) throws {
        var text = "First Name,Last Name,Email,Street,City,State,Zip\n"
        for index in 0..<60 { text += "P\(index),Lee,p\(index)@acme.example,\(index) Main St,Boston,MA,02134\n" }
        text += "Again,Lee,P7@ACME.EXAMPLE,7 Main St,Boston,MA,02134\n"  // line 62: the email of line 9
        text += "P8,Lee,other@acme.example,8 Main St,Boston,MA,02134\n"  // line 63: the person of line 10
        let path = fixture.write("team.csv", text)
        var options = ValidationOptions(method: method, collectRecipients: true)
        options.duplicateHashMask = 0b11
        var findings: [Finding] = []
        let report = try Validation(ValidationRequest(path: path, options: options)).run { findings.append($0) }
        let duplicates = report.examples.values.flatMap { $0 }.filter {
            $0.code == .duplicateEmail || $0.code == .duplicateAddress
        }
        let expected: Set<Int> = method == .directSend ? [62, 63] : [62]
        #expect(Set(duplicates.map(\.line)) == expected)
        #expect(duplicates.allSatisfy { $0.relatedLine == $0.line - 53 })
        #expect(report.rowsWithErrors == expected.count && report.recipients.count == 62 - expected.count)
        let rejected = try WrittenCSV.rows(at: fixture.path("team.rejected.csv"))
        #expect(rejected.count == expected.count)
    }

    /// A payroll export with only a full name: each name is split, and each split is a warning
    /// that names the column it came from.
    @Test func aFullNameIsSplitIntoFirstAndLastName() throws {
        let text = """
            Employee Name,Work Email
            "Lee, Ann",ann@acme.example
            Ben Okafor,ben@acme.example
            Cy,cy@acme.example
            Mary Ann Smith Jr.,mary@acme.example
            ,none@acme.example

            """
        let (report, findings) = try validate(text, method: .emailAndLink, fixture: fixture, collect: true)
        #expect(report.recipients.map(\.firstName) == ["Ann", "Ben", "Cy", "Mary Ann"])
        #expect(report.recipients.map(\.lastName) == ["Lee", "Okafor", nil, "Smith Jr."])
        let split = try #require(findings.first { $0.code == .nameSplit })
        #expect(split.line == 2 && split.column?.header == "Employee Name")
        #expect(split.message == "\"Lee, Ann\" is read as first name \"Ann\", last name \"Lee\"")
        #expect(findings.codes(line: 6).contains(.firstNameMissing))
        #expect(findings.first { $0.code == .firstNameMissing }?.column?.header == "Employee Name")
    }

    /// Keys are kept in a temporary file a megabyte at a time: a duplicate of a row written out
    /// long before is confirmed from the file, with full and narrowed hashes alike.
    @Test(arguments: [UInt64.max, 0b11])
    func aDuplicateOfARowLongAgoIsConfirmedOnItsKeys(_ mask: UInt64) throws {
        var text = "First Name,Last Name,Email,Street,City,State,Zip\n"
        let padding = String(repeating: "x", count: 40)
        for index in 0..<12_000 {
            text += "P\(index),Lee,p\(index).\(padding)@acme.example,\(index) Main St \(padding),Boston,MA,02134\n"
        }
        // Line 12002 has line 5's email; line 12003 is line 6's person.
        text += "Again,Lee,P3.\(padding.uppercased())@ACME.EXAMPLE,1 Elm St,Boston,MA,02134\n"
        text += "P4,LEE,new@acme.example,4 main st \(padding),Boston,MA,02134-1234\n"
        let path = fixture.write("team.csv", text)
        var options = ValidationOptions(method: .directSend)
        options.duplicateHashMask = mask
        let report = try Validation(ValidationRequest(path: path, options: options)).run()
        let duplicates = report.examples.values.flatMap { $0 }.filter {
            $0.code == .duplicateEmail || $0.code == .duplicateAddress
        }
        #expect(
            duplicates.map { [$0.line, $0.relatedLine ?? 0] }.sorted { $0[0] < $1[0] } == [[12002, 5], [12003, 6]])
        #expect(report.rowsWithErrors == 2 && report.rowsOK == 12_000)
    }

    /// Keys longer than 254 bytes are kept whole: two addresses that differ only at their end
    /// are two people, even when their hashes agree.
    @Test func longKeysAreComparedToTheirLastByte() throws {
        let street = String(repeating: "Long Street Name ", count: 20)
        let text = """
            First Name,Street,City,State,Zip
            Ana,\(street)1,Boston,MA,02134
            Ana,\(street)2,Boston,MA,02134
            Ana,\(street)1,Boston,MA,02134

            """
        let path = fixture.write("team.csv", text)
        var options = ValidationOptions(method: .directSend)
        options.duplicateHashMask = 0
        let report = try Validation(ValidationRequest(path: path, options: options)).run()
        let duplicates = report.examples[.duplicateAddress] ?? []
        #expect(duplicates.map { [$0.line, $0.relatedLine ?? 0] } == [[4, 2]])
    }

    /// The rejected file is the one HR is told to open and fix: no cell in it can run as a formula.
    @Test func theRejectedFileNeutralizesFormulas() throws {
        let text =
            "First Name,Email,Note\n\"=HYPERLINK(\"\"http://evil.example\"\")\",not-an-email,\"\n=1+1\"\nAna,ana@acme.example,ok\n"
        let (report, _) = try validate(text, method: .emailAndLink, fixture: fixture)
        #expect(report.rowsWithErrors == 1)
        let rows = try WrittenCSV.rows(at: fixture.path("team.rejected.csv"))
        let row = try #require(rows.first)
        #expect(row["First Name"] == "'=HYPERLINK(\"http://evil.example\")")
        #expect(row["Note"] == "'\n=1+1")
        #expect(row["Email"] == "not-an-email")
    }

    @Test func duplicateNameAndAddressForDirectSend() throws {
        let text = """
            First Name,Last Name,Street,City,State,Zip
            Ana,Diaz,1 Main St,Boston,MA,02134
            Ana,Diaz,1 Main St,Boston,MA,2134
            Ana,Diaz,1 Main St,Boston,MA,02135

            """
        let (_, findings) = try validate(text, method: .directSend, fixture: fixture)
        #expect(findings.first { $0.code == .duplicateAddress }?.line == 3)
        #expect(findings.first { $0.code == .duplicateAddress }?.relatedLine == 2)
        #expect(!findings.codes(line: 4).contains(.duplicateAddress))
    }

    @Test func duplicatesAreAllowedWhenAsked() throws {
        let text = "First Name,Email\nAna,ana@acme.example\nAna,ana@acme.example\n"
        let (report, _) = try validate(text, method: .emailAndLink, fixture: fixture, allowDuplicates: true)
        #expect(report.rowsOK == 2)
    }

    @Test func whitespaceIsCleanedVisibly() throws {
        let text = "First Name,Last Name\n\"  Ana  Maria \",Diaz\n"
        let (report, findings) = try validate(text, method: .linkMultipleCustomList, fixture: fixture, collect: true)
        #expect(findings.codes(line: 2) == [.whitespaceCleaned])
        #expect(report.recipients.first?.firstName == "Ana Maria")
    }

    @Test func preferredNameIsUsedWhereFilledWhenAsked() throws {
        let text = "Legal First Name,Preferred Name\nRobert,Bob\nAlice,\n"
        let (report, _) = try validate(
            text, method: .linkMultipleCustomList, fixture: fixture, collect: true, preferPreferredName: true)
        #expect(report.recipients.map(\.firstName) == ["Bob", "Alice"])
        let (plain, _) = try validate(
            text, method: .linkMultipleCustomList, fixture: fixture, name: "b.csv", collect: true)
        #expect(plain.recipients.map(\.firstName) == ["Robert", "Alice"])
    }

    /// Workday's "Preferred Name" holds the whole name: the greeting is its first word when the
    /// rest is the last name, in either order, and the cell as written otherwise.
    @Test func aPreferredNameCarryingTheLastNameGreetsByItsFirstWord() throws {
        let text = """
            Legal First Name,Last Name,Preferred Name
            Kimberly,Allen,Kim Allen
            Jonathan,Berg,"Berg, Jon"
            Mary,Smith,Mary Ann
            Ana,van der Berg,Ana  van der berg
            Jo,Allen,Allen
            Li,Wei,

            """
        let (report, _) = try validate(
            text, method: .linkMultipleCustomList, fixture: fixture, collect: true, preferPreferredName: true)
        #expect(report.recipients.map(\.firstName) == ["Kim", "Jon", "Mary Ann", "Ana", "Allen", "Li"])
    }

    @Test func rowSettingsAreCheckedForShape() throws {
        let text = """
            First Name,Gift Amount,Send Date,Variants,Product,Message
            Ana,25,2026-12-01,Sugar; Chocolate,Cookie Box,"Happy anniversary,
            Ana!"
            Ben,ten,13/40/2026,Sugar;;Oat,,
            """
        let (report, findings) = try validate(text, method: .linkMultipleCustomList, fixture: fixture, collect: true)
        #expect(findings.codes(line: 2).isEmpty)
        #expect(findings.codes(line: 4) == [.amountInvalid, .sendDateInvalid, .variantsInvalid])
        let settings = try #require(report.recipients.first?.settings)
        #expect(settings.amountCents == 2500)
        #expect(settings.variants == ["Sugar", "Chocolate"])
        #expect(settings.product == "Cookie Box")
        #expect(settings.message == "Happy anniversary,\nAna!")
        #expect(settings.sendDate?.iso8601 == "2026-12-01")
    }

    @Test func structuralProblemsRejectTheRow() throws {
        let text = "First Name,Last Name\nAna,\"Di\"az\nBen,Ode,Extra\nCy\nDee,Lo\n"
        let (report, findings) = try validate(text, method: .linkMultipleCustomList, fixture: fixture)
        #expect(findings.codes(line: 2) == [.strayQuote])
        #expect(findings.codes(line: 3) == [.tooManyValues])
        #expect(findings.codes(line: 4) == [.tooFewValues])
        #expect(report.rowsOK == 1)
    }

    @Test func aStrayWindows1252ValueIsAWarning() throws {
        let path = fixture.write(
            "mixed.csv", bytes: Array("First Name\nZoë\n".utf8) + [0x52, 0x65, 0x6E, 0xE9, 0x65, 0x0A])
        var findings: [Finding] = []
        let report = try Validation(
            ValidationRequest(path: path, options: ValidationOptions(method: .linkMultipleCustomList))
        ).run { findings.append($0) }
        #expect(report.rowsWithWarnings == 1)
        #expect(findings.first?.code == .readAsWindows1252)
        #expect(findings.first?.value == "Renée")
    }

    @Test func nulBytesAreErrors() throws {
        let path = fixture.write("nul.csv", bytes: Array("First Name\nAn".utf8) + [0] + Array("a\n".utf8))
        var findings: [Finding] = []
        _ = try Validation(ValidationRequest(path: path, options: ValidationOptions(method: .linkMultipleCustomList)))
            .run { findings.append($0) }
        #expect(findings.map(\.code) == [.nulByte])
        #expect(findings.first?.value == "An␀a")
    }
}

struct RejectedFileTests {
    let fixture = Fixture()

    private func rows(_ name: String) throws -> [[String]] {
        let reader = try SpreadsheetReader(path: fixture.path(name), headerScore: Validation.headerScore)
        var rows = [reader.layout.header]
        _ = try reader.readRecords { rows.append($0.strings(width: reader.layout.header.count)) }
        return rows
    }

    @Test func rejectedRowsKeepTheirColumnsAndSayWhy() throws {
        let text = "First Name,Email,Team\nAna,ana@acme.example,Core\n,ben@acme.example,Data\nCy,cy@example,Core\n"
        let (report, _) = try validate(text, method: .emailAndLink, fixture: fixture)
        #expect(report.rejectedPath == fixture.path("team.rejected.csv"))
        let rejected = try rows("team.rejected.csv")
        #expect(
            rejected.map { Array($0.prefix(3)) } == [
                ["First Name", "Email", "Team"], ["", "ben@acme.example", "Data"], ["Cy", "cy@example", "Core"],
            ])
        #expect(rejected[0].last == "error")
        #expect(rejected[1].last?.hasPrefix("line 3: column A (First Name): the first name is empty") == true)
        #expect(rejected[2].last?.contains("Fix: correct the address") == true)
    }

    @Test func fixingTheRejectedFileAndRunningAgainReplacesTheErrorColumn() throws {
        _ = try validate("First Name,Email\nAna,ana@example\n", method: .emailAndLink, fixture: fixture)
        let rejectedPath = fixture.path("team.rejected.csv")
        var findings: [Finding] = []
        let again = try Validation(
            ValidationRequest(path: rejectedPath, options: ValidationOptions(method: .emailAndLink))
        ).run { findings.append($0) }
        #expect(again.rowsWithErrors == 1)
        let rows = try rows("team.rejected.rejected.csv")
        #expect(rows[0] == ["First Name", "Email", "error"])
    }

    @Test func aStaleRejectedFileIsRemovedWhenEveryRowPasses() throws {
        _ = try validate("First Name,Email\nAna,ana@example\n", method: .emailAndLink, fixture: fixture)
        #expect(fixture.exists("team.rejected.csv"))
        let (report, _) = try validate(
            "First Name,Email\nAna,ana@acme.example\n", method: .emailAndLink, fixture: fixture)
        #expect(report.removedStaleRejected == fixture.path("team.rejected.csv"))
        #expect(!fixture.exists("team.rejected.csv"))
    }

    @Test func aFileThatIsNotOursIsNeverRemoved() throws {
        fixture.write("team.rejected.csv", "my own notes\n")
        let (report, _) = try validate(
            "First Name,Email\nAna,ana@acme.example\n", method: .emailAndLink, fixture: fixture)
        #expect(report.removedStaleRejected == nil)
        #expect(fixture.exists("team.rejected.csv"))
    }

    @Test func missingRequiredColumnStopsBeforeAnyRowAndWritesNothing() throws {
        let error = #expect(throws: InputError.self) {
            try validate("First Name,City\nAna,Boston\n", method: .emailAndLink, fixture: fixture)
        }
        #expect(error?.message.contains("no column holds email") == true)
        #expect(fixture.files() == ["team.csv"])
    }
}

struct TemplateTests {
    let fixture = Fixture()

    @Test(arguments: SendMethod.allCases)
    func committedTemplatesMatchWhatTheToolWrites(method: SendMethod) throws {
        let path = fixture.path("\(method.rawValue).csv")
        try StarterSpreadsheet.write(method, to: path)
        let written = try #require(fixture.read("\(method.rawValue).csv"))
        let committed = try #require(
            FileManager.default.contents(atPath: Repository.path("templates/\(method.rawValue).csv")))
        #expect(written == Array(committed), "templates/\(method.rawValue).csv is out of date")
    }

    /// A template's example row reads as its send method expects, and can never be sent: its
    /// address is at a domain reserved for examples, and that is its only error.
    @Test(arguments: SendMethod.allCases)
    func eachTemplateReadsRightButItsExampleRowCanNeverBeSent(method: SendMethod) throws {
        let path = fixture.path("\(method.rawValue).csv")
        try StarterSpreadsheet.write(method, to: path)
        var findings: [Finding] = []
        let report = try Validation(ValidationRequest(path: path, options: ValidationOptions(method: method)))
            .run { findings.append($0) }
        #expect(report.rows == 1 && report.rowsWithErrors == 1)
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.code) == [.emailInvalid])
        #expect(errors.first?.message.contains("example.com is reserved for examples") == true)
    }
}
