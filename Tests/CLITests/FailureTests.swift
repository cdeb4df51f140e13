import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Each way a send can fail on this machine gives its own message and exit code, with the run and
/// the next command where a run exists; any input is read once or refused by kind.
struct FailureTests {
    let fixture = Fixture()

    private var embedded: [String: String] { ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state")] }

    private func run(
        _ arguments: [String], in folder: String? = nil, environment: [String: String] = [:],
        executable: String = "goody-batch"
    ) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments, in: folder ?? fixture.directory.path, environment: embedded.merging(environment) { $1 },
            executable: executable)
    }

    private func people(_ count: Int) -> String {
        "First Name,Last Name,Work Email\n"
            + (0..<count).map { "P\($0),Test,p\($0)@acme.example" }.joined(separator: "\n")
            + "\n"
    }

    private let gift = ["--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR", "--yes"]

    @Test func aFolderOrADeviceAsInputIsRefusedByKind() async throws {
        try FileManager.default.createDirectory(atPath: fixture.path("exports"), withIntermediateDirectories: true)
        let folder = try await run(["send", "exports"] + gift)
        #expect(folder.exitCode == 2)
        #expect(folder.stderr.contains("exports is a folder, not a file"))
        #expect(!folder.stderr.contains("NSCocoaErrorDomain"))
        let device = try await run(["send", "/dev/zero"] + gift)
        #expect(device.exitCode == 2)
        #expect(device.stderr.contains("/dev/zero is a device, not a file"))
    }

    @Test func aPipeIsReadOnceAndWhole() async throws {
        fixture.write("big.csv", people(20_000))
        let substituted = try await run(
            ["-c", "\(CLIRunner.executable("goody-batch")) validate <(cat big.csv) --send-method email_and_link"],
            executable: "/bin/bash")
        #expect(substituted.exitCode == 0, "\(substituted.stderr)")
        #expect(substituted.stdout.contains("20000 read: 20000 OK"))

        // Rows to reject, from a pipe: they go to the current folder (nothing can be written
        // beside /dev/fd/63), and a duplicate is confirmed on the private copy read again.
        fixture.write("dups.csv", people(40_000) + "Again,Test,P7@ACME.example\nBad,Test,not-an-email\n")
        let rejecting = try await run(
            ["-c", "\(CLIRunner.executable("goody-batch")) validate <(cat dups.csv) --send-method email_and_link"],
            executable: "/bin/bash")
        #expect(rejecting.exitCode == 1, "\(rejecting.stderr)")
        #expect(rejecting.stdout.contains("line 40002") && rejecting.stdout.contains("line 9 has the same email"))
        #expect(rejecting.stdout.contains("Rejected rows were written to input.rejected.csv"))
        let rejected = try WrittenCSV.rows(at: fixture.path("input.rejected.csv"))
        #expect(rejected.map { $0["First Name"] } == ["Again", "Bad"])

        // A FIFO nobody writes to, and one that never ends, each stop with a message.
        #expect(mkfifo(fixture.path("silent"), 0o600) == 0)
        let silent = try await run(
            ["validate", "silent", "--send-method", "email_and_link"],
            environment: ["GOODY_BATCH_STREAM_WAIT_SECONDS": "1"])
        #expect(silent.exitCode == 2)
        #expect(silent.stderr.contains("nothing was written to silent within 1 s"))
        let endless = try await run(
            [
                "-c",
                "yes 'P,Test,p@acme.example' | \(CLIRunner.executable("goody-batch")) validate /dev/stdin --send-method email_and_link",
            ],
            environment: ["GOODY_BATCH_MAX_STREAM_BYTES": "1000000"], executable: "/bin/bash")
        #expect(endless.exitCode == 2)
        #expect(endless.stderr.contains("/dev/stdin did not end within 1000000 bytes"))
    }

    @Test func aResultsFolderThatCannotBeWrittenStopsBeforeAnything() async throws {
        fixture.write("team.csv", people(3))
        try FileManager.default.createDirectory(atPath: fixture.path("locked"), withIntermediateDirectories: true)
        chmod(fixture.path("locked"), 0o500)
        defer { chmod(fixture.path("locked"), 0o700) }
        // Root writes anywhere; the check is then about a folder that does not exist.
        let target = geteuid() == 0 ? "missing/results.csv" : "locked/results.csv"
        let result = try await run(["send", "team.csv", "--output", target] + gift)
        #expect(result.exitCode == 6, "\(result.stderr)")
        #expect(result.stderr.contains("cannot be written"))
        #expect(result.stderr.contains("nothing was sent"))
        #expect(!fixture.exists("state/goody-batch/emulator-journal.jsonl"), "nothing was created")
    }

    @Test func aDamagedLedgerSaysSoAndBlocksNothingElse() async throws {
        fixture.write("a/team.csv", people(3))
        fixture.write("a/goody-batch-ledger.sqlite", String(repeating: "not a database ", count: 500))
        chmod(fixture.path("a/goody-batch-ledger.sqlite"), 0o600)
        let damaged = try await run(["send", "team.csv"] + gift, in: fixture.path("a"))
        #expect(damaged.exitCode == 6, "\(damaged.stderr)")
        #expect(damaged.stderr.contains("goody-batch-ledger.sqlite cannot be read"))
        #expect(damaged.stderr.contains("no run in it can be trusted. Move it aside (mv "))

        // Another folder, with its own ledger, is not held up by it.
        fixture.write("b/team.csv", people(3))
        let elsewhere = try await run(["send", "team.csv"] + gift, in: fixture.path("b"))
        #expect(elsewhere.exitCode == 0, "\(elsewhere.stderr)")
    }

    @Test(.timeLimit(.minutes(2)))
    func aRunBeingSentElsewhereIsNamedWithItsProcess() async throws {
        let emulator = try await ExternalEmulator.start(arguments: ["--hold-first-create", "60"])
        defer { emulator.kill() }
        fixture.write("team.csv", people(3))
        let environment = ["GOODY_API_KEY": emulator.apiKey, "XDG_STATE_HOME": fixture.path("state")]
        let arguments = ["send", "team.csv"] + gift + ["--api-url", emulator.url.absoluteString]
        let first = try CLIRunner.start(arguments, in: fixture.directory.path, environment: environment)
        defer {
            first.signal(SIGKILL)
            _ = first.wait()
        }
        let fixture = self.fixture
        #expect(
            await CLIRunner.poll {
                fixture.files().contains { $0.hasPrefix(".goody-batch-r") && $0.hasSuffix(".lock") }
            })
        let second = try await CLIRunner.running(arguments, in: fixture.directory.path, environment: environment)
        #expect(second.exitCode == 4, "\(second.stderr)")
        #expect(second.stderr.contains("is being sent by another process (pid \(first.processIdentifier))"))
    }

    /// A disk that fills while the gifts are being created: the message says what exists, where
    /// the links are, and the commands that finish the job.
    @Test(.enabled(if: geteuid() == 0, "needs root to mount a small tmpfs"), .timeLimit(.minutes(2)))
    func aFullDiskMidSendSaysWhatExistsAndHowToFinish() async throws {
        let disk = fixture.path("small")
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mount = try await run(["-c", "mount -t tmpfs -o size=64k tmpfs '\(disk)'"], executable: "/bin/bash")
        try #require(mount.exitCode == 0, "\(mount.stderr)")
        defer { _ = try? CLIRunner.run(["-c", "umount '\(disk)'"], executable: "/bin/bash") }
        // The results go on the small disk (the ledger stays on a roomy one): they do not fit.
        let note = String(repeating: "x", count: 600)
        fixture.write(
            "team.csv",
            "First Name,Last Name,Work Email,Department\n"
                + (0..<300).map { "P\($0),Test,p\($0)@acme.example,\(note)" }.joined(separator: "\n") + "\n")
        let result = try await run(
            ["send", "team.csv", "--batch-size", "100", "--output", "small/results.csv", "--ledger", "ledger.sqlite"]
                + gift)
        #expect(result.exitCode == 6, "\(result.stdout)\n\(result.stderr)")
        let said = result.stderr
        #expect(said.contains("Run r"), "\(said)")
        #expect(said.contains("exist at Goody"))
        #expect(said.contains("goody-batch resume r") && said.contains("goody-batch export r"))
        #expect(said.contains("No space left on device"))
        #expect(said.contains("3 of 3 batches exist at Goody") && said.contains("300 gift links are recorded"))
        #expect(!said.contains("SQLite error"), "no raw database message")
    }
}
