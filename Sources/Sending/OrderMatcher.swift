import GoodyAPI
import Ledger

/// Pairs the orders Goody returned for a batch with the rows that asked for them: by email,
/// else by first and last name, else by position, and says which rows or orders were left over.
/// Nothing is paired by a guess that could go two ways.
struct OrderMatcher {
    struct Result {
        var pairs: [(order: Order, row: RowRecord, method: String)] = []
        var unmatchedOrders: [Order] = []
        var unmatchedRows: [RowRecord] = []
    }

    static func match(orders: [Order], rows: [RowRecord]) -> Result {
        var result = Result()
        var free = rows.sorted { ($0.position ?? 0) < ($1.position ?? 0) }
        var left: [Order] = []

        func take(_ order: Order, where predicate: (RowRecord) -> Bool, method: String) -> Bool {
            let candidates = free.indices.filter { predicate(free[$0]) }
            guard candidates.count == 1 else { return false }
            result.pairs.append((order, free.remove(at: candidates[0]), method))
            return true
        }

        for order in orders {
            if let email = order.recipientEmail?.lowercased(), !email.isEmpty,
                take(order, where: { $0.email?.lowercased() == email }, method: "email")
            {
                continue
            }
            left.append(order)
        }
        var stillLeft: [Order] = []
        for order in left {
            let first = order.recipientFirstName.lowercased()
            let last = (order.recipientLastName ?? "").lowercased()
            let byName = take(
                order,
                where: { ($0.firstName ?? "").lowercased() == first && ($0.lastName ?? "").lowercased() == last },
                method: "name")
            if !byName { stillLeft.append(order) }
        }
        // Goody keeps a batch's orders in the order of its recipients; pairing by position is safe
        // only when exactly the same number remain on both sides.
        if stillLeft.count == free.count {
            for (order, row) in zip(stillLeft, free) { result.pairs.append((order, row, "position")) }
        } else {
            result.unmatchedOrders = stillLeft
            result.unmatchedRows = free
        }
        return result
    }
}
