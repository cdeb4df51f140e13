import Foundation
import GoodyAPI
public import Recipients
import Spreadsheet

/// Where the plan's prices come from, shown on top of every plan.
public struct ConnectionLabel: Sendable {
    public var description: String
    public var simulated: Bool
    /// Which account a run belongs to, when the base URL does not say it (the built-in
    /// emulator listens on a new port each time).
    public var account: String?

    public init(description: String, simulated: Bool, account: String? = nil) {
        self.description = description
        self.simulated = simulated
        self.account = account
    }

    public static let simulatedBanner =
        "SIMULATED: no Goody API key is set, so this runs against goody-batch's built-in emulator of the Goody API. Nothing real is priced, charged or sent. Set GOODY_API_KEY (or --api-key-file) to use Goody's sandbox."
}

extension Plan {
    /// What `plan` prints.
    /// `sending` ends with what `send` does next instead of "plan only prices".
    public func renderText(connection: ConnectionLabel, errorLimit: Int = 20, sending: Bool = false) -> String {
        var lines: [String] = []
        lines.append(
            connection.simulated
                ? ConnectionLabel.simulatedBanner : "Connected to \(connection.description) as \(sender)")
        lines.append("")
        lines.append("Plan for \(path): \(method.rawValue), \(method.summary)")
        let sent = recipientCount
        var rowsLine =
            "Rows       \(validation.rows) read: \(sent) will be sent in \(batches.count) batch\(batches.count == 1 ? "" : "es"), \(rejectedRowCount) rejected"
        if occasion != nil { rowsLine += ", \(notDue.count) not due" }
        if leftOutCount > 0 { rowsLine += ", \(leftOutCount) already gifted" }
        lines.append(rowsLine)
        for warning in validation.layout.warnings + validation.fileWarnings {
            lines.append("           ⚠ \(warning)")
        }
        if let occasion {
            lines.append("")
            lines += occasionLines(occasion)
        }
        lines.append("")
        lines += batchTable()
        lines += messageLines()
        lines.append("")
        lines.append("From       \(batches.first?.input.fromName ?? "")")
        if let card { lines.append("Card       \(card.occasions.joined(separator: ", ")) (\(card.id))") }
        lines.append("Workspace  \(workspace.name)")
        lines.append("Pays       \(fundsLine)")
        if !paymentMethodChosen {
            lines.append("           the account's default payment method; --payment-method chooses another")
        }
        if let maxSpend {
            lines.append(
                exceedsMaxSpend
                    ? "Max spend  \(Money.dollars(maxSpend)): EXCEEDED by the high estimate \(Money.dollars(totalHigh))"
                    : "Max spend  \(Money.dollars(maxSpend)): the high estimate \(Money.dollars(totalHigh)) is within it"
            )
        }
        if !personalization.isEmpty && batches.count > batchesWithoutPersonalization {
            lines.append("")
            lines.append(
                "Note: the message is personalized (\(personalization.map { "{{\($0)}}" }.joined(separator: ", "))), and Goody sets one message per batch, so recipients with different messages go in separate batches: \(batches.count) batches instead of \(batchesWithoutPersonalization)."
            )
        }
        let errors = validationErrors + rejected
        if !errors.isEmpty {
            lines.append("")
            lines.append("Rejected rows (will not be sent):")
            for finding in errors.prefix(errorLimit) {
                let place = "line \(finding.line)" + (finding.column.map { ", \($0.description)" } ?? "")
                lines.append("  \(place): \(finding.message). Fix: \(finding.fix)")
            }
            if errors.count > errorLimit {
                lines.append("  … \(errors.count - errorLimit) more (validate lists them all)")
            }
            if let rejectedPath = validation.rejectedPath {
                if let kept = validation.keptEditedRejected {
                    lines.append(
                        "\(kept) was changed after goody-batch wrote it (your fixes?), so it was left as it is.")
                }
                lines.append("Rows rejected by validation are in \(rejectedPath).")
            }
        }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("Check before sending:")
            for finding in warnings.prefix(10) { lines.append("  line \(finding.line): \(finding.message)") }
            if warnings.count > 10 { lines.append("  … \(warnings.count - 10) more") }
        }
        lines += earlierGiftLines()
        lines.append("")
        if exceedsMaxSpend || insufficientFunds {
            lines.append("Refused: this plan costs more than allowed (see above). Nothing was created.")
        } else if sending {
            lines.append("Plan \(fingerprint.prefix(12)). Nothing has been created yet.")
        } else {
            lines.append("Plan \(fingerprint.prefix(12)). Nothing was created: plan only prices.")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Who was found among earlier gifts, and where the search looked.
    private func earlierGiftLines() -> [String] {
        var lines: [String] = []
        for (gifts, title) in [
            (earlierGifts.filter(\.leftOut), "Already gifted: %@ left out (--allow-resend sends anyway):"),
            (earlierGifts.filter(\.onPurpose), "Gifted before: %@ sent again on purpose (--allow-resend):"),
            (
                earlierGifts.filter { !$0.leftOut && !$0.onPurpose },
                "Gifted before for another occasion: %@ sent (the earlier gift does not count for this one):"
            ),
        ] where !gifts.isEmpty {
            let count = "\(gifts.count) row\(gifts.count == 1 ? "" : "s")"
            lines.append("")
            lines.append(title.replacingOccurrences(of: "%@", with: count))
            for gift in gifts.prefix(20) { lines.append("  line \(gift.line)  \(gift.who)  \(gift.sentence)") }
            if gifts.count > 20 { lines.append("  … and \(gifts.count - 20) more, each named in the results file") }
        }
        if let earlierGiftSearch {
            lines.append("")
            lines.append(earlierGiftSearch)
        }
        return lines
    }

    /// The occasion, and the plan as a calendar: per day, how many gifts, which, and the cost.
    private func occasionLines(_ occasion: OccasionRule) -> [String] {
        var lines: [String] = []
        let due = occurrences.count
        if occasion.window != nil {
            lines.append(
                "Occasion   \(occasion.kind.words), \(occasion.windowDescription): \(due) due, \(notDue.count) not due")
            if let column = occasion.dateColumn {
                let order = occasion.reader?.orderReason.map { "; read as \($0)" } ?? ""
                let others =
                    occasion.otherDateColumns.isEmpty
                    ? ""
                    : " (also there: \(occasion.otherDateColumns.map(\.header).joined(separator: ", ")); --date-column chooses)"
                lines.append("           dates from \(column.description)\(order)\(others)")
            }
            let zone =
                occasion.timeZoneGiven
                ? occasion.timeZone.identifier
                : "\(occasion.timeZone.identifier), this machine's zone (time_zone: sets one)"
            lines.append(
                "           each gift goes on the person's day at \(String(format: "%02d:%02d", occasion.sendHour, occasion.sendMinute)) \(zone); Goody schedules up to \(occasion.scheduleLimit)"
            )
            if Today.isShifted {
                lines.append("           today is \(occasion.today) (\(Today.variable), a testing aid)")
            }
        } else {
            lines.append(
                "Occasion   \(occasion.kind.words): \(due) recipient\(due == 1 ? "" : "s") (key \(occasion.kind.name))")
        }
        guard occasion.window != nil else { return lines }
        lines.append("")
        lines.append("Calendar")
        var rows: [[String]] = []
        var days: [(label: String, batches: [PlannedBatch])] = []
        for batch in batches {
            let label: String
            if let scheduled = batch.input.scheduledSendOn.flatMap(GoodyJSON.date) {
                label = CivilDate(scheduled, in: occasion.timeZone).spelled
            } else {
                let passed = batch.recipients.compactMap { occurrences[$0.line]?.date }
                let span = passed.min().map { first in
                    let last = passed.max() ?? first
                    return first == last ? first.dayAndMonth : "\(first.dayAndMonth)–\(last.dayAndMonth)"
                }
                label = "now (\(span.map { "\($0), " } ?? "")day passed)"
            }
            if let index = days.firstIndex(where: { $0.label == label }) {
                days[index].batches.append(batch)
            } else {
                days.append((label, [batch]))
            }
        }
        for day in days {
            var gifts: [String: Int] = [:]
            var order: [String] = []
            for batch in day.batches {
                let gift = batch.cart.map(\.description).joined(separator: " + ")
                for recipient in batch.recipients {
                    // A milestone's gift is named; the other years' gift is the campaign's own.
                    let tier =
                        occurrences[recipient.line]?.tier.flatMap { $0 == MilestoneTier.otherYears ? nil : " (\($0))" }
                        ?? ""
                    let name = gift + tier
                    if gifts[name] == nil { order.append(name) }
                    gifts[name, default: 0] += 1
                }
            }
            let count = day.batches.reduce(0) { $0 + $1.recipients.count }
            let low = day.batches.reduce(0) { $0 + $1.estimateRange.low }
            let high = day.batches.reduce(0) { $0 + $1.estimateRange.high }
            rows.append([
                day.label, "\(count) gift\(count == 1 ? "" : "s")",
                Self.shorten(order.map { "\($0) ×\(gifts[$0] ?? 0)" }.joined(separator: ", "), 60),
                "\(Money.dollars(low))–\(Money.dollars(high))",
            ])
        }
        rows.append([
            "In all", "\(recipientCount) gift\(recipientCount == 1 ? "" : "s")", "",
            "\(Money.dollars(totalLow))–\(Money.dollars(totalHigh))",
        ])
        lines += Self.table(rows)
        let tiers = Dictionary(grouping: occurrences.values.compactMap(\.tier), by: { $0 }).mapValues(\.count)
        if !tiers.isEmpty {
            let ordered = tiers.keys.sorted {
                (Int($0.split(separator: " ")[0]) ?? .max) < (Int($1.split(separator: " ")[0]) ?? .max)
            }
            lines.append(
                "Milestones \(ordered.map { "\($0): \(tiers[$0] ?? 0) \((tiers[$0] ?? 0) == 1 ? "person" : "people")" }.joined(separator: "; "))"
            )
        }
        if !notDue.isEmpty {
            lines.append(
                "Not due    \(notDue.count) row\(notDue.count == 1 ? "" : "s"): their day is not in the window (`plan --json` lists each, with the reason)"
            )
        }
        let passed = occurrences.values.filter(\.dayPassed).count
        if passed > 0 {
            lines.append(
                "Note: \(passed) gift\(passed == 1 ? "'s" : "s'") day \(passed == 1 ? "has" : "have") already passed in this window: \(passed == 1 ? "it goes" : "they go") now."
            )
        }
        return lines
    }

    /// Columns padded to their widest cell; the last is not padded.
    static func table(_ rows: [[String]]) -> [String] {
        let width = rows.map(\.count).max() ?? 0
        let widths = (0..<width).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            "  "
                + row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }
    }

