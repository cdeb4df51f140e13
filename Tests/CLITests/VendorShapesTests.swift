import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// The built CLI against answers in every shape Goody's OpenAPI document allows, from a separate
/// `goody-emulator` process and its variation knobs: a send whose every create answer is lost
/// and whose sender is killed, `resume`, then `status`. Goody (the emulator) is counted after.
struct VendorShapesTests {
    let fixture = Fixture()

    struct Shape: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        /// Sent for a future date, so the batches stay pending and have no orders yet.
        var scheduled = false

        var testDescription: String { name }
    }

    static let shapes: [Shape] = [
        Shape(name: "swapped gifts", arguments: ["--swap-rate", "0.5"]),
        Shape(name: "order statuses the document does not list", arguments: ["--unknown-status-rate", "0.5"]),
        Shape(name: "per_page capped at 7", arguments: ["--per-page-cap", "7"]),
        Shape(name: "listings without customer_reference_id", arguments: ["--list-without-reference"]),
        Shape(name: "lists without list_meta", arguments: ["--omit-list-meta"]),
        Shape(name: "dates with milliseconds", arguments: ["--date-style", "milliseconds"]),
        Shape(name: "dates with +00:00", arguments: ["--date-style", "offset"]),
        Shape(name: "send_method null on read", arguments: ["--null-send-method"]),
        Shape(name: "blank orders_count while scheduled", arguments: ["--blank-scheduled-count"], scheduled: true),
        Shape(name: "the vendor mix", arguments: ["--vendor-variations"]),
        Shape(name: "the vendor mix, scheduled", arguments: ["--vendor-variations"], scheduled: true),
    ]

    /// `send team.csv` for one gift by email, in batches of `batchSize`; for a future date when
    /// the shape is about scheduled batches.
    private static func send(batchSize: Int, _ shape: Shape) -> [String] {
        [
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--batch-size", "\(batchSize)", "--yes",
        ] + (shape.scheduled ? ["--send-on", "2030-03-01"] : [])
    }

    private func people(_ count: Int) -> String {
        "First Name,Last Name,Work Email\n"
            + (0..<count).map { "P\($0),Test,p\($0)@acme.example" }.joined(separator: "\n") + "\n"
    }

    private func run(_ arguments: [String], _ emulator: ExternalEmulator) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments + ["--api-url", emulator.url.absoluteString], in: fixture.directory.path,
            environment: environment(emulator))
    }

    private func environment(_ emulator: ExternalEmulator) -> [String: String] {
        Self.today.merging(["GOODY_API_KEY": emulator.apiKey, "XDG_STATE_HOME": fixture.path("state")]) { $1 }
    }

    /// Today for the CLI and the emulator alike: the scheduled shapes send on 1 March 2030,
    /// within the three months Goody schedules ahead.
    static let today = ["GOODY_BATCH_TODAY": "2030-01-15T12:00"]

    /// What Goody holds: its batches and every order.
    private func account(_ emulator: ExternalEmulator) async throws -> (batches: [OrderBatch], orders: [Order]) {
        (try await emulator.batches(), try await emulator.withClient { try await $0.allOrders() })
    }

    /// The results file as rows of column → value.
    private func results(_ name: String = "team.results.csv") throws -> [[String: String]] {
        try WrittenCSV.rows(at: fixture.path(name))
    }

    @Test(.timeLimit(.minutes(3)), arguments: shapes)
    func sendLoseEveryAnswerResumeAndStatus(_ shape: Shape) async throws {
        let journal = fixture.path("goody-account.jsonl")
        let emulator = try await ExternalEmulator.start(
            arguments: shape.arguments + [
                "--drop-rate", "1", "--hold-first-create", "60", "--async-delay", "0.2", "--journal", journal,
            ], environment: Self.today)
        defer { emulator.kill() }
        fixture.write("team.csv", people(33))
        let send = Self.send(batchSize: 15, shape)

        // Every create's answer is lost after Goody made the batch, and the first one's is held
        // for a minute: the sender is killed while it waits on a create that Goody has made, so
        // the ledger knows only that the create was under way.
        let sender = try CLIRunner.start(
            send + ["--api-url", emulator.url.absoluteString], in: fixture.directory.path,
            environment: environment(emulator))
        let fixture = self.fixture
        #expect(await CLIRunner.poll { (fixture.read("goody-account.jsonl")?.count ?? 0) > 0 })
        sender.signal(SIGKILL)
        _ = sender.wait()

        let runs = try await CLIRunner.running(["runs"], in: fixture.directory.path, environment: environment(emulator))
        let id = String(try #require(runs.stdout.firstMatch(of: /(r[0-9a-f]{10})/)).output.1)
        let resume = try await run(["resume", id], emulator)
        #expect(resume.exitCode == 0, "\(resume.stdout)\n\(resume.stderr)")
        #expect(
            resume.stderr.contains("was created before the interruption; continuing with it"),
            "\(resume.stdout)\n\(resume.stderr)")

        let (batches, orders) = try await account(emulator)
        #expect(batches.count == 3, "each batch created once: \(batches.count)")
        #expect(Set(batches.compactMap(\.recipientsPreview?.first?.email)).count == 3)
        let status = try await run(["status", id], emulator)
        #expect(status.exitCode == 0, "\(status.stdout)\n\(status.stderr)")

        let rows = try results()
        #expect(rows.count == 33)
        #expect(rows.allSatisfy { $0["error"] == "" }, "\(rows.compactMap { $0["error"] }.filter { !$0.isEmpty })")
        if shape.scheduled {
            #expect(orders.isEmpty)
            #expect(resume.stdout.contains("not yet         33 (scheduled"))
            #expect(rows.allSatisfy { $0["order_status"] == "scheduled for 1 Mar 2030" && $0["gift_link"] == "" })
        } else {
            #expect(resume.stdout.contains("sent            33 gifts, each with its gift link"))
            #expect(orders.count == 33 && Set(orders.compactMap(\.recipientEmail)).count == 33)
            let links = rows.compactMap { $0["gift_link"] }
            #expect(Set(links) == Set(orders.map(\.individualGiftLink)), "every gift link at Goody is in the results")
        }
    }

    @Test(.timeLimit(.minutes(2)), arguments: shapes)
    func sendAndStatusExitZeroWithHalfTheCreateAnswersLost(_ shape: Shape) async throws {
        let emulator = try await ExternalEmulator.start(
            arguments: shape.arguments + ["--drop-rate", "0.5", "--async-delay", "0.1"], environment: Self.today)
        defer { emulator.stop() }
        fixture.write("team.csv", people(27))
        let send = try await run(Self.send(batchSize: 12, shape), emulator)
        #expect(send.exitCode == 0, "\(send.stdout)\n\(send.stderr)")
        let id = String(try #require(send.stdout.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)
        let status = try await run(["status", id], emulator)
        #expect(status.exitCode == 0, "\(status.stdout)\n\(status.stderr)")
        let (batches, orders) = try await account(emulator)
        #expect(batches.count == 3)
        let rows = try results()
        #expect(rows.count == 27 && rows.allSatisfy { $0["error"] == "" })
        #expect(
            Set(rows.compactMap { $0["gift_link"] }.filter { !$0.isEmpty }) == Set(orders.map(\.individualGiftLink)))
        #expect(orders.count == (shape.scheduled ? 0 : 27))
    }

    @Test(.timeLimit(.minutes(2)))
    func swappedCanceledAndUnknownOrdersShowAsGoodySaysAfterStatus() async throws {
        let emulator = try await ExternalEmulator.start(
            arguments: ["--swap-rate", "0.3", "--unknown-status-rate", "0.3"], environment: Self.today)
        defer { emulator.stop() }
        fixture.write("team.csv", people(20))
        let send = try await run(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--batch-size", "10", "--yes",
            ], emulator)
        #expect(send.exitCode == 0, "\(send.stderr)")
        let id = String(try #require(send.stdout.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)

        // A plain order is canceled at Goody after the send.
        let before = try await account(emulator).orders
        let plain = try #require(before.first { $0.status == .known(.created) && $0.isSwapped != true })
        _ = try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(emulator.url), apiKey: APIKey(emulator.apiKey), httpClient: http)
                .cancelOrder(id: plain.id)
        }
        let status = try await run(["status", id], emulator)
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(status.stdout.contains("Note: 1 order status changed ("), "\(status.stdout)")

        let orders = Dictionary(uniqueKeysWithValues: try await account(emulator).orders.map { ($0.id, $0) })
        let rows = try results()
        #expect(rows.count == 20)
        var seen = (swapped: 0, canceled: 0, unknown: 0)
        for row in rows {
            let order = try #require(orders[row["order_id"] ?? ""])
            let expected = order.status.rawValue + (order.isSwapped == true ? " (swapped)" : "")
            #expect(row["order_status"] == expected)
            if order.isSwapped == true { seen.swapped += 1 }
            if order.status == .known(.canceled) { seen.canceled += 1 }
            if order.status == .other("pending_user_approval") { seen.unknown += 1 }
        }
        #expect(seen.canceled == 1 && seen.swapped > 0 && seen.unknown > 0, "\(seen)")
        #expect(rows.first { $0["order_id"] == plain.id }?["order_status"] == "canceled")
    }

    private let directSend = """
        First Name,Last Name,Email,Address Line 1,City,State,ZIP,Country
        Ana,Diaz,ana.diaz@acme.example,140 E 55th St,New York,NY,10022,US
        Ben,Okafor,ben.okafor@acme.example,1 Main St,Boston,MA,02134,US
        """

    private func sendDirect(_ emulator: ExternalEmulator, method: String = "direct_send") async throws
        -> CommandResult
    {
        try await run(
            [
                "send", "people.csv", "--send-method", method, "--product", "Candle Set", "--from-name", "HR",
                "--yes",
            ], emulator)
    }

    @Test(arguments: ["always", "at-create"])
    func directSendOutsideThePartnerProgrammeIsOnePlainMessageAndNothingHalfDone(_ when: String) async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--direct-send-refused", when])
        defer { emulator.stop() }
        fixture.write("people.csv", directSend)
        let result = try await sendDirect(emulator)
        #expect(result.exitCode == 2, "\(result.stdout)\n\(result.stderr)")
        let said = result.stdout + result.stderr
        #expect(said.components(separatedBy: "only for approved partners").count == 2, "said once: \(said)")
        #expect(said.contains("--send-method email_and_link"))
        #expect(!said.contains("refused the API key"))
        #expect(try await account(emulator).batches.isEmpty, "nothing was created")

        // Nothing is left half-done: the same people can be sent another way at once.
        let email = try await sendDirect(emulator, method: "email_and_link")
        #expect(email.exitCode == 0, "\(email.stdout)\n\(email.stderr)")
        #expect(try await account(emulator).orders.count == 2)
    }

    @Test(.timeLimit(.minutes(2)))
    func anAnswerTheToolCannotUseIsItsOwnExitAndLosesNothing() async throws {
        let journal = fixture.path("goody-account.jsonl")
        fixture.write("team.csv", people(12))
        let send = [
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--yes",
        ]
        let broken = try await ExternalEmulator.start(
            arguments: ["--omit-field", "individual_gift_link", "--async-delay", "0.1", "--journal", journal])
        let first = try await run(send, broken)
        broken.stop()
        #expect(first.exitCode == 5, "\(first.stdout)\n\(first.stderr)")
        #expect(first.stderr.contains("Goody answered, but the answer could not be used"))
        #expect(first.stderr.contains("/orders"))
        #expect(first.stderr.contains("individual_gift_link is missing"))
        #expect(!first.stderr.contains("refused the API key"))
        let id = String(try #require(first.stdout.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)
        #expect(first.stderr.contains("goody-batch resume \(id)"))

        // The same account, answering whole again: the run finishes from its ledger, no new batch.
        // Same account, same address (a run belongs to the API it was sent to).
        let fixed = try await ExternalEmulator.start(
            port: broken.url.port ?? 0, arguments: ["--async-delay", "0.1", "--journal", journal])
        defer { fixed.stop() }
        let resume = try await run(["resume", id], fixed)
        #expect(resume.exitCode == 0, "\(resume.stdout)\n\(resume.stderr)")
        #expect(resume.stdout.contains("sent            12 gifts, each with its gift link"))
        let (batches, orders) = try await account(fixed)
        #expect(batches.count == 1 && orders.count == 12)
    }
}
