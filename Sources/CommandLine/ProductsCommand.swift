import APIClient
import ArgumentParser
import Planning

struct Products: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the gift catalogue: prices, variants to pick and where each product cannot ship.",
        discussion: """
            Every word of SEARCH must appear in the product's name, brand or description (letter \
            case and accents aside). The name or id shown is what --product (or product: in the \
            campaign file) takes. With no API key it lists the built-in emulator's catalogue, \
            labelled SIMULATED.

            EXAMPLES
              goody-batch products
              goody-batch products cookie
              goody-batch products "gift card" --json

            \(ExitStatus.seeRoot)
            """)

    @Argument(help: ArgumentHelp("Words to look for (default: the whole catalogue).", valueName: "search"))
    var search: [String] = []

    @Flag(help: "Print the products as JSON (money in cents).")
    var json = false

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let search = search.isEmpty ? nil : search.joined(separator: " ")
        try await Output.reportingProblems {
            let (listing, label) = try await connection.withClient { client, label in
                (ProductListing(try await client.allProducts(), search: search), label)
            }
            if json {
                JSONDocument.print(try Output.json(listing.json))
            } else {
                Output.out(listing.renderText(connection: label))
            }
        }
    }
}
