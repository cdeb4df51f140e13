import Foundation
public import GoodyAPI
import Recipients
import Yams

/// One product of the cart, as a person names it: a product ID or its catalogue name.
public struct ProductChoice: Codable, Sendable, Hashable {
    public var product: String
    public var quantity: Int?
    /// Variant names (a size, flavors…).
    public var variants: [String]?
    /// The gift's value for a variable-price product, in dollars ("25", "$25.00").
    public var amount: String?

    public init(product: String, quantity: Int? = nil, variants: [String]? = nil, amount: String? = nil) {
        self.product = product
        self.quantity = quantity
        self.variants = variants
        self.amount = amount
    }
}

/// The gift for a number of completed years (`milestones:` of a work-anniversary campaign).
public struct MilestoneGift: Codable, Sendable, Hashable {
    public var product: String?
    public var quantity: Int?
    public var variants: [String]?
    /// Dollars, as `amount:` of the campaign ("250", "$250").
    public var amount: String?
    /// This tier's own message (Mustache, like the campaign's; `{{years}}` is the count).
    public var message: String?

    public init(
        product: String? = nil, quantity: Int? = nil, variants: [String]? = nil, amount: String? = nil,
        message: String? = nil
    ) {
        self.product = product
        self.quantity = quantity
        self.variants = variants
        self.amount = amount
        self.message = message
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case product, quantity, variants, amount, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        product = try container.decodeIfPresent(String.self, forKey: .product)
        quantity = try container.decodeIfPresent(Int.self, forKey: .quantity)
        variants = try container.decodeIfPresent([String].self, forKey: .variants)
        amount = try container.decodeIfPresent(String.self, forKey: .amount)
        message = try container.decodeIfPresent(String.self, forKey: .message)
    }
}

/// The settings of a send, from a campaign file and the command line (the command line wins).
/// Everything Goody sets once per batch is here; a row's own Product, Variants, Gift Amount,
/// Message, From Name or Send Date column overrides it for that row.
public struct CampaignSettings: Codable, Sendable, Equatable {
    public var sendMethod: SendMethod?
    public var products: [ProductChoice]?
    public var fromName: String?
    /// Mustache: `{{first_name}}` and any column, by its header in snake_case (`{{department}}`).
    public var message: String?
    /// A card ID, or an occasion such as "Work Anniversary".
    public var card: String?
    public var swap: Swap?
    /// When the gifts expire: a date (end of that day) or a date and time.
    public var expires: String?
    /// When to send: a date (09:00 that day) or a date and time; absent sends now.
    public var sendOn: String?
    /// A workspace ID or name.
    public var workspace: String?
    /// A payment method ID or name.
    public var paymentMethod: String?
    public var batchSize: Int?
    /// Refuse a plan whose high estimate is above this many dollars.
    public var maxSpend: String?
    /// Columns the managers' files hold beyond the defaults (`--share`). Shapes only the
    /// output: not encoded, so never part of a run's identity.
    public var share: [String]?
    /// Which column holds which field (`first_name: "Legal Name - First Name"`), as `--map`
    /// would say it, kept with the campaign; `--map` wins. Part of a run's identity through the
    /// mapping it gives, not through this setting.
    public var columns: [String: String]?

    // The occasion: gifts worked out from the roster's dates (see `OccasionRule`).
    /// `work_anniversary`, `birthday`, `new_hire`, or any other name for a one-off campaign.
    public var occasion: String?
    /// The column holding the hire, start or birth date; found by its name when absent.
    public var dateColumn: String?
    /// Which days are gifted: a month (`2027-01`), `FROM..TO`, `this-month` or `next-month`.
    public var window: String?
    /// The time of day gifts go out on their day ("09:00").
    public var sendTime: String?
    /// The zone of `send_time` (an IANA name such as America/New_York); this machine's by default.
    public var timeZone: String?
    /// New hires: the gift goes this many days after the start date.
    public var newHireDays: Int?
    /// Work anniversaries: the gift by completed years, and `default` for the other years.
    public var milestones: [String: MilestoneGift]?
    /// Whether 03/04/2019 is 4 March (`mdy`) or 3 April (`dmy`), when the column does not say.
    public var dateOrder: DateOrder?