    public var validationErrors: [Finding] {
        validation.examples.values.flatMap { $0 }.filter { $0.severity == .error }.sorted { $0.line < $1.line }
    }

    public var fundsLine: String {
        switch funds {
        case .noBalance:
            return "\(paymentMethod.name) (a card: Goody charges it when the batches are created)"
        case .enough(let balance):
            return
                "\(paymentMethod.name): \(Money.dollars(balance)) available, enough for the high estimate \(Money.dollars(totalHigh))"
        case .insufficient(let balance, let needed):
            return
                "\(paymentMethod.name): \(Money.dollars(balance)) available, NOT enough for the high estimate \(Money.dollars(needed)). Add funds or choose --payment-method."
        }
    }

    private func batchTable() -> [String] {
        var rows: [[String]] = [["Batch", "Recipients", "Gift", "Message", "Send", "Each", "Estimate"]]
        // Consecutive batches that differ only by their people are one line ("4–4998"), so a
        // 5,000-batch plan is a few lines, not 5,000 identical ones.
        var index = 0
        while index < batches.count {
            let cells = describe(batches[index])
            var end = index
            while end + 1 < batches.count, describe(batches[end + 1]) == cells,
                batches[end + 1].recipients.count == batches[index].recipients.count
            {
                end += 1
            }
            let group = batches[index...end]
            let low = group.reduce(0) { $0 + $1.estimateRange.low }
            let high = group.reduce(0) { $0 + $1.estimateRange.high }
            let count = group.count
            rows.append(
                [
                    count == 1 ? "\(batches[index].number)" : "\(batches[index].number)–\(batches[end].number)",
                    count == 1
                        ? "\(group.first?.recipients.count ?? 0)" : "\(count) × \(group.first?.recipients.count ?? 0)",
                ] + cells + ["\(Money.dollars(low))–\(Money.dollars(high))"])
            index = end + 1
        }
        rows.append([
            "Total", "\(recipientCount)", "", "", "", "", "\(Money.dollars(totalLow))–\(Money.dollars(totalHigh))",
        ])
        return Self.table(rows)
    }

