import Foundation

/// An enum of the vendor document that keeps the values it does not know: Goody may add a status
/// at any time (`pending_user_approval` is already in its `OrderActivityStatus`), and an answer
/// carrying one must stay readable. The value is shown as Goody wrote it.
public enum Open<Known>: Codable, Sendable, Hashable, CustomStringConvertible
where Known: RawRepresentable & Sendable & Hashable, Known.RawValue == String {
    case known(Known)
    case other(String)

    public init(rawValue: String) {
        self = Known(rawValue: rawValue).map(Open.known) ?? .other(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .known(let value): value.rawValue
        case .other(let text): text
        }
    }

    /// The value when it is one the tool knows.
    public var known: Known? {
        if case .known(let value) = self { return value }
        return nil
    }

    public var description: String { rawValue }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A field the tool does not act on: read when it is there and has the documented shape, and
/// otherwise `nil`. Whatever Goody puts in such a field, the answer stays readable. Written as
/// `null` when empty, as the Goody API writes nullable fields.
@propertyWrapper
public struct Lenient<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try? decoder.singleValueContainer().decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key reads as `nil` for a `Lenient` field.
    public func decode<Value>(_ type: Lenient<Value>.Type, forKey key: Key) throws -> Lenient<Value> {
        (try? decodeIfPresent(type, forKey: key)) ?? Lenient(wrappedValue: nil)
    }
}

/// Says which field of an answer could not be read and why, in words: "data[3].individual_gift_link
/// is missing", "orders_count: expected a number, found text".
public enum DecodingProblem {
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) is null"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(article(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "the body is not JSON" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// `data[3].amounts.amount_product`.
    public static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return text.isEmpty ? "the answer" : text
    }

    private static func article(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "text"
        case is Int.Type, is Double.Type: "a number"
        case is Bool.Type: "true or false"
        case is [Any].Type: "a list"
        default: "an object"
        }
    }
}
