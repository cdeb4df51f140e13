public import Foundation

/// How the emulator behaves: where it listens, which keys it accepts, how fast batches
/// complete, and which faults it injects.
public struct EmulatorConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Bearer keys accepted; any other gets 401.
    public var apiKeys: Set<String>
    /// Seeds the catalogue, every identifier and the fault decisions.
    public var seed: UInt64
    /// How long a batch of more than 10 recipients stays `pending` before it completes.
    public var asyncDelay: TimeInterval
    /// When set, each order moves one step along its path (opened, accepted, shipped…) every
    /// this many seconds, so `status` has something to report.
    public var statusStep: TimeInterval?
    /// The share of gift orders whose recipient never opens the link, and the share of the others
    /// who open it and never accept it (each order's fate is fixed by its ID). Direct send has no
    /// acceptance. An unaccepted gift goes no further once its `expires_at` has passed.
    public var notOpenedRate: Double = 0
    public var notAcceptedRate: Double = 0
    public var faults: Faults
    /// Shapes of answer the vendor's document allows that the emulator does not give by default.
    public var variations: Variations
    /// Every product costs this many percent more than the seeded catalogue says (a price rise
    /// between a plan and a later resume).
    public var priceMarkupPercent: Double = 0
    /// When set, every create and cancel is appended to this file and replayed on start, so the
    /// emulator's account outlives the process (as the real one does).
    public var journalPath: String?

    public init(
        host: String = "127.0.0.1", port: Int = 0, apiKeys: Set<String> = ["emulator-key"], seed: UInt64 = 1,
        asyncDelay: TimeInterval = 0.5, statusStep: TimeInterval? = nil, faults: Faults = Faults(),
        variations: Variations = Variations(), journalPath: String? = nil
    ) {
        self.variations = variations
        self.journalPath = journalPath
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.seed = seed
        self.asyncDelay = asyncDelay
        self.statusStep = statusStep
        self.faults = faults
    }

    /// Faults to prove a client right: slowness, rate limiting, server errors, lost responses.
    public struct Faults: Sendable, Equatable {
        /// Added to every answer.
        public var latency: TimeInterval
        /// At most this many requests a second; more are answered 429 with `Retry-After`.
        public var requestsPerSecond: Double?
        /// The share of requests answered 500, 502 or 503 without doing anything.
        public var serverErrorRate: Double
        /// The share of requests answered 429 (with `Retry-After: 1`) whatever the rate.
        public var throttledRate: Double
        /// The share of batch creates whose connection is dropped after the batch was committed.
        public var dropAfterCommitRate: Double
        /// The first batch create this emulator commits waits this long before it answers (or
        /// drops): a client is then surely waiting on a create that exists, for a test to kill it.
        public var holdFirstCreate: TimeInterval
        /// The second cancel this emulator commits waits this long before it answers: a client
        /// is then surely waiting on a cancel that happened, for a test to kill it.
        public var holdSecondCancel: TimeInterval = 0
        /// Every POST is answered `307 Temporary Redirect` to this base URL (and the same path),
        /// doing nothing: a client must not follow it.
        public var redirectPostsTo: String?
        /// A field left out of every answer, though the document may require it: an answer the
        /// client cannot use, to prove it says so and keeps what it recorded.
        public var omittedField: String?

        public init(
            latency: TimeInterval = 0, requestsPerSecond: Double? = nil, serverErrorRate: Double = 0,
            throttledRate: Double = 0, dropAfterCommitRate: Double = 0, omittedField: String? = nil,
            holdFirstCreate: TimeInterval = 0
        ) {
            self.holdFirstCreate = holdFirstCreate
            self.omittedField = omittedField
            self.latency = latency
            self.requestsPerSecond = requestsPerSecond
            self.serverErrorRate = serverErrorRate
            self.throttledRate = throttledRate
            self.dropAfterCommitRate = dropAfterCommitRate
        }

        public var isEmpty: Bool { self == Faults() }
    }

    /// Answers the real Goody may give, as its OpenAPI document allows, which a client must read.
    /// Each is a knob; `vendorMix` turns on a realistic mix of all of them.
    public struct Variations: Sendable, Equatable {
        /// The share of orders whose recipient swapped the gift: `is_swapped`, another `cart` and
        /// `amounts`, and `original_cart`/`original_amounts` in the vendor's shape.
        public var swapRate: Double
        /// The share of orders reported with a status the document's `OrderStatus` does not list
        /// (`pending_user_approval`, from its `OrderActivityStatus`).
        public var unknownStatusRate: Double
        /// `orders_count` is null while a batch is scheduled for the future ("might be blank").
        public var blankScheduledOrdersCount: Bool
        /// Pages hold at most this many items, whatever `per_page` asks.
        public var perPageCap: Int?
        /// `GET /v1/order_batches` leaves `customer_reference_id` out of each batch.
        public var listWithoutReference: Bool
        /// Lists come without `list_meta` (it is not required).
        public var omitListMeta: Bool
        /// How date-times are written.
        public var dateStyle: DateStyle
        /// `send_method` is null when a batch is read.
        public var nullSendMethod: Bool
        /// Direct send (`mailing_address`) is refused: the account is not an approved partner.
        public var directSendRefused: DirectSendRefusal?

        public enum DateStyle: String, Sendable, CaseIterable {
            /// `2026-06-03T12:25:15Z`
            case plain
            /// `2026-06-03T12:25:15.000Z`
            case milliseconds
            /// `2026-06-03T12:25:15+00:00`
            case offset
            /// Each of the three, by turns.
            case mixed
        }

        public enum DirectSendRefusal: String, Sendable, CaseIterable {
            /// Both the price and the create are refused.
            case always
            /// The price is given; the create is refused.
            case atCreate = "at-create"
        }

        public init(
            swapRate: Double = 0, unknownStatusRate: Double = 0, blankScheduledOrdersCount: Bool = false,
            perPageCap: Int? = nil, listWithoutReference: Bool = false, omitListMeta: Bool = false,
            dateStyle: DateStyle = .plain, nullSendMethod: Bool = false, directSendRefused: DirectSendRefusal? = nil
        ) {
            self.swapRate = swapRate
            self.unknownStatusRate = unknownStatusRate
            self.blankScheduledOrdersCount = blankScheduledOrdersCount
            self.perPageCap = perPageCap
            self.listWithoutReference = listWithoutReference
            self.omitListMeta = omitListMeta
            self.dateStyle = dateStyle
            self.nullSendMethod = nullSendMethod
            self.directSendRefused = directSendRefused
        }

        /// Every variation at once, as a first week against the real Goody might bring them.
        public static let vendorMix = Variations(
            swapRate: 0.2, unknownStatusRate: 0.1, blankScheduledOrdersCount: true, perPageCap: 7,
            listWithoutReference: true, omitListMeta: true, dateStyle: .mixed, nullSendMethod: true)

        /// Whether answers must be rewritten after encoding (keys left out, dates respelled).
        var reshapesJSON: Bool { listWithoutReference || omitListMeta || dateStyle != .plain }
    }

    /// Reads `GOODY_EMULATOR_*` variables over the given defaults: LATENCY_MS, RATE_LIMIT,
    /// ERROR_RATE, THROTTLE_RATE, DROP_RATE, ASYNC_DELAY, STATUS_STEP, NOT_OPENED_RATE,
    /// NOT_ACCEPTED_RATE, SEED, JOURNAL, and the
    /// variations: VENDOR_VARIATIONS, SWAP_RATE, UNKNOWN_STATUS_RATE, BLANK_SCHEDULED_COUNT,
    /// PER_PAGE_CAP, LIST_WITHOUT_REFERENCE, OMIT_LIST_META, DATE_STYLE, NULL_SEND_METHOD,
    /// DIRECT_SEND_REFUSED.
    public func overridden(by environment: [String: String]) -> EmulatorConfiguration {
        var configuration = self
        func number(_ name: String) -> Double? { environment["GOODY_EMULATOR_\(name)"].flatMap(Double.init) }
        if let value = number("LATENCY_MS") { configuration.faults.latency = value / 1000 }
        if let value = number("RATE_LIMIT") { configuration.faults.requestsPerSecond = value > 0 ? value : nil }
        if let value = number("ERROR_RATE") { configuration.faults.serverErrorRate = value }
        if let value = number("THROTTLE_RATE") { configuration.faults.throttledRate = value }
        if let value = number("DROP_RATE") { configuration.faults.dropAfterCommitRate = value }
        if let value = number("HOLD_FIRST_CREATE") { configuration.faults.holdFirstCreate = value }
        if let value = number("HOLD_SECOND_CANCEL") { configuration.faults.holdSecondCancel = value }
        if let value = number("PRICE_MARKUP") { configuration.priceMarkupPercent = value }
        if let value = environment["GOODY_EMULATOR_REDIRECT_POSTS_TO"], !value.isEmpty {
            configuration.faults.redirectPostsTo = value
        }
        if let value = environment["GOODY_EMULATOR_OMIT_FIELD"], !value.isEmpty {
            configuration.faults.omittedField = value
        }
        if let value = number("ASYNC_DELAY") { configuration.asyncDelay = value }
        if let value = number("STATUS_STEP") { configuration.statusStep = value > 0 ? value : nil }
        if let value = number("NOT_OPENED_RATE") { configuration.notOpenedRate = value }
        if let value = number("NOT_ACCEPTED_RATE") { configuration.notAcceptedRate = value }
        if let value = environment["GOODY_EMULATOR_SEED"].flatMap(UInt64.init) { configuration.seed = value }
        if let value = environment["GOODY_EMULATOR_JOURNAL"], !value.isEmpty { configuration.journalPath = value }
        func flag(_ name: String) -> Bool? {
            environment["GOODY_EMULATOR_\(name)"].map { ["1", "true", "yes", "on"].contains($0.lowercased()) }
        }
        if flag("VENDOR_VARIATIONS") == true { configuration.variations = .vendorMix }
        if let value = number("SWAP_RATE") { configuration.variations.swapRate = value }
        if let value = number("UNKNOWN_STATUS_RATE") { configuration.variations.unknownStatusRate = value }
        if let value = flag("BLANK_SCHEDULED_COUNT") { configuration.variations.blankScheduledOrdersCount = value }
        if let value = number("PER_PAGE_CAP") { configuration.variations.perPageCap = value > 0 ? Int(value) : nil }
        if let value = flag("LIST_WITHOUT_REFERENCE") { configuration.variations.listWithoutReference = value }
        if let value = flag("OMIT_LIST_META") { configuration.variations.omitListMeta = value }
        if let value = environment["GOODY_EMULATOR_DATE_STYLE"].flatMap(Variations.DateStyle.init(rawValue:)) {
            configuration.variations.dateStyle = value
        }
        if let value = flag("NULL_SEND_METHOD") { configuration.variations.nullSendMethod = value }
        if let value = environment["GOODY_EMULATOR_DIRECT_SEND_REFUSED"] {
            configuration.variations.directSendRefused = Variations.DirectSendRefusal(rawValue: value)
        }
        return configuration
    }
}
