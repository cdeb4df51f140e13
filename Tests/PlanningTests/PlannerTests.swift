import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import GoodyEmulator
import Recipients
import Testing

@testable import Planning

/// Plans against the real emulator over sockets.
struct PlannerTests {
    let fixture = Fixture()
    let now = Date(timeIntervalSince1970: 1_795_000_000)  // 2026-11-17

    private func makePlan(
        _ text: String, _ campaign: CampaignSettings, method: SendMethod = .emailAndLink, name: String = "people.csv"
    ) async throws -> (Plan, EmulatorStatistics) {
        let path = fixture.write(name, text)
        var settings = campaign
        settings.sendMethod = settings.sendMethod ?? method
        settings.fromName = settings.fromName ?? "People Team"
        let request = PlanRequest(
            input: ValidationRequest(path: path, options: ValidationOptions(method: method), rejectedPath: ""),
            campaign: settings, now: now, timeZone: TimeZone(identifier: "America/New_York") ?? .current)
        return try await withEmulatorClient { emulator, client in
            let plan = try await Planner(client: client).plan(request)
            return (plan, await emulator.store.statistics)
        }
    }

    private func people(_ count: Int, extra: (Int) -> String = { _ in "" }, header: String = "") -> String {
        "First Name,Email\(header)\n"
            + (0..<count).map { "P\($0),p\($0)@acme.example\(extra($0))" }.joined(separator: "\n") + "\n"
    }

    @Test func aProductGivenByIDThatTheListingLacksIsReadByItsID() async throws {
        let events = Recorder<RequestEvent>()
        let configuration = EmulatorConfiguration(apiKeys: ["k"], variations: .init(perPageCap: 3, omitListMeta: true))
        try await withEmulatorClient(configuration, observer: { events.append($0) }) { emulator, client in
            let listed = try #require(emulator.store.catalogue.product(named: "Candle Set")).id
            let unknown = "7a1e4c1e-0000-4000-8000-000000000000"
            let account = try await AccountSnapshot.fetch(client, productReferences: [listed.uppercased(), unknown])
            // The whole catalogue was read though every page held 3 products and no page said how many in all.
            #expect(account.products.count == emulator.store.catalogue.products.count)
            let byID = events.all.filter { $0.path.hasPrefix("/v1/products/") }.map(\.path)
            #expect(byID == ["/v1/products/\(unknown)"], "only the ID the listing lacks is asked for")
            #expect(throws: PlanError.self) { try account.product(matching: unknown) }
        }
    }

    @Test func recipientsAreChunkedByBatchSizeAndNothingIsCreated() async throws {
        let (plan, statistics) = try await makePlan(
            people(25), CampaignSettings(products: [ProductChoice(product: "Cookie Box")], batchSize: 10))
        #expect(plan.batches.map(\.recipients.count) == [10, 10, 5])
        #expect(plan.batches.map(\.number) == [1, 2, 3])
        #expect(plan.batches.allSatisfy { $0.cart.map(\.product.name) == ["Cookie Box"] })
        #expect(plan.recipientCount == 25)
        // Cookie Box: $35.00 + $8.00 shipping + 10% processing = $46.50; up to 10% tax on top.
        #expect(plan.totalLow == 25 * 4650)
        #expect(plan.totalHigh == 25 * 5115)
        #expect(statistics.batchesCreated == 0)
        #expect(statistics.ordersCreated == 0)
    }

    @Test func theSameFileAndSettingsGiveTheSamePlan() async throws {
        let text = people(30, extra: { $0 % 3 == 0 ? ",Wine Duo" : "," }, header: ",Gift")
        let campaign = CampaignSettings(products: [ProductChoice(product: "Candle Set")], batchSize: 7)
        let (first, _) = try await makePlan(text, campaign)
        let (second, _) = try await makePlan(text, campaign, name: "copy.csv")
        #expect(first.fingerprint == second.fingerprint)
        #expect(first.batches.map { $0.recipients.map(\.line) } == second.batches.map { $0.recipients.map(\.line) })
        let (other, _) = try await makePlan(
            text, CampaignSettings(products: [ProductChoice(product: "Candle Set")], batchSize: 8))
        #expect(other.fingerprint != first.fingerprint)
    }

