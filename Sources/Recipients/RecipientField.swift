import Foundation

/// A piece of recipient data a spreadsheet column can hold.
public enum RecipientField: String, CaseIterable, Sendable, Codable, Hashable, Comparable {
    case firstName = "first_name"
    case lastName = "last_name"
    case preferredName = "preferred_name"
    case email
    case phone
    case address1 = "address_1"
    case address2 = "address_2"
    case city
    case state
    case postalCode = "postal_code"
    case country
    case manager
    case employeeID = "employee_id"
    // Columns that, set on a row, change that row's batch.
    case product
    case variants
    case amount
    case message
    case fromName = "from_name"
    case sendDate = "send_date"
    /// "Ann Lee" or "Lee, Ann" in one column: split into first and last name when the file has
    /// no first-name column.
    case fullName = "full_name"
    /// The manager's own email (`Manager Email`): for HR's list of manager files, never sent.
    case managerEmail = "manager_email"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.ordinal < rhs.ordinal }

    /// Position in `allCases`, without a search (it is used per value on the hot path).
    var ordinal: Int {
        switch self {
        case .firstName: 0
        case .lastName: 1
        case .preferredName: 2
        case .email: 3
        case .phone: 4
        case .address1: 5
        case .address2: 6
        case .city: 7
        case .state: 8
        case .postalCode: 9
        case .country: 10
        case .manager: 11
        case .employeeID: 12
        case .product: 13
        case .variants: 14
        case .amount: 15
        case .message: 16
        case .fromName: 17
        case .sendDate: 18
        case .fullName: 19
        case .managerEmail: 20
        }
    }

    /// Accepts the field's own name in any spelling: `first_name`, `First Name`, `firstname`.
    public init?(userName: String) {
        let key = HeaderKey.normalize(userName)
        guard let field = Self.allCases.first(where: { HeaderKey.normalize($0.rawValue) == key }) else { return nil }
        self = field
    }

    /// The header a starter spreadsheet uses for this field.
    public var templateHeader: String {
        switch self {
        case .firstName: "First Name"
        case .lastName: "Last Name"
        case .preferredName: "Preferred Name"
        case .email: "Email"
        case .phone: "Phone"
        case .address1: "Address Line 1"
        case .address2: "Address Line 2"
        case .city: "City"
        case .state: "State"
        case .postalCode: "ZIP"
        case .country: "Country"
        case .manager: "Manager"
        case .employeeID: "Employee ID"
        case .product: "Product"
        case .variants: "Variants"
        case .amount: "Gift Amount"
        case .message: "Message"
        case .fromName: "From Name"
        case .sendDate: "Send Date"
        case .fullName: "Full Name"
        case .managerEmail: "Manager Email"
        }
    }

    /// True for the columns that set, per row, something Goody sets per batch.
    public var isBatchOverride: Bool {
        switch self {
        case .product, .variants, .amount, .message, .fromName, .sendDate: true
        default: false
        }
    }

    /// Known column names from HR exports, normalised by `HeaderKey`, with a rank: when several
    /// columns match one field the lowest rank wins, and equal ranks are ambiguous.
    var aliases: [(key: String, rank: Int)] {
        switch self {
        case .firstName:
            Self.ranked(
                0,
                [
                    "firstname", "first", "fname", "givenname", "forename", "namefirst", "recipientfirstname",
                    "employeefirstname", "workerfirstname",
                ]) + Self.ranked(1, ["legalfirstname", "firstnamelegal", "legalgivenname"])
        case .lastName:
            Self.ranked(
                0,
                [
                    "lastname", "last", "lname", "surname", "familyname", "namelast", "recipientlastname",
                    "employeelastname", "workerlastname",
                ]) + Self.ranked(1, ["legallastname", "lastnamelegal", "preferredlastname"])
        case .preferredName:
            Self.ranked(
                0,
                [
                    "preferredname", "preferredfirstname", "nickname", "knownas", "goesby", "chosenname",
                    "preferredfirst",
                ])
        case .email:
            Self.ranked(
                0,
                [
                    "email", "emailaddress", "workemail", "workemailaddress", "businessemail", "bestemail",
                    "primaryemail", "companyemail", "corporateemail", "recipientemail", "emailwork", "officeemail",
                    "employeeemail",
                ]) + Self.ranked(1, ["personalemail", "homeemail", "personalemailaddress", "emailpersonal", "mail"])
        case .phone:
            Self.ranked(
                0,
                [
                    "mobile", "mobilephone", "cell", "cellphone", "mobilenumber", "cellnumber", "personalmobile",
                    "personalphone", "personalcell", "personalmobilephone", "mobilephonenumber",
                ])
                + Self.ranked(1, ["phone", "phonenumber", "telephone", "tel", "primaryphone", "recipientphone"])
                + Self.ranked(2, ["homephone", "workphone", "businessphone", "officephone"])
        case .address1:
            Self.ranked(
                0,
                [
                    "address1", "addressline1", "address", "streetaddress", "street", "street1", "streetline1",
                    "homeaddressline1", "homeaddress1", "homeaddress", "homestreet", "mailingaddress1",
                    "mailingaddressline1", "mailingaddress", "shippingaddress1", "shippingaddressline1",
                    "shippingaddress", "line1", "addressstreet", "primaryaddressline1",
                ])
                + Self.ranked(
                    1, ["workaddressline1", "workaddress1", "workaddress", "officeaddress", "businessaddress"])
        case .address2:
            Self.ranked(
                0,
                [
                    "address2", "addressline2", "street2", "streetline2", "homeaddressline2", "homeaddress2",
                    "mailingaddress2", "mailingaddressline2", "shippingaddress2", "shippingaddressline2", "line2",
                    "apt", "apartment", "suite", "unit", "aptsuite", "aptunit", "primaryaddressline2",
                ]) + Self.ranked(1, ["workaddressline2", "workaddress2"])
        case .city:
            Self.ranked(
                0,
                [
                    "city", "town", "homecity", "mailingcity", "shippingcity", "addresscity", "cityname", "locality",
                    "citytown",
                ])
                + Self.ranked(1, ["workcity", "officecity"])
        case .state:
            Self.ranked(
                0,
                [
                    "state", "stateprovince", "province", "statecode", "homestate", "mailingstate", "shippingstate",
                    "addressstate", "stateorprovince", "stateregion", "region", "provincestate", "stateprovincecode",
                ]) + Self.ranked(1, ["workstate", "officestate"])
        case .postalCode:
            Self.ranked(
                0,
                [
                    "zip", "zipcode", "postalcode", "postcode", "zippostalcode", "postalzipcode", "homezip",
                    "homezipcode", "homepostalcode", "mailingzip", "mailingzipcode", "mailingpostalcode", "shippingzip",
                    "shippingzipcode", "shippingpostalcode", "postal", "zip5", "addresszip", "addresspostalcode",
                ]) + Self.ranked(1, ["workzip", "workzipcode", "workpostalcode"])
        case .country:
            Self.ranked(
                0,
                [
                    "country", "countrycode", "homecountry", "mailingcountry", "shippingcountry", "countryregion",
                    "addresscountry", "nation",
                ]) + Self.ranked(1, ["workcountry", "workcountrycode"])
        case .manager:
            Self.ranked(
                0,
                [
                    "manager", "managername", "supervisor", "supervisorname", "reportsto", "managerfullname",
                    "directmanager", "linemanager", "reportingmanager", "managersname", "reportstoname",
                    "reportingto", "managerlegalname", "supervisorfullname",
                ])
        case .managerEmail:
            Self.ranked(
                0,
                [
                    "manageremail", "supervisoremail", "reportstoemail", "manageremailaddress",
                    "supervisoremailaddress", "managerworkemail", "managersemail", "linemanageremail",
                ])
        case .employeeID:
            Self.ranked(
                0,
                [
                    "employeeid", "employeenumber", "empid", "employeeno", "workerid", "personnelnumber", "staffid",
                    "associateid", "employeecode", "badgeid", "empno",
                ]) + Self.ranked(1, ["id", "filenumber", "positionid"])
        case .product:
            Self.ranked(0, ["product", "productid", "gift", "giftproduct", "productname", "giftid", "giftname"])
        case .variants:
            // Only a header that says "variant": a "T-shirt size" column is kept, not sent to Goody.
            Self.ranked(0, ["variants", "variant", "variantnames", "variantname", "giftvariant", "giftvariants"])
        case .amount:
            Self.ranked(0, ["amount", "giftamount", "giftvalue", "variableprice", "giftcardamount", "giftcardvalue"])
                + Self.ranked(1, ["value", "price", "budget"])
        case .message:
            Self.ranked(0, ["message", "giftmessage", "personalmessage", "cardmessage", "note", "giftnote"])
        case .fromName:
            Self.ranked(0, ["fromname", "from", "sender", "sendername", "giftfrom"])
        case .sendDate:
            Self.ranked(
                0,
                ["senddate", "sendon", "scheduledsendon", "scheduledsenddate", "giftdate", "sendat", "scheduledsend"])
        case .fullName:
            Self.ranked(
                0,
                [
                    "name", "fullname", "employeename", "workername", "recipientname", "employeefullname",
                    "displayname",
                    "fullnamelegal", "legalfullname", "namefull", "personname", "associatename",
                ])
        }
    }

    private static func ranked(_ rank: Int, _ keys: [String]) -> [(key: String, rank: Int)] {
        keys.map { ($0, rank) }
    }

    /// The field a header names, and its rank: an alias as written ("Work Email"), or one behind
    /// the prefixes and separators HR systems put in front ("Primary Home Address - Postal Code",
    /// "Work Contact: Work Email", "Legal Name - First Name", "Home address - Postal code",
    /// "Primary Work Email"), or one of the alternatives a header offers ("Zip / Postal Code").
    /// A prefix says whose value it is: a work address ranks below a home one, a legal name below
    /// a plain one, "Preferred Name - First Name" is the preferred name, a manager's name is the
    /// manager, and an emergency contact's or a dependant's columns are nobody's field.
    public static func match(_ header: String) -> (field: RecipientField, rank: Int)? {
        let whole = HeaderKey.normalize(header)
        if let hit = aliasTable[whole] { return hit }
        let parts = HeaderKey.parts(header)
        let context = HeaderKey.normalize(parts.dropLast().joined(separator: " "))
        let last = parts.last ?? header
        var keys = [HeaderKey.normalize(last)]
        if last.contains("/") { keys += last.split(separator: "/").map { HeaderKey.normalize(String($0)) } }
        if parts.count == 1 { keys = [whole] }
        // A qualifier glued in front, with no separator: "Primary Work Email", "Current Home Zip".
        keys += keys.compactMap { key in
            HeaderKey.qualifiers.first(where: { key.hasPrefix($0) && key.count > $0.count }).map {
                String(key.dropFirst($0.count))
            }
        }
        guard let hit = keys.lazy.compactMap({ aliasTable[$0] }).first else { return nil }
        return adjusted(hit, context: context + (parts.count == 1 ? whole : ""))
    }

    /// What a header's prefix says about whose value it is.
    private static func adjusted(_ hit: (field: RecipientField, rank: Int), context: String)
        -> (field: RecipientField, rank: Int)?
    {
        func says(_ words: [String]) -> Bool { words.contains { context.contains($0) } }
        if says(["emergency", "spouse", "dependent", "dependant", "beneficiary", "partner", "child", "relative"]) {
            return nil
        }
        if says(["manager", "supervisor", "reportsto", "reportingto"]) {
            switch hit.field {
            case .fullName, .firstName, .lastName, .manager: return (.manager, 0)
            case .email, .managerEmail: return (.managerEmail, 0)
            default: return nil
            }
        }
        if says(["preferred", "chosen", "nickname"]) && hit.field == .firstName { return (.preferredName, 0) }
        if says(["legal"]) && (hit.field == .firstName || hit.field == .lastName) {
            return (hit.field, max(hit.rank, 1))
        }
        let address: Set<RecipientField> = [.address1, .address2, .city, .state, .postalCode, .country]
        if address.contains(hit.field) && says(["work", "business", "office", "company"]) {
            return (hit.field, max(hit.rank, 1))
        }
        if hit.field == .email && says(["personal", "home", "private"]) { return (.email, max(hit.rank, 1)) }
        return hit
    }

    /// Every alias of every field: normalised header → (field, rank).
    static let aliasTable: [String: (field: RecipientField, rank: Int)] = {
        var table: [String: (field: RecipientField, rank: Int)] = [:]
        for field in allCases {
            for alias in field.aliases { table[alias.key] = (field, alias.rank) }
        }
        return table
    }()
}

