public import Foundation

/// A failed call to the Goody API, with what to do about it. A struct around a private code
/// (as AsyncHTTPClient's `HTTPClientError`), so new cases break nobody.
public struct GoodyClientError: Error, LocalizedError, Sendable, Equatable {
    enum Code: Sendable, Equatable {
        case unauthorized
        case badRequest
        case notFound
        case rateLimited
        case server
        case transport(String)
        case timeout
        case undecodable(String)
    }

    let code: Code
    /// The HTTP status, when an answer came.
    public let status: Int?
    /// Goody's own message (`{"error": …}`), when there was one.
    public let apiMessage: String?
    /// What was being done: "GET /v1/products".
    public let operation: String
    /// Seconds the server asked to wait (`Retry-After`).
    public let retryAfter: Double?

    init(code: Code, operation: String, status: Int? = nil, apiMessage: String? = nil, retryAfter: Double? = nil) {
        self.code = code
        self.operation = operation
        self.status = status
        self.apiMessage = apiMessage
        self.retryAfter = retryAfter
    }

    public static let unauthorized = GoodyClientError(code: .unauthorized, operation: "")

    /// The same kind of failure (status, message and operation aside).
    public func isKind(_ other: GoodyClientError) -> Bool { code == other.code }

    public var isUnauthorized: Bool { code == .unauthorized }
    public var isBadRequest: Bool { code == .badRequest }
    public var isNotFound: Bool { code == .notFound }
    public var isRateLimited: Bool { code == .rateLimited }

    /// No answer, or one that may have come after the server acted: the request may have taken
    /// effect. A create in this state must be looked up before it is sent again.
    public var outcomeUnknown: Bool {
        switch code {
        case .transport, .timeout, .server, .undecodable: true
        default: false
        }
    }

    /// Worth trying again after a pause.
    public var isTransient: Bool {
        switch code {
        case .rateLimited, .server, .transport, .timeout: true
        default: false
        }
    }

    public var errorDescription: String? {
        let said = apiMessage.map { ": \($0)" } ?? ""
        switch code {
        case .unauthorized:
            return
                "Goody refused the API key (\(operation), 401\(said)). Check GOODY_API_KEY or --api-key-file, and that the key is for this environment (sandbox keys do not work in production)."
        case .badRequest:
            return
                "Goody rejected the request (\(operation), \(status ?? 400)\(said)). Fix what the message names and run again."
        case .notFound:
            return "Goody has no such resource (\(operation), 404\(said)). Check the ID."
        case .rateLimited:
            let wait = retryAfter.map { " It asked to wait \(Int($0.rounded(.up))) s." } ?? ""
            return
                "Goody is rate-limiting this key (\(operation), 429).\(wait) goody-batch retried and gave up; run again in a minute."
        case .server:
            return
                "Goody had a server error (\(operation), \(status ?? 500)\(said)) and retries did not help. Run again later; nothing is sent twice."
        case .transport(let reason):
            return
                "Could not reach Goody (\(operation): \(reason)). Check the network connection and run again; nothing is sent twice."
        case .timeout:
            return "Goody did not answer in time (\(operation)). Run again; nothing is sent twice."
        case .undecodable(let reason):
            return
                "Goody's answer could not be read (\(operation): \(reason)). This may be a change in the API; report it."
        }
    }
}
