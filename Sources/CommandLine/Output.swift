import APIClient
import ArgumentParser
import Foundation
import Ledger
import Sending

/// Writing to the terminal, and turning core errors into messages and exit codes.
enum Output {
    /// Standard output. A reader that went away (`goody-batch plan … | head`) is not an error of
    /// the command: what it no longer reads is dropped (`write(_:)` would stop the process).
    static func out(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    static func err(_ text: String) {
        try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
        if JSONDocument.requested && text.hasPrefix("goody-batch: ") { JSONDocument.noteProblem(text) }
    }

    /// Runs `body`; a problem with the input is printed as one clear message and exits with 2
    /// (6 when it is a file of this machine that could not be written).
    static func reportingInputProblems<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch {
            JSONDocument.noteProblem(error.localizedDescription, error: error)
            err("goody-batch: \(error.localizedDescription)\n")
            throw ExitStatus.code(for: error)
        }
    }

    /// Runs `body`; prints a problem as one clear message and exits with the code for its kind
    /// (`ExitStatus.code(for:)`, the one place kinds become codes).
    static func reportingProblems<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as LedgerTrustError {
            JSONDocument.noteProblem("not sent: \(error.localizedDescription)", error: error)
            err("goody-batch: not sent: \(error.localizedDescription)\n")
            throw ExitStatus.refused
        } catch {
            JSONDocument.noteProblem(error.localizedDescription, error: error)
            err("goody-batch: \(error.localizedDescription)\n")
            throw ExitStatus.code(for: error)
        }
    }

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Dates as ISO 8601 ("2026-12-02T09:30:00Z"), not seconds since 2001.
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func json(_ value: some Encodable) throws -> String {
        String(decoding: try jsonEncoder.encode(value), as: UTF8.self)
    }
}
