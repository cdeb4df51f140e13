public import Foundation
public import GRDB

/// One send: its settings, the input it came from, and where it stands.
public struct RunRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "run"

    public enum State: String, Codable, Sendable {
        /// Recorded and approved; no batch created yet.
        case approved
        /// Creating batches and collecting gift links.
        case sending
        /// Stopped before the end (Ctrl-C, a lost connection…): `resume` continues it.
        case interrupted
        /// Every batch is settled: created with its gift links, or refused or failed.
        case complete
        /// Every batch is created; some are scheduled for later and have no gift links yet.
        case waiting
    }

    /// Short and unique: "r" and 10 hex digits of `identity`.
    public var id: String
    /// SHA-256 of the input, the settings and the API: the same three continue this run.
    public var identity: String
    public var createdAt: Date
    public var updatedAt: Date
    public var inputPath: String
    public var inputSHA256: String
    public var outputPath: String
    /// The API's base URL and label; never the key.
    public var environment: String
    public var simulated: Bool
    public var sendMethod: String
    /// The campaign settings as given (JSON).
    public var settingsJSON: String
    /// The input's header, for writing the outputs (JSON array).
    public var headerJSON: String
    public var planFingerprint: String
    public var estimateLow: Int
    public var estimateHigh: Int
    public var maxSpend: Int?
    /// What the person approved spending in all, in cents; nil in runs recorded before the cap
    /// (their high estimate stands for it).
    public var approvedLimit: Int?
    public var approvedAt: Date
    /// "terminal" (the person typed the recipient count) or "--yes".
    public var approval: String
    public var splitBy: String?
    /// How the files shared with managers are written (`--share`, `--format`, the input's
    /// delimiter and which columns name the person), as JSON; nil in runs recorded before.
    public var outputJSON: String?
    /// Who approved the send (`--approved-by`, or typed at the terminal), when known.
    public var approvedBy: String?
    /// The SHA-256 of the plan file the send was held to (`send --plan`).
    public var planSHA256: String?
    public var state: State

    public init(
        id: String, identity: String, createdAt: Date, inputPath: String, inputSHA256: String, outputPath: String,
        environment: String, simulated: Bool, sendMethod: String, settingsJSON: String, headerJSON: String,
        planFingerprint: String, estimateLow: Int, estimateHigh: Int, maxSpend: Int?, approval: String,
        splitBy: String?
    ) {
        self.id = id
        self.identity = identity
        self.createdAt = createdAt
        updatedAt = createdAt
        self.inputPath = inputPath
        self.inputSHA256 = inputSHA256
        self.outputPath = outputPath
        self.environment = environment
        self.simulated = simulated
        self.sendMethod = sendMethod
        self.settingsJSON = settingsJSON
        self.headerJSON = headerJSON
        self.planFingerprint = planFingerprint
        self.estimateLow = estimateLow
        self.estimateHigh = estimateHigh
        self.maxSpend = maxSpend
        approvedLimit = estimateHigh
        approvedAt = createdAt
        self.approval = approval
        self.splitBy = splitBy
        state = .approved
    }

    /// The input's header; a ledger whose record cannot be read is an error, never an empty header.
    public func header() throws -> [String] { try JSONDecoder().decode([String].self, from: Data(headerJSON.utf8)) }
}

