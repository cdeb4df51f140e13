public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One process at a time works on a run: an exclusive `flock` on a small file beside the ledger,
/// holding the owner's pid so the other can say who has it. The kernel lets go when the process
/// ends, however it ends.
public final class RunLock: Sendable {
    private let descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    deinit { close(descriptor) }

    public static func acquire(runID: String, besideLedger ledgerPath: String) throws -> RunLock {
        let directory = (ledgerPath as NSString).deletingLastPathComponent
        let path = (directory.isEmpty ? "." : directory) + "/.goody-batch-\(runID).lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            throw LedgerError("cannot lock run \(runID) (\(path): \(String(cString: strerror(errno))))")
        }
        var result: Int32
        repeat { result = flock(descriptor, LOCK_EX | LOCK_NB) } while result != 0 && errno == EINTR
        guard result == 0 else {
            var text = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &text, text.count, 0)
            close(descriptor)
            let pid = Int32(
                String(decoding: text.prefix(max(0, count)), as: UTF8.self).trimmingCharacters(
                    in: .whitespacesAndNewlines))
            throw RunBusyError(runID: runID, pid: pid)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
        return RunLock(descriptor: descriptor)
    }
}

/// Another process is working on the run: a safety refusal, nothing was done by this one.
public struct RunBusyError: Error, LocalizedError, Sendable {
    public let runID: String
    public let pid: Int32?

    public var errorDescription: String? {
        "run \(runID) is being sent by another process\(pid.map { " (pid \($0))" } ?? ""); this one did nothing. Wait for it to finish, or stop it, then run the same command again."
    }
}
