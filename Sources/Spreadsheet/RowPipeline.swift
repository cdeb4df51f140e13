import Foundation

/// Rows copied out of libcsv's buffers, so they can cross from the thread that parses to the
/// thread that checks them. Parsing and checking then run on two cores at once.
@usableFromInline
final class RowBatch: @unchecked Sendable {
    /// Small enough that the batches in flight stay few megabytes of memory (fresh memory is
    /// slow on the VMs measured), large enough that handing one over costs little per row:
    /// 1,024 rows ran 3% faster than 2,048 and no slower than 512 (docs/benchmarks.md).
    static let rowsPerBatch = 1024

    private struct Row {
        var line: Int
        var count: Int
        var firstField: Int
        var firstByte: Int
        var problem: RecordProblem?
        var flagsUnion: FieldFlags
    }

    // One thread at a time owns a batch (the pipeline hands it over), so the dynamic exclusivity
    // checks would only cost time.
    @exclusivity(unchecked) private var bytes: GrowableBuffer<UInt8>
    /// Per value: its end, counted from the start of its row.
    @exclusivity(unchecked) private var ends: GrowableBuffer<Int>
    @exclusivity(unchecked) private var flags: GrowableBuffer<FieldFlags>
    @exclusivity(unchecked) private var rows: GrowableBuffer<Row>
    /// Replay points met while these rows were read (`RecordReplayer`).
    var points: [ReplayPoint] = []
    /// What the reading thread worked out for these rows while the other thread was behind
    /// (`SpreadsheetReader.readBatches(prepare:)`). Kept when the batch is reused, so that
    /// `prepare` can reuse it too (`RecordBatch.reusable`).
    var prepared: AnyObject?
    var isPrepared = false

    init() {
        bytes = GrowableBuffer(capacity: 1 << 19)
        ends = GrowableBuffer(capacity: Self.rowsPerBatch * 16)
        flags = GrowableBuffer(capacity: Self.rowsPerBatch * 16)
        rows = GrowableBuffer(capacity: Self.rowsPerBatch)
    }

    deinit {
        bytes.release()
        ends.release()
        flags.release()
        rows.release()
    }

    var isFull: Bool { rows.count >= Self.rowsPerBatch || bytes.count >= 2 << 20 }
    var isEmpty: Bool { rows.count == 0 }

    func removeAll() {
        bytes.removeAll()
        ends.removeAll()
        flags.removeAll()
        rows.removeAll()
        points.removeAll(keepingCapacity: true)
        isPrepared = false
    }

    func append(_ record: Record) {
        rows.append(
            Row(
                line: record.line, count: record.count, firstField: ends.count, firstByte: bytes.count,
                problem: record.problem,
                flagsUnion: record.flagsUnion))
        bytes.append(record.bytes, count: record.byteCount)
        ends.append(record.ends, count: record.count)
        flags.append(record.flagStorage, count: record.count)
    }

    /// Calls `body` with a view of the rows, valid during the call.
    func withView<T>(_ body: (RecordBatch) throws -> T) rethrows -> T {
        try body(RecordBatch(storage: self))
    }

    @usableFromInline
    func record(at index: Int) -> Record {
        let row = rows.base[index]
        return Record(
            line: row.line, count: row.count, problem: row.problem, bytes: bytes.base + row.firstByte,
            ends: ends.base + row.firstField, flagStorage: flags.base + row.firstField, flagsUnion: row.flagsUnion)
    }

    @usableFromInline var rowCount: Int { rows.count }
}

/// A batch of data rows; its records are valid while the call that received it runs.
public struct RecordBatch {
    @usableFromInline let storage: RowBatch

    init(storage: RowBatch) { self.storage = storage }

    @inlinable public var count: Int { storage.rowCount }

    @inlinable public subscript(index: Int) -> Record { storage.record(at: index) }

    var replayPoints: [ReplayPoint] { storage.points }

    /// What `prepare` returned for this batch on the reading thread; nil when it was not run.
    public var prepared: AnyObject? { storage.isPrepared ? storage.prepared : nil }

    /// For `prepare`: what it returned for an earlier batch held in the same storage, done with,
    /// to fill again instead of allocating.
    public var reusable: AnyObject? { storage.isPrepared ? nil : storage.prepared }
}

/// A bounded hand-over between the parsing thread and the checking thread. Bounded, so memory
/// stays flat when checking is slower than parsing; closable, so either side can stop the other.
final class RowPipeline: @unchecked Sendable {
    enum Item {
        case batch(RowBatch)
        case end(ReadSummary)
        case failure(any Error)
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private var spare: [RowBatch] = []
    private var closed = false
    private let depth: Int
    private let finished = DispatchSemaphore(value: 0)
    /// Run by the producer on a batch, instead of waiting, when the consumer is behind.
    private let prepare: Handover<((RecordBatch) -> AnyObject?)?>

    /// Tests: prepare every other batch instead of going by the backlog.
    private let everyOther: Bool
    private var handedOver = 0

    init(depth: Int = 8, prepare: ((RecordBatch) -> AnyObject?)? = nil, everyOther: Bool = false) {
        self.depth = depth
        self.prepare = Handover(value: prepare)
        self.everyOther = everyOther
    }

    /// Batches waiting that count as the consumer being behind. Below the depth, so that the
    /// producer starts helping before it would have to wait, and above one, so that the consumer
    /// still has batches to work on while the producer checks one.
    private static let backlog = 3

    /// The consumer has batches piling up: the producer is faster, and helps.
    private var isBacklogged: Bool {
        condition.lock()
        defer { condition.unlock() }
        return items.count >= Self.backlog
    }

    /// Hands `batch` over, first doing part of the consumer's work on it when the consumer is
    /// behind: both cores then share the checking, whichever side is slower.
    func handOver(_ batch: RowBatch) -> Bool {
        handedOver += 1
        if let prepare = prepare.value, everyOther ? handedOver % 2 == 1 : isBacklogged {
            batch.prepared = batch.withView(prepare)
            batch.isPrepared = true
        }
        return put(.batch(batch))
    }

    /// Waits for room, then hands over; false when the other side has closed the pipeline.
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= depth && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// Waits for the next item; nil once closed and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// An empty batch, reused when one has come back.
    func freshBatch() -> RowBatch {
        condition.lock()
        defer { condition.unlock() }
        return spare.popLast() ?? RowBatch()
    }

    func recycle(_ batch: RowBatch) {
        batch.removeAll()
        condition.lock()
        spare.append(batch)
        condition.unlock()
    }

    /// Runs `produce` on its own thread; `join()` waits for it to end.
    func startProducer(_ produce: @escaping @Sendable () -> Void) {
        let thread = Thread { [finished] in
            produce()
            finished.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    func join() { finished.wait() }
}

/// Stops the producer after the consumer has gone.
struct PipelineClosed: Error {}

/// Carries values that are used by one thread at a time across the thread boundary.
struct Handover<Value>: @unchecked Sendable {
    let value: Value
}
