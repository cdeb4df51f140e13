public import GoodyAPI

/// Per-row settings that override the campaign for this recipient (and so split batches).
public struct RowSettings: Sendable, Codable, Hashable {
    public var product: String?
    public var variants: [String]?
    public var amountCents: Int?
    public var message: String?
    public var fromName: String?
    public var sendDate: SendDate?

    public init(
        product: String? = nil, variants: [String]? = nil, amountCents: Int? = nil, message: String? = nil,
        fromName: String? = nil, sendDate: SendDate? = nil
    ) {
        self.product = product
        self.variants = variants
        self.amountCents = amountCents
        self.message = message
        self.fromName = fromName
        self.sendDate = sendDate
    }

    public var isEmpty: Bool { self == RowSettings() }
}

/// One valid row, normalized: what the plan and the send work from.
///
/// A value, kept in one shared box until it is changed (copy on write): the plan holds each
/// recipient in the validation, its placing, its batch and the earlier-gift search, and a copy
/// costs a reference, not the row (issue 24: a 100,000-row plan held four full copies).
public struct Recipient: Sendable, Codable, Hashable {
    /// What a recipient is; the box holds one.
    struct Fields: Sendable, Codable, Hashable {
        var line: Int
        var firstName: String
        var lastName: String?
        var email: String?
        var phone: String?
        var manager: String?
        var employeeID: String?
        var values: [String]
        /// The address and the row's own settings, which most rows have neither of (together
        /// they are two thirds of a recipient's size): none when both are empty.
        var rare: Rare?

        var address: MailingAddressInput? {
            get { rare?.address }
            set { rare = Rare.make(address: newValue, settings: settings) }
        }
        var settings: RowSettings {
            get { rare?.settings ?? RowSettings() }
            set { rare = Rare.make(address: address, settings: newValue) }
        }

        init(
            line: Int, firstName: String, lastName: String?, email: String?, phone: String?,
            address: MailingAddressInput?, manager: String?, employeeID: String?, settings: RowSettings,
            values: [String]
        ) {
            self.line = line
            self.firstName = firstName
            self.lastName = lastName
            self.email = email
            self.phone = phone
            self.manager = manager
            self.employeeID = employeeID
            self.values = values
            self.rare = Rare.make(address: address, settings: settings)
        }

        enum CodingKeys: String, CodingKey {
            case line, firstName, lastName, email, phone, address, manager, employeeID, settings, values
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                line: try container.decode(Int.self, forKey: .line),
                firstName: try container.decode(String.self, forKey: .firstName),
                lastName: try container.decodeIfPresent(String.self, forKey: .lastName),
                email: try container.decodeIfPresent(String.self, forKey: .email),
                phone: try container.decodeIfPresent(String.self, forKey: .phone),
                address: try container.decodeIfPresent(MailingAddressInput.self, forKey: .address),
                manager: try container.decodeIfPresent(String.self, forKey: .manager),
                employeeID: try container.decodeIfPresent(String.self, forKey: .employeeID),
                settings: try container.decode(RowSettings.self, forKey: .settings),
                values: try container.decode([String].self, forKey: .values))
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(line, forKey: .line)
            try container.encode(firstName, forKey: .firstName)
            try container.encodeIfPresent(lastName, forKey: .lastName)
            try container.encodeIfPresent(email, forKey: .email)
            try container.encodeIfPresent(phone, forKey: .phone)
            try container.encodeIfPresent(address, forKey: .address)
            try container.encodeIfPresent(manager, forKey: .manager)
            try container.encodeIfPresent(employeeID, forKey: .employeeID)
            try container.encode(settings, forKey: .settings)
            try container.encode(values, forKey: .values)
        }
    }

    /// A recipient's address and own settings, when it has either.
    final class Rare: Sendable, Hashable {
        let address: MailingAddressInput?
        let settings: RowSettings

        private init(address: MailingAddressInput?, settings: RowSettings) {
            self.address = address
            self.settings = settings
        }

        static func make(address: MailingAddressInput?, settings: RowSettings) -> Rare? {
            address == nil && settings.isEmpty ? nil : Rare(address: address, settings: settings)
        }

        static func == (lhs: Rare, rhs: Rare) -> Bool {
            lhs === rhs || (lhs.address == rhs.address && lhs.settings == rhs.settings)
        }
        func hash(into hasher: inout Hasher) {
            hasher.combine(address)
            hasher.combine(settings)
        }
    }

    /// Immutable once shared: a change to a shared box makes a new one first.
    final class Box: Sendable {
        let fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var box: Box

    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = box.fields
        body(&fields)
        box = Box(fields)
    }

    /// The physical line of the row in the input.
    public var line: Int {
        get { box.fields.line }
        set { change { $0.line = newValue } }
    }
    public var firstName: String {
        get { box.fields.firstName }
        set { change { $0.firstName = newValue } }
    }
    public var lastName: String? {
        get { box.fields.lastName }
        set { change { $0.lastName = newValue } }
    }
    public var email: String? {
        get { box.fields.email }
        set { change { $0.email = newValue } }
    }
    public var phone: String? {
        get { box.fields.phone }
        set { change { $0.phone = newValue } }
    }
    /// The normalized US address, with the recipient's names, as Goody takes it (direct send).
    public var address: MailingAddressInput? {
        get { box.fields.address }
        set { change { $0.address = newValue } }
    }
    public var manager: String? {
        get { box.fields.manager }
        set { change { $0.manager = newValue } }
    }
    public var employeeID: String? {
        get { box.fields.employeeID }
        set { change { $0.employeeID = newValue } }
    }
    public var settings: RowSettings {
        get { box.fields.settings }
        set { change { $0.settings = newValue } }
    }
    /// Every value of the input row, as read, in column order.
    public var values: [String] {
        get { box.fields.values }
        set { change { $0.values = newValue } }
    }

    public init(
        line: Int, firstName: String, lastName: String? = nil, email: String? = nil, phone: String? = nil,
        address: MailingAddressInput? = nil, manager: String? = nil, employeeID: String? = nil,
        settings: RowSettings = RowSettings(), values: [String] = []
    ) {
        box = Box(
            Fields(
                line: line, firstName: firstName, lastName: lastName, email: email, phone: phone, address: address,
                manager: manager, employeeID: employeeID, settings: settings, values: values))
    }

    // Coded and compared as its fields: the same JSON as when they were stored inline.
    public init(from decoder: any Decoder) throws { box = Box(try Fields(from: decoder)) }
    public func encode(to encoder: any Encoder) throws { try box.fields.encode(to: encoder) }
    public static func == (lhs: Recipient, rhs: Recipient) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }
    public func hash(into hasher: inout Hasher) { box.fields.hash(into: &hasher) }
}
