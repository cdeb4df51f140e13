import Foundation
import GoodyBatchTestSupport
import Testing

/// What a new user meets in their first hour with real exports (issue 22), through the built
/// binary.
struct FirstHourTests {
    let fixture = Fixture()

    var simulated: [String: String] { ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state")] }

    func run(_ arguments: [String]) async throws -> CommandResult {
        try await CLIRunner.running(arguments, in: fixture.directory.path, environment: simulated)
    }

    /// Whatever the exit code, `--json` prints one JSON document, and a problem is an object
    /// with what went wrong and where.
    @Test(.timeLimit(.minutes(2)))
    func everyJSONOutputIsValidJSONWhateverTheExitCode() async throws {
        fixture.write("open.csv", "First Name,Email\nAna,ana@acme.example\nBen,\"never closed\nCy,cy@acme.example\n")
        fixture.write("nocolumn.csv", "Given,Mail\nAna,ana@acme.example\n")
        let plan = ["--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR"]
        let cases: [(arguments: [String], exit: Int32, code: String?, line: Int?)] = [
            (["validate", "open.csv", "--send-method", "email_and_link", "--json"], 2, "unterminated_quote", 3),
            (["validate", "missing.csv", "--send-method", "email_and_link", "--json"], 2, "cannot_open", nil),
            (["validate", "nocolumn.csv", "--send-method", "email_and_link", "--json"], 2, nil, 1),
            (["inspect", "open.csv", "--json"], 2, "unterminated_quote", 3),
            (["plan", "open.csv", "--json"] + plan, 2, "unterminated_quote", 3),
            (["send", "nocolumn.csv", "--json", "--yes"] + plan, 2, nil, 1),
            (["validate", "open.csv", "--json"], 64, nil, nil),
            (["status", "r000000000", "--json"], 2, nil, nil),
        ]
        for (arguments, exit, code, line) in cases {
            let result = try await run(arguments)
            #expect(result.exitCode == exit, "\(arguments): \(result.stderr)")
            let document = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
            let error = try #require(
                ((document as? [String: Any]) ?? (document as? [[String: Any]])?.last)?["error"] as? [String: Any],
                "\(arguments): \(result.stdout)")
            #expect(error["exit_code"] as? Int == Int(exit), "\(arguments)")
            #expect((error["message"] as? String)?.isEmpty == false, "\(arguments)")
            #expect(error["code"] as? String == code, "\(arguments): \(error)")
            #expect(error["line"] as? Int == line, "\(arguments): \(error)")
            if line != nil { #expect(error["file"] as? String == arguments[1], "\(arguments)") }
        }
        // A command that succeeds, or ends with rejected rows, prints its document and no error.
        let rejected = try await run([
            "validate", "nocolumn.csv", "--send-method", "link_multiple_custom_list", "--json", "--map",
            "first_name=Given",
        ])
        #expect(rejected.exitCode == 0, "\(rejected.stderr)")
        let whole = try #require(try JSONSerialization.jsonObject(with: Data(rejected.stdout.utf8)) as? [String: Any])
        #expect(whole["error"] == nil && whole["report"] != nil)
    }

    func rows(_ file: String, _ extra: [String] = []) async throws -> [[String: String]] {
        let result = try await run(["inspect", file, "--json"] + extra)
        #expect(result.exitCode == 0, "\(file): \(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
    }

    /// Google Sheets' "Download → CSV": CRLF line breaks, values quoted only when needed, and no
    /// line break after the last row, which here ends with a quoted value.
    @Test func aGoogleSheetsDownloadEndingInAQuotedValueIsRead() async throws {
        fixture.write(
            "sheet.csv",
            "First Name,Last Name,Email,Note\r\nAna,Lee,ana@acme.example,x\r\nBo,Wu,bo@acme.example,\"Cookies, please\""
        )
        let result = try await run(["validate", "sheet.csv", "--send-method", "email_and_link"])
        #expect(result.exitCode == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("2 read: 2 OK"), "\(result.stdout)")
        #expect(try await rows("sheet.csv").last?["Note"] == "Cookies, please")
    }

    /// A quote inside an unquoted value (Excel writes `5'10" tall` as is when saving without
    /// quoting) and a backslash-escaped quote (PHP's and MySQL's CSV) keep their value.
    @Test func quotesInsideValuesAreKeptAsWritten() async throws {
        fixture.write(
            "export.csv",
            "First Name,Last Name,Email,Nickname\nAna,Lee,ana@acme.example,say \"hi\" now\nBo,Wu,bo@acme.example,\"the \\\"boss\\\" himself\"\n"
        )
        let result = try await run(["validate", "export.csv", "--send-method", "email_and_link"])
        #expect(result.exitCode == 0, "\(result.stdout)")
        #expect(try await rows("export.csv").map { $0["Nickname"] } == ["say \"hi\" now", "the \"boss\" himself"])
    }

    /// A header in another language names no known column, and a data row holds the word
    /// "Email" (how each person wants to be reached): the header is still the row of names, so
    /// nobody above that data row is skipped.
    @Test func aDataRowWithColumnWordsIsNeverTakenForTheHeader() async throws {
        fixture.write(
            "fr.csv",
            """
            Prénom,Nom,Courriel,Préférence
            Ana,Lee,ana@acme.example,Email
            Bo,Wu,bo@acme.example,Phone
            Cy,Ng,cy@acme.example,Email

            """)
        let inspect = try await run(["inspect", "fr.csv"])
        #expect(inspect.stdout.contains("Header     line 1\n"), "\(inspect.stdout)")
        let mapped = try await run(
            [
                "validate", "fr.csv", "--send-method", "email_and_link", "--map", "first_name=Prénom", "--map",
                "email=Courriel",
            ])
        #expect(mapped.exitCode == 0, "\(mapped.stdout)\(mapped.stderr)")
        #expect(mapped.stdout.contains("3 read: 3 OK"), "\(mapped.stdout)")
        // When the best header is below rows that look like data, that is said, with the way out.
        fixture.write(
            "two.csv",
            """
            Vorname,Nachname,Adresse,Kontakt
            Ana,Lee,ana@acme.example,Email
            First Name,Last Name,Email,Phone
            Cy,Ng,cy@acme.example,555-0100

            """)
        let two = try await run(["validate", "two.csv", "--send-method", "email_and_link"])
        #expect(
            two.stdout.contains(
                "the header was taken to be line 3, so line 2 above it, which looks like data (\"Ana, Lee, ana@acme.example\"), is skipped. If the header is another line, name it with --header-line N."
            ), "\(two.stdout)")
    }

