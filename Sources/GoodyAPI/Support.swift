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
    @Lenient public var totalCount: Int?

    public init(totalCount: Int?) { self.totalCount = totalCount }

    enum CodingKeys: String, CodingKey {
        case totalCount = "total_count"
    }
}

/// One page of a list endpoint: `{"data": [...], "list_meta": {"total_count": N}}`. `list_meta`
/// is not required by the document, so it may be absent. An item that cannot be read is left out
/// of `data` and listed in `unreadable`, so one odd resource (an unrelated batch with a swapped
/// gift, say) never hides the others; each caller decides whether a gap is acceptable.
public struct Page<Item: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var data: [Item]
    public var listMeta: ListMeta?
    /// Items of this page that could not be read: their place on the page and why.
    public var unreadable: [UnreadableItem]

    public init(data: [Item], listMeta: ListMeta?) {
        self.data = data
        self.listMeta = listMeta
        unreadable = []
    }

    /// How many items the page had, read or not.
    public var count: Int { data.count + unreadable.count }

    enum CodingKeys: String, CodingKey {
        case data
        case listMeta = "list_meta"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        data = []
        unreadable = []
        listMeta = try? container.decodeIfPresent(ListMeta.self, forKey: .listMeta)
        // `data` is not in the document's required list: a page without it has no items.
        guard container.contains(.data), !(try container.decodeNil(forKey: .data)) else { return }
        var items = try container.nestedUnkeyedContainer(forKey: .data)
        while !items.isAtEnd {
            let index = items.currentIndex
            do {
                data.append(try items.decode(Item.self))
            } catch {
                unreadable.append(UnreadableItem(index: index, reason: DecodingProblem.describe(error)))
                // Step over the element that could not be read.
                _ = try? items.decode(AnyJSON.self)
            }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encodeIfPresent(listMeta, forKey: .listMeta)
    }
}

/// An item of a page that could not be read.
public struct UnreadableItem: Sendable, Hashable, Codable {
    /// Its place on the page, from 0.
    public var index: Int
    public var reason: String

    public init(index: Int, reason: String) {
        self.index = index
        self.reason = reason
    }
}

/// Any JSON value, read only to step over it.
struct AnyJSON: Decodable {
    init(from decoder: any Decoder) throws {
        if var list = try? decoder.unkeyedContainer() {
            while !list.isAtEnd { _ = try list.decode(AnyJSON.self) }
        } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
            for key in object.allKeys { _ = try object.decode(AnyJSON.self, forKey: key) }
        } else {
            _ = try decoder.singleValueContainer()
        }
    }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) {
            self.intValue = intValue
            stringValue = "\(intValue)"
        }
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
