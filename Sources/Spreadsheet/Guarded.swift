import Foundation

/// A value shared between threads, behind an `NSLock` (a plain pthread mutex). Used instead of
/// `Synchronization.Mutex`, whose Linux lock is a priority-inheriting futex: taken again by a
/// thread that holds it (an exit handler run from a signal, say) it spins in the kernel instead
/// of stopping. `tryWithLock` lets an exit handler skip its work rather than wait.
final class Guarded<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) { self.value = value }

    func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }

    /// Runs `body` only if the lock is free now.
    func tryWithLock<T>(_ body: (inout Value) throws -> T) rethrows -> T? {
        guard lock.try() else { return nil }
        defer { lock.unlock() }
        return try body(&value)
    }
}
