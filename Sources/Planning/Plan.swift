public import Foundation
public import GoodyAPI
public import Recipients

/// One order batch of the plan: its recipients and everything Goody sets once per batch.
public struct PlannedBatch: Sendable {
    /// 1-based, in plan order.
    public var number: Int
    public var recipients: [Recipient]
    /// The create request, complete except for `customer_reference_id` (the send adds it).
    public var input: OrderBatchInput
    public var cart: [ResolvedLine]
    /// Goody's estimate from `POST /v1/order_batches/price`.
    public var estimate: OrderBatchPrice?
    /// The occasion's occurrence its recipients share ("work_anniversary:2027"), if any.
    public var occurrence: String?
    /// The message before its placeholders were filled in: batches whose messages differ only
    /// by personalization share it.
    public var messageTemplate: String?

    /// The low and high estimate for the whole batch, in cents. For direct send with addresses
    /// the high end is the larger of Goody's calculated total and its 10%-tax estimate.
    public var estimateRange: (low: Int, high: Int) { estimate?.range ?? (0, 0) }
}

extension OrderBatchPrice {
    /// The low and high estimate for the whole batch, in cents. For direct send with addresses
    /// the high end is the larger of Goody's calculated total and its 10%-tax estimate.
    public var range: (low: Int, high: Int) {
        let count = totalPrice.recipients
        let low = totalPrice.estGroupTotalLow ?? totalPrice.estTotalCalculated ?? cartPrice.priceEstTotalLow * count
        let high = max(
            totalPrice.estGroupTotalHigh ?? 0, totalPrice.estTotalCalculated ?? 0, cartPrice.priceEstTotalHigh * count)
        return (min(low, high), high)
    }
}

/// Whether the payment method can cover the plan.
public enum FundsCheck: Sendable, Equatable {
    /// A card: nothing to check before Goody charges it.
    case noBalance
    case enough(balance: Int)
    case insufficient(balance: Int, needed: Int)
}

/// How the rows become batches, and what it costs, before anything is created.
public struct Plan: Sendable {
    public var path: String
    public var method: SendMethod
    public var validation: ValidationReport
    /// Rows the plan cannot send although they passed validation (a product a state cannot
    /// receive, a send date in the past…), one error each.
    public var rejected: [Finding]
    /// Rows that will be sent, with something to check (an empty placeholder in the message).
    public var warnings: [Finding]
    public var sender: String
    public var paymentMethod: PaymentMethod
    /// False when no payment method was named and the account's default pays.
    public var paymentMethodChosen = true
    public var workspace: Workspace
    public var card: Card?
    public var batches: [PlannedBatch]
    public var batchSize: Int
    /// The placeholders a personalized message uses; each distinct message is its own batch.
    public var personalization: [String]
    /// The batches the rows would need with one shared message.
    public var batchesWithoutPersonalization: Int
    public var funds: FundsCheck
    public var maxSpend: Int?
    /// Identifies this exact plan: the same file and settings give the same fingerprint.
    public var fingerprint: String
    /// The occasion, when the campaign has one.
    public var occasion: OccasionRule?
    /// Rows whose occasion is not in the window: counted and listed, never errors.
    public var notDue: [NotDue] = []
    /// Each sent row's occurrence, by line.
    public var occurrences: [Int: Occurrence] = [:]
    /// People of the file found among earlier gifts, by line: left out, or let through on purpose.
    public var earlierGifts: [EarlierGift] = []
    /// What the search for earlier gifts looked at, in one sentence.
    public var earlierGiftSearch: String?
    /// When Goody priced the batches.
    public var pricedAt = Date(timeIntervalSince1970: 0)

    public var recipientCount: Int { batches.reduce(0) { $0 + $1.recipients.count } }
    public var totalLow: Int { batches.reduce(0) { $0 + $1.estimateRange.low } }
    public var totalHigh: Int { batches.reduce(0) { $0 + $1.estimateRange.high } }
    public var exceedsMaxSpend: Bool { maxSpend.map { totalHigh > $0 } ?? false }
    public var insufficientFunds: Bool {
        if case .insufficient = funds { return true }
        return false
    }
    /// Rows that will not be sent: rejected by validation or by the plan.
    public var rejectedRowCount: Int { validation.rowsWithErrors + Set(rejected.map(\.line)).count }

    /// People left out because they were gifted before.
    public var leftOutCount: Int { earlierGifts.filter(\.leftOut).count }
}

/// A person of the file found among earlier gifts: what was found, and whether they are left out.
public struct EarlierGift: Sendable, Equatable, Codable {
    public var line: Int
    /// Who, as the plan shows them (an email, or the name).
    public var who: String
    /// "already gifted: run r…, batch 2 on 2026-12-03", with the rule that applied.
    public var sentence: String
    /// False when the gift is let through: another occasion, or `--allow-resend` on purpose.
    public var leftOut: Bool
    /// Only the name agrees (the row has no email).
    public var nameOnly: Bool
    /// Let through by `--allow-resend` (rather than because the gift was for another occasion).
    public var onPurpose: Bool

    public init(line: Int, who: String, sentence: String, leftOut: Bool, nameOnly: Bool, onPurpose: Bool = false) {
        self.onPurpose = onPurpose
        self.line = line
        self.who = who
        self.sentence = sentence
        self.leftOut = leftOut
        self.nameOnly = nameOnly
    }

    enum CodingKeys: String, CodingKey {
        case line, who, sentence
        case leftOut = "left_out"
        case nameOnly = "name_only"
        case onPurpose = "on_purpose"
    }
}

/// One message as its recipients will read it, and the batches that carry it.
public struct DistinctMessage: Sendable {
    public var text: String
    /// The message before its placeholders were filled in, when it has any.
    public var template: String?
    public var batches: [Int]
    public var recipients: Int

    /// What messages that differ only by personalization share.
    public var templateKey: String { template ?? text }
}

extension Plan {
    /// Every distinct message, in the order of the batches that first carry it.
    public var distinctMessages: [DistinctMessage] {
        var distinct: [DistinctMessage] = []
        var position: [String: Int] = [:]
        for batch in batches {
            guard let text = batch.input.message else { continue }
            if let at = position[text] {
                distinct[at].batches.append(batch.number)
                distinct[at].recipients += batch.recipients.count
            } else {
                position[text] = distinct.count
                distinct.append(
                    DistinctMessage(
                        text: text, template: batch.messageTemplate, batches: [batch.number],
                        recipients: batch.recipients.count))
            }
        }
        return distinct
    }
}
