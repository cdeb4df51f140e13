import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GoodyEmulator

/// The emulator's handlers through Hummingbird's router tester: status codes, shapes and the
/// rules the document describes.
struct EmulatorHandlerTests {
    let configuration = EmulatorConfiguration(apiKeys: ["k"], asyncDelay: 60)
    let auth: HTTPFields = [.authorization: "Bearer k", .contentType: "application/json"]

    private func app(
        clock: @escaping @Sendable () -> Date = { Date() }, configuration: EmulatorConfiguration? = nil
    ) -> (some ApplicationProtocol, EmulatorStore) {
        let configuration = configuration ?? self.configuration
        let store = EmulatorStore(configuration: configuration, clock: clock)
        let router = EmulatorRoutes.buildRouter(
            store: store, injector: FaultInjector(faults: configuration.faults, seed: 1), apiKeys: ["k"])
        return (Application(router: router), store)
    }

    private func json(_ value: some Encodable) throws -> ByteBuffer {
        ByteBuffer(bytes: try GoodyJSON.encoder().encode(value))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ response: TestResponse) throws -> T {
        try GoodyJSON.decoder().decode(type, from: Data(response.body.readableBytesView))
    }

    private func error(_ response: TestResponse) throws -> String { try decode(APIErrorBody.self, response).error }

    private func input(
        _ store: EmulatorStore, recipients: Int, method: SendMethod = .emailAndLink, product: String = "Succulent Trio",
        reference: String? = nil
    ) -> OrderBatchInput {
        let id = store.catalogue.product(named: product)?.id ?? ""
        return OrderBatchInput(
            fromName: "People Team", message: nil,
            recipients: (0..<recipients).map { RecipientInput(firstName: "R\($0)", email: "r\($0)@acme.example") },
            cart: CartInput(items: [CartItemInput(productID: id)]), sendMethod: method, customerReferenceID: reference)
    }

    @Test func everyEndpointNeedsTheBearerKey() async throws {
        let (app, _) = app()
        try await app.test(.router) { client in
            for path in ["/v1/me", "/v1/products", "/v1/order_batches", "/v1/orders", "/v1/cards"] {
                let response = try await client.execute(
                    uri: path, method: .get, headers: [.authorization: "Bearer nope"])
                #expect(response.status == .unauthorized)
                #expect(try error(response) == "Unauthorized")
            }
            let missing = try await client.execute(uri: "/v1/me", method: .get)
            #expect(missing.status == .unauthorized)
        }
    }

    @Test func catalogueEndpointsPageWithTotalCount() async throws {
        let (app, store) = app()
        try await app.test(.router) { client in
            let first = try await client.execute(uri: "/v1/products?page=1&per_page=4", method: .get, headers: auth)
            let page = try decode(Page<Product>.self, first)
            #expect(page.data.count == 4)
            #expect(page.listMeta?.totalCount == store.catalogue.products.count)
            let last = try decode(
                Page<Product>.self,
                try await client.execute(uri: "/v1/products?page=3&per_page=4", method: .get, headers: auth))
            #expect(last.data.count == store.catalogue.products.count - 8)
            let zero = try await client.execute(uri: "/v1/products?page=0", method: .get, headers: auth)
            #expect(zero.status == .badRequest)
            #expect(try error(zero) == "Page must be greater than 0")
            let tooMany = try await client.execute(uri: "/v1/cards?per_page=101", method: .get, headers: auth)
            #expect(tooMany.status == .badRequest)
            let one = try await client.execute(uri: "/v1/products/\(page.data[0].id)", method: .get, headers: auth)
            #expect(try decode(Product.self, one) == page.data[0])
            let none = try await client.execute(uri: "/v1/products/nope", method: .get, headers: auth)
            #expect(none.status == .notFound)
            #expect(try error(none) == "Product not found")
            let payment = try decode(
                Page<PaymentMethod>.self,
                try await client.execute(uri: "/v1/payment_methods", method: .get, headers: auth))
            #expect(payment.data.contains { $0.balance == 500_000 })
        }
    }

