public import APIClient
public import AsyncHTTPClient
public import Foundation
public import GoodyAPI
public import GoodyEmulator

/// Starts the real emulator on 127.0.0.1 (a free port) and a real client talking to it over
/// sockets, for the length of `body`; both are shut down however `body` ends.
public func withEmulatorClient<T: Sendable>(
    _ configuration: EmulatorConfiguration = EmulatorConfiguration(apiKeys: ["test-key"]),
    retry: RetryPolicy = RetryPolicy(maxAttempts: 6, baseDelay: 0.01, maxDelay: 0.05),
    timeoutSeconds: Int64 = 10,
    pacer: RequestPacer? = nil,
    clock: @escaping @Sendable () -> Date = { Date() },
    observer: (@Sendable (RequestEvent) -> Void)? = nil,
    _ body: @Sendable (RunningEmulator, GoodyClient) async throws -> T
) async throws -> T {
    try await GoodyEmulator.withRunning(configuration, clock: clock) { emulator in
        try await HTTPClient.withHTTPClient(configuration: GoodyClient.httpConfiguration) { http in
            let client = GoodyClient(
                environment: .custom(emulator.url), apiKey: APIKey(emulator.apiKey), httpClient: http, retry: retry,
                timeoutSeconds: timeoutSeconds, pacer: pacer, observer: observer)
            return try await body(emulator, client)
        }
    }
}

/// Products of the seeded catalogue by name.
extension EmulatorCatalogue {
    public func product(named name: String) -> Product? { products.first { $0.name == name } }
}

/// A clock a test moves forward: the emulator's time is the real time plus `offset`.
public final class ShiftedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var shift: TimeInterval = 0

    public init() {}

    public func advance(by seconds: TimeInterval) { lock.withLock { shift += seconds } }

    public var now: @Sendable () -> Date { { [self] in Date().addingTimeInterval(lock.withLock { shift }) } }
}

/// Collects values from concurrently running code, for assertions afterwards.
public final class Recorder<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Value] = []

    public init() {}

    public func append(_ value: Value) {
        lock.lock()
        values.append(value)
        lock.unlock()
    }

    public var all: [Value] {
        lock.lock()
        defer { lock.unlock() }
        return values
    }
}

/// An HTTP client for a test, shut down however the test ends.
public enum HTTPClientScope {
    public static func with<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
        try await HTTPClient.withHTTPClient(configuration: GoodyClient.httpConfiguration) { try await body($0) }
    }
}

extension ExternalEmulator {
    /// Runs `body` with a client of this emulator, as a test reads what Goody holds.
    public func withClient<T>(_ body: (GoodyClient) async throws -> T) async throws -> T {
        try await HTTPClientScope.with { http in
            try await body(GoodyClient(environment: .custom(url), apiKey: APIKey(apiKey), httpClient: http))
        }
    }

    /// Every batch the emulator holds, newest first.
    public func batches() async throws -> [OrderBatch] {
        try await withClient { client in
            var batches: [OrderBatch] = []
            try await client.scanBatches { page in
                batches += page.data
                return true
            }
            return batches
        }
    }
}
