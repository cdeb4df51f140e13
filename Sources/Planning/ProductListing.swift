public import Foundation
public import GoodyAPI
import Recipients

/// The catalogue as `goody-batch products [SEARCH]` shows it: what each product costs, which
/// variants a sender picks, and where it cannot be shipped, with the name `--product` takes.
public struct ProductListing: Sendable {
    public let search: String?
    public let matches: [Product]
    public let total: Int

    /// Products whose name, brand or subtitle hold every word of `search` (letter case and
    /// accents aside); all of them without a search. Cheapest first, then by name.
    public init(_ products: [Product], search: String?) {
        let words = (search ?? "").split(whereSeparator: \.isWhitespace).map { Self.fold(String($0)) }
        self.search = words.isEmpty ? nil : search
        total = products.count
        matches = products.filter { product in
            let text = Self.fold(
                [product.name, product.brand.name, product.subtitle ?? "", product.id].joined(separator: " "))
            return words.allSatisfy { text.contains($0) }
        }
        .sorted { ($0.priceMin ?? $0.price, $0.name) < ($1.priceMin ?? $1.price, $1.name) }
    }

    private static func fold(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// "$35.00", or "$25.00–$500.00 (you choose the amount)" for a variable price.
    static func price(_ product: Product) -> String {
        guard product.priceIsVariable else { return Money.dollars(product.price) }
        let low = product.priceMin.map(Money.dollars) ?? "?"
        let high = product.priceMax.map(Money.dollars) ?? "?"
        return "\(low)–\(high), you choose (--amount)"
    }

    static func variants(_ product: Product) -> String? {
        guard !product.variants.isEmpty else { return nil }
        let pick = product.variantsNumSelectable ?? 1
        let label = product.variantsLabel.map { "\($0): " } ?? ""
        let names = product.variants.prefix(12).map(\.name).joined(separator: ", ")
        let more = product.variants.count > 12 ? " and \(product.variants.count - 12) more" : ""
        return "\(label)pick \(pick) of \(names)\(more) (--variant)"
    }

    static func shipping(_ product: Product) -> String {
        var text =
            product.restrictedStates.isEmpty
            ? "ships anywhere in the US"
            : "cannot ship to \(product.restrictedStates.sorted().joined(separator: ", ")) (direct_send rejects those rows)"
        if let shipping = product.brand.shippingPrice, shipping > 0 {
            text += "; shipping \(Money.dollars(shipping))"
            if let free = product.brand.freeShippingMinimum { text += ", free over \(Money.dollars(free))" }
        }
        return text
    }

    public func renderText(connection: ConnectionLabel) -> String {
        var lines: [String] = [
            connection.simulated ? ConnectionLabel.simulatedBanner : "Connected to \(connection.description)", "",
        ]
        if let search {
            lines.append("Products matching \"\(search)\": \(matches.count) of \(total)")
        } else {
            lines.append("Products: \(total)")
        }
        for product in matches {
            lines.append("")
            lines.append("  \(product.name) (\(product.brand.name))  \(Self.price(product))")
            if let subtitle = product.subtitle, !subtitle.isEmpty { lines.append("    \(subtitle)") }
            if let variants = Self.variants(product) { lines.append("    \(variants)") }
            lines.append("    \(Self.shipping(product))")
            lines.append("    id \(product.id)")
        }
        lines.append("")
        if let first = matches.first {
            lines.append(
                "Name one with --product (or product: in the campaign file), by its name or id: --product \(ShellWord.quoted(first.name))"
            )
        } else if let search {
            lines.append(
                "No product matches \"\(search)\". `goody-batch products` lists all \(total); a shorter word finds more."
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `products --json`: one object per product, money in cents.
    public struct JSON: Encodable {
        var id: String
        var name: String
        var brand: String
        var subtitle: String?
        var priceCents: Int
        var priceIsVariable: Bool
        var priceMinCents: Int?
        var priceMaxCents: Int?
        var variants: [String]
        var variantsSelectable: Int?
        var restrictedStates: [String]
        var shippingCents: Int?
        var freeShippingMinimumCents: Int?

        enum CodingKeys: String, CodingKey {
            case id, name, brand, subtitle, variants
            case priceCents = "price_cents"
            case priceIsVariable = "price_is_variable"
            case priceMinCents = "price_min_cents"
            case priceMaxCents = "price_max_cents"
            case variantsSelectable = "variants_selectable"
            case restrictedStates = "restricted_states"
            case shippingCents = "shipping_cents"
            case freeShippingMinimumCents = "free_shipping_minimum_cents"
        }
    }

    public var json: [JSON] {
        matches.map {
            JSON(
                id: $0.id, name: $0.name, brand: $0.brand.name, subtitle: $0.subtitle, priceCents: $0.price,
                priceIsVariable: $0.priceIsVariable, priceMinCents: $0.priceMin, priceMaxCents: $0.priceMax,
                variants: $0.variants.map(\.name),
                variantsSelectable: $0.variants.isEmpty ? nil : $0.variantsNumSelectable ?? 1,
                restrictedStates: $0.restrictedStates, shippingCents: $0.brand.shippingPrice,
                freeShippingMinimumCents: $0.brand.freeShippingMinimum)
        }
    }
}
