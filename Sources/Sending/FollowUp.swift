import APIClient
public import Foundation
import GoodyAPI
public import Ledger
import Recipients
import Spreadsheet

/// What `cancel` or `extend` is asked to do, and to whom.
public struct FollowUpRequest: Sendable {
    public var kind: OrderAction.Kind
    /// Input lines of the run.
    public var lines: [Int] = []
    public var emails: [String] = []
    /// A newer roster: the run's people no longer on it (leavers).
    public var notIn: String?
    /// Only gifts nobody has opened yet.
    public var notOpened = false
    /// Only gifts whose link stops working within this many days.
    public var expiringWithinDays: Int?
    /// For extend: the new expiry.
    public var until: Date?
    /// The command as typed, for the ledger.
    public var command: String

    public init(kind: OrderAction.Kind, command: String) {
        self.kind = kind
        self.command = command
    }

    /// No selection at all: every gift of the run (extend only; cancel must name people).
    var selectsEveryone: Bool { lines.isEmpty && emails.isEmpty && notIn == nil }
}

/// What a `cancel` or `extend` will do, shown before it is approved.
public struct FollowUpPlan: Sendable {
    public struct Item: Sendable {
        public var line: Int?
        public var who: String
        public var order: OrderRecord
        /// Where the gift was when the plan was made.
        var stage: GiftStage
    }

    public var kind: OrderAction.Kind
    public var run: RunRecord
    /// The orders it will act on, once each.
    public var items: [Item] = []
    /// The people selected that it will not act on, each with why and what can be done.
    public var explained: [(who: String, reason: String)] = []
    /// With nobody named (extend on the whole run): how many gifts of each stage were left alone,
    /// counted rather than listed.
    public var leftAlone: [String: Int] = [:]
    /// Actions an earlier command began and did not record the end of: finished first.
    public var unfinished: [OrderAction] = []
    public var until: Date?

    /// What canceling the items gives back: their amounts (before tax; Goody charges tax on acceptance).
    public var refund: Int { items.reduce(0) { $0 + ($1.order.amountTotal ?? $1.order.amountPreTaxTotal) } }

    public var summary: String {
        let count = "\(items.count) gift\(items.count == 1 ? "" : "s")"
        switch kind {
        case .cancel: return "cancel \(count), giving back up to \(Money.dollars(refund))"
        case .extend:
            return "move the expiry of \(count) to \(until.map(ResultsWriter.day) ?? "the new date")"
        case .replace: return "replace \(count)"
        }
    }

