/// A mailing address for direct send (`MailingAddress`).
public struct MailingAddressInput: Codable, Sendable, Hashable {
    public var firstName: String?
    public var lastName: String?
    public var address1: String
    public var address2: String?
    public var city: String
    public var state: String
    public var postalCode: String
    public var country: String

    public init(
        firstName: String?, lastName: String?, address1: String, address2: String?, city: String, state: String,
        postalCode: String, country: String
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.address1 = address1
        self.address2 = address2
        self.city = city
        self.state = state
        self.postalCode = postalCode
        self.country = country
    }

    enum CodingKeys: String, CodingKey {
        case city, state, country
        case firstName = "first_name"
        case lastName = "last_name"
        case address1 = "address_1"
        case address2 = "address_2"
        case postalCode = "postal_code"
    }
}

/// One recipient of a batch (`RecipientInput`).
public struct RecipientInput: Codable, Sendable, Hashable {
    public var firstName: String
    public var lastName: String?
    public var email: String?
    /// E.164, US only.
    public var phone: String?
    public var mailingAddress: MailingAddressInput?

    public init(
        firstName: String, lastName: String? = nil, email: String? = nil, phone: String? = nil,
        mailingAddress: MailingAddressInput? = nil
    ) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.phone = phone
        self.mailingAddress = mailingAddress
    }

    enum CodingKeys: String, CodingKey {
        case email, phone
        case firstName = "first_name"
        case lastName = "last_name"
        case mailingAddress = "mailing_address"
    }
}

/// A product in a cart (`CartItemInput`).
public struct CartItemInput: Codable, Sendable, Hashable {
    public var productID: String?
    public var productURL: String?
    public var quantity: Int
    /// For products with a variable price, in cents.
    public var variablePrice: Int?
    /// Variant names; as many as the product's `variants_num_selectable`.
    public var variants: [String]?

    public init(productID: String, quantity: Int = 1, variablePrice: Int? = nil, variants: [String]? = nil) {
        self.productID = productID
        self.quantity = quantity
        self.variablePrice = variablePrice
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey {
        case quantity, variants
        case productID = "product_id"
        case productURL = "product_url"
        case variablePrice = "variable_price"
    }
}

public struct CartInput: Codable, Sendable, Hashable {
    public var items: [CartItemInput]

    public init(items: [CartItemInput]) { self.items = items }
}

/// `POST /v1/order_batches`.
public struct OrderBatchInput: Codable, Sendable, Hashable {
    public var fromName: String
    public var message: String?
    public var recipients: [RecipientInput]
    public var cart: CartInput
    public var sendMethod: SendMethod
    public var cardID: String?
    public var paymentMethodID: String?
    public var workspaceID: String?
    public var scheduledSendOn: String?
    public var expiresAt: String?
    public var swap: Swap?
    public var notificationsEnabled: Bool?
    /// The idempotency key: a second create with the same value is rejected.
    public var customerReferenceID: String?

    public init(
        fromName: String, message: String?, recipients: [RecipientInput], cart: CartInput, sendMethod: SendMethod,
        cardID: String? = nil, paymentMethodID: String? = nil, workspaceID: String? = nil,
        scheduledSendOn: String? = nil, expiresAt: String? = nil, swap: Swap? = nil,
        customerReferenceID: String? = nil
    ) {
        self.fromName = fromName
        self.message = message
        self.recipients = recipients
        self.cart = cart
        self.sendMethod = sendMethod
        self.cardID = cardID
        self.paymentMethodID = paymentMethodID
        self.workspaceID = workspaceID
        self.scheduledSendOn = scheduledSendOn
        self.expiresAt = expiresAt
        self.swap = swap
        self.customerReferenceID = customerReferenceID
    }

    enum CodingKeys: String, CodingKey {
        case message, recipients, cart, swap
        case fromName = "from_name"
        case sendMethod = "send_method"
        case cardID = "card_id"
        case paymentMethodID = "payment_method_id"
        case workspaceID = "workspace_id"
        case scheduledSendOn = "scheduled_send_on"
        case expiresAt = "expires_at"
        case notificationsEnabled = "notifications_enabled"
        case customerReferenceID = "customer_reference_id"
    }
}

/// `POST /v1/order_batches/price`.
public struct OrderBatchPriceInput: Codable, Sendable, Hashable {
    public var recipients: [RecipientInput]
    public var cart: CartInput
    public var sendMethod: SendMethod