    /// Each distinct message in full, as its recipients will read it, so a greeting can be
    /// checked before sending: every message written once, and a personalized one as its first
    /// recipients get it (`plan --json` has every batch's message).
    func messageLines(shown limit: Int = 8) -> [String] {
        let distinct = distinctMessages
        guard !distinct.isEmpty else { return [] }
        // One of each template first, so that a milestone's own message is never hidden behind
        // a hundred greetings of the default one.
        var seen = Set<String>()
        let firsts = distinct.indices.filter { seen.insert(distinct[$0].templateKey).inserted }
        let order = firsts + distinct.indices.filter { !firsts.contains($0) }
        var lines = ["", distinct.count == 1 ? "Message" : "Messages (\(distinct.count) distinct)"]
        for index in order.prefix(limit) {
            let entry = distinct[index]
            let count = "\(entry.recipients) recipient\(entry.recipients == 1 ? "" : "s")"
            let numbers =
                entry.batches.count <= 3
                ? entry.batches.map(String.init).joined(separator: ", ") : "\(entry.batches.count) batches"
            lines.append("  \(count), batch\(entry.batches.count == 1 ? "" : "es") \(numbers):")
            for line in entry.text.split(separator: "\n", omittingEmptySubsequences: false) {
                lines.append("    │ \(line)")
            }
        }
        if distinct.count > limit {
            lines.append(
                "  … and \(distinct.count - limit) more, each filled in the same way (plan --json lists every batch's message)"
            )
        }
        return lines
    }

