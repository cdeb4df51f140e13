public import Foundation

/// A problem with the campaign settings that stops the plan before any batch is formed: nothing
/// is priced or sent. Each says what to change.
public struct PlanError: Error, LocalizedError, Equatable, Sendable {
    public let message: String

    public init(_ message: String) { self.message = message }

    public var errorDescription: String? { message }

    static func campaignFile(path: String, reason: String) -> PlanError {
        PlanError("\(path): \(reason).")
    }

    static func missing(_ setting: String, _ fix: String) -> PlanError {
        PlanError("No \(setting) is set. \(fix)")
    }

    static func list(_ names: [String], limit: Int = 12) -> String {
        let shown = names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
        return names.count > limit ? "\(shown) and \(names.count - limit) more" : shown
    }
}
