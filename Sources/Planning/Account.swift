public import APIClient
import Foundation
public import GoodyAPI
import Recipients

/// What the account offers, read once at the start of a plan: who is sending, the catalogue,
/// the cards, how to pay and where batches go.
public struct AccountSnapshot: Sendable {
    public var me: Me
    public var products: [Product]
    public var cards: [Card]
    public var paymentMethods: [PaymentMethod]
    public var workspaces: [Workspace]

    public init(me: Me, products: [Product], cards: [Card], paymentMethods: [PaymentMethod], workspaces: [Workspace]) {
        self.me = me
        self.products = products
        self.cards = cards
        self.paymentMethods = paymentMethods
        self.workspaces = workspaces
    }

    /// Reads everything at once. A product named by its ID is read with `GET /v1/products/{id}`
    /// when the catalogue's listing does not have it (a custom or capped catalogue).
    public static func fetch(_ client: GoodyClient, productReferences: [String] = []) async throws
        -> AccountSnapshot
    {
        async let me = client.me()
        async let listed = client.allProducts()
        async let cards = client.allCards()
        async let paymentMethods = client.paymentMethods()
        async let workspaces = client.workspaces()
        var products = try await listed
        let known = Set(products.map { $0.id.lowercased() })
        let ids = Set(productReferences.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            .filter { UUID(uuidString: $0) != nil && !known.contains($0) }
        for id in ids.sorted() {
            do {
                products.append(try await client.product(id: id))
            } catch let error as GoodyClientError where error.isNotFound {
                // Not a product of this account: resolving the reference says so with the choices.
                continue
            }
        }
        return try await AccountSnapshot(
            me: me, products: products, cards: cards, paymentMethods: paymentMethods, workspaces: workspaces)
    }

    /// A product by ID or by name: an exact name wins, then names containing the text. Several
    /// candidates are an error that lists them.
    public func product(matching reference: String) throws(PlanError) -> Product {
        let key = reference.trimmingCharacters(in: .whitespaces).lowercased()
        if let product = products.first(where: { $0.id.lowercased() == key }) { return product }
        let exact = products.filter { $0.name.lowercased() == key }
        if exact.count == 1 { return exact[0] }
        let partial = exact.isEmpty ? products.filter { $0.name.lowercased().contains(key) } : exact
        if partial.count == 1 { return partial[0] }
        if partial.isEmpty {
            throw PlanError(
                "No product is called \"\(reference)\". The catalogue has: \(PlanError.list(products.map(\.name), limit: 20)). Use a name or a product ID."
            )
        }
        let candidates = partial.map { "\"\($0.name)\" (\($0.brand.name), \($0.id))" }.joined(separator: "; ")
        throw PlanError(
            "\"\(reference)\" matches \(partial.count) products: \(candidates). Give the full name or the product ID.")
    }

    /// A card by ID or by occasion ("Work Anniversary").
    public func card(matching reference: String) throws(PlanError) -> Card {
        let key = reference.trimmingCharacters(in: .whitespaces).lowercased()
        if let card = cards.first(where: { $0.id.lowercased() == key }) { return card }
        let matching = cards.filter { $0.occasions.contains { $0.lowercased() == key } }
        if matching.count == 1 { return matching[0] }
        let describe = { (cards: [Card]) in
            cards.map { "\($0.id) (\($0.occasions.joined(separator: ", ")))" }.joined(separator: "; ")
        }
        if matching.isEmpty {
            throw PlanError(
                "No card is \"\(reference)\". The cards are: \(describe(cards)). Use a card ID or an occasion.")
        }
        throw PlanError(
            "\(matching.count) cards are for \"\(reference)\": \(describe(matching)). Choose one by its ID.")
    }

    /// The payment method by ID or name; Goody's default (the first) when none is named.
    public func paymentMethod(matching reference: String?) throws(PlanError) -> PaymentMethod {
        try pick(paymentMethods, reference, kind: "payment method", name: \.name, id: \.id)
    }

    /// The workspace by ID or name; Goody's default (the oldest, listed first) when none is named.
    public func workspace(matching reference: String?) throws(PlanError) -> Workspace {
        try pick(workspaces, reference, kind: "workspace", name: \.name, id: \.id)
    }

    private func pick<Item>(
        _ items: [Item], _ reference: String?, kind: String, name: KeyPath<Item, String>, id: KeyPath<Item, String>
    ) throws(PlanError) -> Item {
        guard let reference else {
            guard let first = items.first else {
                throw PlanError("The account has no \(kind); add one in Goody first.")
            }
            return first
        }
        let key = reference.lowercased()
        let matching = items.filter { $0[keyPath: id].lowercased() == key || $0[keyPath: name].lowercased() == key }
        guard matching.count == 1 else {
            let all = items.map { "\"\($0[keyPath: name])\" (\($0[keyPath: id]))" }.joined(separator: ", ")
            throw PlanError(
                matching.isEmpty
                    ? "No \(kind) is \"\(reference)\". The account has: \(all)."
                    : "Several \(kind)s are called \"\(reference)\": \(all). Use the ID.")
        }
        return matching[0]
    }
}

/// A cart line resolved against the catalogue.
public struct ResolvedLine: Sendable, Hashable {
    public var product: Product
    public var quantity: Int
    public var variants: [String]?
    public var variablePrice: Int?

