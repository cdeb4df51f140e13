/// The value separators HR exports use.
public enum Delimiter: UInt8, Sendable, CaseIterable, Codable {
    case comma = 0x2C
    case semicolon = 0x3B
    case tab = 0x09
    case pipe = 0x7C

    /// Parses what people type for `--delimiter`: the character itself or its name.
    public init?(userName: String) {
        switch userName.lowercased() {
        case ",", "comma": self = .comma
        case ";", "semicolon": self = .semicolon
        case "\t", "\\t", "tab": self = .tab
        case "|", "pipe": self = .pipe
        default: return nil
        }
    }

    public var displayName: String {
        switch self {
        case .comma: "comma (,)"
        case .semicolon: "semicolon (;)"
        case .tab: "tab"
        case .pipe: "pipe (|)"
        }
    }

    public var character: Character { Character(Unicode.Scalar(rawValue)) }
}

/// How the delimiter was settled.
public struct DelimiterReport: Sendable, Equatable {
    public var delimiter: Delimiter
    public var givenByUser: Bool
    /// The number of values per row that the choice gave most rows.
    public var columns: Int

    public var description: String {
        delimiter.displayName + (givenByUser ? " (set by --delimiter)" : "")
    }
}

/// Chooses the delimiter that splits the opening rows into the same number of values most often.
enum DelimiterSniffer {
    struct Candidate {
        var delimiter: Delimiter
        var records: [[String]]
        var lines: [Int]
        var modalCount: Int
        var consistentRows: Int
        /// Every record the head held, including those not kept.
        var recordsInHead: Int
    }

    static func evaluate(_ delimiter: Delimiter, head: [UInt8], headIsWholeFile: Bool, decoding: FieldDecoding)
        -> Candidate
    {
        let parser = LibCSVParser(delimiter: delimiter.rawValue, decoding: decoding)
        var records: [[String]] = []
        var lines: [Int] = []
        var total = 0
        let keep = 200
        let collect: (RawRecord) -> Void = { raw in
            total += 1
            guard records.count < keep, !raw.isEmptyLine else { return }
            var values: [String] = []
            values.reserveCapacity(raw.count)
            var start = 0
            for index in 0..<raw.count {
                let end = raw.ends[index]
                values.append(
                    String(decoding: UnsafeBufferPointer(start: raw.bytes + start, count: end - start), as: UTF8.self))
                start = end
            }
            records.append(values)
            lines.append(raw.line)
        }
        head.withUnsafeBytes { bytes in
            // A head cut short may end inside a record: that last record is left out.
            try? parser.parse(bytes, collect)
            if headIsWholeFile { try? parser.finish(collect) }
        }
        var frequency: [Int: Int] = [:]
        for record in records where !record.allSatisfy(\.isEmpty) { frequency[record.count, default: 0] += 1 }
        let modal = frequency.max { lhs, rhs in lhs.value == rhs.value ? lhs.key < rhs.key : lhs.value < rhs.value }
        return Candidate(
            delimiter: delimiter, records: records, lines: lines, modalCount: modal?.key ?? 0,
            consistentRows: modal?.value ?? 0, recordsInHead: total)
    }

    /// The best candidate: most rows agreeing on a count above one, then more columns, then the
    /// usual order comma, semicolon, tab, pipe.
    static func choose(head: [UInt8], headIsWholeFile: Bool, decoding: FieldDecoding) -> Candidate {
        let candidates = Delimiter.allCases.map {
            evaluate($0, head: head, headIsWholeFile: headIsWholeFile, decoding: decoding)
        }
        func score(_ candidate: Candidate) -> (Int, Int) {
            candidate.modalCount > 1 ? (candidate.consistentRows, candidate.modalCount) : (0, 0)
        }
        var best = candidates[0]
        for candidate in candidates.dropFirst() where score(candidate) > score(best) { best = candidate }
        return best
    }
}
