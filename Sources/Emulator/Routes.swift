import Foundation
import GoodyAPI
public import Hummingbird

/// JSON answers as the Goody API gives them.
enum JSONResponse {
    static func ok(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, shaper: ResponseShaper? = nil,
        kind: ResponseShaper.Kind = .resource
    ) -> Response {
        var data = (try? GoodyJSON.encoder().encode(value)) ?? Data("{}".utf8)
        if let shaper { data = shaper.shape(data, kind: kind) }
        return Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func error(status: Int, message: String) -> Response {
        ok(APIErrorBody(error: message), status: HTTPResponse.Status(code: status))
    }

    static func error(_ error: EmulatorError) -> Response { Self.error(status: error.status, message: error.message) }

    /// A create whose batch is committed but whose answer never arrives whole: the head and half
    /// the body go out, then the connection is closed.
    static func dropped(_ value: some Encodable) -> Response {
        let data = (try? GoodyJSON.encoder().encode(value)) ?? Data("{}".utf8)
        let half = ByteBuffer(bytes: data.prefix(data.count / 2))
        return Response(
            status: .created, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(contentLength: data.count) { writer in
                try await writer.write(half)
                throw ConnectionDropped()
            })
    }

    struct ConnectionDropped: Error {}
}

/// The emulator's endpoints, as `../shared/reference/goody-openapi.json` describes them.
public enum EmulatorRoutes {
    public static func buildRouter(
        store: EmulatorStore, injector: FaultInjector, apiKeys: Set<String>
    ) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: FaultMiddleware(injector: injector))
        router.add(middleware: AuthMiddleware(keys: apiKeys))
        let catalogue = store.catalogue
        let shaper = ResponseShaper(variations: store.variations, omittedField: injector.faults.omittedField)
        let cap = store.variations.perPageCap
        @Sendable func ok(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
            JSONResponse.ok(value, status: status, shaper: shaper)
        }
        @Sendable func list<Item>(_ page: Page<Item>, kind: ResponseShaper.Kind = .list) -> Response {
            JSONResponse.ok(page, shaper: shaper, kind: kind)
        }
        @Sendable func paged<Item: Codable & Sendable & Hashable>(_ request: Request, _ items: [Item]) -> Response {
            do {
                let (page, perPage) = try pagination(request, cap: cap)
                return list(pageOf(items, page: page, perPage: perPage))
            } catch {
                return JSONResponse.error(error)
            }
        }

