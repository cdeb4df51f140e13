import APIClient
public import ArgumentParser
import Foundation
import GoodyEmulator
import Ledger
import Planning
import Recipients
import Sending
import Spreadsheet
import Workbook

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `goody-batch` command: subcommands for each stage of sending gifts from a spreadsheet.
@available(macOS 14, *)
public struct GoodyBatch: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "goody-batch",
        abstract: "Send Goody gifts to many people from one spreadsheet, safely.",
        discussion: """
            Start with `inspect` to see how the file is read, then `validate` to learn which rows \
            will work and how to fix the rest, then `plan` to see the batches and their cost, then \
            `send` to create them, exactly once, and write the results with every gift link. \
            `resume`, `status`, `export` and `runs` work on earlier runs; `cancel`, `extend` and \
            `replace` act on their gifts nobody has accepted yet. `template` writes a starter \
            spreadsheet.

            \(ExitStatus.help)
            """,
        version: GoodyBatch.version,
        subcommands: [
            Inspect.self, Validate.self, Template.self, Products.self, Plan.self, Send.self, Resume.self, Status.self,
            Cancel.self, Extend.self, Replace.self, Export.self, Runs.self,
        ]
    )

    public init() {}

    /// Shown by `--version`.
    public static let version = "goody-batch 0.5.0 (unreleased; Swift \(swiftVersion))"

    private static var swiftVersion: String {
        #if swift(>=6.3)
            "6.3"
        #else
            "6"
        #endif
    }

    /// Parses `arguments`, runs the command and exits. The same as ArgumentParser's `main`, with
    /// one more step: `--json` output is ended as valid JSON whatever stopped the command.
    public static func run(_ arguments: [String]) async -> Never {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            JSONDocument.finish(exitCode: 0, error: nil)
            exit()
        } catch {
            let code = exitCode(for: error)
            if !code.isSuccess { JSONDocument.finish(exitCode: code.rawValue, error: error) }
            if let hint = unquotedPathHint(arguments, message: fullMessage(for: error)) { Output.err(hint) }
            exit(withError: error)
        }
    }

    /// Ctrl-C or SIGTERM before a send starts creating: say that nothing was created, and stop
    /// with 130. (A send replaces this with its own handling while it creates batches, and puts
    /// it back after.)
    public static func installEarlyInterruptHandler() {
        for number in [SIGINT, SIGTERM] {
            signal(number) { _ in
                let message = "\ngoody-batch: stopped (Ctrl-C) before anything was created; nothing was sent.\n"
                message.utf8CString.withUnsafeBufferPointer { buffer in
                    _ = write(2, buffer.baseAddress, buffer.count - 1)
                }
                _exit(130)
            }
        }
    }

    /// A path with spaces typed without quotes reaches the command as several words: "5
    /// unexpected arguments" then says what happened and how to type it.
    static func unquotedPathHint(_ arguments: [String], message: String) -> String? {
        guard message.localizedCaseInsensitiveContains("unexpected argument") else { return nil }
        var runs: [[String]] = []
        var current: [String] = []
        for argument in arguments.dropFirst() {
            if argument.hasPrefix("-") {
                runs.append(current)
                current = []
            } else {
                current.append(argument)
            }
        }
        runs.append(current)
        let extensions = [".csv", ".txt", ".tsv", ".xlsx", ".yaml", ".yml", ".goody-plan"]
        for words in runs where words.count >= 2 {
            for start in words.indices {
                let joined = words[start...].joined(separator: " ")
                let lower = joined.lowercased()
                guard FileManager.default.fileExists(atPath: joined) || extensions.contains(where: lower.hasSuffix)
                else { continue }
                return
                    "goody-batch: \(words.count - start) words were given where one file name goes: a name with spaces or brackets must be in quotes, for example \(ShellWord.quoted(joined)).\n"
            }
        }
        return nil
    }

    /// The subcommands' names, for "did you mean".
    public static var commandNames: [String] { configuration.subcommands.map { $0._commandName } }

    /// "sned" → "goody-batch: there is no command "sned". Did you mean `goody-batch send`?"; nil
    /// when the first argument is an option or a command.
    public static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = commandNames + ["help"]
        guard !names.contains(first) else { return nil }
        let closest = names.map { ($0, EditDistance.between(first.lowercased(), $0)) }.min { $0.1 < $1.1 }
        if let closest, closest.1 <= max(1, closest.0.count / 3) {
            return "goody-batch: there is no command \"\(first)\". Did you mean `goody-batch \(closest.0)`?\n"
        }
        return
            "goody-batch: there is no command \"\(first)\". The commands are: \(commandNames.joined(separator: ", ")); `goody-batch --help` says what each does.\n"
    }
}

