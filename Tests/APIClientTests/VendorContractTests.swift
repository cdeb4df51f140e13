import Foundation
import GoodyAPI
import Testing

/// Goody's own OpenAPI document, read at test time from `../shared/reference` beside the
/// repository (it is reference material and is not copied into the project).
private enum VendorDocument {
    static let url: URL = {
        if let path = ProcessInfo.processInfo.environment["GOODY_OPENAPI"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("../shared/reference/goody-openapi.json").standardizedFileURL
    }()

    static var isPresent: Bool { FileManager.default.fileExists(atPath: url.path) }

    static func load() throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
}

/// One step into a JSON value.
private enum Step: CustomStringConvertible {
    case key(String)
    case index(Int)

    var description: String {
        switch self {
        case .key(let key): ".\(key)"
        case .index(let index): "[\(index)]"
        }
    }
}

/// A change to one field of an example: set it to null, remove it, or give it another value.
private struct Variant {
    enum Change {
        case null
        case remove
        case value(String)
    }

    var path: [Step]
    var change: Change

    var label: String {
        let place = path.map(\.description).joined()
        switch change {
        case .null: return "\(place) = null"
        case .remove: return "\(place) removed"
        case .value(let text): return "\(place) = \"\(text)\""
        }
    }

    func apply(to value: Any) -> Any { Self.apply(change, at: path[...], to: value) }

    private static func apply(_ change: Change, at path: ArraySlice<Step>, to value: Any) -> Any {
        guard let step = path.first else {
            switch change {
            case .null: return NSNull()
            case .value(let text): return text
            case .remove: return value
            }
        }
        let rest = path.dropFirst()
        switch step {
        case .key(let key):
            guard var object = value as? [String: Any], let child = object[key] else { return value }
            if rest.isEmpty, case .remove = change {
                object[key] = nil
            } else {
                object[key] = apply(change, at: rest, to: child)
            }
            return object
        case .index(let index):
            guard var list = value as? [Any], list.indices.contains(index) else { return value }
            list[index] = apply(change, at: rest, to: list[index])
            return list
        }
    }
}

/// Walks an example with its schema and lists every variant the document allows: each nullable
/// field set to null, each field that is not required removed, each enum field given each of its
/// values and one value the document does not list yet.
private struct VariantWalker {
    let components: [String: Any]

    func resolve(_ schema: [String: Any]) -> [String: Any] {
        guard let reference = schema["$ref"] as? String,
            let name = reference.split(separator: "/").last.map(String.init),
            let resolved = components[name] as? [String: Any]
        else { return schema }
        return resolve(resolved)
    }

