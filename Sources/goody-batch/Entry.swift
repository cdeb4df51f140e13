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
        await GoodyBatch.main()
    }
}
