import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// After the send (issue 21): `status` follows every gift through Goody's order activities,
/// `cancel` and `extend` act on unaccepted gifts once each, recorded before and after each call.
/// Through the built binary against the built-in emulator, whose account lives in the state
/// folder's journal, with the clock moved by `GOODY_BATCH_TODAY`.
struct AfterTheSendTests {
    let fixture = Fixture()

    /// One status step a day; some recipients never open, some never accept; pages of 3, so
    /// reading every page matters.
    static let life = [
        "GOODY_EMULATOR_STATUS_STEP": "86400", "GOODY_EMULATOR_NOT_OPENED_RATE": "0.3",
        "GOODY_EMULATOR_NOT_ACCEPTED_RATE": "0.5", "GOODY_EMULATOR_PER_PAGE_CAP": "3",
    ]

    func run(_ arguments: [String], today: String, _ extra: [String: String] = [:]) async throws -> CommandResult {
        try await CLIRunner.running(
            arguments, in: fixture.directory.path,
            environment: [
                "GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "\(today)T12:00",
            ].merging(extra) { $1 })
    }

    static func team(_ count: Int) -> String {
        "Employee ID,First Name,Last Name,Email,Manager\n"
            + (1...count).map {
                "E\($0),Person\($0),Lee,p\($0)@acme.example,\($0 % 2 == 0 ? "Dee Park" : "Eve Stone")\n"
            }
            .joined()
    }

    static let gift = [
        "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "People Team",
        "--expires", "2026-12-20", "--yes",
    ]

    func results(_ name: String = "team.results.csv") throws -> [[String: String]] {
        try WrittenCSV.rows(at: fixture.path(name))
    }