    public func renderText() -> String {
        var lines: [String] = []
        let verb = kind == .cancel ? "Cancel" : "Extend"
        if !unfinished.isEmpty {
            lines.append(
                "Finishing first: \(unfinished.count) \(unfinished.first?.kind.rawValue ?? "") call\(unfinished.count == 1 ? "" : "s") an earlier command began (each checked at Goody, never made twice)."
            )
        }
        lines.append("\(verb) — run \(run.id) (\(run.inputPath)):")
        for item in items.prefix(200) {
            let line = item.line.map { "line \($0)" } ?? "no line"
            let stage = item.stage.words
            let expiry = item.order.expiresAt.flatMap(GoodyJSON.date).map { ", expires \(ResultsWriter.day($0))" } ?? ""
            let money =
                kind == .cancel ? ", \(Money.dollars(item.order.amountTotal ?? item.order.amountPreTaxTotal))" : ""
            lines.append("  \(line)  \(item.who) — \(stage)\(expiry)\(money)")
        }
        if items.count > 200 { lines.append("  … and \(items.count - 200) more") }
        if items.isEmpty { lines.append("  nothing to \(kind == .cancel ? "cancel" : "extend")") }
        if !explained.isEmpty {
            lines.append("Not \(kind == .cancel ? "canceled" : "extended"):")
            for item in explained.prefix(200) { lines.append("  \(item.who): \(item.reason)") }
            if explained.count > 200 { lines.append("  … and \(explained.count - 200) more") }
        }
        if !leftAlone.isEmpty {
            let counts = leftAlone.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            lines.append("Left as they are: \(counts.joined(separator: ", ")).")
        }
        if !items.isEmpty { lines.append("That is: \(summary).") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// A selection that names nobody the run has, or a roster that cannot be read: nothing was changed.
public struct FollowUpError: Error, LocalizedError, Sendable {
    public let message: String
    init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}

extension SendSession {
    /// Shows what `cancel`/`extend` will do, asks `approve` (also when there is nothing to do,
    /// so that what was left alone and why is shown), then acts on each order once:
    /// recorded in the ledger before the call and after it, so a repeat (after a crash or a
    /// kill) finishes what was begun without acting twice. Rewrites the results.
    public func followUp(
        _ run: RunRecord, ledgerPath: String, request: FollowUpRequest,
        approve: @Sendable (FollowUpPlan) throws -> String
    ) async throws -> (FollowUpPlan, SendReport) {
        let ledger = try RunLedger(path: ledgerPath)
        let lock = try RunLock.acquire(runID: run.id, besideLedger: ledgerPath)
        defer { withExtendedLifetime(lock) {} }
        var notes: [String] = []
        let pending = try ledger.actions(ofRun: run.id).filter { $0.state == .pending }
        let earlier = pending.filter { $0.kind != .replace }
        if !earlier.isEmpty { notes += try await finishPending(earlier, run: run, ledger: ledger) }
        for replacing in pending where replacing.kind == .replace {
            notes.append(
                "A replacement of line \(replacing.line ?? 0) is unfinished: `goody-batch replace \(run.id) --line \(replacing.line ?? 0) --email \(replacing.value ?? "ADDRESS")` finishes it (never twice)."
            )
        }

        let plan = try await followUpPlan(run, ledger: ledger, request: request, unfinished: earlier)
        var done = 0
        var refused: [String] = []
        let approval = try approve(plan)
        if !plan.items.isEmpty {
            for item in plan.items {
                var action = try ledger.begin(
                    OrderAction(
                        runID: run.id, orderID: item.order.orderID, line: item.line, kind: request.kind,
                        value: request.until.map(GoodyJSON.timestamp), command: request.command, approval: approval,
                        at: Today.now()))
                let result = try await call(&action, order: item.order)
                try ledger.finish(action, order: result)
                if action.state == .done {
                    done += 1
                    progress?.note(
                        "\(request.kind == .cancel ? "canceled" : "extended") \(item.line.map { "line \($0): " } ?? "")\(item.who)"
                    )
                } else {
                    refused.append("\(item.who): \(action.note ?? "refused")")
                }
            }
        }
        let past = request.kind == .cancel ? "canceled" : "extended"
        notes.append("\(done) gift\(done == 1 ? "" : "s") \(past).")
        if !refused.isEmpty {
            notes.append("Goody refused \(refused.count): \(refused.prefix(10).joined(separator: "; ")).")
        }
        let current = try ledger.run(id: run.id) ?? run
        var report = try Self.export(
            current, ledgerPath: ledgerPath, splitBy: options.splitBy, share: options.share, format: options.format,
            notes: notes)
        report.followUpRefused = refused.count
        return (plan, report)
    }

    /// Makes one call and says how it ended; an error that leaves it unknown whether Goody acted
    /// (a lost connection) is thrown, with the action left pending for the repeat to settle.
    private func call(_ action: inout OrderAction, order: OrderRecord) async throws -> OrderRecord {
        var record = order
        do {
            let answer: Order
            switch action.kind {
            case .cancel: answer = try await client.cancelOrder(id: order.orderID)
            case .extend:
                guard let until = action.value.flatMap(GoodyJSON.date) else {
                    throw FollowUpError("the ledger's record of an expiry move has no date")
                }
                answer = try await client.updateExpiration(id: order.orderID, to: until)
            case .replace: throw FollowUpError("replace is done by `goody-batch replace`")
            }
            GiftLife.refresh(&record, from: answer)
            action.state = .done
        } catch let error as GoodyClientError where error.kind == .rejected {
            action.state = .refused
            action.note = error.apiMessage ?? error.localizedDescription
        }
        return record
    }

    /// Settles actions begun earlier: Goody's order says whether each happened; only those that
    /// did not are made now.
    private func finishPending(_ actions: [OrderAction], run: RunRecord, ledger: RunLedger) async throws -> [String] {
        let orders = Dictionary(uniqueKeysWithValues: try ledger.orders(ofRun: run.id).map { ($0.orderID, $0) })
        var settled = 0
        for var action in actions {
            guard var record = orders[action.orderID] else { continue }
            let now = try await client.order(id: action.orderID)
            let happened =
                switch action.kind {
                case .cancel: now.status.known == .canceled
                case .extend:
                    now.expiresAt.flatMap(GoodyJSON.date) == action.value.flatMap(GoodyJSON.date)
                case .replace: false
                }
            if happened {
                GiftLife.refresh(&record, from: now)
                action.state = .done
                action.note = "found done at Goody when the command was repeated"
            } else {
                record = try await call(&action, order: record)
            }
            try ledger.finish(action, order: record)
            settled += 1
        }
        return [
            "\(settled) \(actions.first?.kind.rawValue ?? "") call\(settled == 1 ? "" : "s") begun by an earlier command settled (checked at Goody; none made twice)."
        ]
    }

    /// Who the request selects, with each order as Goody has it now.
    private func followUpPlan(
        _ run: RunRecord, ledger: RunLedger, request: FollowUpRequest, unfinished: [OrderAction]
    ) async throws -> FollowUpPlan {
        var plan = FollowUpPlan(kind: request.kind, run: run, unfinished: unfinished, until: request.until)
        let rows = try ledger.rows(ofRun: run.id)
        let orders = Dictionary(
            try ledger.orders(ofRun: run.id).compactMap { order in order.line.map { ($0, order) } },
            uniquingKeysWith: { first, _ in first })
        let batches = Dictionary(uniqueKeysWithValues: try ledger.batches(ofRun: run.id).map { ($0.number, $0) })
        let selected = try select(rows, request: request, run: run)
        // Goody's word now, not the ledger's last: a gift may have been accepted since. Read a
        // page of a batch's orders at a time (a whole run's gifts in a request per hundred),
        // each batch once.
        var atGoody: [String: Order] = [:]
        let involved = Set(selected.filter { $0.status == .sent }.compactMap(\.batchNumber))
        for number in involved.sorted() {
            guard let id = batches[number]?.goodyID else { continue }
            for order in try await client.allBatchOrders(id: id) { atGoody[order.id] = order }
        }
        let now = Today.now()
        for row in selected {
            let who = Self.who(row)
            guard row.status == .sent, var order = orders[row.line] else {
                plan.explained.append(
                    (who, Self.whyNoOrder(row, batch: row.batchNumber.flatMap { batches[$0] }, run: run)))
                continue
            }
            let current: Order
            if let known = atGoody[order.orderID] {
                current = known
            } else {
                current = try await client.order(id: order.orderID)
            }
            GiftLife.refresh(&order, from: current)
            let stage = GiftStage(order, now: now)
            if request.notOpened, stage != .notOpened {
                continue
            }
            if let days = request.expiringWithinDays {
                let limit = now.addingTimeInterval(Double(days) * 86_400)
                guard stage.isUnaccepted, let expiry = order.expiresAt.flatMap(GoodyJSON.date), expiry <= limit
                else { continue }
            }
            if request.selectsEveryone, !stage.isUnaccepted {
                plan.leftAlone[stage.words, default: 0] += 1
                continue
            }
            if let why = stage.whyLeftAlone(order, doing: request.kind == .cancel ? "canceled" : "changed") {
                plan.explained.append((who, why))
                continue
            }
            if request.kind == .extend, let until = request.until,
                let expiry = order.expiresAt.flatMap(GoodyJSON.date), abs(expiry.timeIntervalSince(until)) < 1
            {
                plan.explained.append((who, "already expires \(ResultsWriter.day(until))"))
            } else {
                plan.items.append(FollowUpPlan.Item(line: row.line, who: who, order: order, stage: stage))
            }
        }
        return plan
    }

    /// The rows a request names; a line or email the run does not have is an error, and so is a
    /// roster that cannot be read.
    /// The column the run's employee IDs were in, when one was mapped.
    private func employeeColumn(of run: RunRecord) throws -> Int? {
        try OutputSettings.of(run.outputJSON, header: try run.header(), runID: run.id).roles[
            RecipientField.employeeID.rawValue]
    }

    private func select(_ rows: [RowRecord], request: FollowUpRequest, run: RunRecord) throws -> [RowRecord] {
        let runID = run.id
        if request.selectsEveryone { return rows.filter { $0.status == .sent } }
        var chosen: Set<Int> = []
        let byLine = Dictionary(rows.map { ($0.line, $0) }, uniquingKeysWith: { first, _ in first })
        let missingLines = request.lines.filter { byLine[$0] == nil }
        if !missingLines.isEmpty {
            throw FollowUpError(
                "run \(runID) has no input line \(missingLines.map(String.init).joined(separator: ", ")) (its lines are \(rows.first?.line ?? 0)–\(rows.last?.line ?? 0)). Nothing was changed."
            )
        }
        chosen.formUnion(request.lines)
        var missingEmails: [String] = []
        for email in request.emails {
            let matches = rows.filter { $0.email?.caseInsensitiveCompare(email) == .orderedSame }
            if matches.isEmpty { missingEmails.append(email) }
            chosen.formUnion(matches.map(\.line))
        }
        if !missingEmails.isEmpty {
            throw FollowUpError(
                "nobody in run \(runID) has the email \(missingEmails.joined(separator: ", ")). Nothing was changed. `goody-batch export \(runID)` writes the run's results, with each person's line and email."
            )
        }
        if let roster = request.notIn {
            let present = try Roster(path: roster)
            let employee = try employeeColumn(of: run)
            chosen.formUnion(
                try rows.filter { row in
                    let values = try row.values()
                    let id = employee.flatMap { $0 < values.count ? values[$0] : nil }
                    return row.status == .sent && !present.contains(row, employeeID: id)
                }.map(\.line))
        }
        return rows.filter { chosen.contains($0.line) }
    }

    static func who(_ row: RowRecord) -> String {
        let name = [row.firstName ?? "", row.lastName ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
        return [name, row.email.map { "<\($0)>" } ?? ""].filter { !$0.isEmpty }.joined(separator: " ")
    }

    /// Why a selected row has no order to act on, and what can be done.
    static func whyNoOrder(_ row: RowRecord, batch: BatchRecord?, run: RunRecord) -> String {
        switch row.status {
        case .pending:
            if let batch, batch.state == .created, let day = batch.scheduledSendOn {
                return
                    "scheduled for \(ResultsWriter.day(day)): Goody creates its order only then, so there is nothing to act on yet. Run this again after that day; to stop the whole scheduled batch now, cancel it in Goody's dashboard (batch \(batch.goodyID ?? batch.customerReferenceID))"
            }
            return
                "not sent yet: run \(run.id) stopped before this gift was created, and `goody-batch resume \(run.id)` would create it"
        case .rejected, .failed: return "no gift in this run (\(row.error ?? row.status.rawValue))"
        case .alreadySent: return "no gift in this run: it was given in an earlier run, which this command can act on"
        case .sent: return "Goody returned no order for this row"
        }
    }
}

/// The people of a roster, by every key a person answers to: their emails, employee ID and name.
/// Someone who matches on any of them is still there.
struct Roster {
    private var emails: Set<String> = []
    private var employees: Set<String> = []
    private var names: Set<String> = []

    init(path: String) throws {
        do {
            let reader = try SpreadsheetReader(path: path, headerScore: Validation.headerScore)
            let mapping = try ColumnMapping(header: reader.layout.header)
            let width = reader.layout.header.count
            let email =
                // The mapped email column and any other holding "email" (a personal one), each once.
                Set(
                    [mapping.column(for: .email)].compactMap { $0 }
                        + reader.layout.header.indices.filter {
                            reader.layout.header[$0].range(of: "email", options: .caseInsensitive) != nil
                        }
                ).sorted()
            let employee = mapping.column(for: .employeeID)
            let first = mapping.column(for: .firstName)
            let last = mapping.column(for: .lastName)
            var emails: Set<String> = []
            var employees: Set<String> = []
            var names: Set<String> = []
            _ = try reader.readRecords { record in
                let values = record.strings(width: width)
                for column in email where column < values.count && values[column].contains("@") {
                    emails.insert(values[column].trimmingCharacters(in: .whitespaces).lowercased())
                }
                if let employee, employee < values.count, !values[employee].isEmpty {
                    employees.insert(PersonKey.fold(values[employee]))
                }
                if let first, first < values.count {
                    names.insert(PersonKey.name(values[first], last.map { $0 < values.count ? values[$0] : "" }))
                }
            }
            guard !(emails.isEmpty && employees.isEmpty && names.isEmpty) else {
                throw FollowUpError(
                    "--not-in \(path): no email, employee ID or name column was found in it, so nobody can be told apart. Nothing was changed."
                )
            }
            self.emails = emails
            self.employees = employees
            self.names = names
        } catch let error as SpreadsheetError {
            throw FollowUpError("--not-in: \(error.localizedDescription) Nothing was changed.")
        } catch let error as MappingError {
            throw FollowUpError("--not-in: \(error.message(path: path, headerLine: 1)) Nothing was changed.")
        }
    }

    /// Whether the person of a run's row is on this roster by any key.
    func contains(_ row: RowRecord, employeeID: String?) -> Bool {
        if let email = row.email?.lowercased(), emails.contains(email) { return true }
        if let id = employeeID.map(PersonKey.fold), !id.isEmpty, employees.contains(id) { return true }
        if let first = row.firstName, names.contains(PersonKey.name(first, row.lastName)) { return true }
        return false
    }
}
