public import APIClient
import Crypto
public import Foundation
import GoodyAPI
public import Recipients

/// What to plan: the spreadsheet, how to read it, and the campaign settings.
public struct PlanRequest: Sendable {
    public var input: ValidationRequest
    public var campaign: CampaignSettings
    /// "Now", for checking that send dates are in the future.
    public var now: Date
    /// The zone in which dates without a time or zone are read.
    public var timeZone: TimeZone
    /// Lines to leave out of the batches (people who already got this gift in an earlier run).
    public var excludedLines: Set<Int> = []

    public init(input: ValidationRequest, campaign: CampaignSettings, now: Date = Date(), timeZone: TimeZone = .current)
    {
        self.input = input
        self.campaign = campaign
        self.now = now
        self.timeZone = timeZone
    }

    public static let defaultBatchSize = 100
    /// Goody documents no limit; beyond this one request carries more than is wise to repeat.
    public static let maximumBatchSize = 1000
}

/// Turns a spreadsheet and campaign settings into order batches with a cost estimate, reading
/// the account and asking Goody for prices. It never creates anything.
public struct Planner: Sendable {
    public let client: GoodyClient

    public init(client: GoodyClient) { self.client = client }

    public func plan(_ request: PlanRequest) async throws -> Plan {
        let campaign = request.campaign
        guard let method = campaign.sendMethod else {
            throw PlanError.missing(
                "send method",
                "Add --send-method (\(SendMethod.allCases.map(\.rawValue).joined(separator: ", "))) or send_method: in the campaign file."
            )
        }
        let batchSize = campaign.batchSize ?? PlanRequest.defaultBatchSize
        guard (1...PlanRequest.maximumBatchSize).contains(batchSize) else {
            throw PlanError(
                "The batch size must be between 1 and \(PlanRequest.maximumBatchSize); \(batchSize) was given.")
        }
        let maxSpend = try campaign.maxSpend.map { text throws(PlanError) -> Int in
            guard let cents = GiftAmount.cents(text) else {
                throw PlanError(
                    "The maximum spend \"\(text)\" is not an amount of money; write dollars such as 5000 or $5,000.")
            }
            return cents
        }
        guard let fromName = campaign.fromName?.trimmingCharacters(in: .whitespaces), !fromName.isEmpty else {
            throw PlanError.missing(
                "from name",
                "Add --from-name \"People Team\" (or from_name: in the campaign file): it is shown as the gift's sender."
            )
        }

        var validationRequest = request.input
        validationRequest.options.method = method
        validationRequest.options.collectRecipients = true
        let validation = try Validation(validationRequest).run()

        let references = (campaign.products ?? []).map(\.product) + validation.recipients.compactMap(\.settings.product)
        let account = try await AccountSnapshot.fetch(client, productReferences: references)
        // No product anywhere: one setup error with the catalogue's choices, not one per row.
        if (campaign.products ?? []).isEmpty, validation.mapping.column(for: .product) == nil,
            !validation.recipients.isEmpty
        {
            throw PlanError.missing(
                "product",
                "Add --product NAME (or product: in the campaign file, or a Product column). The catalogue has \(account.products.count) products, such as \(PlanError.list(account.products.map(\.name), limit: 8))."
            )
        }
        let context = try PlanContext(
            campaign: campaign, method: method, fromName: fromName, account: account, header: validation.mapping.header,
            now: request.now, timeZone: request.timeZone)

        var rejected: [Finding] = []
        var warnings: [Finding] = []
        var groups: [BatchKey: [Recipient]] = [:]
        var order: [BatchKey] = []
        var sharedMessageGroups: Set<BatchKey> = []
        for recipient in validation.recipients where !request.excludedLines.contains(recipient.line) {
            switch context.place(recipient) {
            case .rejected(let finding):
                rejected.append(finding)
            case .placed(let key, let rowWarnings):
                warnings += rowWarnings
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append(recipient)
                var unpersonalized = key
                unpersonalized.message = context.sharedMessageKey(for: recipient)
                sharedMessageGroups.insert(unpersonalized)
            }
        }

        var batches: [PlannedBatch] = []
        for key in order {
            let members = groups[key] ?? []
            for start in stride(from: 0, to: members.count, by: batchSize) {
                let chunk = Array(members[start..<min(members.count, start + batchSize)])
                batches.append(context.batch(number: batches.count + 1, key: key, recipients: chunk))
            }
        }
        batches = try await estimate(batches, method: method)

        let totalHigh = batches.reduce(0) { $0 + $1.estimateRange.high }
        let funds: FundsCheck =
            context.paymentMethod.balance.map { balance in
                totalHigh <= balance ? .enough(balance: balance) : .insufficient(balance: balance, needed: totalHigh)
            } ?? .noBalance
        let personalization = context.personalizationPlaceholders
        var plan = Plan(
            path: request.input.path, method: method, validation: validation, rejected: rejected, warnings: warnings,
            sender: account.me.email ?? "", paymentMethod: context.paymentMethod, workspace: context.workspace,
            card: context.card, batches: batches, batchSize: batchSize, personalization: personalization,
            batchesWithoutPersonalization: Self.batchCount(
                sharedMessageGroups, groups: groups, batchSize: batchSize, context: context),
            funds: funds, maxSpend: maxSpend, fingerprint: Self.fingerprint(method: method, batches: batches))
        plan.paymentMethodChosen = campaign.paymentMethod != nil
        return plan
    }

