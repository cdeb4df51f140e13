import Foundation

/// A child process started with `posix_spawn` and reaped by a thread of its own.
///
/// Foundation's `Process` is not used. On Linux (Swift 6.3) it has two faults that a test suite
/// starting hundreds of children at once runs into:
/// - Each child gets a socket whose closing tells Foundation it ended, and every descriptor open
///   when Foundation lists them is closed in the child; one made a moment later for another child
///   is inherited. A long-lived child (an emulator, a held send) that inherits it hides the other
///   child's end for as long as it lives: seen on CI as commands "still running" after 120 s.
/// - `run()` reads 256 bytes of every `/proc/self/fd` entry, past the end of the directory
///   buffer, and now and then crashes the whole test run (swift-corelibs-foundation#5472).
///
/// Here the child keeps only descriptors 0, 1 and 2, and the end comes from `waitpid`.
final class ChildProcess: @unchecked Sendable {
    let processIdentifier: pid_t
    private let lock = NSLock()
    private var status: Int32?
    private let ended = DispatchSemaphore(value: 0)

    /// Starts `path` with `arguments` and exactly `environment`, in `directory`. Its standard
    /// input, output and error are the given descriptors (`nil` input: /dev/null).
    init(
        path: String, arguments: [String], environment: [String: String], directory: String?,
        input: Int32?, output: Int32, error: Int32
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, output, 1)
        posix_spawn_file_actions_adddup2(&actions, error, 2)
        try Self.check(Self.glibc("posix_spawn_file_actions_addclosefrom_np", as: AddCloseFrom.self)(&actions, 3))
        if let directory {
            try Self.check(Self.glibc("posix_spawn_file_actions_addchdir_np", as: AddChdir.self)(&actions, directory))
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, as Foundation does: a Ctrl-C at the terminal running the
        // tests reaches the tests, and each test signals its children itself.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        var pid = pid_t()
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        try Self.check(posix_spawn(&pid, path, &actions, &attributes, argv, envp), "cannot start \(path)")
        processIdentifier = pid
        Thread.detachNewThread { [self, pid] in
            var raw: Int32 = 0
            while waitpid(pid, &raw, 0) == -1 && errno == EINTR {}
            lock.withLock { status = raw }
            ended.signal()
        }
    }

    var isRunning: Bool { lock.withLock { status == nil } }

    /// Waits up to `seconds` for the end: the exit code, or 128 + the signal that ended it (as a
    /// shell says); nil if it has not ended.
    func waitForEnd(seconds: TimeInterval) -> Int32? {
        guard ended.wait(timeout: .now() + seconds) == .success else { return nil }
        ended.signal()  // a later wait sees the end too
        let raw = lock.withLock { status } ?? 0
        let signal = raw & 0x7f
        return signal == 0 ? (raw >> 8) & 0xff : 128 + signal
    }

    /// Signals it, unless it has been reaped (its number may then belong to another process).
    func signal(_ number: Int32) {
        lock.withLock { if status == nil { _ = kill(processIdentifier, number) } }
    }

    // glibc's `_np` spawn actions, which Swift's Glibc module leaves out, looked up by name.
    private typealias AddChdir =
        @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

    private static func glibc<T>(_ name: String, as type: T.Type) throws -> T {
        guard let symbol = dlsym(nil, name) else {
            throw error(ENOSYS, "\(name) is missing: glibc 2.34 or later is needed")
        }
        return unsafeBitCast(symbol, to: type)
    }

    /// Throws for a nonzero error number, as the spawn functions return it.
    static func check(_ result: Int32, _ doing: String = "cannot start a test's child process") throws {
        guard result == 0 else { throw error(result, "\(doing): \(String(cString: strerror(result)))") }
    }

    private static func error(_ number: Int32, _ message: String) -> NSError {
        NSError(domain: NSPOSIXErrorDomain, code: Int(number), userInfo: [NSLocalizedDescriptionKey: message])
    }
}

/// A pipe whose two ends no child inherits unless handed to it: close-on-exec for children
/// started otherwise, and every `ChildProcess` keeps only 0, 1 and 2 anyway (so the moment
/// between `pipe` and `fcntl` is harmless).
struct ClosedOnExecPipe {
    let read: Int32
    let write: Int32

    init() throws {
        var ends: [Int32] = [-1, -1]
        try ChildProcess.check(pipe(&ends) == 0 ? 0 : errno, "cannot make a pipe")
        read = ends[0]
        write = ends[1]
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    }
}
