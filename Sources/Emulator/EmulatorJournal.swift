import Foundation
import GoodyAPI

/// An append-only record of what changed the emulator's account (creates, cancels and expiry moves), one
/// JSON object a line. Replaying it into a fresh store rebuilds the same batches, orders and
/// gift links, because every identifier comes from the seeded generator in the same order.
struct EmulatorJournal: Sendable {
    let path: String

    struct Entry: Codable {
        /// Seconds since 1970, exactly as the store saw them.
        var at: Double
        var create: OrderBatchInput?
        var cancel: String?
        /// An order whose expiry moved, and to when (as the client wrote it).
        var expire: String?
        var expiration: String?

        init(
            at date: Date, create: OrderBatchInput? = nil, cancel: String? = nil, expire: String? = nil,
            expiration: String? = nil
        ) {
            at = date.timeIntervalSince1970
            self.create = create
            self.cancel = cancel
            self.expire = expire
            self.expiration = expiration
        }

        var date: Date { Date(timeIntervalSince1970: at) }
    }

    /// Appends one entry and flushes it to disk before the answer goes out, so an answer a
    /// client saw is never lost from the journal. Best effort: a journal that cannot be
    /// written only costs the emulator its memory.
    func append(_ entry: Entry) {
        guard var line = try? GoodyJSON.encoder().encode(entry) else { return }
        line.append(0x0A)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        line.withUnsafeBytes { bytes in _ = write(descriptor, bytes.baseAddress, bytes.count) }
        fsync(descriptor)
    }

    /// Every complete entry; a torn last line (a kill mid-write) is ignored.
    func entries() -> [Entry] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        let decoder = GoodyJSON.decoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(Entry.self, from: Data($0)) }
    }
}