    /// Gift, message, send date and price of one batch, as the table shows them.
    private func describe(_ batch: PlannedBatch) -> [String] {
        let each =
            batch.estimate.map {
                "\(Money.dollars($0.cartPrice.priceEstTotalLow))–\(Money.dollars($0.cartPrice.priceEstTotalHigh))"
            } ?? "?"
        return [
            Self.shorten(batch.cart.map(\.description).joined(separator: " + "), 34),
            batch.input.message.map { "\"\(Self.shorten($0, 28))\"" } ?? "(none)",
            batch.input.scheduledSendOn.map(shownSendTime) ?? "now",
            each,
        ]
    }

    /// A batch's send time as the table shows it: in the occasion's zone when there is one
    /// ("2027-01-11 09:00"), else as Goody was told it.
    private func shownSendTime(_ timestamp: String) -> String {
        guard let zone = occasion?.timeZone, let date = GoodyJSON.date(timestamp) else {
            return String(timestamp.prefix(16)).replacingOccurrences(of: "T", with: " ")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(
            format: "%04d-%02d-%02d %02d:%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0,
            parts.minute ?? 0)
    }

    static func shorten(_ text: String, _ limit: Int) -> String {
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }
}

/// `plan --json`: stable keys for tools.
public struct PlanJSON: Encodable {
    struct Batch: Encodable {
        var number: Int
        var recipients: Int
        var lines: [Int]
        var gift: String
        var productIDs: [String]
        var message: String?
        var scheduledSendOn: String?
        var expiresAt: String?
        var perRecipientLow: Int?
        var perRecipientHigh: Int?
        var estimateLow: Int
        var estimateHigh: Int

        enum CodingKeys: String, CodingKey {
            case number, recipients, lines, gift, message
            case productIDs = "product_ids"
            case scheduledSendOn = "scheduled_send_on"
            case expiresAt = "expires_at"
            case perRecipientLow = "per_recipient_low_cents"
            case perRecipientHigh = "per_recipient_high_cents"
            case estimateLow = "estimate_low_cents"
            case estimateHigh = "estimate_high_cents"
        }
    }

    var simulated: Bool
    var connection: String
    var file: String
    var sendMethod: String
    var rows: Int
    var recipients: Int
    var rejectedRows: Int
    var batches: [Batch]
    var totalLow: Int
    var totalHigh: Int
    var paymentMethod: String
    var balance: Int?
    var fundsSufficient: Bool
    var maxSpend: Int?
    var exceedsMaxSpend: Bool
    var personalization: [String]
    var rejected: [Finding]
    var warnings: [Finding]
    /// About the whole file: how it was read and mapped ("gift emails go to a personal address").
    var fileWarnings: [String]
    var fingerprint: String
    /// The occasion, its window and each person's occurrence; absent without an occasion.
    var occasion: OccasionJSON?
    var earlierGifts: [EarlierGift]

