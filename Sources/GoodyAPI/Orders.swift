/// How Goody delivers the gifts of a batch (the API's `OrderBatchSendMethod`).
public enum SendMethod: String, CaseIterable, Sendable, Codable, Hashable {
    /// Goody emails each recipient their gift; every recipient needs an email.
    case emailAndLink = "email_and_link"
    /// Goody makes a gift link per recipient and sends nothing; only a first name is needed.
    case linkMultipleCustomList = "link_multiple_custom_list"
    /// Goody ships the gift to a US mailing address.
    case directSend = "direct_send"
}

/// `OrderBatchSwap`: how recipients may swap their gift.
public enum Swap: String, CaseIterable, Sendable, Codable, Hashable {
    case single, multiple, disabled
}

/// `OrderBatchSendStatus`, as the document lists it; read as `Open<SendStatus>`.
public enum SendStatus: String, CaseIterable, Sendable, Codable, Hashable {
    case pending, complete, failed, canceled
}

/// `OrderStatus`, as the document lists it; read as `Open<OrderStatus>`, so a status Goody adds
/// later (`pending_user_approval`) is kept and shown as it is.
public enum OrderStatus: String, CaseIterable, Sendable, Codable, Hashable {
    case created, notified, opened, accepted
    case pendingPayment = "pending_payment"
    case paid, ordered, shipped, delivered, failed, canceled
}

/// `Shipment.status`, as the document lists it.
public enum ShipmentStatus: String, CaseIterable, Sendable, Codable, Hashable {
    case pending, tracking, shipped, delivered
    case deliveredOverride = "delivered_override"
    case failed
    case failedUnsetTracking = "failed_unset_tracking"
    case failedWithReship = "failed_with_reship"
}

public struct Sender: Codable, Sendable, Hashable {
    public var firstName: String
    public var lastName: String
    public var email: String

    public init(firstName: String, lastName: String, email: String) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case email
        case firstName = "first_name"
        case lastName = "last_name"
    }
}

/// The product as a cart item refers to it.
public struct CartProduct: Codable, Sendable, Hashable {
    public struct BrandReference: Codable, Sendable, Hashable {
        public var id: String
        public var name: String

        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public var id: String
    public var name: String
    public var brand: BrandReference

    public init(id: String, name: String, brand: BrandReference) {
        self.id = id
        self.name = name
        self.brand = brand
    }
}

public struct CartItem: Codable, Sendable, Hashable {
    public var id: String
    public var product: CartProduct
    public var quantity: Int

    public init(id: String, product: CartProduct, quantity: Int) {
        self.id = id
        self.product = product
        self.quantity = quantity
    }
}

public struct Cart: Codable, Sendable, Hashable {
    public var id: String?
    public var items: [CartItem]?

    public init(id: String?, items: [CartItem]) {
        self.id = id
        self.items = items
    }
}

public struct CartSelection: Codable, Sendable, Hashable {
    public var id: String
    public var cartItemID: String
    public var quantityIndex: Int
    public var variants: [String]

    public init(id: String, cartItemID: String, quantityIndex: Int, variants: [String]) {
        self.id = id
        self.cartItemID = cartItemID
        self.quantityIndex = quantityIndex
        self.variants = variants
    }

    enum CodingKeys: String, CodingKey {
        case id, variants
        case cartItemID = "cart_item_id"
        case quantityIndex = "quantity_index"
    }
}

public struct Shipment: Codable, Sendable, Hashable {
    public var id: String
    public var status: Open<ShipmentStatus>
    public var brandName: String
    @Lenient public var trackingCarrier: String?
    @Lenient public var trackingNumber: String?
    @Lenient public var trackingURL: String?
    @Lenient public var shippedAt: String?
    @Lenient public var deliveredAt: String?
    @Lenient public var deliveryETA: String?

    public init(id: String, status: Open<ShipmentStatus>, brandName: String) {
        self.id = id
        self.status = status
        self.brandName = brandName
    }