/// Header text reduced to lowercase letters and digits, accents removed, so that "First Name",
/// "first_name", "FIRST-NAME" and "Prénom" compare by their letters alone.
public enum HeaderKey {
    public static func normalize(_ header: String) -> String {
        // The usual header is ASCII: the same result without Foundation's folding.
        if header.utf8.allSatisfy({ $0 < 0x80 }) {
            var key = ""
            key.reserveCapacity(header.utf8.count)
            for byte in header.utf8 {
                switch byte {
                case UInt8(ascii: "#"): key += "number"
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                    key.unicodeScalars.append(Unicode.Scalar(byte))
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): key.unicodeScalars.append(Unicode.Scalar(byte | 0x20))
                default: break
                }
            }
            return key
        }
        // "Employee #" is an employee number.
        let header = header.replacingOccurrences(of: "#", with: "number")
        let folded = header.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        return String(
            folded.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
    }

    /// Words HR systems put in front of a field's name without a separator.
    static let qualifiers = [
        "primaryhomeaddress", "homeaddress", "mailingaddress", "residentialaddress", "primaryaddress", "primary",
        "current", "main", "default", "legal",
    ]

    /// A header split where systems put a prefix: "Primary Home Address - City" → ["Primary
    /// Home Address", "City"]; "Work Contact: Work Email" → ["Work Contact", "Work Email"].
    /// Separators are ":" and ">", and "-", "–", "—" or "|" with white space on both sides
    /// ("Sub-total" is one word); white space around a separator goes with it. Scanned by hand:
    /// a regex literal is compiled again on every call, and header detection calls this for every
    /// cell of every candidate line (it was half of a small file's run time).
    static func parts(_ header: String) -> [String] {
        let characters = Array(header)
        var parts: [String] = []
        var current = ""
        var index = 0
        func skipWhitespace(from start: Int) -> Int {
            var end = start
            while end < characters.count && characters[end].isWhitespace { end += 1 }
            return end
        }
        func endPart(atSeparator: Bool = true) {
            while atSeparator && current.last?.isWhitespace == true { current.removeLast() }
            parts.append(current)
            current = ""
        }
        while index < characters.count {
            let character = characters[index]
            if character == ":" || character == ">" {
                endPart()
                index = skipWhitespace(from: index + 1)
                continue
            }
            if character.isWhitespace {
                let end = skipWhitespace(from: index)
                if end + 1 < characters.count, "-–—|".contains(characters[end]), characters[end + 1].isWhitespace {
                    endPart()
                    index = skipWhitespace(from: end + 1)
                    continue
                }
            }
            current.append(character)
            index += 1
        }
        endPart(atSeparator: false)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