    public init(
        sendMethod: SendMethod? = nil, products: [ProductChoice]? = nil, fromName: String? = nil,
        message: String? = nil,
        card: String? = nil, swap: Swap? = nil, expires: String? = nil, sendOn: String? = nil, workspace: String? = nil,
        paymentMethod: String? = nil, batchSize: Int? = nil, maxSpend: String? = nil
    ) {
        self.sendMethod = sendMethod
        self.products = products
        self.fromName = fromName
        self.message = message
        self.card = card
        self.swap = swap
        self.expires = expires
        self.sendOn = sendOn
        self.workspace = workspace
        self.paymentMethod = paymentMethod
        self.batchSize = batchSize
        self.maxSpend = maxSpend
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case products, message, card, swap, expires, workspace, share, columns, occasion, window, milestones
        case dateColumn = "date_column"
        case sendTime = "send_time"
        case timeZone = "time_zone"
        case newHireDays = "new_hire_days"
        case dateOrder = "date_order"
        case sendMethod = "send_method"
        case fromName = "from_name"
        case sendOn = "send_on"
        case paymentMethod = "payment_method"
        case batchSize = "batch_size"
        case maxSpend = "max_spend"
        // Shorthands for a single product.
        case product, quantity, variants, amount
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sendMethod = try container.decodeIfPresent(SendMethod.self, forKey: .sendMethod)
        fromName = try container.decodeIfPresent(String.self, forKey: .fromName)
        message = try container.decodeIfPresent(String.self, forKey: .message)
        card = try container.decodeIfPresent(String.self, forKey: .card)
        swap = try container.decodeIfPresent(Swap.self, forKey: .swap)
        expires = try container.decodeIfPresent(String.self, forKey: .expires)
        sendOn = try container.decodeIfPresent(String.self, forKey: .sendOn)
        workspace = try container.decodeIfPresent(String.self, forKey: .workspace)
        paymentMethod = try container.decodeIfPresent(String.self, forKey: .paymentMethod)
        batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize)
        maxSpend = try container.decodeIfPresent(String.self, forKey: .maxSpend)
        share = try container.decodeIfPresent([String].self, forKey: .share)
        columns = try container.decodeIfPresent([String: String].self, forKey: .columns)
        occasion = try container.decodeIfPresent(String.self, forKey: .occasion)
        dateColumn = try container.decodeIfPresent(String.self, forKey: .dateColumn)
        window = try container.decodeIfPresent(String.self, forKey: .window)
        sendTime = try container.decodeIfPresent(String.self, forKey: .sendTime)
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone)
        newHireDays = try container.decodeIfPresent(Int.self, forKey: .newHireDays)
        milestones = try container.decodeIfPresent([String: MilestoneGift].self, forKey: .milestones)
        dateOrder = try container.decodeIfPresent(DateOrder.self, forKey: .dateOrder)
        products = try container.decodeIfPresent([ProductChoice].self, forKey: .products)
        if let product = try container.decodeIfPresent(String.self, forKey: .product) {
            products = [
                ProductChoice(
                    product: product, quantity: try container.decodeIfPresent(Int.self, forKey: .quantity),
                    variants: try container.decodeIfPresent([String].self, forKey: .variants),
                    amount: try container.decodeIfPresent(String.self, forKey: .amount))
            ]
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(sendMethod, forKey: .sendMethod)
        try container.encodeIfPresent(products, forKey: .products)
        try container.encodeIfPresent(fromName, forKey: .fromName)
        try container.encodeIfPresent(message, forKey: .message)
        try container.encodeIfPresent(card, forKey: .card)
        try container.encodeIfPresent(swap, forKey: .swap)
        try container.encodeIfPresent(expires, forKey: .expires)
        try container.encodeIfPresent(sendOn, forKey: .sendOn)
        try container.encodeIfPresent(workspace, forKey: .workspace)
        try container.encodeIfPresent(paymentMethod, forKey: .paymentMethod)
        try container.encodeIfPresent(batchSize, forKey: .batchSize)
        try container.encodeIfPresent(maxSpend, forKey: .maxSpend)
        // Written only when set, so a send without an occasion keeps the identity it always had.
        try container.encodeIfPresent(occasion, forKey: .occasion)
        try container.encodeIfPresent(dateColumn, forKey: .dateColumn)
        try container.encodeIfPresent(window, forKey: .window)
        try container.encodeIfPresent(sendTime, forKey: .sendTime)
        try container.encodeIfPresent(timeZone, forKey: .timeZone)
        try container.encodeIfPresent(newHireDays, forKey: .newHireDays)
        try container.encodeIfPresent(milestones, forKey: .milestones)
        try container.encodeIfPresent(dateOrder, forKey: .dateOrder)
    }

    /// Reads a campaign file (YAML, or JSON, which is YAML too).
    public static func load(path: String) throws -> CampaignSettings {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PlanError.campaignFile(path: path, reason: "cannot read it; check the path")
        }
        let text = String(decoding: data, as: UTF8.self)
        do {
            _ = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw PlanError.campaignFile(path: path, reason: describe(error) ?? "\(error)")
        } catch {
            throw PlanError.campaignFile(path: path, reason: "\(error)")
        }
        if let unknown = Self.unknownKeys(in: text), !unknown.isEmpty {
            let known = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")
            throw PlanError.campaignFile(
                path: path,
                reason:
                    "unknown setting\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); the settings are \(known)"
            )
        }
        let settings: CampaignSettings
        do {
            settings = try YAMLDecoder().decode(CampaignSettings.self, from: text)
        } catch let DecodingError.dataCorrupted(context) {
            throw PlanError.campaignFile(path: path, reason: Self.describe(context))
        } catch let DecodingError.typeMismatch(_, context) {
            throw PlanError.campaignFile(path: path, reason: Self.describe(context))
        } catch {
            throw PlanError.campaignFile(path: path, reason: "\(error)")
        }
        if let unknown = Self.unknownMilestoneKeys(in: text), !unknown.isEmpty {
            throw PlanError.campaignFile(
                path: path,
                reason:
                    "milestones: unknown setting\(unknown.count == 1 ? "" : "s") \(unknown.joined(separator: ", ")); a milestone takes \(MilestoneGift.CodingKeys.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        for (key, gift) in settings.milestones ?? [:] {
            guard key == "default" || (Int(key).map { $0 > 0 } ?? false) else {
                throw PlanError.campaignFile(
                    path: path,
                    reason:
                        "milestones: \"\(key)\" is not a number of years; write the years (5:, 10:) or default:")
            }
            guard gift.product != nil || gift.message != nil || gift.amount != nil else {
                throw PlanError.campaignFile(
                    path: path, reason: "milestones: \(key) gives no product, amount or message; give at least one")
            }
        }
        for name in (settings.columns ?? [:]).keys where RecipientField(userName: name) == nil {
            throw PlanError.campaignFile(
                path: path,
                reason:
                    "columns: unknown field \"\(name)\"; the fields are \(RecipientField.allCases.map(\.rawValue).joined(separator: ", "))"
            )
        }
        return settings
    }

    /// A YAML mistake with its line and column, and what the parser was reading there.
    static func describe(_ error: YamlError) -> String? {
        let found: (problem: String, mark: Mark, context: YamlError.Context?)
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            found = (problem, mark, context)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return
                "line \(context.mark.line), column \(context.mark.column): \(duplicates.joined(separator: ", ")) is set twice; keep one"
        default:
            return nil
        }
        let reading = found.context.map { " (\($0.text), which started at line \($0.mark.line))" } ?? ""
        return
            "line \(found.mark.line), column \(found.mark.column): \(found.problem)\(reading). Check the quotes, brackets and indentation there"
    }

    private static func describe(_ context: DecodingError.Context) -> String {
        let path = context.codingPath.map(\.stringValue).joined(separator: ".")
        if path == "send_method" {
            return "send_method must be one of \(SendMethod.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        if path == "swap" { return "swap must be one of \(Swap.allCases.map(\.rawValue).joined(separator: ", "))" }
        if path == "date_order" {
            return "date_order must be one of \(DateOrder.allCases.map(\.rawValue).joined(separator: ", "))"
        }
        return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
    }

    private static func unknownKeys(in text: String) -> [String]? {
        guard let node = try? Yams.compose(yaml: text), let mapping = node.mapping else { return nil }
        let known = Set(CodingKeys.allCases.map(\.rawValue))
        return mapping.keys.compactMap(\.string).filter { !known.contains($0) }
    }

    private static func unknownMilestoneKeys(in text: String) -> [String]? {
        guard let node = try? Yams.compose(yaml: text), let milestones = node.mapping?["milestones"]?.mapping else {
            return nil
        }
        let known = Set(MilestoneGift.CodingKeys.allCases.map(\.rawValue))
        return milestones.values.compactMap(\.mapping).flatMap { $0.keys.compactMap(\.string) }
            .filter { !known.contains($0) }
    }

    /// These settings with every value `other` has put over them.
    public func overridden(by other: CampaignSettings) -> CampaignSettings {
        var merged = CampaignSettings(
            sendMethod: other.sendMethod ?? sendMethod, products: other.products ?? products,
            fromName: other.fromName ?? fromName, message: other.message ?? message, card: other.card ?? card,
            swap: other.swap ?? swap, expires: other.expires ?? expires, sendOn: other.sendOn ?? sendOn,
            workspace: other.workspace ?? workspace, paymentMethod: other.paymentMethod ?? paymentMethod,
            batchSize: other.batchSize ?? batchSize, maxSpend: other.maxSpend ?? maxSpend)
        merged.share = other.share ?? share
        merged.occasion = other.occasion ?? occasion
        merged.dateColumn = other.dateColumn ?? dateColumn
        merged.window = other.window ?? window
        merged.sendTime = other.sendTime ?? sendTime
        merged.timeZone = other.timeZone ?? timeZone
        merged.newHireDays = other.newHireDays ?? newHireDays
        merged.milestones = other.milestones ?? milestones
        merged.dateOrder = other.dateOrder ?? dateOrder
        merged.columns = (columns ?? [:]).merging(other.columns ?? [:]) { $1 }
        if merged.columns?.isEmpty == true { merged.columns = nil }
        return merged
    }
}
