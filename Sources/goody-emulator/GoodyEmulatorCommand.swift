import ArgumentParser
import Foundation
import GoodyEmulator
import Hummingbird
import Logging

/// `goody-emulator`: the emulator of the Goody API on its own, for trying a client by hand.
@main
@available(macOS 14, *)
struct GoodyEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "goody-emulator",
        abstract: "Run goody-batch's emulator of the Goody API on loopback.",
        discussion: """
            Every option can also be set by environment: GOODY_EMULATOR_LATENCY_MS, \
            GOODY_EMULATOR_RATE_LIMIT, GOODY_EMULATOR_ERROR_RATE, GOODY_EMULATOR_THROTTLE_RATE, \
            GOODY_EMULATOR_DROP_RATE, GOODY_EMULATOR_OMIT_FIELD, GOODY_EMULATOR_HOLD_FIRST_CREATE, GOODY_EMULATOR_PRICE_MARKUP, GOODY_EMULATOR_REDIRECT_POSTS_TO, \
            GOODY_EMULATOR_ASYNC_DELAY, GOODY_EMULATOR_STATUS_STEP, GOODY_EMULATOR_NOT_OPENED_RATE, \
            GOODY_EMULATOR_NOT_ACCEPTED_RATE, GOODY_EMULATOR_SEED, \
            GOODY_EMULATOR_JOURNAL, and for the vendor variations GOODY_EMULATOR_VENDOR_VARIATIONS, \
            GOODY_EMULATOR_SWAP_RATE, GOODY_EMULATOR_UNKNOWN_STATUS_RATE, \
            GOODY_EMULATOR_BLANK_SCHEDULED_COUNT, GOODY_EMULATOR_PER_PAGE_CAP, \
            GOODY_EMULATOR_LIST_WITHOUT_REFERENCE, GOODY_EMULATOR_OMIT_LIST_META, \
            GOODY_EMULATOR_DATE_STYLE, GOODY_EMULATOR_NULL_SEND_METHOD, \
            GOODY_EMULATOR_DIRECT_SEND_REFUSED. Options win.
            """)

    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on; 0 picks a free one.") var port = 8080
    @Option(name: .customLong("api-key"), help: "A bearer key to accept (repeatable).") var apiKeys: [String] = []
    @Option(help: "Seed for the catalogue, identifiers and faults.") var seed: UInt64?
    @Option(help: "Seconds a batch of more than 10 recipients stays pending.") var asyncDelay: Double?
    @Option(help: "Seconds between an order's status steps (opened, accepted, shipped…).") var statusStep: Double?
    @Option(help: "Share of gift recipients who never open their gift (0 to 1).") var notOpenedRate: Double?
    @Option(help: "Share of the others who open it and never accept it (0 to 1).") var notAcceptedRate: Double?
    @Option(help: "Milliseconds added to every answer.") var latencyMs: Double?
    @Option(help: "Requests per second allowed; more are answered 429 with Retry-After.") var rateLimit: Double?
    @Option(help: "Share of requests answered 5xx (0 to 1).") var errorRate: Double?
    @Option(help: "Share of requests answered 429 whatever the rate (0 to 1).") var throttleRate: Double?
    @Option(help: "Share of batch creates whose connection drops after the batch is committed (0 to 1).")
    var dropRate: Double?
    @Option(
        help:
            "Keep the account in this file (creates, cancels, expiry moves), replayed on start, so it outlives the process."
    )
    var journal: String?

    @Option(help: "Answer every POST with a 307 redirect to this base URL (a client must not follow it).")
    var redirectPostsTo: String?
    @Option(help: "Every product costs this many percent more (a price rise between a plan and a resume).")
    var priceMarkup: Double?
    @Option(help: "Seconds the first committed batch create waits before it answers (for kill tests).")
    var holdFirstCreate: Double?
    @Option(help: "Leave this field out of every answer (a fault: the client must say it cannot use the answer).")
    var omitField: String?
    @Flag(help: "Answer with every shape Goody's document allows at once (swaps, unknown statuses, capped pages…).")
    var vendorVariations = false
    @Option(help: "Share of orders whose recipient swapped the gift (0 to 1).") var swapRate: Double?
    @Option(help: "Share of orders with a status the document does not list (0 to 1).") var unknownStatusRate: Double?
    @Flag(help: "orders_count is null while a batch is scheduled for the future.") var blankScheduledCount = false
    @Option(help: "Pages hold at most this many items, whatever per_page asks.") var perPageCap: Int?
    @Flag(help: "GET /v1/order_batches leaves customer_reference_id out.") var listWithoutReference = false
    @Flag(help: "Lists come without list_meta.") var omitListMeta = false
    @Option(help: "How date-times are written: plain (…Z), milliseconds (….000Z), offset (…+00:00), mixed.")
    var dateStyle: String?
    @Flag(help: "send_method is null when a batch is read.") var nullSendMethod = false
    @Option(help: "Refuse direct send as for an account outside Goody's partner programme: always, or at-create.")
    var directSendRefused: String?

    func validate() throws {
        if let dateStyle, EmulatorConfiguration.Variations.DateStyle(rawValue: dateStyle) == nil {
            throw ValidationError("--date-style must be plain, milliseconds, offset or mixed.")
        }
        if let directSendRefused, EmulatorConfiguration.Variations.DirectSendRefusal(rawValue: directSendRefused) == nil
        {
            throw ValidationError("--direct-send-refused must be always or at-create.")
        }
    }

    func run() async throws {
        var configuration = EmulatorConfiguration(host: host, port: port)
            .overridden(by: ProcessInfo.processInfo.environment)
        if !apiKeys.isEmpty { configuration.apiKeys = Set(apiKeys) }
        if let seed { configuration.seed = seed }
        if let asyncDelay { configuration.asyncDelay = asyncDelay }
        if let statusStep { configuration.statusStep = statusStep }
        if let notOpenedRate { configuration.notOpenedRate = notOpenedRate }
        if let notAcceptedRate { configuration.notAcceptedRate = notAcceptedRate }
        if let latencyMs { configuration.faults.latency = latencyMs / 1000 }
        if let rateLimit { configuration.faults.requestsPerSecond = rateLimit }
        if let errorRate { configuration.faults.serverErrorRate = errorRate }
        if let throttleRate { configuration.faults.throttledRate = throttleRate }
        if let dropRate { configuration.faults.dropAfterCommitRate = dropRate }
        if let journal { configuration.journalPath = journal }
        if let omitField { configuration.faults.omittedField = omitField }
        if let holdFirstCreate { configuration.faults.holdFirstCreate = holdFirstCreate }
        if let priceMarkup { configuration.priceMarkupPercent = priceMarkup }
        if let redirectPostsTo { configuration.faults.redirectPostsTo = redirectPostsTo }
        if vendorVariations { configuration.variations = .vendorMix }
        if let swapRate { configuration.variations.swapRate = swapRate }
        if let unknownStatusRate { configuration.variations.unknownStatusRate = unknownStatusRate }
        if blankScheduledCount { configuration.variations.blankScheduledOrdersCount = true }
        if let perPageCap { configuration.variations.perPageCap = perPageCap }
        if listWithoutReference { configuration.variations.listWithoutReference = true }
        if omitListMeta { configuration.variations.omitListMeta = true }
        if let style = dateStyle.flatMap(EmulatorConfiguration.Variations.DateStyle.init(rawValue:)) {
            configuration.variations.dateStyle = style
        }
        if nullSendMethod { configuration.variations.nullSendMethod = true }
        if let refusal = directSendRefused.flatMap(EmulatorConfiguration.Variations.DirectSendRefusal.init(rawValue:)) {
            configuration.variations.directSendRefused = refusal
        }

        let store = EmulatorStore(configuration: configuration)
        let replayed = await store.restore()
        if replayed > 0 {
            FileHandle.standardError.write(
                Data("Replayed \(replayed) entries from \(journal ?? configuration.journalPath ?? "")\n".utf8))
        }
        let injector = FaultInjector(faults: configuration.faults, seed: configuration.seed)
        let keys = configuration.apiKeys.sorted().joined(separator: ", ")
        let host = configuration.host
        let application = GoodyEmulator.buildApplication(
            configuration: configuration, store: store, injector: injector
        ) { port in
            let line = "Goody API emulator listening on http://\(host):\(port) (API key: \(keys))\n"
            FileHandle.standardOutput.write(Data(line.utf8))
        }
        try await application.runService()
    }
}
