import Foundation
public import GoodyAPI

/// One definition of "the same person", for every send method: the email when there is one;
/// else the mapped employee ID; else, for direct send, the name and address; else the name. A
/// match on a name alone is only "possibly" the same person.
public struct PersonKey: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case email
        case employee
        case address
        case name
    }

    public let kind: Kind
    public let value: String

    public var description: String { "\(kind.rawValue):\(value)" }
    public var isNameOnly: Bool { kind == .name }

    /// The key a row is recorded under.
    public static func of(_ recipient: Recipient, method: SendMethod) -> PersonKey {
        if let email = recipient.email?.lowercased(), !email.isEmpty { return PersonKey(kind: .email, value: email) }
        if let id = recipient.employeeID.map(fold), !id.isEmpty { return PersonKey(kind: .employee, value: id) }
        let name = name(recipient.firstName, recipient.lastName)
        if method == .directSend, let address = recipient.address {
            let place = [address.address1, address.address2 ?? "", String(address.postalCode.prefix(5))].map(fold)
            return PersonKey(kind: .address, value: ([name] + place).joined(separator: "|"))
        }
        return PersonKey(kind: .name, value: name)
    }

    /// Every key a recipient of this file is looked up under: its own, and its name when it has
    /// no email.
    public static func lookups(for recipient: Recipient, method: SendMethod) -> Set<PersonKey> {
        var keys: Set<PersonKey> = [of(recipient, method: method)]
        if let name = name(of: recipient) { keys.insert(name) }
        return keys
    }

    /// Every key a row recorded in a ledger answers to: the key it was recorded under, its email,
    /// and its name (a name-only match).
    public static func recorded(_ text: String?, email: String?, firstName: String?, lastName: String?) -> Set<
        PersonKey
    > {
        var keys: Set<PersonKey> = []
        if let key = text.flatMap(PersonKey.init) { keys.insert(key) }
        if let email = email?.lowercased(), !email.isEmpty { keys.insert(PersonKey(kind: .email, value: email)) }
        if let firstName { keys.insert(PersonKey(kind: .name, value: name(firstName, lastName))) }
        return keys
    }

    /// The name-only key, for a row that has no email: the same name is possibly the same person.
    public static func name(of recipient: Recipient) -> PersonKey? {
        guard recipient.email?.isEmpty ?? true else { return nil }
        return PersonKey(kind: .name, value: name(recipient.firstName, recipient.lastName))
    }

    public init(kind: Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// Reads a key written by `description`.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else {
            return nil
        }
        self.init(kind: kind, value: String(text[text.index(after: colon)...]))
    }

    /// "Renée  Côté" and "renee cote" are one name.
    public static func name(_ first: String?, _ last: String?) -> String {
        [first ?? "", last ?? ""].map(fold).joined(separator: "|")
    }

    public static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
