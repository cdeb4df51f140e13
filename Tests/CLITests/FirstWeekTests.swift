import Foundation
import GoodyBatchTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 12: a people-ops person's first week, through the built binary: exports read as their
/// HR system wrote them, files HR really has, and a CLI that says what to do.
struct FirstWeekTests {
    let fixture = Fixture()

    private func run(_ arguments: [String]) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments, in: fixture.directory.path,
            environment: ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state")])
    }

    /// A Workday export as "Export to CSV" writes it: prefixed headers, no --map needed; a
    /// "T-shirt size" is not taken for variants; a foreign phone is left out, the gift still goes.
    @Test func aWorkdayExportNeedsNoMap() async throws {
        _ = fixture.write(
            "workday.csv",
            """
            Employee ID,Legal Name - First Name,Legal Name - Last Name,Preferred Name - First Name,Primary Work Email,Primary Home Address - Address Line 1,Primary Home Address - City,Primary Home Address - State/Province,Primary Home Address - Postal Code,Primary Home Address - Country,Emergency Contact - Phone,Manager,T-shirt size,Personal Phone
            E1,Ann,Lee,Annie,ann@acme.example,1 Main St,Boston,MA,2134,United States,617-555-0100,Sam,L,+33 6 12 34 56 78

            """)
        let result = try await run(["validate", "workday.csv", "--send-method", "direct_send"])
        #expect(result.exitCode == 0, "\(result.stderr)\(result.stdout)")
        let out = result.stdout
        #expect(out.contains("Legal Name - First Name       → first_name"))
        #expect(out.contains("Preferred Name - First Name   → preferred_name"))
        #expect(out.contains("Primary Home Address - Post…  → postal_code"))
        #expect(out.contains("T-shirt size                    kept as is"))
        #expect(out.contains("Emergency Contact - Phone       kept as is"))
        #expect(out.contains("Personal Phone                → phone"))
        #expect(out.contains("is not a valid US phone number"))
        #expect(out.contains("so it is left out; the gift still goes"))
        #expect(out.contains("Every row can be sent."))
    }

    @Test func aMissingFieldSuggestsTheLikelyColumnAndTheCampaignFileKeepsTheMapping() async throws {
        _ = fixture.write("team.csv", "Given,Work E-mail Addr (Main)\nAnn,ann@acme.example\n")
        let missing = try await run(["validate", "team.csv", "--send-method", "email_and_link"])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("Did you mean --map email=\"Work E-mail Addr (Main)\"?"))

        _ = fixture.write(
            "campaign.yaml",
            """
            send_method: email_and_link
            product: Succulent Trio
            from_name: People Team
            columns:
              first_name: Given
              email: Work E-mail Addr (Main)

            """)
        let plan = try await run(["plan", "team.csv", "--campaign", "campaign.yaml"])
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("Rows       1 read: 1 will be sent in 1 batch, 0 rejected"))

        _ = fixture.write("bad.yaml", "columns:\n  shoe_size: Size\n")
        let bad = try await run(["plan", "team.csv", "--campaign", "bad.yaml"])
        #expect(bad.exitCode == 2)
        #expect(bad.stderr.contains("columns: unknown field \"shoe_size\""))
    }

    /// A payroll export with one name column: split, and each split shown.
    @Test func aFullNameColumnIsSplit() async throws {
        _ = fixture.write(
            "payroll.csv", "Employee Name,Email\n\"Lee, Ann\",ann@acme.example\nBen Okafor,ben@acme.example\n")
        let result = try await run(["validate", "payroll.csv", "--send-method", "email_and_link"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("first and last names are split from \"Employee Name\""))
        #expect(
            result.stdout.contains(
                "line 2, column A (Employee Name): \"Lee, Ann\" is read as first name \"Ann\", last name \"Lee\""))
    }

    /// A header alone is no list of recipients: exit 2, and the footer below it is named.
    @Test func aFileWithNoDataRowsIsAnInputProblemAndFootersAreSkipped() async throws {
        _ = fixture.write("empty.csv", "First Name,Email\n\nTotal: 0\n")
        let empty = try await run(["validate", "empty.csv", "--send-method", "email_and_link"])
        #expect(empty.exitCode == 2)
        #expect(
            empty.stderr.contains(
                "no recipients: the header is line 1 and there are no data rows below it (line 2 is blank, line 3 is a footer (\"Total: 0\"))"
            ))

        _ = fixture.write("footer.csv", "First Name,Email\nAnn,ann@acme.example\nTotal: 1\n")
        let footer = try await run(["validate", "footer.csv", "--send-method", "email_and_link"])
        #expect(footer.exitCode == 0, "\(footer.stdout)")
        #expect(footer.stdout.contains("Skipped    line 3 (footer: \"Total: 1\")"))
    }

    /// A workbook as Excel saves it: a title row, numbers where ZIP codes were, a date, an
    /// empty row Excel left out, a cell with a line break. Findings name the sheet's own row and
    /// column letter.
    @Test func anExcelWorkbookIsReadDirectly() async throws {
        try WorkbookFixture.write(
            fixture.path("team.xlsx"),
            sheets: [
                (
                    "Employees",
                    [
                        (1, ["Work Anniversaries – Q1"]),
                        (3, ["First Name", "Last Name", "Email", "Street", "City", "State", "ZIP", "Hire Date"]),
                        (
                            4,
                            [
                                "Ann", "Lee", "ann@acme.example", "1 Main St", "Boston", "MA", .number("2134"),
                                .date(46082),
                            ]
                        ),
                        (
                            5,
                            [
                                "Ben", "Okafor", "ben@acme.example", "2 Elm St\nApt 4", "Newark", "NJ", .number("7102"),
                                .empty,
                            ]
                        ),
                        (7, ["Cy", "Wu", "cy@acme", .empty, "Austin", "TX", .number("73301"), .date(46100)]),
                    ]
                ),
                ("Team B", [(1, ["First Name", "Email"]), (2, ["Di", "di@acme.example"])]),
            ])
        let result = try await run(["validate", "team.xlsx", "--send-method", "direct_send"])
        #expect(result.exitCode == 1, "\(result.stderr)")
        let out = result.stdout
        #expect(
            out.contains(
                "Sheet      \"Employees\" (1 of 2: \"Employees\", \"Team B\"; --sheet chooses); lines are its rows"))
        #expect(out.contains("Header     line 3; skipped above it: line 1 \"Work Anniversaries – Q1\""))
        #expect(out.contains("line 4, column G (ZIP): \"2134\" repaired to 02134"))
        #expect(out.contains("line 7, column D (Street): the street address is empty"))
        // An optional email Goody would refuse is left out; that alone never costs a gift.
        #expect(out.contains("line 7, column C (Email): \"cy@acme\" is not an email address"))
        #expect(out.contains("so it is left out; the gift still goes"))
        #expect(out.contains("Rows       3 read: 0 OK, 2 with warnings only, 1 with errors"))
        #expect(out.contains("Skipped    line 6 (blank)"))
        #expect(!out.contains("fewer values"), "Excel leaves out empty cells at a row's end")
        let rejected = try WrittenCSV.rows(at: fixture.path("team.rejected.csv"))
        #expect(rejected.first?["Hire Date"] == "2026-03-19")
        #expect(rejected.first?["ZIP"] == "73301")

        let second = try await run(["validate", "team.xlsx", "--send-method", "email_and_link", "--sheet", "team b"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stdout.contains("Rows       1 read: 1 OK"))

        let missing = try await run(["validate", "team.xlsx", "--send-method", "email_and_link", "--sheet", "Payroll"])
        #expect(missing.exitCode == 2)
        #expect(
            missing.stderr.contains(
                "team.xlsx has no sheet named \"Payroll\". Its sheets are: \"Employees\", \"Team B\""))
    }

    /// Excel for Mac's "CSV (Macintosh)" is read as Mac Roman; bytes that read about as well
    /// either way get a warning naming both readings and the --encoding that fixes it.
    @Test func macRomanIsRecognisedAndAmbiguousBytesAreNamed() async throws {
        fixture.write(
            "mac.csv",
            bytes: Array("First Name,Last Name,Email\n".utf8) + [0x4A, 0x6F, 0x73, 0x8E] + Array(",M".utf8) + [0x9F]
                + Array("ller,jose@acme.example\n".utf8))
        let mac = try await run(["validate", "mac.csv", "--send-method", "email_and_link", "--rejected", ""])
        #expect(mac.exitCode == 0, "\(mac.stderr)")
        #expect(mac.stdout.contains("so they were read as Mac Roman"))
        #expect(!mac.stdout.contains("could also be"))
        _ = fixture.write(
            "mac.campaign.yaml", "send_method: email_and_link\nproduct: Succulent Trio\nfrom_name: People\n")
        let plan = try await run(["plan", "mac.csv", "--campaign", "mac.campaign.yaml", "--json"])
        #expect(plan.exitCode == 0)

        fixture.write(
            "either.csv",
            bytes: Array("First Name,Last Name,Email\n".utf8) + [0x8A] + Array("imon,Nov".utf8) + [0xE1]
                + Array("k,s@acme.example\n".utf8))
        let either = try await run(["validate", "either.csv", "--send-method", "email_and_link"])
        #expect(
            either.stdout.contains(
                "They could also be Mac Roman: line 2 reads \"Šimon\" as Windows-1252, \"äimon\" as Mac Roman; if the second is right, add --encoding mac-roman"
            ))
        let fixed = try await run([
            "validate", "either.csv", "--send-method", "email_and_link", "--encoding", "mac-roman",
        ])
        #expect(fixed.stdout.contains("Encoding   Mac Roman (set by --encoding)"))
    }

    /// "JosÃ©" is flagged on its row with the name it was meant to be.
    @Test func doubleEncodedNamesAreFlaggedWithTheRepair() async throws {
        _ = fixture.write(
            "twice.csv", "First Name,Last Name,Email\nJosÃ©,MÃ¼ller,jose@acme.example\nZoë,Smith,z@acme.example\n")
        let result = try await run(["validate", "twice.csv", "--send-method", "email_and_link"])
        #expect(result.exitCode == 0)
        #expect(
            result.stdout.contains(
                "line 2, column A (First Name): \"JosÃ©\" looks saved as UTF-8 twice; it is probably \"José\""))
        #expect(result.stdout.contains("it is probably \"Müller\""))
        #expect(!result.stdout.contains("Zoë\" looks"))
    }

    /// Setup mistakes are one message with the choices, not one error per row; the plan table
    /// groups identical batches and says which payment method pays; `plan` takes `send`'s options.
    @Test func setupMistakesAreOneMessageAndThePlanReadsAtAGlance() async throws {
        _ = fixture.write(
            "team.csv",
            "First Name,Email,Manager\n"
                + (0..<25).map { "P\($0),p\($0)@acme.example,M\($0 % 2)" }.joined(separator: "\n") + "\n")
        let noProduct = try await run(["plan", "team.csv", "--send-method", "email_and_link", "--from-name", "HR"])
        #expect(noProduct.exitCode == 2)
        #expect(noProduct.stderr.contains("No product is set. Add --product NAME"))
        #expect(noProduct.stderr.contains("\"Cookie Box\""))
        #expect(noProduct.stderr.split(separator: "\n").count == 1, "one message, not one per row")

        let plan = try await run([
            "plan", "team.csv", "--send-method", "email_and_link", "--from-name", "HR", "--product", "Cookie Box",
            "--batch-size", "5", "--yes", "--split-by", "manager", "--history-days", "30",
        ])
        #expect(plan.exitCode == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("  1–5    5 × 5       Cookie Box"))
        #expect(plan.stdout.contains("the account's default payment method; --payment-method chooses another"))
        #expect(
            plan.stdout.contains("Manager files: one per Manager (xlsx and csv), listed for HR in team.managers.xlsx"))
    }

    @Test func campaignFileMistakesNameTheirLineAndColumn() async throws {
        _ = fixture.write("team.csv", "First Name,Email\nAnn,ann@acme.example\n")
        _ = fixture.write("campaign.yaml", "send_method: email_and_link\nproduct: [Cookie Box\nfrom_name: HR\n")
        let result = try await run(["plan", "team.csv", "--campaign", "campaign.yaml"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("campaign.yaml: line 3, column"))
        #expect(result.stderr.contains("which started at line 2"))
    }

    @Test func runsJSONDatesAreISO8601() async throws {
        _ = fixture.write("team.csv", "First Name,Email\nAnn,ann@acme.example\n")
        _ = try await run([
            "send", "team.csv", "--send-method", "email_and_link", "--from-name", "HR", "--product", "Cookie Box",
            "--yes",
        ])
        let runs = try await run(["runs", "--json"])
        #expect(runs.stdout.contains(/"created":"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ"/))
    }

    /// Ctrl-C while planning stops at once and says nothing was created.
    @Test func ctrlCBeforeAnythingIsCreatedSaysSo() async throws {
        _ = fixture.write("team.csv", "First Name,Email\nAnn,ann@acme.example\n")
        let emulator = try await ExternalEmulator.start(arguments: ["--latency-ms", "3000"])
        defer { emulator.kill() }
        let sender = try CLIRunner.start(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--from-name", "HR", "--product", "Cookie Box",
                "--yes", "--api-url", emulator.url.absoluteString,
            ], in: fixture.directory.path,
            environment: ["GOODY_API_KEY": emulator.apiKey, "XDG_STATE_HOME": fixture.path("state")])
        try await Task.sleep(for: .milliseconds(800))
        sender.signal(SIGINT)
        let result = sender.wait()
        #expect(result.exitCode == 130)
        #expect(result.stderr.contains("stopped (Ctrl-C) before anything was created; nothing was sent"))
    }

    /// A row that cannot be split keeps its text: the rejected file holds the broken value and
    /// the rest of its line, as written, in that column, the error names that column and value,
    /// extra values never push the error out of its column, and `inspect` marks such rows. A quote
    /// inside an unquoted value is read as written (as Excel does), not a broken row.
    @Test func nothingIsLostFromABrokenRow() async throws {
        _ = fixture.write(
            "team.csv",
            "First Name,Last Name,Email,City\nAnn,Lee,ann@acme.example,Boston\n\"Robert\" Bob Smith,Jones,bob@acme.example,Austin\nCy,Wu,cy@acme.example,Denver,extra,more\nRoberta \"Bobbie\" Ray,Ode,bobbie@acme.example,Reno\n"
        )
        let result = try await run(["validate", "team.csv", "--send-method", "email_and_link"])
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("line 3, column A (First Name): a quotation mark"))
        #expect(result.stdout.contains("value: \"Robert\" Bob Smith,Jones,bob@acme.example,Austin"))
        #expect(result.stdout.contains("2 OK"))
        let rejected = try WrittenCSV.rows(at: fixture.path("team.rejected.csv"))
        try #require(rejected.count == 2)
        #expect(rejected[0]["First Name"] == "\"Robert\" Bob Smith,Jones,bob@acme.example,Austin")
        #expect(rejected[0]["error"]?.hasPrefix("line 3: column A (First Name)") == true)
        #expect(rejected[1]["error"]?.hasPrefix("line 4: the row has 6 values") == true)
        #expect(rejected[1]["City"] == "Denver")

        let inspect = try await run(["inspect", "team.csv"])
        #expect(inspect.stdout.contains("line 3  ⚠ not split reliably: a stray quotation mark in column A"))
        #expect(inspect.stdout.contains("line 4  ⚠ not split reliably: 6 values, but the header has 4 columns"))
        #expect(!inspect.stdout.contains("line 2  ⚠"))
    }

    /// The sample workbook (samples/workday-anniversaries.xlsx), as a new user would try it:
    /// Workday's headers, a title row, a cell with a line break, a footer, ZIP codes Excel kept
    /// as numbers; every finding on the sheet's own row.
    @Test func theSampleWorkbookReadsAsExcelShowsIt() async throws {
        _ = try sample("workday-anniversaries.xlsx", into: fixture)
        let result = try await run(["validate", "workday-anniversaries.xlsx", "--send-method", "direct_send"])
        #expect(result.exitCode == 1)
        let out = result.stdout
        #expect(out.contains("Header     line 3; skipped above it: line 1 \"Worker Gift Report - Work Anniversaries\""))
        #expect(out.contains("Skipped    line 8 (footer: \"Total Workers: 4\")"))
        #expect(out.contains("line 7, column F (Primary Home Address - Address Line 1): the street address is empty"))
        #expect(out.contains("line 5, column I (Primary Home Address - Postal Code): \"7102\" repaired to 07102"))
        #expect(
            out.contains(
                "line 6, column H (Primary Home Address - State/Province): \"Texas\" written as its USPS code TX"))
    }
}
