import Foundation
import GoodyAPI
import Recipients

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
        lines.append(
            "Rows       \(validation.rows) read: \(sent) will be sent in \(batches.count) batch\(batches.count == 1 ? "" : "es"), \(rejectedRowCount) rejected"
        )
        lines.append("")
        lines += batchTable()
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
                lines.append("Rows rejected by validation are in \(rejectedPath).")
            }
        }
        if !warnings.isEmpty {
            lines.append("")
            lines.append("Check before sending:")
            for finding in warnings.prefix(10) { lines.append("  line \(finding.line): \(finding.message)") }
            if warnings.count > 10 { lines.append("  … \(warnings.count - 10) more") }
        }
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

    private var validationErrors: [Finding] {
        validation.examples.values.flatMap { $0 }.filter { $0.severity == .error }.sorted { $0.line < $1.line }
    }

    private var fundsLine: String {
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
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            "  "
                + row.enumerated().map { index, cell in
                    index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
        }
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
            batch.input.scheduledSendOn.map { String($0.prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "now",
            each,
        ]
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
    var fingerprint: String

    enum CodingKeys: String, CodingKey {
        case simulated, connection, file, rows, recipients, batches, balance, personalization, rejected, warnings,
            fingerprint
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
        fingerprint = plan.fingerprint
    }
}
