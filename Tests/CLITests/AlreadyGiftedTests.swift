import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Ledger
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Nobody gets two gifts by accident, whatever the folder, machine, spelling of the URL, send
/// method or ledger file: the built CLI against one separate `goody-emulator` (one account that
/// several "machines" share), with the orders counted at the emulator.
struct AlreadyGiftedTests {
    let fixture = Fixture()

    private func people(_ range: Range<Int>, emails: Bool = true) -> String {
        (emails ? "First Name,Last Name,Work Email,Manager\n" : "First Name,Last Name,Manager\n")
            + range.map { emails ? "P\($0),Test,p\($0)@acme.example,M\($0 % 3)" : "P\($0),Test,M\($0 % 3)" }
            .joined(separator: "\n") + "\n"
    }

    /// Runs the CLI in `folder` of the fixture, as a machine whose state lives in `machine`.
    private func run(
        _ arguments: [String], in folder: String, machine: String = "laptop", _ emulator: ExternalEmulator,
        url: String? = nil
    ) async throws -> CommandResult {
        try FileManager.default.createDirectory(atPath: fixture.path(folder), withIntermediateDirectories: true)
        return try await CLIRunner.running(
            arguments + ["--api-url", url ?? emulator.url.absoluteString], in: fixture.path(folder),
            environment: ["GOODY_API_KEY": emulator.apiKey, "XDG_STATE_HOME": fixture.path("\(machine)-state")])
    }

    private let gift = ["--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR", "--yes"]

