/// `GET /v1/me`.
public struct Me: Codable, Sendable, Hashable {
    @Nullable public var email: String?
    @Nullable public var publicAppID: String?

    public init(email: String?, publicAppID: String?) {
        self.email = email
        self.publicAppID = publicAppID
    }

    enum CodingKeys: String, CodingKey {
        case email
        case publicAppID = "public_app_id"
    }
}

public struct Image: Codable, Sendable, Hashable {
    public var url: String
    public var width: Int?
    public var height: Int?

    public init(url: String, width: Int? = nil, height: Int? = nil) {
        self.url = url
        self.width = width
        self.height = height
    }
}

public struct Brand: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    @Lenient public var logoImage: Image?
    /// Shipping for the brand's products, in cents.
    @Lenient public var shippingPrice: Int?
    /// Shipping is free when the brand's products in a cart come to more than this, in cents.
    @Lenient public var freeShippingMinimum: Int?
    @Lenient public var brandValues: [String]?

    public init(
        id: String, name: String, logoImage: Image? = nil, shippingPrice: Int?, freeShippingMinimum: Int?,
        brandValues: [String]? = []
    ) {
        self.id = id
        self.name = name
        self.logoImage = logoImage
        self.shippingPrice = shippingPrice
        self.freeShippingMinimum = freeShippingMinimum
        self.brandValues = brandValues
    }

    enum CodingKeys: String, CodingKey {
        case id, name
        case logoImage = "logo_image"
        case shippingPrice = "shipping_price"
        case freeShippingMinimum = "free_shipping_minimum"
        case brandValues = "brand_values"
    }
}

public struct ProductVariant: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    @Lenient public var subtitle: String?
    @Lenient public var imageLarge: Image?

    public init(id: String, name: String, subtitle: String? = nil) {
        self.id = id
        self.name = name
        self.subtitle = subtitle
    }

    enum CodingKeys: String, CodingKey {
        case id, name, subtitle
        case imageLarge = "image_large"
    }
}

public struct ProductVariantGroupOption: Codable, Sendable, Hashable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}

public struct ProductVariantGroup: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    @Lenient public var options: [ProductVariantGroupOption]?

    public init(id: String, name: String, options: [ProductVariantGroupOption]) {
        self.id = id
        self.name = name
        self.options = options
    }
}

public struct ProductImage: Codable, Sendable, Hashable {
    public var id: String
    public var imageLarge: Image

    public init(id: String, imageLarge: Image) {
        self.id = id
        self.imageLarge = imageLarge
    }

    enum CodingKeys: String, CodingKey {
        case id
        case imageLarge = "image_large"
    }
}

public struct ProductAttribute: Codable, Sendable, Hashable {
    public var label: String
    public var content: String

    public init(label: String, content: String) {
        self.label = label
        self.content = content
    }
}

/// A product of the catalogue (`GET /v1/products`).
public struct Product: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    public var brand: Brand
    @Lenient public var subtitle: String?
    @Lenient public var subtitleShort: String?
    @Lenient public var recipientDescription: String?
    @Lenient public var variantsLabel: String?
    /// How many variants a sender picks (1 for a shirt size, 3 for a build-a-box).
    @Nullable public var variantsNumSelectable: Int?
    public var variants: [ProductVariant]
    @Lenient public var variantGroups: [ProductVariantGroup]?
    @Lenient public var images: [ProductImage]?
    /// In cents.
    public var price: Int
    public var priceIsVariable: Bool
    @Nullable public var priceMin: Int?
    @Nullable public var priceMax: Int?
    /// US states the product cannot ship to.
    public var restrictedStates: [String]
    @Lenient public var attributes: [ProductAttribute]?
    @Lenient public var status: String?
    @Lenient public var updatedAt: String?

    public init(
        id: String, name: String, brand: Brand, subtitle: String? = nil, variantsLabel: String? = nil,
        variantsNumSelectable: Int? = nil, variants: [ProductVariant] = [], variantGroups: [ProductVariantGroup] = [],
        price: Int, priceIsVariable: Bool = false, priceMin: Int? = nil, priceMax: Int? = nil,
        restrictedStates: [String] = [], attributes: [ProductAttribute] = [], updatedAt: String? = nil
    ) {
        self.id = id
        self.name = name
        self.brand = brand
        self.subtitle = subtitle
        self.variantsLabel = variantsLabel
        self.variantsNumSelectable = variantsNumSelectable
        self.variants = variants
        self.variantGroups = variantGroups
        images = []
        self.price = price
        self.priceIsVariable = priceIsVariable
        self.priceMin = priceMin
        self.priceMax = priceMax
        self.restrictedStates = restrictedStates
        self.attributes = attributes
        status = "active"
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, brand, subtitle, variants, images, price, attributes, status
        case subtitleShort = "subtitle_short"
        case recipientDescription = "recipient_description"
        case variantsLabel = "variants_label"
        case variantsNumSelectable = "variants_num_selectable"
        case variantGroups = "variant_groups"
        case priceIsVariable = "price_is_variable"
        case priceMin = "price_min"
        case priceMax = "price_max"
        case restrictedStates = "restricted_states"
        case updatedAt = "updated_at"
    }
}

/// A digital greeting card (`GET /v1/cards`); required whenever a message is given.
public struct Card: Codable, Sendable, Hashable {
    public var id: String
    @Lenient public var image: Image?
    @Lenient public var imageThumb: Image?
    public var occasions: [String]

    public init(id: String, image: Image?, imageThumb: Image?, occasions: [String]) {
        self.id = id
        self.image = image
        self.imageThumb = imageThumb
        self.occasions = occasions
    }

    enum CodingKeys: String, CodingKey {
        case id, image, occasions
        case imageThumb = "image_thumb"
    }
}

/// `GET /v1/payment_methods`.
public struct PaymentMethod: Codable, Sendable, Hashable {
    public var id: String
    public var name: String
    @Lenient public var cardholderName: String?
    /// For payment methods with a balance, what is available, in cents.
    @Nullable public var balance: Int?

    public init(id: String, name: String, cardholderName: String?, balance: Int?) {
        self.id = id
        self.name = name
        self.cardholderName = cardholderName
        self.balance = balance
    }

    enum CodingKeys: String, CodingKey {
        case id, name, balance
        case cardholderName = "cardholder_name"
    }
}

/// `GET /v1/workspaces`.
public struct Workspace: Codable, Sendable, Hashable {
    public var id: String
    public var name: String

    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }
}
