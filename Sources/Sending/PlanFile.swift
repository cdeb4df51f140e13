import Crypto
public import Foundation
public import GoodyAPI
public import Planning
import Recipients

#if canImport(Glibc)
    import Glibc
    private let systemWrite = Glibc.write
#elseif canImport(Darwin)
    import Darwin
    private let systemWrite = Darwin.write
#endif

/// A plan written for someone else to approve (`plan --out NAME.goody-plan`), and the contract
/// `send --plan` holds the send to: the input's SHA-256, every setting (as the command line that
/// made it), each batch exactly as it would be created, each batch's price as Goody quoted it,
/// who was left out and why, and the cap approved. JSON with a format version, mode 0600 (it
/// holds recipients' names and emails), written atomically.
public struct PlanFile: Codable, Sendable {
    public static let format = "goody-batch-plan"
    public static let version = 1
    /// How long a plan may wait for its send unless `--max-plan-age` says otherwise.
    public static let defaultMaxAgeDays = 14

    public var format: String
    public var version: Int
    public var createdAt: Date
    /// What `plan` was given after its name, `--out` left out: `send --plan` reads the file and
    /// settings again through exactly these.
    public var arguments: [String]
    /// Where those arguments' relative paths start from.
    public var workingDirectory: String
    public var input: FileDigest
    /// The campaign file, when the plan used one.
    public var campaign: FileDigest?
    /// The account the plan was priced on, as the ledger records it.
    public var account: String
    public var accountDescription: String
    public var simulated: Bool
    /// The run identity: the input, every setting that defines the gifts, and the account.
    public var identity: String
    /// SHA-256 of every batch's create request, in order.
    public var fingerprint: String
    public var sendMethod: String
    public var batches: [Batch]
    public var recipients: Int
    public var totalLowCents: Int
    public var totalHighCents: Int
    /// What the send may cost in all: `--max-spend`, or the high estimate.
    public var approvedCapCents: Int
    public var pricedAt: Date
    public var leftOut: LeftOut
    public var occasion: Occasion?

    public struct FileDigest: Codable, Sendable, Equatable {
        public var path: String
        public var sha256: String
    }

    public struct Batch: Codable, Sendable {
        public var number: Int
        public var lines: [Int]
        /// The create request, complete but for the `customer_reference_id` the send adds.
        public var request: OrderBatchInput
        public var estimateLowCents: Int
        public var estimateHighCents: Int

        enum CodingKeys: String, CodingKey {
            case number, lines, request
            case estimateLowCents = "estimate_low_cents"
            case estimateHighCents = "estimate_high_cents"
        }
    }

    public struct LeftOut: Codable, Sendable {
        public var alreadyGifted: [Person]
        public var notDue: [Person]
        public var rejected: [Person]

        public struct Person: Codable, Sendable {
            public var line: Int
            public var reason: String
        }

        enum CodingKeys: String, CodingKey {
            case alreadyGifted = "already_gifted"
            case notDue = "not_due"
            case rejected
        }
    }

    public struct Occasion: Codable, Sendable {
        public var kind: String
        public var window: String?
    }

    enum CodingKeys: String, CodingKey {
        case format, version, arguments, input, campaign, account, simulated, identity, fingerprint, batches,
            recipients, occasion
        case createdAt = "created_at"
        case workingDirectory = "working_directory"
        case accountDescription = "account_description"
        case sendMethod = "send_method"
        case totalLowCents = "total_low_cents"
        case totalHighCents = "total_high_cents"
        case approvedCapCents = "approved_cap_cents"
        case pricedAt = "priced_at"
        case leftOut = "left_out"
    }