    enum CodingKeys: String, CodingKey {
        case id, status
        case brandName = "brand_name"
        case trackingCarrier = "tracking_carrier"
        case trackingNumber = "tracking_number"
        case trackingURL = "tracking_url"
        case shippedAt = "shipped_at"
        case deliveredAt = "delivered_at"
        case deliveryETA = "delivery_eta"
    }
}

/// What an order costs, in US cents.
public struct OrderAmounts: Codable, Sendable, Hashable {
    public var amountProduct: Int
    public var amountShipping: Int
    @Lenient public var amountProcessingFee: Int?
    @Lenient public var amountCreditApplied: Int?
    public var amountPreTaxTotal: Int
    @Lenient public var amountTax: Int?
    @Lenient public var amountTotal: Int?
    @Lenient public var amountGlobalRelayCost: Int?

    public init(
        amountProduct: Int, amountShipping: Int, amountProcessingFee: Int?, amountPreTaxTotal: Int, amountTax: Int?,
        amountTotal: Int?
    ) {
        self.amountProduct = amountProduct
        self.amountShipping = amountShipping
        self.amountProcessingFee = amountProcessingFee
        self.amountPreTaxTotal = amountPreTaxTotal
        self.amountTax = amountTax
        self.amountTotal = amountTotal
    }

    enum CodingKeys: String, CodingKey {
        case amountProduct = "amount_product"
        case amountShipping = "amount_shipping"
        case amountProcessingFee = "amount_processing_fee"
        case amountCreditApplied = "amount_credit_applied"
        case amountPreTaxTotal = "amount_pre_tax_total"
        case amountTax = "amount_tax"
        case amountTotal = "amount_total"
        case amountGlobalRelayCost = "amount_global_relay_cost"
    }
}

/// What a swapped order cost before the recipient swapped it, in US cents (`original_amounts`:
/// every field nullable, none required).
public struct OriginalAmounts: Codable, Sendable, Hashable {
    @Lenient public var originalAmountProduct: Int?
    @Lenient public var originalAmountShipping: Int?
    @Lenient public var originalAmountCreditApplied: Int?
    @Lenient public var originalAmountPreTaxTotal: Int?

    public init(
        originalAmountProduct: Int?, originalAmountShipping: Int?, originalAmountCreditApplied: Int? = nil,
        originalAmountPreTaxTotal: Int?
    ) {
        self.originalAmountProduct = originalAmountProduct
        self.originalAmountShipping = originalAmountShipping
        self.originalAmountCreditApplied = originalAmountCreditApplied
        self.originalAmountPreTaxTotal = originalAmountPreTaxTotal
    }

    enum CodingKeys: String, CodingKey {
        case originalAmountProduct = "original_amount_product"
        case originalAmountShipping = "original_amount_shipping"
        case originalAmountCreditApplied = "original_amount_credit_applied"
        case originalAmountPreTaxTotal = "original_amount_pre_tax_total"
    }
}

/// When things happened to an order (only on `GET /v1/orders/{id}`).
public struct OrderEventTimes: Codable, Sendable, Hashable {
    public var createdAt: String
    @Lenient public var notifiedAt: String?
    @Lenient public var openedAt: String?
    @Lenient public var acceptedAt: String?
    @Lenient public var thankYouAddedAt: String?
    @Lenient public var pendingPaymentAt: String?
    @Lenient public var paidAt: String?
    @Lenient public var shippedAt: String?
    @Lenient public var deliveredAt: String?

    public init(createdAt: String) { self.createdAt = createdAt }

