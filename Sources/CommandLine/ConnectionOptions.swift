import APIClient
import ArgumentParser
import AsyncHTTPClient
import Foundation
import GoodyEmulator
import Ledger
import Planning

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which Goody to talk to, and with which key.
struct ConnectionOptions: ParsableArguments {
    @Flag(help: "Use goody-batch's built-in emulator of the Goody API (simulated; the default when no API key is set).")
    var emulator = false

    @Flag(help: "Use Goody's production API: real gifts, real charges. Without it, the sandbox is used.")
    var production = false

    @Option(help: ArgumentHelp("Another base URL for the API (https, or http on this machine only).", valueName: "url"))
    var apiURL: String?

    @Option(help: ArgumentHelp("Read the API key from this file instead of GOODY_API_KEY.", valueName: "path"))
    var apiKeyFile: String?

    func validate() throws {
        if production && apiURL != nil { throw ValidationError("Give either --production or --api-url, not both.") }
        if production && emulator { throw ValidationError("--production and --emulator cannot go together.") }
    }

    /// Runs `body` with a client for the chosen API: the real one when a key is set, otherwise
    /// (or with --emulator) the built-in emulator started on loopback for this run.
    func withClient<T: Sendable>(_ body: @Sendable (GoodyClient, ConnectionLabel) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let key = try APIKey.load(keyFile: apiKeyFile, environment: environment)
        if let apiKeyFile, key != nil, APIKey.isShared(keyFile: apiKeyFile) {
            Output.err(
                "goody-batch: warning: \(apiKeyFile) can be read by other users; an API key is as good as money (chmod 600 \(apiKeyFile)).\n"
            )
        }
        if key != nil { SecretHygiene.disableCoreDumps() }
        guard let key, !emulator else {
            if production {
                throw CredentialError("--production needs an API key: set GOODY_API_KEY or --api-key-file.")
            }
            return try await withEmulator(environment: environment, body)
        }
        let target: GoodyEnvironment =
            try apiURL.map { try GoodyEnvironment.custom($0) } ?? (production ? .production : .sandbox)
        return try await HTTPClient.withHTTPClient(configuration: GoodyClient.httpConfiguration) { http in
            let client = GoodyClient(environment: target, apiKey: key, httpClient: http, pacer: RequestPacer())
            return try await body(client, ConnectionLabel(description: target.displayName, simulated: false))
        }
    }

    private func withEmulator<T: Sendable>(
        environment: [String: String], _ body: @Sendable (GoodyClient, ConnectionLabel) async throws -> T
    ) async throws -> T {
        let key = "emulator-\(UUID().uuidString)"
        // The simulated account lives beside the ledger registry, so a run can be resumed,
        // refreshed and exported from a later process, as with the real API.
        let state = (LedgerRegistry.standard(environment: environment).path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let configuration = EmulatorConfiguration(apiKeys: [key], journalPath: state + "/emulator-journal.jsonl")
            .overridden(by: environment)
        // One process at a time owns the simulated account, as two would each replay the
        // journal and then write diverging histories into it.
        // Never without the lock: two replays of one journal would write diverging histories,
        // in which a gift sent by one is unknown to the other.
        let lockPath = state + "/emulator.lock"
        let lock = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw EmulatorLockError(path: lockPath, reason: String(cString: strerror(errno))) }
        defer { close(lock) }
        if flock(lock, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK else {
                throw EmulatorLockError(path: lockPath, reason: String(cString: strerror(errno)))
            }
            Output.err("goody-batch: waiting for another goody-batch that is using the built-in emulator…\n")
            while flock(lock, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    throw EmulatorLockError(path: lockPath, reason: String(cString: strerror(errno)))
                }
            }
        }
        return try await GoodyEmulator.withRunning(configuration) { running in
            try await HTTPClient.withHTTPClient(configuration: GoodyClient.httpConfiguration) { http in
                let client = GoodyClient(
                    environment: .custom(running.url), apiKey: APIKey(key), httpClient: http, pacer: RequestPacer())
                return try await body(
                    client,
                    ConnectionLabel(
                        description: "the built-in emulator at \(running.url.absoluteString)", simulated: true,
                        account: "goody-batch built-in emulator"))
            }
        }
    }
}

/// The built-in emulator's account could not be locked for this process.
struct EmulatorLockError: Error, LocalizedError {
    let path: String
    let reason: String

    var errorDescription: String? {
        "cannot lock the built-in emulator's simulated account (\(path): \(reason)), so nothing was run: two goody-batch at once would keep diverging records of it. Make \(path) a file you can write (or remove it), then run again."
    }
}
