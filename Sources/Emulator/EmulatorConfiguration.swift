public import Foundation

/// How the emulator behaves: where it listens, which keys it accepts, how fast batches
/// complete, and which faults it injects.
public struct EmulatorConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Bearer keys accepted; any other gets 401.
    public var apiKeys: Set<String>
    /// Seeds the catalogue, every identifier and the fault decisions.
    public var seed: UInt64
    /// How long a batch of more than 10 recipients stays `pending` before it completes.
    public var asyncDelay: TimeInterval
    /// When set, each order moves one step along its path (opened, accepted, shipped…) every
    /// this many seconds, so `status` has something to report.
    public var statusStep: TimeInterval?
    public var faults: Faults
    /// When set, every create and cancel is appended to this file and replayed on start, so the
    /// emulator's account outlives the process (as the real one does).
    public var journalPath: String?

    public init(
        host: String = "127.0.0.1", port: Int = 0, apiKeys: Set<String> = ["emulator-key"], seed: UInt64 = 1,
        asyncDelay: TimeInterval = 0.5, statusStep: TimeInterval? = nil, faults: Faults = Faults(),
        journalPath: String? = nil
    ) {
        self.journalPath = journalPath
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.seed = seed
        self.asyncDelay = asyncDelay
        self.statusStep = statusStep
        self.faults = faults
    }

    /// Faults to prove a client right: slowness, rate limiting, server errors, lost responses.
    public struct Faults: Sendable, Equatable {
        /// Added to every answer.
        public var latency: TimeInterval
        /// At most this many requests a second; more are answered 429 with `Retry-After`.
        public var requestsPerSecond: Double?
        /// The share of requests answered 500, 502 or 503 without doing anything.
        public var serverErrorRate: Double
        /// The share of requests answered 429 (with `Retry-After: 1`) whatever the rate.
        public var throttledRate: Double
        /// The share of batch creates whose connection is dropped after the batch was committed.
        public var dropAfterCommitRate: Double

        public init(
            latency: TimeInterval = 0, requestsPerSecond: Double? = nil, serverErrorRate: Double = 0,
            throttledRate: Double = 0, dropAfterCommitRate: Double = 0
        ) {
            self.latency = latency
            self.requestsPerSecond = requestsPerSecond
            self.serverErrorRate = serverErrorRate
            self.throttledRate = throttledRate
            self.dropAfterCommitRate = dropAfterCommitRate
        }

        public var isEmpty: Bool { self == Faults() }
    }

    /// Reads `GOODY_EMULATOR_*` variables over the given defaults: LATENCY_MS, RATE_LIMIT,
    /// ERROR_RATE, THROTTLE_RATE, DROP_RATE, ASYNC_DELAY, STATUS_STEP, SEED, JOURNAL.
    public func overridden(by environment: [String: String]) -> EmulatorConfiguration {
        var configuration = self
        func number(_ name: String) -> Double? { environment["GOODY_EMULATOR_\(name)"].flatMap(Double.init) }
        if let value = number("LATENCY_MS") { configuration.faults.latency = value / 1000 }
        if let value = number("RATE_LIMIT") { configuration.faults.requestsPerSecond = value > 0 ? value : nil }
        if let value = number("ERROR_RATE") { configuration.faults.serverErrorRate = value }
        if let value = number("THROTTLE_RATE") { configuration.faults.throttledRate = value }
        if let value = number("DROP_RATE") { configuration.faults.dropAfterCommitRate = value }
        if let value = number("ASYNC_DELAY") { configuration.asyncDelay = value }
        if let value = number("STATUS_STEP") { configuration.statusStep = value > 0 ? value : nil }
        if let value = environment["GOODY_EMULATOR_SEED"].flatMap(UInt64.init) { configuration.seed = value }
        if let value = environment["GOODY_EMULATOR_JOURNAL"], !value.isEmpty { configuration.journalPath = value }
        return configuration
    }
}
