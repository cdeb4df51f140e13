import APIClient
import Crypto
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// An approval someone else gives (issue 20): `plan --out` writes the plan and the approver's
/// report; `send --plan` sends exactly what was approved or refuses, creating nothing. Through the
/// built binary against the built-in emulator, whose account lives in the state folder's journal.
struct ApprovalTests {
    let fixture = Fixture()

    func environment(today: String = "2026-12-04", _ extra: [String: String] = [:]) -> [String: String] {
        ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "\(today)T12:00"]
            .merging(extra) { $1 }
    }

    func run(_ arguments: [String], today: String = "2026-12-04", _ extra: [String: String] = [:]) async throws
        -> CommandResult
    {
        try await CLIRunner.running(
            arguments, in: fixture.directory.path, environment: environment(today: today, extra))
    }

    static let team = """
        First Name,Last Name,Email,Phone,Street,Manager,Salary
        Ana,Lee,ana@acme.example,(555) 234-7890,1 Secret Lane,Dee Park,91000
        Bo,Wu,bo@acme.example,(555) 234-7891,2 Secret Lane,Dee Park,82000
        Cy,Ng,cy@acme.example,(555) 234-7892,3 Secret Lane,Eve Stone,75000
        Di,Ho,di@acme.example,(555) 234-7893,4 Secret Lane,Eve Stone,64000

        """

    static let gift = [
        "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "People Team", "--card",
        "Birthday", "--message", "Thank you, {{first_name}}!",
    ]

    /// What the emulator created: per batch, its recipients' emails, message and product.
    private func created() async throws -> [[String]] {
        let emulator = try await ExternalEmulator.start(
            arguments: ["--journal", fixture.path("state/goody-batch/emulator-journal.jsonl")],
            environment: ["GOODY_BATCH_TODAY": "2026-12-04T12:00"])
        defer { emulator.stop() }
        let batches = try await emulator.batches()
        return try await emulator.withClient { client in
            var result: [[String]] = []
            for batch in batches {
                let emails = try await client.allBatchRecipients(id: batch.id).compactMap(\.email).sorted()
                result.append(emails + [batch.message ?? "", batch.cart?.items?.first?.product.id ?? ""])
            }
            return result.sorted { $0.description < $1.description }
        }
    }

    private func planFile(_ name: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: fixture.path(name)))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test(.timeLimit(.minutes(3)))
    func anApprovedPlanIsSentExactlyAsPlannedAndTheApprovalIsRecorded() async throws {
        fixture.write("team.csv", Self.team)
        let plan = try await run(
            ["plan", "team.csv"] + Self.gift + [
                "--split-by", "Manager", "--out", "december.goody-plan", "--report", "both",
            ])
        #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(plan.stderr.contains("Wrote the plan to december.goody-plan"), "\(plan.stderr)")
        #expect(plan.stderr.contains("goody-batch send --plan december.goody-plan --approved-by \"NAME\""))

        // The plan: private, versioned, every batch as it would be created.
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.path("december.goody-plan"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let file = try planFile("december.goody-plan")
        #expect(file["format"] as? String == "goody-batch-plan")
        #expect(file["version"] as? Int == 1)
        #expect((file["input"] as? [String: Any])?["sha256"] as? String == sha256(fixture.path("team.csv")))
        let batches = try #require(file["batches"] as? [[String: Any]])
        #expect(batches.count == 4)  // one message per person
        let planned = batches.map { batch -> [String] in
            let request = batch["request"] as? [String: Any]
            let recipients = (request?["recipients"] as? [[String: Any]])?.compactMap { $0["email"] as? String } ?? []
            let product = ((request?["cart"] as? [String: Any])?["items"] as? [[String: Any]])?.first?["product_id"]
            return recipients.sorted() + [request?["message"] as? String ?? "", product as? String ?? ""]
        }.sorted { $0.description < $1.description }
        #expect(file["approved_cap_cents"] as? Int == file["total_high_cents"] as? Int)

        // The approver's report: one page with no outside requests and no script, subtotals by
        // manager, how to approve; no phone, street or pay.
        let page = try String(contentsOfFile: fixture.path("december.goody-plan.html"), encoding: .utf8)
        #expect(!page.contains("<script"))
        #expect(!page.contains("src=\"http") && !page.contains("href=\"http") && !page.contains("url("))
        for secret in ["Secret Lane", "234-7890", "+15552347890", "91000"] {
            #expect(!page.contains(secret), "\(secret)")
        }
        // Its figures are the plan's: the total, each manager's subtotal, the counts.
        func dollars(_ cents: Int) -> String { Money.dollars(cents) }
        let totalLow = try #require(file["total_low_cents"] as? Int)
        let totalHigh = try #require(file["total_high_cents"] as? Int)
        #expect(page.contains("<p class=\"total\">\(dollars(totalLow)) – \(dollars(totalHigh))</p>"))
        var byManager: [String: (people: Int, low: Int, high: Int)] = [:]
        let managerOfLine = [2: "Dee Park", 3: "Dee Park", 4: "Eve Stone", 5: "Eve Stone"]
        for batch in batches {
            let lines = try #require(batch["lines"] as? [Int])
            let manager = try #require(managerOfLine[lines[0]])
            byManager[manager, default: (0, 0, 0)].people += lines.count
            byManager[manager, default: (0, 0, 0)].low += batch["estimate_low_cents"] as? Int ?? 0
            byManager[manager, default: (0, 0, 0)].high += batch["estimate_high_cents"] as? Int ?? 0
        }
        for (manager, figures) in byManager {
            #expect(
                page.contains(
                    "<tr><td>\(manager)</td><td class=\"num\">\(figures.people)</td><td class=\"num\">\(dollars(figures.low))</td><td class=\"num\">\(dollars(figures.high))</td></tr>"
                ), "\(manager)")
        }
        #expect(byManager.values.reduce(0) { $0 + $1.high } == totalHigh)
        #expect(page.contains("<li><strong>0</strong> already gifted"))
        #expect(page.contains("4 order batches, as Goody will create them."))

        let shown = try await CLIRunner.running(
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                "file://" + fixture.path("december.goody-plan.html"),
            ],
            executable: "/usr/bin/chromium")
        #expect(shown.exitCode == 0, "\(shown.stderr)")
        for text in [
            "Gift plan for approval: 4 gifts, up to", "By Manager", "Dee Park", "Eve Stone", "How to approve",
            "goody-batch send --plan december.goody-plan --approved-by", "Thank you, Ana!", "Spend by gift",
        ] {
            #expect(shown.stdout.contains(text), "\(text)")
        }

        let pdf = try await CLIRunner.running(
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--print-to-pdf=" + fixture.path("report.pdf"),
                "file://" + fixture.path("december.goody-plan.html"),
            ],
            executable: "/usr/bin/chromium")
        #expect(pdf.exitCode == 0, "\(pdf.stderr)")
        #expect(fixture.read("report.pdf")?.starts(with: Array("%PDF".utf8)) == true)

        // The workbook for approvers who want one: a row per person and the total, no pay.
        let book = try WrittenWorkbook(path: fixture.path("december.goody-plan.xlsx"))
        #expect(book.sheetName == "Plan")
        #expect(book.rows.count == 6)  // the header, 4 people, the total
        #expect(
            book.rows[0].values.map(\.text).sorted()
                == [
                    "Email", "First Name", "Gift", "High estimate", "Last Name", "Line", "Low estimate", "Manager",
                    "Batch", "Sends",
                ].sorted())
        #expect(book.rows[5]["A"]?.text == "Total")
        #expect(!book.rows.flatMap(\.values).contains { $0.text.contains("Secret") || $0.text == "91000" })

        // Sent as planned: the batches the emulator created are the plan's, batch by batch.
        let sent = try await run(["send", "--plan", "december.goody-plan", "--yes", "--approved-by", "Dana Reyes"])
        #expect(sent.exitCode == 0, "\(sent.stdout)\(sent.stderr)")
        #expect(sent.stderr.contains("the input, settings and batches are as approved"), "\(sent.stderr)")
        #expect(sent.stdout.contains("approved        by Dana Reyes on 2026-12-04"), "\(sent.stdout)")
        #expect(try await created() == planned)

        // The results workbook says who approved what and when, on its "Run" sheet.
        let about = try WrittenWorkbook(path: fixture.path("team.results.xlsx"), sheet: 2)
        let values = Dictionary(
            about.rows.compactMap { row in row["A"].map { ($0.text, row["B"]?.text ?? "") } }
        ) { first, _ in first }
        #expect(values["Approved by"] == "Dana Reyes")
        #expect(values["Plan SHA-256"] == sha256(fixture.path("december.goody-plan")))
        #expect(values["Approved at"]?.hasPrefix("2026-12-04T12:00") == true)
        // Every amount Goody returns, per order: before tax it is known at once.
        let results = try WrittenCSV.rows(at: fixture.path("team.results.csv"))
        #expect(results.allSatisfy { Double($0["amount_pre_tax_total"] ?? "") ?? 0 > 0 }, "\(results)")
        #expect(results.allSatisfy { $0["amount_tax"] == "" })
        // And what the orders come to: tax only once gifts are accepted, which it says.
        #expect(values["Orders"] == "4")
        #expect(values["Before tax"]?.hasPrefix("$") == true, "\(values)")
        #expect(values["Tax"] == "$0.00 (0 of 4 orders; Goody gives it once a gift is accepted)", "\(values)")
        #expect(
            FileManager.default.fileExists(atPath: fixture.path("team.results.dee-park.xlsx")), "\(fixture.files())")

        let runs = try await run(["runs", "--json"])
        let listed = try #require(try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])
        #expect(listed.count == 1)
        #expect(listed.first?["approved_by"] as? String == "Dana Reyes")
        #expect(listed.first?["plan_sha256"] as? String == sha256(fixture.path("december.goody-plan")))
        #expect(
            listed.first?["approved_at"] as? String == "2026-12-04T12:00:00Z" || listed.first?["approved_at"] != nil)

        // The same plan again continues that run: nothing is sent twice.
        let again = try await run(["send", "--plan", "december.goody-plan", "--yes"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stderr.contains("already sent with these settings"), "\(again.stderr)")
        #expect(try await created().count == 4)
    }

    @Test(.timeLimit(.minutes(3)))
    func aPlanIsRefusedWhenWhatWouldBeSentIsNotWhatWasApproved() async throws {
        fixture.write("team.csv", Self.team)
        fixture.write("campaign.yaml", "max_spend: 400\n")
        let plan = try await run(
            ["plan", "team.csv", "--campaign", "campaign.yaml"] + Self.gift + ["--out", "q1.goody-plan"])
        #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
        #expect(try planFile("q1.goody-plan")["approved_cap_cents"] as? Int == 40_000)
        func refused(_ result: CommandResult, _ text: String, sourceLocation: SourceLocation = #_sourceLocation)
            async throws
        {
            #expect(result.exitCode == 4, "\(result.stdout)\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains(text), "\(result.stderr)", sourceLocation: sourceLocation)
            #expect(result.stderr.contains("Nothing was created."), sourceLocation: sourceLocation)
            let runs = try await run(["runs", "--json"])
            #expect(runs.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]", sourceLocation: sourceLocation)
        }

        // One byte of the input.
        let original = try #require(fixture.read("team.csv"))
        fixture.write("team.csv", Self.team.replacingOccurrences(of: "Di,Ho", with: "Di,Hu"))
        try await refused(
            try await run(["send", "--plan", "q1.goody-plan", "--yes"]),
            "team.csv changed since q1.goody-plan was planned")
        fixture.write("team.csv", bytes: original)

        // A setting: on the command line, or in the campaign file.
        try await refused(
            try await run(["send", "--plan", "q1.goody-plan", "--yes", "--product", "Wine Duo"]),
            "--plan sends exactly what was approved, so it takes no other file or setting (--product Wine Duo)")
        fixture.write("campaign.yaml", "max_spend: 400\nexpires: 30 days\n")
        try await refused(
            try await run(["send", "--plan", "q1.goody-plan", "--yes"]), "campaign.yaml changed since q1.goody-plan")
        fixture.write("campaign.yaml", "max_spend: 400\n")

        // Too old.
        try await refused(
            try await run(["send", "--plan", "q1.goody-plan", "--yes"], today: "2026-12-19"),
            "more than --max-plan-age 14 days allows")

        // Prices rose past the cap: refused with the difference; a new --max-spend sends.
        let dear = ["GOODY_EMULATOR_PRICE_MARKUP": "150"]
        let rose = try await run(["send", "--plan", "q1.goody-plan", "--yes"], dear)
        try await refused(rose, "prices rose since")
        #expect(rose.stderr.contains("above the $400.00 approved"), "\(rose.stderr)")
        let figure = try #require(rose.stderr.firstMatch(of: /--max-spend (\d+\.\d\d)/)?.output.1)
        let approvedAgain = try await run(
            ["send", "--plan", "q1.goody-plan", "--yes", "--max-spend", String(figure), "--approved-by", "Finance"],
            dear)
        #expect(approvedAgain.exitCode == 0, "\(approvedAgain.stdout)\(approvedAgain.stderr)")
        let runs = try await run(["runs", "--json"])
        let approval = try #require(
            (try JSONSerialization.jsonObject(with: Data(runs.stdout.utf8)) as? [[String: Any]])?.first?["approval"]
                as? String)
        #expect(approval.contains("--max-spend $\(figure) given with the send, a new approval"), "\(approval)")
        #expect(approval.contains("approved by Finance"))
    }

    /// Someone was gifted between the plan and its send (another send, for the same occasion):
    /// the batches are no longer those approved, so the plan is refused, naming the line.
    @Test(.timeLimit(.minutes(2)))
    func aPlanWhosePeopleChangedIsRefusedNamingThem() async throws {
        fixture.write("team.csv", Self.team)
        let plan = try await run(["plan", "team.csv"] + Self.gift + ["--out", "p.goody-plan"])
        #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
        fixture.write("ana.csv", "First Name,Last Name,Email\nAna,Lee,ana@acme.example\n")
        let other = try await run(["send", "ana.csv"] + Self.gift + ["--yes"])
        #expect(other.exitCode == 0, "\(other.stderr)")
        let held = try await run(["send", "--plan", "p.goody-plan", "--yes"])
        #expect(held.exitCode == 4, "\(held.stdout)\(held.stderr)")
        #expect(
            held.stderr.contains(
                "the batches would not be those of \(fixture.path("p.goody-plan")): line 2 was planned and would not be sent now (gifted since"
            ), "\(held.stderr)")
        #expect(try await created().count == 1)
    }

    /// An occasion's plan: each gift's day is in the plan file, the report shows spend by day,
    /// and the send schedules exactly those days, even with a relative window (`next-month`).
    @Test(.timeLimit(.minutes(3)))
    func anOccasionsPlanSchedulesEachGiftOnItsApprovedDay() async throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
        for name in ["bamboohr-roster.csv", "work-anniversaries.campaign.yaml"] {
            let data = try Data(contentsOf: samples.appendingPathComponent(name))
            fixture.write(name, bytes: Array(data))
        }
        let plan = try await run(
            [
                "plan", "bamboohr-roster.csv", "--campaign", "work-anniversaries.campaign.yaml", "--window",
                "next-month", "--out", "january.goody-plan",
            ], today: "2026-12-30")
        #expect(plan.exitCode == 0, "\(plan.stdout)\(plan.stderr)")
        let file = try planFile("january.goody-plan")
        #expect((file["occasion"] as? [String: Any])?["window"] as? String == "2027-01-01..2027-01-31")
        let days = try #require(file["batches"] as? [[String: Any]]).compactMap {
            ($0["request"] as? [String: Any])?["scheduled_send_on"] as? String
        }
        #expect(days.count == 3, "\(days)")
        let page = try String(contentsOfFile: fixture.path("january.goody-plan.html"), encoding: .utf8)
        #expect(page.contains("Spend by day (high estimate)"))
        #expect(page.contains("Occasion: work anniversary, January 2027"))
        #expect(page.contains("<li><strong>27</strong> not due in the window"))

        // Approved on the 30th, sent on New Year's Day: still January's anniversaries.
        let sent = try await run(
            ["send", "--plan", "january.goody-plan", "--yes", "--approved-by", "Dana"], today: "2027-01-01")
        #expect(sent.exitCode == 0, "\(sent.stdout)\(sent.stderr)")
        let emulator = try await ExternalEmulator.start(
            arguments: ["--journal", fixture.path("state/goody-batch/emulator-journal.jsonl")],
            environment: ["GOODY_BATCH_TODAY": "2027-01-01T12:00"])
        defer { emulator.stop() }
        let scheduled = try await emulator.batches().compactMap(\.scheduledSendOn).compactMap(GoodyJSON.date)
        #expect(Set(scheduled) == Set(days.compactMap(GoodyJSON.date)), "\(scheduled) \(days)")
    }

    private func sha256(_ path: String) -> String {
        let data = FileManager.default.contents(atPath: path) ?? Data()
        return SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
