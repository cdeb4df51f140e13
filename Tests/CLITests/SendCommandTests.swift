import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// `goody-batch send`, `resume`, `status`, `export` and `runs` end to end: the built binary,
/// real processes, real sockets, real signals.
struct SendCommandTests {
    let fixture = Fixture()

    /// No key, so the built-in emulator; its account and the ledger registry live in the fixture.
    private var embedded: [String: String] { ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state")] }

    private func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments, in: fixture.directory.path, environment: embedded.merging(environment) { $1 })
    }

    private func samples() throws {
        _ = try sample("rippling-anniversaries.csv", into: fixture)
        _ = try sample("anniversaries.campaign.yaml", into: fixture)
    }

    private func people(_ count: Int) -> String {
        "First Name,Last Name,Work Email,Manager\n"
            + (0..<count).map { "P\($0),Test,p\($0)@acme.example,M\($0 % 4)" }.joined(separator: "\n") + "\n"
    }

    private func text(_ name: String) -> String { String(decoding: fixture.read(name) ?? [], as: UTF8.self) }

    private func runID(_ output: String) throws -> String {
        String(try #require(output.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)
    }

    /// The gift links in a results file, one per data row ("" where there is none).
    private func links(_ name: String) -> [String] {
        text(name).split(separator: "\r\n").dropFirst().map { line in
            String(line.firstMatch(of: /https:\/\/gifts\.ongoody\.com\/gift\/[A-Z0-9]+/)?.output ?? "")
        }
    }

    @Test func theDemoSendsTheSamplesAndWritesEveryGiftLink() async throws {
        try samples()
        let result = try await run([
            "send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--yes",
        ])
        #expect(result.exitCode == 1, "one sample row is rejected, and the exit code says so: \(result.stderr)")
        #expect(result.stdout.hasPrefix("SIMULATED: no Goody API key is set"))
        #expect(result.stdout.contains("13 will be sent in 5 batches, 1 rejected"))
        #expect(result.stdout.contains("(SIMULATED, built-in emulator): complete"))
        #expect(result.stdout.contains("sent            13 gifts, each with its gift link"))
        #expect(result.stdout.contains("rejected        1 (not sent; reasons in the results)"))
        #expect(result.stdout.contains("estimated       up to $1,265.22; orders so far come to $1,150.20"))
        #expect(result.stdout.contains("Results: \(fixture.path("rippling-anniversaries.results.csv"))"))
        #expect(result.stderr.contains("progress: 5/5 batches created, 13/13 gift links collected"))
        let firstLinks = links("rippling-anniversaries.results.csv")
        #expect(firstLinks.count == 14)
        #expect(firstLinks.filter { !$0.isEmpty }.count == 13 && Set(firstLinks).count == 14)
        #expect(
            text("rippling-anniversaries.results.csv").contains("\"R-1014\",\"Ava\",\"Nguyen\",\"ava.nguyen@acme\""))
        #expect(fixture.exists("goody-batch-ledger.sqlite"))

        // The same command again continues the same run: nothing new is created.
        let again = try await run([
            "send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--yes",
        ])
        #expect(again.stderr.contains("already sent with these settings as run \(try runID(result.stdout))"))
        #expect(again.stdout.contains("sent            13 gifts"))
        #expect(links("rippling-anniversaries.results.csv") == firstLinks)
        let journal = text("state/goody-batch/emulator-journal.jsonl")
        #expect(journal.split(separator: "\n").count == 5, "five batches were created at the (simulated) Goody, once")
    }

    @Test func jsonPrintsOnlyTheSummaryForTools() async throws {
        try samples()
        let result = try await run([
            "send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--yes", "--json",
        ])
        #expect(result.exitCode == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["state"] as? String == "complete")
        #expect(json["simulated"] as? Bool == true)
        #expect(json["sent"] as? Int == 13 && json["rejected"] as? Int == 1 && json["failed"] as? Int == 0)
        #expect(json["estimate_high_cents"] as? Int == 126_522)
        #expect(json["charged_cents"] as? Int == 115_020)
        #expect(
            json["outputs"] as? [String] == [
                fixture.path("rippling-anniversaries.results.csv"), fixture.path("rippling-anniversaries.results.xlsx"),
            ])
        #expect(!result.stderr.contains("progress:"), "--json shows no progress")
    }

    @Test func withoutATerminalNothingIsSentUnlessYesIsGiven() async throws {
        try samples()
        let result = try await run(["send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml"])
        #expect(result.exitCode == 4)
        #expect(
            result.stderr.contains(
                "not sent: approval needed. There is no terminal to ask on, so add --yes to approve 13 gifts in 5 batches, up to $1,265.22. Nothing was created."
            ))
        #expect(!fixture.exists("goody-batch-ledger.sqlite") && !fixture.exists("rippling-anniversaries.results.csv"))
        #expect(text("state/goody-batch/emulator-journal.jsonl").isEmpty)
    }

    /// On a terminal (a pseudo-terminal from `script`), approval is typing the recipient count.
    @Test func onATerminalThePersonTypesTheNumberOfRecipientsToApprove() async throws {
        try samples()
        let command =
            "\(CLIRunner.executable("goody-batch")) send rippling-anniversaries.csv --campaign anniversaries.campaign.yaml --quiet"
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "script(1) from bsdutils gives the pty")
        let wrong = try CLIRunner.run(
            ["-qec", command, "/dev/null"], in: fixture.directory.path, environment: embedded, input: "12\n",
            executable: script)
        #expect(wrong.exitCode == 4)
        #expect(wrong.stdout.contains("Send 13 gifts in 5 batches, up to $1,265.22? Type 13 to approve"))
        #expect(wrong.stdout.contains("not sent: the answer was not 13. Nothing was created."))
        #expect(!fixture.exists("goody-batch-ledger.sqlite"))

        let approved = try CLIRunner.run(
            ["-qec", command, "/dev/null"], in: fixture.directory.path, environment: embedded, input: "13\n",
            executable: script)
        #expect(approved.exitCode == 1, "sent, with the one rejected row: \(approved.stdout)")
        #expect(approved.stdout.contains("sent            13 gifts"))
        let ledger = String(decoding: fixture.read("goody-batch-ledger.sqlite") ?? [], as: UTF8.self)
        #expect(ledger.contains("typed 13 at a terminal"), "the ledger records how the run was approved")
    }

    @Test func maxSpendIsCheckedAgainstTheLiveEstimateBeforeAnythingIsCreated() async throws {
        try samples()
        let result = try await run([
            "send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--max-spend", "1000",
            "--yes",
        ])
        #expect(result.exitCode == 4)
        #expect(result.stdout.contains("Max spend  $1,000.00: EXCEEDED by the high estimate $1,265.22"))
        #expect(result.stderr.contains("not sent: the high estimate is over --max-spend. Nothing was created."))
        #expect(!fixture.exists("rippling-anniversaries.results.csv"))
        #expect(text("state/goody-batch/emulator-journal.jsonl").isEmpty)
    }

    @Test func runsExportAndStatusWorkOnAnEarlierRunFromAnyFolder() async throws {
        try samples()
        let sent = try await run([
            "send", "rippling-anniversaries.csv", "--campaign", "anniversaries.campaign.yaml", "--yes", "--quiet",
        ])
        let id = try runID(sent.stdout)

        let runs = try await run(["runs"])
        #expect(runs.exitCode == 0)
        #expect(runs.stdout.contains(id) && runs.stdout.contains("complete") && runs.stdout.contains("13/14"))
        #expect(runs.stdout.contains("simulated (built-in emulator)"))

        try FileManager.default.removeItem(atPath: fixture.path("rippling-anniversaries.results.csv"))
        let export = try await run(["export", String(id.prefix(6)), "--split-by", "Department"])
        #expect(export.exitCode == 0, "\(export.stderr)")
        #expect(links("rippling-anniversaries.results.csv").filter { !$0.isEmpty }.count == 13)
        let design = text("rippling-anniversaries.results.design.csv")
        #expect(design.contains("Lucía") && design.contains("Sofia") && !design.contains("Priya"))

        // Orders move on at (simulated) Goody; status reads where each one is now.
        let status = try await run(["status", id], environment: ["GOODY_EMULATOR_STATUS_STEP": "0.01"])
        #expect(status.exitCode == 1, "the rejected row is still rejected: \(status.stderr)")
        #expect(status.stdout.contains("13 order statuses changed (52 order activities read)."), "\(status.stdout)")
        #expect(status.stdout.contains("order status    13 accepted"))
        #expect(text("rippling-anniversaries.results.csv").contains("\"accepted\""))

        let unknown = try await run(["status", "r000000000"])
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("No run r000000000 in"))
        #expect(unknown.stderr.contains("`goody-batch runs` lists the runs"))
    }

    /// The sender is killed with SIGKILL again and again, at different moments (planning,
    /// creating, waiting for pending batches, reading orders), then run once more to the end.
    /// Goody (a separate emulator process that lives on) must hold exactly one order per
    /// recipient, and the results every gift link.
    @Test(.timeLimit(.minutes(5)))
    func killedWithSIGKILLAtAnyPointAndRunAgainEachPersonGetsExactlyOneGift() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--latency-ms", "60", "--async-delay", "0.4"])
        defer { emulator.stop() }
        fixture.write("team.csv", people(180))
        let arguments = [
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--batch-size", "15", "--concurrency", "3", "--yes", "--api-url", emulator.url.absoluteString,
        ]
        let environment = embedded.merging(["GOODY_API_KEY": emulator.apiKey]) { $1 }
        for delay in [0.5, 0.9, 1.3, 1.7, 2.1, 2.5, 0.4, 0.8] {
            let sender = try CLIRunner.start(arguments, in: fixture.directory.path, environment: environment)
            try await Task.sleep(for: .seconds(delay))
            sender.signal(SIGKILL)
            _ = sender.wait()
        }
        let final = try CLIRunner.run(arguments, in: fixture.directory.path, environment: environment)
        #expect(final.exitCode == 0, "\(final.stdout)\n\(final.stderr)")
        #expect(final.stdout.contains("sent            180 gifts"))

        let orders = try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(emulator.url), apiKey: APIKey(emulator.apiKey), httpClient: http)
                .allOrders()
        }
        #expect(orders.count == 180, "exactly one order per recipient")
        #expect(Set(orders.compactMap(\.recipientEmail)).count == 180)
        let collected = links("team.results.csv")
        #expect(collected.count == 180 && !collected.contains("") && Set(collected).count == 180)
        let stray = Set(collected).symmetricDifference(orders.compactMap(\.individualGiftLink))
        #expect(stray.isEmpty, "every link in the results is an order at Goody, and the other way round")
    }

    @Test(.timeLimit(.minutes(3)))
    func ctrlCStopsCleanlyAndResumeFinishesTheRun() async throws {
        fixture.write("team.csv", people(200))
        // The first batch's answer is held for 3 seconds, so the run is surely still going when
        // Ctrl-C comes, however busy the machine running the tests is.
        let slow = embedded.merging([
            "GOODY_EMULATOR_LATENCY_MS": "80", "GOODY_EMULATOR_ASYNC_DELAY": "0.3",
            "GOODY_EMULATOR_HOLD_FIRST_CREATE": "3",
        ]) { $1 }
        let directory = fixture.directory.path
        // Started from a dispatch worker, whose blocked signals a child inherits: Ctrl-C must
        // still reach it.
        let sender = try await CLIRunner.offPool {
            try CLIRunner.start(
                [
                    "send", "team.csv", "--send-method", "email_and_link", "--product", "Candle Set", "--from-name",
                    "HR", "--batch-size", "10", "--concurrency", "2", "--split-by", "Manager", "--yes",
                ], in: directory, environment: slow)
        }
        // Wait until it is creating batches, then press Ctrl-C.
        let fixture = self.fixture
        let creating = await CLIRunner.poll {
            String(decoding: fixture.read("state/goody-batch/emulator-journal.jsonl") ?? [], as: UTF8.self)
                .contains("\n")
        }
        #expect(creating, "no batch was created within a minute: \(sender.stderrSoFar)")
        sender.signal(SIGINT)
        let stopped = sender.wait()
        #expect(stopped.exitCode == 130, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("stopping after the requests in flight and saving the results"))
        let id = try runID(stopped.stdout)
        #expect(stopped.stdout.contains("interrupted; continue it with `goody-batch resume \(id)`"))
        #expect(stopped.stderr.contains("`goody-batch resume \(id)` continues; nothing is sent twice."))
        let partial = links("team.results.csv")
        #expect(partial.count == 200, "the results are written even when stopped")
        #expect(partial.contains(""), "it really stopped before the end")
        // The files for managers and HR's list say the run is unfinished, and how to finish it.
        #expect(try WrittenWorkbook(path: fixture.path("team.results.m0.xlsx")).sheetName == "UNFINISHED M0")
        let list = try WrittenCSV.rows(at: fixture.path("team.managers.csv"))
        #expect(list.allSatisfy { $0["Run"]?.hasPrefix("UNFINISHED: run \(id) stopped before the end") == true })

        let resumed = try await run(["resume", id, "--quiet"], environment: ["GOODY_EMULATOR_ASYNC_DELAY": "0.3"])
        #expect(resumed.exitCode == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("\(id) (SIMULATED, built-in emulator): complete"))
        #expect(resumed.stdout.contains("sent            200 gifts"))
        let collected = links("team.results.csv")
        #expect(!collected.contains("") && Set(collected).count == 200)
        for link in partial where !link.isEmpty {
            #expect(collected.contains(link), "links collected before the stop are kept")
        }
        let creates = text("state/goody-batch/emulator-journal.jsonl").split(separator: "\n").count
        #expect(creates == 20, "20 batches of 10, each created once")
        #expect(try WrittenWorkbook(path: fixture.path("team.results.m0.xlsx")).sheetName == "M0")
        #expect(try WrittenCSV.rows(at: fixture.path("team.managers.csv")).allSatisfy { $0["Run"] == "complete" })
    }

    /// Waits until `condition` holds (or a minute passes), off the shared task pool.
    private func eventually(_ condition: @escaping @Sendable () -> Bool) async throws {
        await CLIRunner.poll(condition)
    }

    /// Two commands on the built-in emulator at once take turns with its account: a send holds
    /// it while it runs (and a killed one lets go), and a second command waits, saying so.
    @Test func commandsTakeTurnsWithTheBuiltInEmulator() async throws {
        fixture.write("team.csv", people(300))
        let lockPath = fixture.path("state/goody-batch/emulator.lock")
        func tryLock() -> Bool {
            let descriptor = open(lockPath, O_RDWR)
            defer { close(descriptor) }
            return descriptor >= 0 && flock(descriptor, LOCK_EX | LOCK_NB) == 0
        }
        let sender = try CLIRunner.start(
            [
                "send", "team.csv", "--send-method", "email_and_link", "--product", "Candle Set", "--from-name", "HR",
                "--batch-size", "10", "--concurrency", "1", "--yes", "--quiet",
            ], in: fixture.directory.path, environment: embedded.merging(["GOODY_EMULATOR_LATENCY_MS": "300"]) { $1 })
        try await eventually { text("state/goody-batch/emulator-journal.jsonl").contains("\n") }
        #expect(!tryLock(), "a running send holds the simulated account")
        sender.signal(SIGKILL)
        _ = sender.wait()
        #expect(tryLock(), "a killed send lets go of it")

        // Another holder: the next command waits, says so, and goes on when it is free.
        let descriptor = open(lockPath, O_RDWR)
        #expect(flock(descriptor, LOCK_EX) == 0)
        let plan = try CLIRunner.start(
            ["plan", "team.csv", "--send-method", "email_and_link", "--product", "Candle Set", "--from-name", "HR"],
            in: fixture.directory.path, environment: embedded)
        try await eventually { plan.stderrSoFar.contains("waiting for another goody-batch") }
        #expect(plan.isRunning)
        close(descriptor)
        let planned = plan.wait()
        #expect(planned.stderr.contains("waiting for another goody-batch that is using the built-in emulator"))
        #expect(planned.exitCode == 0, "\(planned.stderr)")
    }

    @Test func theAPIKeyNeverAppearsInAnyOutputLedgerOrResult() async throws {
        let secret = "gk_live_TOPSECRET_93f1c0ffee"
        let emulator = try await ExternalEmulator.start(
            apiKey: secret, arguments: ["--error-rate", "0.2", "--drop-rate", "0.2", "--async-delay", "0.1"])
        defer { emulator.stop() }
        fixture.write("team.csv", people(40))
        let keyFile = fixture.write("key.txt", secret + "\n")
        chmod(keyFile, 0o600)
        let send = try await run([
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--batch-size", "10", "--yes", "--api-url", emulator.url.absoluteString, "--api-key-file", keyFile,
        ])
        #expect(send.exitCode == 0, "\(send.stderr)")
        let id = try runID(send.stdout)
        let status = try await run(["status", id, "--api-url", emulator.url.absoluteString, "--api-key-file", keyFile])
        let wrongKey = try await run(
            ["status", id, "--api-url", emulator.url.absoluteString], environment: ["GOODY_API_KEY": secret + "x"])
        #expect(wrongKey.exitCode == 3)
        #expect(wrongKey.stderr.contains("401") || wrongKey.stderr.lowercased().contains("key"))
        var everything = [send.stdout, send.stderr, status.stdout, status.stderr, wrongKey.stdout, wrongKey.stderr]
        for name in fixture.files() where name != "key.txt" { everything.append(text(name)) }
        for name in ["state/goody-batch/ledgers"] { everything.append(text(name)) }
        let ledger = fixture.read("goody-batch-ledger.sqlite") ?? []
        #expect(ledger.count > 0)
        everything.append(String(decoding: ledger, as: UTF8.self))
        for (index, output) in everything.enumerated() {
            #expect(!output.contains("TOPSECRET"), "output \(index) contains the key")
        }
    }
}