    @Test func rowProductsAndMessagesSplitBatchesInFileOrder() async throws {
        let text = """
            First Name,Email,Gift,Gift Amount,Message
            Ana,ana@acme.example,,,
            Ben,ben@acme.example,Wine Duo,,
            Cy,cy@acme.example,,,
            Dee,dee@acme.example,Goody Gift Card,50,
            Eve,eve@acme.example,,,Thanks for everything!
            Fay,fay@acme.example,Wine Duo,,

            """
        let (plan, _) = try await makePlan(
            text,
            CampaignSettings(
                products: [ProductChoice(product: "Cookie Box")], message: "Happy anniversary!", card: "Birthday"))
        #expect(
            plan.batches.map { $0.recipients.map(\.firstName) } == [["Ana", "Cy"], ["Ben", "Fay"], ["Dee"], ["Eve"]])
        #expect(
            plan.batches.map { $0.cart.map(\.description).joined() } == [
                "Cookie Box", "Wine Duo", "Goody Gift Card $50.00", "Cookie Box",
            ])
        #expect(
            plan.batches.map(\.input.message) == [
                "Happy anniversary!", "Happy anniversary!", "Happy anniversary!", "Thanks for everything!",
            ])
        #expect(plan.batches[2].input.cart.items.first?.variablePrice == 5000)
    }

    @Test func aPersonalizedMessageIsItsOwnBatchAndSaidSo() async throws {
        let (plan, _) = try await makePlan(
            people(4),
            CampaignSettings(
                products: [ProductChoice(product: "Cookie Box")], message: "Happy anniversary, {{first_name}}!",
                card: "Birthday"))
        #expect(plan.batches.count == 4)
        #expect(plan.batchesWithoutPersonalization == 1)
        #expect(plan.personalization == ["first_name"])
        #expect(plan.batches.map(\.input.message) == (0..<4).map { "Happy anniversary, P\($0)!" })
        let text = plan.renderText(connection: ConnectionLabel(description: "test", simulated: true))
        #expect(text.contains("4 batches instead of 1"))
    }

    @Test func placeholdersMustNameAFieldOrColumn() async throws {
        let error = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(2, extra: { _ in ",Core" }, header: ",Team Name"),
                CampaignSettings(
                    products: [ProductChoice(product: "Cookie Box")], message: "Hi {{first_name}} of {{team}}",
                    card: "Birthday"))
        }
        #expect(error?.message.contains("{{team}}") == true)
        #expect(error?.message.contains("{{team_name}}") == true)
    }

    @Test func columnsFillPlaceholdersAsPlainText() async throws {
        let (plan, _) = try await makePlan(
            "First Name,Email,Team Name\nLiam,liam@acme.example,R&D <Core>\n",
            CampaignSettings(
                products: [ProductChoice(product: "Cookie Box")], message: "Thanks, {{first_name}} of {{team_name}}!",
                card: "Birthday"))
        #expect(plan.batches.first?.input.message == "Thanks, Liam of R&D <Core>!")
    }

    @Test func aMessageNeedsACard() async throws {
        let error = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(1), CampaignSettings(products: [ProductChoice(product: "Cookie Box")], message: "Hi"))
        }
        #expect(error?.message.contains("A message needs a card") == true)
        #expect(error?.message.contains("Work Anniversary") == true)
    }

    @Test func ambiguousAndUnknownProductsListTheCandidates() async throws {
        let ambiguous = await #expect(throws: PlanError.self) {
            try await makePlan(people(1), CampaignSettings(products: [ProductChoice(product: "coffee")]))
        }
        #expect(ambiguous?.message.contains("\"coffee\" matches 2 products") == true)
        #expect(ambiguous?.message.contains("Coffee Sampler") == true)
        #expect(ambiguous?.message.contains("Coffee Mug") == true)
        let unknown = await #expect(throws: PlanError.self) {
            try await makePlan(people(1), CampaignSettings(products: [ProductChoice(product: "Fruitcake")]))
        }
        #expect(unknown?.message.contains("No product is called \"Fruitcake\"") == true)
        #expect(unknown?.message.contains("Cookie Box") == true)
    }

    @Test func directSendNeedsTheRightNumberOfVariants() async throws {
        let address = "First Name,Street,City,State,Zip\nAna,1 Main St,Boston,MA,02134\n"
        let missing = await #expect(throws: PlanError.self) {
            try await makePlan(
                address, CampaignSettings(products: [ProductChoice(product: "Six Cookies")]), method: .directSend)
        }
        #expect(missing?.message.contains("direct_send needs 3 of") == true)
        let wrong = await #expect(throws: PlanError.self) {
            try await makePlan(
                address, CampaignSettings(products: [ProductChoice(product: "Six Cookies", variants: ["Sugar"])]),
                method: .directSend)
        }
        #expect(wrong?.message.contains("takes 3 variants (variants_num_selectable), but 1 was given") == true)
        let (plan, _) = try await makePlan(
            address,
            CampaignSettings(products: [
                ProductChoice(product: "Six Cookies", variants: ["sugar", "oatmeal raisin", "Snickerdoodle"])
            ]),
            method: .directSend)
        #expect(plan.batches.first?.input.cart.items.first?.variants == ["Sugar", "Oatmeal Raisin", "Snickerdoodle"])
        #expect(plan.batches.first?.input.recipients.first?.mailingAddress?.postalCode == "02134")
    }

    @Test func variablePricesNeedAnAmountWithinRange() async throws {
        let missing = await #expect(throws: PlanError.self) {
            try await makePlan(people(1), CampaignSettings(products: [ProductChoice(product: "Goody Gift Card")]))
        }
        #expect(missing?.message.contains("has a variable price") == true)
        let high = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(1), CampaignSettings(products: [ProductChoice(product: "Goody Gift Card", amount: "900")]))
        }
        #expect(high?.message.contains("$10.00 to $500.00") == true)
    }

    @Test func restrictedStatesRejectOnlyThoseRows() async throws {
        let text = "First Name,Street,City,State,Zip\nAna,1 Main St,Boston,MA,02134\nBen,2 Elm St,Provo,Utah,84601\n"
        let (plan, _) = try await makePlan(
            text, CampaignSettings(products: [ProductChoice(product: "Wine Duo")]), method: .directSend)
        #expect(plan.batches.flatMap(\.recipients).map(\.firstName) == ["Ana"])
        #expect(plan.rejected.map(\.code) == [.restrictedState])
        #expect(plan.rejected.first?.line == 3)
        #expect(plan.rejected.first?.message == "Wine Duo cannot be shipped to UT")
        #expect(plan.rejectedRowCount == 1)
    }

    @Test func datesAreCheckedAndWrittenInUTC() async throws {
        let past = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(1), CampaignSettings(products: [ProductChoice(product: "Cookie Box")], sendOn: "2026-01-05"))
        }
        #expect(past?.message.contains("is in the past") == true)
        let order = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(1),
                CampaignSettings(
                    products: [ProductChoice(product: "Cookie Box")], expires: "2026-12-01", sendOn: "2026-12-05"))
        }
        #expect(order?.message.contains("before they are sent") == true)
        let (plan, _) = try await makePlan(
            people(1),
            CampaignSettings(
                products: [ProductChoice(product: "Cookie Box")], expires: "2027-01-31", sendOn: "2026-12-01"))
        // 09:00 and the end of the day in New York.
        #expect(plan.batches.first?.input.scheduledSendOn == "2026-12-01T14:00:00Z")
        #expect(plan.batches.first?.input.expiresAt == "2027-02-01T04:59:59Z")
    }

    @Test func rowSendDatesInThePastRejectThoseRows() async throws {
        let text = "First Name,Email,Send Date\nAna,ana@acme.example,2026-01-01\nBen,ben@acme.example,2026-12-24\n"
        let (plan, _) = try await makePlan(text, CampaignSettings(products: [ProductChoice(product: "Cookie Box")]))
        #expect(plan.rejected.map(\.code) == [.sendDateInPast])
        #expect(plan.batches.first?.input.scheduledSendOn == "2026-12-24T14:00:00Z")
    }

    @Test func aBalanceNeedsAnExpiryAndEnoughFunds() async throws {
        let noExpiry = await #expect(throws: PlanError.self) {
            try await makePlan(
                people(1),
                CampaignSettings(products: [ProductChoice(product: "Cookie Box")], paymentMethod: "Goody Balance"))
        }
        #expect(noExpiry?.message.contains("requires an expiry") == true)
        let (plan, _) = try await makePlan(
            people(25),
            CampaignSettings(
                products: [ProductChoice(product: "Goody Gift Card", amount: "250")], expires: "2027-01-31",
                paymentMethod: "goody balance"))
        #expect(plan.funds == .insufficient(balance: 500_000, needed: plan.totalHigh))
        #expect(plan.insufficientFunds)
    }

    @Test func maxSpendComparesTheHighEstimate() async throws {
        let (within, _) = try await makePlan(
            people(2), CampaignSettings(products: [ProductChoice(product: "Cookie Box")], maxSpend: "103"))
        #expect(within.totalHigh == 2 * 5115)
        #expect(within.maxSpend == 10300)
        #expect(!within.exceedsMaxSpend)
        let (over, _) = try await makePlan(
            people(2), CampaignSettings(products: [ProductChoice(product: "Cookie Box")], maxSpend: "$102.29"))
        #expect(over.exceedsMaxSpend)
        let text = over.renderText(connection: ConnectionLabel(description: "test", simulated: true))
        #expect(text.contains("EXCEEDED"))
        #expect(text.contains("Refused"))
    }
}

