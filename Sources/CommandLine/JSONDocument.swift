import ArgumentParser
import Foundation
import NIOConcurrencyHelpers
import Recipients
import Spreadsheet

/// `--json` promises one valid JSON document on standard output whatever the exit code: a
/// script reading it must never meet `{"findings":[` cut short. Commands print their document
/// through here; whatever stops a command before its document is whole, `finish` ends it with
/// an `"error"` object (what was printed to standard error, the exit code, and the file and line
/// when the problem has them).
enum JSONDocument {
    enum State: Equatable {
        /// Nothing of the document is printed yet.
        case none
        /// A streamed document is open: `closing`, the error object and `suffix` end it.
        case open(closing: String, suffix: String)
        case done
    }

    private struct Shared {
        var state = State.none
        var problem: (message: String, error: (any Error)?)?
    }

    private static let shared = NIOLockedValueBox(Shared())

    /// True when the command line asks for JSON (`--json` before any `--`).
    static let requested: Bool = {
        let arguments = CommandLine.arguments.dropFirst().prefix { $0 != "--" }
        return arguments.contains("--json")
    }()

    /// Prints a whole document.
    static func print(_ text: String) {
        Output.out(text.hasSuffix("\n") ? text : text + "\n")
        shared.withLockedValue { $0.state = .done }
    }

    /// Prints part of a streamed document; until the next part, an error would end it with
    /// `closing`, `"error":{…}` and `suffix` (`open("{\"findings\":[", closing: "],", suffix: "}")`).
    static func stream(_ text: String, closing: String, suffix: String) {
        Output.out(text)
        shared.withLockedValue { $0.state = .open(closing: closing, suffix: suffix) }
    }

    /// Ends a streamed document with `text`.
    static func close(_ text: String) {
        Output.out(text)
        shared.withLockedValue { $0.state = .done }
    }

    /// Remembers the problem a command printed, for the error object.
    static func noteProblem(_ message: String, error: (any Error)? = nil) {
        shared.withLockedValue { shared in
            // The error itself is better than a message printed after it (a hint).
            if shared.problem?.error != nil && error == nil { return }
            shared.problem = (message, error)
        }
    }

    /// Called once as the process ends: finishes the document when the command did not.
    static func finish(exitCode: Int32, error: (any Error)?) {
        guard requested else { return }
        let (state, problem) = shared.withLockedValue { ($0.state, $0.problem) }
        if state == .done { return }
        let object = errorObject(exitCode: exitCode, problem: problem, thrown: error)
        switch state {
        case .open(let closing, let suffix): Output.out(closing + "\"error\":" + object + suffix + "\n")
        case .none: Output.out("{\"error\":" + object + "}\n")
        case .done: break
        }
    }

    struct ErrorJSON: Encodable {
        var kind: String
        var exitCode: Int32
        var message: String
        var code: String?
        var file: String?
        var line: Int?
        var column: String?

        enum CodingKeys: String, CodingKey {
            case kind, message, code, file, line, column
            case exitCode = "exit_code"
        }
    }

    private static func errorObject(
        exitCode: Int32, problem: (message: String, error: (any Error)?)?, thrown: (any Error)?
    ) -> String {
        var message = problem?.message ?? ""
        if message.isEmpty, let thrown, !(thrown is ExitCode) {
            message = GoodyBatch.message(for: thrown)
        }
        var object = ErrorJSON(
            kind: ExitStatus.kind(of: exitCode), exitCode: exitCode,
            message: message.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(
                of: "goody-batch: ", with: "", options: .anchored))
        switch problem?.error ?? thrown {
        case let error as SpreadsheetError:
            object.code = error.code.name
            object.file = error.path
            object.line = error.line
        case let error as InputError:
            object.file = error.file
            object.line = error.line
        default:
            break
        }
        return (try? Output.json(object)) ?? #"{"exit_code":\#(exitCode)}"#
    }
}
