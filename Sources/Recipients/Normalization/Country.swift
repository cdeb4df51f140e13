/// Country values; Goody ships direct-send gifts to the US only.
public enum Country {
    public enum Outcome: Equatable, Sendable {
        case us
        case usRenamed
        case empty
        case other
    }

    private static let usNames: Set<String> = [
        "us", "usa", "unitedstates", "unitedstatesofamerica", "america", "unitedstatesus", "unitedstatesusa",
        "estadosunidos", "etatsunis", "usofa", "theunitedstates", "unitedstatesamerica", "840",
    ]

    private static let usKeys: [[UInt8]] = usNames.map { Array($0.utf8) }

    public static func classify(_ bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        if bytes.isEmpty { return .empty }
        if bytes.count == 2 && bytes[0] == UInt8(ascii: "U") && bytes[1] == UInt8(ascii: "S") { return .us }
        // The key is built on the stack: this runs on every row.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { key -> Outcome in
            let length = ASCIIKey.write(bytes, into: key, wordBreaks: false)
            let found = usKeys.contains { candidate in
                candidate.count == length && candidate.indices.allSatisfy { key[$0] == candidate[$0] }
            }
            return found ? .usRenamed : .other
        }
    }

    public static func classify(_ text: String) -> Outcome {
        if text.isEmpty { return .empty }
        if text == "US" { return .us }
        return usNames.contains(asciiKey(text)) ? .usRenamed : .other
    }
}

/// Lowercase ASCII letters and digits only: "U.S.A." → "usa", "United States" → "unitedstates".
func asciiKey(_ text: String) -> String {
    var text = text
    return text.withUTF8 { bytes in
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { key in
            String(
                decoding: UnsafeBufferPointer(rebasing: key[0..<ASCIIKey.write(bytes, into: key, wordBreaks: false)]),
                as: UTF8.self)
        }
    }
}

/// Text reduced to what compares: lowercase ASCII letters and digits.
enum ASCIIKey {
    /// Writes the lowercase letters and digits of `bytes` to `output` and returns the length.
    /// With `wordBreaks`, each run of anything else is one space and the key starts and ends
    /// with one: "P.O. Box 12" → " p o box 12 ". `output` must hold `bytes.count * 2 + 2` with
    /// word breaks, `bytes.count` without.
    static func write(
        _ bytes: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>, wordBreaks: Bool
    )
        -> Int
    {
        var length = 0
        func space() {
            if wordBreaks && (length == 0 || output[length - 1] != 0x20) {
                output[length] = 0x20
                length += 1
            }
        }
        space()
        for byte in bytes {
            switch byte {
            case 0x41...0x5A:
                output[length] = byte | 0x20
                length += 1
            case 0x61...0x7A, 0x30...0x39:
                output[length] = byte
                length += 1
            default:
                space()
            }
        }
        space()
        return length
    }
}
