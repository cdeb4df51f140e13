import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import GoodyEmulator
import Testing

/// The real client against the real emulator listening on 127.0.0.1, over sockets.
struct ClientTests {
    private func batchInput(
        _ emulator: RunningEmulator, recipients: Int, reference: String? = nil
    ) -> OrderBatchInput {
        OrderBatchInput(
            fromName: "People Team", message: nil,
            recipients: (0..<recipients).map { RecipientInput(firstName: "R\($0)", email: "r\($0)@acme.example") },
            cart: CartInput(items: [
                CartItemInput(productID: emulator.store.catalogue.product(named: "Candle Set")?.id ?? "")
            ]),
            sendMethod: .linkMultipleCustomList, customerReferenceID: reference)
    }

    @Test func readsTheAccountAndTheWholeCatalogue() async throws {
        try await withEmulatorClient { emulator, client in
            let me = try await client.me()
            #expect(me.email == "pat.rivera@example.com")
            let products = try await client.allProducts()
            #expect(products == emulator.store.catalogue.products)
            #expect(try await client.allCards().count == emulator.store.catalogue.cards.count)
            #expect(try await client.workspaces().count == 2)
            #expect(try await client.paymentMethods().count == 3)
        }
    }

    @Test func aWrongKeyIsUnauthorizedAndNeverShown() async throws {
        try await GoodyEmulator.withRunning(EmulatorConfiguration(apiKeys: ["right"])) { emulator in
            try await HTTPClientScope.with { http in
                let secret = "sk_live_do_not_print_me"
                let client = GoodyClient(environment: .custom(emulator.url), apiKey: APIKey(secret), httpClient: http)
                let error = await #expect(throws: GoodyClientError.self) { try await client.me() }
                #expect(error?.isUnauthorized == true)
                let text = error?.localizedDescription ?? ""
                #expect(text.contains("GOODY_API_KEY"))
                #expect(!text.contains(secret))
                #expect(!"\(APIKey(secret))".contains(secret))
                #expect(!String(reflecting: APIKey(secret)).contains(secret))
                #expect(!"\(String(describing: client))".contains(secret))
            }
        }
    }

    @Test func largeBatchesCompleteLaterAndArePagedThrough() async throws {
        try await withEmulatorClient(EmulatorConfiguration(apiKeys: ["k"], asyncDelay: 0.2)) { emulator, client in
            let created = try await client.createBatch(batchInput(emulator, recipients: 150))
            #expect(created.sendStatus == .known(.pending))
            #expect(created.ordersPreview?.isEmpty == true)
            var batch = created
            for _ in 0..<50 where batch.sendStatus == .known(.pending) {
                try await Task.sleep(for: .milliseconds(50))
                batch = try await client.batch(id: created.id)
            }
            #expect(batch.sendStatus == .known(.complete))
            let orders = try await client.allBatchOrders(id: created.id)
            #expect(orders.count == 150)
            #expect(Set(orders.map(\.individualGiftLink)).count == 150)
            #expect(orders.map(\.recipientFirstName) == (0..<150).map { "R\($0)" })
        }
    }

    @Test func readsRideThroughServerErrors() async throws {
        let events = Recorder<RequestEvent>()
        let configuration = EmulatorConfiguration(apiKeys: ["k"], faults: .init(serverErrorRate: 0.4))
        try await withEmulatorClient(configuration, observer: { events.append($0) }) { emulator, client in
            for _ in 0..<20 { _ = try await client.me() }
        }
        let failed = events.all.filter { ($0.status ?? 0) >= 500 }
        #expect(!failed.isEmpty)
        #expect(events.all.filter { $0.status == 200 }.count == 20)
    }

