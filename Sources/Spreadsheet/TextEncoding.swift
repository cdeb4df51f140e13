/// The text encodings HR exports arrive in.
public enum TextEncoding: String, Sendable, CaseIterable, Codable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case windows1252 = "windows-1252"

    /// Parses the names people type for `--encoding`.
    public init?(userName: String) {
        let key = userName.lowercased().filter { $0.isLetter || $0.isNumber }
        switch key {
        case "utf8", "utf8bom", "utf8sig": self = .utf8
        case "utf16", "utf16le", "unicode", "ucs2", "ucs2le": self = .utf16LE
        case "utf16be", "ucs2be": self = .utf16BE
        case "windows1252", "cp1252", "win1252", "latin1", "iso88591", "ansi": self = .windows1252
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

    public var description: String {
        var text = encoding.displayName
        if hasBOM { text += " with byte-order mark" }
        if givenByUser {
            text += " (set by --encoding)"
        } else if encoding == .windows1252 {
            let place = decidedAtLine.map { " (first at line \($0))" } ?? ""
            text += ": the bytes are not valid UTF-8\(place), so they were read as Windows-1252"
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
        var written = 0
        for index in 0..<count {
            let byte = bytes[index]
            let scalar: UInt32 =
                byte < 0x80 ? UInt32(byte) : (byte < 0xA0 ? UInt32(high[Int(byte) - 0x80]) : UInt32(byte))
            written += UTF8Encoding.write(scalar, to: output + written)
        }
        return written
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
