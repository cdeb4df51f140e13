import APIClient
import Foundation
import GoodyAPI
import GoodyBatchTestSupport
import Testing

/// A gifting programme over a year: the same roster every month, anniversaries, birthdays and
/// new hires gifted on their day, nobody twice for one occasion. The built CLI against a
/// separate `goody-emulator` that keeps its account in a journal, both told the day with
/// `GOODY_BATCH_TODAY`, and what was created read back from the emulator over HTTP.
struct OccasionTests {
    let fixture = Fixture()

    /// One person of the roster, with the dates the roster holds.
    struct Person {
        var index: Int
        var hire: (year: Int, month: Int, day: Int)
        /// (month, day, year or nil when the roster leaves the year out).
        var birth: (month: Int, day: Int, year: Int?)
        var email: String { "p\(index)@acme.example" }
    }

    /// 300 people with dates spread over the year, and the cases that go wrong in practice:
    /// a 29 February hire and birthday, birthdays without a year, hires that start in the
    /// future, and one person whose anniversary and birthday are both in January.
    static let people: [Person] = (0..<300).map { index in
        var hire = (2004 + (index * 7) % 22, (index * 5) % 12 + 1, (index * 13) % 28 + 1)
        var birth: (Int, Int, Int?) = ((index * 7) % 12 + 1, (index * 17) % 28 + 1, 1960 + (index * 3) % 40)
        if index % 10 == 3 { birth.2 = nil }
        switch index {
        case 0: hire = (2016, 2, 29)
        case 1: hire = (2027, 1, 20)  // starts in January: a new hire, not an anniversary
        case 2: hire = (2027, 2, 8)
        case 4: birth = (2, 29, 1992)
        case 6:
            hire = (2020, 1, 9)
            birth = (1, 21, 1990)
        default: break
        }
        return Person(index: index, hire: hire, birth: birth)
    }

    static func roster(_ people: [Person]) -> String {
        "Employee ID,First Name,Last Name,Work Email,Manager,Hire Date,Birthday\n"
            + people.map { person in
                let hire = String(format: "%04d-%02d-%02d", person.hire.year, person.hire.month, person.hire.day)
                let birth =
                    String(format: "%02d/%02d", person.birth.month, person.birth.day)
                    + (person.birth.year.map { "/\($0)" } ?? "")
                return "E\(person.index),P\(person.index),Test,\(person.email),M\(person.index % 7),\(hire),\(birth)"
            }.joined(separator: "\n") + "\n"
    }

    /// One gift for every anniversary, in the account's zone and default expiry.
    static let plainAnniversaries = """
        send_method: email_and_link
        occasion: work_anniversary
        from_name: HR
        product: Cookie Box
        payment_method: Visa 4242

        """

    static let anniversaries = """
        send_method: email_and_link
        occasion: work_anniversary
        from_name: The People Team
        card: Work Anniversary
        message: Happy work anniversary from all of us!
        send_time: "09:00"
        time_zone: America/New_York
        expires: 60 days
        payment_method: Visa 4242
        milestones:
          default: { product: Cookie Box }
          5: { product: Wine Duo, message: "Five years: thank you!" }
          10: { product: Goody Gift Card, amount: 250 }
        """

    static let birthdays = """
        send_method: email_and_link
        occasion: birthday
        from_name: The People Team
        card: Birthday
        product: Coffee Mug
        message: Happy birthday!
        time_zone: America/New_York
        expires: 30 days
        payment_method: Visa 4242
        """

    static let newHires = """
        send_method: email_and_link
        occasion: new_hire
        from_name: The People Team
        card: Onboarding
        product: Coffee Sampler
        message: Welcome aboard!
        time_zone: America/New_York
        expires: 30 days
        payment_method: Visa 4242
        """

    /// A gift the emulator was asked to create: who, which product, on which day (New York).
    struct Gift: Hashable, CustomStringConvertible {
        var email: String
        var product: String
        var day: String
        var description: String { "\(email) \(product) \(day)" }
    }