    @Test func rateLimitsAreHonouredWithRetryAfter() async throws {
        let events = Recorder<RequestEvent>()
        // One request every four seconds: the second of two sent together is refused unless the
        // machine is so busy that four seconds pass between them.
        let configuration = EmulatorConfiguration(apiKeys: ["k"], faults: .init(requestsPerSecond: 0.25))
        let started = Date()
        try await withEmulatorClient(
            configuration, retry: RetryPolicy(maxAttempts: 10, baseDelay: 0.01, maxDelay: 0.05),
            observer: { events.append($0) }
        ) { _, client in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 { group.addTask { _ = try await client.me() } }
                try await group.waitForAll()
            }
        }
        #expect(events.all.contains { $0.status == 429 })
        #expect(events.all.filter { $0.status == 200 }.count == 2)
        // The refused one waited as long as Goody said (4 s), not the policy's 0.05 s at most.
        #expect(Date().timeIntervalSince(started) >= 4)
    }

    @Test func aCreateWithoutAReferenceIsNeverRepeated() async throws {
        let events = Recorder<RequestEvent>()
        let configuration = EmulatorConfiguration(apiKeys: ["k"], faults: .init(serverErrorRate: 1))
        _ = try await withEmulatorClient(configuration, observer: { events.append($0) }) { emulator, client in
            await #expect(throws: GoodyClientError.self) {
                try await client.createBatch(batchInput(emulator, recipients: 1))
            }
        }
        #expect(events.all.filter { $0.path == "/v1/order_batches" }.count == 1)
    }

    @Test func aCreateWithAReferenceIsRepeatedAndCannotDuplicate() async throws {
        let configuration = EmulatorConfiguration(apiKeys: ["k"], faults: .init(dropAfterCommitRate: 1))
        try await withEmulatorClient(configuration) { emulator, client in
            // The first answer is lost after the batch was made; the repeat is refused as a duplicate.
            let error = await #expect(throws: GoodyClientError.self) {
                try await client.createBatch(batchInput(emulator, recipients: 2, reference: "ref-1"))
            }
            #expect(error?.isBadRequest == true)
            #expect(error?.apiMessage == "Customer reference ID has already been taken")
            #expect(error?.saysReferenceTaken == true)
            func find(_ reference: String) async throws -> OrderBatch? {
                var found: OrderBatch?
                try await client.scanBatches { page in
                    found = page.data.first { $0.customerReferenceID == reference }
                    return found == nil
                }
                return found
            }
            let first = try await find("ref-1")
            #expect(first?.ordersPreview?.count == 2)
            #expect(await emulator.store.statistics.batchesCreated == 1)
            let second = try await find("ref-2")
            #expect(second == nil)
        }
    }

    @Test func badRequestsCarryGoodysMessage() async throws {
        try await withEmulatorClient { emulator, client in
            var input = batchInput(emulator, recipients: 1)
            input.recipients = []
            let error = await #expect(throws: GoodyClientError.self) { try await client.createBatch(input) }
            #expect(error?.apiMessage == "Recipients can't be blank")
            #expect(error?.localizedDescription.contains("Recipients can't be blank") == true)
            let missing = await #expect(throws: GoodyClientError.self) { try await client.batch(id: "nope") }
            #expect(missing?.isNotFound == true)
        }
    }

    @Test func plainHTTPIsOnlyForThisMachine() throws {
        #expect(try GoodyEnvironment.custom("http://127.0.0.1:8080") == .custom(URL(string: "http://127.0.0.1:8080")!))
        #expect(
            try GoodyEnvironment.custom("https://api.example.com") == .custom(URL(string: "https://api.example.com")!))
        #expect(throws: CredentialError.self) { try GoodyEnvironment.custom("http://api.example.com") }
        #expect(GoodyEnvironment.sandbox.baseURL.absoluteString == "https://api.sandbox.ongoody.com")
        #expect(GoodyEnvironment.production.baseURL.absoluteString == "https://api.ongoody.com")
    }

    @Test func keysComeFromAFileOrTheEnvironment() throws {
        let fixture = Fixture()
        let path = fixture.write("key", "  sk_test_123\n")
        #expect(try APIKey.load(keyFile: path, environment: [:]) == APIKey("sk_test_123"))
        #expect(try APIKey.load(keyFile: nil, environment: ["GOODY_API_KEY": "sk_env"]) == APIKey("sk_env"))
        #expect(try APIKey.load(keyFile: nil, environment: [:]) == nil)
        #expect(throws: CredentialError.self) { try APIKey.load(keyFile: fixture.path("missing"), environment: [:]) }
        #expect(APIKey.isShared(keyFile: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(!APIKey.isShared(keyFile: path))
    }
}

/// One API, however its URL is written, is one place: the account key starts from it.
struct EnvironmentPlaceTests {
    @Test func spellingsOfOneAPIAreOnePlace() throws {
        #expect(GoodyEnvironment.production.place == "production")
        #expect(try GoodyEnvironment.custom("https://api.ongoody.com/").place == "production")
        #expect(try GoodyEnvironment.custom("HTTPS://API.ONGOODY.COM:443").place == "production")
        #expect(try GoodyEnvironment.custom("https://api.sandbox.ongoody.com").place == GoodyEnvironment.sandbox.place)
        let loopback = try GoodyEnvironment.custom("http://127.0.0.1:8080").place
        #expect(try GoodyEnvironment.custom("http://localhost:8080/").place == loopback)
        #expect(try GoodyEnvironment.custom("http://[::1]:8080//").place == loopback)
        #expect(try GoodyEnvironment.custom("http://127.0.0.1:8081").place != loopback, "another port, another server")
        #expect(GoodyEnvironment.production.place != GoodyEnvironment.sandbox.place)
    }
}
