import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import GoodyEmulator
import Ledger
import Planning
import Recipients
import Testing

@testable import Sending

/// `send` as a library, against the real emulator over sockets: exactly once, under faults.
struct SendSessionTests {
    let fixture = Fixture()

    private func people(_ count: Int, from start: Int = 0, header: String = "First Name,Last Name,Email,Manager")
        -> String
    {
        header + "\n"
            + (start..<(start + count)).map { "P\($0),Test,p\($0)@acme.example,Manager \($0 % 3)" }.joined(
                separator: "\n")
            + "\n"
    }

    private func request(
        _ path: String, method: SendMethod = .emailAndLink, _ campaign: CampaignSettings = CampaignSettings()
    )
        -> PlanRequest
    {
        var settings = campaign
        settings.sendMethod = method
        settings.fromName = settings.fromName ?? "People Team"
        settings.products = settings.products ?? [ProductChoice(product: "Cookie Box")]
        return PlanRequest(
            input: ValidationRequest(path: path, options: ValidationOptions(method: method), rejectedPath: ""),
            campaign: settings)
    }

    private func session(
        _ client: GoodyClient, output: String = "results.csv", ledger: String = "ledger.sqlite",
        account: String? = nil, splitBy: String? = nil, allowResend: Bool = false, simulated: Bool = true
    ) -> SendSession {
        SendSession(
            client: client,
            connection: ConnectionLabel(description: "test emulator", simulated: simulated, account: account),
            options: SendOptions(
                outputPath: fixture.path(output), ledgerPath: fixture.path(ledger), splitBy: splitBy,
                allowResend: allowResend, maxWait: .seconds(60), concurrency: 8,
                registry: LedgerRegistry(path: fixture.path("state/ledgers"))),
            progress: nil)
    }

    /// Plans and sends, as `send --yes` does.
    private func send(_ session: SendSession, _ request: PlanRequest) async throws -> SendReport {
        guard case .new(let prepared) = try await session.prepare(request) else {
            throw SendError("expected a new run")
        }
        return try await session.start(prepared, approval: "test")
    }

    /// Every order in the emulator's account.
    private func allOrders(_ store: EmulatorStore) async -> [Order] {
        var orders: [Order] = []
        var page = 1
        while true {
            let items = await store.orderPage(page: page, perPage: 100, after: nil, before: nil).data
            orders += items
            if items.count < 100 { return orders }
            page += 1
        }
    }

