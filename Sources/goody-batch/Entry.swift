import ArgumentParser
import GoodyBatchCLI

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@main
enum Entry {
    static func main() async {
        // A program started from a thread that blocks signals (a dispatch worker, a Swift task,
        // some CI runners) inherits that mask, and would never see Ctrl-C or SIGTERM. Unblocked
        // here, before any other thread exists, so every thread after inherits the open mask.
        var signals = sigset_t()
        sigemptyset(&signals)
        for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, number) }
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        // Until a send starts creating (which installs its own handling), Ctrl-C stops with a
        // word that nothing was created.
        GoodyBatch.installEarlyInterruptHandler()
        if let unknown = unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            unknown.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
            exit(64)
        }
        await GoodyBatch.main()
    }

    /// "sned" → "goody-batch: there is no command "sned". Did you mean `goody-batch send`?"
    static func unknownCommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-") else { return nil }
        let names = GoodyBatch.commandNames + ["help"]
        guard !names.contains(first) else { return nil }
        let closest = names.map { ($0, distance(first.lowercased(), $0)) }.min { $0.1 < $1.1 }
        if let closest, closest.1 <= max(1, closest.0.count / 3) {
            return "goody-batch: there is no command \"\(first)\". Did you mean `goody-batch \(closest.0)`?\n"
        }
        return
            "goody-batch: there is no command \"\(first)\". The commands are: \(GoodyBatch.commandNames.joined(separator: ", ")); `goody-batch --help` says what each does.\n"
    }

    /// Edit distance, with a swap of neighbours counted as one edit ("sned" → "send").
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                table[i][j] = min(
                    table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
                }
            }
        }
        return table[a.count][b.count]
    }
}
