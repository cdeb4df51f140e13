public import Foundation
public import GoodyAPI

/// An answer the API gives instead of a resource: `{"error": message}` with a status.
public struct EmulatorError: Error, Equatable, Sendable {
    public var status: Int
    public var message: String

    public static func badRequest(_ message: String) -> Self { Self(status: 400, message: message) }
    public static func notFound(_ message: String) -> Self { Self(status: 404, message: message) }
}

/// What the emulator has done, for tests and benchmarks to check against.
public struct EmulatorStatistics: Sendable, Equatable {
    public var batchesCreated = 0
    public var ordersCreated = 0
    /// Creates refused because their `customer_reference_id` was already used.
    public var duplicateReferencesRejected = 0
}

/// The emulator's state: the catalogue, every batch and order, and the balances. An actor, so
/// requests on any connection see one consistent account. Time is read from `clock`, and state
/// that depends on time (a pending batch completing, an order being opened) is brought up to
/// date whenever it is read.
public actor EmulatorStore {
    public nonisolated let catalogue: EmulatorCatalogue
    /// The vendor-allowed shapes this emulator answers with.
    public nonisolated let variations: EmulatorConfiguration.Variations
    private let asyncDelay: TimeInterval
    private let statusStep: TimeInterval?
    private let notOpenedRate: Double
    private let notAcceptedRate: Double
    private let clock: @Sendable () -> Date
    private var random: SeededGenerator

    private var batches: [StoredBatch] = []
    private var batchIndex: [String: Int] = [:]
    private var references: [String: String] = [:]
    private var orders: [String: StoredOrder] = [:]
    private var orderSequence: [String] = []
    private var balances: [String: Int]
    private var giftTokens: Set<String> = []
    public private(set) var statistics = EmulatorStatistics()
    private let journal: EmulatorJournal?

    public init(configuration: EmulatorConfiguration, clock: @escaping @Sendable () -> Date = { Today.now() }) {
        catalogue = EmulatorCatalogue.seeded(configuration.seed).markedUp(percent: configuration.priceMarkupPercent)
        variations = configuration.variations
        asyncDelay = configuration.asyncDelay
        statusStep = configuration.statusStep
        notOpenedRate = configuration.notOpenedRate
        notAcceptedRate = configuration.notAcceptedRate
        self.clock = clock
        journal = configuration.journalPath.map(EmulatorJournal.init(path:))
        random = SeededGenerator(seed: configuration.seed &* 0x9E37_79B9 &+ 17)
        balances = Dictionary(
            uniqueKeysWithValues: catalogue.paymentMethods.compactMap { method in method.balance.map { (method.id, $0) }
            })
    }

    // MARK: - Catalogue

    public func paymentMethods() -> [PaymentMethod] {
        catalogue.paymentMethods.map { method in
            var method = method
            if method.balance != nil { method.balance = balances[method.id] }
            return method
        }
    }

    // MARK: - Price and create

    public func price(_ input: OrderBatchPriceInput) throws(EmulatorError) -> OrderBatchPrice {
        if input.sendMethod == .directSend, variations.directSendRefused == .always { throw Self.notAPartner }
        try checkRecipients(input.recipients, method: input.sendMethod)
        let lines = try resolve(input.cart, method: input.sendMethod, recipients: input.recipients)
        return Pricing.estimate(Pricing.price(lines), recipients: input.recipients, method: input.sendMethod)
    }

    public func createBatch(_ input: OrderBatchInput) throws(EmulatorError) -> OrderBatch {
        let now = clock()
        let batch = try createBatch(input, at: now)
        journal?.append(EmulatorJournal.Entry(at: now, create: input))
        return batch
    }

    /// Replays the journal, if there is one, so this store holds every batch and order that
    /// the stores before it (in earlier processes) created, with the same IDs and gift links.
    /// Call it once, before serving. Returns how many entries were replayed.
    @discardableResult
    public func restore() -> Int {
        guard let journal else { return 0 }
        let entries = journal.entries()
        for entry in entries {
            if let input = entry.create {
                _ = try? createBatch(input, at: entry.date)
            } else if let id = entry.cancel {
                _ = try? cancelOrder(id: id, at: entry.date)
            } else if let id = entry.expire, let expiration = entry.expiration {
                _ = try? updateExpiration(id: id, to: expiration, at: entry.date)
            }
        }
        statistics = EmulatorStatistics()
        return entries.count
    }

    private func createBatch(_ input: OrderBatchInput, at now: Date) throws(EmulatorError) -> OrderBatch {
        advance(now)
        if let reference = input.customerReferenceID, references[reference] != nil {
            statistics.duplicateReferencesRejected += 1
            throw .badRequest("Customer reference ID has already been taken")
        }
        if input.sendMethod == .directSend, variations.directSendRefused != nil { throw Self.notAPartner }
        guard !input.fromName.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badRequest("From name can't be blank")
        }
        try checkRecipients(input.recipients, method: input.sendMethod)
        let lines = try resolve(input.cart, method: input.sendMethod, recipients: input.recipients)
        if let message = input.message, !message.isEmpty, input.cardID == nil {
            throw .badRequest("Card must be specified when a message is given")
        }
        if let card = input.cardID, !catalogue.cards.contains(where: { $0.id == card }) {
            throw .badRequest("Card not found: \(card)")
        }
        let payment = try paymentMethod(input.paymentMethodID)
        let workspace = try workspace(input.workspaceID)
        var scheduled: Date?
        if let text = input.scheduledSendOn {
            guard let date = GoodyJSON.date(text) else {
                throw .badRequest("Scheduled send on is not a valid date-time")
            }
            scheduled = date > now ? date : nil
            // Goody's own tools schedule a send at most three months ahead.
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            if let limit = calendar.date(byAdding: .month, value: 3, to: now), date > limit.addingTimeInterval(86_400) {
                throw .badRequest("Scheduled send on can't be more than 3 months from now")
            }
        }
        if let text = input.expiresAt {
            guard let date = GoodyJSON.date(text) else { throw .badRequest("Expires at is not a valid date-time") }
            guard date > (scheduled ?? now) else { throw .badRequest("Expires at must be after the send time") }
        }
        let price = Pricing.price(lines)
        if let balance = balances[payment.id] {
            guard input.expiresAt != nil else {
                throw .badRequest("Expires at must be set when paying with account balance")
            }
            let charge = charge(price, recipients: input.recipients, method: input.sendMethod)
            guard charge <= balance else {
                throw .badRequest(
                    "Insufficient balance on \(payment.name): \(Money.dollars(balance)) available, \(Money.dollars(charge)) needed"
                )
            }
            balances[payment.id] = balance - charge
        }

        let id = random.uuid()
        let isAsync = input.recipients.count > 10
        let readyAt: Date? = scheduled ?? (isAsync ? now.addingTimeInterval(asyncDelay) : nil)
        let batch = StoredBatch(
            id: id, input: input, lines: lines, price: price, createdAt: now, readyAt: readyAt,
            isScheduled: input.scheduledSendOn != nil, status: .pending, orderIDs: [],
            cart: Cart(id: random.uuid(), items: lines.map(cartItem)), referenceID: random.token(24),
            workspace: workspace, declines: catalogue.decliningPaymentMethodIDs.contains(payment.id))
        batchIndex[id] = batches.count
        batches.append(batch)
        if let reference = input.customerReferenceID { references[reference] = id }
        statistics.batchesCreated += 1
        if readyAt == nil { complete(batchAt: batches.count - 1, at: now) }
        return render(batches[batches.count - 1], now: now)
    }

    /// Goody's answer to direct send from an account outside its partner programme.
    static let notAPartner = EmulatorError(
        status: 403,
        message:
            "Sending to a mailing_address (direct_send) is only available to approved partners. Contact Goody to apply."
    )

    /// What a batch paid from a balance costs: each order's total, tax at the high estimate
    /// for gifts (the tax is known when the gift is accepted).
    private func charge(_ price: Pricing.CartPrice, recipients: [RecipientInput], method: SendMethod) -> Int {
        recipients.reduce(0) { total, recipient in
            let tax =
                method == .directSend
                ? Pricing.tax(preTax: price.preTax, state: recipient.mailingAddress?.state ?? "")
                : Pricing.percent(price.preTax, 10)
            return total + price.preTax + tax
        }
    }

    private func paymentMethod(_ id: String?) throws(EmulatorError) -> PaymentMethod {
        guard let id else {
            // "If not specified, defaults to the first payment method on the account."
            guard let first = catalogue.paymentMethods.first else {
                throw .badRequest("The account has no payment method")
            }
            return first
        }
        guard let method = catalogue.paymentMethods.first(where: { $0.id == id }) else {
            throw .badRequest("Payment method not found: \(id)")
        }
        return method
    }

    private func workspace(_ id: String?) throws(EmulatorError) -> Workspace {
        guard let id else {
            // "If not specified, creates the order batch in the oldest workspace the user has access to."
            guard let first = catalogue.workspaces.first else { throw .badRequest("The account has no workspace") }
            return first
        }
        guard let workspace = catalogue.workspaces.first(where: { $0.id == id }) else {
            throw .badRequest("Workspace not found: \(id)")
        }
        return workspace
    }

    private func checkRecipients(_ recipients: [RecipientInput], method: SendMethod) throws(EmulatorError) {
        guard !recipients.isEmpty else { throw .badRequest("Recipients can't be blank") }
        for (offset, recipient) in recipients.enumerated() {
            let number = offset + 1
            if recipient.firstName.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .badRequest("Recipient \(number): first name can't be blank")
            }
            if method == .emailAndLink, (recipient.email ?? "").isEmpty {
                throw .badRequest("Recipient \(number): email can't be blank for email_and_link")
            }
            if let phone = recipient.phone, !Self.isUSE164(phone) {
                throw .badRequest("Recipient \(number): phone must be in E.164 format (+15552347890), US only")
            }
            guard method == .directSend else { continue }
            guard let address = recipient.mailingAddress else {
                throw .badRequest("Recipient \(number): mailing address can't be blank for direct_send")
            }
            let required = [
                ("address_1", address.address1), ("city", address.city), ("state", address.state),
                ("postal_code", address.postalCode), ("country", address.country),
            ]
            for (name, value) in required where value.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .badRequest("Recipient \(number): mailing address \(name) can't be blank")
            }
            guard address.country == "US" else {
                throw .badRequest("Recipient \(number): mailing address country must be US")
            }
        }
    }

    private static func isUSE164(_ phone: String) -> Bool {
        let digits = phone.dropFirst(2)
        return phone.hasPrefix("+1") && digits.count == 10 && digits.allSatisfy(\.isNumber)
    }

    /// The cart's products, checked: found, a positive quantity, a variable price within range,
    /// the variants direct send needs, and no restricted state.
    private func resolve(_ cart: CartInput, method: SendMethod, recipients: [RecipientInput])
        throws(EmulatorError) -> [Pricing.Line]
    {
        guard !cart.items.isEmpty else { throw .badRequest("Cart items can't be blank") }
        var lines: [Pricing.Line] = []
        for item in cart.items {
            guard item.productID != nil || item.productURL != nil else {
                throw .badRequest("Either product_id or product_url must be provided")
            }
            guard let product = catalogue.product(id: item.productID, url: item.productURL) else {
                throw .badRequest("Product not found: \(item.productID ?? item.productURL ?? "")")
            }
            guard item.quantity > 0 else { throw .badRequest("Quantity must be greater than 0") }
            if product.priceIsVariable {
                guard let price = item.variablePrice else {
                    throw .badRequest("Variable price is required for \(product.name)")
                }
                let minimum = product.priceMin ?? 1
                let maximum = product.priceMax ?? Int.max
                guard price >= minimum && price <= maximum else {
                    throw .badRequest(
                        "Variable price for \(product.name) must be between \(Money.dollars(minimum)) and \(Money.dollars(maximum))"
                    )
                }
            } else if item.variablePrice != nil {
                throw .badRequest("\(product.name) does not have a variable price")
            }
            if let variants = item.variants {
                let known = Set(product.variants.map(\.name))
                if let unknown = variants.first(where: { !known.contains($0) }) {
                    throw .badRequest("Variant \(unknown) not found for \(product.name)")
                }
            }
            if method == .directSend, !product.variants.isEmpty {
                let needed = product.variantsNumSelectable ?? 1
                let given = item.variants?.count ?? 0
                guard given == needed else {
                    throw .badRequest(
                        "\(product.name) needs \(needed) variant\(needed == 1 ? "" : "s") for direct_send (variants_num_selectable), \(given) given"
                    )
                }
            }
            if method == .directSend {
                for recipient in recipients {
                    if let state = recipient.mailingAddress?.state, product.restrictedStates.contains(state) {
                        throw .badRequest("\(product.name) cannot be shipped to \(state)")
                    }
                }
            }
            lines.append(
                Pricing.Line(
                    product: product, quantity: item.quantity, variablePrice: item.variablePrice,
                    variants: item.variants))
        }
        return lines
    }

    private func cartItem(_ line: Pricing.Line) -> CartItem {
        CartItem(
            id: random.uuid(),
            product: CartProduct(
                id: line.product.id, name: line.product.name,
                brand: .init(id: line.product.brand.id, name: line.product.brand.name)),
            quantity: line.quantity)
    }

    // MARK: - Time

    /// Completes (or fails) every pending batch whose time has come, earliest first, so the
    /// order in which identifiers are drawn does not depend on when the state was read (which
    /// keeps a replayed journal giving the same IDs).
    private func advance(_ now: Date) {
        let due = batches.indices.filter { index in
            batches[index].status == .pending && (batches[index].readyAt.map { $0 <= now } ?? false)
        }
        let ordered = due.sorted { (batches[$0].readyAt ?? now, $0) < (batches[$1].readyAt ?? now, $1) }
        for index in ordered { complete(batchAt: index, at: batches[index].readyAt ?? now) }
    }

    private func complete(batchAt index: Int, at time: Date) {
        if batches[index].declines {
            batches[index].status = .failed
            return
        }
        let batch = batches[index]
        var ids: [String] = []
        for recipient in batch.input.recipients {
            let order = makeOrder(for: recipient, in: batch, at: time)
            orders[order.id] = order
            orderSequence.append(order.id)
            ids.append(order.id)
        }
        batches[index].orderIDs = ids
        batches[index].status = .complete
        statistics.ordersCreated += ids.count
    }

    private func makeOrder(for recipient: RecipientInput, in batch: StoredBatch, at time: Date) -> StoredOrder {
        var token = random.token(24)
        while giftTokens.contains(token) { token = random.token(24) }
        giftTokens.insert(token)
        var tax: Int?
        var total: Int?
        if batch.input.sendMethod == .directSend {
            let owed = Pricing.tax(preTax: batch.price.preTax, state: recipient.mailingAddress?.state ?? "")
            tax = owed
            total = batch.price.preTax + owed
        }
        let amounts = OrderAmounts(
            amountProduct: batch.price.product, amountShipping: batch.price.shipping,
            amountProcessingFee: batch.price.processingFee, amountPreTaxTotal: batch.price.preTax, amountTax: tax,
            amountTotal: total)
        var order = Order(
            id: random.uuid(), recipientFirstName: recipient.firstName, recipientLastName: recipient.lastName,
            recipientEmail: recipient.email, status: .known(.created),
            individualGiftLink: "https://gifts.ongoody.com/gift/\(token)", cart: batch.cart,
            workspaceID: batch.workspace.id, workspaceName: batch.workspace.name, expiresAt: batch.input.expiresAt,
            cardID: batch.input.cardID, message: batch.input.message, orderBatchID: batch.id, amounts: amounts,
            sender: catalogue.sender, referenceID: random.token(24))
        if let variants = batch.lines.first?.variants, let item = batch.cart.items?.first {
            order.cartSelections = [
                CartSelection(id: random.uuid(), cartItemID: item.id, quantityIndex: 0, variants: variants)
            ]
        }
        var stored = StoredOrder(
            order: order, createdAt: time, method: batch.input.sendMethod,
            expiresAt: batch.input.expiresAt.flatMap(GoodyJSON.date))
        stored.fate(notOpened: notOpenedRate, notAccepted: notAcceptedRate)
        return stored
    }

    // MARK: - Reading

    public func batchPage(page: Int, perPage: Int) -> Page<OrderBatch> {
        let now = clock()
        advance(now)
        let newestFirst = batches.reversed().map { render($0, now: now) }
        return Self.page(newestFirst, page: page, perPage: perPage)
    }

    public func batch(id: String) throws(EmulatorError) -> OrderBatch {
        let now = clock()
        advance(now)
        return render(try stored(id), now: now)
    }

    public func batchOrders(id: String, page: Int, perPage: Int) throws(EmulatorError) -> Page<Order> {
        let now = clock()
        advance(now)
        let batch = try stored(id)
        return Self.page(
            batch.orderIDs.compactMap { orders[$0].map { render($0, now: now, full: false) } }, page: page,
            perPage: perPage)
    }

    public func batchRecipients(id: String, page: Int, perPage: Int) throws(EmulatorError) -> Page<BatchRecipient> {
        let batch = try stored(id)
        let recipients = batch.input.recipients.map {
            BatchRecipient(firstName: $0.firstName, lastName: $0.lastName, email: $0.email)
        }
        return Self.page(recipients, page: page, perPage: perPage)
    }

    public func orderPage(page: Int, perPage: Int, after: Date?, before: Date?) -> Page<Order> {
        let now = clock()
        advance(now)
        let selected = orderSequence.compactMap { orders[$0] }.filter { order in
            (after.map { order.createdAt >= $0 } ?? true) && (before.map { order.createdAt <= $0 } ?? true)
        }
        return Self.page(selected.reversed().map { render($0, now: now, full: false) }, page: page, perPage: perPage)
    }

    public func order(id: String) throws(EmulatorError) -> Order {
        let now = clock()
        advance(now)
        guard let order = orders[id] else { throw .notFound("Order not found") }
        return render(order, now: now, full: true)
    }

    public func cancelOrder(id: String) throws(EmulatorError) -> Order {
        let now = clock()
        let order = try cancelOrder(id: id, at: now)
        journal?.append(EmulatorJournal.Entry(at: now, cancel: id))
        return order
    }

    private func cancelOrder(id: String, at now: Date) throws(EmulatorError) -> Order {
        advance(now)
        guard let stored = orders[id] else { throw .notFound("Order not found") }
        let status = stored.status(at: now, step: statusStep)
        guard [.created, .notified, .opened].contains(status) else {
            throw .badRequest("Order can't be canceled once it is \(status.rawValue)")
        }
        orders[id]?.canceledAt = now
        return render(orders[id] ?? stored, now: now, full: true)
    }

    /// Moves an order's expiry, as `POST /v1/orders/{id}/update_expiration` does: refused once the
    /// gift is accepted (or canceled), and for a moment already past.
    public func updateExpiration(id: String, to text: String) throws(EmulatorError) -> Order {
        let now = clock()
        let order = try updateExpiration(id: id, to: text, at: now)
        journal?.append(EmulatorJournal.Entry(at: now, expire: id, expiration: text))
        return order
    }

    private func updateExpiration(id: String, to text: String, at now: Date) throws(EmulatorError) -> Order {
        advance(now)
        guard let stored = orders[id] else { throw .notFound("Order not found") }
        guard let date = GoodyJSON.date(text) else { throw .badRequest("Expiration is not a valid date") }
        guard date > now else { throw .badRequest("Expiration must be in the future") }
        let status = stored.status(at: now, step: statusStep)
        guard [.created, .notified, .opened].contains(status) else {
            throw .badRequest("Expiration can't be updated once the order is \(status.rawValue)")
        }
        orders[id]?.expiresAt = date
        orders[id]?.order.expiresAt = GoodyJSON.timestamp(date)
        return render(orders[id] ?? stored, now: now, full: true)
    }

    /// Every step every order has taken by now, newest first: `GET /v1/order_activities`, with
    /// its `after`/`before` (inclusive) and `statuses` filters.
    public func activityPage(page: Int, perPage: Int, after: Date?, before: Date?, statuses: Set<String>?)
        -> Page<OrderActivity>
    {
        let now = clock()
        advance(now)
        var activities: [(at: Date, sequence: Int, activity: OrderActivity)] = []
        for (sequence, id) in orderSequence.enumerated() {
            guard let stored = orders[id] else { continue }
            var current: Order?
            for (index, step) in stored.steps(at: now, step: statusStep).enumerated() {
                guard after.map({ step.at >= $0 }) ?? true, before.map({ step.at <= $0 }) ?? true,
                    statuses.map({ $0.contains(step.status.rawValue) }) ?? true
                else { continue }
                if current == nil { current = render(stored, now: now, full: false) }
                guard let order = current else { continue }
                activities.append(
                    (
                        step.at, sequence * 16 + index,
                        OrderActivity(
                            id: Self.uuid(for: "\(id)/\(step.status.rawValue)"), orderStatus: .known(step.status),
                            createdAt: GoodyJSON.timestamp(step.at), order: order)
                    ))
            }
        }
        activities.sort { ($0.at, $0.sequence) > ($1.at, $1.sequence) }
        return Self.page(activities.map(\.activity), page: page, perPage: perPage)
    }

    /// A UUID-shaped identifier fixed by `text`, so an activity keeps its ID on every read.
    static func uuid(for text: String) -> String {
        let hex = (0..<4).map { part in
            String(format: "%08x", UInt32(share(text, salt: "uuid\(part)") * 4_294_967_296))
        }.joined()
        let characters = Array(hex)
        func slice(_ range: Range<Int>) -> String { String(characters[range]) }
        return "\(slice(0..<8))-\(slice(8..<12))-4\(slice(13..<16))-a\(slice(17..<20))-\(slice(20..<32))"
    }

    private func stored(_ id: String) throws(EmulatorError) -> StoredBatch {
        guard let index = batchIndex[id] else { throw .notFound("Order batch not found") }
        return batches[index]
    }

    private static func page<Item>(_ items: [Item], page: Int, perPage: Int) -> Page<Item> {
        let start = min(items.count, (page - 1) * perPage)
        let end = min(items.count, start + perPage)
        return Page(data: Array(items[start..<end]), listMeta: ListMeta(totalCount: items.count))
    }

    private func render(_ batch: StoredBatch, now: Date) -> OrderBatch {
        let batchOrders = batch.orderIDs.compactMap { orders[$0] }
        let recipients = batch.input.recipients
        let names = recipients.prefix(2).map { [$0.firstName, $0.lastName].compactMap { $0 }.joined(separator: " ") }
        let batchName =
            recipients.count <= 2
            ? names.joined(separator: " and ") : "\(names.joined(separator: ", ")) and \(recipients.count - 2) others"
        let scheduledAhead = batch.status == .pending && batch.isScheduled
        return OrderBatch(
            id: batch.id, sendStatus: .known(batch.status), fromName: batch.input.fromName,
            message: batch.input.message,
            ordersCount: scheduledAhead && variations.blankScheduledOrdersCount ? nil : batchOrders.count,
            ordersPreview: recipients.count <= 10
                ? batchOrders.prefix(10).map { render($0, now: now, full: false) } : [],
            recipientsCount: recipients.count,
            recipientsPreview: recipients.prefix(10).map {
                BatchRecipient(firstName: $0.firstName, lastName: $0.lastName, email: $0.email)
            },
            cart: batch.cart, isScheduledSend: batch.isScheduled, scheduledSendOn: batch.input.scheduledSendOn,
            expiresAt: batch.input.expiresAt, sendMethod: variations.nullSendMethod ? nil : batch.input.sendMethod,
            batchName: batchName,
            cardID: batch.input.cardID, sender: catalogue.sender, workspaceID: batch.workspace.id,
            workspaceName: batch.workspace.name, referenceID: batch.referenceID,
            customerReferenceID: batch.input.customerReferenceID)
    }

    private func render(_ stored: StoredOrder, now: Date, full: Bool) -> Order {
        var order = stored.order
        order.status = .known(stored.status(at: now, step: statusStep))
        if full { order.eventTimes = stored.eventTimes(at: now, step: statusStep) }
        if stored.canceledAt == nil {
            if Self.share(order.id, salt: "status") < variations.unknownStatusRate {
                order.status = .other("pending_user_approval")
            }
            if Self.share(order.id, salt: "swap") < variations.swapRate { swap(&order) }
        }
        return order
    }

    /// The recipient chose another product: `cart` and `amounts` become the new product's, and
    /// what was sent moves to `original_cart` and `original_amounts`, in the vendor's shape.
    private func swap(_ order: inout Order) {
        let sent = order.cart?.items?.first?.product.id
        guard
            let chosen = catalogue.products.first(where: { $0.id != sent && !$0.priceIsVariable && $0.variants.isEmpty }
            )
        else { return }
        order.isSwapped = true
        order.originalCart = order.cart
        order.originalAmounts = OriginalAmounts(
            originalAmountProduct: order.amounts.amountProduct, originalAmountShipping: order.amounts.amountShipping,
            originalAmountPreTaxTotal: order.amounts.amountPreTaxTotal)
        order.cart = Cart(
            id: order.cart?.id,
            items: [
                CartItem(
                    id: order.cart?.items?.first?.id ?? order.id,
                    product: CartProduct(
                        id: chosen.id, name: chosen.name, brand: .init(id: chosen.brand.id, name: chosen.brand.name)),
                    quantity: 1)
            ])
        let shipping = chosen.brand.shippingPrice ?? 0
        order.amounts.amountProduct = chosen.price
        order.amounts.amountShipping = shipping
        order.amounts.amountPreTaxTotal = chosen.price + shipping + (order.amounts.amountProcessingFee ?? 0)
    }

    /// A fixed share in [0, 1) for an identifier, so a variation picks the same orders on every read.
    static func share(_ id: String, salt: String) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in (salt + id).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Double(hash >> 11) / Double(1 << 53)
    }
}

