import Foundation
import Hummingbird

/// What the fault knobs did, for benchmarks and tests to compare with what the client saw.
public struct FaultCounts: Sendable, Equatable {
    public var requests = 0
    public var rateLimited = 0
    public var serverErrors = 0
    public var droppedAfterCommit = 0
}

/// Decides, request by request, which faults to inject: a token bucket for the rate limit and a
/// seeded generator for the random shares, so a run with the same seed fails the same way.
public actor FaultInjector {
    public let faults: EmulatorConfiguration.Faults
    private var random: SeededGenerator
    private var tokens: Double
    private var lastRefill: ContinuousClock.Instant
    public private(set) var counts = FaultCounts()

    public init(faults: EmulatorConfiguration.Faults, seed: UInt64) {
        self.faults = faults
        random = SeededGenerator(seed: seed ^ 0xFA17)
        tokens = faults.requestsPerSecond.map { max($0, 1) } ?? 0
        lastRefill = .now
    }

    public enum Verdict: Equatable, Sendable {
        case proceed
        case rateLimited(retryAfterSeconds: Int)
        case serverError(status: Int)
    }

    func admit() -> Verdict {
        counts.requests += 1
        if let rate = faults.requestsPerSecond, rate > 0 {
            let now = ContinuousClock.now
            let elapsed =
                Double((now - lastRefill).components.attoseconds) / 1e18 + Double((now - lastRefill).components.seconds)
            lastRefill = now
            // A second's worth of requests may come at once; beyond that, one every 1/rate.
            tokens = min(max(rate, 1), tokens + elapsed * rate)
            if tokens < 1 {
                counts.rateLimited += 1
                return .rateLimited(retryAfterSeconds: max(1, Int(((1 - tokens) / rate).rounded(.up))))
            }
            tokens -= 1
        }
        if faults.throttledRate > 0, random.unit() < faults.throttledRate {
            counts.rateLimited += 1
            return .rateLimited(retryAfterSeconds: 1)
        }
        if faults.serverErrorRate > 0, random.unit() < faults.serverErrorRate {
            counts.serverErrors += 1
            return .serverError(status: [500, 502, 503][Int(random.next() % 3)])
        }
        return .proceed
    }

    private var heldFirstCreate = false
    private var cancelsCommitted = 0

    /// How long to hold this cancel's answer: the second committed cancel's, once (the first
    /// answers, so a client is surely inside a run of cancels when it waits).
    func holdCancelAfterCommit() -> TimeInterval {
        cancelsCommitted += 1
        guard faults.holdSecondCancel > 0, cancelsCommitted == 2 else { return 0 }
        return faults.holdSecondCancel
    }

    /// How long to hold this create's answer: the first committed create's, once.
    func holdAfterCommit() -> TimeInterval {
        guard faults.holdFirstCreate > 0, !heldFirstCreate else { return 0 }
        heldFirstCreate = true
        return faults.holdFirstCreate
    }

    /// Whether to drop this create's connection now that its batch is committed.
    func dropAfterCommit() -> Bool {
        guard faults.dropAfterCommitRate > 0, random.unit() < faults.dropAfterCommitRate else { return false }
        counts.droppedAfterCommit += 1
        return true
    }
}

/// Slowness, rate limiting and server errors, before a request reaches its handler.
struct FaultMiddleware<Context: RequestContext>: RouterMiddleware {
    let injector: FaultInjector

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        if injector.faults.latency > 0 { try await Task.sleep(for: .seconds(injector.faults.latency)) }
        if let target = injector.faults.redirectPostsTo, request.method == .post {
            var response = JSONResponse.error(status: 307, message: "Moved")
            response.headers[.location] = target + request.uri.path
            return response
        }
        switch await injector.admit() {
        case .proceed:
            return try await next(request, context)
        case .rateLimited(let seconds):
            var response = JSONResponse.error(
                status: 429, message: "Too many requests; retry after \(seconds) second(s)")
            response.headers[.retryAfter] = String(seconds)
            return response
        case .serverError(let status):
            return JSONResponse.error(status: status, message: "Internal server error")
        }
    }
}

/// Bearer API keys; anything else is 401 `{"error": "Unauthorized"}`.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let keys: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let header = request.headers[.authorization] ?? ""
        guard header.hasPrefix("Bearer "), keys.contains(String(header.dropFirst(7))) else {
            return JSONResponse.error(status: 401, message: "Unauthorized")
        }
        return try await next(request, context)
    }
}
