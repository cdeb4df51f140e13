import Foundation
import GoodyBatchTestSupport
import Testing

/// Issue 11: the files HR shares with managers, written by the built binary against the built-in
/// emulator and opened with an independent reader (the package unzipped, the sheet XML read).
struct ManagerFilesTests {
    let fixture = Fixture()

    /// The built-in emulator, on a fixed today (the scheduled gift is for 1 March 2027).
    private var embedded: [String: String] {
        ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "2026-12-01T12:00"]
    }

    private func run(_ arguments: [String]) async throws -> CommandResult {
        try await CLIRunner.running(arguments, in: fixture.directory.path, environment: embedded)
    }

    private func text(_ name: String) -> String { String(decoding: fixture.read(name) ?? [], as: UTF8.self) }

    /// A direct-send export with everything a manager must not see by default: home addresses,
    /// a personal phone, pay, HR notes; a ZIP with a leading zero and a 20-digit employee ID; one
    /// manager written three ways; one row that cannot be sent.
    private let export = """
        Employee Number,First Name,Last Name,Work Email,Home Address,City,State,ZIP,Personal Phone,Bonus,HR Notes,Reports To
        12345678901234567890,Ana,Lee,ana@acme.example,1 Main St,Boston,MA,02134,617-555-0100,5000,on leave soon,Renée Côté
        00042,Ben,Okafor,ben@acme.example,2 Elm St,Newark,NJ,07102,973-555-0101,4000,,Renee Cote
        00043,Cy,Wu,cy@acme.example,3 Oak St,Boston,MA,02135,617-555-0102,3000,,renee  cote
        00044,Di,Ng,di@acme.example,,Boston,MA,02136,617-555-0103,2000,,Sam Ortiz
        00045,Ed,Roe,ed@acme.example,5 Pine St,Austin,TX,73301,512-555-0104,1000,,Sam Ortiz

        """

    private func sendExport(_ extra: [String] = []) async throws -> CommandResult {
        _ = fixture.write("team.csv", export)
        let result = try await run(
            [
                "send", "team.csv", "--send-method", "direct_send", "--product", "Succulent Trio", "--from-name",
                "People Team", "--split-by",
                "Reports To", "--yes",
            ] + extra)
        #expect(result.exitCode == 1, "one row is rejected: \(result.stderr)")
        return result
    }

    @Test func eachManagerGetsOneWorkbookWithClickableLinksAndOnlyWhatTheyShouldSee() async throws {
        let result = try await sendExport()
        // Three spellings of one manager: one file, and a warning naming the spellings.
        #expect(result.stdout.contains("\"Renée Côté\", \"Renee Cote\" and \"renee cote\""))
        #expect(result.stdout.contains("Manager files: one per Reports To (xlsx and csv)"))
        #expect(result.stdout.contains("Not in them: Home Address, City, State, ZIP, Personal Phone, Bonus, HR Notes"))
        let managerFiles = fixture.files().filter { $0.hasPrefix("team.results.") && $0.hasSuffix(".xlsx") }
        #expect(
            Set(managerFiles) == ["team.results.xlsx", "team.results.renee-cote.xlsx", "team.results.sam-ortiz.xlsx"])

        let renee = try WrittenWorkbook(path: fixture.path("team.results.renee-cote.xlsx"))
        #expect(
            renee.header == [
                "First Name", "Last Name", "Gift link", "Status", "Send date", "Expires", "Work Email",
                "Employee Number",
            ])
        let people = renee.records
        #expect(people.map { $0["First Name"]?.text } == ["Ana", "Ben", "Cy"])
        for (index, person) in people.enumerated() {
            let cell = try #require(renee.reference(header: "Gift link", row: index))
            #expect(person["Gift link"]?.text == "Open gift")
            #expect(renee.links[cell]?.hasPrefix("https://gifts.ongoody.com/gift/") == true, "a real hyperlink")
            #expect(person["Status"]?.text == "Gift link ready")
            #expect(person["Send date"]?.isDate == true)
        }
        // The links are each person's own: the same as in HR's results.
        let results = try WrittenCSV.rows(at: fixture.path("team.results.csv"))
        let ana = try #require(results.first { $0["First Name"] == "Ana" })
        #expect(renee.links[renee.reference(header: "Gift link", row: 0) ?? ""] == ana["gift_link"])
        // Text stays text: a 20-digit ID is not 1.23456789012346E+19.
        #expect(
            people[0]["Employee Number"] == .init(type: "inlineStr", text: "12345678901234567890", numberFormat: nil))
        #expect(renee.frozenRows == 1 && renee.autoFilter == "A1:H4")
        #expect(renee.orientation == "landscape" && renee.fitToWidth == "1")
        #expect(renee.printTitles?.hasSuffix("!$1:$1") == true, "the header repeats on every printed page")

        // The row that could not be sent says why in words, with no command and no line number.
        let sam = try WrittenWorkbook(path: fixture.path("team.results.sam-ortiz.xlsx"))
        let di = try #require(sam.records.first { $0["First Name"]?.text == "Di" })
        #expect(di["Status"]?.text == "Not sent: the street address is empty")
        #expect(di["Gift link"] == nil)
        for name in ["team.results.renee-cote.xlsx", "team.results.sam-ortiz.xlsx", "team.results.sam-ortiz.csv"] {
            let bytes = fixture.read(name) ?? []
            for secret in ["Main St", "617-555", "5000", "on leave", "amount", "goody-batch", "Bonus"] {
                #expect(!Self.contains(bytes, secret, unzipping: name.hasSuffix(".xlsx")), "\(name) holds \(secret)")
            }
        }
    }

    @Test func theManifestTellsHRWhichFileGoesToWhom() async throws {
        _ = try await sendExport()
        let manifest = try WrittenCSV.rows(at: fixture.path("team.managers.csv"))
        #expect(manifest.count == 2)
        let renee = try #require(manifest.first)
        #expect(renee["Reports To"] == "Renée Côté")
        #expect(renee["Also written"] == "Renee Cote; renee cote")
        // One column, and one link, per file.
        #expect(renee["Workbook"] == "team.results.renee-cote.xlsx")
        #expect(renee["CSV file"] == "team.results.renee-cote.csv")
        #expect(renee["People"] == "3" && renee["Gift links"] == "3" && renee["Not sent"] == "0")
        #expect(manifest[1]["People"] == "2" && manifest[1]["Gift links"] == "1" && manifest[1]["Not sent"] == "1")
        let book = try WrittenWorkbook(path: fixture.path("team.managers.xlsx"))
        #expect(book.records.count == 2)
        // Counts are whole numbers, never "3.00 people".
        #expect(book.records[0]["People"]?.text == "3")
        #expect(book.records[0]["People"]?.numberFormat == nil, "\(String(describing: book.records[0]["People"]))")
        #expect(book.links[book.reference(header: "Workbook", row: 0) ?? ""] == "team.results.renee-cote.xlsx")
        #expect(book.links[book.reference(header: "CSV file", row: 0) ?? ""] == "team.results.renee-cote.csv")
    }

    @Test func sharedColumnsAreOnlyThoseNamedAndFormatChoosesTheFiles() async throws {
        let result = try await sendExport(["--share", "City", "amount_product", "--format", "xlsx"])
        #expect(result.stdout.contains("shared with --share: City, amount_product"))
        #expect(!fixture.exists("team.results.sam-ortiz.csv"), "--format xlsx writes no manager CSV")
        let sam = try WrittenWorkbook(path: fixture.path("team.results.sam-ortiz.xlsx"))
        #expect(sam.header.suffix(2) == ["City", "amount_product"])
        let ed = try #require(sam.records.first { $0["First Name"]?.text == "Ed" })
        #expect(ed["City"]?.text == "Austin")
        #expect(ed["amount_product"]?.type == nil && Double(ed["amount_product"]?.text ?? "") ?? 0 > 0)

        // export rewrites them with the run's own choices unless told otherwise.
        for name in fixture.files() where name.hasPrefix("team.results.") {
            try FileManager.default.removeItem(atPath: fixture.path(name))
        }
        let runID = String(try #require(result.stdout.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)
        let again = try await run(["export", runID])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(
            try WrittenWorkbook(path: fixture.path("team.results.sam-ortiz.xlsx")).header.suffix(2) == [
                "City", "amount_product",
            ])
        #expect(!fixture.exists("team.results.sam-ortiz.csv"))
    }

    /// `share:` in the campaign file keeps the choice with the campaign; --share on the command
    /// line wins over it.
    @Test func theCampaignFileCanNameSharedColumns() async throws {
        _ = fixture.write("campaign.yaml", "share: [City, State]\n")
        let result = try await sendExport(["--campaign", "campaign.yaml"])
        #expect(result.stdout.contains("shared with --share: City, State"))
        let sam = try WrittenWorkbook(path: fixture.path("team.results.sam-ortiz.xlsx"))
        #expect(sam.header.suffix(2) == ["City", "State"])
    }

    @Test func anUnknownSharedColumnStopsBeforeAnythingIsSent() async throws {
        _ = fixture.write("team.csv", export)
        let result = try await run(
            [
                "send", "team.csv", "--send-method", "direct_send", "--product", "Succulent Trio", "--from-name",
                "People Team", "--split-by",
                "Reports To", "--share", "Salary", "--yes",
            ])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--share Salary: there is no such column"))
        #expect(
            !fixture.exists("goody-batch-ledger.sqlite")
                || !text("state/goody-batch/emulator-journal.jsonl").contains("order_batch"))
        #expect(!fixture.exists("team.results.csv"))
    }

    /// HR's record keeps every input value raw (ZIP 02134, not ="02134") in the input's own
    /// delimiter; the workbook beside it keeps them as text and makes the links clickable.
    @Test func theFullResultsAreRawInTheInputsDelimiterWithAWorkbookBeside() async throws {
        _ = fixture.write(
            "eu.csv",
            "First Name;Last Name;Email;Postcode\nAna;Lee;ana@acme.example;02134\nBen;Okafor;ben@acme.example;1E5\n")
        let result = try await run([
            "send", "eu.csv", "--send-method", "email_and_link", "--product", "Succulent Trio", "--from-name",
            "People Team", "--yes",
        ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let csv = text("eu.results.csv")
        #expect(csv.hasPrefix("\u{FEFF}\"First Name\";\"Last Name\";\"Email\";\"Postcode\";\"gift_link\""))
        #expect(csv.contains(";\"02134\";") && csv.contains(";\"1E5\";") && !csv.contains("=\""))
        let book = try WrittenWorkbook(path: fixture.path("eu.results.xlsx"))
        let ana = try #require(book.records.first)
        #expect(ana["Postcode"] == .init(type: "inlineStr", text: "02134", numberFormat: nil))
        #expect(book.records[1]["Postcode"]?.text == "1E5" && book.records[1]["Postcode"]?.isText == true)
        #expect(book.links[book.reference(header: "gift_link", row: 0) ?? ""] == ana["gift_link"]?.text)
        #expect(book.frozenRows == 1)
        for name in ["eu.results.csv", "eu.results.xlsx"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path(name))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name) is private")
        }
    }

    /// A scheduled gift is a state with a date, not an error, in the CSV and the workbooks.
    @Test func aScheduledGiftHasASendDateAndNoError() async throws {
        _ = fixture.write("team.csv", "First Name,Work Email,Manager\nAna,ana@acme.example,Sam\n")
        let result = try await run([
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Succulent Trio", "--from-name",
            "People Team", "--send-on", "2027-03-01", "--split-by", "manager", "--yes",
        ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let row = try #require(try WrittenCSV.rows(at: fixture.path("team.results.csv")).first)
        #expect(row["order_status"] == "scheduled for 1 Mar 2027")
        #expect(row["send_date"] == "2027-03-01")
        #expect(row["error"] == "")
        let sam = try WrittenWorkbook(path: fixture.path("team.results.sam.xlsx"))
        #expect(sam.records.first?["Status"]?.text == "Scheduled for 1 Mar 2027")
        #expect(sam.records.first?["Send date"]?.day == "2027-03-01")
    }

    /// `template --format xlsx`: the same starter as the CSV, every cell and column text, so a
    /// ZIP code or an ID typed into it later keeps its zeros.
    @Test func theTemplateCanBeAWorkbook() async throws {
        let result = try await run(["template", "direct_send", "--format", "xlsx"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Wrote direct_send.xlsx"))
        let book = try WrittenWorkbook(path: fixture.path("direct_send.xlsx"))
        _ = try await run(["template", "direct_send"])
        let csv = try WrittenCSV.rows(at: fixture.path("direct_send.csv"))
        let csvHeader = String(decoding: fixture.read("direct_send.csv") ?? [], as: UTF8.self).dropFirst()
            .prefix { !$0.isNewline }.split(separator: ",").map { $0.replacingOccurrences(of: "\"", with: "") }
        #expect(book.header == csvHeader)
        #expect(book.records.count == 1 && book.records[0].values.allSatisfy(\.isText))
        #expect(book.records[0]["ZIP"]?.text == csv[0]["ZIP"])
        #expect(book.columnFormats.count == book.header.count && book.columnFormats.values.allSatisfy { $0 == "@" })
    }

    private static func contains(_ bytes: [UInt8], _ needle: String, unzipping: Bool) -> Bool {
        guard unzipping else { return String(decoding: bytes, as: UTF8.self).contains(needle) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString + ".xlsx").path
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return true }
        defer { try? FileManager.default.removeItem(atPath: path) }
        guard let book = try? WrittenWorkbook(path: path) else { return true }
        return book.rows.contains { $0.values.contains { $0.text.contains(needle) } }
            || book.links.values.contains { $0.contains(needle) }
    }

    /// Month 2: a manager whose people were all gifted last month gets no file (it would read as
    /// "my team was skipped"); another gets a file with only the new gift.
    @Test func aManagerWithNothingNewGetsNoFile() async throws {
        _ = try await sendExport()
        _ = fixture.write(
            "january.csv", export + "00046,Fay,Lin,fay@acme.example,6 Ash St,Austin,TX,73301,,,,Sam Ortiz\n")
        let result = try await run(
            [
                "send", "january.csv", "--send-method", "direct_send", "--product", "Succulent Trio", "--from-name",
                "People Team", "--split-by", "Reports To", "--yes",
            ])
        #expect(result.stdout.contains("No file for 1 Reports To value (Renée Côté)"), "\(result.stdout)")
        #expect(!fixture.exists("january.results.renee-cote.xlsx"), "\(fixture.files())")
        let sam = try WrittenWorkbook(path: fixture.path("january.results.sam-ortiz.xlsx"))
        #expect(sam.records.compactMap { $0["First Name"]?.text } == ["Di", "Fay"], "\(sam.records)")
        let manifest = try WrittenCSV.rows(at: fixture.path("january.managers.csv"))
        #expect(manifest.map { $0["Reports To"] } == ["Sam Ortiz"])
    }

    /// A Workday export whose Preferred Name is blank for most people: every row of a manager's
    /// file still names the person, by the preferred first name where there is one.
    @Test func everyRowOfAManagersFileNamesThePerson() async throws {
        _ = fixture.write(
            "workday.csv",
            """
            Employee ID,Legal First Name,Legal Last Name,Preferred Name,Work Email,Manager
            E1,Kimberly,Allen,Kim Allen,kim@acme.example,Dee Park
            E2,Robert,Ng,,bob@acme.example,Dee Park
            E3,Li,Wei,,li@acme.example,Dee Park

            """)
        let result = try await run(
            [
                "send", "workday.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name",
                "HR",
                "--split-by", "Manager", "--yes",
            ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let book = try WrittenWorkbook(path: fixture.path("workday.results.dee-park.xlsx"))
        #expect(book.header.prefix(2) == ["First Name", "Last Name"])
        #expect(book.records.map { $0["First Name"]?.text } == ["Kim", "Robert", "Li"])
        #expect(book.records.map { $0["Last Name"]?.text } == ["Allen", "Ng", "Wei"])
        // Goody emailed each of them their gift: the manager's link is for reference, and says so.
        #expect(
            book.records.allSatisfy {
                $0["Status"]?.text == "Emailed to them by Goody (the link is for your reference)"
            }, "\(book.records.map { $0["Status"]?.text })")
    }

    /// HR's list has each manager's email when the input has a manager email column, to attach
    /// each file without looking it up.
    @Test func hrsListHasTheManagersEmail() async throws {
        _ = fixture.write(
            "team.csv",
            """
            First Name,Last Name,Work Email,Manager,Manager Email
            Ana,Lee,ana@acme.example,Dee Park,dee@acme.example
            Bo,Wu,bo@acme.example,Dee Park,
            Cy,Ng,cy@acme.example,Eve Stone,eve@acme.example

            """)
        let result = try await run(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--split-by", "Manager", "--yes",
            ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let manifest = try WrittenCSV.rows(at: fixture.path("team.managers.csv"))
        #expect(manifest.map { $0["Manager Email"] } == ["dee@acme.example", "eve@acme.example"], "\(manifest)")
        #expect(manifest.map { $0["People"] } == ["2", "1"])
        // The manager's email is not a recipient's: nobody's gift goes to it.
        let validated = try await run(["validate", "team.csv", "--send-method", "email_and_link"])
        #expect(validated.stdout.contains("Manager Email  → manager_email"), "\(validated.stdout)")
        #expect(validated.stdout.contains("Work Email     → email"), "\(validated.stdout)")
    }
}
