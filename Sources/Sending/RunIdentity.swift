import Crypto
public import Foundation
public import GoodyAPI
public import Planning
import Recipients
import Spreadsheet

/// What makes two sends the same send: the same gifts to the same people on the same account.
/// That is the input's content, everything that defines the gifts (send method, cart, message,
/// card, from name, dates, swap, payment method, workspace; per-row overrides live in the input),
/// how the file is read, and the account. What only shapes the output or the pace (`--output`,
/// `--split-by`, `--ledger`, `--quiet`, `--json`, `--concurrency`, the batch size) and the
/// spending cap are not part of it. Running `send` again with the same identity continues the
/// same run instead of starting another.
public struct RunIdentity: Sendable, Equatable {
    /// SHA-256, hex.
    public let value: String
    public let inputSHA256: String

    /// Computed from the plan request itself, never from the command line's text. An occasion's
    /// window counts by its days (`resolvedWindow`), so `next-month` run next month is another
    /// send.
    public init(
        request: PlanRequest, inputSHA256: String, account: AccountIdentity, resolvedWindow: String? = nil
    ) throws {
        var gifts = request.campaign
        gifts.batchSize = nil
        gifts.maxSpend = nil
        if let resolvedWindow { gifts.window = resolvedWindow }
        let read = request.input.read
        let parts = Parts(
            gifts: gifts,
            reading: Reading(
                encoding: read.encoding.map { String(describing: $0) },
                delimiter: read.delimiter.map { String(describing: $0) }, headerLine: read.headerLine,
                columns: request.input.overrides.map { "\($0.key.rawValue)=\($0.value)" }.sorted(),
                preferredName: request.input.preferPreferredName,
                allowDuplicates: request.input.options.allowDuplicates))
        let encoder = GoodyJSON.encoder()
        let json = try encoder.encode(parts)
        self.init(inputSHA256: inputSHA256, definition: String(decoding: json, as: UTF8.self), account: account.key)
    }

    init(inputSHA256: String, definition: String, account: String) {
        self.inputSHA256 = inputSHA256
        var hasher = SHA256()
        for part in [inputSHA256, definition, account] {
            hasher.update(data: Data(part.utf8))
            hasher.update(data: Data([0]))
        }
        value = Self.hex(hasher.finalize())
    }

    private struct Parts: Encodable {
        var gifts: CampaignSettings
        var reading: Reading
    }

    private struct Reading: Encodable {
        var encoding: String?
        var delimiter: String?
        var headerLine: Int?
        var columns: [String]
        var preferredName: Bool
        var allowDuplicates: Bool
    }

    /// "r" and ten hex digits: short enough to type, unique enough for one ledger.
    public var runID: String { "r" + value.prefix(10) }

    /// The batch's idempotency key: the same run and the same batch always give the same key,
    /// so Goody refuses a second create of it. It ends with the occasion's occurrence when there
    /// is one, so the batch says what it was for to a later search of Goody's history.
    public func customerReferenceID(batch number: Int, request: OrderBatchInput, occurrence: String? = nil) throws
        -> String
    {
        var hasher = SHA256()
        hasher.update(data: Data("\(value):\(number):".utf8))
        hasher.update(data: try GoodyJSON.encoder().encode(request))
        return GiftTag.reference(hash: String(Self.hex(hasher.finalize()).prefix(32)), occurrence: occurrence)
    }

    /// SHA-256 of a file, read in pieces.
    public static func fileSHA256(_ path: String) throws -> String {
        // The same bytes the reader reads, a pipe's included (it is read once).
        let path = try InputFile.readablePath(for: path)
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