    private func orders(_ emulator: ExternalEmulator) async throws -> [Order] {
        try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(emulator.url), apiKey: APIKey(emulator.apiKey), httpClient: http)
                .allOrders()
        }
    }

    private func runID(_ output: String) throws -> String {
        String(try #require(output.firstMatch(of: /Run (r[0-9a-f]{10})/)).output.1)
    }

    @Test(.timeLimit(.minutes(3)))
    func theSamePeopleFromAnotherFolderWithOtherSettingsGetNoNewGift() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }
        fixture.write("first/team.csv", people(0..<12))
        let first = try await run(["send", "team.csv"] + gift, in: "first", emulator)
        #expect(first.exitCode == 0, "\(first.stderr)")
        let firstRun = try runID(first.stdout)
        #expect(try await orders(emulator).count == 12)

        let variations: [(String, [String])] = [
            ("from-name", ["--from-name", "The People Team"]),
            ("message", ["--message", "Thank you!", "--card", "Work Anniversary"]),
            ("split", ["--split-by", "Manager"]),
            ("batch-size", ["--batch-size", "5"]),
            ("output", ["--output", "elsewhere/results.csv"]),
        ]
        for (folder, change) in variations {
            fixture.write("\(folder)/team.csv", people(0..<12))
            let again = try await run(["send", "team.csv"] + gift + change, in: folder, emulator)
            #expect(again.exitCode == 0, "\(folder): \(again.stdout)\n\(again.stderr)")
            let said = again.stdout + again.stderr
            if ["split", "batch-size", "output"].contains(folder) {
                // None changes the gifts: it is the same send, continued, not repeated.
                #expect(said.contains("already sent with these settings as run \(firstRun)"), "\(folder): \(said)")
            } else {
                #expect(said.contains("Already gifted: 12 rows left out (--allow-resend sends anyway)"), "\(folder)")
                #expect(said.contains("already gifted: run \(firstRun), batch 1"), "\(folder)")
                #expect(said.contains("everyone in this file was already gifted"), "\(folder)")
            }
            #expect(try await orders(emulator).count == 12, "\(folder): no new order")
        }

        // A prefix that names several runs is an error that lists them, never the newest.
        fixture.write("more/team.csv", people(20..<22))
        let more = try await run(["send", "team.csv"] + gift, in: "more", emulator)
        #expect(more.exitCode == 0)
        let ambiguous = try await run(["status", "r"], in: "more", emulator)
        #expect(ambiguous.exitCode != 0)
        #expect(ambiguous.stderr.contains("r names 2 runs"), "\(ambiguous.stderr)")
        let moreRun = try runID(more.stdout)
        #expect(ambiguous.stderr.contains(firstRun) && ambiguous.stderr.contains(moreRun))
    }

    @Test(.timeLimit(.minutes(2)))
    func anotherMachineFindsThemInGoodysOwnHistoryAndAllowResendSendsOnPurpose() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }
        fixture.write("laptop/team.csv", people(0..<8))
        let first = try await run(["send", "team.csv"] + gift, in: "laptop", machine: "laptop", emulator)
        #expect(first.exitCode == 0, "\(first.stderr)")

        // A second machine: no ledger, no registry, nothing of the first one's.
        fixture.write("desktop/team.csv", people(0..<10))
        let second = try await run(["send", "team.csv"] + gift, in: "desktop", machine: "desktop", emulator)
        #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("Already gifted: 8 rows left out"))
        #expect(second.stdout.contains("in Goody's history"))
        #expect(second.stdout.contains("in Goody's order history for the last 90 days (8 orders"))
        #expect(second.stdout.contains("sent            2 gifts"))
        #expect(try await orders(emulator).count == 10, "only the two new people")

        // On purpose: --allow-resend sends to them again, and the plan says so.
        fixture.write("desktop/again.csv", people(0..<3))
        let resend = try await run(
            ["send", "again.csv", "--allow-resend"] + gift, in: "desktop", machine: "desktop", emulator)
        #expect(resend.exitCode == 0, "\(resend.stderr)")
        #expect(resend.stdout.contains("Gifted before: 3 rows sent again on purpose (--allow-resend)"))
        #expect(try await orders(emulator).count == 13)
    }

    @Test(.timeLimit(.minutes(2)))
    func oneAPISpelledThreeWaysIsOneRun() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }
        let port = try #require(emulator.url.port)
        fixture.write("team/team.csv", people(0..<6))
        let first = try await run(["send", "team.csv"] + gift, in: "team", emulator, url: "http://127.0.0.1:\(port)")
        #expect(first.exitCode == 0)
        let id = try runID(first.stdout)
        for spelling in ["http://localhost:\(port)/", "HTTP://LOCALHOST:\(port)//"] {
            let again = try await run(["send", "team.csv"] + gift, in: "team", emulator, url: spelling)
            #expect(again.exitCode == 0, "\(spelling): \(again.stderr)")
            #expect(again.stderr.contains("already sent with these settings as run \(id)"), "\(spelling)")
        }
        #expect(try await orders(emulator).count == 6)
    }

    @Test(.timeLimit(.minutes(2)))
    func linkRowsWithoutEmailAndOneHireAppendedGiveOneNewGift() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }
        let link = [
            "--send-method", "link_multiple_custom_list", "--product", "Cookie Box", "--from-name", "HR", "--yes",
        ]
        fixture.write("team/team.csv", people(0..<20, emails: false))
        let first = try await run(["send", "team.csv"] + link, in: "team", emulator)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try await orders(emulator).count == 20)

        fixture.write("team/team.csv", people(0..<21, emails: false))
        let second = try await run(["send", "team.csv"] + link, in: "team", emulator)
        #expect(second.exitCode == 0, "\(second.stdout)\n\(second.stderr)")
        #expect(second.stdout.contains("Already gifted: 20 rows left out"))
        #expect(second.stdout.contains("possibly already gifted: the same name (the row has no email)"))
        #expect(second.stdout.contains("sent            1 gift"))
        #expect(try await orders(emulator).count == 21, "only the new hire")
    }

    @Test(.timeLimit(.minutes(2)))
    func aPlantedLedgerIsRefusedAndNothingIsCreated() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }

        // Writable by others: refused, whoever owns it.
        fixture.write("shared/team.csv", people(0..<4))
        let planted = fixture.write("shared/goody-batch-ledger.sqlite", "")
        chmod(planted, 0o666)
        let writable = try await run(["send", "team.csv"] + gift, in: "shared", emulator)
        #expect(writable.exitCode == 4, "\(writable.stderr)")
        #expect(writable.stderr.contains("can be written by other users"))

        // A symbolic link: refused, and the file it points at is left as it was.
        try FileManager.default.removeItem(atPath: planted)
        let target = fixture.write("elsewhere.txt", "not a ledger")
        chmod(target, 0o644)
        try FileManager.default.createSymbolicLink(atPath: planted, withDestinationPath: target)
        let linked = try await run(["send", "team.csv"] + gift, in: "shared", emulator)
        #expect(linked.exitCode == 4, "\(linked.stderr)")
        #expect(linked.stderr.contains("is a symbolic link"))
        var info = stat()
        #expect(stat(target, &info) == 0 && info.st_mode & 0o777 == 0o644, "no mode was set through the link")
        try FileManager.default.removeItem(atPath: planted)

        // Owned by another user (only root can make one here).
        if geteuid() == 0 {
            let foreign = fixture.write("shared/goody-batch-ledger.sqlite", "")
            chmod(foreign, 0o600)
            #expect(chown(foreign, 65534, 65534) == 0)
            let owned = try await run(["send", "team.csv"] + gift, in: "shared", emulator)
            #expect(owned.exitCode == 4, "\(owned.stderr)")
            #expect(owned.stderr.contains("belongs to another user"))
            try FileManager.default.removeItem(atPath: foreign)
        }
        #expect(try await orders(emulator).isEmpty, "nothing was created")
    }

    @Test(.timeLimit(.minutes(2)))
    func aLedgerHoldingAForgedRunIsNotContinued() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--async-delay", "0.1"])
        defer { emulator.stop() }
        fixture.write("victim/team.csv", people(0..<4))
        let first = try await run(["send", "team.csv"] + gift, in: "victim", emulator)
        #expect(first.exitCode == 0)
        let id = try runID(first.stdout)

        // The run's one batch rewritten to send the same gift to someone else, and marked as not
        // yet created, as a planted or tampered ledger would hold it.
        let ledger = try RunLedger(path: fixture.path("victim/goody-batch-ledger.sqlite"))
        var batch = try #require(try ledger.batches(ofRun: id).first)
        var input = try GoodyJSON.decoder().decode(OrderBatchInput.self, from: Data(batch.requestJSON.utf8))
        input.recipients[0].email = "planter@evil.example"
        batch.requestJSON = String(decoding: try GoodyJSON.encoder().encode(input), as: UTF8.self)
        batch.state = .planned
        batch.goodyID = nil
        try ledger.update(batch)
        try ledger.setState(.interrupted, ofRun: id)

        let again = try await run(["send", "team.csv"] + gift, in: "victim", emulator)
        #expect(again.exitCode == 4, "\(again.stdout)\n\(again.stderr)")
        #expect(
            again.stderr.contains(
                "would create batch 1 for people or a gift that this file and these settings do not give"))
        let all = try await orders(emulator)
        #expect(all.count == 4 && !all.contains { $0.recipientEmail == "planter@evil.example" })
    }

    /// A ledger of this machine that cannot be read may record the same send: `send` refuses,
    /// naming it, rather than passing over it; `plan` names it as skipped.
    @Test(.timeLimit(.minutes(2)))
    func aLedgerThatCannotBeReadStopsTheSendAndIsNamed() async throws {
        let emulator = try await ExternalEmulator.start()
        defer { emulator.stop() }
        fixture.write("first/team.csv", people(0..<3))
        let first = try await run(["send", "team.csv"] + gift, in: "first", emulator)
        #expect(first.exitCode == 0, "\(first.stderr)")
        // The ledger is damaged (a disk fault, a bad copy back from a backup).
        fixture.write("first/goody-batch-ledger.sqlite", String(repeating: "not a database ", count: 400))
        fixture.write("second/team.csv", people(0..<3))
        let plan = try await run(["plan", "team.csv"] + gift, in: "second", emulator)
        #expect(plan.stdout.contains("Skipped: \(fixture.path("first/goody-batch-ledger.sqlite"))"), "\(plan.stdout)")
        let send = try await run(["send", "team.csv"] + gift, in: "second", emulator)
        #expect(send.exitCode == 4, "\(send.stdout)\(send.stderr)")
        #expect(send.stderr.contains("not sent: goody-batch cannot read a ledger of this machine"), "\(send.stderr)")
        #expect(send.stderr.contains(fixture.path("first/goody-batch-ledger.sqlite")))
        #expect(try await orders(emulator).count == 3)
    }
}
