public import APIClient
import Crypto
public import Foundation
public import GoodyAPI
public import Recipients
import Spreadsheet

/// What to plan: the spreadsheet, how to read it, and the campaign settings.
public struct PlanRequest: Sendable {
    public var input: ValidationRequest
    public var campaign: CampaignSettings
    /// "Now", for checking that send dates are in the future and for the occasion's window.
    public var now: Date
    /// The zone in which dates without a time or zone are read.
    public var timeZone: TimeZone

    public init(
        input: ValidationRequest, campaign: CampaignSettings, now: Date = Today.now(), timeZone: TimeZone = .current
    ) {
        self.input = input
        self.campaign = campaign
        self.now = now
        self.timeZone = timeZone
    }

    public static let defaultBatchSize = 100
    /// Goody documents no limit; beyond this one request carries more than is wise to repeat.
    public static let maximumBatchSize = 1000
}

/// A recipient the plan would send, with the batch they belong in (its place in the draft's
/// `keys`: most people share a key, and a key carries the whole message).
struct PlacedRecipient: Sendable {
    var recipient: Recipient
    var key: Int
    var warnings: [Finding]
}

/// The file read and checked once, the account read once, and every row placed: what `plan`
/// and `send` share before the search for earlier gifts decides who is left out. Nothing is
/// priced yet.
public struct PlanDraft: Sendable {
    public let request: PlanRequest
    public let method: SendMethod
    public let batchSize: Int
    public let maxSpend: Int?
    public let validation: ValidationReport
    public let sender: String
    /// The occasion, when the campaign has one.
    public let occasion: OccasionRule?
    /// Rows the plan cannot send although they passed validation, one finding each.
    public let rejected: [Finding]
    /// Rows whose occasion is not in the window.
    public let notDue: [NotDue]
    let context: PlanContext
    let placed: [PlacedRecipient]
    /// Every distinct batch key, in the order they were first met.
    let keys: [BatchKey]
    /// Each placed row's occurrence, by line (none without an occasion).
    let occurrences: [Int: Occurrence]

    /// The rows the plan would send, with their occurrence (nil without an occasion): who the
    /// search for earlier gifts looks for.
    public var candidates: [(recipient: Recipient, occurrence: Occurrence?)] {
        placed.map { ($0.recipient, occurrences[$0.recipient.line]) }
    }

    /// The occasion's window as the run's identity records it: the days, not "next-month".
    public var resolvedWindow: String? {
        occasion?.window.map { "\($0.lowerBound)..\($0.upperBound)" }
    }
}

/// Turns a spreadsheet and campaign settings into order batches with a cost estimate, reading
/// the account and asking Goody for prices. It never creates anything.
public struct Planner: Sendable {
    public let client: GoodyClient

    public init(client: GoodyClient) { self.client = client }

    /// Plans a send in one go: `draft`, then `plan(_:leavingOut:)` with nobody left out.
    public func plan(_ request: PlanRequest) async throws -> Plan {
        try await plan(try await draft(request), leavingOut: [])
    }

