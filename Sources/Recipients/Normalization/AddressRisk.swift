/// Addresses that carriers of gift boxes often cannot deliver to.
enum AddressRisk {
    /// The spellings of a PO box, as lowercase words separated and surrounded by single spaces.
    private static let patterns: [[UInt8]] = [" po box ", " p o box ", " pobox ", " post office box ", " pob "].map {
        Array($0.utf8)
    }

    static func isPOBox(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        // Cheap test first: every spelling holds "box" or "pob", in any case ("Blvd" does not).
        var mayBeBox = false
        var index = 0
        while index < bytes.count && !mayBeBox {
            if bytes[index] | 0x20 == UInt8(ascii: "b") {
                mayBeBox =
                    (index + 2 < bytes.count && bytes[index + 1] | 0x20 == UInt8(ascii: "o")
                        && bytes[index + 2] | 0x20 == UInt8(ascii: "x"))
                    || (index >= 2 && bytes[index - 1] | 0x20 == UInt8(ascii: "o")
                        && bytes[index - 2] | 0x20 == UInt8(ascii: "p"))
            }
            index += 1
        }
        guard mayBeBox else { return false }
        // The address as lowercase words of letters and digits, each with one space around it,
        // built in a stack buffer: "P.O. Box 12" → " p o box 12 ".
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count * 2 + 2) { words in
            let length = ASCIIKey.write(bytes, into: words, wordBreaks: true)
            let text = UnsafeBufferPointer(rebasing: words[0..<length])
            return patterns.contains { pattern in
                guard pattern.count <= text.count else { return false }
                return (0...(text.count - pattern.count)).contains { start in
                    pattern.indices.allSatisfy { text[start + $0] == pattern[$0] }
                }
            }
        }
    }

    /// APO/FPO/DPO addresses, or the military "states" AA, AE and AP (the state is already a code).
    static func isMilitary(city: UnsafeBufferPointer<UInt8>, state: UnsafeBufferPointer<UInt8>) -> Bool {
        if city.count == 3, (city[1] | 0x20) == UInt8(ascii: "p"), (city[2] | 0x20) == UInt8(ascii: "o") {
            let first = city[0] | 0x20
            if first == UInt8(ascii: "a") || first == UInt8(ascii: "f") || first == UInt8(ascii: "d") { return true }
        }
        guard state.count == 2, state[0] == UInt8(ascii: "A") else { return false }
        return state[1] == UInt8(ascii: "A") || state[1] == UInt8(ascii: "E") || state[1] == UInt8(ascii: "P")
    }
}
