import Foundation
import GoodyAPI

/// Rewrites an encoded answer into one of the shapes the vendor's document allows: keys it does
/// not require left out, date-times spelled another valid way. Applied after encoding, so the
/// shared types stay one faithful reading of the document and the variations stay here.
struct ResponseShaper: Sendable {
    let variations: EmulatorConfiguration.Variations
    /// A fault, not a variation: this key is removed wherever it appears.
    var omittedField: String? = nil

    /// What kind of answer is being shaped.
    enum Kind {
        case resource
        case list
        case batchList
    }

    func shape(_ data: Data, kind: Kind) -> Data {
        guard variations.reshapesJSON || omittedField != nil,
            var object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else { return data }
        if let omittedField { object = omitting(omittedField, from: object) }
        if kind != .resource, var page = object as? [String: Any] {
            if variations.omitListMeta { page["list_meta"] = nil }
            if kind == .batchList, variations.listWithoutReference, let items = page["data"] as? [[String: Any]] {
                page["data"] = items.map { item in
                    var item = item
                    item["customer_reference_id"] = nil
                    return item
                }
            }
            object = page
        }
        if variations.dateStyle != .plain {
            var turn = 0
            object = respell(object, turn: &turn)
        }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? data
    }

    private func omitting(_ key: String, from value: Any) -> Any {
        switch value {
        case var object as [String: Any]:
            object[key] = nil
            return object.mapValues { omitting(key, from: $0) }
        case let list as [Any]:
            return list.map { omitting(key, from: $0) }
        default:
            return value
        }
    }

    /// Every `…:SSZ` date-time, respelled as the style says.
    private func respell(_ value: Any, turn: inout Int) -> Any {
        switch value {
        case let object as [String: Any]:
            var result: [String: Any] = [:]
            for key in object.keys.sorted() {
                if let item = object[key] { result[key] = respell(item, turn: &turn) }
            }
            return result
        case let list as [Any]:
            return list.map { respell($0, turn: &turn) }
        case let text as String where Self.isPlainTimestamp(text):
            let style: EmulatorConfiguration.Variations.DateStyle
            if variations.dateStyle == .mixed {
                style = [.plain, .milliseconds, .offset][turn % 3]
                turn += 1
            } else {
                style = variations.dateStyle
            }
            let stem = text.dropLast()
            switch style {
            case .milliseconds: return stem + ".000Z"
            case .offset: return stem + "+00:00"
            case .plain, .mixed: return text
            }
        default:
            return value
        }
    }

    /// `2026-06-03T12:25:15Z`.
    static func isPlainTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 20, bytes[10] == UInt8(ascii: "T"), bytes[19] == UInt8(ascii: "Z") else { return false }
        return GoodyJSON.date(text) != nil
    }
}
