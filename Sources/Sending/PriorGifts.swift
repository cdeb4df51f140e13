import APIClient
public import Foundation
public import GoodyAPI
import Ledger
public import Recipients

/// One definition of "the same person", for every send method: the email when there is one;
/// else the mapped employee ID; else, for direct send, the name and address; else the name. A
/// match on a name alone is only "possibly" the same person.
public struct RecipientKey: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case email
        case employee
        case address
        case name
    }

    public let kind: Kind
    public let value: String

    public var description: String { "\(kind.rawValue):\(value)" }
    public var isNameOnly: Bool { kind == .name }

    /// The key a row is recorded under.
    public static func of(_ recipient: Recipient, method: SendMethod) -> RecipientKey {
        if let email = recipient.email?.lowercased(), !email.isEmpty { return RecipientKey(kind: .email, value: email) }
        if let id = recipient.employeeID.map(fold), !id.isEmpty { return RecipientKey(kind: .employee, value: id) }
        let name = name(recipient.firstName, recipient.lastName)
        if method == .directSend, let address = recipient.address {
            let place = [address.address1, address.address2 ?? "", String(address.postalCode.prefix(5))].map(fold)
            return RecipientKey(kind: .address, value: ([name] + place).joined(separator: "|"))
        }
        return RecipientKey(kind: .name, value: name)
    }

    /// Every key a recipient of this file is looked up under: its own, and its name when it has
    /// no email.
    public static func lookups(for recipient: Recipient, method: SendMethod) -> Set<RecipientKey> {
        var keys: Set<RecipientKey> = [of(recipient, method: method)]
        if let name = name(of: recipient) { keys.insert(name) }
        return keys
    }

    /// Every key a row recorded in a ledger answers to: the key it was recorded under, its email,
    /// and its name (a name-only match).
    static func recorded(_ text: String?, email: String?, firstName: String?, lastName: String?) -> Set<RecipientKey> {
        var keys: Set<RecipientKey> = []
        if let key = text.flatMap(RecipientKey.init) { keys.insert(key) }
        if let email = email?.lowercased(), !email.isEmpty { keys.insert(RecipientKey(kind: .email, value: email)) }
        if let firstName { keys.insert(RecipientKey(kind: .name, value: name(firstName, lastName))) }
        return keys
    }

    /// The name-only key, for a row that has no email: the same name is possibly the same person.
    public static func name(of recipient: Recipient) -> RecipientKey? {
        guard recipient.email?.isEmpty ?? true else { return nil }
        return RecipientKey(kind: .name, value: name(recipient.firstName, recipient.lastName))
    }

    init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// Reads a key written by `description`.
    init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else {
            return nil
        }
        self.init(kind: kind, value: String(text[text.index(after: colon)...]))
    }

    /// "Renée  Côté" and "renee cote" are one name.
    static func name(_ first: String?, _ last: String?) -> String {
        [first ?? "", last ?? ""].map(fold).joined(separator: "|")
    }

    static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}

/// A person of this file who was gifted before, and how that is known.
public struct PriorGift: Sendable, Equatable {
    /// The line of this file.
    public var line: Int
    /// Only the name agrees (the row has no email): possibly the same person.
    public var nameOnly: Bool
    /// "run r0b17f125e2, batch 2, order 5c1… (ledger /…/goody-batch-ledger.sqlite)" or "Goody order
    /// O9G0… (batch 804a…)".
    public var how: String
    /// When, as far as it is known.
    public var when: Date?
    /// The earlier run, when the gift is in a ledger of this machine.
    public var runID: String?

    /// What the results and the plan say about the row.
    public var sentence: String {
        let date = when.map { " on \(GoodyJSON.timestamp($0).prefix(10))" } ?? ""
        return nameOnly
            ? "possibly already gifted: the same name (the row has no email) got \(how)\(date)"
            : "already gifted: \(how)\(date)"
    }
}

/// Looks for the people of a plan among earlier gifts of the same account: in every ledger this
/// machine knows and in Goody's own order history for the last `historyDays` days. Nothing here
/// falls back silently: a ledger or a page that cannot be read stops the search with a message.
struct PriorGiftSearch {
    let client: GoodyClient
    let account: AccountIdentity
    let ledgers: [String]
    let historyDays: Int
    let now: Date

    struct Result {
        var gifts: [Int: PriorGift]
        /// Ledgers that were skipped, and why (not ours, unreadable); said in the plan.
        var skippedLedgers: [String]
        var ordersSearched: Int
    }

    func run(_ recipients: [Recipient], method: SendMethod) async throws -> Result {
        var byKey: [RecipientKey: [Recipient]] = [:]
        for recipient in recipients {
            for key in RecipientKey.lookups(for: recipient, method: method) {
                byKey[key, default: []].append(recipient)
            }
        }
        var gifts: [Int: PriorGift] = [:]
        func found(_ key: RecipientKey, _ make: (Recipient) -> PriorGift) {
            for recipient in byKey[key] ?? [] {
                let gift = make(recipient)
                // A sure match wins over a name-only one.
                if let earlier = gifts[recipient.line], !earlier.nameOnly || gift.nameOnly { continue }
                gifts[recipient.line] = gift
            }
        }

        var skipped: [String] = []
        for path in ledgers {
            let rows: [GiftedRow]
            do {
                rows = try RunLedger(path: path).giftedRows(environment: account.key)
            } catch {
                skipped.append("\(path): \(error.localizedDescription)")
                continue
            }
            for row in rows {
                let how =
                    "run \(row.runID), batch \(row.batchNumber.map(String.init) ?? "?")"
                    + (row.orderID.map { ", order \($0)" } ?? "")
                    + (row.scheduledSendOn.map { ", scheduled for \($0)" } ?? "") + " (ledger \(row.ledgerPath))"
                let keys = RecipientKey.recorded(
                    row.recipientKey, email: row.email, firstName: row.firstName, lastName: row.lastName)
                for key in keys {
                    found(key) { recipient in
                        PriorGift(
                            line: recipient.line, nameOnly: key.isNameOnly, how: how, when: row.at, runID: row.runID)
                    }
                }
            }
        }

        var searched = 0
        if historyDays > 0 {
            let since = now.addingTimeInterval(-Double(historyDays) * 86_400)
            for order in try await client.allOrders(createdAfter: since) {
                searched += 1
                // A canceled gift was never received.
                guard order.status != .known(.canceled) else { continue }
                let how =
                    "Goody order \(order.referenceID)" + (order.orderBatchID.map { " (batch \($0))" } ?? "")
                    + " in Goody's history"
                let when = order.eventTimes.flatMap { GoodyJSON.date($0.createdAt) }
                if let email = order.recipientEmail?.lowercased(), !email.isEmpty {
                    found(RecipientKey(kind: .email, value: email)) {
                        PriorGift(line: $0.line, nameOnly: false, how: how, when: when, runID: nil)
                    }
                }
                found(
                    RecipientKey(
                        kind: .name, value: RecipientKey.name(order.recipientFirstName, order.recipientLastName))
                ) {
                    PriorGift(line: $0.line, nameOnly: true, how: how, when: when, runID: nil)
                }
            }
        }
        return Result(gifts: gifts, skippedLedgers: skipped, ordersSearched: searched)
    }
}
