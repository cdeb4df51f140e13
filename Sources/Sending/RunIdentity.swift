import Crypto
public import Foundation
public import GoodyAPI

/// What makes two sends the same send: the input's bytes, the settings and the API. Running
/// `send` again with the same three continues the same run instead of starting another.
public struct RunIdentity: Sendable, Equatable {
    /// SHA-256, hex.
    public let value: String
    public let inputSHA256: String

    public init(inputSHA256: String, settingsJSON: String, reading: String, environment: String) {
        self.inputSHA256 = inputSHA256
        var hasher = SHA256()
        for part in [inputSHA256, settingsJSON, reading, environment] {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        value = Self.hex(hasher.finalize())
    }

    /// "r" and ten hex digits: short enough to type, unique enough for one ledger.
    public var runID: String { "r" + value.prefix(10) }

    /// The batch's idempotency key: the same run and the same batch always give the same key,
    /// so Goody refuses a second create of it.
    public func customerReferenceID(batch number: Int, request: OrderBatchInput) -> String {
        var hasher = SHA256()
        hasher.update(data: Data("\(value):\(number):".utf8))
        hasher.update(data: (try? GoodyJSON.encoder().encode(request)) ?? Data())
        return "goody-batch-" + Self.hex(hasher.finalize()).prefix(32)
    }

    /// SHA-256 of a file, read in pieces.
    public static func fileSHA256(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SendError("cannot read \(path) to fingerprint it")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hex(hasher.finalize())
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    static func sha256(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }
}

/// A problem that stops a send (or a resume, status or export) as a whole.
public struct SendError: Error, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}

/// A safety check refused to go on (an unfinished run that could overlap): nothing was created.
public struct SendRefusal: Error, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}