    /// Reads and checks the file, reads the account, and places every row. The file is read
    /// once here; nothing is priced.
    public func draft(_ request: PlanRequest) async throws -> PlanDraft {
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
        let kind = try campaign.occasion.map { text throws(PlanError) -> OccasionKind in
            guard let kind = OccasionKind(text) else {
                throw PlanError(
                    "The occasion \"\(text)\" is not one goody-batch can use; write work_anniversary, birthday, new_hire, or a campaign's name such as holiday-2026."
                )
            }
            return kind
        }
        if kind == nil {
            for (setting, value) in [
                ("window", campaign.window), ("date_column", campaign.dateColumn), ("send_time", campaign.sendTime),
                ("milestones", campaign.milestones.map { _ in "" }),
            ] where value != nil {
                throw PlanError(
                    "\(setting) is set, but no occasion is: add --occasion work_anniversary, birthday or new_hire (occasion: in the campaign file)."
                )
            }
        }

        var validationRequest = request.input
        validationRequest.options.method = method
        validationRequest.options.collectRecipients = true
        let validation = try Validation(validationRequest).run()

        let references =
            (campaign.products ?? []).map(\.product) + (campaign.milestones ?? [:]).values.compactMap(\.product)
            + validation.recipients.compactMap(\.settings.product)
        let account = try await AccountSnapshot.fetch(client, productReferences: references)
        // No product anywhere: one setup error with the catalogue's choices, not one per row.
        let milestoneProducts = (campaign.milestones ?? [:]).values.contains { $0.product != nil }
        if (campaign.products ?? []).isEmpty, !milestoneProducts, validation.mapping.column(for: .product) == nil,
            !validation.recipients.isEmpty
        {
            throw PlanError.missing(
                "product",
                "Add --product NAME (or product: in the campaign file, or a Product column). The catalogue has \(account.products.count) products, such as \(PlanError.list(account.products.map(\.name), limit: 8))."
            )
        }
        let header = validation.mapping.header
        let recipients = validation.recipients
        let occasion = try kind.map { kind throws(PlanError) in
            try OccasionRule(
                campaign: campaign, kind: kind, header: header,
                values: { column in recipients.map { column < $0.values.count ? $0.values[column] : "" } },
                dates1904: validation.layout.dates1904, now: request.now, timeZone: request.timeZone)
        }
        let context = try PlanContext(
            campaign: campaign, method: method, fromName: fromName, account: account, header: header,
            occasion: occasion, now: request.now, timeZone: request.timeZone)

        var rejected: [Finding] = []
        var notDue: [NotDue] = []
        var placed: [PlacedRecipient] = []
        placed.reserveCapacity(validation.recipients.count)
        var keys: [BatchKey] = []
        var keyIndex: [BatchKey: Int] = [:]
        var occurrences: [Int: Occurrence] = [:]
        for recipient in recipients {
            var occurrence: Occurrence?
            if let occasion {
                switch occasion.evaluate(recipient) {
                case .due(let due): occurrence = due
                case .notDue(let reason):
                    notDue.append(reason)
                    continue
                case .finding(let finding):
                    rejected.append(finding)
                    continue
                }
            }
            switch context.place(recipient, occurrence: &occurrence) {
            case .rejected(let finding):
                rejected.append(finding)
            case .notDue(let reason):
                notDue.append(reason)
            case .placed(let key, let rowWarnings):
                let index =
                    keyIndex[key]
                    ?? {
                        keys.append(key)
                        keyIndex[key] = keys.count - 1
                        return keys.count - 1
                    }()
                placed.append(PlacedRecipient(recipient: recipient, key: index, warnings: rowWarnings))
                if let occurrence { occurrences[recipient.line] = occurrence }
            }
        }
        return PlanDraft(
            request: request, method: method, batchSize: batchSize, maxSpend: maxSpend, validation: validation,
            sender: account.me.email ?? "", occasion: occasion, rejected: rejected, notDue: notDue, context: context,
            placed: placed, keys: keys, occurrences: occurrences)
    }

