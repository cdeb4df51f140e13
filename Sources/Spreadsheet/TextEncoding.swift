/// The text encodings HR exports arrive in.
public enum TextEncoding: String, Sendable, CaseIterable, Codable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"
    /// Excel for Mac's "CSV (Macintosh)".
    case macRoman = "mac-roman"

    /// Parses the names people type for `--encoding`.
    public init?(userName: String) {
        let key = userName.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "utf8", "utf8bom", "utf8sig": self = .utf8
        case "utf16", "utf16le", "unicode", "ucs2", "ucs2le": self = .utf16LE
        case "utf16be", "ucs2be": self = .utf16BE
        case "windows1252", "cp1252", "win1252", "latin1", "iso88591", "ansi": self = .windows1252
        case "macroman", "macintosh", "mac", "xmacroman", "csmacintosh", "macosroman": self = .macRoman
        default: return nil
        }
    }

    /// The name shown to people.
    public var displayName: String {
        switch self {
        case .utf8: "UTF-8"
        case .utf16LE: "UTF-16 LE"
        case .utf16BE: "UTF-16 BE"
        case .windows1252: "Windows-1252"
        case .macRoman: "Mac Roman"
        }
    }
}

/// How the encoding of a file was settled, as shown by `inspect` and `validate`.
public struct EncodingReport: Sendable, Equatable, Codable {
    public var encoding: TextEncoding
    /// The file starts with a byte-order mark.
    public var hasBOM: Bool
    /// True when `--encoding` chose it.
    public var givenByUser: Bool
    /// The line whose text decided between UTF-8 and Windows-1252 (nil: all plain ASCII so far).
    public var decidedAtLine: Int?
    /// When the bytes read as well in the other single-byte encoding: the first affected value
    /// in both readings, so a person can see which is right.
    public var otherReading: OtherReading?

    public struct OtherReading: Sendable, Equatable, Codable {
        public var encoding: TextEncoding
        public var line: Int
        public var asRead: String
        public var asOther: String
    }

    public var description: String {
        var text = encoding.displayName
        if hasBOM { text += " with byte-order mark" }
        if givenByUser {
            text += " (set by --encoding)"
        } else if encoding == .windows1252 || encoding == .macRoman {
            let place = decidedAtLine.map { " (first at line \($0))" } ?? ""
            let why = encoding == .macRoman ? ", and their accented letters are where Excel for Mac puts them" : ""
            text += ": the bytes are not valid UTF-8\(place)\(why), so they were read as \(encoding.displayName)"
        }
        if let other = otherReading {
            text +=
                ". They could also be \(other.encoding.displayName): line \(other.line) reads \"\(other.asRead)\" as \(encoding.displayName), \"\(other.asOther)\" as \(other.encoding.displayName); if the second is right, add --encoding \(other.encoding.rawValue)"
        } else if encoding == .utf8 && decidedAtLine == nil && !hasBOM {
            text += " (plain ASCII)"
        }
        return text
    }
}

enum UTF8Validation {
    /// Strict UTF-8 validation (no overlongs, no surrogates, nothing above U+10FFFF).
    static func isValid(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        validPrefixLength(bytes, count) == count
    }

    /// The length of the longest valid prefix; a sequence cut off at the end counts as invalid.
    static func validPrefixLength(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> Int {
        var index = 0
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else { return index }
            var offset = 2
            while offset < length {
                guard bytes[index + offset] & 0xC0 == 0x80 else { return index }
                offset += 1
            }
            index += length
        }
        return count
    }
}

enum Windows1252 {
    /// Unicode scalars for 0x80...0x9F; the five bytes Windows leaves undefined keep their C1 value.
    private static let high: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
        0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
        0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]

    /// Decodes `count` bytes into UTF-8 at `output` (room for 3 bytes each) and returns the length.
    static func decode(_ bytes: UnsafePointer<UInt8>, _ count: Int, into output: UnsafeMutablePointer<UInt8>) -> Int {
        SingleByte.decode(bytes, count, into: output, high: high)
    }
}

/// A single-byte encoding: ASCII below 0x80, `high` from 0x80 on, the byte's own value past it.
enum SingleByte {
    static func decode(
        _ bytes: UnsafePointer<UInt8>, _ count: Int, into output: UnsafeMutablePointer<UInt8>, high: [UInt16]
    ) -> Int {
        var written = 0
        for index in 0..<count {
            let byte = bytes[index]
            let offset = Int(byte) - 0x80
            let scalar = offset < 0 ? UInt32(byte) : (offset < high.count ? UInt32(high[offset]) : UInt32(byte))
            written += UTF8Encoding.write(scalar, to: output + written)
        }
        return written
    }
}

