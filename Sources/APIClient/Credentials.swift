public import Foundation

/// A Goody API key. It prints, logs and reflects as redacted, so it cannot leak into output,
/// logs, the ledger or an error message by accident; only the request's header sees it.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    let secret: String

    public init(_ secret: String) { self.secret = secret }

    public var description: String { "<redacted API key>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    /// Where keys come from, in order: `--api-key-file`, then `GOODY_API_KEY`.
    public static func load(keyFile: String?, environment: [String: String]) throws -> APIKey? {
        if let keyFile {
            guard let data = FileManager.default.contents(atPath: keyFile) else {
                throw CredentialError(
                    "cannot read the API key file \(keyFile); check the path and that you may read it")
            }
            let key = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { throw CredentialError("the API key file \(keyFile) is empty") }
            return APIKey(key)
        }
        if let key = environment["GOODY_API_KEY"]?.trimmingCharacters(in: .whitespacesAndNewlines), !key.isEmpty {
            return APIKey(key)
        }
        return nil
    }

    /// Whether the key file may be read by others, which a key as good as money should not be.
    public static func isShared(keyFile: String) -> Bool {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: keyFile),
            let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue
        else { return false }
        return mode & 0o077 != 0
    }
}

public struct CredentialError: Error, LocalizedError {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var errorDescription: String? { message }
}

/// Which Goody the client talks to.
public enum GoodyEnvironment: Sendable, Equatable {
    /// `https://api.sandbox.ongoody.com`: the default; nothing real is sent.
    case sandbox
    /// `https://api.ongoody.com`: real gifts and real charges; only by explicit opt-in.
    case production
    /// Any other base URL: plain `http://` only on this machine (loopback).
    case custom(URL)

    public var baseURL: URL {
        switch self {
        case .sandbox: URL(string: "https://api.sandbox.ongoody.com") ?? URL(fileURLWithPath: "/")
        case .production: URL(string: "https://api.ongoody.com") ?? URL(fileURLWithPath: "/")
        case .custom(let url): url
        }
    }

    public var displayName: String {
        switch self {
        case .sandbox: "Goody sandbox (\(baseURL.absoluteString))"
        case .production: "Goody PRODUCTION (\(baseURL.absoluteString))"
        case .custom(let url): url.absoluteString
        }
    }

    /// Where the account lives, however its URL was written: "production", "sandbox", or the base
    /// URL normalised (lowercase scheme and host, every loopback name as 127.0.0.1, no default
    /// port, no trailing slash). Two spellings of one API give the same place.
    public var place: String {
        let normal = Self.normalized(baseURL)
        if normal == Self.normalized(GoodyEnvironment.production.baseURL) { return "production" }
        if normal == Self.normalized(GoodyEnvironment.sandbox.baseURL) { return "sandbox" }
        return normal
    }

    static func normalized(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return url.absoluteString
        }
        let scheme = (components.scheme ?? "https").lowercased()
        var host = (components.host ?? "").lowercased()
        if ["localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1"].contains(host) || host.hasPrefix("127.") {
            host = "127.0.0.1"
        }
        if (scheme == "https" && components.port == 443) || (scheme == "http" && components.port == 80) {
            components.port = nil
        }
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")\(path)"
    }

    /// A custom base URL, refused when it would send the key in clear text off this machine.
    public static func custom(_ text: String) throws -> GoodyEnvironment {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased()
        else {
            throw CredentialError("--api-url \(text) is not a URL such as https://api.sandbox.ongoody.com")
        }
        switch scheme {
        case "https":
            return .custom(url)
        case "http" where ["localhost", "127.0.0.1", "::1", "[::1]"].contains(host):
            return .custom(url)
        case "http":
            throw CredentialError(
                "--api-url \(text) uses plain http to another machine, which would send the API key unencrypted; use https"
            )
        default:
            throw CredentialError("--api-url \(text) must start with https://")
        }
    }
}
