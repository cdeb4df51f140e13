public import Foundation
public import GoodyAPI
public import Hummingbird
public import Logging
import NIOCore
import ServiceLifecycle

/// Builds the emulator as a Hummingbird application, as Hummingbird's template does.
public enum GoodyEmulator {
    /// The application for `configuration`, reporting its port through `onRunning` once it listens.
    public static func buildApplication(
        configuration: EmulatorConfiguration, store: EmulatorStore, injector: FaultInjector,
        logger: Logger = Logger(label: "goody-emulator"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let router = EmulatorRoutes.buildRouter(store: store, injector: injector, apiKeys: configuration.apiKeys)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port), serverName: "goody-emulator"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// Starts the emulator on loopback for the duration of `body`, and shuts it down gracefully
    /// however `body` ends.
    public static func withRunning<T: Sendable>(
        _ configuration: EmulatorConfiguration = EmulatorConfiguration(),
        clock: @escaping @Sendable () -> Date = { Today.now() },
        _ body: @Sendable (RunningEmulator) async throws -> T
    ) async throws -> T {
        var quiet = Logger(label: "goody-emulator")
        quiet.logLevel = .critical
        let store = EmulatorStore(configuration: configuration, clock: clock)
        await store.restore()
        let injector = FaultInjector(faults: configuration.faults, seed: configuration.seed)
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let application = buildApplication(
            configuration: configuration, store: store, injector: injector, logger: quiet
        ) { port in
            portContinuation.yield(port)
            portContinuation.finish()
        }
        let services = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [application], gracefulShutdownSignals: [], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                await services.triggerGracefulShutdown()
                throw EmulatorStartError()
            }
            let running = RunningEmulator(
                url: URL(string: "http://\(configuration.host):\(port)") ?? URL(fileURLWithPath: "/"),
                apiKey: configuration.apiKeys.sorted().first ?? "", store: store, injector: injector)
            do {
                let value = try await body(running)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return value
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}

/// A started emulator: where it listens, a key it accepts, and its state for inspection.
public struct RunningEmulator: Sendable {
    public let url: URL
    public let apiKey: String
    public let store: EmulatorStore
    public let injector: FaultInjector
}

/// The emulator could not listen (no port, no loopback): a problem of this machine.
public struct EmulatorStartError: Error, CustomStringConvertible, LocalizedError {
    public init() {}
    public var description: String { "the Goody API emulator did not start" }
    public var errorDescription: String? {
        "the built-in Goody API emulator did not start (it listens on 127.0.0.1); check that loopback networking works here"
    }
}
