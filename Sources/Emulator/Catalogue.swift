public import GoodyAPI

/// The emulator's account and catalogue, the same for the same seed: products with and without
/// variants, a variable-price gift card, a product some states cannot receive, brands with
/// shipping prices and free-shipping minimums, cards, payment methods and workspaces.
public struct EmulatorCatalogue: Sendable {
    public let me: Me
    public let sender: Sender
    public let products: [Product]
    public let cards: [Card]
    public let paymentMethods: [PaymentMethod]
    public let workspaces: [Workspace]
    /// Payment methods that decline: batches paid with them end `failed`.
    public let decliningPaymentMethodIDs: Set<String>

    public static func seeded(_ seed: UInt64) -> EmulatorCatalogue {
        var ids = SeededGenerator(seed: seed)
        func brand(_ name: String, shipping: Int, freeOver: Int?) -> Brand {
            Brand(id: ids.uuid(), name: name, shippingPrice: shipping, freeShippingMinimum: freeOver)
        }
        func variants(_ names: [String]) -> [ProductVariant] { names.map { ProductVariant(id: ids.uuid(), name: $0) } }

        let crumb = brand("Crumb & Co", shipping: 800, freeOver: 6000)
        let thread = brand("Common Thread", shipping: 1000, freeOver: nil)
        let green = brand("Green Thumb", shipping: 900, freeOver: 10000)
        let cellar = brand("Cellar Door", shipping: 1500, freeOver: nil)
        let goody = brand("Goody", shipping: 0, freeOver: nil)
        let morning = brand("Morning Ritual", shipping: 700, freeOver: 5000)
        let wick = brand("Wick & Co", shipping: 600, freeOver: nil)
        let updated = "2026-11-01T09:00:00Z"

        let sizes = ["Small", "Medium", "Large", "X-Large"]
        let colors = ["Black", "Heather"]
        let hoodieGroups = [
            ProductVariantGroup(
                id: ids.uuid(), name: "Size", options: sizes.map { ProductVariantGroupOption(id: ids.uuid(), name: $0) }
            ),
            ProductVariantGroup(
                id: ids.uuid(), name: "Color",
                options: colors.map { ProductVariantGroupOption(id: ids.uuid(), name: $0) }),
        ]
        let products = [
            Product(
                id: ids.uuid(), name: "Cookie Box", brand: crumb, subtitle: "A dozen cookies, baked the day they ship.",
                variantsLabel: "Flavor", variantsNumSelectable: 1,
                variants: variants(["Chocolate Chip", "Oatmeal Raisin", "Snickerdoodle"]), price: 3500,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Six Cookies", brand: crumb, subtitle: "Pick three flavors, two of each.",
                variantsLabel: "Flavor", variantsNumSelectable: 3,
                variants: variants(["Chocolate Chip", "Oatmeal Raisin", "Snickerdoodle", "Sugar"]), price: 2400,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Artisan Chocolate Bar", brand: crumb, subtitle: "70% single origin.",
                price: 1200,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Team Hoodie", brand: thread, subtitle: "Heavyweight organic cotton.",
                variantsLabel: "Size / Color", variantsNumSelectable: 1,
                variants: variants(sizes.flatMap { size in colors.map { "\(size) / \($0)" } }),
                variantGroups: hoodieGroups,
                price: 5500, updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Succulent Trio", brand: green, subtitle: "Three potted succulents.", price: 4200,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Wine Duo", brand: cellar, subtitle: "A red and a white from Sonoma.",
                price: 6500,
                restrictedStates: ["AL", "MS", "UT"], updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Goody Gift Card", brand: goody, subtitle: "Spend it on anything in the store.",
                price: 2500, priceIsVariable: true, priceMin: 1000, priceMax: 50000, updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Coffee Sampler", brand: morning, subtitle: "Four single-origin coffees.",
                price: 3200,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Coffee Mug", brand: morning, subtitle: "Stoneware, 12 oz.", price: 1800,
                updatedAt: updated),
            Product(
                id: ids.uuid(), name: "Candle Set", brand: wick, subtitle: "Three soy candles.", price: 3800,
                updatedAt: updated),
        ]
        func card(_ number: Int, _ occasions: [String]) -> Card {
            Card(
                id: ids.uuid(),
                image: Image(
                    url: "https://assets.ongoody.com/cards/\(number).png?format=png", width: 800, height: 1130),
                imageThumb: Image(
                    url: "https://assets.ongoody.com/cards/\(number).png?width=200&format=png", width: 200, height: 283),
                occasions: occasions)
        }
        let cards = [
            card(101, ["Work Anniversary", "Thank You"]), card(102, ["Birthday"]),
            card(103, ["Congratulations", "Onboarding"]), card(104, ["Holiday"]), card(105, ["Thank You"]),
        ]
        let declining = PaymentMethod(
            id: ids.uuid(), name: "Mastercard 0002", cardholderName: "Pat Rivera", balance: nil)
        let paymentMethods = [
            PaymentMethod(id: ids.uuid(), name: "Visa 4242", cardholderName: "Pat Rivera", balance: nil),
            PaymentMethod(id: ids.uuid(), name: "Goody Balance", cardholderName: nil, balance: 500_000),
            declining,
        ]
        let workspaces = [Workspace(id: ids.uuid(), name: "People Team"), Workspace(id: ids.uuid(), name: "Sales")]
        return EmulatorCatalogue(
            me: Me(email: "pat.rivera@example.com", publicAppID: "app_\(ids.token(12).lowercased())"),
            sender: Sender(firstName: "Pat", lastName: "Rivera", email: "pat.rivera@example.com"),
            products: products, cards: cards, paymentMethods: paymentMethods, workspaces: workspaces,
            decliningPaymentMethodIDs: [declining.id])
    }

    /// The same catalogue with every fixed price (and variable-price bound) raised by `percent`.
    func markedUp(percent: Double) -> EmulatorCatalogue {
        guard percent != 0 else { return self }
        func raise(_ cents: Int) -> Int { Int((Double(cents) * (1 + percent / 100)).rounded()) }
        let raised = products.map { product in
            var product = product
            product.price = raise(product.price)
            product.priceMin = product.priceMin.map(raise)
            product.priceMax = product.priceMax.map(raise)
            return product
        }
        return EmulatorCatalogue(
            me: me, sender: sender, products: raised, cards: cards, paymentMethods: paymentMethods,
            workspaces: workspaces, decliningPaymentMethodIDs: decliningPaymentMethodIDs)
    }

    /// A product by ID, or by its URL on the Goody store (`…/brands/BRAND/PRODUCT`).
    func product(id: String?, url: String?) -> Product? {
        if let id { return products.first { $0.id == id } }
        guard let url else { return nil }
        let parts = url.split(separator: "/").map(String.init)
        guard parts.count >= 2 else { return nil }
        let brandSlug = parts[parts.count - 2]
        let productSlug = parts[parts.count - 1]
        return products.first { Self.slug($0.brand.name) == brandSlug && Self.slug($0.name) == productSlug }
    }

    /// "Crumb & Co" → "crumb-co".
    static func slug(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber) }).joined(separator: "-")
    }
}