    public init(recipients: [RecipientInput], cart: CartInput, sendMethod: SendMethod) {
        self.recipients = recipients
        self.cart = cart
        self.sendMethod = sendMethod
    }

    enum CodingKeys: String, CodingKey {
        case recipients, cart
        case sendMethod = "send_method"
    }
}

/// The price of one recipient's cart, in cents.
public struct PriceCart: Codable, Sendable, Hashable {
    public var priceProduct: Int
    public var priceShipping: Int
    public var priceProcessingFee: Int
    public var pricePreTax: Int
    public var priceEstTaxLow: Int
    public var priceEstTaxHigh: Int
    public var priceEstTotalLow: Int
    public var priceEstTotalHigh: Int

    public init(
        priceProduct: Int, priceShipping: Int, priceProcessingFee: Int, pricePreTax: Int, priceEstTaxLow: Int,
        priceEstTaxHigh: Int, priceEstTotalLow: Int, priceEstTotalHigh: Int
    ) {
        self.priceProduct = priceProduct
        self.priceShipping = priceShipping
        self.priceProcessingFee = priceProcessingFee
        self.pricePreTax = pricePreTax
        self.priceEstTaxLow = priceEstTaxLow
        self.priceEstTaxHigh = priceEstTaxHigh
        self.priceEstTotalLow = priceEstTotalLow
        self.priceEstTotalHigh = priceEstTotalHigh
    }

    enum CodingKeys: String, CodingKey {
        case priceProduct = "price_product"
        case priceShipping = "price_shipping"
        case priceProcessingFee = "price_processing_fee"
        case pricePreTax = "price_pre_tax"
        case priceEstTaxLow = "price_est_tax_low"
        case priceEstTaxHigh = "price_est_tax_high"
        case priceEstTotalLow = "price_est_total_low"
        case priceEstTotalHigh = "price_est_total_high"
    }
}

/// The price of the whole batch, in cents.
public struct PriceTotal: Codable, Sendable, Hashable {
    public var recipients: Int
    public var estTaxCalculated: Int?
    public var estTotalCalculated: Int?
    public var estGroupTotalLow: Int?
    public var estGroupTotalHigh: Int?

    public init(
        recipients: Int, estTaxCalculated: Int? = nil, estTotalCalculated: Int? = nil, estGroupTotalLow: Int? = nil,
        estGroupTotalHigh: Int? = nil
    ) {
        self.recipients = recipients
        self.estTaxCalculated = estTaxCalculated
        self.estTotalCalculated = estTotalCalculated
        self.estGroupTotalLow = estGroupTotalLow
        self.estGroupTotalHigh = estGroupTotalHigh
    }

    enum CodingKeys: String, CodingKey {
        case recipients
        case estTaxCalculated = "est_tax_calculated"
        case estTotalCalculated = "est_total_calculated"
        case estGroupTotalLow = "est_group_total_low"
        case estGroupTotalHigh = "est_group_total_high"
    }
}

/// The answer of `POST /v1/order_batches/price`. The schema names its parts
/// `cart_price_estimate` and `total_price_estimate` while its required list and every example
/// use `cart_price` and `total_price`: both are read; `cart_price`/`total_price` are written.
public struct OrderBatchPrice: Codable, Sendable, Hashable {
    public var cartPrice: PriceCart
    public var totalPrice: PriceTotal

    public init(cartPrice: PriceCart, totalPrice: PriceTotal) {
        self.cartPrice = cartPrice
        self.totalPrice = totalPrice
    }

    enum CodingKeys: String, CodingKey {
        case cartPrice = "cart_price"
        case totalPrice = "total_price"
        case cartPriceEstimate = "cart_price_estimate"
        case totalPriceEstimate = "total_price_estimate"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        cartPrice =
            try container.decodeIfPresent(PriceCart.self, forKey: .cartPrice)
            ?? container.decode(PriceCart.self, forKey: .cartPriceEstimate)
        totalPrice =
            try container.decodeIfPresent(PriceTotal.self, forKey: .totalPrice)
            ?? container.decode(PriceTotal.self, forKey: .totalPriceEstimate)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(cartPrice, forKey: .cartPrice)
        try container.encode(totalPrice, forKey: .totalPrice)
    }
}