    /// Forms the batches of everyone placed but the lines left out (people already gifted) and
    /// asks Goody to price each batch once.
    public func plan(_ draft: PlanDraft, leavingOut: Set<Int>) async throws -> Plan {
        let context = draft.context
        var warnings: [Finding] = []
        var groups: [[Recipient]] = Array(repeating: [], count: draft.keys.count)
        var order: [Int] = []
        var occurrences: [Int: Occurrence] = [:]
        for placed in draft.placed where !leavingOut.contains(placed.recipient.line) {
            warnings += placed.warnings
            if groups[placed.key].isEmpty { order.append(placed.key) }
            groups[placed.key].append(placed.recipient)
            if let occurrence = draft.occurrences[placed.recipient.line] {
                occurrences[placed.recipient.line] = occurrence
            }
        }
        // An occasion's batches read as a calendar: by day, then by gift.
        if draft.occasion != nil {
            order = order.enumerated().sorted {
                (draft.keys[$0.element].scheduledSendOn ?? "", $0.offset)
                    < (draft.keys[$1.element].scheduledSendOn ?? "", $1.offset)
            }
            .map(\.element)
        }

        let batchesWithoutPersonalization = Self.batchCount(
            keys: draft.keys, groups: groups, batchSize: draft.batchSize, context: context)
        var batches: [PlannedBatch] = []
        for key in order {
            let members = groups[key]
            groups[key] = []
            for start in stride(from: 0, to: members.count, by: draft.batchSize) {
                let chunk = Array(members[start..<min(members.count, start + draft.batchSize)])
                batches.append(context.batch(number: batches.count + 1, key: draft.keys[key], recipients: chunk))
            }
        }
        batches = try await estimate(batches, method: draft.method)

        let totalHigh = batches.reduce(0) { $0 + $1.estimateRange.high }
        let funds: FundsCheck =
            context.paymentMethod.balance.map { balance in
                totalHigh <= balance ? .enough(balance: balance) : .insufficient(balance: balance, needed: totalHigh)
            } ?? .noBalance
        var plan = Plan(
            path: draft.request.input.path, method: draft.method, validation: draft.validation,
            rejected: draft.rejected, warnings: warnings, sender: draft.sender, paymentMethod: context.paymentMethod,
            workspace: context.workspace, card: context.card, batches: batches, batchSize: draft.batchSize,
            personalization: context.personalizationPlaceholders,
            batchesWithoutPersonalization: batchesWithoutPersonalization,
            funds: funds, maxSpend: draft.maxSpend,
            fingerprint: try Self.fingerprint(method: draft.method, batches: batches))
        plan.paymentMethodChosen = draft.request.campaign.paymentMethod != nil
        plan.occasion = draft.occasion
        plan.notDue = draft.notDue
        plan.occurrences = occurrences
        plan.pricedAt = Today.now()
        return plan
    }

    /// How many batches the same rows would need if the message were not personalized.
    private static func batchCount(
        keys: [BatchKey], groups: [[Recipient]], batchSize: Int, context: PlanContext
    ) -> Int {
        var sizes: [BatchKey: Int] = [:]
        for (key, members) in zip(keys, groups) where !members.isEmpty {
            var unpersonalized = key
            unpersonalized.message = context.sharedMessageKey(for: members[0])
            sizes[unpersonalized, default: 0] += members.count
        }
        return sizes.values.reduce(0) { $0 + ($1 + batchSize - 1) / batchSize }
    }