    /// The emulator's journal: what changed the account, one entry a line.
    func journal(_ key: String) throws -> [String] {
        let text = String(decoding: fixture.read("state/goody-batch/emulator-journal.jsonl") ?? [], as: UTF8.self)
        return try text.split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return object?[key] as? String
        }
    }

    func runID(_ output: String) throws -> String {
        let match = try #require(output.firstMatch(of: #/Run (r[0-9a-f]+) /#))
        return String(match.1)
    }

    @Test(.timeLimit(.minutes(4)))
    func statusFollowsEachGiftWithTheDateOfEachStepAndExtendMovesOnlyUnacceptedOnes() async throws {
        fixture.write("team.csv", Self.team(10))
        let send = try await run(
            ["send", "team.csv", "--split-by", "Manager"] + Self.gift, today: "2026-12-04", Self.life)
        #expect(send.exitCode == 0, "\(send.stdout)\(send.stderr)")
        let id = try runID(send.stdout)

        // Day 2: everyone was notified on day 1; those who open did so on day 2.
        let early = try await run(["status", id], today: "2026-12-06", Self.life)
        #expect(early.exitCode == 0, "\(early.stderr)")
        let openedEarly = try results().filter { $0["order_status"] == "opened" }
        #expect(openedEarly.allSatisfy { $0["opened_at"] == "2026-12-06" && $0["accepted_at"] == "" })

        // Day 6: those who accept did so on day 3; the summary counts what the results show.
        let later = try await run(["status", id, "--not-opened"], today: "2026-12-10", Self.life)
        #expect(later.exitCode == 0, "\(later.stderr)")
        let rows = try results()
        let accepted = rows.filter { $0["order_status"] == "accepted" }
        let opened = rows.filter { $0["order_status"] == "opened" }
        let notOpened = rows.filter { $0["order_status"] == "notified" }
        #expect(accepted.count + opened.count + notOpened.count == 10)
        #expect(!accepted.isEmpty && !opened.isEmpty && !notOpened.isEmpty, "the emulator's fates: \(rows)")
        #expect(
            accepted.allSatisfy {
                $0["opened_at"] == "2026-12-06" && $0["accepted_at"] == "2026-12-07"
                    && $0["steps"] == "created 2026-12-04, notified 2026-12-05, opened 2026-12-06, accepted 2026-12-07"
            })
        #expect(opened.allSatisfy { $0["opened_at"] == "2026-12-06" && $0["accepted_at"] == "" })
        #expect(
            notOpened.allSatisfy { $0["opened_at"] == "" && $0["steps"] == "created 2026-12-04, notified 2026-12-05" })
        #expect(
            later.stdout.contains(
                "gifts           \(notOpened.count) not opened, \(opened.count) opened not accepted, \(accepted.count) accepted"
            ), "\(later.stdout)")
        // Every page of activities (3 a page) was read: each step of each order once.
        let steps = 10 + 10 + opened.count + 2 * accepted.count
        #expect(later.stdout.contains("(\(steps) order activities read)"), "\(later.stdout)")

        // The results workbook is too wide for one page: printed landscape across pages, each
        // page starting with the person's name and email (columns B–D) under the header row.
        let book = try WrittenWorkbook(path: fixture.path("team.results.xlsx"))
        #expect(book.orientation == "landscape")
        #expect(book.fitToWidth == nil, "not shrunk to one page's width")
        #expect(book.printTitles == "Results!$B:$D,Results!$1:$1")
        #expect(book.header.contains("accepted_at") && book.header.contains("steps"))

        // --not-opened: exactly the people who have not opened, for HR and per manager.
        let nudge = try results("team.not-opened.csv")
        #expect(Set(nudge.compactMap { $0["Email"] }) == Set(notOpened.compactMap { $0["Email"] }))
        for manager in ["dee-park", "eve-stone"] {
            let people = notOpened.filter {
                $0["Manager"]?.lowercased().replacingOccurrences(of: " ", with: "-") == manager
            }
            let path = "team.not-opened.\(manager).csv"
            #expect(FileManager.default.fileExists(atPath: fixture.path(path)) == !people.isEmpty, "\(path)")
        }

        // Canceling an accepted gift is explained, never attempted.
        let acceptedLine = try #require(accepted.first?["Email"])
        let refused = try await run(["cancel", id, "--email", acceptedLine, "--yes"], today: "2026-12-10", Self.life)
        #expect(refused.exitCode == 0, "\(refused.stderr)")
        #expect(refused.stdout.contains("the recipient accepted it and Goody is fulfilling it"))
        #expect(refused.stdout.contains("0 gifts canceled."))
        #expect(try journal("cancel").isEmpty)

        // Extend moves exactly the unaccepted gifts' expiry, once each.
        let extend = try await run(["extend", id, "--until", "2027-01-31", "--yes"], today: "2026-12-10", Self.life)
        #expect(extend.exitCode == 0, "\(extend.stdout)\(extend.stderr)")
        #expect(extend.stdout.contains("Left as they are: \(accepted.count) accepted."), "\(extend.stdout)")
        let unaccepted = Set((opened + notOpened).compactMap { $0["order_id"] })
        #expect(Set(try journal("expire")) == unaccepted)
        #expect(try journal("expire").count == unaccepted.count)
        let extended = try results()
        #expect(
            extended.filter { unaccepted.contains($0["order_id"] ?? "") }.allSatisfy {
                $0["expires_at"] == "2027-01-31"
            })
        #expect(extended.filter { $0["order_status"] == "accepted" }.allSatisfy { $0["expires_at"] == "2026-12-20" })
        let again = try await run(["extend", id, "--until", "2027-01-31", "--yes"], today: "2026-12-10", Self.life)
        #expect(again.stdout.contains("0 gifts extended."), "\(again.stdout)")
        #expect(try journal("expire").count == unaccepted.count)

        // Past the old expiry, the extended gifts still work; nothing went further for them.
        let afterExpiry = try await run(["status", id], today: "2026-12-22", Self.life)
        #expect(afterExpiry.stdout.contains("\(accepted.count) accepted"), "\(afterExpiry.stdout)")
        #expect(!afterExpiry.stdout.contains("expired"), "\(afterExpiry.stdout)")
    }

    @Test(.timeLimit(.minutes(3)))
    func cancelNotInANewerRosterCancelsExactlyTheLeaversOnce() async throws {
        fixture.write("team.csv", Self.team(8))
        let send = try await run(["send", "team.csv"] + Self.gift, today: "2026-12-04")
        #expect(send.exitCode == 0, "\(send.stdout)\(send.stderr)")
        let id = try runID(send.stdout)
        // February's export: other column order, a new column, three people gone (lines 3, 6, 8).
        fixture.write(
            "february.csv",
            "Work Email,Legal First Name,Last Name,Employee ID,Department\n"
                + [1, 2, 4, 5, 7].map { "p\($0)@acme.example,Person\($0),Lee,E\($0),Ops\n" }.joined())
        let byEmail = Dictionary(uniqueKeysWithValues: try results().map { ($0["Email"] ?? "", $0) })
        let gone = ["p3@acme.example", "p6@acme.example", "p8@acme.example"]

        // No terminal and no --yes: shown, not done.
        let unapproved = try await run(["cancel", id, "--not-in", "february.csv"], today: "2026-12-05")
        #expect(unapproved.exitCode == 4)
        #expect(unapproved.stderr.contains("approval needed"))
        #expect(try journal("cancel").isEmpty)

        let cancel = try await run(["cancel", id, "--not-in", "february.csv", "--yes"], today: "2026-12-05")
        #expect(cancel.exitCode == 0, "\(cancel.stdout)\(cancel.stderr)")
        for email in gone { #expect(cancel.stdout.contains("<\(email)>"), "\(email)") }
        #expect(cancel.stdout.contains("That is: cancel 3 gifts, giving back up to"))
        #expect(cancel.stdout.contains("3 gifts canceled."))
        #expect(Set(try journal("cancel")) == Set(gone.compactMap { byEmail[$0]?["order_id"] }))
        let after = try results()
        #expect(after.filter { $0["order_status"] == "canceled" }.compactMap { $0["Email"] }.sorted() == gone)
        #expect(after.filter { $0["order_status"] == "canceled" }.allSatisfy { $0["canceled_at"] == "2026-12-05" })
        // The money of the canceled three comes back: the totals are the five live orders'.
        let live = after.filter { $0["order_status"] != "canceled" }
        let preTax = live.compactMap { Double($0["amount_pre_tax_total"] ?? "") }.reduce(0, +)
        #expect(cancel.stdout.contains(String(format: "before tax $%.2f;", preTax)), "\(cancel.stdout)")
        let book = try WrittenWorkbook(path: fixture.path("team.results.xlsx"))
        let totals = try #require(book.records.last)
        #expect(totals["Employee ID"]?.text.hasPrefix("Total of 5 orders") == true)
        #expect(totals["amount_pre_tax_total"].flatMap { Double($0.text) } == preTax)
        #expect(totals["amount_tax"] == nil, "tax is not known for every order yet")
        #expect(
            book.autoFilter?.hasSuffix("9") == true,
            "the filter covers the 8 people, not the totals: \(book.autoFilter ?? "")")

        // A second run cancels nothing and says why.
        let again = try await run(["cancel", id, "--not-in", "february.csv", "--yes"], today: "2026-12-05")
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stdout.contains("0 gifts canceled."))
        #expect(again.stdout.contains("<p3@acme.example>: already canceled"))
        #expect(try journal("cancel").count == 3)

        // With --json, stdout is one JSON document; what was left alone goes to stderr.
        let json = try await run(["cancel", id, "--not-in", "february.csv", "--yes", "--json"], today: "2026-12-05")
        #expect(json.exitCode == 0, "\(json.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((summary?["notes"] as? [String])?.contains("0 gifts canceled.") == true, "\(json.stdout)")
        #expect(json.stderr.contains("<p3@acme.example>: already canceled"))

        // A line the run does not have changes nothing and says so.
        let wrong = try await run(["cancel", id, "--line", "99", "--yes"], today: "2026-12-05")
        #expect(wrong.exitCode == 2)
        #expect(wrong.stderr.contains("has no input line 99"))
    }

    /// Killed while canceling, then run again: each order is canceled exactly once, and the call
    /// that was in flight is settled by asking Goody, not by canceling again. The emulator holds
    /// the answer of the second cancel it commits: the command is killed while it waits on a
    /// cancel that happened.
    @Test(.timeLimit(.minutes(3)))
    func killedDuringCancelAndRunAgainEachOrderIsCanceledOnce() async throws {
        fixture.write("team.csv", Self.team(6))
        let send = try await run(["send", "team.csv"] + Self.gift, today: "2026-12-04")
        let id = try runID(send.stdout)
        let arguments = ["cancel", id, "--line", "2", "3", "4", "5", "6", "7", "--yes"]
        let running = try CLIRunner.start(
            arguments, in: fixture.directory.path,
            environment: [
                "GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "2026-12-05T12:00",
                "GOODY_EMULATOR_HOLD_SECOND_CANCEL": "60",
            ])
        let held = await CLIRunner.poll(seconds: 90) { (try? journal("cancel").count) == 2 }
        #expect(held, "\(running.stderrSoFar)")
        running.signal(SIGKILL)
        _ = running.wait()
        #expect(try journal("cancel").count == 2, "killed part-way")

        let repeatRun = try await run(arguments, today: "2026-12-05")
        #expect(repeatRun.exitCode == 0, "\(repeatRun.stdout)\(repeatRun.stderr)")
        #expect(repeatRun.stdout.contains("begun by an earlier command settled"), "\(repeatRun.stdout)")
        let canceled = try journal("cancel")
        #expect(canceled.count == 6, "\(canceled)")
        #expect(Set(canceled).count == 6)
        #expect(try results().allSatisfy { $0["order_status"] == "canceled" })
    }
}

