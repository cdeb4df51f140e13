public import Foundation
import GRDB
import GoodyAPI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The run ledger: a SQLite file (mode 0600: it holds gift links) that records every run, batch,
/// row and order. Every state change is its own committed transaction, written with
/// `synchronous = FULL`, so after a crash, a kill or a power cut the ledger still tells what may
/// have happened at Goody.
public final class RunLedger: Sendable {
    public let path: String
    private let database: DatabaseQueue

    /// Opens (creating if needed) the ledger at `path`. A ledger is trusted only when it is ours:
    /// a regular file (not a symlink) owned by this user and writable by nobody else. Anything
    /// else is refused, so a ledger planted in a shared folder can neither steer a send nor
    /// collect gift links. Its mode is set on the opened file, never through a path.
    public init(path: String) throws {
        self.path = path
        try Self.openPrivately(path)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError {
            throw LedgerError(error, path: path)
        }
    }

    /// Creates the file (0600) or checks the one there, through one descriptor opened without
    /// following links, and narrows its mode to 0600 on that descriptor.
    private static func openPrivately(_ path: String) throws {
        var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        if descriptor < 0 && errno == EEXIST {
            descriptor = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        }
        guard descriptor >= 0 else {
            if errno == ELOOP {
                throw LedgerTrustError(
                    "the ledger \(path) is a symbolic link; goody-batch only uses a ledger it created itself. Move it aside (or use --ledger PATH) and run again."
                )
            }
            throw LedgerError("cannot open the ledger \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        try checkOwnership(descriptor, path: path)
        guard fchmod(descriptor, 0o600) == 0 else {
            throw LedgerError("cannot make the ledger \(path) private: \(String(cString: strerror(errno)))")
        }
        // SQLite's companions hold the same data: they must be ours as well.
        for companion in [path + "-wal", path + "-shm", path + "-journal"] {
            let other = open(companion, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            if other < 0 {
                if errno == ENOENT { continue }
                throw LedgerError(
                    "the ledger's file \(companion) cannot be opened safely (\(String(cString: strerror(errno)))); move it aside and run again."
                )
            }
            defer { close(other) }
            try checkOwnership(other, path: companion)
        }
    }

    private static func checkOwnership(_ descriptor: Int32, path: String) throws {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw LedgerError("cannot examine the ledger \(path): \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw LedgerTrustError("the ledger \(path) is not a regular file; move it aside and run again.")
        }
        guard info.st_uid == geteuid() else {
            throw LedgerTrustError(
                "the ledger \(path) belongs to another user (uid \(info.st_uid)), so goody-batch will not trust it: it could hold forged runs, and its owner could read every gift link. Nothing was sent. Move it aside, or send with --ledger PATH in a folder only you can write."
            )
        }
        guard info.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw LedgerTrustError(
                "the ledger \(path) can be written by other users (mode \(String(info.st_mode & 0o777, radix: 8))), so goody-batch will not trust it. Nothing was sent. If it is yours, run `chmod 600 \(path)`; otherwise move it aside."
            )
        }
    }

    /// Every read and write goes through these two, so a SQLite failure reaches the caller as a
    /// `LedgerError` that says which file and what to do.
    private func reading<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.read(body) } catch let error as DatabaseError { throw LedgerError(error, path: path) }
    }