    /// The gifts a window should create, worked out here from the people's dates alone.
    static func expectedAnniversaries(year: Int, month: Int, today: (Int, Int, Int)) -> Set<Gift> {
        Set(
            people.compactMap { person in
                guard person.hire.month == month else { return nil }
                guard (person.hire.year, person.hire.month, person.hire.day) <= today, person.hire.year < year else {
                    return nil
                }
                let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
                let day = person.hire.month == 2 && person.hire.day == 29 && !leap ? 28 : person.hire.day
                let years = year - person.hire.year
                let product = years == 5 ? "Wine Duo" : years == 10 ? "Goody Gift Card" : "Cookie Box"
                return Gift(
                    email: person.email, product: product, day: String(format: "%04d-%02d-%02d", year, month, day))
            })
    }

    static func expectedBirthdays(year: Int, month: Int) -> Set<Gift> {
        Set(
            people.compactMap { person in
                guard person.birth.month == month else { return nil }
                return Gift(
                    email: person.email, product: "Coffee Mug",
                    day: String(format: "%04d-%02d-%02d", year, month, person.birth.day))
            })
    }

    /// A month of the programme: the emulator started with today's date (replaying its journal),
    /// the commands run, the emulator stopped.
    private func month<T>(
        _ today: String, _ body: (ExternalEmulator, [String: String]) async throws -> T
    ) async throws -> T {
        // Noon UTC: the same day in New York as in UTC, whenever the tests run.
        let environment = ["GOODY_BATCH_TODAY": "\(today)T12:00"]
        let emulator = try await ExternalEmulator.start(
            arguments: ["--journal", fixture.path("account.jsonl")], environment: environment)
        defer { emulator.stop() }
        var commandEnvironment = environment
        commandEnvironment["GOODY_API_KEY"] = emulator.apiKey
        commandEnvironment["XDG_STATE_HOME"] = fixture.path("state")
        return try await body(emulator, commandEnvironment)
    }

    private func run(_ arguments: [String], _ emulator: ExternalEmulator, _ environment: [String: String])
        async throws -> CommandResult
    {
        try await CLIRunner.running(
            arguments + ["--api-url", emulator.url.absoluteString], in: fixture.directory.path,
            environment: environment)
    }

    /// Every gift the emulator holds, by the batch's scheduled day in New York.
    private func gifts(_ emulator: ExternalEmulator) async throws -> [Gift] {
        let batches = try await emulator.batches()
        return try await emulator.withClient { client in
            let formatter = DateFormatter()
            formatter.dateFormat = "yyyy-MM-dd"
            formatter.timeZone = TimeZone(identifier: "America/New_York")
            var gifts: [Gift] = []
            for batch in batches {
                let day = batch.scheduledSendOn.flatMap(GoodyJSON.date).map { formatter.string(from: $0) } ?? "now"
                let product = batch.cart?.items?.first?.product.name ?? "?"
                for recipient in try await client.allBatchRecipients(id: batch.id) {
                    gifts.append(Gift(email: recipient.email ?? "", product: product, day: day))
                }
            }
            return gifts
        }
    }

