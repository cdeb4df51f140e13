import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// Spend only what was approved: the built CLI against a separate `goody-emulator` whose account
/// (its journal) outlives it, so prices can rise between the approval and a later resume.
struct SpendingTests {
    let fixture = Fixture()

    private func run(_ arguments: [String], _ emulator: ExternalEmulator) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments + ["--api-url", emulator.url.absoluteString], in: fixture.directory.path,
            environment: ["GOODY_API_KEY": emulator.apiKey, "XDG_STATE_HOME": fixture.path("state")])
    }

    private func orders(_ emulator: ExternalEmulator) async throws -> [Order] {
        try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(emulator.url), apiKey: APIKey(emulator.apiKey), httpClient: http)
                .allOrders()
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func aPriceRiseAfterApprovalStopsBeforeTheNextCreateUntilANewApproval() async throws {
        let journal = fixture.path("goody-account.jsonl")
        fixture.write(
            "team.csv",
            "First Name,Last Name,Work Email\n"
                + (0..<30).map { "P\($0),Test,p\($0)@acme.example" }.joined(separator: "\n"))
        let send = [
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--batch-size", "10", "--concurrency", "1",
        ]

        // Approved at today's prices; the sender is stopped while Goody makes its first batch.
        let before = try await ExternalEmulator.start(arguments: ["--hold-first-create", "60", "--journal", journal])
        let sender = try CLIRunner.start(
            send + ["--yes", "--api-url", before.url.absoluteString], in: fixture.directory.path,
            environment: ["GOODY_API_KEY": before.apiKey, "XDG_STATE_HOME": fixture.path("state")])
        let fixture = self.fixture
        #expect(await CLIRunner.poll { (fixture.read("goody-account.jsonl")?.count ?? 0) > 0 })
        sender.signal(SIGKILL)
        _ = sender.wait()
        before.kill()

        // The same account later, every price 20% higher.
        let after = try await ExternalEmulator.start(
            port: before.url.port ?? 0, arguments: ["--price-markup", "20", "--journal", journal])
        defer { after.stop() }
        let runs = try await CLIRunner.running(
            ["runs"], in: fixture.directory.path, environment: ["XDG_STATE_HOME": fixture.path("state")])
        let id = String(try #require(runs.stdout.firstMatch(of: /(r[0-9a-f]{10})/)).output.1)

        // `status` reads: it collects the batch that exists and creates nothing.
        let status = try await run(["status", id], after)
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(status.stdout.contains("is unfinished: 2 batches were not created. `status` never creates anything"))
        #expect(try await orders(after).count == 10)

        // The same send again, with no terminal and no --yes, continues nothing.
        let again = try await run(send, after)
        #expect(again.exitCode == 4, "\(again.stderr)")
        #expect(again.stderr.contains("not continued: run \(id) stopped before it finished"))
        #expect(try await orders(after).count == 10)

        // Resuming prices each batch again and stops before the one that would pass the approval.
        let stopped = try await run(["resume", id], after)
        #expect(stopped.exitCode == 4, "\(stopped.stdout)\n\(stopped.stderr)")
        // Batches 2 and 3 are priced concurrently: either may be the one that meets the cap first.
        #expect(stopped.stderr.contains(/not created: prices moved — batch [23] now estimates/))
        #expect(stopped.stderr.contains("more than the"))
        #expect(try await orders(after).count == 10, "nothing more was created")
        let figure = String(try #require(stopped.stderr.firstMatch(of: /--max-spend ([0-9.]+)`/)).output.1)

        // A new approval, for the whole run at today's prices, finishes it.
        let resumed = try await run(["resume", id, "--max-spend", figure], after)
        #expect(resumed.exitCode == 0, "\(resumed.stdout)\n\(resumed.stderr)")
        #expect(resumed.stdout.contains("sent            30 gifts, each with its gift link"))
        let all = try await orders(after)
        #expect(all.count == 30 && Set(all.compactMap(\.recipientEmail)).count == 30)
    }

    /// A redirect on a POST is never followed: the recipients' names and emails stay with the API
    /// they were meant for, and nothing is created anywhere.
    @Test(.timeLimit(.minutes(2)))
    func aRedirectIsNeverFollowed() async throws {
        let elsewhere = try await ExternalEmulator.start(apiKey: "external-key")
        defer { elsewhere.stop() }
        let api = try await ExternalEmulator.start(arguments: ["--redirect-posts-to", elsewhere.url.absoluteString])
        defer { api.stop() }
        fixture.write("team.csv", "First Name,Work Email\nAna,ana@acme.example\n")
        let send = try await run(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--yes",
            ],
            api)
        #expect(send.exitCode == 3, "\(send.stdout)\n\(send.stderr)")
        #expect(send.stderr.contains("with a redirect (307) to \(elsewhere.url.absoluteString)"))
        #expect(send.stderr.contains("which goody-batch does not follow"))
        let redirectedTo = try await orders(elsewhere)
        let atTheAPI = try await orders(api)
        #expect(redirectedTo.isEmpty && atTheAPI.isEmpty)
    }

    /// While it holds a key, the process can leave no core dump behind.
    @Test(.timeLimit(.minutes(2)))
    func aProcessHoldingAKeyDumpsNoCore() async throws {
        let api = try await ExternalEmulator.start(arguments: ["--hold-first-create", "60"])
        defer { api.kill() }
        fixture.write("team.csv", "First Name,Work Email\nAna,ana@acme.example\n")
        let sender = try CLIRunner.start(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--yes", "--api-url", api.url.absoluteString,
            ], in: fixture.directory.path,
            environment: ["GOODY_API_KEY": api.apiKey, "XDG_STATE_HOME": fixture.path("state")])
        defer {
            sender.signal(SIGKILL)
            _ = sender.wait()
        }
        // Waiting on its create, with the key loaded: its core limit is 0, soft and hard.
        let limits = "/proc/\(sender.processIdentifier)/limits"
        @Sendable func coreLimits() -> [Substring] {
            let text = (try? String(contentsOfFile: limits, encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("Max core file size") } ?? ""
            return Array(line.split(separator: " ").dropFirst(4).prefix(2))
        }
        #expect(await CLIRunner.poll(seconds: 30) { coreLimits() == ["0", "0"] }, "\(coreLimits())")
    }
}