    /// Someone typed a note in the column right of the last named one, and another row has a
    /// cell left empty at its end: in a workbook neither is a broken row. The note is kept as
    /// column "F" in what is written back, and nobody is rejected for it.
    @Test func aNoteInAnUnlabelledWorkbookColumnIsKept() async throws {
        try WorkbookFixture.write(
            fixture.path("team.xlsx"),
            sheets: [
                (
                    "Team",
                    [
                        (1, ["First Name", "Last Name", "Email", "Department", .empty]),
                        (2, ["Ana", "Lee", "ana@acme.example", "Sales", .empty, "allergic to nuts"]),
                        (3, ["Bo", "Wu", "bo@acme", "Ops"]),
                        (4, ["Cy", "Ng", "cy@acme.example"]),
                    ]
                )
            ])
        let result = try await run(["validate", "team.xlsx", "--send-method", "email_and_link"])
        #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("3 read: 2 OK"), "\(result.stdout)")
        #expect(result.stdout.contains("  F  F "), "\(result.stdout)")
        #expect(!result.stdout.contains("not split reliably"), "\(result.stdout)")
        #expect(!result.stdout.contains("quote"), "\(result.stdout)")
        let rejected = try WrittenCSV.rows(at: fixture.path("team.rejected.csv"))
        #expect(rejected.map { $0["First Name"] } == ["Bo"])
        #expect(rejected.first?.keys.contains("F") == true)

        let plan = try await run(
            [
                "plan", "team.xlsx", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--no-rejected",
            ])
        #expect(plan.stdout.contains("3 read: 2 will be sent"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("team.rejected"), "\(plan.stdout)")
    }