    private func results(_ name: String = "results.csv") throws -> [[String: String]] {
        let text = String(decoding: fixture.read(name) ?? [], as: UTF8.self)
        let lines = text.dropFirst().split(separator: "\r\n").map(String.init)  // BOM dropped
        let header = try #require(lines.first).split(separator: ",").map { $0.replacingOccurrences(of: "\"", with: "") }
        return lines.dropFirst().map { line in
            var fields: [String] = []
            var current = ""
            var quoted = false
            for character in line {
                if character == "\"" {
                    quoted.toggle()
                } else if character == "," && !quoted {
                    fields.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            fields.append(current)
            return Dictionary(uniqueKeysWithValues: zip(header, fields).map { ($0, $1) })
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func twoThousandRecipientsUnderFaultsGetExactlyOneOrderEach() async throws {
        let path = fixture.write("team.csv", people(2000))
        let faults = EmulatorConfiguration.Faults(serverErrorRate: 0.10, throttledRate: 0.05, dropAfterCommitRate: 0.05)
        let configuration = EmulatorConfiguration(apiKeys: ["test-key"], asyncDelay: 0.2, faults: faults)
        // The 429s here come at random, not from a rate: slowing below 4 requests a second for
        // them (as the pacer would for a real limit) only makes the test slow on a busy machine.
        let pacer = RequestPacer(minimumRate: 4)
        let (report, orders, statistics) = try await withEmulatorClient(configuration, pacer: pacer) {
            emulator, client in
            let report = try await send(session(client), request(path, CampaignSettings(batchSize: 50)))
            return (report, await allOrders(emulator.store), await emulator.store.statistics)
        }
        #expect(report.run.state == .complete)
        #expect(report.rowsSent == 2000)
        #expect(report.rowsFailed == 0 && report.rowsPending == 0)
        #expect(statistics.batchesCreated == 40, "one batch created per planned batch, never two")
        #expect(orders.count == 2000)
        #expect(Set(orders.compactMap(\.recipientEmail)).count == 2000, "no one got two gifts")
        let rows = try results()
        #expect(rows.count == 2000)
        let links = rows.compactMap { $0["gift_link"] }.filter { !$0.isEmpty }
        #expect(links.count == 2000 && Set(links).count == 2000, "every row has its own gift link")
        #expect(Set(links) == Set(orders.compactMap(\.individualGiftLink)))
        #expect(rows.allSatisfy { $0["error"] == "" && $0["order_status"] == "created" })
        let requests = try #require(report.requests)
        #expect(requests.serverErrors > 0 && requests.rateLimited > 0, "the faults were really there: \(requests)")
    }

    @Test func aCreateWhoseAnswerIsAlwaysLostIsFoundByItsReferenceNotCreatedAgain() async throws {
        let path = fixture.write("team.csv", people(30))
        let configuration = EmulatorConfiguration(
            apiKeys: ["test-key"], asyncDelay: 0.1, faults: .init(dropAfterCommitRate: 1))
        let (report, statistics) = try await withEmulatorClient(configuration) { emulator, client in
            let report = try await send(session(client), request(path, CampaignSettings(batchSize: 10)))
            return (report, await emulator.store.statistics)
        }
        #expect(report.rowsSent == 30)
        #expect(statistics.batchesCreated == 3)
        #expect(statistics.ordersCreated == 30)
        #expect(statistics.duplicateReferencesRejected > 0, "the client's own retry was refused as a duplicate")
        #expect(report.notes.contains { $0.contains("its answer was lost; found it at Goody by its reference") })
    }

    @Test func sendingTheSameFileAndSettingsAgainContinuesTheSameRun() async throws {
        let path = fixture.write("team.csv", people(12))
        try await withEmulatorClient { emulator, client in
            let first = try await send(session(client), request(path))
            #expect(first.rowsSent == 12)
            guard case .existing(let run, _) = try await session(client).prepare(request(path)) else {
                Issue.record("a second send of the same file started a new run")
                return
            }
            #expect(run.id == first.run.id)
            let again = try await session(client).resume(run, ledgerPath: fixture.path("ledger.sqlite"))
            #expect(again.rowsSent == 12)
            #expect(await emulator.store.statistics.batchesCreated == 1, "the second send created nothing")
            // Other settings are another send.
            guard
                case .new = try await session(client).prepare(
                    request(path, CampaignSettings(fromName: "Someone else")))
            else {
                Issue.record("different settings continued the old run")
                return
            }
        }
    }

    @Test func theSameSendWithAnotherOutputAndLedgerStillContinuesTheFirstRun() async throws {
        let path = fixture.write("team.csv", people(3))
        try await withEmulatorClient { emulator, client in
            let first = try await send(session(client), request(path))
            let elsewhere = session(client, output: "elsewhere.csv", ledger: "elsewhere.sqlite")
            guard case .existing(let run, let ledgerPath) = try await elsewhere.prepare(request(path))
            else {
                Issue.record("the same file and settings, written elsewhere, would have been sent again")
                return
            }
            #expect(run.id == first.run.id && ledgerPath == fixture.path("ledger.sqlite"))
            #expect(await emulator.store.statistics.batchesCreated == 1)
        }
    }

    @Test func aGiftSentToAnotherAccountDoesNotCountAsSent() async throws {
        let first = fixture.write("trial.csv", people(3))
        let second = fixture.write("real.csv", people(3, from: 1))
        // Two servers are two accounts: the first one's gifts are neither in the second's history
        // nor recorded for its account.
        try await withEmulatorClient { _, trial in
            _ = try await send(session(trial, simulated: false), request(first))
        }
        try await withEmulatorClient { _, real in
            let report = try await send(session(real, output: "real.results.csv", simulated: false), request(second))
            #expect(report.rowsAlreadySent == 0 && report.rowsSent == 3)
        }
    }

    @Test func aNewRunForTheSamePeopleIsRefusedWhileAnEarlierOneIsUnfinished() async throws {
        let first = fixture.write("first.csv", people(3))
        let second = fixture.write("second.csv", people(3, from: 2))
        let unrelated = fixture.write("unrelated.csv", people(3, from: 20))
        try await withEmulatorClient { emulator, client in
            let report = try await send(session(client), request(first))
            // As if it had stopped with its batch's answer never seen.
            let ledger = try RunLedger(path: fixture.path("ledger.sqlite"))
            try ledger.setState(.interrupted, ofRun: report.run.id)
            var batch = try #require(try ledger.batches(ofRun: report.run.id).first)
            batch.state = .creating
            try ledger.update(batch)
            await #expect {
                _ = try await session(client, output: "second.results.csv").prepare(request(second))
            } throws: { error in
                let message = (error as? SendRefusal)?.message ?? ""
                return message.contains("run \(report.run.id)")
                    && message.contains("goody-batch resume \(report.run.id)")
            }
            #expect(await emulator.store.statistics.batchesCreated == 1)
            // A file that shares nobody with the unfinished run is not held up by it.
            let other = try await send(session(client, output: "unrelated.results.csv"), request(unrelated))
            #expect(other.rowsSent == 3)
            // Finished, the next run goes ahead.
            _ = try await session(client).resume(report.run, ledgerPath: fixture.path("ledger.sqlite"))
            let next = try await send(session(client, output: "second.results.csv"), request(second))
            #expect(next.rowsSent == 2 && next.rowsAlreadySent == 1, "P2 got the first run's gift")
        }
    }

    @Test func peopleWhoAlreadyGotAGiftAreLeftOutOfALaterRun() async throws {
        let first = fixture.write("october.csv", people(5))
        let second = fixture.write("november.csv", people(5, from: 3))
        try await withEmulatorClient { emulator, client in
            _ = try await send(session(client, output: "october.results.csv"), request(first))
            let report = try await send(session(client, output: "november.results.csv"), request(second))
            #expect(report.rowsSent == 3)
            #expect(report.rowsAlreadySent == 2)
            let rows = try results("november.results.csv")
            let skipped = rows.filter { $0["error"]?.hasPrefix("not sent again: already gifted: run ") == true }
            #expect(skipped.map { $0["Email"] } == ["p3@acme.example", "p4@acme.example"])
            #expect(skipped.allSatisfy { $0["gift_link"] == "" })
            #expect(await allOrders(emulator.store).count == 8)
            // --allow-resend sends anyway.
            let third = fixture.write("again.csv", people(2, from: 0))
            let resent = try await send(session(client, output: "again.results.csv", allowResend: true), request(third))
            #expect(resent.rowsSent == 2)
        }
    }

    @Test func ordersWithoutEmailsAreMatchedByNameThenByPosition() async throws {
        let path = fixture.write(
            "list.csv", "First Name,Last Name\nAna,Lee\nBen,Okafor\nAna,Lee\nCarla,Diaz\n")
        try await withEmulatorClient { _, client in
            var request = request(path, method: .linkMultipleCustomList)
            request.input.options.allowDuplicates = true
            let report = try await send(session(client), request)
            #expect(report.rowsSent == 4)
            let ledger = try RunLedger(path: fixture.path("ledger.sqlite"))
            let orders = try ledger.orders(ofRun: report.run.id)
            let byLine = Dictionary(uniqueKeysWithValues: orders.compactMap { order in order.line.map { ($0, order) } })
            #expect(byLine[3]?.matchedBy == "name" && byLine[5]?.matchedBy == "name")
            #expect(byLine[2]?.matchedBy == "position" && byLine[4]?.matchedBy == "position")
            #expect(byLine[2]?.firstName == "Ana" && byLine[4]?.firstName == "Ana")
        }
    }

    @Test func aBatchGoodyFailsIsReportedAndItsRowsMarked() async throws {
        let path = fixture.write("team.csv", people(15))
        try await withEmulatorClient(EmulatorConfiguration(apiKeys: ["test-key"], asyncDelay: 0.1)) { _, client in
            let report = try await send(
                session(client), request(path, CampaignSettings(paymentMethod: "Mastercard 0002")))
            #expect(report.rowsSent == 0)
            #expect(report.rowsFailed == 15)
            #expect(report.batchesFailed == 1)
            #expect(report.notes.contains { $0.contains("failed at Goody") })
            let rows = try results()
            #expect(rows.allSatisfy { $0["error"] == "Goody marked the batch failed" && $0["gift_link"] == "" })
        }
    }

    @Test func aScheduledSendWaitsAndStatusCollectsItsLinksAfterTheSendDate() async throws {
        let path = fixture.write("team.csv", people(4))
        let clock = ShiftedClock()
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        let tomorrow = formatter.string(from: Date().addingTimeInterval(86_400))
        try await withEmulatorClient(clock: clock.now) { _, client in
            let report = try await send(session(client), request(path, CampaignSettings(sendOn: tomorrow)))
            #expect(report.run.state == .waiting)
            #expect(report.rowsPending == 4 && report.rowsSent == 0)
            #expect(report.renderText().contains("created; some gifts are scheduled for later"))
            #expect(report.renderText().contains("`goody-batch status \(report.run.id)` collects their gift links"))
            // Scheduled is a state, not an error.
            let day = ResultsWriter.day("\(tomorrow)T09:00:00Z")
            #expect(try results().allSatisfy { $0["order_status"] == "scheduled for \(day)" && $0["error"] == "" })

            let early = try await session(client).refreshStatus(report.run, ledgerPath: fixture.path("ledger.sqlite"))
            #expect(early.run.state == .waiting && early.rowsPending == 4)

            // A scheduled gift counts as sent: a later run leaves those people out.
            let overlap = fixture.write("more.csv", people(3, from: 2))
            guard
                case .new(let later) = try await session(client, output: "more.results.csv").prepare(
                    request(overlap))
            else { throw SendError("expected a new run") }
            #expect(later.priorGifts.count == 2)

            clock.advance(by: 2 * 86_400)
            let after = try await session(client).refreshStatus(early.run, ledgerPath: fixture.path("ledger.sqlite"))
            #expect(after.run.state == .complete)
            #expect(after.rowsSent == 4)
            #expect(try results().allSatisfy { $0["gift_link"]?.hasPrefix("https://gifts.ongoody.com/gift/") == true })
        }
    }

    @Test func statusRefreshesEachOrdersStatusAndRewritesTheResults() async throws {
        let path = fixture.write("team.csv", people(4))
        let configuration = EmulatorConfiguration(apiKeys: ["test-key"], statusStep: 0.3)
        try await withEmulatorClient(configuration) { _, client in
            let report = try await send(session(client), request(path))
            #expect(report.orderStatuses == ["created": 4])
            try await Task.sleep(for: .seconds(1.2))
            let refreshed = try await session(client).refreshStatus(
                report.run, ledgerPath: fixture.path("ledger.sqlite"))
            #expect(refreshed.orderStatuses == ["accepted": 4])
            #expect(refreshed.notes == ["4 order statuses changed (16 order activities read)."])
            #expect(try results().allSatisfy { $0["order_status"] == "accepted" })
        }
    }

    /// A run's recorded output settings that cannot be read stop the writing, said as such:
    /// never replaced by defaults that could show a manager what they should not see.
    @Test func unreadableOutputSettingsAreAnErrorNotADefault() async throws {
        let path = fixture.write("team.csv", people(3))
        try await withEmulatorClient { _, client in
            let report = try await send(
                session(client, splitBy: "Manager"),
                request(path, method: .emailAndLink, CampaignSettings(products: [ProductChoice(product: "Cookie Box")]))
            )
            var damaged = report.run
            damaged.outputJSON = "{\"share\": 7"
            #expect(throws: LedgerError.self) {
                try SendSession.export(damaged, ledgerPath: fixture.path("ledger.sqlite"))
            }
            do {
                _ = try SendSession.export(damaged, ledgerPath: fixture.path("ledger.sqlite"))
            } catch {
                #expect(error.localizedDescription.contains("cannot be read, so its files were not written again"))
            }
            // The same run as recorded writes its files again.
            #expect(try SendSession.export(report.run, ledgerPath: fixture.path("ledger.sqlite")).rowsSent == 3)
        }
    }

    @Test func theResultsAreExcelSafePrivateAndSplitByManager() async throws {
        let path = fixture.write(
            "ship.csv",
            """
            First Name,Last Name,Address 1,City,State,ZIP,Manager,Desk
            Ana,Lee,1 Main St,Boston,MA,2134,Sam Ortiz,"=HYPERLINK(""http://evil"")"
            Ben,Okafor,2 Elm St,Newark,NJ,07102,Ria Das,+1 idea
            Cy,Wu,,Boston,MA,02134,Sam Ortiz,@home

            """)
        try await withEmulatorClient { _, client in
            let report = try await send(
                session(client, splitBy: "Manager"),
                request(
                    path, method: .directSend, CampaignSettings(products: [ProductChoice(product: "Succulent Trio")])))
            #expect(report.rowsSent == 2 && report.rowsRejected == 1)
            // results.csv and .xlsx, the manifest (xlsx, csv), and an xlsx and a csv per manager
            #expect(report.outputs.count == 8)
        }
        let bytes = try #require(fixture.read("results.csv"))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
        #expect(text.contains("\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        #expect(text.contains("\"Newark\",\"NJ\",\"07102\""), "a ZIP code is written raw, its zero kept")
        #expect(text.contains("\"Boston\",\"MA\",\"2134\""), "input columns are written as they came")
        #expect(text.contains("\"'=HYPERLINK(\"\"http://evil\"\")\""), "a formula is neutralised")
        #expect(text.contains("\"'+1 idea\"") && text.contains("\"'@home\""))
        #expect(text.contains("column C (Address 1): the street address is empty"), "the rejected row says why")
        for name in ["results.csv", "results.sam-ortiz.csv", "results.ria-das.csv", "ledger.sqlite"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path(name))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(name) is private")
        }
        let sam = String(decoding: fixture.read("results.sam-ortiz.csv") ?? [], as: UTF8.self)
        #expect(sam.contains("Ana") && sam.contains("Cy") && !sam.contains("Ben"))
        #expect(fixture.files().filter { $0.hasSuffix(".tmp") }.isEmpty, "no temporary file is left behind")
    }
}
