import ArgumentParser
import GoodyAPI
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
        if let problem = Today.check() {
            "goody-batch: \(problem)\n".utf8CString.withUnsafeBufferPointer {
                _ = write(2, $0.baseAddress, $0.count - 1)
            }
            exit(64)
        }
        if let unknown = GoodyBatch.unknownCommand(Array(CommandLine.arguments.dropFirst())) {
            unknown.utf8CString.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count - 1) }
            exit(64)
        }
        await GoodyBatch.run(ResendArguments.normalized(Array(CommandLine.arguments.dropFirst())))
    }
}