    @Test func theCatalogueIsTheSameForTheSameSeed() {
        #expect(EmulatorCatalogue.seeded(7).products == EmulatorCatalogue.seeded(7).products)
        #expect(EmulatorCatalogue.seeded(7).products.map(\.id) != EmulatorCatalogue.seeded(8).products.map(\.id))
        let catalogue = EmulatorCatalogue.seeded(1)
        #expect(catalogue.products.contains { $0.priceIsVariable && $0.priceMin != nil })
        #expect(catalogue.products.contains { !$0.restrictedStates.isEmpty })
        #expect(catalogue.products.contains { ($0.variantsNumSelectable ?? 0) > 1 })
        #expect(catalogue.products.contains { $0.variants.isEmpty })
    }

    /// `created_at[after]` filters the history, its brackets written as they are or
    /// percent-encoded (as HTTP clients write them), and the emulator's three-month limit on
    /// scheduling is Goody's.
    @Test func theOrderHistoryIsFilteredByCreationAndSchedulingStopsAtThreeMonths() async throws {
        let clock = ShiftedClock()
        let (app, store) = app(clock: clock.now)
        try await app.test(.router) { client in
            _ = try await client.execute(
                uri: "/v1/order_batches", method: .post, headers: auth, body: try json(input(store, recipients: 2)))
            clock.advance(by: 10 * 86_400)
            let cut = GoodyJSON.timestamp(clock.now().addingTimeInterval(-86_400))
            _ = try await client.execute(
                uri: "/v1/order_batches", method: .post, headers: auth, body: try json(input(store, recipients: 1)))
            for key in ["created_at[after]", "created_at%5Bafter%5D"] {
                let response = try await client.execute(uri: "/v1/orders?\(key)=\(cut)", method: .get, headers: auth)
                #expect(try decode(Page<Order>.self, response).data.count == 1, "\(key)")
            }
            var far = input(store, recipients: 1)
            far.scheduledSendOn = GoodyJSON.timestamp(clock.now().addingTimeInterval(100 * 86_400))
            let refused = try await client.execute(
                uri: "/v1/order_batches", method: .post, headers: auth, body: try json(far))
            #expect(refused.status == .badRequest)
            #expect(try error(refused) == "Scheduled send on can't be more than 3 months from now")
            far.scheduledSendOn = GoodyJSON.timestamp(clock.now().addingTimeInterval(80 * 86_400))
            let accepted = try await client.execute(
                uri: "/v1/order_batches", method: .post, headers: auth, body: try json(far))
            #expect(accepted.status == .created)
        }
    }

