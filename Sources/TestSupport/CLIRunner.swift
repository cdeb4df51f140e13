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
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        let stdout = try ClosedOnExecPipe()
        let stderr = try ClosedOnExecPipe()
        let stdin = try input.map { _ in try ClosedOnExecPipe() }
        let child: ChildProcess
        do {
            defer {
                // The child holds its own copies now; these ends stay with it alone.
                for end in [stdout.write, stderr.write, stdin?.read].compactMap({ $0 }) { close(end) }
            }
            child = try ChildProcess(
                path: executable(name), arguments: arguments, environment: merged, directory: directory,
                input: stdin?.read, output: stdout.write, error: stderr.write)
        } catch {
            for end in [stdout.read, stderr.read, stdin?.write].compactMap({ $0 }) { close(end) }
            throw error
        }
        let running = RunningCommand(
            child: child,
            out: OutputCollector(FileHandle(fileDescriptor: stdout.read, closeOnDealloc: true)),
            err: OutputCollector(FileHandle(fileDescriptor: stderr.read, closeOnDealloc: true)))
        if let input, let stdin {
            let handle = FileHandle(fileDescriptor: stdin.write, closeOnDealloc: true)
            try? handle.write(contentsOf: Data(input.utf8))
            try? handle.close()
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

    /// Everything printed, once the pipe has ended. The process has ended by now, and no other
    /// child holds the pipe (see `ChildProcess`); should one it started itself still hold it,
    /// what arrived within 10 seconds is what it printed.
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
    private let child: ChildProcess
    private let out: OutputCollector
    private let err: OutputCollector

    init(child: ChildProcess, out: OutputCollector, err: OutputCollector) {
        self.child = child
        self.out = out
        self.err = err
    }

    public var processIdentifier: pid_t { child.processIdentifier }
    public var isRunning: Bool { child.isRunning }

    public func signal(_ number: Int32) { child.signal(number) }

    /// Waits for the process to end (killing it after `timeout`) and returns what it printed:
    /// its exit code, 128 + the signal that ended it, or -1 if even SIGKILL did not end it.
    public func wait(timeout: TimeInterval = 120) -> CommandResult {
        var code = child.waitForEnd(seconds: timeout)
        if code == nil {
            child.signal(SIGKILL)
            code = child.waitForEnd(seconds: 10)
        }
        return CommandResult(exitCode: code ?? -1, stdout: out.finish(), stderr: err.finish())
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

    /// Starts it on a free port and waits until it says where it listens. `environment` is
    /// added to the tests' own (`GOODY_BATCH_TODAY` sets its today).
    public init(
        apiKey: String = "external-key", port: Int = 0, arguments: [String] = [], environment: [String: String] = [:]
    ) throws {
        self.apiKey = apiKey
        command = try CLIRunner.start(
            ["--port", "\(port)", "--api-key", apiKey] + arguments, environment: environment,
            executable: "goody-emulator")
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
    public static func start(
        apiKey: String = "external-key", port: Int = 0, arguments: [String] = [], environment: [String: String] = [:]
    ) async throws -> ExternalEmulator {
        try await CLIRunner.offPool {
            try ExternalEmulator(apiKey: apiKey, port: port, arguments: arguments, environment: environment)
        }
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

    deinit { command.signal(SIGKILL) }
}

public struct EmulatorStartTimeout: Error {}
