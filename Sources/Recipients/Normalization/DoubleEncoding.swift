/// UTF-8 that was read as Windows-1252 and saved as UTF-8 again: "José" became "JosÃ©",
/// "O’Brien" became "Oâ€™Brien". Found by the shape of the bytes, confirmed by undoing it.
enum DoubleEncoding {
    /// Windows-1252's characters at 0x80–0x9F, and the byte each came from.
    private static let specials: [UInt32: UInt8] = [
        0x20AC: 0x80, 0x201A: 0x82, 0x0192: 0x83, 0x201E: 0x84, 0x2026: 0x85, 0x2020: 0x86, 0x2021: 0x87,
        0x02C6: 0x88, 0x2030: 0x89, 0x0160: 0x8A, 0x2039: 0x8B, 0x0152: 0x8C, 0x017D: 0x8E, 0x2018: 0x91,
        0x2019: 0x92, 0x201C: 0x93, 0x201D: 0x94, 0x2022: 0x95, 0x2013: 0x96, 0x2014: 0x97, 0x02DC: 0x98,
        0x2122: 0x99, 0x0161: 0x9A, 0x203A: 0x9B, 0x0153: 0x9C, 0x017E: 0x9E, 0x0178: 0x9F,
    ]

    /// A cheap look at the bytes: a lead character of the Latin-1 range ("Ã", "Â", "â"…) written
    /// as UTF-8, followed by another non-ASCII character. Most values stop at the first byte.
    static func mightBe(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        for index in 0..<(bytes.count - 3) where bytes[index] == 0xC3 || bytes[index] == 0xC2 {
            let next = bytes[index + 2]
            if bytes[index + 1] >= 0x80 && bytes[index + 1] <= 0xBF && next >= 0xC2 { return true }
        }
        return false
    }

    /// The value as it was before it was encoded twice; nil when undoing it does not give
    /// valid UTF-8 (the value is what it says).
    static func repaired(_ text: String) -> String? {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if scalar.value < 0x80 || (0xA0...0xFF).contains(scalar.value) {
                bytes.append(UInt8(scalar.value))
            } else if let byte = specials[scalar.value] {
                bytes.append(byte)
            } else {
                return nil
            }
        }
        guard let repaired = String(validating: bytes, as: UTF8.self), repaired != text,
            repaired.unicodeScalars.contains(where: { $0.value >= 0x80 })
        else { return nil }
        return repaired
    }
}
