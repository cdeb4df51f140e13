import Foundation
import Sending

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Shows a send's progress on standard error: a live bar on a terminal, a plain line every few
/// seconds otherwise (a log, CI), nothing with `--quiet` or `--json`.
final class ProgressDisplay: SendProgress, @unchecked Sendable {
    private let lock = NSLock()
    private let terminal: Bool
    private let interval: Double
    private var lastDrawn = Date.distantPast
    private var barShown = false
    private var latest: ProgressSnapshot?

    init(terminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.terminal = terminal
        interval = terminal ? 0.1 : 5
    }

    func update(_ snapshot: ProgressSnapshot) {
        lock.withLock {
            latest = snapshot
            let done =
                snapshot.batchesCreated == snapshot.batchesTotal
                && snapshot.giftLinksCollected == snapshot.recipientsTotal
            guard done || Date().timeIntervalSince(lastDrawn) >= interval else { return }
            lastDrawn = Date()
            if terminal {
                Output.err("\r\u{1B}[2K" + Self.bar(snapshot))
                barShown = true
            } else {
                Output.err("progress: " + Self.line(snapshot) + "\n")
            }
        }
    }

    func note(_ message: String) {
        lock.withLock {
            if barShown { Output.err("\r\u{1B}[2K") }
            Output.err("note: \(message)\n")
            if barShown, let latest { Output.err(Self.bar(latest)) }
        }
    }

    func finish() {
        lock.withLock {
            if barShown { Output.err("\r\u{1B}[2K") }
            barShown = false
        }
    }

    static func line(_ snapshot: ProgressSnapshot) -> String {
        var text =
            "\(snapshot.batchesCreated)/\(snapshot.batchesTotal) batches created, \(snapshot.giftLinksCollected)/\(snapshot.recipientsTotal) gift links collected, \(String(format: "%.1f", snapshot.requestRate)) requests/s"
        if let eta = snapshot.etaSeconds { text += ", about \(duration(eta)) left" }
        return text
    }

    static func bar(_ snapshot: ProgressSnapshot, width: Int = 24) -> String {
        let total = max(1, snapshot.batchesTotal + snapshot.recipientsTotal)
        let done = snapshot.batchesCreated + snapshot.giftLinksCollected
        let filled = min(width, width * done / total)
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + line(snapshot)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded(.up))
        return whole >= 60 ? "\(whole / 60)m \(whole % 60)s" : "\(whole)s"
    }
}

/// Ctrl-C (or SIGTERM) during a send: the first one stops the work cleanly (requests in flight
/// finish or are abandoned, the ledger records where things stand, the results are written);
/// a second one quits at once, which is still safe because the ledger is always consistent.
enum Interruption {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() -> Bool {
            lock.withLock {
                defer { value = true }
                return !value
            }
        }
    }

    /// Runs `body` in a task that SIGINT and SIGTERM cancel; says whether a signal came.
    static func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> (
        T, interrupted: Bool
    ) {
        let task = Task { try await body() }
        let flag = Flag()
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                guard flag.set() else {
                    Output.err("\ngoody-batch: stopped at once. The ledger is consistent; `resume` continues.\n")
                    exit(130)
                }
                Output.err(
                    "\ngoody-batch: stopping after the requests in flight and saving the results (Ctrl-C again to quit at once)…\n"
                )
                task.cancel()
            }
            source.resume()
            sources.append(source)
        }
        defer {
            // Batches may exist now: no longer "nothing was created".
            for source in sources { source.cancel() }
            signal(SIGINT, SIG_DFL)
            signal(SIGTERM, SIG_DFL)
        }
        let value = try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
        return (value, flag.isSet)
    }
}