    enum CodingKeys: String, CodingKey {
        case createdAt = "created_at"
        case notifiedAt = "notified_at"
        case openedAt = "opened_at"
        case acceptedAt = "accepted_at"
        case thankYouAddedAt = "thank_you_added_at"
        case pendingPaymentAt = "pending_payment_at"
        case paidAt = "paid_at"
        case shippedAt = "shipped_at"
        case deliveredAt = "delivered_at"
    }
}

/// One gift: the gift link, the recipient, the status and the amounts. What the tool acts on
/// (the ID, the gift link, the recipient, the status, the amounts, the reference) follows the
/// document's required list; everything else is `@Lenient`, so no shape of it makes an order
/// unreadable.
public struct Order: Codable, Sendable, Hashable {
    public var id: String
    public var recipientFirstName: String
    @Nullable public var recipientLastName: String?
    @Nullable public var recipientEmail: String?
    public var status: Open<OrderStatus>
    public var individualGiftLink: String
    /// After a swap, the products the recipient chose.
    @Lenient public var cart: Cart?
    @Lenient public var cartSelections: [CartSelection]?
    @Lenient public var shipments: [Shipment]?
    @Lenient public var workspaceID: String?
    @Lenient public var workspaceName: String?
    @Lenient public var expiresAt: String?
    @Lenient public var cardID: String?
    @Lenient public var message: String?
    @Lenient public var thankYouNote: String?
    @Lenient public var viewCountRecipient: Int?
    /// The recipient swapped the gift: `cart` and `amounts` are what they chose, `original_cart`
    /// and `original_amounts` what was sent.
    @Lenient public var isSwapped: Bool?
    @Lenient public var orderBatchID: String?
    /// After a swap, what the chosen products cost.
    public var amounts: OrderAmounts
    @Lenient public var eventTimes: OrderEventTimes?
    @Lenient public var originalCart: Cart?
    @Lenient public var originalAmounts: OriginalAmounts?
    @Lenient public var sender: Sender?
    @Lenient public var paymentLink: String?
    public var referenceID: String

    public init(
        id: String, recipientFirstName: String, recipientLastName: String?, recipientEmail: String?,
        status: Open<OrderStatus>, individualGiftLink: String, cart: Cart?, workspaceID: String?,
        workspaceName: String?, expiresAt: String?, cardID: String?, message: String?, orderBatchID: String?,
        amounts: OrderAmounts, sender: Sender?, referenceID: String
    ) {
        self.id = id
        self.recipientFirstName = recipientFirstName
        self.recipientLastName = recipientLastName
        self.recipientEmail = recipientEmail
        self.status = status
        self.individualGiftLink = individualGiftLink
        self.cart = cart
        shipments = []
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
        self.expiresAt = expiresAt
        self.cardID = cardID
        self.message = message
        viewCountRecipient = 0
        isSwapped = false
        self.orderBatchID = orderBatchID
        self.amounts = amounts
        self.sender = sender
        self.referenceID = referenceID
    }

    enum CodingKeys: String, CodingKey {
        case id, status, cart, shipments, message, amounts, sender
        case recipientFirstName = "recipient_first_name"
        case recipientLastName = "recipient_last_name"
        case recipientEmail = "recipient_email"
        case individualGiftLink = "individual_gift_link"
        case cartSelections = "cart_selections"
        case workspaceID = "workspace_id"
        case workspaceName = "workspace_name"
        case expiresAt = "expires_at"
        case cardID = "card_id"
        case thankYouNote = "thank_you_note"
        case viewCountRecipient = "view_count_recipient"
        case isSwapped = "is_swapped"
        case orderBatchID = "order_batch_id"
        case eventTimes = "event_times"
        case originalCart = "original_cart"
        case originalAmounts = "original_amounts"
        case paymentLink = "payment_link"
        case referenceID = "reference_id"
    }
}

/// `OrderActivity`: one step an order took (`GET /v1/order_activities`), with the order as it is
/// now. `order_status` is read open: the document's `OrderActivityStatus` lists fewer statuses than
/// `OrderStatus` ("accepted" is not among them though orders reach it), so whatever Goody writes is
/// kept.
public struct OrderActivity: Codable, Sendable, Hashable {
    public var id: String
    public var orderStatus: Open<OrderStatus>
    public var createdAt: String
    public var order: Order

    public init(id: String, orderStatus: Open<OrderStatus>, createdAt: String, order: Order) {
        self.id = id
        self.orderStatus = orderStatus
        self.createdAt = createdAt
        self.order = order
    }

    enum CodingKeys: String, CodingKey {
        case id, order
        case orderStatus = "order_status"
        case createdAt = "created_at"
    }
}

/// The body of `POST /v1/orders/{id}/update_expiration`.
public struct ExpirationUpdate: Codable, Sendable, Hashable {
    /// ISO 8601.
    public var expiration: String