    private func writing<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try database.write(body) } catch let error as DatabaseError { throw LedgerError(error, path: path) }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.create(table: "run") { table in
                table.primaryKey("id", .text)
                table.column("identity", .text).notNull().unique()
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
                table.column("inputPath", .text).notNull()
                table.column("inputSHA256", .text).notNull()
                table.column("outputPath", .text).notNull()
                table.column("environment", .text).notNull()
                table.column("simulated", .boolean).notNull()
                table.column("sendMethod", .text).notNull()
                table.column("settingsJSON", .text).notNull()
                table.column("headerJSON", .text).notNull()
                table.column("planFingerprint", .text).notNull()
                table.column("estimateLow", .integer).notNull()
                table.column("estimateHigh", .integer).notNull()
                table.column("maxSpend", .integer)
                table.column("approvedAt", .datetime).notNull()
                table.column("approval", .text).notNull()
                table.column("splitBy", .text)
                table.column("state", .text).notNull()
            }
            try db.create(table: "batch") { table in
                table.column("runID", .text).notNull().references("run", onDelete: .cascade)
                table.column("number", .integer).notNull()
                table.column("customerReferenceID", .text).notNull().unique()
                table.column("state", .text).notNull()
                table.column("requestJSON", .text).notNull()
                table.column("recipientCount", .integer).notNull()
                table.column("estimateLow", .integer).notNull()
                table.column("estimateHigh", .integer).notNull()
                table.column("goodyID", .text)
                table.column("referenceID", .text)
                table.column("sendStatus", .text)
                table.column("scheduledSendOn", .text)
                table.column("error", .text)
                table.column("attempts", .integer).notNull()
                table.column("updatedAt", .datetime).notNull()
                table.primaryKey(["runID", "number"])
            }
            try db.create(table: "row") { table in
                table.column("runID", .text).notNull().references("run", onDelete: .cascade)
                table.column("line", .integer).notNull()
                table.column("batchNumber", .integer)
                table.column("position", .integer)
                table.column("rowHash", .text).notNull()
                table.column("valuesJSON", .text).notNull()
                table.column("recipientKey", .text).indexed()
                table.column("email", .text)
                table.column("firstName", .text)
                table.column("lastName", .text)
                table.column("status", .text).notNull()
                table.column("error", .text)
                table.primaryKey(["runID", "line"])
            }
            try db.create(table: "order_record") { table in
                table.column("runID", .text).notNull().references("run", onDelete: .cascade)
                table.column("orderID", .text).notNull()
                table.column("batchNumber", .integer).notNull()
                table.column("line", .integer)
                table.column("matchedBy", .text)
                table.column("giftLink", .text).notNull()
                table.column("referenceID", .text).notNull()
                table.column("status", .text).notNull()
                table.column("firstName", .text).notNull()
                table.column("lastName", .text)
                table.column("email", .text)
                table.column("amountProduct", .integer).notNull()
                table.column("amountShipping", .integer).notNull()
                table.column("amountProcessingFee", .integer)
                table.column("amountTax", .integer)
                table.column("amountTotal", .integer)
                table.column("amountPreTaxTotal", .integer).notNull()
                table.column("updatedAt", .datetime).notNull()
                table.primaryKey(["runID", "orderID"])
            }
        }
        migrator.registerMigration("v2: swapped orders") { db in
            try db.alter(table: "order_record") { table in
                table.add(column: "swapped", .boolean).notNull().defaults(to: false)
            }
        }
        migrator.registerMigration("v3: spending cap") { db in
            try db.alter(table: "run") { table in
                // What the person approved spending, in cents: the high estimate, or a later figure.
                table.add(column: "approvedLimit", .integer)
            }
            try db.alter(table: "batch") { table in
                // The estimate asked for just before the create, and what Goody charged after it.
                table.add(column: "freshEstimateHigh", .integer)
                table.add(column: "charged", .integer)
            }
        }
        migrator.registerMigration("v4: files for managers") { db in
            try db.alter(table: "run") { table in table.add(column: "outputJSON", .text) }
            try db.alter(table: "order_record") { table in table.add(column: "expiresAt", .text) }
        }
        migrator.registerMigration("v5: occasions") { db in
            try db.alter(table: "row") { table in
                // What the gift is for: the occasion and its occurrence, and the occasion's day.
                table.add(column: "occasion", .text)
                table.add(column: "occasionDate", .text)
            }
        }
        migrator.registerMigration("v6: approvals") { db in
            try db.alter(table: "run") { table in
                // Who approved, and the plan file (its SHA-256) the send was held to.
                table.add(column: "approvedBy", .text)
                table.add(column: "planSHA256", .text)
            }
        }
        migrator.registerMigration("v7: after the send") { db in
            // Each step an order took and when (from Goody's order activities), as a JSON object.
            try db.alter(table: "order_record") { table in table.add(column: "stepsJSON", .text) }
            // Every cancel, expiry move and replacement: recorded before the call and after it,
            // so a repeat never acts twice on one order and a crash never loses track.
            try db.create(table: "order_action") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("runID", .text).notNull().references("run")
                table.column("orderID", .text).notNull()
                table.column("line", .integer)
                table.column("kind", .text).notNull()
                table.column("value", .text)
                table.column("state", .text).notNull()
                table.column("note", .text)
                table.column("newOrderID", .text)
                table.column("command", .text).notNull()
                table.column("approval", .text).notNull()
                table.column("createdAt", .datetime).notNull()
                table.column("updatedAt", .datetime).notNull()
            }
            try db.create(index: "order_action_by_order", on: "order_action", columns: ["runID", "orderID"])
        }
        migrator.registerMigration("v8: orders by line") { db in
            // The results are written a page of lines at a time, each page with its orders.
            try db.create(index: "order_record_by_line", on: "order_record", columns: ["runID", "line"])
            // A batch's rows are read when the batch is worked on, not all at the start.
            try db.create(index: "row_by_batch", on: "row", columns: ["runID", "batchNumber"])
        }
        return migrator
    }

    // MARK: - Runs

    /// Records a new run with its batches and rows, in one transaction.
    public func createRun(_ run: RunRecord, batches: [BatchRecord], rows: [RowRecord]) throws {
        try createRun(run, batches: batches) { insert in try rows.forEach(insert) }
    }

    /// The same, with the rows made one at a time by `rows` (which hands each to the closure it
    /// is given), so a large run's rows are never all held: still one transaction.
    public func createRun(
        _ run: RunRecord, batches: [BatchRecord], rows: (_ insert: (RowRecord) throws -> Void) throws -> Void
    ) throws {
        try writing { db in
            try run.insert(db)
            for batch in batches { try batch.insert(db) }
            try rows { row in try row.insert(db) }
        }
    }

    public func run(identity: String) throws -> RunRecord? {
        try reading { db in try RunRecord.filter(Column("identity") == identity).fetchOne(db) }
    }

    /// A run by its ID or an unambiguous prefix of it; a prefix of several is an error listing them.
    public func run(id: String) throws -> RunRecord? {
        let matches = try runs(matching: id)
        guard matches.count <= 1 else { throw LedgerError.ambiguous(id, matches.map { ($0, path) }) }
        return matches.first
    }

    /// The run with this exact ID, or every run whose ID starts with `prefix`.
    public func runs(matching prefix: String) throws -> [RunRecord] {
        try reading { db in
            if let exact = try RunRecord.fetchOne(db, key: prefix) { return [exact] }
            return try RunRecord.filter(Column("id").like("\(prefix)%")).order(Column("createdAt").desc).fetchAll(db)
        }
    }

    /// Every run, newest first.
    public func runs() throws -> [RunRecord] {
        try reading { db in try RunRecord.order(Column("createdAt").desc).fetchAll(db) }
    }

    /// A new approval: the run may spend up to `cents` in all.
    public func approve(_ cents: Int, approval: String, ofRun id: String) throws {
        try writing { db in
            try db.execute(
                sql: "UPDATE run SET approvedLimit = ?, approval = ?, approvedAt = ?, updatedAt = ? WHERE id = ?",
                arguments: [cents, approval, Today.now(), Today.now(), id])
        }
    }

    public func setState(_ state: RunRecord.State, ofRun id: String) throws {
        try writing { db in
            try db.execute(
                sql: "UPDATE run SET state = ?, updatedAt = ? WHERE id = ?",
                arguments: [state.rawValue, Today.now(), id])
        }
    }

    // MARK: - Batches

    public func batches(ofRun id: String) throws -> [BatchRecord] {
        try reading { db in
            try BatchRecord.filter(Column("runID") == id).order(Column("number")).fetchAll(db)
        }
    }

    /// The Goody IDs of every batch this ledger recorded for runs sent to `environment` (the
    /// same account): a batch found by its content is never one of these.
    public func recordedGoodyIDs(environment: String) throws -> Set<String> {
        try reading { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT batch.goodyID FROM batch JOIN run ON run.id = batch.runID
                        WHERE batch.goodyID IS NOT NULL AND run.environment = ?
                        """, arguments: [environment]))
        }
    }

    /// The occasion and occurrence each of Goody's batches recorded here was sent for (nil for a
    /// send without an occasion), by Goody's batch ID, for runs sent to `environment`.
    public func batchOccasions(environment: String) throws -> [String: String?] {
        try reading { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT batch.goodyID AS goodyID, MAX(row.occasion) AS occasion FROM batch
                    JOIN run ON run.id = batch.runID
                    JOIN row ON row.runID = batch.runID AND row.batchNumber = batch.number
                    WHERE batch.goodyID IS NOT NULL AND run.environment = ?
                    GROUP BY batch.goodyID
                    """, arguments: [environment])
            var found: [String: String?] = [:]
            for row in rows {
                guard let id: String = row["goodyID"] else { continue }
                let occasion: String? = row["occasion"]
                found[id] = .some(occasion)
            }
            return found
        }
    }

    /// Saves a batch's new state on its own, committed before the caller goes on.
    public func update(_ batch: BatchRecord) throws {
        var batch = batch
        batch.updatedAt = Today.now()
        try writing { db in try batch.update(db) }
    }

    // MARK: - Rows and orders

    public func rows(ofRun id: String) throws -> [RowRecord] {
        try reading { db in try RowRecord.filter(Column("runID") == id).order(Column("line")).fetchAll(db) }
    }

    public func orders(ofRun id: String) throws -> [OrderRecord] {
        try reading { db in
            try OrderRecord.filter(Column("runID") == id).order(Column("batchNumber"), Column("line")).fetchAll(db)
        }
    }

    /// The rows of one batch of a run, in their place in the batch.
    public func rows(ofRun id: String, batch number: Int) throws -> [RowRecord] {
        try reading { db in
            try RowRecord.filter(Column("runID") == id && Column("batchNumber") == number).order(Column("line"))
                .fetchAll(db)
        }
    }

    /// How many rows of a run have each status.
    public func rowCounts(ofRun id: String) throws -> [RowRecord.Status: Int] {
        try reading { db in
            var counts: [RowRecord.Status: Int] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT status, COUNT(*) FROM row WHERE runID = ? GROUP BY status", arguments: [id])
            while let row = try rows.next() {
                if let status = RowRecord.Status(rawValue: row[0]) { counts[status] = row[1] }
            }
            return counts
        }
    }

    /// Hands each order of a run to `body`, one at a time, never all held at once. `body` must
    /// not use the ledger.
    public func forEachOrder(ofRun id: String, _ body: (OrderRecord) throws -> Void) throws {
        try reading { db in
            let orders = try OrderRecord.filter(Column("runID") == id).fetchCursor(db)
            while let order = try orders.next() { try body(order) }
        }
    }

    /// A page of a run's rows in line order: those after `line`, at most `limit`.
    public func rows(ofRun id: String, after line: Int, limit: Int) throws -> [RowRecord] {
        try reading { db in
            try RowRecord.filter(Column("runID") == id && Column("line") > line).order(Column("line")).limit(limit)
                .fetchAll(db)
        }
    }

    /// The orders of a run matched to the lines `lines`.
    public func orders(ofRun id: String, lines: ClosedRange<Int>) throws -> [OrderRecord] {
        try reading { db in
            try OrderRecord.filter(Column("runID") == id && lines.contains(Column("line"))).fetchAll(db)
        }
    }

    /// The orders of a run matched to no line (Goody's orders no row matched, and replaced ones).
    public func ordersWithoutLine(ofRun id: String) throws -> [OrderRecord] {
        try reading { db in
            try OrderRecord.filter(Column("runID") == id && Column("line") == nil).order(Column("batchNumber"))
                .fetchAll(db)
        }
    }

    /// Saves a batch's orders and its rows' new status with the batch, in one transaction: the
    /// ledger never holds a collected batch without its gift links.
    public func saveCollected(_ batch: BatchRecord, orders: [OrderRecord], rows: [RowRecord]) throws {
        var batch = batch
        batch.updatedAt = Today.now()
        try writing { db in
            try batch.update(db)
            for order in orders { try order.save(db) }
            for row in rows { try row.update(db) }
        }
    }

    /// Saves new order statuses (from `status`).
    public func updateOrders(_ orders: [OrderRecord]) throws {
        try writing { db in
            for var order in orders {
                order.updatedAt = Today.now()
                try order.update(db)
            }
        }
    }

    // MARK: - Actions after the send

    public func actions(ofRun id: String) throws -> [OrderAction] {
        try reading { db in
            try OrderAction.filter(Column("runID") == id).order(Column("id")).fetchAll(db)
        }
    }

    /// Records an action before its call: once this returns, a repeat knows it may have happened.
    public func begin(_ action: OrderAction) throws -> OrderAction {
        try writing { db in
            var action = action
            try action.insert(db)
            return action
        }
    }

    /// Records how an action ended, with the order as Goody now has it (and, for a replacement,
    /// the new order and the row's new batch), in one transaction.
    public func finish(
        _ action: OrderAction, order: OrderRecord?, newOrder: OrderRecord? = nil, batch: BatchRecord? = nil,
        row: RowRecord? = nil
    ) throws {
        var action = action
        action.updatedAt = Today.now()
        try writing { db in
            try action.update(db)
            if var order {
                order.updatedAt = Today.now()
                try order.update(db)
            }
            if let batch { try batch.save(db) }
            if let newOrder { try newOrder.save(db) }
            if let row { try row.update(db) }
        }
    }

    public func updateRows(_ rows: [RowRecord]) throws {
        try writing { db in for row in rows { try row.update(db) } }
    }

    /// Rows of runs sent to this account that stopped before all their batches were settled:
    /// a `creating` batch may exist at Goody without the ledger knowing, and a `planned` one is
    /// created when the run is resumed.
    public func unsettledRows(environment: String) throws -> [(run: RunRecord, row: RowRecord)] {
        try reading { db in
            let runs = try RunRecord.filter(Column("environment") == environment)
                .filter([RunRecord.State.approved, .sending, .interrupted].map(\.rawValue).contains(Column("state")))
                .fetchAll(db)
            var found: [(run: RunRecord, row: RowRecord)] = []
            for run in runs {
                let open = Set(
                    try BatchRecord.filter(Column("runID") == run.id).fetchAll(db)
                        .filter { $0.state == .planned || $0.state == .creating }.map(\.number))
                for row in try RowRecord.filter(Column("runID") == run.id).fetchAll(db) {
                    if let number = row.batchNumber, open.contains(number) { found.append((run, row)) }
                }
            }
            return found
        }
    }

    /// Every row of runs sent to this account that got a gift, or has one scheduled (its batch
    /// exists at Goody), with its order when there is one.
    public func giftedRows(environment: String) throws -> [GiftedRow] {
        try reading { db in
            let runs = try RunRecord.filter(Column("environment") == environment).fetchAll(db)
            var found: [GiftedRow] = []
            for run in runs {
                let orders = Dictionary(
                    try OrderRecord.filter(Column("runID") == run.id).fetchAll(db).compactMap { order in
                        order.line.map { ($0, order) }
                    }, uniquingKeysWith: { first, _ in first })
                let batches = Dictionary(
                    uniqueKeysWithValues: try BatchRecord.filter(Column("runID") == run.id).fetchAll(db).map {
                        ($0.number, $0)
                    })
                let cards = batches.mapValues(\.cardID)
                for row in try RowRecord.filter(Column("runID") == run.id).fetchAll(db) {
                    let batch = row.batchNumber.flatMap { batches[$0] }
                    let scheduled = row.status == .pending && batch?.state == .created
                    guard row.status == .sent || scheduled else { continue }
                    found.append(
                        GiftedRow(
                            runID: run.id, line: row.line, batchNumber: row.batchNumber, recipientKey: row.recipientKey,
                            email: row.email, firstName: row.firstName, lastName: row.lastName,
                            orderID: orders[row.line]?.orderID,
                            scheduledSendOn: scheduled ? batch?.scheduledSendOn : nil,
                            at: orders[row.line]?.updatedAt ?? run.createdAt, ledgerPath: path,
                            occasion: row.occasion, cardID: row.batchNumber.flatMap { cards[$0] } ?? nil))
                }
            }
            return found
        }
    }

    /// Who already got a gift in runs of this ledger sent to `environment` (a gift from the
    /// emulator or the sandbox is no gift): recipient key → (run, line).
    public func sentRecipients(environment: String) throws -> [String: (run: String, line: Int)] {
        try reading { db in
            let runs = try RunRecord.filter(Column("environment") == environment).fetchAll(db)
            let ids = Set(runs.map(\.id))
            // A scheduled gift is as good as sent: its batch exists at Goody.
            let waiting = Set(runs.filter { $0.state == .waiting }.map(\.id))
            let rows = try RowRecord.filter(
                [RowRecord.Status.sent.rawValue, RowRecord.Status.pending.rawValue].contains(Column("status"))
            )
            .filter(Column("recipientKey") != nil)
            .fetchAll(db)
            .filter { $0.status == .sent || waiting.contains($0.runID) }
            var sent: [String: (run: String, line: Int)] = [:]
            for row in rows where ids.contains(row.runID) {
                if let key = row.recipientKey, sent[key] == nil { sent[key] = (row.runID, row.line) }
            }
            return sent
        }
    }

    /// The file's raw bytes, for tests that check nothing secret was written.
    public func rawContents() -> Data {
        try? database.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
        return FileManager.default.contents(atPath: path) ?? Data()
    }
}

