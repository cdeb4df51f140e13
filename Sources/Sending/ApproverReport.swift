public import Foundation
import GoodyAPI
public import Planning
public import Recipients
import Workbook

/// The page an approver reads beside a plan file (`NAME.goody-plan.html`): one self-contained
/// HTML file, no external requests and no scripts, that prints well to PDF. What is sent and
/// why, the cost and its range in one sentence, subtotals by a column (the manager by default),
/// spend by day or by gift, each batch and its people, what was left out and why, how it is paid
/// and how to approve. A recipient's address, phone or pay appears only if `--share` names it.
public struct ApproverReport {
    public let prepared: PreparedRun
    public let file: PlanFile
    public let planPath: String
    public let planSHA256: String
    /// The column subtotals are by (`--group-by`); the manager column when nil and mapped.
    public let groupBy: String?
    /// Columns shown for each person beyond name and email (`--share`).
    public let share: [String]

    public init(
        _ prepared: PreparedRun, file: PlanFile, planPath: String, planSHA256: String, groupBy: String?,
        share: [String]
    ) {
        self.prepared = prepared
        self.file = file
        self.planPath = planPath
        self.planSHA256 = planSHA256
        self.groupBy = groupBy
        self.share = share
    }

    /// The column a header names (letter case aside), or the manager column; an unknown name is
    /// an error with the column meant.
    public static func groupColumn(_ name: String?, mapping: ColumnMapping) throws -> Int? {
        guard let name else { return mapping.column(for: .manager) }
        if let column = mapping.header.firstIndex(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) {
            return column
        }
        let guess = EditDistance.closest(name, in: mapping.header).map {
            " Did you mean --group-by \(ShellWord.quoted($0))?"
        }
        throw SendError(
            "--group-by \(name): the input has no such column.\(guess ?? "") Its columns are: \(HeaderList.quoted(mapping.header)). Nothing was priced or sent."
        )
    }

    private var plan: Plan { prepared.plan }

    /// One person's share of their batch's estimate.
    private struct Person {
        var recipient: Recipient
        var batch: PlannedBatch
        var low: Int
        var high: Int
        var day: String
    }

    /// Each batch's estimate shared among its people to the cent, so that subtotals add up to
    /// the total exactly.
    private var people: [Person] {
        plan.batches.flatMap { batch in
            let (low, high) = batch.estimateRange
            let count = max(batch.recipients.count, 1)
            let day = Self.day(batch, plan.occasion)
            return batch.recipients.enumerated().map { index, recipient in
                func share(_ total: Int) -> Int { total / count + (index < total % count ? 1 : 0) }
                return Person(recipient: recipient, batch: batch, low: share(low), high: share(high), day: day)
            }
        }
    }