struct StoredBatch {
    var id: String
    var input: OrderBatchInput
    var lines: [Pricing.Line]
    var price: Pricing.CartPrice
    var createdAt: Date
    /// When a pending batch completes: after the async delay, or at its scheduled time.
    var readyAt: Date?
    var isScheduled: Bool
    var status: SendStatus
    var orderIDs: [String]
    var cart: Cart
    var referenceID: String
    var workspace: Workspace
    /// Paid with a payment method that declines: the batch fails when it would complete.
    var declines: Bool
}

struct StoredOrder {
    var order: Order
    var createdAt: Date
    var method: SendMethod
    var canceledAt: Date?
    /// When an unaccepted gift stops moving on; moved by `update_expiration`.
    var expiresAt: Date?
    /// The last step of its path this order reaches: its recipient may never open the gift, or
    /// open it and never accept it.
    var lastStep: Int

    init(order: Order, createdAt: Date, method: SendMethod, expiresAt: Date?) {
        self.order = order
        self.createdAt = createdAt
        self.method = method
        self.expiresAt = expiresAt
        lastStep = 0
        lastStep = path.count - 1
    }

    var id: String { order.id }

    /// The statuses an order passes through, by send method.
    private var path: [OrderStatus] {
        switch method {
        case .emailAndLink: [.created, .notified, .opened, .accepted]
        case .linkMultipleCustomList: [.created, .opened, .accepted]
        case .directSend: [.created, .paid, .ordered, .shipped, .delivered]
        }
    }