public struct LedgerError: Error, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }

    /// SQLite's failure in words: which file, what it means for the runs in it, what to do.
    init(_ error: DatabaseError, path: String) {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            message =
                "the ledger \(path) cannot be read (\(error.message ?? "damaged")): no run in it can be trusted. Move it aside (mv \(path) \(path).damaged) and run again; what Goody has is also in Goody's own history, which the next send checks. Sends that use other ledgers are not affected."
        case .SQLITE_FULL:
            message =
                "the disk holding the ledger \(path) is full: the last step could not be recorded. Free some space; everything recorded before it is safe."
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            message =
                "the ledger \(path) is locked by another goody-batch; wait for it to finish and run again."
        case .SQLITE_READONLY, .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_IOERR:
            message =
                "the ledger \(path) cannot be written (\(error.message ?? "\(error.resultCode)")). Check the folder's permissions and free space."
        default:
            message = "the ledger \(path) failed: \(error.message ?? "\(error.resultCode)")"
        }
    }

    /// A run ID prefix that names several runs: never the newest one silently.
    public static func ambiguous(_ prefix: String, _ runs: [(RunRecord, String)]) -> RunLookupError {
        let list = runs.map { run, path in "\(run.id) (\(run.state.rawValue), \(run.inputPath), in \(path))" }
        return RunLookupError(
            message: "\(prefix) names \(runs.count) runs: \(list.joined(separator: "; ")). Give more of the ID.")
    }
}

/// A run ID that names no run, or several: a mistake in the command, not in any file.
public struct RunLookupError: Error, LocalizedError, Sendable {
    public let message: String
    public var errorDescription: String? { message }
}

/// A ledger goody-batch will not trust: not a regular file of this user's, writable by others, or
/// reached through a symbolic link. A safety refusal: nothing is read from it or sent.
public struct LedgerTrustError: Error, LocalizedError, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}

/// A row that got a gift (or has one scheduled) in some run, for "already gifted".
public struct GiftedRow: Sendable, Equatable {
    public var runID: String
    public var line: Int
    public var batchNumber: Int?
    public var recipientKey: String?
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var orderID: String?
    /// For a gift still scheduled, when it will be sent.
    public var scheduledSendOn: String?
    public var at: Date
    public var ledgerPath: String
    /// The occasion and occurrence the gift was for; nil for a send without an occasion.
    public var occasion: String?
    /// The card the gift was sent with.
    public var cardID: String?
}
