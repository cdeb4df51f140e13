import Foundation
import GoodyBatchTestSupport
import Testing

/// Copies a sample into a private folder, so outputs written beside it stay out of the repository.
func sample(_ name: String, into fixture: Fixture) throws -> String {
    let bytes = try #require(FileManager.default.contents(atPath: Repository.path("samples/\(name)")))
    return fixture.write(name, bytes: Array(bytes))
}

struct ValidateCommandTests {
    let fixture = Fixture()

    @Test func workdayExportWithTitleRowsAndWindows1252() async throws {
        let path = try sample("workday-direct-send.csv", into: fixture)
        let result = try await CLIRunner.running(
            ["validate", "workday-direct-send.csv", "--send-method", "direct_send"], in: fixture.directory.path)
        #expect(result.exitCode == 1)
        #expect(result.stderr.isEmpty)
        let out = result.stdout
        #expect(out.contains("Encoding   Windows-1252: the bytes are not valid UTF-8 (first at line 5)"))
        #expect(out.contains("Header     line 4; skipped above it: line 1 \"Worker Gift Report - Work Anniversaries\""))
        #expect(out.contains("Rows       12 read: 0 OK, 8 with warnings only, 4 with errors"))
        #expect(out.contains("Skipped    line 17 (footer: \"Total Workers: 12\"), line 18 (blank)"))
        #expect(out.contains("line 11, column H (State): \"Oregn\" is not a US state"))
        #expect(out.contains("line 15, column E (Home Address Line 1): line 7 has the same name and address"))
        #expect(out.contains("\"2134\" repaired to 02134: a leading zero was missing"))
        #expect(out.contains("Rejected rows were written to workday-direct-send.rejected.csv"))
        #expect(fixture.exists("workday-direct-send.rejected.csv"))
        _ = path
    }