    /// The "Rows" line and the calendar's total, which plan and send must agree on.
    private func figures(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("Rows ") || $0.hasPrefix("  In all") }.map(String.init)
    }

    /// `plan`, then `send` of the same line: the same people, batches and total.
    private func planThenSend(
        _ arguments: [String], _ emulator: ExternalEmulator, _ environment: [String: String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CommandResult {
        let plan = try await run(["plan"] + arguments, emulator, environment)
        let send = try await run(["send"] + arguments + ["--yes"], emulator, environment)
        #expect(figures(plan.stdout).count == 2, "\(plan.stdout)\n\(plan.stderr)", sourceLocation: sourceLocation)
        #expect(figures(plan.stdout) == figures(send.stdout), "plan and send differ", sourceLocation: sourceLocation)
        return send
    }

    @Test(.timeLimit(.minutes(4)))
    func aYearOfMonthlyRunsGiftsEachPersonOnTheirDayOncePerOccasion() async throws {
        fixture.write("roster.csv", Self.roster(Self.people))
        fixture.write("anniversaries.yaml", Self.anniversaries)
        fixture.write("birthdays.yaml", Self.birthdays)
        fixture.write("new-hires.yaml", Self.newHires)
        let cron = ["roster.csv", "--campaign", "anniversaries.yaml", "--window", "next-month"]

        // December: January's anniversaries, birthdays and new hires, each on their day.
        let january = try await month("2026-12-15") { emulator, environment in
            let anniversaries = try await planThenSend(cron, emulator, environment)
            #expect(anniversaries.exitCode == 0, "\(anniversaries.stdout)\n\(anniversaries.stderr)")
            let expected = Self.expectedAnniversaries(year: 2027, month: 1, today: (2026, 12, 15))
            #expect(expected.count > 10)
            #expect(Set(try await gifts(emulator)) == expected)
            let out = anniversaries.stdout
            #expect(
                out.contains(
                    "Occasion   work anniversary, January 2027 (2027-01-01 to 2027-01-31): \(expected.count) due"))
            #expect(out.contains("Calendar"))
            #expect(out.contains("Sat 9 Jan 2027"))
            let fives = expected.filter { $0.product == "Wine Duo" }.count
            #expect(out.contains("5 years: \(fives) \(fives == 1 ? "person" : "people")"), "\(out)")

            // Run again the same month: nothing new, and it says so.
            let again = try await run(["send"] + cron + ["--yes"], emulator, environment)
            #expect(again.exitCode == 0)
            #expect(again.stderr.contains("already sent with these settings"), "\(again.stderr)")
            #expect(again.stderr.contains("sends nothing new"))
            #expect(Set(try await gifts(emulator)) == expected)

            // Birthdays and new hires of January: other occasions, so nobody is held back by
            // their anniversary gift (person 6 has both in January).
            let birthdays = try await planThenSend(
                ["roster.csv", "--campaign", "birthdays.yaml", "--window", "2027-01"], emulator, environment)
            #expect(birthdays.exitCode == 0, "\(birthdays.stdout)\n\(birthdays.stderr)")
            let welcomes = try await planThenSend(
                ["roster.csv", "--campaign", "new-hires.yaml", "--window", "2027-01"], emulator, environment)
            #expect(welcomes.exitCode == 0, "\(welcomes.stdout)\n\(welcomes.stderr)")
            let all = Set(try await gifts(emulator))
            let welcome = Gift(email: "p1@acme.example", product: "Coffee Sampler", day: "2027-01-20")
            #expect(all == expected.union(Self.expectedBirthdays(year: 2027, month: 1)).union([welcome]))
            #expect(all.contains(Gift(email: "p6@acme.example", product: "Cookie Box", day: "2027-01-09")))
            #expect(all.contains(Gift(email: "p6@acme.example", product: "Coffee Mug", day: "2027-01-21")))
            return expected
        }

        // January: February only. Person 0 (hired 29 Feb 2016) on 28 Feb; person 2 starts on
        // 8 Feb and gets no anniversary. Person 9's hire date is corrected into February: they
        // were gifted for this year's anniversary already, and are not gifted again.
        let corrected = Self.people.first { $0.hire.month == 1 && $0.hire.year < 2021 && $0.index > 6 }
        let movedPerson = try #require(corrected)
        var people = Self.people
        people[movedPerson.index].hire = (movedPerson.hire.year, 2, 3)
        fixture.write("roster.csv", Self.roster(people))
        try await month("2027-01-15") { emulator, environment in
            let before = Set(try await gifts(emulator))
            let february = try await planThenSend(cron, emulator, environment)
            #expect(february.exitCode == 0, "\(february.stdout)\n\(february.stderr)")
            let created = Set(try await gifts(emulator)).subtracting(before)
            let expected = Self.expectedAnniversaries(year: 2027, month: 2, today: (2027, 1, 15))
            #expect(created == expected, "\(created.symmetricDifference(expected))")
            #expect(created.contains(Gift(email: "p0@acme.example", product: "Cookie Box", day: "2027-02-28")))
            #expect(!created.contains { $0.email == movedPerson.email })
            #expect(february.stdout.contains("line \(movedPerson.index + 2)  \(movedPerson.email)  already gifted"))
            #expect(february.stdout.contains("for the same work anniversary (work_anniversary:2027)"))
        }

        // Next December: last January's people again, a year older, for a new occurrence.
        fixture.write("roster.csv", Self.roster(Self.people))
        try await month("2027-12-15") { emulator, environment in
            let before = Set(try await gifts(emulator))
            let next = try await planThenSend(cron, emulator, environment)
            #expect(next.exitCode == 0, "\(next.stdout)\n\(next.stderr)")
            let created = Set(try await gifts(emulator)).subtracting(before)
            let expected = Self.expectedAnniversaries(year: 2028, month: 1, today: (2027, 12, 15))
            #expect(created == expected, "\(created.symmetricDifference(expected))")
            #expect(Set(created.map(\.email)).isSuperset(of: january.map(\.email)))
            #expect(!next.stdout.contains("already gifted"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func aDayMoreThanThreeMonthsAheadIsAFindingAndNothingIsCreated() async throws {
        fixture.write("roster.csv", Self.roster(Self.people))
        fixture.write("anniversaries.yaml", Self.anniversaries)
        try await month("2026-12-15") { emulator, environment in
            let send = try await run(
                [
                    "send", "roster.csv", "--campaign", "anniversaries.yaml", "--window", "2027-03-10..2027-04-10",
                    "--yes",
                ],
                emulator, environment)
            let out = send.stdout
            // March days up to the 15th are within Goody's three months; the rest are findings.
            #expect(out.contains("Goody schedules gifts at most 3 months ahead (until Mon 15 Mar 2027)"), "\(out)")
            #expect(out.contains("run this window again on or after"))
            #expect(send.exitCode == 1, "\(send.stderr)")
            let gifts = try await gifts(emulator)
            #expect(!gifts.isEmpty)
            #expect(gifts.allSatisfy { $0.day <= "2027-03-15" }, "\(gifts)")
            #expect(!send.stderr.contains("Goody refused"))
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func europeanDatesAnd1904WorkbooksAreReadOnTheRightDay() async throws {
        // A European export: day.month.year, every value one that could be read either way.
        fixture.write(
            "eu.csv",
            """
            First Name;Last Name;Email;Hire Date
            Lena;Koch;lena@acme.example;03.01.2019
            Jonas;Beck;jonas@acme.example;05.01.2022
            Mia;Roth;mia@acme.example;01.03.2022

            """)
        // Excel for Mac's 1904 date system: day numbers count from 1 Jan 1904.
        func serial1904(_ year: Int, _ month: Int, _ day: Int) -> Int {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
            let start = calendar.date(from: DateComponents(year: 1904, month: 1, day: 1)) ?? Date()
            let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date()
            return calendar.dateComponents([.day], from: start, to: date).day ?? 0
        }
        try WorkbookFixture.write(
            fixture.path("mac.xlsx"),
            sheets: [
                (
                    "Staff",
                    [
                        (1, ["First Name", "Last Name", "Email", "Hire Date"]),
                        (2, ["Noor", "Aziz", "noor@acme.example", .date(serial1904(2017, 1, 24))]),
                        (3, ["Sam", "Ito", "sam@acme.example", .date(serial1904(2021, 2, 2))]),
                    ]
                )
            ], dates1904: true)
        fixture.write("plain.yaml", Self.plainAnniversaries + "time_zone: America/New_York\nexpires: 60 days\n")
        try await month("2026-12-15") { emulator, environment in
            let eu = try await planThenSend(
                ["eu.csv", "--campaign", "plain.yaml", "--window", "2027-01"], emulator, environment)
            #expect(eu.exitCode == 0, "\(eu.stdout)\n\(eu.stderr)")
            #expect(eu.stdout.contains("read as day.month.year"), "\(eu.stdout)")
            let mac = try await planThenSend(
                ["mac.xlsx", "--campaign", "plain.yaml", "--window", "2027-01"], emulator, environment)
            #expect(mac.exitCode == 0, "\(mac.stdout)\n\(mac.stderr)")
            #expect(
                Set(try await gifts(emulator)) == [
                    Gift(email: "lena@acme.example", product: "Cookie Box", day: "2027-01-03"),
                    Gift(email: "jonas@acme.example", product: "Cookie Box", day: "2027-01-05"),
                    Gift(email: "noor@acme.example", product: "Cookie Box", day: "2027-01-24"),
                ])
            #expect(mac.stdout.contains("Sun 24 Jan 2027"))
        }
    }

    @Test func anAmbiguousDateColumnIsOneQuestion() async throws {
        fixture.write(
            "us.csv",
            """
            First Name,Email,Hire Date
            Ann,ann@acme.example,03/04/2019
            Bo,bo@acme.example,01/02/2020

            """)
        let result = try await CLIRunner.running(
            [
                "plan", "us.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--occasion", "work_anniversary", "--window", "2027-03",
            ], in: fixture.directory.path,
            environment: [
                "GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "2027-01-10T12:00",
            ])
        #expect(result.exitCode == 2)
        #expect(
            result.stderr.contains(
                "The dates in column C (Hire Date) could be month/day/year or day/month/year (03/04/2019 is either 4 Mar or 3 Apr)"
            ), "\(result.stderr)")
        #expect(result.stderr.contains("--date-order mdy"))
        let answered = try await CLIRunner.running(
            [
                "plan", "us.csv", "--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR",
                "--occasion", "work_anniversary", "--window", "2027-03", "--date-order", "mdy", "--json",
            ], in: fixture.directory.path,
            environment: [
                "GOODY_API_KEY": "", "XDG_STATE_HOME": fixture.path("state"), "GOODY_BATCH_TODAY": "2027-01-10T12:00",
            ])
        #expect(answered.exitCode == 0, "\(answered.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(answered.stdout.utf8)) as? [String: Any])
        let occasion = try #require(json["occasion"] as? [String: Any])
        let due = try #require(occasion["due"] as? [[String: Any]])
        #expect(due.map { $0["date"] as? String } == ["2027-03-04"])
        #expect(due.first?["occurrence"] as? String == "work_anniversary:2027")
        #expect(due.first?["years"] as? Int == 8)
        let notDue = try #require(occasion["not_due"] as? [[String: Any]])
        #expect(notDue.map { $0["line"] as? Int } == [3])
    }

    /// Gifts made elsewhere (Goody's web app), a Coffee Mug each: with a birthday card, or none.
    private func giveElsewhere(_ emulator: ExternalEmulator, _ gifts: [(email: String, birthdayCard: Bool)])
        async throws
    {
        try await emulator.withClient { client in
            let cards = try await client.allCards()
            let birthday = try #require(cards.first { $0.occasions.contains("Birthday") })
            let product = try #require(try await client.allProducts().first { $0.name == "Coffee Mug" })
            for gift in gifts {
                _ = try await client.createBatch(
                    OrderBatchInput(
                        fromName: "Pat", message: nil,
                        recipients: [RecipientInput(firstName: "X", lastName: nil, email: gift.email, phone: nil)],
                        cart: CartInput(items: [CartItemInput(productID: product.id)]), sendMethod: .emailAndLink,
                        cardID: gift.birthdayCard ? birthday.id : nil))
            }
        }
    }

    /// Gifts made elsewhere (Goody's web app): one whose card is for a birthday does not count
    /// for a work anniversary and is shown; one without a card cannot be told apart and leaves
    /// the person out, until `--allow-resend EMAIL` sends to that person alone.
    @Test(.timeLimit(.minutes(2)))
    func giftsMadeElsewhereAreToldApartByTheirCardAndAllowResendNamesPeople() async throws {
        fixture.write(
            "team.csv",
            """
            First Name,Last Name,Email,Hire Date
            Ann,Lee,ann@acme.example,2019-01-10
            Bo,Wu,bo@acme.example,2020-01-12
            Cy,Ng,cy@acme.example,2021-01-14

            """)
        fixture.write("plain.yaml", Self.plainAnniversaries)
        try await month("2026-12-15") { emulator, environment in
            try await giveElsewhere(emulator, [("ann@acme.example", true), ("bo@acme.example", false)])
            let arguments = ["team.csv", "--campaign", "plain.yaml", "--window", "2027-01"]
            let plan = try await run(["plan"] + arguments, emulator, environment)
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            let out = plan.stdout
            #expect(
                out.contains("Rows       3 read: 2 will be sent in 2 batches, 0 rejected, 0 not due, 1 already gifted"),
                "\(out)")
            #expect(out.contains("Already gifted: 1 row left out"))
            #expect(out.contains("line 3  bo@acme.example  possibly already gifted"))
            #expect(out.contains("it may be this work anniversary's gift (it has no card that says)"))
            #expect(out.contains("--allow-resend bo@acme.example sends anyway"))
            #expect(out.contains("Gifted before for another occasion: 1 row sent"))
            #expect(out.contains("its card is for Birthday, another occasion, so it does not count"))

            let resend = try await run(
                ["send"] + arguments + ["--allow-resend", "bo@acme.example", "--yes"], emulator, environment)
            #expect(resend.exitCode == 0, "\(resend.stderr)")
            #expect(resend.stdout.contains("Gifted before: 1 row sent again on purpose (--allow-resend)"))
            let made = Set(try await gifts(emulator).filter { $0.product == "Cookie Box" }.map(\.email))
            #expect(made == ["ann@acme.example", "bo@acme.example", "cy@acme.example"])
        }
    }

    /// A plan whose only earlier gift is for another occasion names that person, as one whose
    /// earlier gift leaves them out does.
    @Test(.timeLimit(.minutes(2)))
    func aGiftForAnotherOccasionAloneIsNamedInThePlan() async throws {
        fixture.write(
            "team.csv",
            """
            First Name,Last Name,Email,Hire Date
            Ann,Lee,ann@acme.example,2019-01-10
            Cy,Ng,cy@acme.example,2021-01-14

            """)
        fixture.write("plain.yaml", Self.plainAnniversaries)
        try await month("2026-12-15") { emulator, environment in
            try await giveElsewhere(emulator, [("ann@acme.example", true)])
            let plan = try await run(
                ["plan", "team.csv", "--campaign", "plain.yaml", "--window", "2027-01"], emulator, environment)
            #expect(plan.exitCode == 0, "\(plan.stderr)")
            #expect(plan.stdout.contains("Gifted before for another occasion: 1 row sent"), "\(plan.stdout)")
            #expect(plan.stdout.contains("line 2  ann@acme.example  "), "\(plan.stdout)")
        }
    }

    /// Without an occasion, an earlier gift to the same person counts for `--history-days`
    /// (90 by default), in the ledgers as in Goody's history: old sends stop blocking.
    @Test(.timeLimit(.minutes(2)))
    func withoutAnOccasionOldGiftsStopBlockingAfterTheHistoryDays() async throws {
        let gift = ["--send-method", "email_and_link", "--product", "Cookie Box", "--from-name", "HR", "--yes"]
        fixture.write("june.csv", "First Name,Email\nAnn,ann@acme.example\nBo,bo@acme.example\n")
        try await month("2026-06-01") { emulator, environment in
            let first = try await run(["send", "june.csv"] + gift, emulator, environment)
            #expect(first.exitCode == 0, "\(first.stderr)")
        }
        fixture.write("october.csv", "First Name,Email\nAnn,ann@acme.example\nBo,bo@acme.example\nCy,cy@acme.example\n")
        try await month("2026-10-01") { emulator, environment in
            let longer = try await run(
                ["plan", "october.csv", "--history-days", "180"] + gift.dropLast(), emulator, environment)
            #expect(longer.stdout.contains("Already gifted: 2 rows left out"), "\(longer.stdout)")
            let october = try await run(["send", "october.csv"] + gift, emulator, environment)
            #expect(october.exitCode == 0, "\(october.stderr)")
            #expect(!october.stdout.contains("Already gifted"), "\(october.stdout)")
            #expect(october.stdout.contains("for the last 90 days"))
            #expect(october.stdout.contains("sent            3 gifts"))
        }
    }
}