/// One order batch of a run, and what is known of it at Goody.
public struct BatchRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "batch"

    public enum State: String, Codable, Sendable {
        /// Not sent yet.
        case planned
        /// A create was sent and its answer is not known: it may exist at Goody. Looked up by
        /// its `customer_reference_id` before anything is sent again.
        case creating
        /// Goody has it; gift links not all collected (pending, or scheduled for later).
        case created
        /// Every order is in the ledger.
        case collected
        /// Goody refused to create it (the reason is in `error`); nothing was charged.
        case refused
        /// Goody created it and then it failed or was canceled.
        case failed
    }

    public var runID: String
    public var number: Int
    /// The idempotency key: derived from the run and the batch's contents.
    public var customerReferenceID: String
    public var state: State
    /// The create request (JSON), exactly as sent.
    public var requestJSON: String
    public var recipientCount: Int
    public var estimateLow: Int
    public var estimateHigh: Int
    public var goodyID: String?
    public var referenceID: String?
    public var sendStatus: String?
    public var scheduledSendOn: String?
    public var error: String?
    public var attempts: Int
    public var updatedAt: Date
    /// Goody's high estimate asked for just before the create, in cents.
    public var freshEstimateHigh: Int?
    /// What Goody charged for the batch's orders, in cents, once they are read.
    public var charged: Int?

    /// The card the batch sends, from its request.
    public var cardID: String? {
        struct Card: Decodable {
            var cardID: String?
            enum CodingKeys: String, CodingKey { case cardID = "card_id" }
        }
        return (try? JSONDecoder().decode(Card.self, from: Data(requestJSON.utf8)))?.cardID
    }

    public init(
        runID: String, number: Int, customerReferenceID: String, requestJSON: String, recipientCount: Int,
        estimateLow: Int, estimateHigh: Int, scheduledSendOn: String?, at date: Date
    ) {
        self.runID = runID
        self.number = number
        self.customerReferenceID = customerReferenceID
        state = .planned
        self.requestJSON = requestJSON
        self.recipientCount = recipientCount
        self.estimateLow = estimateLow
        self.estimateHigh = estimateHigh
        self.scheduledSendOn = scheduledSendOn
        attempts = 0
        updatedAt = date
    }
}

/// One row of the input, and what became of it.
public struct RowRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "row"

    public enum Status: String, Codable, Sendable {
        /// In a batch, gift link not known yet.
        case pending
        /// Has its gift link.
        case sent
        /// Not sent: validation or the plan rejected it.
        case rejected
        /// Not sent: Goody refused its batch, or the batch failed.
        case failed
        /// Not sent again: this person already got a gift in an earlier run.
        case alreadySent = "already_sent"
    }

    public var runID: String
    /// The physical line in the input.
    public var line: Int
    public var batchNumber: Int?
    /// The row's place in its batch (0-based).
    public var position: Int?
    /// SHA-256 of the row's values.
    public var rowHash: String
    /// Every value of the row, as read (JSON array).
    public var valuesJSON: String
    /// Who the row is, for noticing a second gift to the same person in a later run: the email,
    /// or for direct send the name and address.
    public var recipientKey: String?
    /// The email and names, for matching the orders Goody returns.
    public var email: String?
    public var firstName: String?
    public var lastName: String?
    public var status: Status
    public var error: String?
    /// The occasion and its occurrence the gift is for ("work_anniversary:2027"); nil for a
    /// send without an occasion (and in runs recorded before occasions).
    public var occasion: String?
    /// The occasion's day ("2027-01-15"), when it has one.
    public var occasionDate: String?

    public init(
        runID: String, line: Int, batchNumber: Int?, position: Int?, rowHash: String, valuesJSON: String,
        recipientKey: String?, email: String?, firstName: String?, lastName: String?, status: Status, error: String?,
        occasion: String? = nil, occasionDate: String? = nil
    ) {
        self.occasion = occasion
        self.occasionDate = occasionDate
        self.runID = runID
        self.line = line
        self.batchNumber = batchNumber
        self.position = position
        self.rowHash = rowHash
        self.valuesJSON = valuesJSON
        self.recipientKey = recipientKey
        self.email = email
        self.firstName = firstName
        self.lastName = lastName
        self.status = status
        self.error = error
    }

    /// The row's values as read; a ledger whose record cannot be read is an error, never an empty row.
    public func values() throws -> [String] { try JSONDecoder().decode([String].self, from: Data(valuesJSON.utf8)) }
}

