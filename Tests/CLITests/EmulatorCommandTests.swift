import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// `goody-emulator` on its own: it says where it listens, and answers there.
struct EmulatorCommandTests {
    @Test func portZeroPrintsTheURLItListensOn() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.executable("goody-emulator"))
        process.arguments = ["--port", "0", "--api-key", "k"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("\n") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        let match = try #require(text.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:(\d+))/))
        #expect(Int(match.output.2) ?? 0 > 0)
        #expect(text.contains("(API key: k)"))
        let url = try #require(URL(string: String(match.output.1)))
        let me = try await HTTPClientScope.with { http in
            try await GoodyClient(environment: .custom(url), apiKey: APIKey("k"), httpClient: http).me()
        }
        #expect(me.email == "pat.rivera@example.com")
    }
}
