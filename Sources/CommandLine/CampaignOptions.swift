public import ArgumentParser
import GoodyAPI
import Planning
import Sending

/// The campaign: from a file (--campaign) and flags, the flags winning.
struct CampaignOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A campaign file (YAML) with these settings; flags override it.", valueName: "path"))
    var campaign: String?

    @Option(help: ArgumentHelp("The product, by name or ID (repeat for several in one gift).", valueName: "name"))
    var product: [String] = []

    @Option(
        name: .customLong("variant"),
        help: ArgumentHelp("A variant of the product (repeat as it takes).", valueName: "name"))
    var variants: [String] = []

    @Option(help: ArgumentHelp("The value of a variable-price gift, in dollars.", valueName: "dollars"))
    var amount: String?

    @Option(help: "How many of the product each recipient gets.")
    var quantity: Int?

    @Option(help: ArgumentHelp("The sender's name shown on the gift.", valueName: "name"))
    var fromName: String?

    @Option(
        help: ArgumentHelp(
            "The gift message; {{first_name}} and any column in snake_case are filled in.", valueName: "text"))
    var message: String?

    @Option(help: ArgumentHelp("The card, by occasion or ID (required with a message).", valueName: "card"))
    var card: String?

    @Option(help: "How recipients may swap: single, multiple or disabled.")
    var swap: Swap?

    @Option(
        help: ArgumentHelp("When the gifts expire: YYYY-MM-DD (end of day) or YYYY-MM-DD HH:MM.", valueName: "date"))
    var expires: String?

    @Option(
        help: ArgumentHelp("When to send: YYYY-MM-DD (09:00) or YYYY-MM-DD HH:MM; now when absent.", valueName: "date"))
    var sendOn: String?

    @Option(help: ArgumentHelp("The workspace, by name or ID.", valueName: "name"))
    var workspace: String?

    @Option(help: ArgumentHelp("The payment method, by name or ID.", valueName: "name"))
    var paymentMethod: String?

    @Option(
        help: "Recipients per batch (1 to \(PlanRequest.maximumBatchSize); default \(PlanRequest.defaultBatchSize)).")
    var batchSize: Int?

    @Option(help: ArgumentHelp("Refuse when the high estimate is above this, in dollars.", valueName: "dollars"))
    var maxSpend: String?

    @Option(
        help: ArgumentHelp(
            "What the gifts are for: work_anniversary, birthday or new_hire (each person on their day), or a one-off campaign's name (holiday-2026).",
            valueName: "occasion"))
    var occasion: String?

    @Option(
        help: ArgumentHelp(
            "The days whose occasions are gifted: a month (2027-01), FROM..TO (2027-01-01..2027-01-31), this-month or next-month.",
            valueName: "window"))
    var window: String?

    @Option(
        help: ArgumentHelp(
            "The column with the hire, start or birth date (found by its name when not given).", valueName: "header"))
    var dateColumn: String?

    @Option(help: "Whether 03/04/2019 is 4 March (mdy) or 3 April (dmy), when the dates do not say.")
    var dateOrder: DateOrder?

    @Option(help: ArgumentHelp("The time of day gifts go out on their day (default 09:00).", valueName: "HH:MM"))
    var sendTime: String?

    @Option(
        help: ArgumentHelp(
            "The time zone of --send-time, such as America/New_York (default: this machine's).", valueName: "zone"))
    var timeZone: String?

    @Option(help: ArgumentHelp("new_hire: days after the start date the gift goes (e.g. 90).", valueName: "days"))
    var newHireDays: Int?

    func validate() throws {
        if let batchSize, !(1...PlanRequest.maximumBatchSize).contains(batchSize) {
            throw ValidationError("--batch-size must be between 1 and \(PlanRequest.maximumBatchSize).")
        }
        if let quantity, quantity < 1 { throw ValidationError("--quantity must be at least 1.") }
        if product.count > 1 && (!variants.isEmpty || amount != nil) {
            throw ValidationError(
                "--variant and --amount apply to a single --product; use a campaign file for several products.")
        }
    }

    /// The file's settings with the flags put over them.
    func settings(sendMethod: SendMethod?) throws -> CampaignSettings {
        let file = try campaign.map { try CampaignSettings.load(path: $0) } ?? CampaignSettings()
        let products =
            product.isEmpty
            ? nil
            : product.map {
                ProductChoice(
                    product: $0, quantity: quantity, variants: variants.isEmpty ? nil : variants, amount: amount)
            }
        var flags = CampaignSettings(
            sendMethod: sendMethod, products: products, fromName: fromName, message: message, card: card, swap: swap,
            expires: expires, sendOn: sendOn, workspace: workspace, paymentMethod: paymentMethod, batchSize: batchSize,
            maxSpend: maxSpend)
        flags.occasion = occasion
        flags.window = window
        flags.dateColumn = dateColumn
        flags.dateOrder = dateOrder
        flags.sendTime = sendTime
        flags.timeZone = timeZone
        flags.newHireDays = newHireDays
        // --variant, --amount or --quantity alone refine the file's single product.
        if products == nil, var fileProducts = file.products, fileProducts.count == 1,
            !variants.isEmpty || amount != nil || quantity != nil
        {
            if !variants.isEmpty { fileProducts[0].variants = variants }
            if let amount { fileProducts[0].amount = amount }
            if let quantity { fileProducts[0].quantity = quantity }
            flags.products = fileProducts
        }
        return file.overridden(by: flags)
    }
}

extension Swap: ExpressibleByArgument {}
extension DateOrder: ExpressibleByArgument {}
extension ShareFormat: ExpressibleByArgument {}