struct CampaignFileTests {
    let fixture = Fixture()

    @Test func readsTheExampleTemplate() throws {
        let settings = try CampaignSettings.load(path: Repository.path("templates/campaign.example.yaml"))
        #expect(settings.sendMethod == .emailAndLink)
        #expect(settings.products == [ProductChoice(product: "Cookie Box", variants: ["Oatmeal Raisin"])])
        #expect(settings.message?.hasPrefix("Happy work anniversary, {{first_name}}!") == true)
        #expect(settings.maxSpend == "2500")
        #expect(settings.expires == "2027-01-31")
    }

    @Test func readsTheOccasionSamplesWithTheirMilestones() throws {
        let settings = try CampaignSettings.load(path: Repository.path("samples/work-anniversaries.campaign.yaml"))
        #expect(settings.occasion == "work_anniversary")
        #expect(settings.window == "next-month")
        #expect(settings.timeZone == "America/New_York")
        #expect(
            settings.milestones?["5"]
                == MilestoneGift(product: "Wine Duo", message: "Five years, {{first_name}}! Thank you."))
        #expect(settings.milestones?["10"]?.amount == "250")
        #expect(settings.milestones?["default"]?.product == "Cookie Box")
        #expect(settings.expires == "60 days")
        let birthdays = try CampaignSettings.load(path: Repository.path("samples/birthdays.campaign.yaml"))
        #expect(birthdays.occasion == "birthday")
    }

    @Test func milestonesAreYearsOrDefaultWithKnownSettings() {
        let years = fixture.write("m.yaml", "occasion: work_anniversary\nmilestones:\n  five: { product: Wine Duo }\n")
        let error = #expect(throws: PlanError.self) { try CampaignSettings.load(path: years) }
        #expect(error?.message.contains("milestones: \"five\" is not a number of years") == true)
        let unknown = fixture.write("u.yaml", "occasion: work_anniversary\nmilestones:\n  5: { prodcut: Wine Duo }\n")
        let named = #expect(throws: PlanError.self) { try CampaignSettings.load(path: unknown) }
        #expect(named?.message.contains("milestones: unknown setting prodcut") == true, "\(named?.message ?? "")")
    }

    @Test func unknownSettingsAreNamed() {
        let path = fixture.write("c.yaml", "send_method: email_and_link\nprodcut: Cookie Box\n")
        let error = #expect(throws: PlanError.self) { try CampaignSettings.load(path: path) }
        #expect(error?.message.contains("unknown setting prodcut") == true)
    }

    @Test func aWrongSendMethodListsTheRightOnes() {
        let path = fixture.write("c.yaml", "send_method: pigeon\n")
        let error = #expect(throws: PlanError.self) { try CampaignSettings.load(path: path) }
        #expect(error?.message.contains("send_method must be one of email_and_link") == true)
    }

    @Test func flagsWinOverTheFile() throws {
        let path = fixture.write(
            "c.yaml", "products:\n  - product: Coffee Sampler\n  - product: Coffee Mug\n    quantity: 2\nfrom_name: A\n"
        )
        let file = try CampaignSettings.load(path: path)
        #expect(file.products?.count == 2)
        let merged = file.overridden(by: CampaignSettings(fromName: "B"))
        #expect(merged.fromName == "B")
        #expect(merged.products?.last?.quantity == 2)
    }
}
