import Crypto
public import Foundation

/// Tells a file goody-batch wrote and nobody has changed since from one a person edited: a
/// rejected-rows file is where users fix their rows (as the README teaches), so a later run
/// must never write over those fixes. Kept as the SHA-256 of each file as written, in
/// `$XDG_STATE_HOME/goody-batch/written` (default `~/.local/state`), mode 0600; only digests,
/// nothing of the files' contents.
public struct OwnFiles: Sendable {
    public let recordPath: String
    /// How many digests are kept: the most recent ones (older files are taken as edited).
    static let kept = 2_000

    public init(recordPath: String) { self.recordPath = recordPath }

    public static func standard(environment: [String: String] = ProcessInfo.processInfo.environment) -> OwnFiles {
        let state =
            environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (FileManager.default.homeDirectoryForCurrentUser.path + "/.local/state")
        return OwnFiles(recordPath: state + "/goody-batch/written")
    }

    /// True when `path` holds exactly what goody-batch last wrote there (or to any file).
    public func isUnchanged(_ path: String) -> Bool {
        guard let digest = Self.digest(of: path), let record = FileManager.default.contents(atPath: recordPath) else {
            return false
        }
        return String(decoding: record, as: UTF8.self).split(separator: "\n").contains { $0 == digest }
    }

    /// Remembers the file as written now. A record that cannot be written only means the file
    /// will later be taken as edited and kept (the safe side), so that is not an error.
    public func remember(_ path: String) {
        guard let digest = Self.digest(of: path) else { return }
        let directory = (recordPath as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let old = FileManager.default.contents(atPath: recordPath).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let lines = old.split(separator: "\n").map(String.init).suffix(Self.kept - 1) + [digest]
        let temporary = recordPath + ".\(ProcessInfo.processInfo.processIdentifier).tmp"
        guard
            FileManager.default.createFile(
                atPath: temporary, contents: Data((lines.joined(separator: "\n") + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else { return }
        if rename(temporary, recordPath) != 0 { try? FileManager.default.removeItem(atPath: temporary) }
    }

    /// Where this run's rejected rows go when `preferred` holds someone's edits: the first of
    /// "team.rejected-2.csv", "-3"… that is free or unchanged since goody-batch wrote it.
    public func writableTarget(for preferred: String) -> (path: String, kept: String?) {
        guard FileManager.default.fileExists(atPath: preferred), !isUnchanged(preferred) else {
            return (preferred, nil)
        }
        let stem = (preferred as NSString).deletingPathExtension
        let suffix = (preferred as NSString).pathExtension.isEmpty ? "" : "." + (preferred as NSString).pathExtension
        var number = 2
        while true {
            let candidate = "\(stem)-\(number)\(suffix)"
            if !FileManager.default.fileExists(atPath: candidate) || isUnchanged(candidate) {
                return (candidate, preferred)
            }
            number += 1
        }
    }

    private static func digest(of path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hash = SHA256()
        while let chunk = try? handle.read(upToCount: 1 << 20), !chunk.isEmpty { hash.update(data: chunk) }
        return hash.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
