import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// `goody-emulator` on its own: it says where it listens, and answers there.
struct EmulatorCommandTests {
    @Test func portZeroPrintsTheURLItListensOn() async throws {
        let emulator = try await ExternalEmulator.start(apiKey: "k")
        defer { emulator.stop() }
        let text = emulator.command.stdoutSoFar
        let match = try #require(text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:(\d+))/))
        #expect(Int(match.output.2) ?? 0 > 0)
        #expect(text.contains("(API key: k)"))
        let url = try #require(URL(string: String(match.output.1)))
        let me = try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(url), apiKey: APIKey("k"), httpClient: http).me()
        }
        #expect(me.email == "pat.rivera@example.com")
    }

    /// Three hundred short commands and thirty long-lived ones start at once, and every short
    /// one's end is seen while the long ones still run. A child that inherits the socket or pipes
    /// another child was started with hides that child's end for as long as it lives (seen on CI
    /// as commands "still running" after two minutes, beside emulators and held sends); children
    /// that keep only descriptors 0-2, and ends learnt from `waitpid`, prevent it.
    @Test(.timeLimit(.minutes(2))) func everyCommandsEndIsSeenWhileLongLivedOnesStartBesideIt() async throws {
        enum Started: Sendable {
            case longLived(RunningCommand)
            case command(CommandResult)
        }
        let started = try await withThrowingTaskGroup(of: Started.self) { group in
            for index in 0..<300 {
                if index % 10 == 0 {
                    group.addTask { .longLived(try CLIRunner.start(["60"], executable: "/bin/sleep")) }
                }
                group.addTask {
                    .command(try await CLIRunner.running(["\(index)"], executable: "/bin/echo", timeout: 20))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let longLived = started.compactMap { if case .longLived(let command) = $0 { command } else { nil } }
        defer {
            for command in longLived { command.signal(SIGKILL) }
            for command in longLived { _ = command.wait(timeout: 10) }
        }
        let commands = started.compactMap { if case .command(let result) = $0 { result } else { nil } }
        #expect(longLived.count == 30 && longLived.allSatisfy(\.isRunning))
        #expect(commands.count == 300)
        #expect(commands.filter { $0.exitCode != 0 }.isEmpty)
        #expect(Set(commands.map(\.stdout)) == Set((0..<300).map { "\($0)\n" }))
    }
}