    @Test func bambooExportWithBOMAndSemicolons() async throws {
        _ = try sample("bamboohr-email.csv", into: fixture)
        let result = try await CLIRunner.running(
            ["validate", "bamboohr-email.csv", "--send-method", "email_and_link"], in: fixture.directory.path)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("Encoding   UTF-8 with byte-order mark"))
        #expect(result.stdout.contains("Delimiter  semicolon (;)"))
        #expect(result.stdout.contains("C  Work Email      → email"))
        #expect(result.stdout.contains("line 11, column C (Work Email): line 6 has the same email"))
        // Line 9's phone is not a US number: left out with a warning, the gift still goes.
        #expect(result.stdout.contains("Rows       12 read: 6 OK, 3 with warnings only, 3 with errors"))
    }

    @Test func excelUnicodeText() async throws {
        _ = try sample("excel-unicode-text.txt", into: fixture)
        let result = try await CLIRunner.running(
            ["validate", "excel-unicode-text.txt", "--send-method", "link_multiple_custom_list"],
            in: fixture.directory.path)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("Encoding   UTF-16 LE with byte-order mark"))
        #expect(result.stdout.contains("Delimiter  tab"))
        #expect(result.stdout.contains("Rows       6 read: 5 OK, 0 with warnings only, 1 with errors"))
    }

    @Test func withoutARejectedFileTheSummaryStillSaysRowsFail() async throws {
        fixture.write("x.csv", "First Name,Email\nAna,ana@example\n")
        let result = try await CLIRunner.running(
            ["validate", "x.csv", "--send-method", "email_and_link", "--no-rejected", "--all"],
            in: fixture.directory.path)
        #expect(result.exitCode == 1)
        #expect(result.stdout.contains("1 row will not be sent until fixed (no rejected-rows file was written)."))
        #expect(!result.stdout.contains("Every row can be sent."))
        #expect(fixture.files() == ["x.csv"])
    }

    @Test func aCleanFileExitsZeroAndWritesNothing() async throws {
        fixture.write("ok.csv", "First Name,Email\nAna,ana@acme.example\nBen,ben@acme.example\n")
        let result = try await CLIRunner.running(
            ["validate", "ok.csv", "--send-method", "email_and_link"], in: fixture.directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("Rows       2 read: 2 OK, 0 with warnings only, 0 with errors"))
        #expect(result.stdout.contains("Every row can be sent."))
        #expect(fixture.files() == ["ok.csv"])
    }

    @Test func jsonListsEveryFindingAndTheSummary() async throws {
        _ = try sample("workday-direct-send.csv", into: fixture)
        let result = try await CLIRunner.running(
            ["validate", "workday-direct-send.csv", "--send-method", "direct_send", "--json", "--no-rejected"],
            in: fixture.directory.path)
        #expect(result.exitCode == 1)
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        let report = try #require(json["report"] as? [String: Any])
        let rows = try #require(report["rows"] as? [String: Int])
        #expect(rows == ["total": 12, "ok": 0, "with_warnings": 8, "with_errors": 4])
        let file = try #require(report["file"] as? [String: Any])
        #expect(file["encoding"] as? String == "windows-1252")
        #expect(file["header_line"] as? Int == 4)
        let oregon = try #require(findings.first { $0["value"] as? String == "Oregn" })
        #expect(oregon["line"] as? Int == 11)
        #expect(oregon["column"] as? String == "H")
        #expect(oregon["header"] as? String == "State")
        #expect(oregon["code"] as? String == "state.invalid")
        #expect(oregon["severity"] as? String == "error")
        #expect((oregon["fix"] as? String)?.isEmpty == false)
        #expect(findings.filter { $0["severity"] as? String == "error" }.count == 4)
        #expect(!fixture.exists("workday-direct-send.rejected.csv"))
    }

    @Test func optionsForMappingHeaderAndDelimiterWork() async throws {
        fixture.write("x.csv", "Staff list\nNombre|Correo\nAna|ana@acme.example\n")
        let result = try await CLIRunner.running(
            [
                "validate", "x.csv", "--send-method", "email_and_link", "--delimiter", "pipe", "--header-line", "2",
                "--map", "first_name=Nombre", "--map", "email=Correo",
            ], in: fixture.directory.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("A  Nombre  → first_name"))
        #expect(result.stdout.contains("Delimiter  pipe (|) (set by --delimiter)"))
    }

    /// A workbook is read directly (FirstWeekTests); one that is damaged says so and how to get
    /// a file that can be read.
    @Test func aDamagedWorkbookSaysHowToSaveItAgain() async throws {
        fixture.write(
            "staff.xlsx",
            bytes: [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 26) + Array("[Content_Types].xml".utf8))
        let result = try await CLIRunner.running(
            ["validate", "staff.xlsx", "--send-method", "email_and_link"], in: fixture.directory.path)
        #expect(result.exitCode == 2)
        #expect(result.stdout.isEmpty)
        #expect(
            result.stderr.contains(
                "staff.xlsx could not be read as an Excel workbook (the package is damaged or incomplete)"))
        #expect(result.stderr.contains("save it again as .xlsx, or export it as CSV UTF-8"))
        #expect(fixture.files() == ["staff.xlsx"])
    }

    @Test func aMissingRequiredColumnExitsTwoNamingTheColumns() async throws {
        fixture.write("x.csv", "First Name,City\nAna,Boston\n")
        let result = try await CLIRunner.running(
            ["validate", "x.csv", "--send-method", "email_and_link"], in: fixture.directory.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("x.csv: line 1 (the header): no column holds email"))
        #expect(result.stderr.contains("\"First Name\", \"City\""))
    }

    @Test func anUnclosedQuoteNamesItsLine() async throws {
        fixture.write("x.csv", "First Name,Note\nAna,ok\nBen,\"oops\nCy,x\n")
        let result = try await CLIRunner.running(
            ["validate", "x.csv", "--send-method", "link_multiple_custom_list"], in: fixture.directory.path)
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("x.csv: line 3: a quoted value starts here and never ends"))
    }

    @Test func usageErrorsExitSixtyFour() async throws {
        fixture.write("x.csv", "First Name\nAna\n")
        let wrongMethod = try await CLIRunner.running(
            ["validate", "x.csv", "--send-method", "carrier_pigeon"], in: fixture.directory.path)
        #expect(wrongMethod.exitCode == 64)
        #expect(wrongMethod.stderr.contains("carrier_pigeon"))
        let wrongMap = try await CLIRunner.running(
            ["validate", "x.csv", "--send-method", "direct_send", "--map", "shoe=Size"], in: fixture.directory.path)
        #expect(wrongMap.exitCode == 64)
        #expect(wrongMap.stderr.contains("unknown field \"shoe\""))
    }

    /// Exit codes are in one place, the root help, in lines no terminal wraps; every
    /// subcommand's help has examples and points there.
    @Test func helpHasExamplesAndTheExitCodesInOnePlace() async throws {
        let root = try await CLIRunner.running(["--help"])
        #expect(root.exitCode == 0)
        #expect(root.stdout.contains("EXIT CODES"))
        #expect(root.stdout.contains("  1    some rows were rejected"))
        #expect(root.stdout.split(separator: "\n").allSatisfy { $0.count <= 80 })
        for command in ["inspect", "validate", "template", "plan", "send", "resume", "status", "export", "runs"] {
            let help = try await CLIRunner.running([command, "--help"])
            #expect(help.stdout.contains("EXAMPLES\n  goody-batch \(command)"), "\(command)")
            #expect(!help.stdout.contains("EXIT CODES"), "\(command) repeats the exit codes")
            #expect(help.stdout.contains("Exit codes: see `goody-batch --help`."), "\(command)")
        }
        let version = try await CLIRunner.running(["--version"])
        #expect(version.exitCode == 0 && version.stdout.hasPrefix("goody-batch 0."))
    }

    @Test func aMistypedCommandIsNamed() async throws {
        let typo = try await CLIRunner.running(["sned", "team.csv"])
        #expect(typo.exitCode == 64)
        #expect(typo.stderr == "goody-batch: there is no command \"sned\". Did you mean `goody-batch send`?\n")
        let unknown = try await CLIRunner.running(["fly"])
        #expect(unknown.stderr.contains("The commands are: inspect, validate, template, products, plan, send"))
    }
}

