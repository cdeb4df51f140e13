import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

@testable import GoodyEmulator

/// With a journal, the emulator's account outlives the process: a fresh store replays it into
/// the same batches, orders, gift links and balances.
struct JournalTests {
    let fixture = Fixture()

    private func input(_ store: EmulatorStore, recipients: Int, reference: String, balance: Bool = false)
        -> OrderBatchInput
    {
        var input = OrderBatchInput(
            fromName: "People Team", message: nil,
            recipients: (0..<recipients).map {
                RecipientInput(firstName: "R\($0)", email: "\(reference)-\($0)@acme.example")
            },
            cart: CartInput(items: [CartItemInput(productID: store.catalogue.product(named: "Candle Set")?.id ?? "")]),
            sendMethod: .emailAndLink, customerReferenceID: reference)
        if balance {
            input.paymentMethodID = store.catalogue.paymentMethods.first { $0.balance != nil }?.id
            input.expiresAt = GoodyJSON.timestamp(Date().addingTimeInterval(86_400 * 30))
        }
        return input
    }

    private func snapshot(_ store: EmulatorStore) async throws -> [String] {
        var lines: [String] = []
        for batch in await store.batchPage(page: 1, perPage: 100).data {
            let orders = try await store.batchOrders(id: batch.id, page: 1, perPage: 100).data
            lines.append(
                "\(batch.id) \(batch.referenceID ?? "-") \(batch.sendStatus.rawValue) "
                    + orders.map { "\($0.id)=\($0.individualGiftLink)" }.joined(separator: ","))
        }
        let balance = await store.paymentMethods().compactMap(\.balance)
        lines.append("balances \(balance)")
        return lines
    }

    @Test func aFreshStoreReplaysTheJournalIntoTheSameAccount() async throws {
        let configuration = EmulatorConfiguration(asyncDelay: 0.05, journalPath: fixture.path("journal.jsonl"))
        let first = EmulatorStore(configuration: configuration)
        #expect(await first.restore() == 0)
        _ = try await first.createBatch(input(first, recipients: 3, reference: "a"))
        _ = try await first.createBatch(input(first, recipients: 25, reference: "b", balance: true))
        try await Task.sleep(for: .milliseconds(100))
        _ = try await first.createBatch(input(first, recipients: 12, reference: "c"))
        try await Task.sleep(for: .milliseconds(100))
        let orders = try await first.batchOrders(
            id: await first.batchPage(page: 1, perPage: 1).data[0].id, page: 1, perPage: 1)
        _ = try await first.cancelOrder(id: orders.data[0].id)
        let before = try await snapshot(first)
        #expect(before.count == 4)

        let second = EmulatorStore(configuration: configuration)
        #expect(await second.restore() == 4, "three creates and a cancel")
        #expect(try await snapshot(second) == before)
        #expect(await second.statistics == EmulatorStatistics(), "a replay is not new activity")
        // The replayed references still refuse a second create.
        await #expect(throws: EmulatorError.badRequest("Customer reference ID has already been taken")) {
            _ = try await second.createBatch(input(second, recipients: 3, reference: "a"))
        }
        let canceled = try await second.order(id: orders.data[0].id)
        #expect(canceled.status == .known(.canceled))
    }

    @Test func aTornLastLineIsIgnored() async throws {
        let path = fixture.path("journal.jsonl")
        let configuration = EmulatorConfiguration(journalPath: path)
        let first = EmulatorStore(configuration: configuration)
        _ = try await first.createBatch(input(first, recipients: 2, reference: "a"))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"at\":17900".utf8))
        try handle.close()
        let second = EmulatorStore(configuration: configuration)
        #expect(await second.restore() == 1)
    }
}