    /// How many batches the same rows would need if the message were not personalized.
    private static func batchCount(
        _ shared: Set<BatchKey>, groups: [BatchKey: [Recipient]], batchSize: Int, context: PlanContext
    ) -> Int {
        var sizes: [BatchKey: Int] = [:]
        for (key, members) in groups {
            var unpersonalized = key
            unpersonalized.message = members.first.map { context.sharedMessageKey(for: $0) } ?? nil
            sizes[unpersonalized, default: 0] += members.count
        }
        return sizes.values.reduce(0) { $0 + ($1 + batchSize - 1) / batchSize }
    }

    /// Asks Goody to price every batch, four at a time.
    private func estimate(_ batches: [PlannedBatch], method: SendMethod) async throws -> [PlannedBatch] {
        var priced = batches
        try await withThrowingTaskGroup(of: (Int, OrderBatchPrice).self) { group in
            var next = 0
            func start() {
                guard next < batches.count else { return }
                let index = next
                let input = batches[index].input
                group.addTask {
                    (
                        index,
                        try await client.price(
                            OrderBatchPriceInput(recipients: input.recipients, cart: input.cart, sendMethod: method))
                    )
                }
                next += 1
            }
            for _ in 0..<4 { start() }
            while let (index, price) = try await group.next() {
                priced[index].estimate = price
                start()
            }
        }
        return priced
    }