/// Exit codes, the same for every subcommand.
public enum ExitStatus {
    /// A word for each exit code, for `--json`'s error object.
    static func kind(of code: Int32) -> String {
        switch code {
        case 0: "success"
        case 1: "rows_rejected"
        case 2: "input_problem"
        case 3: "api_problem"
        case 4: "refused"
        case 5: "unusable_answer"
        case 6: "local_io"
        case 64: "usage"
        case 130: "interrupted"
        default: "failure"
        }
    }

    /// Some rows were rejected (validate).
    public static let rowsRejected = ExitCode(1)
    /// The input cannot be used as it is: not a CSV file, no header, a required column missing.
    public static let inputProblem = ExitCode(2)
    /// The Goody API refused or could not be reached.
    public static let apiProblem = ExitCode(3)
    /// A safety check refused to go on: over --max-spend, not enough funds.
    public static let refused = ExitCode(4)
    /// Goody answered, but the answer could not be used (a change in its API).
    public static let unusableAnswer = ExitCode(5)
    /// A file on this machine could not be read or written: disk full, a folder not writable,
    /// a damaged ledger.
    public static let localIO = ExitCode(6)
    /// A send stopped by Ctrl-C or SIGTERM; `resume` continues it.
    public static let interrupted = ExitCode(130)
    /// ArgumentParser's own code for a wrong command line.
    public static let usage = ExitCode(64)

    /// The exit code for any error that stops a command, by its kind: the one ladder every
    /// command's errors go down (`ExitCodeTests` holds it to one case of each error type).
    static func code(for error: any Error) -> ExitCode {
        switch error {
        case let error as GoodyClientError: code(for: error)
        // What stopped a send part-way: the code of its cause.
        case let failure as SendFailure: code(for: failure.underlying)
        // A safety check refused to go on; nothing was created.
        case is SendRefusal, is LedgerTrustError, is RunBusyError: refused
        // This machine's files: the ledger, the workbooks, the built-in emulator's lock and start.
        case is LedgerError, is CocoaError, is WorkbookError, is EmulatorLockError, is EmulatorStartError: localIO
        case let error as SpreadsheetError: error.isWriteFailure ? localIO : inputProblem
        // What the person gave: a file, a column, a setting, a run ID, a line or a key file.
        case is InputError, is MappingError, is PlanError, is SendError, is RunLookupError, is FollowUpError,
            is CredentialError:
            inputProblem
        default: inputProblem
        }
    }

    /// The exit code for a failed call to Goody, by what kind of failure it is.
    static func code(for error: GoodyClientError) -> ExitCode {
        switch error.kind {
        case .unusableAnswer: unusableAnswer
        case .setup: inputProblem
        case .unreachableOrRefused, .rejected: apiProblem
        }
    }

    /// Shown once, in `goody-batch --help` (and the README). Lines stay under 80 columns, so a
    /// terminal never wraps them out of their columns.
    static let help = """
        EXIT CODES
          0    success (warnings allowed)
          1    some rows were rejected (send: some were not sent); see the findings,
               the .rejected.csv file or the results
          2    the input cannot be used as it is: not a spreadsheet, no header, no data
               rows, a required column missing, a campaign setting that cannot work
          3    Goody refused the key or the request, or could not be reached
               (a send stopped this way continues with `goody-batch resume RUN`)
          4    refused by a safety check: over --max-spend or the funds available,
               a price rise since approval, a send that was not approved, or a run
               being sent by another process
          5    Goody answered, but the answer could not be used; the message names the
               endpoint and the field, and nothing recorded is lost
          6    a file on this machine could not be read or written: disk full, a folder
               not writable, a damaged ledger, the built-in emulator unable to start
          64   the command line is wrong
          130  stopped by Ctrl-C; `goody-batch resume RUN` continues a send
               (nothing is ever sent twice)
        """

    /// The line each subcommand's help ends with.
    static let seeRoot = "Exit codes: see `goody-batch --help`."
}
