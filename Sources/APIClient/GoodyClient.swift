public import AsyncHTTPClient
public import Foundation
public import GoodyAPI
public import Logging
import NIOCore
import NIOHTTP1

/// When and how often to try a request again.
public struct RetryPolicy: Sendable {
    /// Attempts in all, the first included.
    public var maxAttempts: Int
    /// The first pause; each next one doubles, up to `maxDelay`, with random jitter.
    public var baseDelay: Double
    public var maxDelay: Double
    /// Honour `Retry-After` on 429 and 503 (capped at `maxRetryAfter`).
    public var maxRetryAfter: Double

    public init(maxAttempts: Int = 6, baseDelay: Double = 0.25, maxDelay: Double = 8, maxRetryAfter: Double = 60) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The pause before attempt `attempt + 1`: exponential with "full jitter" (between half and
    /// all of the exponential step), so many clients do not retry in step.
    func delay(after attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(retryAfter, maxRetryAfter) }
        let step = min(maxDelay, baseDelay * pow(2, Double(attempt - 1)))
        return step * Double.random(in: 0.5...1)
    }
}

/// One request as it happened, for progress, throughput accounting and tests.
public struct RequestEvent: Sendable {
    public var method: String
    public var path: String
    /// nil when no answer came.
    public var status: Int?
    public var attempt: Int
    public var seconds: Double
}

/// A client for the Goody API over AsyncHTTPClient. Reads (and the price calculation, which
/// changes nothing) are retried with exponential backoff and jitter; a create is retried only
/// when it carries a `customer_reference_id`, which makes a repeat harmless. The API key goes
/// into the `Authorization` header and nowhere else.
public struct GoodyClient: Sendable {
    public let environment: GoodyEnvironment
    private let apiKey: APIKey
    private let httpClient: HTTPClient
    public let retry: RetryPolicy
    private let timeout: TimeAmount
    private let logger: Logger
    private let observer: (@Sendable (RequestEvent) -> Void)?
    /// Shared by every request of this client, when set: paces them to the server's rate limit.
    public let pacer: RequestPacer?

    public init(
        environment: GoodyEnvironment, apiKey: APIKey, httpClient: HTTPClient, retry: RetryPolicy = RetryPolicy(),
        timeoutSeconds: Int64 = 30, logger: Logger = Logger(label: "goody-batch.client"), pacer: RequestPacer? = nil,
        observer: (@Sendable (RequestEvent) -> Void)? = nil
    ) {
        self.pacer = pacer
        self.environment = environment
        self.apiKey = apiKey
        self.httpClient = httpClient
        self.retry = retry
        timeout = .seconds(timeoutSeconds)
        self.logger = logger
        self.observer = observer
    }

    // MARK: - Account and catalogue

    public func me() async throws -> Me { try await get("/v1/me") }