/// `replace` (issue 21): a wrong address's gift is canceled and the same gift sent to the
/// corrected one, so the person ends with exactly one live gift, even when killed part-way.
struct ReplaceTests {
    let fixture = Fixture()

    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        ["GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "2026-12-04T12:00"]
            .merging(extra) { $1 }
    }

    func run(_ arguments: [String], _ extra: [String: String] = [:]) async throws -> CommandResult {
        try await CLIRunner.running(arguments, in: fixture.directory.path, environment: environment(extra))
    }

    static let team = """
        First Name,Last Name,Email,Manager
        Ana,Lee,ana@acme.exmple.com,Dee Park
        Bo,Wu,bo@acme.example,Dee Park
        Cy,Ng,cy@acme.example,Eve Stone

        """

    /// Every order at (emulated) Goody, as it is now.
    func orders() async throws -> [Order] {
        let emulator = try await ExternalEmulator.start(
            arguments: ["--journal", fixture.path("state/goody-batch/emulator-journal.jsonl")],
            environment: ["GOODY_BATCH_TODAY": "2026-12-04T12:00"])
        defer { emulator.stop() }
        return try await emulator.withClient { try await $0.allOrders() }
    }

    func send() async throws -> String {
        fixture.write("team.csv", Self.team)
        let send = try await run([
            "send", "team.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
            "--card", "Birthday", "--message", "Thank you, {{first_name}}!", "--yes",
        ])
        #expect(send.exitCode == 0, "\(send.stdout)\(send.stderr)")
        return String(try #require(send.stdout.firstMatch(of: #/Run (r[0-9a-f]+) /#)).output.1)
    }

    /// Ana's live gifts at Goody: not canceled, to either of her addresses.
    func live(_ orders: [Order]) -> [Order] {
        orders.filter { $0.recipientFirstName == "Ana" && $0.status.known != .canceled }
    }

    @Test(.timeLimit(.minutes(3)))
    func replaceCancelsTheWrongAddressAndSendsTheSameGiftOnce() async throws {
        let id = try await send()
        let before = try await orders()
        let old = try #require(before.first { $0.recipientEmail == "ana@acme.exmple.com" })

        let taken = try await run(["replace", id, "--line", "2", "--email", "bo@acme.example", "--yes"])
        #expect(taken.exitCode == 2)
        #expect(taken.stderr.contains("already has a gift in this run (line 3)"), "\(taken.stderr)")

        let replace = try await run(["replace", id, "--line", "2", "--email", "ana@acme.example", "--yes"])
        #expect(replace.exitCode == 0, "\(replace.stdout)\(replace.stderr)")
        #expect(replace.stdout.contains("Line 2 replaced"), "\(replace.stdout)")
        #expect(replace.stdout.contains("replaced        1"))
        let after = try await orders()
        let gifts = live(after)
        #expect(gifts.count == 1)
        let new = try #require(gifts.first)
        #expect(new.recipientEmail == "ana@acme.example")
        #expect(new.message == old.message && new.cardID == old.cardID)
        #expect(new.cart?.items?.first?.product.id == old.cart?.items?.first?.product.id)
        #expect(after.first { $0.id == old.id }?.status.known == .canceled)

        let rows = try WrittenCSV.rows(at: fixture.path("team.results.csv"))
        #expect(rows.count == 3, "the canceled order is not a row of its own")
        let ana = try #require(rows.first { $0["First Name"] == "Ana" })
        #expect(ana["order_id"] == new.id && ana["gift_link"] == new.individualGiftLink)
        #expect(ana["note"]?.contains("sent to ana@acme.example instead of ana@acme.exmple.com") == true)

        // The same command again does nothing more.
        let again = try await run(["replace", id, "--line", "2", "--email", "ana@acme.example", "--yes"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        #expect(again.stdout.contains("was already replaced"))
        #expect(try await orders().count == after.count)
    }

    @Test(.timeLimit(.minutes(3)))
    func killedDuringReplaceAndRunAgainThePersonHasExactlyOneGift() async throws {
        let id = try await send()
        let arguments = ["replace", id, "--line", "2", "--email", "ana@acme.example", "--yes"]
        let running = try CLIRunner.start(
            arguments, in: fixture.directory.path, environment: environment(["GOODY_EMULATOR_LATENCY_MS": "400"]))
        let shown = await CLIRunner.poll(seconds: 60) { running.stdoutSoFar.contains("Replace — run") }
        #expect(shown, "\(running.stdoutSoFar)\(running.stderrSoFar)")
        try await Task.sleep(for: .milliseconds(900))
        running.signal(SIGKILL)
        _ = running.wait()

        let repeatRun = try await run(arguments)
        #expect(repeatRun.exitCode == 0, "\(repeatRun.stdout)\(repeatRun.stderr)")
        let gifts = live(try await orders())
        #expect(gifts.count == 1, "\(gifts.map(\.recipientEmail))")
        #expect(gifts.first?.recipientEmail == "ana@acme.example")
    }
}
