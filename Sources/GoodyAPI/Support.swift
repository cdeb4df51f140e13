public import Foundation

/// A nullable field that is written as `null` when empty, as the Goody API writes them, and read
/// whether it is `null` or missing.
@propertyWrapper
public struct Nullable<Value: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

extension KeyedDecodingContainer {
    /// A missing key reads as `nil` for a `Nullable` field.
    public func decode<Value>(_ type: Nullable<Value>.Type, forKey key: Key) throws -> Nullable<Value> {
        try decodeIfPresent(type, forKey: key) ?? Nullable(wrappedValue: nil)
    }
}

/// `{"error": "message"}`, the body of every error answer.
public struct APIErrorBody: Codable, Sendable, Hashable {
    public var error: String
    public init(error: String) { self.error = error }
}

/// `list_meta` of a page.
public struct ListMeta: Codable, Sendable, Hashable {
    public var totalCount: Int?

    public init(totalCount: Int?) { self.totalCount = totalCount }

    enum CodingKeys: String, CodingKey {
        case totalCount = "total_count"
    }
}

/// One page of a list endpoint: `{"data": [...], "list_meta": {"total_count": N}}`.
public struct Page<Item: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var data: [Item]
    public var listMeta: ListMeta

    public init(data: [Item], listMeta: ListMeta) {
        self.data = data
        self.listMeta = listMeta
    }

    enum CodingKeys: String, CodingKey {
        case data
        case listMeta = "list_meta"
    }
}

/// The JSON coders both ends use: keys exactly as the document spells them, dates as strings.
public enum GoodyJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder { JSONDecoder() }

    /// ISO 8601 in UTC with seconds, as the API writes date-times: "2026-06-03T12:25:15Z".
    public static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    /// Reads an ISO 8601 date-time, with or without fractional seconds or a zone offset.
    public static func date(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