enum MacRoman {
    /// Unicode scalars for 0x80...0xFF.
    private static let high: [UInt16] = [
        0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1,
        0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5, 0x00E7, 0x00E9, 0x00E8,
        0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3,
        0x00F2, 0x00F4, 0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC,
        0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6, 0x00DF,
        0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8,
        0x221E, 0x00B1, 0x2264, 0x2265, 0x00A5, 0x00B5, 0x2202, 0x2211,
        0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8,
        0x00BF, 0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB,
        0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5, 0x0152, 0x0153,
        0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA,
        0x00FF, 0x0178, 0x2044, 0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02,
        0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
        0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4,
        0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9, 0x0131, 0x02C6, 0x02DC,
        0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
    ]

    /// Decodes `count` bytes into UTF-8 at `output` (room for 3 bytes each) and returns the length.
    static func decode(_ bytes: UnsafePointer<UInt8>, _ count: Int, into output: UnsafeMutablePointer<UInt8>) -> Int {
        SingleByte.decode(bytes, count, into: output, high: high)
    }
}

/// Windows-1252 or Mac Roman, for bytes that are not UTF-8: the one whose reading puts letters
/// where letters are (next to other letters), as names and addresses have them. Mac Roman keeps
/// its accented letters at 0x80–0x9F, where Windows-1252 has punctuation; Windows-1252 keeps
/// them at 0xC0–0xFF, where Mac Roman has mostly symbols.
enum SingleByteGuess {
    struct Verdict: Equatable {
        var encoding: TextEncoding
        /// Set when the other encoding reads the bytes about as well.
        var other: EncodingReport.OtherReading?
    }

    static func judge(_ bytes: [UInt8], firstLine: Int) -> Verdict {
        var windows = 0
        var mac = 0
        var first: Int?
        for index in bytes.indices where bytes[index] >= 0x80 {
            let before = index > 0 ? bytes[index - 1] : 0x20
            let after = index + 1 < bytes.count ? bytes[index + 1] : 0x20
            guard isASCIILetter(before) || isASCIILetter(after) else { continue }
            if first == nil { first = index }
            // Each encoding's own letter range counts double: Windows-1252 puts accented letters
            // at 0xC0–0xFF (its few at 0x8A–0x9F are rare in names), Mac Roman at 0x80–0x9F.
            // An uppercase letter right after a lowercase one ("JosŽ") is no reading of a name.
            let byte = bytes[index]
            let afterLowercase = before >= 0x61 && before <= 0x7A
            if isWindowsLetter(byte), !(afterLowercase && isWindowsUppercase(byte)) { windows += byte >= 0xC0 ? 2 : 1 }
            if isMacLetter(byte), !(afterLowercase && isMacUppercase(byte)) { mac += byte < 0xA0 ? 2 : 1 }
        }
        let encoding: TextEncoding = mac > windows ? .macRoman : .windows1252
        guard let first, min(mac, windows) * 2 >= max(mac, windows) else { return Verdict(encoding: encoding) }
        // About as many letters either way: say so, with the first such value read both ways.
        var start = first
        var end = first
        let separators: Set<UInt8> = [0x2C, 0x3B, 0x09, 0x7C, 0x0A, 0x0D, 0x22]
        while start > 0 && !separators.contains(bytes[start - 1]) { start -= 1 }
        while end < bytes.count && !separators.contains(bytes[end]) { end += 1 }
        let line = firstLine + bytes[..<start].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        let value = Array(bytes[start..<end])
        let other: TextEncoding = encoding == .macRoman ? .windows1252 : .macRoman
        return Verdict(
            encoding: encoding,
            other: EncodingReport.OtherReading(
                encoding: other, line: line, asRead: read(value, as: encoding), asOther: read(value, as: other)))
    }