    var input: CartItemInput {
        CartItemInput(productID: product.id, quantity: quantity, variablePrice: variablePrice, variants: variants)
    }

    /// "Cookie Box (Oatmeal Raisin)", "2 × Coffee Mug", "Goody Gift Card $25.00".
    public var description: String {
        var text = quantity > 1 ? "\(quantity) × \(product.name)" : product.name
        if let variablePrice { text += " \(Money.dollars(variablePrice))" }
        if let variants, !variants.isEmpty { text += " (\(variants.joined(separator: ", ")))" }
        return text
    }
}

/// Turns what a person wrote (product names, variant names, dollar amounts) into cart lines,
/// checked as Goody will check them.
enum CartResolver {
    static func resolve(_ choices: [ProductChoice], method: SendMethod, account: AccountSnapshot) throws(PlanError)
        -> [ResolvedLine]
    {
        guard !choices.isEmpty else { throw PlanError("The cart is empty: name at least one product.") }
        var lines: [ResolvedLine] = []
        for choice in choices {
            let product = try account.product(matching: choice.product)
            let quantity = choice.quantity ?? 1
            guard quantity >= 1 else { throw PlanError("The quantity of \(product.name) must be at least 1.") }
            var variablePrice: Int?
            if product.priceIsVariable {
                guard let amount = choice.amount else {
                    throw PlanError(
                        "\(product.name) has a variable price: give its value (--amount 25, amount: 25 in the campaign, or a Gift Amount column)."
                    )
                }
                guard let cents = GiftAmount.cents(amount), cents > 0 else {
                    throw PlanError(
                        "\"\(amount)\" is not an amount of money for \(product.name); write dollars such as 25 or 25.00."
                    )
                }
                let minimum = product.priceMin ?? 1
                let maximum = product.priceMax ?? Int.max
                guard (minimum...maximum).contains(cents) else {
                    throw PlanError(
                        "\(product.name) can be worth \(Money.dollars(minimum)) to \(Money.dollars(maximum)); \(Money.dollars(cents)) is outside that."
                    )
                }
                variablePrice = cents
            } else if let amount = choice.amount {
                throw PlanError(
                    "\(product.name) has a fixed price of \(Money.dollars(product.price)); remove the amount \"\(amount)\"."
                )
            }
            let variants = try resolveVariants(choice.variants, of: product, method: method)
            lines.append(
                ResolvedLine(product: product, quantity: quantity, variants: variants, variablePrice: variablePrice))
        }
        return lines
    }

    /// Variant names matched to the product's (any case); as many as it lets a sender pick. Direct
    /// send needs them; for a gift the recipient chooses when none are given.
    private static func resolveVariants(_ names: [String]?, of product: Product, method: SendMethod) throws(PlanError)
        -> [String]?
    {
        let needed = product.variantsNumSelectable ?? 1
        let available = product.variants.map(\.name)
        guard let names, !names.isEmpty else {
            if method == .directSend && !product.variants.isEmpty {
                throw PlanError(
                    "\(product.name) ships as a choice of \(product.variantsLabel?.lowercased() ?? "variant"): direct_send needs \(needed) of \(PlanError.list(available)) (--variant NAME, variants: in the campaign, or a Variants column)."
                )
            }
            return nil
        }
        guard !product.variants.isEmpty else {
            throw PlanError("\(product.name) has no variants; remove \(PlanError.list(names)).")
        }
        var resolved: [String] = []
        for name in names {
            guard let match = available.first(where: { $0.lowercased() == name.lowercased() }) else {
                throw PlanError(
                    "\(product.name) has no variant \"\(name)\"; its variants are \(PlanError.list(available)).")
            }
            resolved.append(match)
        }
        guard resolved.count == needed else {
            throw PlanError(
                "\(product.name) takes \(needed) variant\(needed == 1 ? "" : "s") (variants_num_selectable), but \(resolved.count) \(resolved.count == 1 ? "was" : "were") given: \(PlanError.list(resolved))."
            )
        }
        return resolved
    }
}
