/// US ZIP codes, including the ones Excel damaged: leading zeros dropped, ".0" appended,
/// ZIP+4 run together, or the number turned into scientific notation.
public enum PostalCode {
    public enum Outcome: Equatable, Sendable {
        case valid
        case repaired(String, reason: String)
        case invalid(reason: String)
        /// Scientific notation kept too few digits to know the ZIP.
        case digitsLost(exact: String)
    }

    public static func check(_ text: String) -> Outcome {
        if isCanonical(text) { return .valid }
        var value = text
        var reasons: [String] = []
        if let expanded = ScientificNotation.expand(value) {
            guard let digits = expanded.exactDigits else { return .digitsLost(exact: expanded.approximate) }
            value = digits
            reasons.append("Excel had turned it into scientific notation")
        } else if let withoutDecimal = dropZeroDecimals(value) {
            value = withoutDecimal
            reasons.append("Excel had stored it as a number with a decimal part")
        }
        let parts = value.split(whereSeparator: { $0 == "-" || $0 == " " }).map(String.init)
        guard !parts.isEmpty, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else {
            return .invalid(reason: "a US ZIP code is 5 digits, optionally followed by a hyphen and 4 more")
        }
        var zip5: String
        var plus4: String?
        switch (parts.count, parts[0].count) {
        case (1, 9):
            zip5 = String(parts[0].prefix(5))
            plus4 = String(parts[0].suffix(4))
        case (1, 8):
            zip5 = "0" + parts[0].prefix(4)
            plus4 = String(parts[0].suffix(4))
            reasons.append("a leading zero was missing")
        case (1, 3...5): zip5 = parts[0]
        case (2, 3...5) where parts[1].count == 4:
            zip5 = parts[0]
            plus4 = parts[1]
        default:
            return .invalid(reason: "a US ZIP code is 5 digits, optionally followed by a hyphen and 4 more")
        }
        if zip5.count < 5 {
            let missing = 5 - zip5.count
            reasons.append(missing == 1 ? "a leading zero was missing" : "\(missing) leading zeros were missing")
            zip5 = String(repeating: "0", count: missing) + zip5
        }
        let repaired = plus4.map { "\(zip5)-\($0)" } ?? zip5
        if repaired == text { return .valid }
        if reasons.isEmpty { reasons.append("ZIP+4 written as 5 digits, a hyphen and 4 digits") }
        return .repaired(repaired, reason: reasons.joined(separator: "; "))
    }

    /// "12345" or "12345-6789".
    public static func isCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isCanonical($0) }
    }

    @inline(__always)
    public static func isCanonical(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 5 || bytes.count == 10 else { return false }
        for (offset, byte) in bytes.enumerated() {
            if offset == 5 {
                if byte != UInt8(ascii: "-") { return false }
            } else if byte < 0x30 || byte > 0x39 {
                return false
            }
        }
        return true
    }

    /// The five-digit part, for comparing addresses.
    public static func zip5(_ text: String) -> Substring { text.prefix(5) }

    /// "2134.0" → "2134"; nil when the text has no all-zero decimal part.
    private static func dropZeroDecimals(_ text: String) -> String? {
        guard let dot = text.firstIndex(of: ".") else { return nil }
        let whole = text[..<dot]
        let fraction = text[text.index(after: dot)...]
        guard !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit), fraction.allSatisfy({ $0 == "0" }) else { return nil }
        return String(whole)
    }
}

/// Numbers Excel wrote as "2.1341234E+07".
enum ScientificNotation {
    struct Expanded {
        /// The integer, when every digit of it was written out in the mantissa.
        var exactDigits: String?
        /// The integer with unknown digits shown as zeros.
        var approximate: String
    }

    static func expand(_ text: String) -> Expanded? {
        let upper = text.uppercased()
        guard let eIndex = upper.firstIndex(of: "E") else { return nil }
        let mantissa = upper[..<eIndex]
        var exponentText = upper[upper.index(after: eIndex)...]
        if exponentText.first == "+" { exponentText = exponentText.dropFirst() }
        guard let exponent = Int(exponentText), exponent >= 0, exponent < 20 else { return nil }
        let pieces = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit) else {
            return nil
        }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        guard fraction.allSatisfy(\.isASCIIDigit) else { return nil }
        let digits = String(whole) + fraction
        let integerLength = whole.count + exponent
        if digits.count <= integerLength {
            let padded = digits + String(repeating: "0", count: integerLength - digits.count)
            return Expanded(exactDigits: digits.count == integerLength ? padded : nil, approximate: padded)
        }
        // More digits than the integer holds: a fraction remains, so it is no ZIP or phone.
        return nil
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
