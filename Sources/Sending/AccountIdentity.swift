public import APIClient
public import GoodyAPI

/// The Goody account a send goes to: who `GET /v1/me` says the key belongs to, in which
/// environment. Not the URL's text: `--production` and the production URL typed out, a trailing
/// slash, `localhost` for `127.0.0.1` are all one account. "Already sent" is a question about
/// this account, whatever folder, ledger or machine asks it.
public struct AccountIdentity: Sendable, Hashable, CustomStringConvertible {
    /// "production", "sandbox", "simulated", or a normalised base URL.
    public let place: String
    public let email: String
    public let publicAppID: String

    public init(place: String, me: Me) {
        self.place = place
        email = (me.email ?? "").lowercased()
        publicAppID = me.publicAppID ?? ""
    }

    /// Reads `/v1/me`. The built-in emulator is its own place, never mistaken for a real API.
    public static func of(_ client: GoodyClient, simulated: Bool) async throws -> AccountIdentity {
        AccountIdentity(place: simulated ? "simulated" : client.environment.place, me: try await client.me())
    }

    /// What the ledger records as a run's `environment`.
    public var key: String { "\(place)|\(publicAppID)|\(email)" }

    public var description: String { email.isEmpty ? place : "\(email) on \(place)" }

    /// A recorded `environment` in words: "pat@acme.com on production". Runs recorded before
    /// accounts were identified hold a URL, shown as it is.
    public static func describe(key: String) -> String {
        let parts = key.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return key }
        return parts[2].isEmpty ? parts[0] : "\(parts[2]) on \(parts[0])"
    }
}
