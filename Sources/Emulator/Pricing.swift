import GoodyAPI

/// How the emulator prices a cart, the same way for `POST /v1/order_batches/price` and for the
/// amounts on the orders a create produces, so an estimate and the charge agree.
///
/// - Products: the product's price (or the sender's `variable_price`) times the quantity.
/// - Shipping: each brand's `shipping_price`, free when that brand's products in the cart come to
///   more than its `free_shipping_minimum`.
/// - Processing fee: 10% of the products.
/// - Tax: estimated between 0% and 10% of the pre-tax total; for direct send with addresses,
///   calculated from each recipient's state.
enum Pricing {
    struct CartPrice: Equatable {
        var product: Int
        var shipping: Int
        var processingFee: Int
        var preTax: Int { product + shipping + processingFee }

        init(product: Int, shipping: Int, processingFee: Int) {
            self.product = product
            self.shipping = shipping
            self.processingFee = processingFee
        }
    }

    /// One line of a resolved cart.
    struct Line {
        var product: Product
        var quantity: Int
        var variablePrice: Int?
        var variants: [String]?
    }

    static func price(_ lines: [Line]) -> CartPrice {
        var product = 0
        var byBrand: [String: (brand: Brand, subtotal: Int)] = [:]
        for line in lines {
            let subtotal = (line.variablePrice ?? line.product.price) * line.quantity
            product += subtotal
            byBrand[line.product.brand.id, default: (line.product.brand, 0)].subtotal += subtotal
        }
        var shipping = 0
        for (brand, subtotal) in byBrand.values {
            if let minimum = brand.freeShippingMinimum, subtotal > minimum { continue }
            shipping += brand.shippingPrice ?? 0
        }
        return CartPrice(product: product, shipping: shipping, processingFee: percent(product, 10))
    }

    /// Sales tax by state, in basis points (a simplified table; 6% elsewhere).
    static func taxBasisPoints(state: String) -> Int {
        switch state.uppercased() {
        case "AK", "DE", "MT", "NH", "OR": 0
        case "CA": 725
        case "NY": 400
        case "TX", "MA", "IL": 625
        case "FL", "PA", "NJ": 663
        case "WA": 650
        case "CO": 290
        case "PR": 1150
        default: 600
        }
    }

    static func tax(preTax: Int, state: String) -> Int { (preTax * taxBasisPoints(state: state) + 5000) / 10000 }

    /// `value`·`rate`%, rounded to the cent.
    static func percent(_ value: Int, _ rate: Int) -> Int { (value * rate + 50) / 100 }

    static func estimate(_ cart: CartPrice, recipients: [RecipientInput], method: SendMethod) -> OrderBatchPrice {
        let taxHigh = percent(cart.preTax, 10)
        let cartPrice = PriceCart(
            priceProduct: cart.product, priceShipping: cart.shipping, priceProcessingFee: cart.processingFee,
            pricePreTax: cart.preTax, priceEstTaxLow: 0, priceEstTaxHigh: taxHigh, priceEstTotalLow: cart.preTax,
            priceEstTotalHigh: cart.preTax + taxHigh)
        if method == .directSend, recipients.allSatisfy({ $0.mailingAddress != nil }) {
            let tax = recipients.reduce(0) { $0 + Self.tax(preTax: cart.preTax, state: $1.mailingAddress?.state ?? "") }
            return OrderBatchPrice(
                cartPrice: cartPrice,
                totalPrice: PriceTotal(
                    recipients: recipients.count, estTaxCalculated: tax,
                    estTotalCalculated: cart.preTax * recipients.count + tax))
        }
        return OrderBatchPrice(
            cartPrice: cartPrice,
            totalPrice: PriceTotal(
                recipients: recipients.count, estGroupTotalLow: cart.preTax * recipients.count,
                estGroupTotalHigh: (cart.preTax + taxHigh) * recipients.count))
    }
}