    /// Fixes how far this order goes, from shares of its ID.
    mutating func fate(notOpened: Double, notAccepted: Double) {
        guard let opened = path.firstIndex(of: .opened) else { return }
        if EmulatorStore.share(id, salt: "opens") < notOpened {
            lastStep = opened - 1
        } else if EmulatorStore.share(id, salt: "accepts") < notAccepted {
            lastStep = opened
        }
    }

    /// Each step reached by `now` and when, one every `step` seconds from creation, up to its
    /// fate; a cancel stops it, and so does expiry before acceptance (until the expiry moves).
    func steps(at now: Date, step: TimeInterval?) -> [(status: OrderStatus, at: Date)] {
        var reached = [(status: OrderStatus.created, at: createdAt)]
        guard let step, step > 0, lastStep > 0 else { return reached }
        let acceptance = path.firstIndex(of: .accepted)
        for index in 1...lastStep {
            let time = createdAt.addingTimeInterval(Double(index) * step)
            guard time <= now, canceledAt.map({ time < $0 }) ?? true else { break }
            if let acceptance, index <= acceptance, let expiresAt, time >= expiresAt { break }
            reached.append((path[index], time))
        }
        if let canceledAt, canceledAt <= now { reached.append((.canceled, canceledAt)) }
        return reached
    }

    func status(at now: Date, step: TimeInterval?) -> OrderStatus {
        if canceledAt != nil { return .canceled }
        return steps(at: now, step: step).last?.status ?? .created
    }

    func eventTimes(at now: Date, step: TimeInterval?) -> OrderEventTimes {
        var times = OrderEventTimes(createdAt: GoodyJSON.timestamp(createdAt))
        for (status, at) in steps(at: now, step: step).dropFirst() {
            let time = GoodyJSON.timestamp(at)
            switch status {
            case .notified: times.notifiedAt = time
            case .opened: times.openedAt = time
            case .accepted: times.acceptedAt = time
            case .paid: times.paidAt = time
            case .shipped: times.shippedAt = time
            case .delivered: times.deliveredAt = time
            default: break
            }
        }
        return times
    }
}
