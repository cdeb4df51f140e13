public import Foundation

/// What a run of the built `goody-batch` binary printed and returned.
public struct CommandResult: Sendable {
    public var exitCode: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs the built executables as a person would, in a real process.
public enum CLIRunner {
    /// The folder holding the built products (the test bundle sits beside them).
    public static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        return bundle.pathExtension == "xctest" ? bundle.deletingLastPathComponent() : bundle
    }

    /// A built product by name, or any program by absolute path.
    public static func executable(_ name: String) -> String {
        if name.hasPrefix("/") { return name }
        return productsDirectory.appendingPathComponent(name).path
    }

    /// Runs `goody-batch` (or another product) with `arguments` in `directory`, feeding it `input`.
    public static func run(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: String? = nil, executable name: String = "goody-batch", timeout: TimeInterval = 120
    ) throws -> CommandResult {
        try start(arguments, in: directory, environment: environment, input: input, executable: name)
            .wait(timeout: timeout)
    }

    /// `run`, waiting on a thread of its own rather than one of the few the tests' task pool
    /// shares: a test that waits for a command never starves another test's timing.
    public static func running(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: String? = nil, executable name: String = "goody-batch", timeout: TimeInterval = 120
    ) async throws -> CommandResult {
        try await offPool {
            try run(
                arguments, in: directory, environment: environment, input: input, executable: name, timeout: timeout)
        }
    }

    /// Waits until `condition` holds, polling every few milliseconds on a thread of its own, so
    /// the moment is seen however busy the tests keep the task pool. False after `seconds`.
    @discardableResult
    public static func poll(seconds: Double = 60, _ condition: @escaping @Sendable () -> Bool) async -> Bool {
        (try? await offPool {
            let deadline = Date().addingTimeInterval(seconds)
            while !condition() {
                if Date() >= deadline { return false }
                Thread.sleep(forTimeInterval: 0.002)
            }
            return true
        }) ?? false
    }

    /// Runs blocking work on a thread of its own and waits for it without holding a thread of
    /// any pool: neither Swift's task pool nor Dispatch's global queues (on Linux both are about
    /// as wide as the machine has cores, two here) are kept from other tests' work.
    public static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try work() }) }
            thread.start()
        }
    }

    /// Starts a product in the background; `input`, if any, is its standard input, then closed.
    public static func start(
        _ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
        input: String? = nil, executable name: String = "goody-batch"
    ) throws -> RunningCommand {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable(name))
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        // Only this child may hold these pipes: another test's child, started at the same moment,
        // would otherwise inherit them and keep them open (its own stdio is dup'ed, so unaffected).
        for pipe in [stdout, stderr, stdin] {
            for handle in [pipe.fileHandleForReading, pipe.fileHandleForWriting] {
                _ = fcntl(handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
            }
        }
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        let running = RunningCommand(
            process: process, out: OutputCollector(stdout.fileHandleForReading),
            err: OutputCollector(stderr.fileHandleForReading))
        try process.run()
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        return running
    }
}

/// Drains a pipe on a background thread so a chatty process never blocks on a full pipe.
final class OutputCollector: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        self.handle = handle
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                data.append(chunk)
                lock.unlock()
            }
            done.signal()
        }
    }

    func snapshot() -> String {
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }

    /// Everything printed, once the pipe has ended. The process has ended by now, but another
    /// child started at the same moment (tests start many in parallel) can have inherited this
    /// pipe's write end and keep it open: after 10 seconds, what arrived is what it printed.
    func finish() -> String {
        _ = done.wait(timeout: .now() + 10)
        lock.lock()
        defer { lock.unlock() }
        return String(decoding: data, as: UTF8.self)
    }
}

/// A `goody-batch` (or `goody-emulator`) process started in the background, to be signalled
/// (Ctrl-C, SIGKILL) while it works.
public final class RunningCommand: @unchecked Sendable {
    public let process: Process
    private let out: OutputCollector
    private let err: OutputCollector

    init(process: Process, out: OutputCollector, err: OutputCollector) {
        self.process = process
        self.out = out
        self.err = err
    }

    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to end (killing it after `timeout`) and returns what it printed.
    ///
    /// Foundation's `waitUntilExit` is not used: on Linux it spins forever, holding a core, when
    /// it misses a child's end (seen as a whole `swift test` hanging in an emulator's `stop()`).
    /// The wait is bounded instead: when Foundation has still not seen the end 10 seconds after
    /// the process is gone (or was killed), the exit code is unknown (-1).
    public func wait(timeout: TimeInterval = 120) -> CommandResult {
        if !waitForEnd(seconds: timeout) {
            kill(process.processIdentifier, SIGKILL)
            _ = waitForEnd(seconds: 10)
        }
        // Foundation reaps the child, then marks it ended a moment later on a queue of its own.
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        let code = process.isRunning ? -1 : process.terminationStatus
        return CommandResult(exitCode: code, stdout: out.finish(), stderr: err.finish())
    }

    /// Polls until the process has ended (or is gone altogether); false after `seconds`.
    private func waitForEnd(seconds: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if !process.isRunning || (kill(process.processIdentifier, 0) != 0 && errno == ESRCH) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }

    /// What it has printed on standard output so far.
    public var stdoutSoFar: String { out.snapshot() }
    /// What it has printed on standard error so far.
    public var stderrSoFar: String { err.snapshot() }
}

/// The `goody-emulator` executable in its own process, which outlives the senders a test kills.
public final class ExternalEmulator: @unchecked Sendable {
    public let command: RunningCommand
    public let url: URL
    public let apiKey: String

    /// Starts it on a free port and waits until it says where it listens.
    public init(apiKey: String = "external-key", port: Int = 0, arguments: [String] = []) throws {
        self.apiKey = apiKey
        command = try CLIRunner.start(
            ["--port", "\(port)", "--api-key", apiKey] + arguments, executable: "goody-emulator")
        let deadline = Date().addingTimeInterval(30)
        var found: URL?
        while found == nil && Date() < deadline {
            if let match = command.stdoutSoFar.firstMatch(of: /listening on (http:\/\/127\.0\.0\.1:\d+)/) {
                found = URL(string: String(match.output.1))
            } else {
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
        guard let found else {
            command.signal(SIGKILL)
            throw EmulatorStartTimeout()
        }
        url = found
    }

    /// Starts it without holding one of the test pool's threads while it comes up.
    public static func start(apiKey: String = "external-key", port: Int = 0, arguments: [String] = []) async throws
        -> ExternalEmulator
    {
        try await CLIRunner.offPool { try ExternalEmulator(apiKey: apiKey, port: port, arguments: arguments) }
    }

    public func stop() {
        command.signal(SIGTERM)
        _ = command.wait(timeout: 10)
    }

    /// Ends it at once, answers in flight (a held create) included.
    public func kill() {
        command.signal(SIGKILL)
        _ = command.wait(timeout: 10)
    }

    deinit { if command.process.isRunning { command.signal(SIGKILL) } }
}

public struct EmulatorStartTimeout: Error {}