    static func day(_ batch: PlannedBatch, _ occasion: OccasionRule?) -> String {
        guard let timestamp = batch.input.scheduledSendOn, let date = GoodyJSON.date(timestamp) else { return "now" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = occasion?.timeZone ?? .current
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The column subtotals are by, and the `--share` columns besides it, as input columns.
    private func columns() throws -> (group: Int?, shared: [Int]) {
        let mapping = plan.validation.mapping
        let group = try Self.groupColumn(groupBy, mapping: mapping)
        let shared = share.compactMap { name in
            mapping.header.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame }
        }
        return (group, shared.filter { $0 != group })
    }

    public func html() throws -> String {
        let mapping = plan.validation.mapping
        let (group, shared) = try columns()
        let people = self.people
        let gifts = Set(plan.batches.map(\.giftText)).sorted()
        var body: [String] = []
        let title =
            "Gift plan for approval: \(plan.recipientCount) gift\(plan.recipientCount == 1 ? "" : "s"), up to \(Money.dollars(file.approvedCapCents))"
        body.append("<h1>\(escape(title))</h1>")
        if file.simulated {
            body.append(
                "<p class=\"simulated\">SIMULATED: priced by goody-batch's built-in emulator, not by Goody. Nothing real can be sent from this plan.</p>"
            )
        }

        // What and why.
        var what =
            "\(plan.recipientCount) \(plan.recipientCount == 1 ? "person" : "people") get \(gifts.joined(separator: ", ")) from “\(plan.batches.first?.input.fromName ?? "")”: \(plan.method.summary)."
        if let occasion = plan.occasion {
            what += " Occasion: \(occasion.kind.words), \(occasion.windowDescription)."
        }
        body.append("<section><h2>What is being sent</h2><p>\(escape(what))</p><table class=\"facts\">")
        let facts: [(String, String)] =
            [
                ("Spreadsheet", "\(file.input.path) (SHA-256 \(file.input.sha256.prefix(16))…)"),
                (
                    "Planned",
                    "\(GoodyJSON.timestamp(file.createdAt)), prices quoted \(GoodyJSON.timestamp(file.pricedAt))"
                ),
                ("Account", file.accountDescription), ("Workspace", plan.workspace.name), ("Pays", plan.fundsLine),
            ] + (plan.card.map { [("Card", $0.occasions.joined(separator: ", "))] } ?? [])
        for (name, value) in facts { body.append("<tr><th>\(escape(name))</th><td>\(escape(value))</td></tr>") }
        body.append("</table></section>")

        // Cost.
        body.append("<section><h2>Cost</h2>")
        body.append(
            "<p class=\"total\">\(Money.dollars(plan.totalLow)) – \(Money.dollars(plan.totalHigh))</p><p>\(escape("Goody quotes each gift as a range because tax is known only when the gift is accepted: the low figure is the gift, shipping and fees, the high one allows for the most tax could add. The send may cost at most \(Money.dollars(file.approvedCapCents)), the figure approved: if prices rise above it, nothing more is created until someone approves again."))</p>"
        )
        if let group {
            body.append("<h3>By \(escape(mapping.header[group]))</h3>")
            var totals: [String: (people: Int, low: Int, high: Int)] = [:]
            for person in people {
                let key = group < person.recipient.values.count ? person.recipient.values[group] : ""
                totals[key, default: (0, 0, 0)].people += 1
                totals[key, default: (0, 0, 0)].low += person.low
                totals[key, default: (0, 0, 0)].high += person.high
            }
            body.append(
                "<table><tr><th>\(escape(mapping.header[group]))</th><th class=\"num\">People</th><th class=\"num\">Low</th><th class=\"num\">High</th></tr>"
            )
            for (key, value) in totals.sorted(by: { $0.key < $1.key }) {
                body.append(
                    "<tr><td>\(escape(key.isEmpty ? "(none)" : key))</td><td class=\"num\">\(value.people)</td><td class=\"num\">\(Money.dollars(value.low))</td><td class=\"num\">\(Money.dollars(value.high))</td></tr>"
                )
            }
            body.append("</table>")
        }
        let byDay = Set(people.map(\.day)).count > 1
        var bars: [String: Int] = [:]
        for person in people { bars[byDay ? person.day : person.batch.giftText, default: 0] += person.high }
        body.append("<h3>Spend by \(byDay ? "day" : "gift") (high estimate)</h3>")
        body.append(Self.chart(bars.sorted { $0.key < $1.key }))
        body.append("</section>")

        // Batches and people.
        // Batches that differ only by their people or a personalized message are one line.
        var groups: [(gift: String, day: String, batches: [PlannedBatch])] = []
        for batch in plan.batches {
            let (gift, day) = (batch.giftText, Self.day(batch, plan.occasion))
            if let at = groups.firstIndex(where: { $0.gift == gift && $0.day == day }) {
                groups[at].batches.append(batch)
            } else {
                groups.append((gift, day, [batch]))
            }
        }
        body.append(
            "<section><h2>Batches</h2><p>\(escape("\(plan.batches.count) order batch\(plan.batches.count == 1 ? "" : "es"), as Goody will create them."))</p><table><tr><th>Batches</th><th class=\"num\">People</th><th>Gift</th><th>Sends</th><th class=\"num\">Estimate</th></tr>"
        )
        for group in groups {
            let numbers = group.batches.map(\.number)
            let label =
                numbers.count == 1 ? "\(numbers[0])" : "\(numbers.count) (\(numbers.first ?? 0)–\(numbers.last ?? 0))"
            let people = group.batches.reduce(0) { $0 + $1.recipients.count }
            let low = group.batches.reduce(0) { $0 + $1.estimateRange.low }
            let high = group.batches.reduce(0) { $0 + $1.estimateRange.high }
            body.append(
                "<tr><td>\(label)</td><td class=\"num\">\(people)</td><td>\(escape(group.gift))</td><td>\(escape(group.day))</td><td class=\"num\">\(Money.dollars(low)) – \(Money.dollars(high))</td></tr>"
            )
        }
        body.append("</table>")
        // One message of each template, as its first batch reads it, with everyone it reaches.
        var templates: [(first: DistinctMessage, recipients: Int)] = []
        var position: [String: Int] = [:]
        for message in plan.distinctMessages {
            if let at = position[message.templateKey] {
                templates[at].recipients += message.recipients
            } else {
                position[message.templateKey] = templates.count
                templates.append((message, message.recipients))
            }
        }
        if !templates.isEmpty {
            body.append("<h3>Messages</h3>")
            for (first, count) in templates {
                body.append(
                    "<p class=\"note\">\(count) \(count == 1 ? "person" : "people"), as batch \(first.batches[0]) reads it:</p><blockquote>\(escape(first.text).replacingOccurrences(of: "\n", with: "<br>"))</blockquote>"
                )
            }
        }
        // A long list starts folded, so the page opens at once; the summary says how to see it.
        let folded = people.count > Self.unfoldedPeople
        let summary =
            folded
            ? "People (\(people.count)): open to list them; `plan --report xlsx` gives them as a workbook"
            : "People (\(people.count))"
        body.append(
            "<details\(folded ? "" : " open")><summary><h3>\(escape(summary))</h3></summary><table class=\"people\"><tr><th>Line</th><th>Name</th><th>Email</th>"
        )
        if let group { body.append("<th>\(escape(mapping.header[group]))</th>") }
        for column in shared { body.append("<th>\(escape(mapping.header[column]))</th>") }
        body.append("<th>Gift</th><th>Sends</th><th class=\"num\">Each</th></tr>")
        // Rows without closing tags (as HTML allows) and prices by class: a 5,000-person plan
        // stays well under a megabyte.
        for person in people.sorted(by: { $0.recipient.line < $1.recipient.line }) {
            let recipient = person.recipient
            var row =
                "<tr><td>\(recipient.line)<td>\(escape([recipient.firstName, recipient.lastName ?? ""].joined(separator: " ")))<td>\(escape(recipient.email ?? ""))"
            for column in [group].compactMap({ $0 }) + shared {
                row += "<td>\(escape(column < recipient.values.count ? recipient.values[column] : ""))"
            }
            row +=
                "<td>\(escape(person.batch.giftText))<td>\(escape(person.day))<td class=\"num\">\(Money.dollars(person.low))–\(Money.dollars(person.high))"
            body.append(row)
        }
        body.append("</table></details></section>")

        // Left out.
        let leftOut = file.leftOut
        body.append("<section><h2>Left out</h2><ul>")
        for (name, list) in [
            ("already gifted", leftOut.alreadyGifted), ("not due in the window", leftOut.notDue),
            ("rejected (cannot be sent as written)", leftOut.rejected),
        ] {
            body.append("<li><strong>\(list.count)</strong> \(escape(name))")
            if !list.isEmpty {
                body.append("<ul>")
                for person in list.prefix(50) {
                    body.append("<li>line \(person.line): \(escape(person.reason))</li>")
                }
                if list.count > 50 { body.append("<li>… and \(list.count - 50) more (in the plan file)</li>") }
                body.append("</ul>")
            }
            body.append("</li>")
        }
        body.append("</ul></section>")

        // How to approve.
        let command =
            "goody-batch send --plan \(ShellWord.quoted((planPath as NSString).lastPathComponent)) --approved-by \"Your Name\""
        body.append(
            "<section><h2>How to approve</h2><p>\(escape("If this is what should be sent, tell the sender. They send exactly this plan with:"))</p><pre>\(escape(command))</pre><p>\(escape("That command refuses, and creates nothing, if the spreadsheet, a setting or a batch is not what this page shows, if the high estimate rises above \(Money.dollars(file.approvedCapCents)), or if the plan is older than \(PlanFile.defaultMaxAgeDays) days. Your name and the time are recorded with the send."))</p><p class=\"note\">Plan \(escape(planPath)), SHA-256 \(planSHA256)</p></section>"
        )

        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>\(Self.style)</style></head>
            <body>
            \(body.joined(separator: "\n"))
            </body></html>

            """
    }

    /// The same plan as a workbook, one row per person and a total, for approvers who want to
    /// sort and filter it: the same columns the page shows, and no others.
    public func writeWorkbook(to path: String) throws {
        let mapping = plan.validation.mapping
        let (group, shared) = try columns()
        let columns = [group].compactMap { $0 } + shared
        let header =
            ["Line", "First Name", "Last Name", "Email"] + columns.map { mapping.header[$0] }
            + ["Gift", "Batch", "Sends", "Low estimate", "High estimate"]
        let book = try WorkbookWriter(path: path, sheetName: "Plan", header: header)
        let people = self.people.sorted { $0.recipient.line < $1.recipient.line }
        for person in people {
            let recipient = person.recipient
            let values = columns.map { column -> WorkbookCell in
                let value = column < recipient.values.count ? recipient.values[column] : ""
                return value.isEmpty ? .empty : .text(value)
            }
            try book.append(
                [
                    .text("\(recipient.line)"), .text(recipient.firstName), .text(recipient.lastName ?? ""),
                    .text(recipient.email ?? ""),
                ] + values + [
                    .text(person.batch.giftText), .text("\(person.batch.number)"), .text(person.day),
                    .amount(Double(person.low) / 100), .amount(Double(person.high) / 100),
                ])
        }
        try book.append(
            [.text("Total"), .text("\(people.count) people")] + Array(repeating: .empty, count: header.count - 4)
                + [.amount(Double(plan.totalLow) / 100), .amount(Double(plan.totalHigh) / 100)])
        try book.commit()
    }

    /// Above this many people the list starts folded: a browser lays out 5,000 rows in more
    /// than a second.
    static let unfoldedPeople = 500

    static let style = """
        body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;color:#1d1d1f;max-width:62rem;margin:2rem auto;padding:0 1rem}
        h1{font-size:1.5rem;margin:0 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:2px solid #1d1d1f}h3{font-size:1rem;margin:1rem 0 .4rem}
        table{border-collapse:collapse;width:100%;margin:.3rem 0}th,td{border-bottom:1px solid #d8d8d8;padding:.3rem .5rem;text-align:left;vertical-align:top}
        .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}table.facts th{width:9rem}
        .total{font-size:1.4rem;font-weight:600;margin:.2rem 0}.note{color:#555}.simulated{background:#fff3cd;border:1px solid #d9b44a;padding:.5rem .7rem}
        blockquote{margin:.2rem 0 .8rem;padding:.4rem .8rem;border-left:3px solid #999;background:#f6f6f6}pre{background:#f6f6f6;padding:.6rem;white-space:pre-wrap}
        summary{cursor:pointer}summary h3{display:inline}
        svg text{font:12px -apple-system,"Segoe UI",Helvetica,Arial,sans-serif}
        @media print{body{margin:0;max-width:none;font-size:11pt}section{break-inside:avoid-page}tr{break-inside:avoid}.simulated{border:1px solid #000}}
        """

    /// Horizontal bars, drawn inline: no script, no external image.
    static func chart(_ bars: [(key: String, value: Int)]) -> String {
        let top = max(bars.map(\.value).max() ?? 1, 1)
        let row = 22
        var svg =
            "<svg role=\"img\" aria-label=\"spend chart\" width=\"640\" height=\"\(bars.count * row + 4)\" viewBox=\"0 0 640 \(bars.count * row + 4)\">"
        for (index, bar) in bars.enumerated() {
            let y = index * row
            let width = max(1, Int(Double(bar.value) / Double(top) * 330))
            svg +=
                "<text x=\"0\" y=\"\(y + 15)\">\(escape(String(bar.key.prefix(28))))</text><rect x=\"190\" y=\"\(y + 4)\" width=\"\(width)\" height=\"14\" fill=\"#3b6ea5\"/><text x=\"\(196 + width)\" y=\"\(y + 15)\">\(Money.dollars(bar.value))</text>"
        }
        return svg + "</svg>"
    }
}

extension PlannedBatch {
    /// "Cookie Box", "Wine Duo + Coffee Mug".
    var giftText: String { cart.map(\.description).joined(separator: " + ") }
}

private func escape(_ text: String) -> String {
    var result = ""
    for character in text {
        switch character {
        case "&": result += "&amp;"
        case "<": result += "&lt;"
        case ">": result += "&gt;"
        case "\"": result += "&quot;"
        case "'": result += "&#39;"
        default: result.append(character)
        }
    }
    return result
}