    func variants(of value: Any, schema: [String: Any], at path: [Step] = []) -> [Variant] {
        let schema = resolve(schema)
        var found: [Variant] = []
        if let object = value as? [String: Any], let properties = schema["properties"] as? [String: Any] {
            let required = Set(schema["required"] as? [String] ?? [])
            for key in object.keys.sorted() {
                guard let child = object[key], let declared = properties[key] as? [String: Any] else { continue }
                let property = resolve(declared)
                let here = path + [.key(key)]
                if declared["nullable"] as? Bool == true || property["nullable"] as? Bool == true {
                    found.append(Variant(path: here, change: .null))
                }
                if !required.contains(key) { found.append(Variant(path: here, change: .remove)) }
                if let values = property["enum"] as? [String] {
                    for value in values + ["a_value_goody_adds_later"] {
                        found.append(Variant(path: here, change: .value(value)))
                    }
                }
                found += variants(of: child, schema: declared, at: here)
            }
        } else if let list = value as? [Any], let items = schema["items"] as? [String: Any], let first = list.first {
            // The first element stands for the others: they share a schema.
            found += variants(of: first, schema: items, at: path + [.index(0)])
        }
        return found
    }
}

/// Decodes an answer with the client's type for a schema; a page must read every item.
private typealias Reader = @Sendable (Data) throws -> Void

private func reader<Value: Decodable & SendableMetatype>(_ type: Value.Type) -> Reader {
    { data in _ = try GoodyJSON.decoder().decode(Value.self, from: data) }
}

private func pageReader<Item: Codable & Sendable & Hashable>(_ type: Item.Type) -> Reader {
    { data in
        let page = try GoodyJSON.decoder().decode(Page<Item>.self, from: data)
        if let bad = page.unreadable.first {
            throw UnreadableItemError(description: bad.reason)
        }
    }
}

private struct UnreadableItemError: Error, CustomStringConvertible {
    var description: String
}

/// The client's type for each component of the document that the tool reads.
private let readers: [String: (single: Reader, page: Reader)] = [
    "Me": (reader(Me.self), pageReader(Me.self)),
    "Product": (reader(Product.self), pageReader(Product.self)),
    "Card": (reader(Card.self), pageReader(Card.self)),
    "PaymentMethod": (reader(PaymentMethod.self), pageReader(PaymentMethod.self)),
    "Workspace": (reader(Workspace.self), pageReader(Workspace.self)),
    "OrderBatch": (reader(OrderBatch.self), pageReader(OrderBatch.self)),
    "Order": (reader(Order.self), pageReader(Order.self)),
    "OrderBatchRecipient": (reader(BatchRecipient.self), pageReader(BatchRecipient.self)),
    "OrderBatchPrice": (reader(OrderBatchPrice.self), pageReader(OrderBatchPrice.self)),
    "Error": (reader(APIErrorBody.self), pageReader(APIErrorBody.self)),
]

/// One example response of the document and how to read it.
private struct Example {
    var name: String
    var value: Any
    var schema: [String: Any]
    var read: Reader
}

/// Every example response whose schema the tool reads, and the endpoints left out (the tool
/// never calls them).
private func examples(in document: [String: Any]) -> (examples: [Example], skipped: [String]) {
    let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
    var found: [Example] = []
    var skipped: [String] = []
    let paths = document["paths"] as? [String: Any] ?? [:]
    for path in paths.keys.sorted() {
        guard let operations = paths[path] as? [String: Any] else { continue }
        for method in operations.keys.sorted() {
            guard let responses = (operations[method] as? [String: Any])?["responses"] as? [String: Any] else {
                continue
            }
            for status in responses.keys.sorted() {
                guard let content = (responses[status] as? [String: Any])?["content"] as? [String: Any],
                    let json = content["application/json"] as? [String: Any],
                    let schema = json["schema"] as? [String: Any]
                else { continue }
                let endpoint = "\(method.uppercased()) \(path) \(status)"
                // A schema is a component, or a page of one (`data` + `list_meta`).
                let itemSchema = ((schema["properties"] as? [String: Any])?["data"] as? [String: Any])?["items"]
                let isPage = itemSchema != nil
                let reference = ((itemSchema as? [String: Any]) ?? schema)["$ref"] as? String
                let component = reference?.split(separator: "/").last.map(String.init) ?? ""
                guard let read = readers[component] else {
                    skipped.append("\(endpoint) (\(component.isEmpty ? "no schema" : component))")
                    continue
                }
                for (name, example) in (json["examples"] as? [String: Any] ?? [:]).sorted(by: { $0.key < $1.key }) {
                    guard let value = (example as? [String: Any])?["value"] else { continue }
                    found.append(
                        Example(
                            name: "\(endpoint) «\(name)»", value: value,
                            schema: isPage ? schema : resolveTop(schema, components),
                            read: isPage ? read.page : read.single
                        ))
                }
            }
        }
    }
    _ = components
    return (found, skipped)
}

private func resolveTop(_ schema: [String: Any], _ components: [String: Any]) -> [String: Any] {
    VariantWalker(components: components).resolve(schema)
}

@Suite(
    .enabled(
        if: VendorDocument.isPresent,
        "Goody's OpenAPI document is not at \(VendorDocument.url.path); the contract test needs ../shared/reference."))
struct VendorContractTests {
    @Test func everyExampleResponseOfTheVendorDocumentDecodes() throws {
        let document = try VendorDocument.load()
        let (examples, skipped) = examples(in: document)
        var failures: [String] = []
        for example in examples {
            let data = try JSONSerialization.data(withJSONObject: example.value, options: [.fragmentsAllowed])
            do { try example.read(data) } catch {
                failures.append("\(example.name): \(DecodingProblem.describe(error))")
            }
        }
        // Every endpoint the tool calls has examples in the document.
        let names = examples.map(\.name).joined(separator: "\n")
        for endpoint in [
            "GET /v1/order_batches 200", "POST /v1/order_batches 201", "GET /v1/order_batches/{id} 200",
            "GET /v1/order_batches/{id}/orders 200", "POST /v1/order_batches/price 200", "GET /v1/orders 200",
            "GET /v1/orders/{id} 200", "GET /v1/products 200", "GET /v1/cards 200", "GET /v1/payment_methods 200",
            "GET /v1/workspaces 200",
        ] {
            #expect(names.contains(endpoint), "no example read for \(endpoint)")
        }
        #expect(examples.count >= 30, "only \(examples.count) examples found")
        #expect(
            failures.isEmpty, "\(failures.count) example(s) could not be read:\n\(failures.joined(separator: "\n"))")
        // What the tool never reads, for the record: none of it is an endpoint the tool calls.
        #expect(!skipped.contains { $0.contains("/v1/order_batches") && $0.contains(" 200 ") })
    }