    static func read(_ bytes: [UInt8], as encoding: TextEncoding) -> String {
        var output = [UInt8](repeating: 0, count: bytes.count * 3 + 4)
        let count = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { target -> Int in
                guard let source = input.baseAddress, let base = target.baseAddress else { return 0 }
                return encoding == .macRoman
                    ? MacRoman.decode(source, input.count, into: base)
                    : Windows1252.decode(source, input.count, into: base)
            }
        }
        return String(decoding: output.prefix(count), as: UTF8.self)
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }

    private static func isWindowsLetter(_ byte: UInt8) -> Bool {
        (byte >= 0xC0 && byte != 0xD7 && byte != 0xF7) || [0x8A, 0x8C, 0x8E, 0x9A, 0x9C, 0x9E, 0x9F].contains(byte)
    }

    private static func isWindowsUppercase(_ byte: UInt8) -> Bool {
        (0xC0...0xDE).contains(byte) || [0x8A, 0x8C, 0x8E, 0x9F].contains(byte)
    }

    private static func isMacUppercase(_ byte: UInt8) -> Bool {
        (0x80...0x86).contains(byte) || [0xAE, 0xAF, 0xCB, 0xCC, 0xCD, 0xCE, 0xD9].contains(byte)
            || (0xE5...0xEF).contains(byte) || (0xF1...0xF4).contains(byte)
    }

    private static func isMacLetter(_ byte: UInt8) -> Bool {
        (0x80...0x9F).contains(byte)
            || [0xA7, 0xAE, 0xAF, 0xBE, 0xBF, 0xCB, 0xCC, 0xCD, 0xCE, 0xCF, 0xD8, 0xD9].contains(byte)
            || (0xE5...0xEF).contains(byte) || (0xF1...0xF5).contains(byte)
    }
}

enum UTF8Encoding {
    /// Writes one scalar as UTF-8 and returns the number of bytes written (1 to 4).
    @inline(__always)
    static func write(_ scalar: UInt32, to output: UnsafeMutablePointer<UInt8>) -> Int {
        switch scalar {
        case 0..<0x80:
            output[0] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            output[0] = UInt8(0xC0 | (scalar >> 6))
            output[1] = UInt8(0x80 | (scalar & 0x3F))
            return 2
        case 0x800..<0x10000:
            output[0] = UInt8(0xE0 | (scalar >> 12))
            output[1] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            output[2] = UInt8(0x80 | (scalar & 0x3F))
            return 3
        default:
            output[0] = UInt8(0xF0 | (scalar >> 18))
            output[1] = UInt8(0x80 | ((scalar >> 12) & 0x3F))
            output[2] = UInt8(0x80 | ((scalar >> 6) & 0x3F))
            output[3] = UInt8(0x80 | (scalar & 0x3F))
            return 4
        }
    }
}

/// Streams UTF-16 (either byte order) into UTF-8, chunk by chunk, keeping a code unit or a
/// surrogate that is split across chunks for the next one.
struct UTF16Transcoder {
    let bigEndian: Bool
    private var carryByte: UInt8?
    private var pendingHighSurrogate: UInt16?
    /// Count of code units that were not valid UTF-16 (lone surrogates), replaced by U+FFFD.
    private(set) var replacements = 0

    init(bigEndian: Bool) { self.bigEndian = bigEndian }

    /// Transcodes `input`, appending UTF-8 to `output`.
    mutating func transcode(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
        let start = output.count
        output.append(contentsOf: repeatElement(0, count: (input.count + 2) / 2 * 3 + 4))
        var written = start
        output.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            var index = 0
            if let carried = carryByte, !input.isEmpty {
                written += emit(unit(carried, input[0]), to: base + written)
                carryByte = nil
                index = 1
            }
            while index + 1 < input.count {
                written += emit(unit(input[index], input[index + 1]), to: base + written)
                index += 2
            }
            if index < input.count { carryByte = input[index] }
        }
        output.removeLast(output.count - written)
    }

    /// Ends the stream: a dangling high surrogate or odd byte becomes U+FFFD.
    mutating func finish(into output: inout [UInt8]) {
        var bytes = [UInt8](repeating: 0, count: 8)
        var written = 0
        bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            if pendingHighSurrogate != nil || carryByte != nil {
                replacements += 1
                written = UTF8Encoding.write(0xFFFD, to: base)
            }
        }
        pendingHighSurrogate = nil
        carryByte = nil
        output.append(contentsOf: bytes[0..<written])
    }

    private func unit(_ first: UInt8, _ second: UInt8) -> UInt16 {
        bigEndian ? UInt16(first) << 8 | UInt16(second) : UInt16(second) << 8 | UInt16(first)
    }

    private mutating func emit(_ unit: UInt16, to output: UnsafeMutablePointer<UInt8>) -> Int {
        var written = 0
        if let high = pendingHighSurrogate {
            pendingHighSurrogate = nil
            if (0xDC00...0xDFFF).contains(unit) {
                let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                return UTF8Encoding.write(scalar, to: output)
            }
            replacements += 1
            written = UTF8Encoding.write(0xFFFD, to: output)
        }
        switch unit {
        case 0xD800...0xDBFF:
            pendingHighSurrogate = unit
            return written
        case 0xDC00...0xDFFF:
            replacements += 1
            return written + UTF8Encoding.write(0xFFFD, to: output + written)
        default:
            return written + UTF8Encoding.write(UInt32(unit), to: output + written)
        }
    }
}