struct InspectCommandTests {
    let fixture = Fixture()

    @Test func showsLayoutMappingAndFirstRows() async throws {
        _ = try sample("workday-direct-send.csv", into: fixture)
        let result = try await CLIRunner.running(
            ["inspect", "workday-direct-send.csv", "--rows", "1"], in: fixture.directory.path)
        #expect(result.exitCode == 0)
        #expect(result.stdout.contains("E  Home Address Line 1  → address_1"))
        #expect(result.stdout.contains("First 1 row\n  line 5\n    Legal First Name: José"))
        #expect(fixture.files() == ["workday-direct-send.csv"])
    }

    @Test func jsonPrintsEveryRowKeyedByItsHeader() async throws {
        fixture.write("x.csv", "a,b\n1,\"x\ny\"\n2,\"say \"\"hi\"\"\"\n")
        let result = try await CLIRunner.running(["inspect", "x.csv", "--json"], in: fixture.directory.path)
        #expect(result.exitCode == 0)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: String]])
        #expect(rows == [["a": "1", "b": "x\ny"], ["a": "2", "b": "say \"hi\""]])
        #expect(result.stdout.contains(#"{"a":"1","b":"x\ny"}"#))
    }
}

struct TemplateCommandTests {
    let fixture = Fixture()

    @Test func writesAStarterAndRefusesToOverwrite() async throws {
        let first = try await CLIRunner.running(["template", "direct_send"], in: fixture.directory.path)
        #expect(first.exitCode == 0)
        #expect(first.stdout.contains("Wrote direct_send.csv for direct_send"))
        let written = try #require(fixture.read("direct_send.csv"))
        let committed = try #require(FileManager.default.contents(atPath: Repository.path("templates/direct_send.csv")))
        #expect(written == Array(committed))
        let again = try await CLIRunner.running(["template", "direct_send"], in: fixture.directory.path)
        #expect(again.exitCode == 2)
        #expect(again.stderr.contains("direct_send.csv already exists"))
        let forced = try await CLIRunner.running(
            ["template", "direct_send", "--force", "-o", "mine.csv"], in: fixture.directory.path)
        #expect(forced.exitCode == 0)
        #expect(fixture.exists("mine.csv"))
    }
}
