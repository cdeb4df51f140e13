import Foundation

/// Paces every request of a client so that a server's rate limit is met rather than hit: an
/// adaptive send rate (slow start, then a multiplicative step down on each 429 and a slow climb
/// back) and a cap on requests in flight. A 429's own `Retry-After` is honoured by the request
/// that got it; the others keep going at the lowered rate, so one 429 does not stall the run.
public actor RequestPacer {
    /// Requests per second now allowed.
    public private(set) var rate: Double
    private let maximumRate: Double
    private let minimumRate: Double
    private let maximumInFlight: Int
    private var inFlight = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var nextSlot = ContinuousClock.now
    private var lastIncrease = ContinuousClock.now
    private var lastDecrease = ContinuousClock.now - .seconds(10)
    private var slowStart = true
    /// When the requests of the last two seconds succeeded.
    private var recentSuccesses: [ContinuousClock.Instant] = []
    public private(set) var statistics = Statistics()

    public struct Statistics: Sendable, Equatable {
        public var requests = 0
        public var rateLimited = 0
        public var serverErrors = 0
        public var transportErrors = 0
        public var successes = 0
        /// Requests by endpoint, identifiers written `{id}`: "GET /v1/order_batches/{id}/orders".
        public var byEndpoint: [String: Int] = [:]

        /// What happened after `earlier` was taken.
        public func since(_ earlier: Statistics?) -> Statistics {
            guard let earlier else { return self }
            var result = Statistics(
                requests: requests - earlier.requests, rateLimited: rateLimited - earlier.rateLimited,
                serverErrors: serverErrors - earlier.serverErrors,
                transportErrors: transportErrors - earlier.transportErrors, successes: successes - earlier.successes)
            result.byEndpoint = byEndpoint.merging(earlier.byEndpoint.mapValues { -$0 }, uniquingKeysWith: +)
                .filter { $0.value != 0 }
            return result
        }

        /// "POST /v1/orders/0b00…/cancel" → "POST /v1/orders/{id}/cancel".
        static func endpoint(method: String, path: String) -> String {
            let segments = path.components(separatedBy: "/").map { segment in
                segment.count >= 8 && segment.contains(where: \.isNumber) ? "{id}" : segment
            }
            return "\(method) \(segments.joined(separator: "/"))"
        }
    }

    public init(
        initialRate: Double = 8, minimumRate: Double = 0.5, maximumRate: Double = 200, maximumInFlight: Int = 16
    ) {
        rate = initialRate
        self.minimumRate = minimumRate
        self.maximumRate = maximumRate
        self.maximumInFlight = maximumInFlight
    }

    /// Waits for a slot at the current rate and room in flight.
    func acquire() async throws {
        while inFlight >= maximumInFlight {
            await withCheckedContinuation { waiters.append($0) }
        }
        inFlight += 1
        let now = ContinuousClock.now
        let slot = max(now, nextSlot)
        nextSlot = slot + .seconds(1 / rate)
        if slot > now {
            do {
                try await Task.sleep(until: slot, clock: .continuous)
            } catch {
                release()
                throw error
            }
        }
    }

    /// Notes how the request ended, and adapts the rate.
    func record(status: Int?, method: String = "", path: String = "") {
        release()
        statistics.requests += 1
        statistics.byEndpoint[Statistics.endpoint(method: method, path: path), default: 0] += 1
        let now = ContinuousClock.now
        switch status {
        case 429?:
            statistics.rateLimited += 1
            // One step down per burst of 429s (they arrive together), then climb slowly. The
            // step goes to what the server let through in the last second, when that is known
            // (a limit is met in one step, not in many), else to half.
            if now - lastDecrease > .seconds(1) {
                let window = now - .seconds(1)
                let passed = Double(recentSuccesses.filter { $0 > window }.count)
                let measured = passed >= 3 ? passed * 0.95 : rate * 0.5
                rate = max(minimumRate, min(rate * 0.8, measured))
                lastDecrease = now
                lastIncrease = now
                slowStart = false
                // Those already scheduled at the old rate would be refused too.
                nextSlot = max(nextSlot, now + .seconds(1 / rate))
            }
        case let code? where code >= 500:
            statistics.serverErrors += 1
        case nil:
            statistics.transportErrors += 1
        default:
            statistics.successes += 1
            recentSuccesses.append(now)
            if recentSuccesses.count > 512 || (recentSuccesses.first.map { now - $0 > .seconds(2) } ?? false) {
                recentSuccesses.removeAll { now - $0 > .seconds(2) }
            }
            if now - lastIncrease >= .seconds(1) {
                rate = min(maximumRate, slowStart ? rate * 2 : rate * 1.04)
                lastIncrease = now
            }
        }
    }

    private func release() {
        inFlight -= 1
        if !waiters.isEmpty { waiters.removeFirst().resume() }
    }
}