    @Test func smallBatchesAreCompleteAtOnceWithTheirOrders() async throws {
        let (app, store) = app()
        try await app.test(.router) { client in
            let response = try await client.execute(
                uri: "/v1/order_batches", method: .post, headers: auth, body: try json(input(store, recipients: 3)))
            #expect(response.status == .created)
            let batch = try decode(OrderBatch.self, response)
            #expect(batch.sendStatus == .known(.complete))
            #expect(batch.ordersCount == 3)
            #expect(batch.ordersPreview?.count == 3)
            #expect(Set((batch.ordersPreview ?? []).map(\.individualGiftLink)).count == 3)
            #expect(
                (batch.ordersPreview ?? []).allSatisfy {
                    $0.individualGiftLink.hasPrefix("https://gifts.ongoody.com/gift/")
                })
            #expect(batch.ordersPreview?.map(\.recipientFirstName) == ["R0", "R1", "R2"])
            #expect(batch.referenceID?.count == 24)
            #expect(batch.customerReferenceID == nil)
        }
    }

    @Test func largeBatchesArePendingUntilTheDelayPasses() async throws {
        let now = LockedDate(Date(timeIntervalSince1970: 1_800_000_000))
        let (app, store) = app(clock: { now.value })
        try await app.test(.router) { client in
            let created = try decode(
                OrderBatch.self,
                try await client.execute(
                    uri: "/v1/order_batches", method: .post, headers: auth, body: try json(input(store, recipients: 11))
                ))
            #expect(created.sendStatus == .known(.pending))
            #expect(created.ordersPreview?.isEmpty == true)
            #expect(created.ordersCount == 0)
            now.advance(by: 61)
            let later = try decode(
                OrderBatch.self,
                try await client.execute(uri: "/v1/order_batches/\(created.id)", method: .get, headers: auth))
            #expect(later.sendStatus == .known(.complete))
            #expect(later.ordersCount == 11)
            #expect(later.ordersPreview?.isEmpty == true)
            let pageOne = try decode(
                Page<Order>.self,
                try await client.execute(
                    uri: "/v1/order_batches/\(created.id)/orders?per_page=10", method: .get, headers: auth))
            let pageTwo = try decode(
                Page<Order>.self,
                try await client.execute(
                    uri: "/v1/order_batches/\(created.id)/orders?page=2&per_page=10", method: .get, headers: auth))
            #expect(pageOne.listMeta?.totalCount == 11)
            #expect(pageOne.data.count + pageTwo.data.count == 11)
            let recipients = try decode(
                Page<BatchRecipient>.self,
                try await client.execute(uri: "/v1/order_batches/\(created.id)/recipients", method: .get, headers: auth)
            )
            #expect(recipients.listMeta?.totalCount == 11)
        }
    }

    @Test func scheduledBatchesWaitForTheirTime() async throws {
        let now = LockedDate(Date(timeIntervalSince1970: 1_800_000_000))
        let (app, store) = app(clock: { now.value })
        var scheduled = input(store, recipients: 2)
        scheduled.scheduledSendOn = GoodyJSON.timestamp(now.value.addingTimeInterval(3600))
        scheduled.expiresAt = GoodyJSON.timestamp(now.value.addingTimeInterval(7200))
        let body = try json(scheduled)
        try await app.test(.router) { client in
            let created = try decode(
                OrderBatch.self,
                try await client.execute(uri: "/v1/order_batches", method: .post, headers: auth, body: body))
            #expect(created.sendStatus == .known(.pending))
            #expect(created.isScheduledSend == true)
            now.advance(by: 3601)
            let later = try decode(
                OrderBatch.self,
                try await client.execute(uri: "/v1/order_batches/\(created.id)", method: .get, headers: auth))
            #expect(later.sendStatus == .known(.complete))
            #expect(later.ordersPreview?.count == 2)
        }
    }

    @Test func aCustomerReferenceIDIsUsedOnce() async throws {
        let (app, store) = app()
        try await app.test(.router) { client in
            let body = try json(input(store, recipients: 1, reference: "run-1-batch-1"))
            let first = try await client.execute(uri: "/v1/order_batches", method: .post, headers: auth, body: body)
            #expect(first.status == .created)
            let again = try await client.execute(uri: "/v1/order_batches", method: .post, headers: auth, body: body)
            #expect(again.status == .badRequest)
            #expect(try error(again) == "Customer reference ID has already been taken")
            let list = try decode(
                Page<OrderBatch>.self, try await client.execute(uri: "/v1/order_batches", method: .get, headers: auth))
            #expect(list.data.map(\.customerReferenceID) == ["run-1-batch-1"])
            #expect(await store.statistics.batchesCreated == 1)
        }
    }

    @Test(arguments: [
        ("no recipients", "Recipients can't be blank"),
        ("no first name", "Recipient 1: first name can't be blank"),
        ("no email", "Recipient 1: email can't be blank for email_and_link"),
        ("no address", "Recipient 1: mailing address can't be blank for direct_send"),
        ("no city", "Recipient 1: mailing address city can't be blank"),
        ("unknown product", "Product not found: nope"),
        ("wrong variant count", "Six Cookies needs 3 variants for direct_send (variants_num_selectable), 1 given"),
        ("message without card", "Card must be specified when a message is given"),
        ("restricted state", "Wine Duo cannot be shipped to UT"),
        ("variable price missing", "Variable price is required for Goody Gift Card"),
        ("variable price too high", "Variable price for Goody Gift Card must be between $10.00 and $500.00"),
        ("balance without expiry", "Expires at must be set when paying with account balance"),
        ("bad phone", "Recipient 1: phone must be in E.164 format (+15552347890), US only"),
    ])
    func createsAreRejectedAsTheRealAPIRejectsThem(case name: String, message: String) async throws {
        let (app, store) = app()
        let catalogue = store.catalogue
        let address = MailingAddressInput(
            firstName: nil, lastName: nil, address1: "1 Main St", address2: nil, city: "Boston", state: "MA",
            postalCode: "02134", country: "US")
        var batch = input(store, recipients: 1)
        func product(_ name: String) -> String { catalogue.product(named: name)?.id ?? "" }
        switch name {
        case "no recipients": batch.recipients = []
        case "no first name": batch.recipients[0].firstName = " "
        case "no email": batch.recipients[0].email = nil
        case "no address": batch.sendMethod = .directSend
        case "no city":
            batch.sendMethod = .directSend
            batch.recipients[0].mailingAddress = address
            batch.recipients[0].mailingAddress?.city = ""
        case "unknown product": batch.cart = CartInput(items: [CartItemInput(productID: "nope")])
        case "wrong variant count":
            batch.sendMethod = .directSend
            batch.recipients[0].mailingAddress = address
            batch.cart = CartInput(items: [CartItemInput(productID: product("Six Cookies"), variants: ["Sugar"])])
        case "message without card": batch.message = "Thank you!"
        case "restricted state":
            batch.sendMethod = .directSend
            batch.recipients[0].mailingAddress = address
            batch.recipients[0].mailingAddress?.state = "UT"
            batch.cart = CartInput(items: [CartItemInput(productID: product("Wine Duo"))])
        case "variable price missing":
            batch.cart = CartInput(items: [CartItemInput(productID: product("Goody Gift Card"))])
        case "variable price too high":
            batch.cart = CartInput(items: [CartItemInput(productID: product("Goody Gift Card"), variablePrice: 60_000)])
        case "balance without expiry":
            batch.paymentMethodID = catalogue.paymentMethods.first { $0.balance != nil }?.id
        case "bad phone": batch.recipients[0].phone = "555-0100"
        default: Issue.record("unknown case \(name)")
        }
        let body = try json(batch)
        try await app.test(.router) { client in
            let response = try await client.execute(uri: "/v1/order_batches", method: .post, headers: auth, body: body)
            #expect(response.status == .badRequest)
            #expect(try error(response) == message)
        }
        #expect(await store.statistics.batchesCreated == 0)
    }

    @Test func thePriceMatchesTheAmountsOnTheOrders() async throws {
        let (app, store) = app()
        let catalogue = store.catalogue
        // Two products from one brand pass its free-shipping minimum together.
        let cart = CartInput(items: [
            CartItemInput(productID: catalogue.product(named: "Coffee Sampler")?.id ?? "", quantity: 1),
            CartItemInput(productID: catalogue.product(named: "Coffee Mug")?.id ?? "", quantity: 2),
        ])
        let recipients = [
            RecipientInput(
                firstName: "Ana",
                mailingAddress: MailingAddressInput(
                    firstName: nil, lastName: nil, address1: "1 Main St", address2: nil, city: "Los Angeles",
                    state: "CA",
                    postalCode: "90001", country: "US")),
            RecipientInput(
                firstName: "Ben",
                mailingAddress: MailingAddressInput(
                    firstName: nil, lastName: nil, address1: "2 Elm St", address2: nil, city: "Portland", state: "OR",
                    postalCode: "97205", country: "US")),
        ]
        try await app.test(.router) { client in
            let price = try decode(
                OrderBatchPrice.self,
                try await client.execute(
                    uri: "/v1/order_batches/price", method: .post, headers: auth,
                    body: try json(OrderBatchPriceInput(recipients: recipients, cart: cart, sendMethod: .directSend))))
            #expect(price.cartPrice.priceProduct == 3200 + 2 * 1800)
            #expect(price.cartPrice.priceShipping == 0)
            #expect(price.cartPrice.priceProcessingFee == 680)
            #expect(price.cartPrice.pricePreTax == 7480)
            #expect(price.totalPrice.estTaxCalculated == 542)  // 7.25% in CA, none in OR
            #expect(price.totalPrice.estTotalCalculated == 2 * 7480 + 542)
            let batch = try decode(
                OrderBatch.self,
                try await client.execute(
                    uri: "/v1/order_batches", method: .post, headers: auth,
                    body: try json(
                        OrderBatchInput(
                            fromName: "People Team", message: nil, recipients: recipients, cart: cart,
                            sendMethod: .directSend))))
            let amounts = (batch.ordersPreview ?? []).map(\.amounts)
            #expect(amounts.map(\.amountPreTaxTotal) == [7480, 7480])
            #expect(amounts.compactMap(\.amountTotal).reduce(0, +) == price.totalPrice.estTotalCalculated)
        }
    }

    @Test func thePriceAnswerIsReadUnderEitherName() throws {
        let estimateNames = Data(
            #"{"cart_price_estimate":{"price_product":1,"price_shipping":2,"price_processing_fee":3,"price_pre_tax":6,"price_est_tax_low":0,"price_est_tax_high":1,"price_est_total_low":6,"price_est_total_high":7},"total_price_estimate":{"recipients":1}}"#
                .utf8)
        let price = try GoodyJSON.decoder().decode(OrderBatchPrice.self, from: estimateNames)
        #expect(price.cartPrice.pricePreTax == 6)
        #expect(price.totalPrice.recipients == 1)
    }

    @Test func ordersCanBeReadListedAndCanceled() async throws {
        let (app, store) = app()
        try await app.test(.router) { client in
            let batch = try decode(
                OrderBatch.self,
                try await client.execute(
                    uri: "/v1/order_batches", method: .post, headers: auth, body: try json(input(store, recipients: 2)))
            )
            let order = try decode(
                Order.self,
                try await client.execute(
                    uri: "/v1/orders/\(batch.ordersPreview?.first?.id ?? "")", method: .get, headers: auth))
            #expect(order.eventTimes?.createdAt.isEmpty == false)
            let all = try decode(
                Page<Order>.self, try await client.execute(uri: "/v1/orders", method: .get, headers: auth))
            #expect(all.listMeta?.totalCount == 2)
            let canceled = try decode(
                Order.self,
                try await client.execute(uri: "/v1/orders/\(order.id)/cancel", method: .post, headers: auth))
            #expect(canceled.status == .known(.canceled))
            let missing = try await client.execute(uri: "/v1/orders/nope", method: .get, headers: auth)
            #expect(missing.status == .notFound)
            #expect(try error(missing) == "Order not found")
        }
    }

    /// An order's life on the emulator's clock: one step a day, some recipients never opening or
    /// never accepting, expiry stopping an unaccepted gift; `order_activities` lists every step,
    /// newest first, filtered and paged; expiry moves and cancels are refused once accepted.
    @Test func ordersLiveOnTheClockAndTheirActivitiesAreListedFilteredAndPaged() async throws {
        let clock = ShiftedClock()
        var configuration = EmulatorConfiguration(apiKeys: ["k"], asyncDelay: 60, statusStep: 86_400)
        configuration.notOpenedRate = 0.3
        configuration.notAcceptedRate = 0.5
        let (app, store) = app(clock: clock.now, configuration: configuration)
        try await app.test(.router) { client in
            let start = clock.now()
            var gift = input(store, recipients: 10, method: .linkMultipleCustomList)
            gift.expiresAt = GoodyJSON.timestamp(start.addingTimeInterval(10 * 86_400))
            let batch = try decode(
                OrderBatch.self,
                try await client.execute(uri: "/v1/order_batches", method: .post, headers: auth, body: try json(gift)))
            let ids = try #require(batch.ordersPreview?.map(\.id))
            clock.advance(by: 2.5 * 86_400)
            func activities(_ query: String) async throws -> Page<OrderActivity> {
                try decode(
                    Page<OrderActivity>.self,
                    try await client.execute(uri: "/v1/order_activities?\(query)", method: .get, headers: auth))
            }
            let all = try await activities("per_page=100")
            // created for all 10; opened for those who open; accepted for those who go on.
            let byStatus = Dictionary(grouping: all.data, by: \.orderStatus.rawValue).mapValues(\.count)
            #expect(byStatus["created"] == 10)
            let opened = try #require(byStatus["opened"])
            let accepted = try #require(byStatus["accepted"])
            #expect(opened < 10 && accepted < opened, "\(byStatus)")
            #expect(all.listMeta?.totalCount == 10 + opened + accepted)
            #expect(zip(all.data, all.data.dropFirst()).allSatisfy { $0.createdAt >= $1.createdAt }, "newest first")
            #expect(Set(all.data.map(\.order.id)) == Set(ids))
            #expect(Set(all.data.map(\.id)).count == all.data.count, "every activity has its own ID")
            // Filters and pages.
            #expect(try await activities("statuses=opened,accepted").data.count == opened + accepted)
            let dayTwo = GoodyJSON.timestamp(start.addingTimeInterval(1.5 * 86_400))
            #expect(try await activities("after=\(dayTwo)&per_page=100").data.count == accepted)
            #expect(try await activities("before=\(dayTwo)&per_page=100").data.count == 10 + opened)
            var paged: [OrderActivity] = []
            for page in 1...10 { paged += try await activities("page=\(page)&per_page=7").data }
            #expect(paged == all.data)

            // Accepted: no cancel, no expiry move. Unaccepted: both work.
            let done = try #require(all.data.first { $0.orderStatus.rawValue == "accepted" }?.order.id)
            let waiting = try #require(
                ids.first { id in !all.data.contains { $0.order.id == id && $0.orderStatus.rawValue == "accepted" } })
            let later = GoodyJSON.timestamp(start.addingTimeInterval(40 * 86_400))
            let move = try json(ExpirationUpdate(expiration: later))
            let refusedMove = try await client.execute(
                uri: "/v1/orders/\(done)/update_expiration", method: .post, headers: auth, body: move)
            #expect(refusedMove.status == .badRequest)
            #expect(try error(refusedMove) == "Expiration can't be updated once the order is accepted")
            let refusedCancel = try await client.execute(uri: "/v1/orders/\(done)/cancel", method: .post, headers: auth)
            #expect(try error(refusedCancel) == "Order can't be canceled once it is accepted")
            let moved = try decode(
                Order.self,
                try await client.execute(
                    uri: "/v1/orders/\(waiting)/update_expiration", method: .post, headers: auth, body: move))
            #expect(moved.expiresAt.flatMap(GoodyJSON.date) == GoodyJSON.date(later))

            // Past its expiry an unaccepted gift goes no further: nothing happens after day 10.
            clock.advance(by: 20 * 86_400)
            let afterExpiry = try await activities(
                "after=\(GoodyJSON.timestamp(start.addingTimeInterval(10 * 86_400)))")
            #expect(afterExpiry.data.isEmpty)
        }
    }

    @Test func nullableFieldsAreWrittenAsNull() throws {
        let batch = Page<PaymentMethod>(
            data: [PaymentMethod(id: "1", name: "Visa", cardholderName: nil, balance: nil)],
            listMeta: ListMeta(totalCount: 1))
        let text = String(decoding: try GoodyJSON.encoder().encode(batch), as: UTF8.self)
        #expect(text.contains(#""balance":null"#))
        #expect(text.contains(#""cardholder_name":null"#))
    }
}

/// A clock the test moves by hand.
final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date
    init(_ date: Date) { self.date = date }
    var value: Date {
        lock.lock()
        defer { lock.unlock() }
        return date
    }
    func advance(by seconds: TimeInterval) {
        lock.lock()
        date = date.addingTimeInterval(seconds)
        lock.unlock()
    }
}
