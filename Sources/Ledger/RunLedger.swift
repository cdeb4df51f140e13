public import Foundation
import GRDB

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

    /// Opens (creating if needed) the ledger at `path`.
    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            // Created private before SQLite touches it; SQLite gives its journal the same mode.
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw LedgerError("cannot create the ledger \(path): \(String(cString: strerror(errno)))")
            }
            close(descriptor)
        }
        chmod(path, 0o600)
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        database = try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
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
        return migrator
    }

    // MARK: - Runs

    /// Records a new run with its batches and rows, in one transaction.
    public func createRun(_ run: RunRecord, batches: [BatchRecord], rows: [RowRecord]) throws {
        try database.write { db in
            try run.insert(db)
            for batch in batches { try batch.insert(db) }
            for row in rows { try row.insert(db) }
        }
    }

    public func run(identity: String) throws -> RunRecord? {
        try database.read { db in try RunRecord.filter(Column("identity") == identity).fetchOne(db) }
    }

    /// A run by its ID or an unambiguous prefix of it.
    public func run(id: String) throws -> RunRecord? {
        try database.read { db in
            if let exact = try RunRecord.fetchOne(db, key: id) { return exact }
            let matches = try RunRecord.filter(Column("id").like("\(id)%")).fetchAll(db)
            return matches.count == 1 ? matches[0] : nil
        }
    }

    /// Every run, newest first.
    public func runs() throws -> [RunRecord] {
        try database.read { db in try RunRecord.order(Column("createdAt").desc).fetchAll(db) }
    }

    public func setState(_ state: RunRecord.State, ofRun id: String) throws {
        try database.write { db in
            try db.execute(
                sql: "UPDATE run SET state = ?, updatedAt = ? WHERE id = ?", arguments: [state.rawValue, Date(), id])
        }
    }

    // MARK: - Batches

    public func batches(ofRun id: String) throws -> [BatchRecord] {
        try database.read { db in
            try BatchRecord.filter(Column("runID") == id).order(Column("number")).fetchAll(db)
        }
    }

    /// The Goody IDs of every batch this ledger recorded for runs sent to `environment` (the
    /// same account): a batch found by its content is never one of these.
    public func recordedGoodyIDs(environment: String) throws -> Set<String> {
        try database.read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT batch.goodyID FROM batch JOIN run ON run.id = batch.runID
                        WHERE batch.goodyID IS NOT NULL AND run.environment = ?
                        """, arguments: [environment]))
        }
    }

    /// Saves a batch's new state on its own, committed before the caller goes on.
    public func update(_ batch: BatchRecord) throws {
        var batch = batch
        batch.updatedAt = Date()
        try database.write { db in try batch.update(db) }
    }

    // MARK: - Rows and orders

    public func rows(ofRun id: String) throws -> [RowRecord] {
        try database.read { db in try RowRecord.filter(Column("runID") == id).order(Column("line")).fetchAll(db) }
    }

    public func orders(ofRun id: String) throws -> [OrderRecord] {
        try database.read { db in
            try OrderRecord.filter(Column("runID") == id).order(Column("batchNumber"), Column("line")).fetchAll(db)
        }
    }

    /// Saves a batch's orders and its rows' new status with the batch, in one transaction: the
    /// ledger never holds a collected batch without its gift links.
    public func saveCollected(_ batch: BatchRecord, orders: [OrderRecord], rows: [RowRecord]) throws {
        var batch = batch
        batch.updatedAt = Date()
        try database.write { db in
            try batch.update(db)
            for order in orders { try order.save(db) }
            for row in rows { try row.update(db) }
        }
    }

    /// Saves new order statuses (from `status`).
    public func updateOrders(_ orders: [OrderRecord]) throws {
        try database.write { db in
            for var order in orders {
                order.updatedAt = Date()
                try order.update(db)
            }
        }
    }

    public func updateRows(_ rows: [RowRecord]) throws {
        try database.write { db in for row in rows { try row.update(db) } }
    }

    /// Who already got a gift in runs of this ledger sent to `environment` (a gift from the
    /// emulator or the sandbox is no gift): recipient key → (run, line).
    public func sentRecipients(environment: String) throws -> [String: (run: String, line: Int)] {
        try database.read { db in
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
}
