import APIClient
import Foundation
import GoodyAPI

/// Finds, among the account's batches, the one a create made when its answer was lost or Goody
/// said its reference was taken. By its `customer_reference_id` when the listing carries it (not
/// every listing does); otherwise by what was sent: the same recipients (count and the preview's
/// names and emails, in order), from name, message, send method, products and send date, and
/// not already recorded for another batch in the ledger. Batches the listing could not read do
/// not stop the search; they only make "not found" uncertain.
struct BatchFinder {
    enum Outcome {
        case found(OrderBatch, byContent: Bool)
        case absent
        /// The listing had batches that could not be read, and ours was not among the rest.
        case uncertain(String)
    }

    let client: GoodyClient

    func find(_ input: OrderBatchInput, reference: String, claimed: Set<String>) async throws -> Outcome {
        var exact: OrderBatch?
        var byContent: [OrderBatch] = []
        var unreadable: [String] = []
        try await client.scanBatches { page in
            for batch in page.data {
                if batch.customerReferenceID == reference {
                    exact = batch
                    return false
                }
                if batch.customerReferenceID == nil, !claimed.contains(batch.id), Self.matches(batch, input) {
                    byContent.append(batch)
                }
            }
            unreadable += page.unreadable.map(\.reason)
            return true
        }
        if let exact { return .found(exact, byContent: false) }
        // Newest first: when the same content was sent before on purpose, ours is the newest.
        if let newest = byContent.first { return .found(newest, byContent: true) }
        if let reason = unreadable.first {
            return .uncertain("\(unreadable.count) batch(es) in Goody's listing could not be read (\(reason))")
        }
        return .absent
    }

    /// Whether a listed batch is the one `input` asked for, on everything the listing shows.
    /// Identification needs the recipients; every other field counts when the listing has it.
    static func matches(_ batch: OrderBatch, _ input: OrderBatchInput) -> Bool {
        guard let preview = batch.recipientsPreview else { return false }
        if let count = batch.recipientsCount, count != input.recipients.count { return false }
        let expected = input.recipients.prefix(10)
        guard preview.count == expected.count else { return false }
        for (listed, sent) in zip(preview, expected) {
            guard same(listed.firstName, sent.firstName), same(listed.lastName, sent.lastName),
                same(listed.email, sent.email)
            else { return false }
        }
        if let from = batch.fromName, !same(from, input.fromName) { return false }
        if let message = batch.message, !same(message, input.message) { return false }
        if let method = batch.sendMethod?.known, method != input.sendMethod { return false }
        if let items = batch.cart?.items {
            let listed = items.map(\.product.id).sorted()
            let sent = input.cart.items.compactMap(\.productID).sorted()
            if sent.count == input.cart.items.count, listed != sent { return false }
        }
        // A send date on one side only is a different batch; on both, the same moment.
        let listed = batch.scheduledSendOn.flatMap(GoodyJSON.date)
        let sent = input.scheduledSendOn.flatMap(GoodyJSON.date)
        switch (listed, sent) {
        case (let listed?, let sent?): return abs(listed.timeIntervalSince(sent)) <= 1
        case (nil, .some): return batch.isScheduledSend != false
        case (.some, nil): return false
        case (nil, nil): return true
        }
    }

    /// Equal after trimming and ignoring case; nil and empty are the same.
    private static func same(_ a: String?, _ b: String?) -> Bool {
        func normal(_ text: String?) -> String {
            (text ?? "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        }
        return normal(a) == normal(b)
    }
}
