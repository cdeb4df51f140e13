public import Foundation

/// Remembers where ledgers are (paths only, nothing secret), so `runs`, `resume`, `status` and
/// `export` find a run by its ID from any folder. Kept in `$XDG_STATE_HOME/goody-batch/ledgers`
/// (default `~/.local/state/goody-batch/ledgers`), mode 0600.
public struct LedgerRegistry: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> LedgerRegistry {
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.homeDirectoryForCurrentUser.path + "/.local/state")
        return LedgerRegistry(path: state + "/goody-batch/ledgers")
    }

    /// Every known ledger that still exists, most recently registered first.
    public func ledgers() -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let paths = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        var seen: Set<String> = []
        return paths.reversed().filter { seen.insert($0).inserted && FileManager.default.fileExists(atPath: $0) }
    }

    /// Adds a ledger (by absolute path). "Already gifted" reads every ledger listed here, so a
    /// ledger that cannot be listed stops the send before anything is created.
    public func register(_ ledgerPath: String) throws {
        let absolute = URL(fileURLWithPath: ledgerPath).standardizedFileURL.path
        guard !ledgers().contains(absolute) else { return }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if !FileManager.default.fileExists(atPath: path) {
                guard
                    FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
                else { throw CocoaError(.fileWriteUnknown) }
            }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((absolute + "\n").utf8))
            try handle.synchronize()
        } catch {
            throw LedgerError(
                "cannot list the ledger \(absolute) in \(path) (\(error.localizedDescription)); later sends from other folders could not see its gifts, so nothing was sent. Make \(directory) writable (or set XDG_STATE_HOME) and run again."
            )
        }
    }

    /// The ledger holding `runID` (an ID or a prefix): `explicit` if given, else a known one.
    public func find(runID: String, explicit: String?) throws -> (RunLedger, RunRecord) {
        let candidates = explicit.map { [$0] } ?? ledgers()
        // Every ledger is asked: a prefix that names runs in two ledgers is as ambiguous as two
        // runs in one.
        var found: [(RunLedger, RunRecord)] = []
        for candidate in candidates {
            let ledger = try RunLedger(path: candidate)
            found += try ledger.runs(matching: runID).map { (ledger, $0) }
        }
        if found.count > 1 {
            throw LedgerError.ambiguous(runID, found.map { ($0.1, $0.0.path) })
        }
        if let (ledger, run) = found.first { return (ledger, run) }
        let searched =
            explicit.map { "in \($0)" }
            ?? (candidates.isEmpty ? "(no ledger is known yet)" : "in \(candidates.joined(separator: ", "))")
        throw RunLookupError(
            message:
                "No run \(runID) \(searched). `goody-batch runs` lists the runs; --ledger PATH points at a ledger (it sits beside the results file)."
        )
    }
}