    /// SHA-256 of every batch's request, in order: the same rows and settings give the same plan.
    static func fingerprint(method: SendMethod, batches: [PlannedBatch]) -> String {
        var hasher = SHA256()
        hasher.update(data: Data(method.rawValue.utf8))
        let encoder = GoodyJSON.encoder()
        for batch in batches {
            hasher.update(data: (try? encoder.encode(batch.input)) ?? Data())
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}

/// Everything Goody sets once per batch; recipients that share it can share a batch.
struct BatchKey: Hashable {
    var cart: [CartItemInput]
    var message: String?
    var fromName: String
    var cardID: String?
    var scheduledSendOn: String?
    var expiresAt: String?
    var swap: Swap?
}

/// The campaign resolved against the account, and the per-row work of placing a recipient.
struct PlanContext {
    let method: SendMethod
    let fromName: String
    let account: AccountSnapshot
    let paymentMethod: PaymentMethod
    let workspace: Workspace
    let card: Card?
    let campaignCart: [ResolvedLine]?
    let campaignChoices: [ProductChoice]?
    let message: MessageTemplate?
    let swap: Swap?
    let sendOn: Date?
    let expires: Date?
    let now: Date
    let timeZone: TimeZone
    /// Header → placeholder name ("Hire Date" → hire_date), by column.
    let placeholderNames: [String]
    private(set) var personalizationPlaceholders: [String] = []

    init(
        campaign: CampaignSettings, method: SendMethod, fromName: String, account: AccountSnapshot, header: [String],
        now: Date, timeZone: TimeZone
    ) throws(PlanError) {
        self.method = method
        self.fromName = fromName
        self.account = account
        self.now = now
        self.timeZone = timeZone
        swap = campaign.swap
        paymentMethod = try account.paymentMethod(matching: campaign.paymentMethod)
        workspace = try account.workspace(matching: campaign.workspace)
        card = try campaign.card.map { reference throws(PlanError) in try account.card(matching: reference) }
        campaignChoices = campaign.products
        campaignCart = try campaign.products.map { choices throws(PlanError) in
            try CartResolver.resolve(choices, method: method, account: account)
        }
        placeholderNames = header.map(Self.placeholderName)
        // A message from a YAML block ends with a line break the person did not mean to send.
        message = try campaign.message.flatMap { text throws(PlanError) in
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : try MessageTemplate(trimmed)
        }
        if message != nil && card == nil {
            throw PlanError(
                "A message needs a card (Goody shows the message when the card is opened). Add --card with an occasion or ID: \(account.cards.map { "\($0.id) (\($0.occasions.joined(separator: ", ")))" }.joined(separator: "; "))."
            )
        }
        sendOn = try campaign.sendOn.map { text throws(PlanError) in
            try Self.date(text, setting: "send date", defaultHour: 9, timeZone: timeZone)
        }
        if let sendOn, sendOn <= now {
            throw PlanError(
                "The send date \(campaign.sendOn ?? "") is in the past. Give a future date, or leave it out to send now."
            )
        }
        expires = try campaign.expires.map { text throws(PlanError) in
            try Self.date(text, setting: "expiry", defaultHour: nil, timeZone: timeZone)
        }
        if let expires, expires <= (sendOn ?? now) {
            throw PlanError(
                "The gifts would expire (\(campaign.expires ?? "")) before they are sent. Give a later --expires.")
        }
        if paymentMethod.balance != nil && expires == nil {
            throw PlanError(
                "\(paymentMethod.name) pays from the account balance, and Goody requires an expiry for gifts paid that way. Add --expires YYYY-MM-DD (or expires: in the campaign file)."
            )
        }
        if let message {
            let sample = Self.sampleValues(header: header)
            let rendered = message.render(sample)
            if !rendered.unknown.isEmpty {
                let available = Array(Set(sample.keys)).sorted()
                throw PlanError(
                    "The message uses \(rendered.unknown.sorted().map { "{{\($0)}}" }.joined(separator: ", ")), which names no field or column. Available: \(available.map { "{{\($0)}}" }.joined(separator: ", "))."
                )
            }
            personalizationPlaceholders = rendered.used.sorted()
        }
    }

    /// "Hire Date" → "hire_date".
    static func placeholderName(_ header: String) -> String {
        let words = header.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.joined(separator: "_")
    }

    /// Every placeholder a message can use, with empty values.
    private static func sampleValues(header: [String]) -> [String: String] {
        var values: [String: String] = [:]
        for name in header.map(placeholderName) where !name.isEmpty { values[name] = "" }
        for field in Self.fieldNames { values[field] = "" }
        return values
    }

    private static let fieldNames = [
        "first_name", "last_name", "email", "phone", "manager", "employee_id", "city", "state",
    ]

    /// The values a message can use for one recipient: its normalized fields, then every column.
    func values(for recipient: Recipient) -> [String: String] {
        var values: [String: String] = [:]
        for (index, name) in placeholderNames.enumerated() where !name.isEmpty && index < recipient.values.count {
            values[name] = recipient.values[index]
        }
        values["first_name"] = recipient.firstName
        values["last_name"] = recipient.lastName ?? ""
        values["email"] = recipient.email ?? ""
        values["phone"] = recipient.phone ?? ""
        values["manager"] = recipient.manager ?? values["manager"] ?? ""
        values["employee_id"] = recipient.employeeID ?? values["employee_id"] ?? ""
        values["city"] = recipient.address?.city ?? values["city"] ?? ""
        values["state"] = recipient.address?.state ?? values["state"] ?? ""
        return values
    }

    enum Placement {
        case placed(BatchKey, warnings: [Finding])
        case rejected(Finding)
    }

    private func reject(_ recipient: Recipient, _ code: FindingCode, _ message: String, fix: String) -> Placement {
        .rejected(Finding(code: code, line: recipient.line, column: nil, value: "", message: message, fix: fix))
    }

    /// Works out the batch a recipient belongs in, or why they cannot be sent.
    func place(_ recipient: Recipient) -> Placement {
        let settings = recipient.settings
        let cart: [ResolvedLine]
        do {
            if let product = settings.product {
                cart = try CartResolver.resolve(
                    [
                        ProductChoice(
                            product: product, variants: settings.variants,
                            amount: settings.amountCents.map { Money.plain($0) })
                    ],
                    method: method, account: account)
            } else if var choices = campaignChoices {
                if settings.variants != nil || settings.amountCents != nil, choices.count == 1 {
                    choices[0].variants = settings.variants ?? choices[0].variants
                    choices[0].amount = settings.amountCents.map { Money.plain($0) } ?? choices[0].amount
                    cart = try CartResolver.resolve(choices, method: method, account: account)
                } else {
                    cart = campaignCart ?? []
                }
            } else {
                return reject(
                    recipient, .cartNotPossible, "no product is set for this row",
                    fix: "set --product for everyone, or fill in this row's Product column")
            }
        } catch {
            return reject(
                recipient, .cartNotPossible, error.message, fix: "correct this row's product, variants or amount")
        }
        if method == .directSend, let state = recipient.address?.state {
            for line in cart where line.product.restrictedStates.contains(state) {
                return reject(
                    recipient, .restrictedState, "\(line.product.name) cannot be shipped to \(state)",
                    fix: "choose another product for this row (a Product column), or send this person a gift link")
            }
        }

        var warnings: [Finding] = []
        var text: String?
        if let rowMessage = settings.message {
            guard card != nil else {
                return reject(
                    recipient, .cartNotPossible, "this row has a message, and a message needs a card",
                    fix: "add --card for the campaign")
            }
            guard let template = try? MessageTemplate(rowMessage) else {
                return reject(
                    recipient, .cartNotPossible, "this row's message is not a valid template",
                    fix: "check its {{ and }}")
            }
            let rendered = template.render(values(for: recipient))
            guard rendered.unknown.isEmpty else {
                return reject(
                    recipient, .cartNotPossible,
                    "this row's message uses \(rendered.unknown.sorted().map { "{{\($0)}}" }.joined(separator: ", ")), which names no column",
                    fix: "use a column name in snake_case, such as {{first_name}}")
            }
            text = rendered.text
            warnings += emptyPlaceholderWarnings(rendered, recipient)
        } else if let message {
            let rendered = message.render(values(for: recipient))
            text = rendered.text
            warnings += emptyPlaceholderWarnings(rendered, recipient)
        }

        var scheduled = sendOn
        if let rowDate = settings.sendDate {
            let date = Self.date(rowDate, defaultHour: 9, timeZone: timeZone)
            guard date > now else {
                return reject(
                    recipient, .sendDateInPast, "the send date \(rowDate.iso8601) is in the past",
                    fix: "give a future date, or clear the cell to send with the others")
            }
            if let expires, expires <= date {
                return reject(
                    recipient, .sendDateInPast, "the send date \(rowDate.iso8601) is after the gifts expire",
                    fix: "give an earlier send date, or a later --expires")
            }
            scheduled = date
        }
        let key = BatchKey(
            cart: cart.map(\.input), message: text, fromName: settings.fromName ?? fromName, cardID: card?.id,
            scheduledSendOn: scheduled.map(GoodyJSON.timestamp), expiresAt: expires.map(GoodyJSON.timestamp), swap: swap
        )
        return .placed(key, warnings: warnings)
    }

    /// The message a recipient would get if placeholders were not filled in: recipients who
    /// differ only by personalization share this.
    func sharedMessageKey(for recipient: Recipient) -> String? {
        recipient.settings.message ?? message?.text
    }

    private func emptyPlaceholderWarnings(_ rendered: MessageTemplate.Rendered, _ recipient: Recipient) -> [Finding] {
        rendered.empty.sorted().map { name in
            Finding(
                code: .messageValueEmpty, line: recipient.line, column: nil, value: "",
                message: "the message's {{\(name)}} is empty for this recipient: \"\(rendered.text)\"",
                fix: "fill in the column, or check that the message still reads well")
        }
    }

    /// The batch for a group of recipients.
    func batch(number: Int, key: BatchKey, recipients: [Recipient]) -> PlannedBatch {
        let inputs = recipients.map { recipient in
            RecipientInput(
                firstName: recipient.firstName, lastName: recipient.lastName, email: recipient.email,
                phone: recipient.phone,
                mailingAddress: method == .directSend ? recipient.address : nil)
        }
        let input = OrderBatchInput(
            fromName: key.fromName, message: key.message, recipients: inputs, cart: CartInput(items: key.cart),
            sendMethod: method, cardID: key.cardID, paymentMethodID: paymentMethod.id, workspaceID: workspace.id,
            scheduledSendOn: key.scheduledSendOn, expiresAt: key.expiresAt, swap: key.swap)
        let lines = key.cart.compactMap { item in
            account.products.first { $0.id == item.productID }.map {
                ResolvedLine(
                    product: $0, quantity: item.quantity, variants: item.variants, variablePrice: item.variablePrice)
            }
        }
        return PlannedBatch(number: number, recipients: recipients, input: input, cart: lines, estimate: nil)
    }

    /// Reads a send date or expiry typed by a person.
    static func date(_ text: String, setting: String, defaultHour: Int?, timeZone: TimeZone) throws(PlanError) -> Date {
        guard let parsed = SendDate(parsing: text) else {
            throw PlanError(
                "The \(setting) \"\(text)\" is not a date goody-batch can read; write YYYY-MM-DD, optionally with a time (2026-12-01 09:00)."
            )
        }
        return date(parsed, defaultHour: defaultHour, timeZone: timeZone)
    }

    /// A date with no time is 09:00 (send dates) or the end of the day (expiry) in `timeZone`.
    static func date(_ value: SendDate, defaultHour: Int?, timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = value.utcOffsetSeconds.flatMap { TimeZone(secondsFromGMT: $0) } ?? timeZone
        var components = DateComponents(year: value.year, month: value.month, day: value.day)
        if let hour = value.hour {
            components.hour = hour
            components.minute = value.minute ?? 0
        } else if let defaultHour {
            components.hour = defaultHour
        } else {
            components.hour = 23
            components.minute = 59
            components.second = 59
        }
        return calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
    }
}

extension Error {
    /// The message of a `PlanError`, or the error's own description.
    fileprivate var message: String { (self as? PlanError)?.message ?? localizedDescription }
}
