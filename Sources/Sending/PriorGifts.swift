import APIClient
public import Foundation
public import GoodyAPI
import Ledger
public import Planning
import Recipients

/// A person of this file who was gifted before, how that is known, and what it means for this
/// send: left out, or let through (another occasion, or named with `--allow-resend`).
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
    /// Whether the gift keeps the person out of this send.
    public var leavesOut = true
    /// Which rule applied, for a send with an occasion ("for the same work anniversary").
    public var rule: String?
    /// Let through by `--allow-resend`.
    public var onPurpose = false
    /// What the gift was for cannot be told: it only may be this occasion's.
    public var uncertain = false

    /// What the results and the plan say about the row.
    public var sentence: String {
        let date = when.map { " on \(GoodyJSON.timestamp($0).prefix(10))" } ?? ""
        let rule = self.rule.map { ": \($0)" } ?? ""
        if onPurpose { return "gifted before, \(how)\(date)\(rule); sent again on purpose (--allow-resend)" }
        if !leavesOut { return "gifted before, \(how)\(date)\(rule)" }
        if nameOnly { return "possibly already gifted: the same name (the row has no email) got \(how)\(date)\(rule)" }
        return uncertain ? "possibly already gifted: \(how)\(date)\(rule)" : "already gifted: \(how)\(date)\(rule)"
    }
}

/// Whom `--allow-resend` lets through.
public enum ResendPermission: Sendable, Equatable {
    case nobody
    /// Everyone found among earlier gifts (the blanket switch, for scripts).
    case everyone
    /// Only these people, by email or by line of the file.
    case only(emails: Set<String>, lines: Set<Int>)

    /// "ann@acme.com", "12", "all".
    public init(_ values: [String]) {
        if values.isEmpty {
            self = .nobody
            return
        }
        if values.contains(where: { ["all", "everyone", "*"].contains($0.lowercased()) }) {
            self = .everyone
            return
        }
        self = .only(
            emails: Set(values.filter { $0.contains("@") }.map { $0.lowercased() }),
            lines: Set(values.compactMap { Int($0) }))
    }

    func allows(_ recipient: Recipient) -> Bool {
        switch self {
        case .nobody: false
        case .everyone: true
        case .only(let emails, let lines):
            lines.contains(recipient.line) || (recipient.email.map { emails.contains($0.lowercased()) } ?? false)
        }
    }
}

/// Which batches goody-batch made, and for what: a batch's `customer_reference_id` carries the
/// occasion and occurrence it was sent for (`goody-batch-<hash>-work_anniversary:2027`).
public enum GiftTag {
    static let prefix = "goody-batch-"

    /// The reference for a batch: the run's hash, then the occurrence when there is one.
    static func reference(hash: String, occurrence: String?) -> String {
        prefix + hash + (occurrence.map { "-" + $0 } ?? "")
    }

    /// What a reference says: nil when goody-batch did not make the batch; `.some(nil)` for a
    /// send without an occasion; the occurrence otherwise.
    static func occurrence(in reference: String?) -> String?? {
        guard let reference, reference.hasPrefix(prefix) else { return nil }
        let rest = reference.dropFirst(prefix.count)
        guard rest.count >= 32, rest.prefix(32).allSatisfy(\.isHexDigit) else { return nil }
        let tail = rest.dropFirst(32)
        guard tail.hasPrefix("-") else { return .some(nil) }
        return .some(String(tail.dropFirst()))
    }
}

/// Looks for the people of a plan among earlier gifts of the same account: in every ledger this
/// machine knows and in Goody's own history (orders, and scheduled batches that have no orders
/// yet). Without an occasion a gift to the same person within `historyDays` counts. With one,
/// a gift counts for the same occasion and occurrence only: a gift this tool made says which it
/// was for; a gift made elsewhere is told apart by its card, and when it cannot be, within the
/// year before the occasion, it counts (a second gift is the worse mistake). Nothing here falls
/// back silently: a ledger or a page that cannot be read stops the search or is named.
struct PriorGiftSearch {
    let client: GoodyClient
    let account: AccountIdentity
    let ledgers: [String]
    let historyDays: Int
    let now: Date
    let occasion: OccasionKind?
    /// The account's cards, to read a gift's occasion from its card.
    let cards: [Card]