    /// Asks Goody to price every batch, four at a time. Batches that would send the same cart
    /// to the same recipients the same way are priced once.
    private func estimate(_ batches: [PlannedBatch], method: SendMethod) async throws -> [PlannedBatch] {
        var priced = batches
        var firstOfKind: [OrderBatchPriceInput: Int] = [:]
        var distinct: [Int] = []
        var sameAs: [Int: Int] = [:]
        for (index, batch) in batches.enumerated() {
            let input = OrderBatchPriceInput(
                recipients: batch.input.recipients, cart: batch.input.cart, sendMethod: method)
            if let first = firstOfKind[input] {
                sameAs[index] = first
            } else {
                firstOfKind[input] = index
                distinct.append(index)
            }
        }
        try await withThrowingTaskGroup(of: (Int, OrderBatchPrice).self) { group in
            var next = 0
            func start() {
                guard next < distinct.count else { return }
                let index = distinct[next]
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
        for (index, first) in sameAs { priced[index].estimate = priced[first].estimate }
        return priced
    }

    /// SHA-256 of every batch's request, in order: the same rows and settings give the same plan.
    static func fingerprint(method: SendMethod, batches: [PlannedBatch]) throws -> String {
        var hasher = SHA256()
        hasher.update(data: Data(method.rawValue.utf8))
        let encoder = GoodyJSON.encoder()
        for batch in batches {
            hasher.update(data: try encoder.encode(batch.input))
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
    /// The occasion's occurrence ("work_anniversary:2027"): one batch never mixes two, so its
    /// reference can carry it. Nil without an occasion.
    var occurrence: String?
}

/// A work anniversary's gift for some completed years, resolved against the catalogue.
struct MilestoneTier: Sendable {
    /// "5 years", or "other years" for `default`.
    var name: String

    static let otherYears = "other years"
    /// Nil: the campaign's cart.
    var cart: [ResolvedLine]?
    /// Nil: the campaign's message.
    var message: MessageTemplate?
}

/// The campaign resolved against the account, and the per-row work of placing a recipient.
struct PlanContext: Sendable {
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
    /// `expires: 60 days`: each gift expires that many days after it is sent (at the day's end).
    let expiresAfterDays: Int?
    let now: Date
    let timeZone: TimeZone
    let occasion: OccasionRule?
    /// Work anniversaries: the gift by completed years, and the tier for the other years.
    let milestones: [Int: MilestoneTier]
    let otherYears: MilestoneTier?
    /// Header → placeholder name ("Hire Date" → hire_date), by column.
    let placeholderNames: [String]
    private(set) var personalizationPlaceholders: [String] = []

    init(
        campaign: CampaignSettings, method: SendMethod, fromName: String, account: AccountSnapshot, header: [String],
        occasion: OccasionRule? = nil, now: Date, timeZone: TimeZone
    ) throws(PlanError) {
        self.method = method
        self.fromName = fromName
        self.account = account
        self.now = now
        self.occasion = occasion
        // An occasion's days and times are in its own zone.
        self.timeZone = occasion?.timeZone ?? timeZone
        let timeZone = self.timeZone
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
        let limit = OccasionRule.scheduleLimit(now: now, timeZone: timeZone)
        if let sendOn, CivilDate(sendOn, in: timeZone) > limit {
            throw PlanError(
                "The send date \(campaign.sendOn ?? "") is more than \(OccasionRule.scheduleMonths) months ahead, and Goody schedules gifts at most that far (until \(limit.spelled)). Send it on or after \(CivilDate(sendOn, in: timeZone).adding(months: -OccasionRule.scheduleMonths)), or give an earlier date."
            )
        }
        expiresAfterDays = try campaign.expires.flatMap { text throws(PlanError) in try Self.relativeDays(text) }
        expires = try campaign.expires.flatMap { text throws(PlanError) -> Date? in
            guard try Self.relativeDays(text) == nil else { return nil }
            return try Self.date(text, setting: "expiry", defaultHour: nil, timeZone: timeZone)
        }
        if let expires, expires <= (sendOn ?? now) {
            throw PlanError(
                "The gifts would expire (\(campaign.expires ?? "")) before they are sent. Give a later --expires.")
        }
        if paymentMethod.balance != nil && expires == nil && expiresAfterDays == nil {
            throw PlanError(
                "\(paymentMethod.name) pays from the account balance, and Goody requires an expiry for gifts paid that way. Add --expires YYYY-MM-DD or --expires \"60 days\" (or expires: in the campaign file)."
            )
        }
        var tiers: [Int: MilestoneTier] = [:]
        var otherYears: MilestoneTier?
        var tierMessages: [MessageTemplate] = []
        for (key, gift) in campaign.milestones ?? [:] {
            let years = Int(key)
            let name = years.map { "\($0) year\($0 == 1 ? "" : "s")" } ?? MilestoneTier.otherYears
            var cart: [ResolvedLine]?
            if let product = gift.product {
                cart = try CartResolver.resolve(
                    [
                        ProductChoice(
                            product: product, quantity: gift.quantity, variants: gift.variants, amount: gift.amount)
                    ],
                    method: method, account: account)
            } else if gift.amount != nil || gift.variants != nil || gift.quantity != nil {
                guard var choices = campaign.products, choices.count == 1 else {
                    throw PlanError(
                        "milestones: \(key) sets an amount, variants or quantity but no product, and the campaign has no single product for it to change; add product: to the milestone."
                    )
                }
                choices[0].amount = gift.amount ?? choices[0].amount
                choices[0].variants = gift.variants ?? choices[0].variants
                choices[0].quantity = gift.quantity ?? choices[0].quantity
                cart = try CartResolver.resolve(choices, method: method, account: account)
            }
            let text = gift.message?.trimmingCharacters(in: .whitespacesAndNewlines)
            let tierMessage = try text.flatMap { text throws(PlanError) in
                text.isEmpty ? nil : try MessageTemplate(text)
            }
            if let tierMessage { tierMessages.append(tierMessage) }
            let tier = MilestoneTier(name: name, cart: cart, message: tierMessage)
            if let years { tiers[years] = tier } else { otherYears = tier }
        }
        if !(campaign.milestones ?? [:]).isEmpty, otherYears == nil, campaign.products != nil {
            // The campaign's own product is the gift for the years the milestones do not list.
            otherYears = MilestoneTier(name: MilestoneTier.otherYears, cart: nil, message: nil)
        }
        milestones = tiers
        self.otherYears = otherYears
        if !tierMessages.isEmpty && card == nil {
            throw PlanError(
                "A milestone's message needs a card (Goody shows the message when the card is opened). Add --card with an occasion or ID: \(account.cards.map { "\($0.id) (\($0.occasions.joined(separator: ", ")))" }.joined(separator: "; "))."
            )
        }
        let sample = Self.sampleValues(header: header, occasion: occasion != nil)
        var used: Set<String> = []
        for template in [message].compactMap({ $0 }) + tierMessages {
            let rendered = template.render(sample)
            if !rendered.unknown.isEmpty {
                let available = Array(Set(sample.keys)).sorted()
                throw PlanError(
                    "The message \"\(template.text)\" uses \(rendered.unknown.sorted().map { "{{\($0)}}" }.joined(separator: ", ")), which names no field or column. Available: \(available.map { "{{\($0)}}" }.joined(separator: ", "))."
                )
            }
            used.formUnion(rendered.used)
        }
        personalizationPlaceholders = used.sorted()
    }

    /// "60 days" → 60; nil for a date.
    static func relativeDays(_ text: String) throws(PlanError) -> Int? {
        let words = text.lowercased().split(separator: " ")
        guard words.count == 2, ["day", "days"].contains(words[1]) else { return nil }
        guard let days = Int(words[0]), days > 0 else {
            throw PlanError("The expiry \"\(text)\" needs a positive number of days, such as \"60 days\".")
        }
        return days
    }

    /// "Hire Date" → "hire_date".
    static func placeholderName(_ header: String) -> String {
        let words = header.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) })
        return words.joined(separator: "_")
    }

    /// Every placeholder a message can use, with empty values.
    private static func sampleValues(header: [String], occasion: Bool) -> [String: String] {
        var values: [String: String] = [:]
        for name in header.map(placeholderName) where !name.isEmpty { values[name] = "" }
        for field in Self.fieldNames { values[field] = "" }
        if occasion { values["years"] = "" }
        return values
    }

    private static let fieldNames = [
        "first_name", "last_name", "email", "phone", "manager", "employee_id", "city", "state",
    ]

    /// The values a message can use for one recipient: its normalized fields, then every column,
    /// and with an occasion the completed years (`{{years}}`).
    func values(for recipient: Recipient, occurrence: Occurrence? = nil) -> [String: String] {
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
        if occasion != nil { values["years"] = occurrence?.years.map(String.init) ?? values["years"] ?? "" }
        return values
    }

    enum Placement {
        case placed(BatchKey, warnings: [Finding])
        case rejected(Finding)
        /// A work anniversary whose years the milestones give no gift for.
        case notDue(NotDue)
    }

    /// The milestone tier for a work anniversary of `years`; nil when the milestones give none.
    func tier(years: Int) -> MilestoneTier? { milestones[years] ?? otherYears }

    private func reject(_ recipient: Recipient, _ code: FindingCode, _ message: String, fix: String) -> Placement {
        .rejected(Finding(code: code, line: recipient.line, column: nil, value: "", message: message, fix: fix))
    }

    /// Works out the batch a recipient belongs in, or why they cannot be sent. A milestone
    /// tier, when one chose the gift, is noted on the occurrence.
    func place(_ recipient: Recipient, occurrence: inout Occurrence?) -> Placement {
        let settings = recipient.settings
        var tier: MilestoneTier?
        if !milestones.isEmpty || otherYears != nil, let years = occurrence?.years {
            guard let found = self.tier(years: years) else {
                return .notDue(
                    NotDue(
                        line: recipient.line,
                        reason:
                            "\(years) year\(years == 1 ? "" : "s") on \(occurrence?.date?.dayAndMonth ?? ""): the milestones give no gift for it (add default: to give one)",
                        date: occurrence?.date?.description))
            }
            tier = found
            occurrence?.tier = found.name
        }
        let cart: [ResolvedLine]
        do {
            if settings.product == nil, let tierCart = tier?.cart {
                cart = tierCart
            } else if let product = settings.product {
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
            let rendered = template.render(values(for: recipient, occurrence: occurrence))
            guard rendered.unknown.isEmpty else {
                return reject(
                    recipient, .cartNotPossible,
                    "this row's message uses \(rendered.unknown.sorted().map { "{{\($0)}}" }.joined(separator: ", ")), which names no column",
                    fix: "use a column name in snake_case, such as {{first_name}}")
            }
            text = rendered.text
            warnings += emptyPlaceholderWarnings(rendered, recipient)
        } else if let message = tier?.message ?? message {
            let rendered = message.render(values(for: recipient, occurrence: occurrence))
            text = rendered.text
            warnings += emptyPlaceholderWarnings(rendered, recipient)
        }

        var scheduled = sendOn
        if let day = occurrence?.date, occurrence?.dayPassed == false, let occasion {
            scheduled = occasion.sendMoment(of: day)
        }
        if let rowDate = settings.sendDate {
            let date = Self.date(rowDate, defaultHour: 9, timeZone: timeZone)
            guard date > now else {
                return reject(
                    recipient, .sendDateInPast, "the send date \(rowDate.iso8601) is in the past",
                    fix: "give a future date, or clear the cell to send with the others")
            }
            let limit = OccasionRule.scheduleLimit(now: now, timeZone: timeZone)
            if CivilDate(date, in: timeZone) > limit {
                return reject(
                    recipient, .beyondScheduleLimit,
                    "the send date \(rowDate.iso8601) is more than \(OccasionRule.scheduleMonths) months ahead, and Goody schedules gifts at most until \(limit.spelled)",
                    fix:
                        "send this row from \(CivilDate(date, in: timeZone).adding(months: -OccasionRule.scheduleMonths)) on, or give an earlier date"
                )
            }
            if let expires = expires(sending: date), expires <= date {
                return reject(
                    recipient, .sendDateInPast, "the send date \(rowDate.iso8601) is after the gifts expire",
                    fix: "give an earlier send date, or a later --expires")
            }
            scheduled = date
        }
        let key = BatchKey(
            cart: cart.map(\.input), message: text, fromName: settings.fromName ?? fromName, cardID: card?.id,
            scheduledSendOn: scheduled.map(GoodyJSON.timestamp),
            expiresAt: expires(sending: scheduled ?? now).map(GoodyJSON.timestamp), swap: swap,
            occurrence: occasion == nil ? nil : occurrence?.key)
        return .placed(key, warnings: warnings)
    }

    /// When a gift sent at `sending` expires: the campaign's date, or the end of the day that
    /// many days after it is sent.
    func expires(sending: Date) -> Date? {
        guard let days = expiresAfterDays else { return expires }
        let day = CivilDate(sending, in: timeZone).adding(days: days)
        return Self.date(
            SendDate(year: day.year, month: day.month, day: day.day), defaultHour: nil, timeZone: timeZone)
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
        return PlannedBatch(
            number: number, recipients: recipients, input: input, cart: lines, estimate: nil,
            occurrence: key.occurrence, messageTemplate: recipients.first.flatMap(sharedMessageKey(for:)))
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
