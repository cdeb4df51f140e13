public import Foundation

/// A failed call to the Goody API, with what to do about it. A struct around a private code
/// (as AsyncHTTPClient's `HTTPClientError`), so new cases break nobody.
public struct GoodyClientError: Error, LocalizedError, Sendable, Equatable {
    enum Code: Sendable, Equatable {
        case unauthorized
        /// 403: the key is good but may not do this.
        case forbidden
        /// Goody keeps `mailing_address` (direct send) for approved partners.
        case directSendNotAllowed
        case badRequest
        case notFound
        /// A 3xx: never followed, as it would carry recipients' data (and a POST's body) elsewhere.
        case redirected(String)
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
    public var isDirectSendNotAllowed: Bool { code == .directSendNotAllowed }
    /// Goody answered, but the answer could not be used.
    public var isUndecodable: Bool { if case .undecodable = code { true } else { false } }

    /// Goody refused a create because its `customer_reference_id` was used before: the batch
    /// exists. This is never a refusal of the batch.
    public var saysReferenceTaken: Bool {
        guard code == .badRequest, let message = apiMessage?.lowercased() else { return false }
        return message.contains("reference") && message.contains("taken")
    }

    /// What kind of failure this is, for the exit code.
    public enum Kind: Sendable {
        /// No answer, a server error, rate limiting, or the key refused.
        case unreachableOrRefused
        /// Goody answered, but not in a shape the tool can use.
        case unusableAnswer
        /// A setting that cannot work for this account (direct send outside the partner programme).
        case setup
        /// Goody rejected the request (400, 404).
        case rejected
    }

    public var kind: Kind {
        switch code {
        case .undecodable: .unusableAnswer
        case .directSendNotAllowed: .setup
        case .badRequest, .notFound: .rejected
        default: .unreachableOrRefused
        }
    }

    /// Whether Goody's message says direct send (`mailing_address`) is only for approved partners.
    static func saysDirectSendIsForPartners(_ message: String?) -> Bool {
        guard let text = message?.lowercased() else { return false }
        let aboutShipping = ["mailing", "direct send", "direct_send", "address"].contains { text.contains($0) }
        let aboutPermission = ["partner", "not allowed", "not permitted", "not enabled", "approved"].contains {
            text.contains($0)
        }
        return aboutShipping && aboutPermission
    }
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
        case .forbidden:
            return
                "Goody does not let this key do that (\(operation), 403\(said)). The key itself was accepted; ask the account's owner at Goody for access."
        case .directSendNotAllowed:
            return
                "Goody ships gifts to mailing addresses (direct_send) only for approved partners, and this account is not one (\(operation), \(status ?? 403)\(said)). Nothing was sent. Send with --send-method email_and_link (Goody emails each person their gift, and they enter their own address) or link_multiple_custom_list (you share the gift links), or ask Goody to enable direct send for this account."
        case .badRequest:
            return
                "Goody rejected the request (\(operation), \(status ?? 400)\(said)). Fix what the message names and run again."
        case .notFound:
            return "Goody has no such resource (\(operation), 404\(said)). Check the ID."
        case .redirected(let location):
            return
                "The API answered \(operation) with a redirect (\(status ?? 307)) to \(location.isEmpty ? "another address" : location), which goody-batch does not follow: it would send recipients' data somewhere it was not asked to. Nothing was sent there. Check --api-url."
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
                "Goody answered, but the answer could not be used (\(operation): \(reason)). This is not a problem with the key or the network: Goody may have changed its API. Nothing recorded so far is lost; report this message."
        }
    }
}