    struct Result {
        var gifts: [Int: PriorGift]
        /// Ledgers that were skipped, and why (not ours, unreadable); said in the plan.
        var skippedLedgers: [String]
        var ordersSearched: Int
        /// How far back Goody's history was read; nil when it was not.
        var since: Date?
    }

    typealias Candidate = (recipient: Recipient, occurrence: Occurrence?)

    /// The earliest moment a gift counts from, for a gift that cannot say what it was for.
    private func lookback(for occurrence: Occurrence?) -> Date? {
        if let day = occurrence?.date {
            return day.adding(days: -366).at(hour: 0, minute: 0, in: TimeZone(identifier: "UTC") ?? .current)
        }
        return historyDays > 0 ? now.addingTimeInterval(-Double(historyDays) * 86_400) : nil
    }

    /// What a gift found for `candidate` means: left out or not, and why.
    private func judge(
        _ candidate: Candidate, tag: String??, cardID: String?, when: Date?
    ) -> (leavesOut: Bool, rule: String?, uncertain: Bool)? {
        guard let occasion, let occurrence = candidate.occurrence else {
            // No occasion: the person alone, within the history searched.
            if let start = lookback(for: nil) {
                return (when ?? now) >= start ? (true, nil, false) : nil
            }
            return nil
        }
        if case .some(.some(let key)) = tag {
            return key == occurrence.key ? (true, "for the same \(occasion.words) (\(key))", false) : nil
        }
        // Made elsewhere, or by a send without an occasion: what was it for?
        if let start = lookback(for: occurrence), let when, when < start { return nil }
        let cardOccasions = cardID.flatMap { id in cards.first { $0.id == id } }?.occasions ?? []
        let keys = Set(cardOccasions.map(HeaderKey.normalize))
        if !keys.isEmpty, keys.isDisjoint(with: occasion.cardOccasions) {
            return (
                false,
                "its card is for \(cardOccasions.joined(separator: ", ")), another occasion, so it does not count",
                false
            )
        }
        let card =
            cardOccasions.isEmpty
            ? "it has no card that says" : "its card is for \(cardOccasions.joined(separator: ", "))"
        return (
            true,
            "it may be this \(occasion.words)'s gift (\(card)), so they are left out; --allow-resend \(candidate.recipient.email ?? String(candidate.recipient.line)) sends anyway",
            true
        )
    }

