import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import GoodyEmulator
import Ledger
import Planning
import Recipients
import Testing

@testable import Sending

/// Pairing Goody's orders with the input rows, on orders the emulator really returned.
struct MatchingTests {
    /// Creates one batch at the emulator for these people and returns its orders, in Goody's order.
    private func orders(_ people: [(first: String, last: String?, email: String?)]) async throws -> [Order] {
        try await withEmulatorClient { emulator, client in
            let product = emulator.store.catalogue.product(named: "Candle Set")?.id ?? ""
            let batch = try await client.createBatch(
                OrderBatchInput(
                    fromName: "People Team", message: nil,
                    recipients: people.map { RecipientInput(firstName: $0.first, lastName: $0.last, email: $0.email) },
                    cart: CartInput(items: [CartItemInput(productID: product)]),
                    sendMethod: people.allSatisfy { $0.email != nil } ? .emailAndLink : .linkMultipleCustomList))
            return try #require(batch.ordersPreview)
        }
    }

    private func row(_ position: Int, _ first: String, _ last: String? = nil, email: String? = nil) -> RowRecord {
        RowRecord(
            runID: "r1", line: position + 2, batchNumber: 1, position: position, rowHash: "", valuesJSON: "[]",
            recipientKey: nil, email: email, firstName: first, lastName: last, status: .pending, error: nil)
    }

    @Test func emailFirstThenNameThenPlaceInTheBatch() async throws {
        let orders = try await orders([("Ana", "Lee", nil), ("Ben", "Okafor", nil), ("Ana", "Lee", nil)])
        // Rows in another order than Goody's: Ben is unique by name; the two Ana Lees by place.
        let result = OrderMatcher.match(
            orders: orders, rows: [row(2, "Ana", "Lee"), row(1, "Ben", "Okafor"), row(0, "Ana", "Lee")])
        #expect(result.unmatchedOrders.isEmpty && result.unmatchedRows.isEmpty)
        let byOrder = Dictionary(uniqueKeysWithValues: result.pairs.map { ($0.order.id, ($0.row.position, $0.method)) })
        #expect(byOrder[orders[0].id]?.0 == 0 && byOrder[orders[0].id]?.1 == "position")
        #expect(byOrder[orders[1].id]?.0 == 1 && byOrder[orders[1].id]?.1 == "name")
        #expect(byOrder[orders[2].id]?.0 == 2 && byOrder[orders[2].id]?.1 == "position")
    }

    @Test func anOrderWhoseEmailSaysOtherwiseIsNotPairedByPlace() async throws {
        let orders = try await orders([
            ("Ana", "Lee", "ana@acme.example"), ("Ben", "Okafor", "ben@acme.example"), ("Cy", "Wu", "cy@acme.example"),
        ])
        let result = OrderMatcher.match(
            orders: orders,
            rows: [
                row(0, "Ana", "Lee", email: "ANA@acme.example"), row(1, "Ben", "Okafor", email: "ben@acme.example"),
                row(2, "Dee", "Wu", email: "dee@acme.example"),
            ])
        #expect(result.pairs.map(\.method) == ["email", "email"])
        #expect(result.unmatchedOrders.map(\.recipientEmail) == ["cy@acme.example"])
        #expect(result.unmatchedRows.map(\.firstName) == ["Dee"])
    }

    @Test func anOrderNoRowAskedForIsLeftOver() async throws {
        let orders = try await orders([("Ana", nil, nil), ("Ben", nil, nil), ("Cy", nil, nil)])
        let result = OrderMatcher.match(orders: orders, rows: [row(0, "Ana"), row(1, "Ben")])
        #expect(result.pairs.count == 2)
        #expect(result.unmatchedOrders.map(\.recipientFirstName) == ["Cy"])
        #expect(result.unmatchedRows.isEmpty)
    }

    /// An unmatched order keeps its gift link: it is listed after the rows, and the summary says so.
    @Test func anUnmatchedOrderIsListedInTheResultsWithItsGiftLink() async throws {
        let fixture = Fixture()
        let path = fixture.write("team.csv", "First Name,Email\nAna,ana@acme.example\nBen,ben@acme.example\n")
        let report = try await withEmulatorClient { _, client in
            let session = SendSession(
                client: client, connection: ConnectionLabel(description: "test", simulated: true),
                options: SendOptions(
                    outputPath: fixture.path("results.csv"), ledgerPath: fixture.path("ledger.sqlite"),
                    registry: LedgerRegistry(path: fixture.path("registry"))),
                progress: nil)
            var settings = CampaignSettings(products: [ProductChoice(product: "Candle Set")], fromName: "HR")
            settings.sendMethod = .emailAndLink
            guard
                case .new(let prepared) = try await session.prepare(
                    PlanRequest(
                        input: ValidationRequest(
                            path: path, options: ValidationOptions(method: .emailAndLink), rejectedPath: ""),
                        campaign: settings))
            else { throw SendError("expected a new run") }
            return try await session.start(prepared, approval: "test")
        }
        // As if Ben's order had come back unrecognisable.
        let ledger = try RunLedger(path: fixture.path("ledger.sqlite"))
        var ben = try #require(try ledger.orders(ofRun: report.run.id).first { $0.line == 3 })
        ben.line = nil
        try ledger.updateOrders([ben])
        var row = try #require(try ledger.rows(ofRun: report.run.id).first { $0.line == 3 })
        row.status = .failed
        row.error = "Goody returned no order that matches this recipient"
        try ledger.updateRows([row])

        let exported = try SendSession.export(report.run, ledgerPath: fixture.path("ledger.sqlite"))
        #expect(exported.ordersUnmatched == 1)
        #expect(exported.renderText().contains("unmatched       1 order from Goody matched no row"))
        let lines = String(decoding: fixture.read("results.csv") ?? [], as: UTF8.self).split(separator: "\r\n")
        #expect(lines.count == 4, "header, two rows, and the unmatched order")
        let last = String(lines[3])
        #expect(last.hasPrefix("\"\",\"\",\"\(ben.giftLink)\""))
        #expect(
            last.contains("Goody returned this order (for Ben <ben@acme.example>) in batch 1, but it matches no row"))
    }
}