    @Test func everyVariantTheDocumentAllowsDecodes() throws {
        let document = try VendorDocument.load()
        let components = (document["components"] as? [String: Any])?["schemas"] as? [String: Any] ?? [:]
        let walker = VariantWalker(components: components)
        var failures: [String] = []
        var tried = 0
        var kinds = (null: 0, removed: 0, enumValue: 0)
        for example in examples(in: document).examples {
            for variant in walker.variants(of: example.value, schema: example.schema) {
                tried += 1
                switch variant.change {
                case .null: kinds.null += 1
                case .remove: kinds.removed += 1
                case .value: kinds.enumValue += 1
                }
                let changed = variant.apply(to: example.value)
                let data = try JSONSerialization.data(withJSONObject: changed, options: [.fragmentsAllowed])
                do {
                    try example.read(data)
                } catch {
                    failures.append("\(example.name) with \(variant.label): \(DecodingProblem.describe(error))")
                }
            }
        }
        #expect(tried > 800, "only \(tried) variants")
        #expect(kinds.null > 100 && kinds.removed > 100 && kinds.enumValue > 50, "\(kinds)")
        #expect(
            failures.isEmpty,
            "\(failures.count) of \(tried) variants could not be read:\n\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test func unknownValuesAreKeptAndShownAsGoodyWroteThem() throws {
        let order = """
            {"id": "o1", "recipient_first_name": "Ana", "status": "pending_user_approval",
             "individual_gift_link": "https://gifts.ongoody.com/gift/X", "cart": {"items": "not a list"},
             "shipments": [{"id": "s", "status": "lost_at_sea", "brand_name": "B"}],
             "amounts": {"amount_product": 2000, "amount_shipping": 0, "amount_pre_tax_total": 2000},
             "sender": null, "reference_id": "R", "is_swapped": true,
             "original_amounts": {"original_amount_product": 1500, "original_amount_shipping": 500,
                                  "original_amount_credit_applied": null, "original_amount_pre_tax_total": 2000}}
            """
        let decoded = try GoodyJSON.decoder().decode(Order.self, from: Data(order.utf8))
        #expect(decoded.status == .other("pending_user_approval"))
        #expect(decoded.status.rawValue == "pending_user_approval")
        #expect(decoded.cart == nil)
        #expect(decoded.shipments?.first?.status == .other("lost_at_sea"))
        #expect(decoded.isSwapped == true)
        #expect(decoded.originalAmounts?.originalAmountProduct == 1500)
    }

    @Test func aMissingFieldTheToolNeedsIsNamedWithItsPlace() throws {
        let page = """
            {"data": [{"id": "o1", "recipient_first_name": "Ana", "status": "created",
                       "amounts": {"amount_product": 1, "amount_shipping": 0, "amount_pre_tax_total": 1},
                       "reference_id": "R"}]}
            """
        let decoded = try GoodyJSON.decoder().decode(Page<Order>.self, from: Data(page.utf8))
        #expect(decoded.data.isEmpty)
        #expect(decoded.unreadable == [UnreadableItem(index: 0, reason: "data[0].individual_gift_link is missing")])
        #expect(decoded.listMeta == nil)
    }
}