    public func products(page: Int = 1, perPage: Int = 100) async throws -> Page<Product> {
        try await get("/v1/products", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    /// Every active product, page after page.
    public func allProducts() async throws -> [Product] {
        try await collect("GET /v1/products") { try await products(page: $0) }
    }

    public func product(id: String) async throws -> Product { try await get("/v1/products/\(escaped(id))") }

    public func cards(page: Int = 1, perPage: Int = 100) async throws -> Page<Card> {
        try await get("/v1/cards", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    public func allCards() async throws -> [Card] { try await collect("GET /v1/cards") { try await cards(page: $0) } }

    /// Every payment method, every page.
    public func paymentMethods() async throws -> [PaymentMethod] {
        try await collect("GET /v1/payment_methods") {
            try await get("/v1/payment_methods", query: [("page", "\($0)"), ("per_page", "100")])
        }
    }

    /// Every workspace, every page.
    public func workspaces() async throws -> [Workspace] {
        try await collect("GET /v1/workspaces") {
            try await get("/v1/workspaces", query: [("page", "\($0)"), ("per_page", "100")])
        }
    }

    // MARK: - Batches

    /// The dry-run cost estimate. It creates nothing, so it is retried like a read.
    public func price(_ input: OrderBatchPriceInput) async throws -> OrderBatchPrice {
        try await send("POST", "/v1/order_batches/price", body: input, retryable: true)
    }

    /// Creates a batch. Retried on a lost or failed answer only when `customerReferenceID` is
    /// set: Goody refuses a second create with the same reference, so a repeat cannot duplicate.
    public func createBatch(_ input: OrderBatchInput) async throws -> OrderBatch {
        try await send("POST", "/v1/order_batches", body: input, retryable: input.customerReferenceID != nil)
    }

    public func batches(page: Int = 1, perPage: Int = 100) async throws -> Page<OrderBatch> {
        try await get("/v1/order_batches", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    public func batch(id: String) async throws -> OrderBatch { try await get("/v1/order_batches/\(escaped(id))") }

    public func batchOrders(id: String, page: Int = 1, perPage: Int = 100) async throws -> Page<Order> {
        try await get(
            "/v1/order_batches/\(escaped(id))/orders", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    /// Every order of a batch, page after page. An order that cannot be read stops this with an
    /// error naming the field: its gift link would otherwise be lost.
    public func allBatchOrders(id: String) async throws -> [Order] {
        try await collect("GET /v1/order_batches/\(id)/orders") { try await batchOrders(id: id, page: $0) }
    }

    public func batchRecipients(id: String, page: Int = 1, perPage: Int = 100) async throws -> Page<BatchRecipient> {
        try await get(
            "/v1/order_batches/\(escaped(id))/recipients", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    /// Every recipient of a batch, page after page (a scheduled batch has recipients, no orders).
    public func allBatchRecipients(id: String) async throws -> [BatchRecipient] {
        try await collect("GET /v1/order_batches/\(id)/recipients") { try await batchRecipients(id: id, page: $0) }
    }

    /// Walks the account's batches page by page (Goody lists them newest first) until `visit`
    /// returns false or the list ends. Batches that cannot be read are in each page's
    /// `unreadable`, never an error: finding one batch must not depend on reading all the others.
    public func scanBatches(_ visit: (Page<OrderBatch>) throws -> Bool) async throws {
        try await paging({ try await batches(page: $0) }, visit)
    }

    // MARK: - Orders

    public func orders(page: Int = 1, perPage: Int = 100) async throws -> Page<Order> {
        try await get("/v1/orders", query: [("page", "\(page)"), ("per_page", "\(perPage)")])
    }

    /// Every order of the account, every page; with `createdAfter`, only those created at or
    /// after it (`created_at[after]`).
    public func allOrders(createdAfter: Date? = nil) async throws -> [Order] {
        guard let createdAfter else { return try await collect("GET /v1/orders") { try await orders(page: $0) } }
        let after = GoodyJSON.timestamp(createdAfter)
        return try await collect("GET /v1/orders") { page in
            try await get(
                "/v1/orders", query: [("page", "\(page)"), ("per_page", "100"), ("created_at[after]", after)])
        }
    }

    public func order(id: String) async throws -> Order { try await get("/v1/orders/\(escaped(id))") }

    /// Cancels an order; repeating it is harmless, so it is retried.
    public func cancelOrder(id: String) async throws -> Order {
        try await send("POST", "/v1/orders/\(escaped(id))/cancel", body: nil as String?, retryable: true)
    }

    // MARK: - Order activities

    /// One page of order activities (each step an order took), those created in `after...before`
    /// when given, with the given statuses when given.
    public func orderActivities(
        page: Int = 1, perPage: Int = 100, after: Date? = nil, before: Date? = nil, statuses: [String] = []
    ) async throws -> Page<OrderActivity> {
        var query = [("page", "\(page)"), ("per_page", "\(perPage)")]
        if let after { query.append(("after", GoodyJSON.timestamp(after))) }
        if let before { query.append(("before", GoodyJSON.timestamp(before))) }
        if !statuses.isEmpty { query.append(("statuses", statuses.joined(separator: ","))) }
        return try await get("/v1/order_activities", query: query)
    }

    /// Every order activity in `after...before`, every page, each once (an activity that moved
    /// to the next page while the pages were read is not counted twice).
    public func allOrderActivities(after: Date?, before: Date? = nil, statuses: [String] = []) async throws
        -> [OrderActivity]
    {
        let all = try await collect("GET /v1/order_activities") { page in
            try await orderActivities(page: page, after: after, before: before, statuses: statuses)
        }
        var seen: Set<String> = []
        return all.filter { seen.insert($0.id).inserted }
    }

    /// Moves when an order's gift link stops working. Setting the same moment twice is harmless,
    /// so it is retried.
    public func updateExpiration(id: String, to date: Date) async throws -> Order {
        try await send(
            "POST", "/v1/orders/\(escaped(id))/update_expiration",
            body: ExpirationUpdate(expiration: GoodyJSON.timestamp(date)), retryable: true)
    }

    // MARK: - Transport

    private func escaped(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? segment
    }

    /// Pages 1, 2, … until as many items as Goody's `total_count` have come or, without one, an
    /// empty page. `per_page` is only a wish: a server may send fewer, so a short page does not
    /// end the list. A page identical to the one before (a server ignoring `page`) ends it too.
    private func paging<Item>(
        _ fetch: (Int) async throws -> Page<Item>, _ visit: (Page<Item>) throws -> Bool
    ) async throws {
        var page = 1
        var seen = 0
        var previous: Page<Item>?
        while true {
            let result = try await fetch(page)
            if result.count == 0 || result == previous { return }
            seen += result.count
            guard try visit(result) else { return }
            if let total = result.listMeta?.totalCount, seen >= total { return }
            previous = result
            page += 1
        }
    }

    /// Every item of a list. One that cannot be read is an error naming the page and the field.
    private func collect<Item>(_ operation: String, _ fetch: (Int) async throws -> Page<Item>) async throws -> [Item] {
        var items: [Item] = []
        var page = 0
        try await paging(fetch) { result in
            page += 1
            if let bad = result.unreadable.first {
                throw GoodyClientError(
                    code: .undecodable("page \(page): \(bad.reason)"), operation: operation, status: 200)
            }
            items += result.data
            return true
        }
        return items
    }

    private func get<Value: Decodable>(_ path: String, query: [(String, String)] = []) async throws -> Value {
        try await send("GET", path, query: query, body: nil as String?, retryable: true)
    }

    private func send<Value: Decodable, Body: Encodable>(
        _ method: String, _ path: String, query: [(String, String)] = [], body: Body?, retryable: Bool
    ) async throws -> Value {
        let operation = "\(method) \(path)"
        let payload = try body.map { try GoodyJSON.encoder().encode($0) }
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await once(method, path, query: query, payload: payload, attempt: attempt)
            } catch let error as GoodyClientError where retryable && error.isTransient && attempt < retry.maxAttempts {
                let pause = retry.delay(after: attempt, retryAfter: error.retryAfter)
                logger.debug(
                    "retrying", metadata: ["operation": "\(operation)", "attempt": "\(attempt)", "pause": "\(pause)"])
                try await Task.sleep(for: .seconds(pause))
            }
        }
    }

    private func once<Value: Decodable>(
        _ method: String, _ path: String, query: [(String, String)], payload: Data?, attempt: Int
    ) async throws -> Value {
        let operation = "\(method) \(path)"
        var components = URLComponents(
            url: environment.baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)
        if !query.isEmpty { components?.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        var request = HTTPClientRequest(url: components?.url?.absoluteString ?? path)
        request.method = HTTPMethod(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(apiKey.secret)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "goody-batch")
        if let payload {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: payload))
        }
        let started = ContinuousClock.now
        func report(_ status: Int?) {
            let elapsed = ContinuousClock.now - started
            observer?(
                RequestEvent(
                    method: method, path: path, status: status, attempt: attempt,
                    seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        }
        let status: Int
        let bytes: ByteBuffer
        let retryAfter: Double?
        let location: String?
        try await pacer?.acquire()
        do {
            let response = try await httpClient.execute(request, timeout: timeout)
            status = Int(response.status.code)
            retryAfter = response.headers.first(name: "Retry-After").flatMap(Double.init)
            location = response.headers.first(name: "Location")
            bytes = try await response.body.collect(upTo: 64 << 20)
        } catch {
            await pacer?.record(status: nil, method: method, path: path)
            report(nil)
            if error is CancellationError || Task.isCancelled { throw CancellationError() }
            throw Self.transportError(error, operation: operation)
        }
        await pacer?.record(status: status, method: method, path: path)
        report(status)
        let data = Data(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            if (300..<400).contains(status) {
                throw GoodyClientError(code: .redirected(location ?? ""), operation: operation, status: status)
            }
            let message = (try? GoodyJSON.decoder().decode(APIErrorBody.self, from: data))?.error
            throw GoodyClientError(
                code: Self.code(for: status, message: message), operation: operation, status: status,
                apiMessage: message, retryAfter: retryAfter)
        }
        do {
            return try GoodyJSON.decoder().decode(Value.self, from: data)
        } catch {
            throw GoodyClientError(
                code: .undecodable(DecodingProblem.describe(error)), operation: operation, status: status)
        }
    }

    /// How the `HTTPClient` behind a `GoodyClient` must be set up: redirects are never followed
    /// (the client reports them instead), so no request, a POST with recipients least of all, is
    /// sent anywhere but the API it was given.
    public static var httpConfiguration: HTTPClient.Configuration {
        HTTPClient.Configuration(redirectConfiguration: .disallow)
    }

    private static func code(for status: Int, message: String?) -> GoodyClientError.Code {
        if status == 400 || status == 403, GoodyClientError.saysDirectSendIsForPartners(message) {
            return .directSendNotAllowed
        }
        return switch status {
        case 401: .unauthorized
        case 403: .forbidden
        case 404: .notFound
        case 429: .rateLimited
        case 500...: .server
        default: .badRequest
        }
    }

    private static func transportError(_ error: any Error, operation: String) -> GoodyClientError {
        if let error = error as? HTTPClientError, error == .deadlineExceeded || error == .readTimeout {
            return GoodyClientError(code: .timeout, operation: operation)
        }
        return GoodyClientError(code: .transport(String(describing: error)), operation: operation)
    }
}
