import GoodyAPI
import Ledger

/// Pairs the orders Goody returned for a batch with the rows that asked for them: by email,
/// else by first and last name, else by position in the batch (Goody keeps a batch's orders in
/// the order of its recipients) when nothing contradicts it, and says which rows or orders are
/// left over. Nothing is paired by a guess that could go two ways.
struct OrderMatcher {
    struct Result {
        var pairs: [(order: Order, row: RowRecord, method: String)] = []
        var unmatchedOrders: [Order] = []
        var unmatchedRows: [RowRecord] = []
    }

    /// `orders` in the order Goody lists them for the batch.
    static func match(orders: [Order], rows: [RowRecord]) -> Result {
        var result = Result()
        var free = rows.sorted { ($0.position ?? 0) < ($1.position ?? 0) }
        var left = Array(orders.enumerated())

        /// Pairs each order with the one free row `predicate` picks out, if exactly one.
        func pass(_ method: String, _ predicate: (Order, RowRecord) -> Bool) {
            left = left.filter { index, order in
                let candidates = free.indices.filter { predicate(order, free[$0]) }
                guard candidates.count == 1 else { return true }
                result.pairs.append((order, free.remove(at: candidates[0]), method))
                return false
            }
        }

        pass("email") { order, row in
            guard let email = order.recipientEmail?.lowercased(), !email.isEmpty else { return false }
            return row.email?.lowercased() == email
        }
        pass("name") { order, row in
            (row.firstName ?? "").lowercased() == order.recipientFirstName.lowercased()
                && (row.lastName ?? "").lowercased() == (order.recipientLastName ?? "").lowercased()
        }
        // Same place in the batch, and no email or first name that says otherwise.
        left = left.filter { index, order in
            guard let at = free.firstIndex(where: { $0.position == index }), compatible(order, free[at]) else {
                return true
            }
            result.pairs.append((order, free.remove(at: at), "position"))
            return false
        }
        result.unmatchedOrders = left.map(\.element)
        result.unmatchedRows = free
        return result
    }

    private static func compatible(_ order: Order, _ row: RowRecord) -> Bool {
        if let email = order.recipientEmail, !email.isEmpty, let rowEmail = row.email, !rowEmail.isEmpty,
            email.lowercased() != rowEmail.lowercased()
        {
            return false
        }
        if let first = row.firstName, !first.isEmpty, first.lowercased() != order.recipientFirstName.lowercased() {
            return false
        }
        return true
    }
}