    public init(expiration: String) { self.expiration = expiration }
}

/// A recipient as a batch remembers them (`OrderBatchRecipient`).
public struct BatchRecipient: Codable, Sendable, Hashable {
    public var firstName: String
    @Nullable public var lastName: String?
    @Nullable public var email: String?

    public init(firstName: String, lastName: String?, email: String?) {
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
    }

    enum CodingKeys: String, CodingKey {
        case email
        case firstName = "first_name"
        case lastName = "last_name"
    }
}

/// An order batch: one cart, message and send method for a list of recipients. What the tool
/// acts on is its ID, `send_status`, `scheduled_send_on`, `customer_reference_id` and, to find a
/// batch whose answer was lost, what it was sent with; everything else is `@Lenient`.
/// `orders_count` "might be blank if the order batch is scheduled for the future".
public struct OrderBatch: Codable, Sendable, Hashable {
    public var id: String
    public var sendStatus: Open<SendStatus>
    @Lenient public var fromName: String?
    @Lenient public var message: String?
    @Lenient public var ordersCount: Int?
    /// The first 10 orders; empty while a batch of more than 10 is being created. `nil` when it
    /// could not be read: the orders are then read from `/orders`.
    @Lenient public var ordersPreview: [Order]?
    @Lenient public var recipientsCount: Int?
    @Lenient public var recipientsPreview: [BatchRecipient]?
    @Lenient public var cart: Cart?
    @Lenient public var isScheduledSend: Bool?
    @Nullable public var scheduledSendOn: String?
    @Lenient public var expiresAt: String?
    /// Nullable in the document, and unknown methods are kept.
    @Lenient public var sendMethod: Open<SendMethod>?
    @Lenient public var batchName: String?
    @Lenient public var cardID: String?
    @Lenient public var sender: Sender?
    @Lenient public var workspaceID: String?
    @Lenient public var workspaceName: String?
    @Lenient public var referenceID: String?
    /// The idempotency key given on creation, or null; not every listing carries it.
    @Nullable public var customerReferenceID: String?

    public init(
        id: String, sendStatus: Open<SendStatus>, fromName: String?, message: String?, ordersCount: Int?,
        ordersPreview: [Order], recipientsCount: Int, recipientsPreview: [BatchRecipient], cart: Cart?,
        isScheduledSend: Bool, scheduledSendOn: String?, expiresAt: String?, sendMethod: SendMethod?,
        batchName: String?, cardID: String?, sender: Sender?, workspaceID: String?, workspaceName: String?,
        referenceID: String, customerReferenceID: String?
    ) {
        self.id = id
        self.sendStatus = sendStatus
        self.fromName = fromName
        self.message = message
        self.ordersCount = ordersCount
        self.ordersPreview = ordersPreview
        self.recipientsCount = recipientsCount
        self.recipientsPreview = recipientsPreview
        self.cart = cart
        self.isScheduledSend = isScheduledSend
        self.scheduledSendOn = scheduledSendOn
        self.expiresAt = expiresAt
        self.sendMethod = sendMethod.map(Open.known)
        self.batchName = batchName
        self.cardID = cardID
        self.sender = sender
        self.workspaceID = workspaceID
        self.workspaceName = workspaceName
        self.referenceID = referenceID
        self.customerReferenceID = customerReferenceID
    }

    enum CodingKeys: String, CodingKey {
        case id, message, cart, sender
        case sendStatus = "send_status"
        case fromName = "from_name"
        case ordersCount = "orders_count"
        case ordersPreview = "orders_preview"
        case recipientsCount = "recipients_count"
        case recipientsPreview = "recipients_preview"
        case isScheduledSend = "is_scheduled_send"
        case scheduledSendOn = "scheduled_send_on"
        case expiresAt = "expires_at"
        case sendMethod = "send_method"
        case batchName = "batch_name"
        case cardID = "card_id"
        case workspaceID = "workspace_id"
        case workspaceName = "workspace_name"
        case referenceID = "reference_id"
        case customerReferenceID = "customer_reference_id"
    }
}