/// One order Goody made, matched to its row.
public struct OrderRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "order_record"

    public var runID: String
    public var orderID: String
    public var batchNumber: Int
    /// The input line it was matched to; nil when it matched none.
    public var line: Int?
    /// How it was matched: email, name, position; `replaced` for an order `replace` canceled
    /// and took off its row.
    public var matchedBy: String?
    public static let replaced = "replaced"
    public var giftLink: String
    public var referenceID: String
    public var status: String
    /// The recipient swapped the gift for something else (`is_swapped`).
    public var swapped: Bool
    public var firstName: String
    public var lastName: String?
    public var email: String?
    public var amountProduct: Int
    public var amountShipping: Int
    public var amountProcessingFee: Int?
    public var amountTax: Int?
    public var amountTotal: Int?
    public var amountPreTaxTotal: Int
    /// When the gift link stops working (Goody's `expires_at`), when Goody said.
    public var expiresAt: String?
    public var updatedAt: Date
    /// Each step the order took and when (`{"opened": "2027-01-02T09:00:00Z"}`), from Goody's
    /// order activities; statuses Goody adds later are kept as they are.
    public var stepsJSON: String?

    /// The steps, status → ISO 8601 moment; empty when none were read (or the record is damaged,
    /// which only costs the dates: the status itself is its own column).
    public var steps: [String: String] {
        get {
            stepsJSON.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        }
        set {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            stepsJSON = (try? encoder.encode(newValue)).map { String(decoding: $0, as: UTF8.self) }
        }
    }

    public init(
        runID: String, orderID: String, batchNumber: Int, line: Int?, matchedBy: String?, giftLink: String,
        referenceID: String, status: String, swapped: Bool = false, firstName: String, lastName: String?,
        email: String?, amountProduct: Int,
        amountShipping: Int, amountProcessingFee: Int?, amountTax: Int?, amountTotal: Int?, amountPreTaxTotal: Int,
        expiresAt: String? = nil, at date: Date
    ) {
        self.runID = runID
        self.orderID = orderID
        self.batchNumber = batchNumber
        self.line = line
        self.matchedBy = matchedBy
        self.giftLink = giftLink
        self.referenceID = referenceID
        self.status = status
        self.swapped = swapped
        self.firstName = firstName
        self.lastName = lastName
        self.email = email
        self.amountProduct = amountProduct
        self.amountShipping = amountShipping
        self.amountProcessingFee = amountProcessingFee
        self.amountTax = amountTax
        self.amountTotal = amountTotal
        self.amountPreTaxTotal = amountPreTaxTotal
        self.expiresAt = expiresAt
        updatedAt = date
    }
}

/// A cancel, expiry move or replacement of one order, as the ledger records it: `pending` before
/// the call, then `done` or `refused` with Goody's answer.
public struct OrderAction: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "order_action"

    public enum Kind: String, Codable, Sendable {
        case cancel, extend, replace
    }

    public enum State: String, Codable, Sendable {
        /// Recorded before the call: it may or may not have happened at Goody.
        case pending
        case done
        /// Goody said no (the gift was accepted meanwhile, say); `note` says why.
        case refused
    }

    public var id: Int64?
    public var runID: String
    public var orderID: String
    public var line: Int?
    public var kind: Kind
    /// For extend, the new expiry (ISO 8601); for replace, the new email.
    public var value: String?
    public var state: State
    public var note: String?
    /// For replace, the order that took this one's place.
    public var newOrderID: String?
    /// The command that asked for it, and who approved it how.
    public var command: String
    public var approval: String
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        runID: String, orderID: String, line: Int?, kind: Kind, value: String?, command: String, approval: String,
        at date: Date
    ) {
        self.runID = runID
        self.orderID = orderID
        self.line = line
        self.kind = kind
        self.value = value
        state = .pending
        self.command = command
        self.approval = approval
        createdAt = date
        updatedAt = date
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
