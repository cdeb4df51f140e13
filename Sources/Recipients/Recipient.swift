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
public struct Recipient: Sendable, Codable, Hashable {
    /// The physical line of the row in the input.
    public var line: Int
    public var firstName: String
    public var lastName: String?
    public var email: String?
    public var phone: String?
    /// The normalized US address, with the recipient's names, as Goody takes it (direct send).
    public var address: MailingAddressInput?
    public var manager: String?
    public var employeeID: String?
    public var settings: RowSettings
    /// Every value of the input row, as read, in column order.
    public var values: [String]

    public init(
        line: Int, firstName: String, lastName: String? = nil, email: String? = nil, phone: String? = nil,
        address: MailingAddressInput? = nil, manager: String? = nil, employeeID: String? = nil,
        settings: RowSettings = RowSettings(), values: [String] = []
    ) {
        self.line = line
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.address = address
        self.manager = manager
        self.employeeID = employeeID
        self.settings = settings
        self.values = values
    }
}