    /// `occasion` of `plan --json`.
    struct OccasionJSON: Encodable {
        struct Person: Encodable {
            var line: Int
            var occurrence: String
            var date: String?
            var years: Int?
            var tier: String?
            var batch: Int
            var scheduledSendOn: String?
            var dayPassed: Bool

            enum CodingKeys: String, CodingKey {
                case line, occurrence, date, years, tier, batch
                case scheduledSendOn = "scheduled_send_on"
                case dayPassed = "day_passed"
            }
        }
        var kind: String
        var windowFrom: String?
        var windowTo: String?
        var dateColumn: String?
        var timeZone: String
        var sendTime: String
        var due: [Person]
        var notDue: [NotDue]
        var milestones: [String: Int]

        enum CodingKeys: String, CodingKey {
            case kind, due, milestones
            case windowFrom = "window_from"
            case windowTo = "window_to"
            case dateColumn = "date_column"
            case timeZone = "time_zone"
            case sendTime = "send_time"
            case notDue = "not_due"
        }
    }

    enum CodingKeys: String, CodingKey {
        case simulated, connection, file, rows, recipients, batches, balance, personalization, rejected, warnings,
            fingerprint, occasion
        case earlierGifts = "earlier_gifts"
        case fileWarnings = "file_warnings"
        case sendMethod = "send_method"
        case rejectedRows = "rejected_rows"
        case totalLow = "total_low_cents"
        case totalHigh = "total_high_cents"
        case paymentMethod = "payment_method"
        case fundsSufficient = "funds_sufficient"
        case maxSpend = "max_spend_cents"
        case exceedsMaxSpend = "exceeds_max_spend"
    }

    public init(_ plan: Plan, connection: ConnectionLabel) {
        simulated = connection.simulated
        self.connection = connection.description
        file = plan.path
        sendMethod = plan.method.rawValue
        rows = plan.validation.rows
        recipients = plan.recipientCount
        rejectedRows = plan.rejectedRowCount
        batches = plan.batches.map { batch in
            Batch(
                number: batch.number, recipients: batch.recipients.count, lines: batch.recipients.map(\.line),
                gift: batch.cart.map(\.description).joined(separator: " + "), productIDs: batch.cart.map(\.product.id),
                message: batch.input.message, scheduledSendOn: batch.input.scheduledSendOn,
                expiresAt: batch.input.expiresAt,
                perRecipientLow: batch.estimate?.cartPrice.priceEstTotalLow,
                perRecipientHigh: batch.estimate?.cartPrice.priceEstTotalHigh, estimateLow: batch.estimateRange.low,
                estimateHigh: batch.estimateRange.high)
        }
        totalLow = plan.totalLow
        totalHigh = plan.totalHigh
        paymentMethod = plan.paymentMethod.name
        balance = plan.paymentMethod.balance
        fundsSufficient = !plan.insufficientFunds
        maxSpend = plan.maxSpend
        exceedsMaxSpend = plan.exceedsMaxSpend
        personalization = plan.personalization
        rejected = plan.rejected
        warnings = plan.warnings
        fileWarnings = plan.validation.layout.warnings + plan.validation.fileWarnings
        fingerprint = plan.fingerprint
        earlierGifts = plan.earlierGifts
        occasion = plan.occasion.map { rule in
            var due: [OccasionJSON.Person] = []
            for batch in plan.batches {
                for recipient in batch.recipients {
                    guard let occurrence = plan.occurrences[recipient.line] else { continue }
                    due.append(
                        OccasionJSON.Person(
                            line: recipient.line, occurrence: occurrence.key, date: occurrence.date?.description,
                            years: occurrence.years, tier: occurrence.tier, batch: batch.number,
                            scheduledSendOn: batch.input.scheduledSendOn, dayPassed: occurrence.dayPassed))
                }
            }
            due.sort { $0.line < $1.line }
            return OccasionJSON(
                kind: rule.kind.name, windowFrom: rule.window?.lowerBound.description,
                windowTo: rule.window?.upperBound.description, dateColumn: rule.dateColumn?.header,
                timeZone: rule.timeZone.identifier,
                sendTime: String(format: "%02d:%02d", rule.sendHour, rule.sendMinute),
                due: due, notDue: plan.notDue,
                milestones: Dictionary(grouping: plan.occurrences.values.compactMap(\.tier), by: { $0 }).mapValues(
                    \.count))
        }
    }
}