    func run(_ candidates: [Candidate], method: SendMethod) async throws -> Result {
        // Who answers to each key, by place in `candidates`: almost every key is one person's, so
        // a second person's is kept apart rather than giving every key an array of its own.
        var byKey: [PersonKey: Int] = [:]
        var alsoByKey: [PersonKey: [Int]] = [:]
        byKey.reserveCapacity(candidates.count)
        for (index, candidate) in candidates.enumerated() {
            for key in PersonKey.lookups(for: candidate.recipient, method: method) {
                if byKey[key] == nil { byKey[key] = index } else { alsoByKey[key, default: []].append(index) }
            }
        }
        func answering(_ key: PersonKey) -> [Candidate] {
            guard let first = byKey[key] else { return [] }
            return [candidates[first]] + (alsoByKey[key] ?? []).map { candidates[$0] }
        }
        var gifts: [Int: PriorGift] = [:]
        func found(
            _ key: PersonKey, tag: String??, cardID: String?, when: Date?,
            _ make: (Recipient) -> PriorGift
        ) {
            for candidate in answering(key) {
                guard let verdict = judge(candidate, tag: tag, cardID: cardID, when: when) else { continue }
                var gift = make(candidate.recipient)
                gift.nameOnly = gift.nameOnly || key.isNameOnly
                gift.leavesOut = verdict.leavesOut
                gift.rule = verdict.rule
                gift.uncertain = verdict.uncertain
                // What leaves a person out wins over what does not; a sure match over a name.
                if let earlier = gifts[candidate.recipient.line] {
                    if earlier.leavesOut && !gift.leavesOut { continue }
                    if earlier.leavesOut == gift.leavesOut, !earlier.nameOnly || gift.nameOnly { continue }
                }
                gifts[candidate.recipient.line] = gift
            }
        }

        var skipped: [String] = []
        // What the ledgers know each of Goody's batches was for: Goody's listing does not
        // always show a batch's reference.
        var known: [String: String?] = [:]
        let searchLedgers = occasion != nil || historyDays > 0
        for path in ledgers where searchLedgers {
            let rows: [GiftedRow]
            do {
                let ledger = try RunLedger(path: path)
                rows = try ledger.giftedRows(environment: account.key)
                known.merge(try ledger.batchOccasions(environment: account.key)) { first, _ in first }
            } catch {
                skipped.append("\(path): \(error.localizedDescription)")
                continue
            }
            for row in rows {
                let how =
                    "run \(row.runID), batch \(row.batchNumber.map(String.init) ?? "?")"
                    + (row.orderID.map { ", order \($0)" } ?? "")
                    + (row.scheduledSendOn.map { ", scheduled for \($0)" } ?? "") + " (ledger \(row.ledgerPath))"
                let keys = PersonKey.recorded(
                    row.recipientKey, email: row.email, firstName: row.firstName, lastName: row.lastName)
                for key in keys {
                    found(key, tag: .some(row.occasion), cardID: row.cardID, when: row.at) { recipient in
                        PriorGift(line: recipient.line, nameOnly: false, how: how, when: row.at, runID: row.runID)
                    }
                }
            }
        }

        let since = candidates.compactMap { lookback(for: $0.occurrence) }.min() ?? lookback(for: nil)
        var searched = 0
        if let since, !candidates.isEmpty {
            // What goody-batch's batches were for, and the scheduled ones that have no orders yet.
            var tags: [String: String] = [:]
            var scheduled: [OrderBatch] = []
            try await client.scanBatches { page in
                for batch in page.data {
                    if let reference = batch.customerReferenceID { tags[batch.id] = reference }
                    if batch.sendStatus == .known(.pending), batch.isScheduledSend == true { scheduled.append(batch) }
                }
                return true
            }
            for order in try await client.allOrders(createdAfter: since) {
                searched += 1
                // A canceled gift was never received.
                guard order.status != .known(.canceled) else { continue }
                let product = order.cart?.items?.first.map { " (\($0.product.name))" } ?? ""
                let how =
                    "Goody order \(order.referenceID)\(product)" + (order.orderBatchID.map { " (batch \($0))" } ?? "")
                    + " in Goody's history"
                let when = order.eventTimes.flatMap { GoodyJSON.date($0.createdAt) }
                let tag =
                    order.orderBatchID.flatMap { known[$0] }.map { .some($0) }
                    ?? GiftTag.occurrence(in: order.orderBatchID.flatMap { tags[$0] })
                recordFound(
                    email: order.recipientEmail, first: order.recipientFirstName, last: order.recipientLastName,
                    tag: tag, cardID: order.cardID, when: when, how: how, found: found)
            }
            for batch in scheduled {
                let recipients =
                    (batch.recipientsPreview?.count ?? 0) >= (batch.recipientsCount ?? 0)
                    ? batch.recipientsPreview ?? [] : try await client.allBatchRecipients(id: batch.id)
                let product = batch.cart?.items?.first.map { " (\($0.product.name))" } ?? ""
                let how =
                    "Goody batch \(batch.referenceID ?? batch.id)\(product), scheduled for \(batch.scheduledSendOn ?? "later"), in Goody's history"
                let tag = known[batch.id].map { .some($0) } ?? GiftTag.occurrence(in: batch.customerReferenceID)
                for recipient in recipients {
                    recordFound(
                        email: recipient.email, first: recipient.firstName, last: recipient.lastName, tag: tag,
                        cardID: batch.cardID, when: nil, how: how, found: found)
                }
            }
        }
        return Result(gifts: gifts, skippedLedgers: skipped, ordersSearched: searched, since: since)
    }

    /// A gift in Goody's history, looked up by the recipient's email and by their name.
    private func recordFound(
        email: String?, first: String, last: String?, tag: String??, cardID: String?, when: Date?, how: String,
        found: (PersonKey, String??, String?, Date?, (Recipient) -> PriorGift) -> Void
    ) {
        if let email = email?.lowercased(), !email.isEmpty {
            found(PersonKey(kind: .email, value: email), tag, cardID, when) {
                PriorGift(line: $0.line, nameOnly: false, how: how, when: when, runID: nil)
            }
        }
        found(PersonKey(kind: .name, value: PersonKey.name(first, last)), tag, cardID, when) {
            PriorGift(line: $0.line, nameOnly: true, how: how, when: when, runID: nil)
        }
    }
}