        router.get("/v1/me") { _, _ in ok(catalogue.me) }
        router.get("/v1/products") { request, _ in paged(request, catalogue.products) }
        router.get("/v1/products/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let product = catalogue.products.first(where: { $0.id == id }) else {
                return JSONResponse.error(.notFound("Product not found"))
            }
            return ok(product)
        }
        router.get("/v1/cards") { request, _ in paged(request, catalogue.cards) }
        router.get("/v1/payment_methods") { request, _ in paged(request, await store.paymentMethods()) }
        router.get("/v1/workspaces") { request, _ in paged(request, catalogue.workspaces) }
        router.post("/v1/order_batches/price") { request, context in
            await handling {
                let input = try await decode(OrderBatchPriceInput.self, request, context)
                return ok(try await store.price(input))
            }
        }
        router.post("/v1/order_batches") { request, context in
            await handling {
                let input = try await decode(OrderBatchInput.self, request, context)
                let batch = try await store.createBatch(input)
                let hold = await injector.holdAfterCommit()
                if hold > 0 { try await Task.sleep(for: .seconds(hold)) }
                if await injector.dropAfterCommit() { return JSONResponse.dropped(batch) }
                return ok(batch, status: .created)
            }
        }
        router.get("/v1/order_batches") { request, _ in
            await handling {
                let (page, perPage) = try pagination(request, cap: cap)
                return list(await store.batchPage(page: page, perPage: perPage), kind: .batchList)
            }
        }
        router.get("/v1/order_batches/:id") { _, context in
            await handling { ok(try await store.batch(id: try context.parameters.require("id"))) }
        }
        router.get("/v1/order_batches/:id/orders") { request, context in
            await handling {
                let id = try context.parameters.require("id")
                let (page, perPage) = try pagination(request, cap: cap)
                return list(try await store.batchOrders(id: id, page: page, perPage: perPage))
            }
        }
        router.get("/v1/order_batches/:id/recipients") { request, context in
            await handling {
                let id = try context.parameters.require("id")
                let (page, perPage) = try pagination(request, cap: cap)
                return list(try await store.batchRecipients(id: id, page: page, perPage: perPage))
            }
        }
        router.get("/v1/orders") { request, _ in
            await handling {
                let (page, perPage) = try pagination(request, cap: cap)
                let after = try parameter("created_at[after]", of: request).map(date)
                let before = try parameter("created_at[before]", of: request).map(date)
                return list(await store.orderPage(page: page, perPage: perPage, after: after, before: before))
            }
        }
        router.get("/v1/orders/:id") { _, context in
            await handling { ok(try await store.order(id: try context.parameters.require("id"))) }
        }
        router.post("/v1/orders/:id/cancel") { _, context in
            await handling {
                let order = try await store.cancelOrder(id: try context.parameters.require("id"))
                let hold = await injector.holdCancelAfterCommit()
                if hold > 0 { try await Task.sleep(for: .seconds(hold)) }
                return ok(order)
            }
        }
        router.post("/v1/orders/:id/update_expiration") { request, context in
            await handling {
                let id = try context.parameters.require("id")
                let body = try await decode(ExpirationUpdate.self, request, context)
                return ok(try await store.updateExpiration(id: id, to: body.expiration))
            }
        }
        router.get("/v1/order_activities") { request, _ in
            await handling {
                let (page, perPage) = try pagination(request, cap: cap)
                let after = try parameter("after", of: request).map(date)
                let before = try parameter("before", of: request).map(date)
                let statuses = parameter("statuses", of: request).map {
                    Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                }
                return list(
                    await store.activityPage(
                        page: page, perPage: perPage, after: after, before: before, statuses: statuses))
            }
        }
        return router
    }

    /// Runs a handler body, turning an `EmulatorError` into its JSON answer.
    private static func handling(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as EmulatorError {
            return JSONResponse.error(error)
        } catch {
            return JSONResponse.error(status: 400, message: "\(error)")
        }
    }

    /// `page` (from 1) and `per_page` (1 to 100, 20 when absent), `per_page` lowered to `cap`
    /// when the server caps it.
    /// A query parameter by its name, whether the client wrote the name's brackets as they are
    /// or percent-encoded (`created_at%5Bafter%5D`), as Rails reads both.
    static func parameter(_ name: String, of request: Request) -> String? {
        for (key, value) in request.uri.queryParameters
        where (String(key).removingPercentEncoding ?? String(key)) == name {
            return String(value).removingPercentEncoding ?? String(value)
        }
        return nil
    }

    static func pagination(_ request: Request, cap: Int? = nil) throws(EmulatorError) -> (Int, Int) {
        let query = request.uri.queryParameters
        var page = 1
        var perPage = 20
        if let text = query.get("page") {
            guard let value = Int(text) else { throw .badRequest("Page must be an integer") }
            guard value > 0 else { throw .badRequest("Page must be greater than 0") }
            page = value
        }
        if let text = query.get("per_page") {
            guard let value = Int(text) else { throw .badRequest("Per page must be an integer") }
            guard (1...100).contains(value) else { throw .badRequest("Per page must be between 1 and 100") }
            perPage = value
        }
        return (page, min(perPage, cap ?? perPage))
    }

    private static func pageOf<Item: Codable & Sendable & Hashable>(_ items: [Item], page: Int, perPage: Int) -> Page<
        Item
    > {
        let start = min(items.count, (page - 1) * perPage)
        return Page(
            data: Array(items[start..<min(items.count, start + perPage)]), listMeta: ListMeta(totalCount: items.count))
    }

    private static func date(_ text: String) throws(EmulatorError) -> Date {
        guard let date = GoodyJSON.date(text) else { throw .badRequest("\(text) is not an ISO 8601 date-time") }
        return date
    }

    /// Decodes a JSON body; a malformed one is a 400 that says which field is wrong.
    private static func decode<Value: Decodable>(_ type: Value.Type, _ request: Request, _ context: BasicRequestContext)
        async throws -> Value
    {
        var request = request
        let buffer = try await request.collectBody(upTo: 16 << 20)
        do {
            return try GoodyJSON.decoder().decode(type, from: Data(buffer.readableBytesView))
        } catch let DecodingError.keyNotFound(key, _) {
            throw EmulatorError.badRequest(
                "\(key.stringValue.replacingOccurrences(of: "_", with: " ").capitalizedFirst) can't be blank")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).filter { Int($0) == nil }.joined(separator: ".")
            throw EmulatorError.badRequest(field.isEmpty ? "The body is not valid JSON" : "\(field) is not valid")
        } catch let DecodingError.typeMismatch(_, context) {
            throw EmulatorError.badRequest(
                "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw EmulatorError.badRequest("The body is not valid JSON")
        }
    }
}

extension JSONResponse {
    static func error(_ error: any Error) -> Response {
        if let error = error as? EmulatorError { return Self.error(error) }
        return Self.error(status: 400, message: "\(error)")
    }
}

extension String {
    fileprivate var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