    /// The README teaches fixing rows in the rejected file: a later `validate` or `plan` of the
    /// original never writes over those fixes, and a file goody-batch wrote and nobody touched
    /// is still replaced (and removed once no row fails).
    @Test func aRejectedFileSomeoneEditedIsNeverWrittenOver() async throws {
        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\nBo,bo@acme\n")
        let method = ["--send-method", "email_and_link"]
        _ = try await run(["validate", "team.csv"] + method)
        let again = try await run(["validate", "team.csv"] + method)
        #expect(again.stdout.contains("Rejected rows were written to team.rejected.csv"), "\(again.stdout)")
        let written = try String(contentsOfFile: fixture.path("team.rejected.csv"), encoding: .utf8)
        let fixed = written.replacingOccurrences(of: "\"bo@acme\",", with: "\"bo@acme.example\",")
        #expect(fixed != written)
        try fixed.write(toFile: fixture.path("team.rejected.csv"), atomically: true, encoding: .utf8)

        let plan = try await run(
            ["plan", "team.csv", "--product", "Cookie Box", "--from-name", "HR"] + method)
        #expect(
            plan.stdout.contains(
                "team.rejected.csv was changed after goody-batch wrote it (your fixes?), so it was left as it is."),
            "\(plan.stdout)")
        #expect(plan.stdout.contains("Rows rejected by validation are in team.rejected-2.csv."), "\(plan.stdout)")
        #expect(try String(contentsOfFile: fixture.path("team.rejected.csv"), encoding: .utf8) == fixed)
        let quiet = try await run(
            ["plan", "team.csv", "--product", "Cookie Box", "--from-name", "HR", "--no-rejected"] + method)
        #expect(quiet.exitCode == 1, "\(quiet.stderr)")
        #expect(!quiet.stdout.contains("team.rejected"), "\(quiet.stdout)")

        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\nBo,bo@acme.example\n")
        let clean = try await run(["validate", "team.csv"] + method)
        #expect(clean.stdout.contains("(Removed team.rejected-2.csv from an earlier run"), "\(clean.stdout)")
        #expect(!FileManager.default.fileExists(atPath: fixture.path("team.rejected-2.csv")))
        #expect(try String(contentsOfFile: fixture.path("team.rejected.csv"), encoding: .utf8) == fixed)
    }

    /// A path with spaces and brackets: the command printed for the next step pastes as it is,
    /// and the same path typed without quotes is explained, not just "unexpected arguments".
    @Test func pathsWithSpacesArePrintedQuotedAndExplainedWhenUnquoted() async throws {
        fixture.write("My Team (Q1).csv", "First Name,Email\nAna,ana@acme.example\nBo,bo@acme\n")
        let result = try await run(["validate", "My Team (Q1).csv", "--send-method", "email_and_link"])
        #expect(
            result.stdout.contains("  goody-batch validate 'My Team (Q1).rejected.csv' --send-method email_and_link"),
            "\(result.stdout)")
        let unquoted = try await run(["validate", "My", "Team", "(Q1).csv", "--send-method", "email_and_link"])
        #expect(unquoted.exitCode == 64)
        #expect(
            unquoted.stderr.contains(
                "3 words were given where one file name goes: a name with spaces or brackets must be in quotes, for example 'My Team (Q1).csv'."
            ), "\(unquoted.stderr)")
    }

    /// A workbook written by the .NET Open XML SDK, every element prefixed (`<x:workbook>`,
    /// `<x:sheet>`, `<x:c>`), reads exactly like the same workbook written by Excel.
    @Test func aWorkbookWithPrefixedXMLReadsLikeExcels() async throws {
        let rows: [(Int, [WorkbookFixture.Cell])] = [
            (1, ["First Name", "Last Name", "Email"]), (2, ["Ana", "Lee", "ana@acme.example"]),
            (3, ["Bo", "Wu", .inline("bo@acme.example")]),
        ]
        try WorkbookFixture.write(fixture.path("excel.xlsx"), sheets: [("Staff", rows)])
        try WorkbookFixture.write(fixture.path("dotnet.xlsx"), sheets: [("Staff", rows)], prefix: "x")
        let excel = try await run(["validate", "excel.xlsx", "--send-method", "email_and_link"])
        let dotnet = try await run(["validate", "dotnet.xlsx", "--send-method", "email_and_link"])
        #expect(dotnet.exitCode == 0, "\(dotnet.stdout)\(dotnet.stderr)")
        #expect(dotnet.stdout.contains("2 read: 2 OK"), "\(dotnet.stdout)\(dotnet.stderr)")
        #expect(dotnet.stdout.contains("Sheet      Staff") || dotnet.stdout.contains("Staff"), "\(dotnet.stdout)")
        #expect(
            dotnet.stdout.replacingOccurrences(of: "dotnet.xlsx", with: "excel.xlsx") == excel.stdout,
            "\(dotnet.stdout)")
    }

    /// A chart moved to its own sheet before the data, and an empty first sheet: the rows are
    /// read from the first worksheet, and an empty first sheet names the sheet that has them.
    @Test func chartSheetsAndAnEmptyFirstSheetPointToTheData() async throws {
        let staff: (name: String, rows: [(Int, [WorkbookFixture.Cell])]) = (
            "Staff", [(1, ["First Name", "Email"]), (2, ["Ana", "ana@acme.example"])]
        )
        try WorkbookFixture.write(
            fixture.path("chart.xlsx"), sheets: [("Spend chart", []), staff], charts: ["Spend chart"])
        let chart = try await run(["validate", "chart.xlsx", "--send-method", "email_and_link"])
        #expect(chart.exitCode == 0, "\(chart.stdout)\(chart.stderr)")
        #expect(chart.stdout.contains("1 read: 1 OK"), "\(chart.stdout)")
        let named = try await run(
            ["validate", "chart.xlsx", "--sheet", "Spend chart", "--send-method", "email_and_link"])
        #expect(named.exitCode == 2)
        #expect(
            named.stderr.contains(
                "chart.xlsx: sheet \"Spend chart\" is a chart, with no rows to read. Its sheets with rows are: \"Staff\". Choose one with --sheet."
            ), "\(named.stderr)")

        try WorkbookFixture.write(fixture.path("blank.xlsx"), sheets: [("Sheet1", []), staff])
        let blank = try await run(["validate", "blank.xlsx", "--send-method", "email_and_link"])
        #expect(blank.exitCode == 2)
        #expect(
            blank.stderr.contains(
                "blank.xlsx: the first sheet, \"Sheet1\", is empty; the rows are on \"Staff\". Choose that sheet with --sheet Staff."
            ), "\(blank.stderr)")
        let chosen = try await run(["validate", "blank.xlsx", "--sheet", "Staff", "--send-method", "email_and_link"])
        #expect(chosen.exitCode == 0, "\(chosen.stdout)\(chosen.stderr)")
    }

    /// A mistake in the message is said in words with where it is, never as library internals.
    @Test func aMessageMistakeIsExplainedInWords() async throws {
        fixture.write("a.csv", "First Name,Email\nAna,ana@acme.example\n")
        let result = try await run(
            [
                "plan", "a.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--message", "Hi {{first_name}, welcome",
            ])
        #expect(result.exitCode == 2)
        #expect(
            result.stderr.contains(
                "The message is not a valid template: a placeholder is not closed with }} or its name has a character names cannot have (at character 16 of the message: \"Hi {{first_name}, welcome\")."
            ), "\(result.stderr)")
        #expect(!result.stderr.contains("ParserError"))
        #expect(!result.stderr.contains("Mustache"))
    }

    /// Excel's `~$` owner file beside an open workbook is named for what it is, with the file
    /// to give instead.
    @Test func excelsLockFileIsNamedForWhatItIs() async throws {
        fixture.write("~$team.xlsx", bytes: [0x0B] + Array("Jane Doe".utf8) + [UInt8](repeating: 0x20, count: 45))
        let result = try await run(["validate", "~$team.xlsx", "--send-method", "email_and_link"])
        #expect(result.exitCode == 2)
        #expect(
            result.stderr.contains(
                "~$team.xlsx is the lock file Excel keeps while team.xlsx is open in Excel, not a spreadsheet. Give team.xlsx instead"
            ), "\(result.stderr)")
        #expect(!result.stderr.contains("not a CSV file"))
    }

    /// A workbook small on disk whose cells expand to gigabytes (one long shared string in
    /// thousands of cells, or a cell at the last column padding every row) is refused once its
    /// values pass the bound, with what to do, instead of keeping the reader busy for minutes.
    @Test(.timeLimit(.minutes(2)))
    func aWorkbookThatExpandsFarBeyondItsSizeIsRefused() async throws {
        let long = String(repeating: "Remember to ask about dietary needs. ", count: 2_800)  // about 100 KiB
        func notes(_ rows: Int) -> [(Int, [WorkbookFixture.Cell])] {
            [(1, ["First Name", "Email", "Notes"])]
                + (2...rows + 1).map { ($0, ["Ana", "a@acme.example", .text(long)]) }
        }
        // 500 cells of it come to 50 MiB.
        try WorkbookFixture.write(fixture.path("notes.xlsx"), sheets: [("Team", notes(500))])
        let refused = try await run(["validate", "notes.xlsx", "--send-method", "email_and_link"])
        #expect(refused.exitCode == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(
            refused.stderr.contains("notes.xlsx: sheet \"Team\" expands past 16 MiB of values by row "),
            "\(refused.stderr)")
        #expect(refused.stderr.contains("Delete the repeated text or the stray cell, or export the rows as CSV UTF-8."))

        // One stray cell in the last column (XFD) pads all 3,000 rows to 16,384 columns.
        let stray: [WorkbookFixture.Cell] = Array(repeating: .empty, count: 16_383) + ["x"]
        try WorkbookFixture.write(
            fixture.path("wide.xlsx"),
            sheets: [
                (
                    "Team",
                    [(1, ["First Name", "Email"]), (2, stray)] + (3...3_000).map { ($0, ["Bo", "bo@acme.example"]) }
                )
            ])
        let wide = try await run(["validate", "wide.xlsx", "--send-method", "email_and_link"])
        #expect(wide.exitCode == 2, "\(wide.stdout)\(wide.stderr)")
        #expect(wide.stderr.contains("wide.xlsx: sheet \"Team\" expands past 16 MiB"), "\(wide.stderr)")

        // The same long note in a roster of 100 rows reads as usual.
        try WorkbookFixture.write(fixture.path("fine.xlsx"), sheets: [("Team", notes(100))])
        let fine = try await run(["validate", "fine.xlsx", "--send-method", "email_and_link"])
        #expect(fine.stdout.contains("100 read"), "\(fine.stdout)\(fine.stderr)")
    }

    /// Entities that expand to billions of characters ("billion laughs") in a shared string are
    /// refused as a damaged workbook, quickly.
    @Test(.timeLimit(.minutes(1)))
    func entityExpansionInAWorkbookIsRefused() async throws {
        var entities = "<!ENTITY a0 \"laugh laugh laugh laugh laugh laugh laugh laugh laugh laugh\">"
        for level in 1...9 {
            entities += "<!ENTITY a\(level) \"" + String(repeating: "&a\(level - 1);", count: 10) + "\">"
        }
        let strings =
            "<?xml version=\"1.0\"?><!DOCTYPE sst [\(entities)]><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>First Name</t></si><si><t>&a9;</t></si></sst>"
        try WorkbookFixture.write(
            fixture.path("laughs.xlsx"), sheets: [("Team", [(1, ["First Name"]), (2, ["x"])])],
            replacing: ["xl/sharedStrings.xml": Data(strings.utf8)])
        let result = try await run(["validate", "laughs.xlsx", "--send-method", "link_multiple_custom_list"])
        #expect(result.exitCode == 2, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("laughs.xlsx"), "\(result.stderr)")
        #expect(!result.stdout.contains("laugh laugh"))
    }

    /// An export whose work email was renamed: the tool falls back to the personal address only
    /// with a warning saying so and how to choose, in validate and in the plan an approver sees.
    @Test func aPersonalEmailIsUsedOnlyWithAWarning() async throws {
        fixture.write(
            "team.csv", "First Name,Personal Email,Work E-mail (primary)\nAna,ana@home.example,ana@acme.example\n")
        let warning =
            "⚠ Goody will email each gift to \"Personal Email\" (column B), a personal address: no column is a work email. If the export renamed the work email, choose it with --map email=\"…\""
        let validated = try await run(["validate", "team.csv", "--send-method", "email_and_link"])
        #expect(validated.exitCode == 0, "\(validated.stdout)\(validated.stderr)")
        #expect(validated.stdout.contains(warning), "\(validated.stdout)")
        let plan = try await run(
            ["plan", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR"])
        #expect(plan.stdout.contains(warning), "\(plan.stdout)")
        let json = try await run(["validate", "team.csv", "--send-method", "email_and_link", "--json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let file = try #require((document["report"] as? [String: Any])?["file"] as? [String: Any])
        #expect((file["warnings"] as? [String])?.count == 1)

        // Chosen on purpose, or not emailed by Goody at all: nothing to warn about.
        for arguments in [
            ["--send-method", "email_and_link", "--map", "email=Personal Email"],
            ["--send-method", "link_multiple_custom_list"],
        ] {
            let result = try await run(["validate", "team.csv"] + arguments)
            #expect(!result.stdout.contains("a personal address"), "\(arguments): \(result.stdout)")
        }
        let chosen = try await run(
            ["validate", "team.csv", "--send-method", "email_and_link", "--map", "email=Work E-mail (primary)"])
        #expect(chosen.stdout.contains("C  Work E-mail (primary)  → email"), "\(chosen.stdout)")
        #expect(!chosen.stdout.contains("⚠"), "\(chosen.stdout)")
    }

    /// Workday writes the whole preferred name ("Kim Allen"): people are greeted by its first
    /// word, by the legal name only with --legal-name, and the plan shows each distinct message
    /// in full so the greeting can be checked before anything is sent.
    @Test func greetingsUseThePreferredFirstNameAndThePlanShowsThemInFull() async throws {
        fixture.write(
            "workday.csv",
            """
            Legal First Name,Last Name,Preferred Name,Work Email
            Kimberly,Allen,Kim Allen,kim@acme.example
            Robert,Ng,Bob,bob@acme.example
            Mary,Smith,Mary Ann,mary@acme.example
            Jonathan,Berg,"Berg, Jon",jon@acme.example
            Li,Wei,,li@acme.example

            """)
        let arguments = [
            "plan", "workday.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--card", "Work Anniversary", "--message",
            "Happy work anniversary, {{first_name}}!\nThank you for all you do.",
        ]
        let plan = try await run(arguments)
        #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
        for name in ["Kim", "Bob", "Mary Ann", "Jon", "Li"] {
            #expect(
                plan.stdout.contains("    │ Happy work anniversary, \(name)!\n    │ Thank you for all you do.\n"),
                "\(name): \(plan.stdout)")
        }
        #expect(plan.stdout.contains("Messages (5 distinct)"), "\(plan.stdout)")
        #expect(!plan.stdout.contains("Kim Allen!"))
        #expect(!plan.stdout.contains("Kimberly"))

        let legal = try await run(arguments + ["--legal-name"])
        #expect(legal.stdout.contains("│ Happy work anniversary, Kimberly!"), "\(legal.stdout)")
        #expect(legal.stdout.contains("│ Happy work anniversary, Robert!"), "\(legal.stdout)")

        // A message without placeholders is shown once, in full, with who gets it.
        let plain = try await run(
            Array(arguments.dropLast(2)) + [
                "--message", "Thank you for a wonderful year at Acme, from all of us in People.",
            ])
        #expect(
            plain.stdout.contains(
                "Message\n  5 recipients, batch 1:\n    │ Thank you for a wonderful year at Acme, from all of us in People.\n"
            ),
            "\(plain.stdout)")
    }

    /// A mistyped --split-by or --share column is said with the column meant, before anything
    /// is priced or sent.
    @Test func aMistypedSplitOrShareColumnIsCaughtWithTheColumnMeant() async throws {
        fixture.write("team.csv", "First Name,Email,Manager,Department\nAna,ana@acme.example,Dee,Sales\n")
        let base = ["team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR"]
        for command in ["plan", "send"] {
            let split = try await run([command] + base + ["--split-by", "Manger", "--yes"])
            #expect(split.exitCode == 2, "\(command): \(split.stdout)\(split.stderr)")
            #expect(
                split.stderr.contains(
                    "--split-by Manger: the input has no such column. Did you mean --split-by Manager? Its columns are: \"First Name\", \"Email\", \"Manager\", \"Department\". Nothing was priced or sent."
                ), "\(split.stderr)")
            let share = try await run([command] + base + ["--split-by", "Manager", "--share", "dept", "--yes"])
            #expect(share.exitCode == 2, "\(command): \(share.stdout)\(share.stderr)")
            #expect(
                share.stderr.contains("--share dept: there is no such column. Did you mean --share Department?"),
                "\(share.stderr)")
        }
        let runs = try await run(["runs", "--json"])
        #expect(runs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", "\(runs.stdout)")
    }

    /// `validate --campaign` checks the file as the campaign would send it: its send method and
    /// its columns.
    @Test func validateTakesTheCampaignsMethodAndColumns() async throws {
        fixture.write("team.csv", "Given,Street,Town,State,Zip\nAna,1 Main St,Boston,MA,02134\nBo,,Austin,TX,73301\n")
        fixture.write("campaign.yaml", "send_method: direct_send\nproduct: Cookie Box\ncolumns:\n  first_name: Given\n")
        let result = try await run(["validate", "team.csv", "--campaign", "campaign.yaml"])
        #expect(result.exitCode == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Send method direct_send"), "\(result.stdout)")
        #expect(result.stdout.contains("Given"), "\(result.stdout)")
        #expect(result.stdout.contains("2 read: 1 OK"), "\(result.stdout)")
        let overridden = try await run(
            ["validate", "team.csv", "--campaign", "campaign.yaml", "--send-method", "link_multiple_custom_list"])
        #expect(overridden.exitCode == 0, "\(overridden.stdout)\(overridden.stderr)")
        let neither = try await run(["validate", "team.csv"])
        #expect(neither.exitCode == 64)
        #expect(neither.stderr.contains("--send-method"), "\(neither.stderr)")
    }

    /// The catalogue with prices, variants to pick and shipping limits, searched by words.
    @Test func productsListsTheCatalogue() async throws {
        let cookies = try await run(["products", "cookie"])
        #expect(cookies.exitCode == 0, "\(cookies.stdout)\(cookies.stderr)")
        #expect(cookies.stdout.contains("SIMULATED"))
        #expect(cookies.stdout.contains("Products matching \"cookie\": 2 of 10"), "\(cookies.stdout)")
        #expect(cookies.stdout.contains("  Cookie Box (Crumb & Co)  $35.00"), "\(cookies.stdout)")
        #expect(cookies.stdout.contains("Flavor: pick 1 of Chocolate Chip, Oatmeal Raisin, Snickerdoodle (--variant)"))
        #expect(cookies.stdout.contains("Flavor: pick 3 of Chocolate Chip, Oatmeal Raisin, Snickerdoodle, Sugar"))
        #expect(cookies.stdout.contains("--product 'Six Cookies'"), "\(cookies.stdout)")
        let wine = try await run(["products", "WINE"])
        #expect(wine.stdout.contains("cannot ship to AL, MS, UT"), "\(wine.stdout)")
        let card = try await run(["products", "gift", "card"])
        #expect(card.stdout.contains("$10.00–$500.00, you choose (--amount)"), "\(card.stdout)")
        let none = try await run(["products", "caviar"])
        #expect(none.stdout.contains("No product matches \"caviar\""), "\(none.stdout)")
        let json = try await run(["products", "--json"])
        let all = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(all.count == 10)
        #expect(all.first?["name"] as? String == "Goody Gift Card")  // from $10, the cheapest
    }

    /// A value in a workbook's last column (XFD) gives the header 16,384 columns: a missing
    /// column is still said at once (found by the fuzzer: the "did you mean" search took seconds),
    /// naming a few columns, not all of them.
    @Test(.timeLimit(.minutes(1)))
    func aValueInTheLastColumnDoesNotSlowOrFloodTheMessage() async throws {
        let stray: [WorkbookFixture.Cell] = ["Ana"] + Array(repeating: .empty, count: 16_382) + ["x"]
        try WorkbookFixture.write(fixture.path("far.xlsx"), sheets: [("Team", [(1, ["First Name"]), (2, stray)])])
        let result = try await run(["validate", "far.xlsx", "--send-method", "email_and_link"])
        #expect(result.exitCode == 2, "\(result.stderr)")
        #expect(result.stderr.contains("no column holds email"), "\(result.stderr)")
        #expect(result.stderr.contains("The columns are: \"First Name\", \"B\", \"C\""), "\(result.stderr)")
        #expect(result.stderr.contains(" and 16344 more."), "\(result.stderr)")
        #expect(result.stderr.utf8.count < 2_000)
    }

    /// References no Excel sheet can have (a column past XFD, a row past 1,048,576) are damage,
    /// said as such: found by the fuzzer, they overflowed (a crash) or meant a billion blank rows.
    @Test(.timeLimit(.minutes(1)))
    func referencesBeyondExcelsLimitsAreDamage() async throws {
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        for (name, cells) in [
            (
                "wide",
                #"<row r="1"><c r="A1" t="inlineStr"><is><t>First Name</t></is></c><c r="LLLLLLLLLLLLLLLLLLLL1"><v>1</v></c></row>"#
            ),
            (
                "tall",
                #"<row r="1"><c r="A1" t="inlineStr"><is><t>First Name</t></is></c></row><row r="99999999999"><c r="A2" s="-4"><v>1</v></c></row>"#
            ),
        ] {
            let sheet =
                #"<?xml version="1.0"?><worksheet xmlns="\#(main)"><sheetData>\#(cells)</sheetData></worksheet>"#
            try WorkbookFixture.write(
                fixture.path("\(name).xlsx"), sheets: [("Team", [(1, ["First Name"])])],
                replacing: ["xl/worksheets/sheet1.xml": Data(sheet.utf8)])
            let result = try await run(["validate", "\(name).xlsx", "--send-method", "link_multiple_custom_list"])
            #expect(result.exitCode == 2, "\(name): \(result.stdout)\(result.stderr)")
            #expect(
                result.stderr.contains("\(name).xlsx could not be read as an Excel workbook (its "), "\(result.stderr)")
            #expect(result.stderr.contains("is beyond what an Excel sheet can hold"), "\(result.stderr)")
        }
    }

    /// The built-in emulator's account is never used without its lock: when the lock cannot be
    /// taken, the command says so and runs nothing (it used to go on unlocked).
    @Test func theEmulatorsAccountIsNeverUsedUnlocked() async throws {
        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\n")
        // Something that is not a file where the lock goes.
        try FileManager.default.createDirectory(
            atPath: fixture.path("state/goody-batch/emulator.lock"), withIntermediateDirectories: true)
        let result = try await run(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--yes",
            ])
        #expect(result.exitCode == 6, "a problem of this machine, not of the input")
        #expect(
            result.stderr.contains("cannot lock the built-in emulator's simulated account"), "\(result.stderr)")
        #expect(!fixture.exists("team.results.csv"))
    }
}
