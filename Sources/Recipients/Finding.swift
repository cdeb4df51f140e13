/// How bad a finding is: an error keeps the row from being sent; a warning records a repair or
/// a risk, and the row is sent.
public enum Severity: String, Sendable, Codable, Comparable {
    case warning
    case error

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs == .warning && rhs == .error }
}

/// A stable identifier per kind of finding, for tools reading `--json` and for grouping.
public enum FindingCode: String, Sendable, Codable, CaseIterable {
    // The row itself.
    case strayQuote = "row.stray_quote"
    case tooManyValues = "row.too_many_values"
    case tooFewValues = "row.too_few_values"
    case nulByte = "text.nul_byte"
    case invalidUTF8 = "text.invalid_utf8"
    case readAsWindows1252 = "text.read_as_windows_1252"
    case whitespaceCleaned = "text.whitespace_cleaned"
    // Names and contact.
    case firstNameMissing = "first_name.missing"
    case emailMissing = "email.missing"
    case emailInvalid = "email.invalid"
    case emailCleaned = "email.cleaned"
    case phoneInvalid = "phone.invalid"
    case phoneNormalized = "phone.normalized"
    // Address.
    case address1Missing = "address_1.missing"
    case cityMissing = "city.missing"
    case stateMissing = "state.missing"
    case stateInvalid = "state.invalid"
    case stateNormalized = "state.normalized"
    case postalCodeMissing = "postal_code.missing"
    case postalCodeInvalid = "postal_code.invalid"
    case postalCodeRepaired = "postal_code.repaired"
    case postalCodeDigitsLost = "postal_code.digits_lost"
    case countryUnsupported = "country.unsupported"
    case countryNormalized = "country.normalized"
    case countryAssumedUS = "country.assumed_us"
    case poBox = "address.po_box"
    case militaryAddress = "address.military"
    // Duplicates.
    case duplicateEmail = "duplicate.email"
    case duplicateAddress = "duplicate.address"
    // Per-row batch settings.
    case productInvalid = "product.invalid"
    case variantsInvalid = "variants.invalid"
    case amountInvalid = "amount.invalid"
    case sendDateInvalid = "send_date.invalid"
    case fromNameInvalid = "from_name.invalid"
    // Found when the plan gives the row's settings meaning.
    case cartNotPossible = "plan.cart"
    case restrictedState = "plan.restricted_state"
    case sendDateInPast = "plan.send_date_past"
    case messageValueEmpty = "plan.message_empty_value"
    // Added later; kept at the end so ordinals stay put.
    case nameSplit = "first_name.split"
    case doubleEncoded = "text.double_encoded"
    case emailDropped = "email.dropped"
    // Occasions: the date a gift's day is worked out from.
    case occasionDateMissing = "occasion.date_missing"
    case occasionDateInvalid = "occasion.date_invalid"
    case beyondScheduleLimit = "occasion.beyond_schedule_limit"

    /// Position in `allCases` (under 64, so a row's codes fit in one bit set).
    var ordinal: Int {
        switch self {
        case .strayQuote: 0
        case .tooManyValues: 1
        case .tooFewValues: 2
        case .nulByte: 3
        case .invalidUTF8: 4
        case .readAsWindows1252: 5
        case .whitespaceCleaned: 6
        case .firstNameMissing: 7
        case .emailMissing: 8
        case .emailInvalid: 9
        case .emailCleaned: 10
        case .phoneInvalid: 11
        case .phoneNormalized: 12
        case .address1Missing: 13
        case .cityMissing: 14
        case .stateMissing: 15
        case .stateInvalid: 16
        case .stateNormalized: 17
        case .postalCodeMissing: 18
        case .postalCodeInvalid: 19
        case .postalCodeRepaired: 20
        case .postalCodeDigitsLost: 21
        case .countryUnsupported: 22
        case .countryNormalized: 23
        case .countryAssumedUS: 24
        case .poBox: 25
        case .militaryAddress: 26
        case .duplicateEmail: 27
        case .duplicateAddress: 28
        case .productInvalid: 29
        case .variantsInvalid: 30
        case .amountInvalid: 31
        case .sendDateInvalid: 32
        case .fromNameInvalid: 33
        case .cartNotPossible: 34
        case .restrictedState: 35
        case .sendDateInPast: 36
        case .messageValueEmpty: 37
        case .nameSplit: 38
        case .doubleEncoded: 39
        case .emailDropped: 40
        case .occasionDateMissing: 41
        case .occasionDateInvalid: 42
        case .beyondScheduleLimit: 43
        }
    }

    public var severity: Severity {
        switch self {
        case .readAsWindows1252, .whitespaceCleaned, .emailCleaned, .phoneNormalized, .stateNormalized,
            .postalCodeRepaired, .countryNormalized, .countryAssumedUS, .poBox, .militaryAddress, .messageValueEmpty,
            // An optional phone that Goody would refuse is left out; the gift still goes.
            .phoneInvalid, .nameSplit, .doubleEncoded, .emailDropped:
            .warning
        default:
            .error
        }
    }

