import Foundation
import GoodyBatchTestSupport
import Testing

/// `goody-batch plan` end to end: the built binary, its built-in emulator, real sockets.
struct PlanCommandTests {
    let fixture = Fixture()

    private func samples() throws {
        _ = try sample("rippling-anniversaries.csv", into: fixture)
        _ = try sample("anniversaries.campaign.yaml", into: fixture)
    }

    /// No key in the environment, so the run is against the built-in emulator.
    private func run(_ arguments: [String]) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments, in: fixture.directory.path,
            environment: ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state")])
    }

    @Test func theSamplePlanSplitsByProductAndMessageAndIsLabelledSimulated() async throws {
        try samples()
        let result = try await run(["plan", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml"])
        #expect(result.exitCode == 1, "one row is rejected: \(result.stderr)")
        let out = result.stdout
        #expect(out.hasPrefix("SIMULATED: no Goody API key is set"))
        #expect(out.contains("Rows       14 read: 13 will be sent in 5 batches, 1 rejected"))
        #expect(out.contains("1      7           Cookie Box"))
        #expect(out.contains("2      2           Wine Duo"))
        #expect(out.contains("3      2           Goody Gift Card $250.00"))
        #expect(out.contains("\"Two years of making this a …\""))
        #expect(out.contains("Total  13"))
        #expect(out.contains("$1,150.20–$1,265.22"))
        #expect(out.contains("Pays       Goody Balance: $5,000.00 available, enough for the high estimate $1,265.22"))
        #expect(out.contains("Max spend  $1,500.00: the high estimate $1,265.22 is within it"))
        #expect(out.contains("line 15, column D (Work Email): \"ava.nguyen@acme\" is not an email address"))
        #expect(out.contains("Nothing was created"))
    }

    @Test func maxSpendRefusesWithExitFour() async throws {
        try samples()
        let result = try await run([
            "plan", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--max-spend", "1000",
        ])
        #expect(result.exitCode == 4)
        #expect(result.stdout.contains("Max spend  $1,000.00: EXCEEDED by the high estimate $1,265.22"))
        #expect(result.stdout.contains("Refused: this plan costs more than allowed"))
    }

    @Test func jsonHasTheBatchesAndTotals() async throws {
        try samples()
        let result = try await run([
            "plan", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--json",
        ])
        #expect(result.exitCode == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["simulated"] as? Bool == true)
        #expect(json["total_high_cents"] as? Int == 126_522)
        let batches = try #require(json["batches"] as? [[String: Any]])
        #expect(batches.map { $0["recipients"] as? Int } == [7, 2, 2, 1, 1])
        #expect(batches[2]["gift"] as? String == "Goody Gift Card $250.00")
        #expect(batches[1]["lines"] as? [Int] == [7, 8])
        #expect((json["rejected_rows"] as? Int) == 1)
    }

    @Test func flagsAloneAreEnough() async throws {
        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\nBen,ben@acme.example\n")
        let result = try await run([
            "plan", "team.csv", "--send-method", "link_multiple_custom_list", "--product", "Candle Set", "--from-name",
            "Pat",
        ])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("1      2           Candle Set"))
    }

    @Test func aMissingSettingSaysWhatToAdd() async throws {
        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\n")
        let result = try await run(["plan", "team.csv", "--send-method", "email_and_link", "--product", "Candle Set"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("No from name is set. Add --from-name"))
        let ambiguous = try await run([
            "plan", "team.csv", "--send-method", "email_and_link", "--product", "Coffee", "--from-name", "P",
        ])
        #expect(ambiguous.exitCode == 2)
        #expect(ambiguous.stderr.contains("\"Coffee\" matches 2 products"))
    }

    @Test func productionNeedsAKey() async throws {
        fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\n")
        let result = try await run([
            "plan", "team.csv", "--send-method", "email_and_link", "--production", "--product", "x", "--from-name", "P",
        ])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("--production needs an API key"))
    }
}
