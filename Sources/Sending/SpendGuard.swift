import APIClient
import Foundation
import GoodyAPI
import Ledger
import Planning

/// Approval is a cap that travels with the run. Before each create, the batch is priced afresh,
/// and what the run has committed (each created batch at what Goody charged, or its estimate
/// until then) plus this fresh estimate plus the approved estimates of the batches still to
/// create must stay within what the person approved, and the fresh estimate within the funds.
/// Otherwise nothing more is created, and the refusal says by how much prices moved. One actor,
/// so batches created at once cannot each pass on the same headroom.
actor SpendGuard {
    private let limit: Int
    /// Batches created (or maybe created): what each counts for.
    private var committed: [Int: Int] = [:]
    /// Batches still to create: their estimate at approval.
    private var planned: [Int: Int] = [:]
    /// What a balance payment method still holds for this run, when it has a balance.
    private var funds: Int?

    init(run: RunRecord, batches: [BatchRecord], funds: Int?) {
        limit = run.approvedLimit ?? run.estimateHigh
        self.funds = funds
        for batch in batches {
            if batch.state == .planned {
                planned[batch.number] = batch.estimateHigh
            } else {
                committed[batch.number] = batch.committedAmount
            }
        }
    }

    /// Why a create was not made: the figures a new approval needs.
    struct Refusal: Error {
        var batch: Int
        var approvedEstimate: Int
        var freshEstimate: Int
        var committed: Int
        var projected: Int
        var limit: Int
        var fundsLeft: Int?
        /// The whole run with every batch still to create priced again: what to approve.
        var atTodaysPrices: Int?
    }

    /// Reserves `fresh` for the batch, or says why not.
    func reserve(_ batch: Int, fresh: Int) -> Refusal? {
        let approvedEstimate = planned[batch] ?? committed[batch] ?? 0
        let spent = committed.filter { $0.key != batch }.values.reduce(0, +)
        let rest = planned.filter { $0.key != batch }.values.reduce(0, +)
        let projected = spent + fresh + rest
        if projected > limit || (funds.map { fresh > $0 } ?? false) {
            return Refusal(
                batch: batch, approvedEstimate: approvedEstimate, freshEstimate: fresh, committed: spent,
                projected: projected, limit: limit, fundsLeft: funds)
        }
        planned[batch] = nil
        committed[batch] = fresh
        funds = funds.map { $0 - fresh }
        return nil
    }

    /// A batch Goody refused costs nothing.
    func release(_ batch: Int) {
        if let amount = committed.removeValue(forKey: batch) { funds = funds.map { $0 + amount } }
        planned[batch] = nil
    }

    /// What Goody charged for a batch replaces its estimate.
    func charged(_ batch: Int, _ amount: Int) { committed[batch] = amount }
}

extension SpendGuard.Refusal: LocalizedError {
    var errorDescription: String? {
        let moved = freshEstimate - approvedEstimate
        let change =
            moved == 0
            ? "batch \(batch) now estimates \(Money.dollars(freshEstimate)), as approved"
            : "batch \(batch) now estimates \(Money.dollars(freshEstimate)), \(Money.dollars(abs(moved))) \(moved > 0 ? "more" : "less") than the \(Money.dollars(approvedEstimate)) approved"
        if let fundsLeft, freshEstimate > fundsLeft {
            return
                "not created: \(change), and the payment method has \(Money.dollars(fundsLeft)) left for it. Add funds, then continue."
        }
        return
            "not created: prices moved — \(change). The run would come to \(Money.dollars(projected)) (\(Money.dollars(committed)) already committed), over the \(Money.dollars(limit)) approved, by \(Money.dollars(projected - limit))."
    }
}

extension BatchRecord {
    /// What a batch that is not still to create counts for against the approval: what Goody
    /// charged, else the estimate asked for just before its create, else its approved estimate;
    /// nothing when Goody refused or failed it.
    var committedAmount: Int {
        switch state {
        case .refused, .failed: 0
        default: charged ?? freshEstimateHigh ?? estimateHigh
        }
    }
}

/// The orders' cost as Goody charged it: each order's total, or its pre-tax total where the tax
/// is not known yet (a gift's tax is set when it is accepted).
func charged(_ orders: [Order]) -> Int {
    orders.reduce(0) { $0 + ($1.amounts.amountTotal ?? $1.amounts.amountPreTaxTotal) }
}