    /// A short name for the kind, used when findings are grouped.
    public var title: String {
        switch self {
        case .strayQuote: "quotation mark in the wrong place"
        case .tooManyValues: "more values than the header has columns"
        case .tooFewValues: "fewer values than the header has columns"
        case .nulByte: "NUL byte in a value"
        case .invalidUTF8: "text that is not valid UTF-8"
        case .readAsWindows1252: "text read as Windows-1252"
        case .whitespaceCleaned: "extra spaces removed"
        case .firstNameMissing: "first name missing"
        case .emailMissing: "email missing"
        case .emailInvalid: "email not valid"
        case .emailCleaned: "email cleaned up"
        case .phoneInvalid: "phone not a valid US number: left out, the gift still goes"
        case .phoneNormalized: "phone extension dropped"
        case .address1Missing: "street address missing"
        case .cityMissing: "city missing"
        case .stateMissing: "state missing"
        case .stateInvalid: "state not a US state or territory"
        case .stateNormalized: "state written as its USPS code"
        case .postalCodeMissing: "ZIP code missing"
        case .postalCodeInvalid: "ZIP code not valid"
        case .postalCodeRepaired: "ZIP code repaired"
        case .postalCodeDigitsLost: "ZIP code digits lost to scientific notation"
        case .countryUnsupported: "country outside the US"
        case .countryNormalized: "country written as US"
        case .countryAssumedUS: "country empty, taken as US"
        case .poBox: "PO box address"
        case .militaryAddress: "military (APO/FPO/DPO) address"
        case .duplicateEmail: "same email as an earlier row"
        case .duplicateAddress: "same person and address as an earlier row"
        case .productInvalid: "product not valid"
        case .variantsInvalid: "variants not valid"
        case .amountInvalid: "gift amount not valid"
        case .sendDateInvalid: "send date not valid"
        case .fromNameInvalid: "from name not valid"
        case .cartNotPossible: "the row's product cannot be sent as given"
        case .restrictedState: "product cannot ship to the recipient's state"
        case .sendDateInPast: "send date in the past"
        case .messageValueEmpty: "message placeholder empty for this recipient"
        case .nameSplit: "full name split into first and last name"
        case .doubleEncoded: "text that looks encoded twice"
        case .emailDropped: "optional email not valid: left out, the gift still goes"
        case .occasionDateMissing: "no date for the occasion"
        case .occasionDateInvalid: "the occasion's date cannot be read"
        case .beyondScheduleLimit: "the gift's day is more than 3 months ahead"
        }
    }
}

/// The kinds of finding on one row, as a bit set.
public struct FindingCodeSet: Sendable, Equatable, Sequence {
    private var bits: UInt64 = 0

    public init() {}

    public mutating func insert(_ code: FindingCode) { bits |= 1 << UInt64(code.ordinal) }
    public func contains(_ code: FindingCode) -> Bool { bits & (1 << UInt64(code.ordinal)) != 0 }
    public var isEmpty: Bool { bits == 0 }
    /// True when any of the codes is an error.
    public var hasError: Bool { bits & Self.errorBits != 0 }

    private static let errorBits: UInt64 = FindingCode.allCases.filter { $0.severity == .error }
        .reduce(0) { $0 | (1 << UInt64($1.ordinal)) }

    private static let byOrdinal = FindingCode.allCases

    /// Visits the codes by their set bits, without building an array.
    public struct Iterator: IteratorProtocol {
        var remaining: UInt64
        public mutating func next() -> FindingCode? {
            guard remaining != 0 else { return nil }
            let ordinal = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return FindingCodeSet.byOrdinal[ordinal]
        }
    }

    public func makeIterator() -> Iterator { Iterator(remaining: bits) }
}

/// One problem or repair on one row: where it is, what was there, why, and what to do.
public struct Finding: Sendable, Codable, Equatable {
    public var code: FindingCode
    public var line: Int
    public var column: ColumnRef?
    /// The value as it was in the file.
    public var value: String
    /// Why it is a problem, or what was repaired.
    public var message: String
    /// What the person should do.
    public var fix: String
    /// The other line, for duplicates.
    public var relatedLine: Int?

    public var severity: Severity { code.severity }

    public init(
        code: FindingCode, line: Int, column: ColumnRef?, value: String, message: String, fix: String,
        relatedLine: Int? = nil
    ) {
        self.code = code
        self.line = line
        self.column = column
        self.value = value
        self.message = message
        self.fix = fix
        self.relatedLine = relatedLine
    }

    enum CodingKeys: String, CodingKey {
        case severity, code, line, column, header, value, message, fix
        case relatedLine = "related_line"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(code, forKey: .code)
        try container.encode(line, forKey: .line)
        try container.encodeIfPresent(column?.letter, forKey: .column)
        try container.encodeIfPresent(column?.header, forKey: .header)
        try container.encode(value, forKey: .value)
        try container.encode(message, forKey: .message)
        try container.encode(fix, forKey: .fix)
        try container.encodeIfPresent(relatedLine, forKey: .relatedLine)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(FindingCode.self, forKey: .code)
        line = try container.decode(Int.self, forKey: .line)
        if let letter = try container.decodeIfPresent(String.self, forKey: .column) {
            let header = try container.decodeIfPresent(String.self, forKey: .header) ?? ""
            column = ColumnRef(index: ColumnRef.index(ofLetter: letter), header: header)
        }
        value = try container.decode(String.self, forKey: .value)
        message = try container.decode(String.self, forKey: .message)
        fix = try container.decode(String.self, forKey: .fix)
        relatedLine = try container.decodeIfPresent(Int.self, forKey: .relatedLine)
    }
}

extension ColumnRef {
    /// The zero-based index of a spreadsheet letter: A → 0, AA → 26.
    static func index(ofLetter letter: String) -> Int {
        letter.unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }
}