    /// The plan a prepared run is, with the command line that made it.
    public init(
        _ prepared: PreparedRun, arguments: [String], workingDirectory: String, campaignPath: String?, now: Date
    ) throws {
        let plan = prepared.plan
        format = Self.format
        version = Self.version
        createdAt = now
        self.arguments = arguments
        self.workingDirectory = workingDirectory
        input = FileDigest(
            path: OutputNaming.absolute(plan.path), sha256: prepared.identity.inputSHA256)
        campaign = try campaignPath.map {
            FileDigest(path: OutputNaming.absolute($0), sha256: try RunIdentity.fileSHA256($0))
        }
        account = prepared.account.key
        accountDescription = prepared.account.description
        simulated = prepared.account.place == "simulated"
        identity = prepared.identity.value
        fingerprint = plan.fingerprint
        sendMethod = plan.method.rawValue
        batches = plan.batches.map {
            Batch(
                number: $0.number, lines: $0.recipients.map(\.line), request: $0.input,
                estimateLowCents: $0.estimateRange.low, estimateHighCents: $0.estimateRange.high)
        }
        recipients = plan.recipientCount
        totalLowCents = plan.totalLow
        totalHighCents = plan.totalHigh
        approvedCapCents = plan.maxSpend ?? plan.totalHigh
        pricedAt = plan.pricedAt
        leftOut = LeftOut(
            alreadyGifted: prepared.leftOut.map { .init(line: $0.line, reason: $0.sentence) },
            notDue: plan.notDue.map { .init(line: $0.line, reason: $0.reason) },
            rejected: (plan.validationErrors + plan.rejected).map { .init(line: $0.line, reason: $0.message) })
        occasion = plan.occasion.map {
            Occasion(kind: $0.kind.name, window: $0.window.map { "\($0.lowerBound)..\($0.upperBound)" })
        }
    }

    // MARK: - Reading and writing

