#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads rows of the file again, after the reader has passed them, without having kept them:
/// from the nearest replay point before the row (the reader marks one every couple of
/// kilobytes, where no record is unfinished), libcsv parses on to the row, with the lines and
/// decoding the first reading had. Duplicate detection uses it to compare a row with an earlier
/// one on their own values when their hashes agree, so memory stays flat and nothing is written.
///
/// One thread at a time: the one that receives the reader's batches. Points arrive with the
/// batches (`absorb`), each before any row that starts after it.
public final class RecordReplayer {
    private let path: String
    private let dataStart: Int
    private let width: Int
    private let lineMap: LineMap?
    private let parser: LibCSVParser
    private var points: [ReplayPoint] = []
    private var descriptor: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 4096)

    init(
        source: FileSource, delimiter: UInt8, decoding: FieldDecoding, limits: ParseLimits, width: Int,
        lineMap: LineMap?
    ) {
        path = source.dataPath
        dataStart = source.dataStart
        self.width = width
        self.lineMap = lineMap
        parser = LibCSVParser(delimiter: delimiter, decoding: decoding, limits: limits)
        // Room for more points than there can be (slices end at a line break, so a little
        // before every couple of kilobytes), so the list is never copied as it grows: fresh
        // memory is what costs most on a million rows, and pages never written cost nothing.
        points.reserveCapacity(source.size / (LibCSVParser.replaySpacing / 2) + 64)
        // The start of the text, where the reader began.
        points.append(ReplayPoint(offset: 0, line: 1, afterCR: false, decoding: decoding))
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// Takes the replay points the reader met while reading `batch`; call before looking at its rows.
    public func absorb(_ batch: RecordBatch) {
        points.append(contentsOf: batch.replayPoints)
    }

    /// Calls `body` with each row on lines `first..<end` (a sheet's rows for a workbook), in
    /// order, until it returns true. Rows are shaped as the reader delivered them (a row of the
    /// wrong width carries its problem). False when the file could not be read again.
    @discardableResult
    public func forEachRecord(from first: Int, before end: Int, _ body: (Record) -> Bool) -> Bool {
        withoutActuallyEscaping(body) { replay(from: first, before: end, $0) }
    }

    private func replay(from first: Int, before end: Int, _ body: @escaping (Record) -> Bool) -> Bool {
        let firstLine = lineMap?.line(forRow: first) ?? first
        // The last point at or before the first line: points are in the order of their lines.
        var low = 0
        var high = points.count - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if points[middle].line <= firstLine { low = middle } else { high = middle - 1 }
        }
        let point = points[low]
        if descriptor < 0 { descriptor = open(path, O_RDONLY | O_CLOEXEC) }
        guard descriptor >= 0 else { return false }
        parser.reset(to: point)
        var offset = dataStart + point.offset
        var finished = false
        let width = width
        let lineMap = lineMap
        let sink: (RawRecord) -> Void = { raw in
            guard !finished else { return }
            let record = Record(raw, width: width, lineMap: lineMap)
            if record.line >= end {
                finished = true
            } else if record.line >= first, !raw.isEmptyLine {
                finished = body(record)
            }
        }
        while !finished {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(offset)) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else { return false }
            if count == 0 { return (try? parser.finish(sink)) != nil }
            // In short pieces, so that parsing stops soon after the row.
            let parsed = buffer.withUnsafeBytes { bytes in
                var start = 0
                while start < count && !finished {
                    let piece = UnsafeRawBufferPointer(rebasing: bytes[start..<min(start + 256, count)])
                    guard (try? parser.parse(piece, sink)) != nil else { return false }
                    start += piece.count
                }
                return true
            }
            guard parsed else { return false }
            offset += count
        }
        return true
    }
}

extension SpreadsheetReader {
    /// A way to read rows of this file again by line, fed with the points of the batches read.
    public func makeReplayer() -> RecordReplayer {
        RecordReplayer(
            source: source, delimiter: layout.delimiter.delimiter.rawValue, decoding: initialDecoding,
            limits: options.limits, width: layout.header.count, lineMap: lineMap)
    }
}
