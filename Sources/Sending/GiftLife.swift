import Foundation
import GoodyAPI
import Ledger

/// Where a gift is in its life, from Goody's order status, its expiry and today: what `status`
/// counts, what `cancel` and `extend` may act on.
enum GiftStage: Hashable, Comparable {
    /// Created or notified: the recipient has not opened it.
    case notOpened
    case opened
    /// Accepted, or further on (paid, ordered, shipped, delivered): Goody is fulfilling it.
    case accepted
    /// Not accepted, and its link stopped working.
    case expired
    case canceled
    case failed
    /// A status the tool does not know, kept as Goody wrote it.
    case other(String)

    init(_ order: OrderRecord, now: Date) {
        switch OrderStatus(rawValue: order.status) {
        case .created?, .notified?, .opened?:
            if let expiry = order.expiresAt.flatMap(GoodyJSON.date), expiry <= now {
                self = .expired
            } else {
                self = order.status == OrderStatus.opened.rawValue ? .opened : .notOpened
            }
        case .accepted?, .pendingPayment?, .paid?, .ordered?, .shipped?, .delivered?: self = .accepted
        case .canceled?: self = .canceled
        case .failed?: self = .failed
        case nil: self = .other(order.status)
        }
    }

    /// Goody still lets it be canceled or its expiry moved: nobody has accepted it.
    var isUnaccepted: Bool { [.notOpened, .opened, .expired].contains(self) }

    /// Why a gift at this stage is not canceled or changed, and what can be done; nil for one
    /// that can be (nobody has accepted it). `doing` is what was asked ("canceled").
    func whyLeftAlone(_ order: OrderRecord, doing: String) -> String? {
        switch self {
        case .notOpened, .opened, .expired: nil
        case .canceled: "already canceled"
        case .accepted:
            "\(order.status) — the recipient accepted it and Goody is fulfilling it, so it can no longer be \(doing) through the API; Goody Support (support@ongoody.com) can help with order \(order.referenceID)"
        case .failed: "the order failed at Goody, so there is nothing to act on"
        case .other(let status):
            "Goody reports \"\(status)\", a status goody-batch does not know, so it is left as it is"
        }
    }

    var words: String {
        switch self {
        case .notOpened: "not opened"
        case .opened: "opened not accepted"
        case .accepted: "accepted"
        case .expired: "expired unaccepted"
        case .canceled: "canceled"
        case .failed: "failed"
        case .other(let status): status
        }
    }
}

/// The run's gifts in one line: "212 accepted, 61 opened not accepted, 24 not opened; 9 expire
/// within 7 days".
enum GiftLife {
    static let soonDays = 7

    static func summary(_ orders: [OrderRecord], now: Date) -> String? {
        var tally = Tally(now: now)
        for order in orders { tally.add(order) }
        return tally.text
    }

    /// The counts behind the summary, one order at a time.
    struct Tally {
        let now: Date
        /// The end of the next `soonDays` days.
        let soon: Date
        var counts: [GiftStage: Int] = [:]
        var expiringSoon = 0

        init(now: Date) {
            self.now = now
            soon = now.addingTimeInterval(Double(GiftLife.soonDays) * 86_400)
        }

        mutating func add(_ order: OrderRecord) {
            let stage = GiftStage(order, now: now)
            counts[stage, default: 0] += 1
            if stage == .notOpened || stage == .opened, let expiry = order.expiresAt.flatMap(GoodyJSON.date),
                expiry <= soon
            {
                expiringSoon += 1
            }
        }

        var text: String? {
            guard !counts.isEmpty else { return nil }
            var text = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.words)" }.joined(separator: ", ")
            if expiringSoon > 0 { text += "; \(expiringSoon) expire within \(GiftLife.soonDays) days" }
            return text
        }
    }

    /// Merges the first moment of each step the activities show into the orders they are about,
    /// and each order's current state from `current` (else from its newest activity). Returns the
    /// orders that changed.
    static func apply(_ activities: [OrderActivity], current: [String: Order], to orders: [OrderRecord])
        -> [OrderRecord]
    {
        var index: [String: Int] = [:]
        for (position, order) in orders.enumerated() { index[order.orderID] = position }
        var updated = orders
        var newest: [Int: (at: Date, order: Order)] = [:]
        for activity in activities {
            guard let position = index[activity.order.id] else { continue }
            let status = activity.orderStatus.rawValue
            let at = GoodyJSON.date(activity.createdAt)
            let recorded = updated[position].steps[status].flatMap(GoodyJSON.date)
            // The first time a step was reached stays its date.
            if recorded == nil || (at.map { $0 < recorded ?? $0 } ?? false) {
                updated[position].steps[status] = at.map(GoodyJSON.timestamp) ?? activity.createdAt
            }
            let moment = at ?? .distantPast
            if newest[position].map({ $0.at <= moment }) ?? true { newest[position] = (moment, activity.order) }
        }
        for position in updated.indices {
            if let order = current[updated[position].orderID] ?? newest[position]?.order {
                refresh(&updated[position], from: order)
            }
        }
        return updated.indices.filter { updated[$0] != orders[$0] }.map { updated[$0] }
    }

    /// The order record as Goody now has the order: status, swap, amounts, expiry.
    static func refresh(_ record: inout OrderRecord, from order: Order) {
        record.status = order.status.rawValue
        record.swapped = order.isSwapped ?? false
        record.amountTax = order.amounts.amountTax ?? record.amountTax
        record.amountTotal = order.amounts.amountTotal ?? record.amountTotal
        if let expiry = order.expiresAt { record.expiresAt = expiry }
        // A cancel shows in the order's status, not always as an activity: first seen now.
        if order.status.known == .canceled, record.steps[OrderStatus.canceled.rawValue] == nil {
            record.steps[OrderStatus.canceled.rawValue] = GoodyJSON.timestamp(Today.now())
        }
    }
}