    /// The file's bytes (written with `writeAtomically`): the same plan always encodes to the
    /// same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(self) + Data("\n".utf8)
    }

    /// Reads a plan file, with a message saying what to do when it is not one.
    public static func load(_ path: String) throws -> (plan: PlanFile, sha256: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SendError("cannot read the plan \(path): check the path (plan files are written by `plan --out`).")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        struct Header: Decodable {
            var format: String?
            var version: Int?
        }
        let header = try? decoder.decode(Header.self, from: data)
        guard header?.format == format else {
            throw SendError("\(path) is not a goody-batch plan; write one with `goody-batch plan … --out \(path)`.")
        }
        guard header?.version == version else {
            throw SendError(
                "\(path) is a plan of format version \(header?.version ?? 0); this goody-batch reads version \(version). Plan again with this version."
            )
        }
        do {
            return (try decoder.decode(PlanFile.self, from: data), sha256(data))
        } catch {
            throw SendError(
                "\(path) is damaged (\(error.localizedDescription)); nothing was sent. Plan again and have the new plan approved."
            )
        }
    }

    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// A private (0600) file written whole or not at all.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            (directory.isEmpty ? "" : directory + "/") + ".\((path as NSString).lastPathComponent).\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else {
            throw SendError("cannot write the plan \(path): \(String(cString: strerror(errno))).")
        }
        fchmod(descriptor, 0o600)
        var failure: Int32 = 0
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0 && fsync(descriptor) != 0 { failure = errno }
        close(descriptor)
        guard failure == 0, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(failure == 0 ? errno : failure))
            unlink(temporary)
            throw SendError("cannot write the plan \(path): \(reason).")
        }
    }

    // MARK: - The contract

    /// How old the plan is, in words ("3 hours", "2 days").
    public func age(at now: Date) -> String {
        let seconds = max(0, now.timeIntervalSince(createdAt))
        switch seconds {
        case ..<3600: return "\(Int(seconds / 60)) minute\(Int(seconds / 60) == 1 ? "" : "s")"
        case ..<172_800: return "\(Int(seconds / 3600)) hour\(Int(seconds / 3600) == 1 ? "" : "s")"
        default: return "\(Int(seconds / 86_400)) days"
        }
    }

    /// Refuses a plan older than `maxAgeDays`.
    public func checkAge(at now: Date, maxAgeDays: Int, path: String) throws {
        guard now.timeIntervalSince(createdAt) > Double(maxAgeDays) * 86_400 else { return }
        throw SendRefusal(
            "the plan \(path) was made \(age(at: now)) ago (\(GoodyJSON.timestamp(createdAt))), more than --max-plan-age \(maxAgeDays) days allows: prices, people and the catalogue may have moved. Plan again and have the new plan approved. Nothing was created."
        )
    }

    /// Refuses before connecting when the input or the campaign file is not the one planned.
    public func checkFiles(path: String) throws {
        for (what, digest) in [("input", input), ("campaign file", campaign)] {
            guard let digest else { continue }
            let now = try? RunIdentity.fileSHA256(digest.path)
            guard now != digest.sha256 else { continue }
            throw SendRefusal(
                now == nil
                    ? "the \(what) \(digest.path) that \(path) was planned from is gone. Nothing was created."
                    : "the \(what) \(digest.path) changed since \(path) was planned (SHA-256 \(digest.sha256.prefix(12))… then, \(now?.prefix(12) ?? "")… now), so what was approved is not what it would send. Plan again from the file as it is now and have that plan approved. Nothing was created."
            )
        }
    }

    /// Refuses unless the run prepared now is the plan: the same account, settings and batches,
    /// priced within what was approved (or within `newCap`, a new approval given with the send).
    public func check(_ prepared: PreparedRun, path: String, newCap: Int?) throws {
        guard prepared.account.key == account else {
            throw SendRefusal(
                "\(path) was planned on \(accountDescription); this key is \(prepared.account.description). Send it with the same API and key, or plan again on this one. Nothing was created."
            )
        }
        guard prepared.identity.value == identity else {
            throw SendRefusal(
                "the settings are not those of \(path): a setting, a column mapping or the occasion's window differs from what was approved. Plan again and have the new plan approved. Nothing was created."
            )
        }
        let now = prepared.plan
        guard now.fingerprint == fingerprint else {
            throw SendRefusal(
                "the batches would not be those of \(path): \(difference(now)). Plan again and have the new plan approved. Nothing was created."
            )
        }
        let cap = newCap ?? approvedCapCents
        guard now.totalHigh <= cap else {
            throw SendRefusal(
                "prices rose since \(path) was planned: the high estimate is now \(Money.dollars(now.totalHigh)) (it was \(Money.dollars(totalHighCents)); \(Money.dollars(now.totalHigh - totalHighCents)) more), above the \(Money.dollars(cap)) approved. Nothing was created. To send at the new prices, have the new figure approved and send with it: goody-batch send --plan \(ShellWord.quoted(path)) --max-spend \(Money.plain(now.totalHigh))"
            )
        }
    }

    /// What differs between the approved batches and those the file would make now.
    func difference(_ now: Plan) -> String {
        let planned = Set(batches.flatMap(\.lines))
        let current = Set(now.batches.flatMap { $0.recipients.map(\.line) })
        var parts: [String] = []
        let added = current.subtracting(planned).sorted()
        let dropped = planned.subtracting(current).sorted()
        func lines(_ lines: [Int]) -> String {
            lines.prefix(5).map(String.init).joined(separator: ", ")
                + (lines.count > 5 ? " and \(lines.count - 5) more" : "")
        }
        if !added.isEmpty {
            let one = added.count == 1
            parts.append(
                "line\(one ? "" : "s") \(lines(added)) would be sent now and \(one ? "was" : "were") not planned")
        }
        if !dropped.isEmpty {
            let one = dropped.count == 1
            parts.append(
                "line\(one ? "" : "s") \(lines(dropped)) \(one ? "was" : "were") planned and would not be sent now (gifted since, or no longer in the file as planned)"
            )
        }
        if now.batches.count != batches.count {
            parts.append("\(now.batches.count) batches instead of \(batches.count)")
        }
        if parts.isEmpty {
            let encoder = GoodyJSON.encoder()
            for (old, new) in zip(batches, now.batches) {
                guard let a = try? encoder.encode(old.request), let b = try? encoder.encode(new.input), a != b else {
                    continue
                }
                let fields = Self.changedFields(old.request, new.input)
                parts.append(
                    "batch \(old.number)'s \(fields.isEmpty ? "request" : fields.joined(separator: ", ")) changed")
                break
            }
        }
        return parts.isEmpty ? "a batch's request changed" : parts.joined(separator: "; ")
    }

    private static func changedFields(_ old: OrderBatchInput, _ new: OrderBatchInput) -> [String] {
        var fields: [String] = []
        if old.recipients != new.recipients { fields.append("recipients") }
        if old.cart != new.cart { fields.append("gift") }
        if old.message != new.message { fields.append("message") }
        if old.fromName != new.fromName { fields.append("from name") }
        if old.cardID != new.cardID { fields.append("card") }
        if old.scheduledSendOn != new.scheduledSendOn { fields.append("send date") }
        if old.expiresAt != new.expiresAt { fields.append("expiry") }
        if old.paymentMethodID != new.paymentMethodID { fields.append("payment method") }
        return fields
    }
}
