/// Email syntax, checked on UTF-8 bytes: the common `local@domain.tld` shape of RFC 5321
/// addresses, plus the typo domains that would send a gift into the void.
public enum Email {
    public enum Outcome: Equatable, Sendable {
        case valid
        /// The address was wrapped ("mailto:", "<…>", "Name <…>"); here it is on its own.
        case cleaned(String)
        case invalid(reason: String)
    }

    /// Bytes allowed before the @ (letters, digits and RFC 5322 atext specials), as a table.
    private static let localAllowed: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for byte in "!#$%&'*+/=?^_`{|}~.-".utf8 { table[Int(byte)] = true }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = true }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = true }
        return table
    }()
    private static let typoTLDs: [String: String] = [
        "con": "com", "cmo": "com", "ocm": "com", "vom": "com", "comm": "com", "cm": "com", "om": "com",
        "ent": "net", "nte": "net", "rog": "org", "ogr": "org",
    ]

    public static func check(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { check(bytes: $0) }
    }

    public static func check(bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        if isPlainlyValid(bytes) { return .valid }
        if let reason = problem(bytes) {
            let text = String(decoding: bytes, as: UTF8.self)
            if let unwrapped = unwrap(text), unwrapped != text {
                var inner = unwrapped
                if inner.withUTF8({ problem($0) }) == nil { return .cleaned(unwrapped) }
            }
            return .invalid(reason: reason)
        }
        return .valid
    }

    /// "mailto:a@b.com", "<a@b.com>", "Ana Diaz <a@b.com>" → "a@b.com".
    private static func unwrap(_ text: String) -> String? {
        var value = Substring(text)
        if value.lowercased().hasPrefix("mailto:") { value = value.dropFirst(7) }
        if let open = value.lastIndex(of: "<"), let close = value.lastIndex(of: ">"), open < close {
            value = value[value.index(after: open)..<close]
        }
        let trimmed = value.trimmingSpaces()
        return trimmed.isEmpty ? nil : trimmed
    }

    /// Byte classes for the one-pass check: 1 letter or digit, 2 other atext, 3 dot, 4 hyphen, 5 @.
    /// Made once and never freed, so reading it costs no reference counting.
    nonisolated(unsafe) private static let byteClass: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        table.initialize(repeating: 0, count: 256)
        for byte in "!#$%&'*+/=?^_`{|}~".utf8 { table[Int(byte)] = 2 }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] = 1 }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] = 1 }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] = 1 }
        table[Int(UInt8(ascii: "."))] = 3
        table[Int(UInt8(ascii: "-"))] = 4
        table[Int(UInt8(ascii: "@"))] = 5
        return UnsafePointer(table)
    }()

    /// One pass over the bytes for the common case: true only for an address that `problem`
    /// would accept and whose top-level domain is .com, .org, .net or another of letters that is
    /// no known typo. Anything else goes to `problem`, which says what is wrong.
    static func isPlainlyValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 6, bytes.count <= 254 else { return false }
        do {
            let classes = byteClass
            // The local part, up to the "@": letters, digits, other atext, hyphens; dots neither
            // first, last nor doubled.
            var index = 0
            var previous: UInt8 = 0
            while true {
                guard index < bytes.count else { return false }
                let kind = classes[Int(bytes[index])]
                if kind == 5 { break }
                if kind == 3 {
                    if index == 0 || previous == 3 { return false }
                } else if kind == 0 || kind > 4 {
                    return false
                }
                previous = kind
                index += 1
            }
            guard index > 0, index <= 64, previous != 3 else { return false }
            // The domain: labels of letters, digits and inner hyphens, at most 63 long.
            index += 1
            var labelStart = index
            var labels = 0
            previous = 5
            while index < bytes.count {
                let kind = classes[Int(bytes[index])]
                if kind == 4 {
                    if index == labelStart { return false }
                } else if kind == 3 {
                    guard index > labelStart, previous != 4, index - labelStart <= 63 else { return false }
                    labels += 1
                    labelStart = index + 1
                } else if kind != 1 {
                    return false
                }
                previous = kind
                index += 1
            }
            guard labels >= 1, previous == 1 else { return false }
            let tldLength = bytes.count - labelStart
            guard tldLength >= 3, tldLength <= 63 else { return false }
            // A top-level domain of letters only, and not a typo of .com/.net/.org (all of length 3 or 4).
            for index in labelStart..<bytes.count where classes[Int(bytes[index])] != 1 || bytes[index] < 0x41 {
                return false
            }
            if tldLength == 3 {
                let lowered = (bytes[labelStart] | 0x20, bytes[labelStart + 1] | 0x20, bytes[labelStart + 2] | 0x20)
                let common =
                    lowered == (0x63, 0x6F, 0x6D) || lowered == (0x6F, 0x72, 0x67) || lowered == (0x6E, 0x65, 0x74)
                    || lowered == (0x65, 0x64, 0x75) || lowered == (0x67, 0x6F, 0x76)
                // example.com, .net and .org go the long way, to be refused.
                return common && !endsInExample(bytes, before: labelStart)
            }
            // .invalid and .localhost are reserved too: the long way, to be refused.
            if tldLength == 7 || tldLength == 9 {
                let word: StaticString = tldLength == 7 ? "invalid" : "localhost"
                var same = true
                for offset in 0..<tldLength where bytes[labelStart + offset] | 0x20 != word.utf8Start[offset] {
                    same = false
                }
                if same { return false }
            }
            return tldLength > 4
        }
    }

    /// "…@example." or "….example." just before the top-level domain at `tldStart`.
    private static func endsInExample(_ bytes: UnsafeBufferPointer<UInt8>, before tldStart: Int) -> Bool {
        let word: StaticString = "example."
        let start = tldStart - word.utf8CodeUnitCount
        guard start >= 1 else { return false }
        for offset in 0..<word.utf8CodeUnitCount where bytes[start + offset] | 0x20 != word.utf8Start[offset] {
            return false
        }
        return bytes[start - 1] == UInt8(ascii: "@") || bytes[start - 1] == UInt8(ascii: ".")
    }

    /// Domains reserved for documentation and tests (RFC 2606): no mail reaches them, so an
    /// address there is a template's or a test's row, never a recipient.
    static func reservedDomain(_ domain: String) -> String? {
        let lowered = domain.lowercased()
        for reserved in ["example.com", "example.net", "example.org"]
        where lowered == reserved || lowered.hasSuffix("." + reserved) {
            return reserved
        }
        for tld in ["test", "invalid", "localhost"] where lowered.hasSuffix("." + tld) { return "." + tld }
        return nil
    }

    /// Why the bytes are not an email address, or nil when they are one.
    static func problem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        if let reason = syntaxProblem(bytes) { return reason }
        let text = String(decoding: bytes, as: UTF8.self)
        if let at = text.lastIndex(of: "@"), let reserved = reservedDomain(String(text[text.index(after: at)...])) {
            return
                "\(reserved) is reserved for examples and receives no mail: this is a template's or a test's row, not a recipient"
        }
        return nil
    }

    private static func syntaxProblem(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        guard !bytes.isEmpty else { return "it is empty" }
        var at = -1
        for index in 0..<bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "@") {
                if at >= 0 { return "it holds more than one @" }
                at = index
            } else if byte == 0x20 {
                return "it holds a space"
            } else if byte >= 0x80 {
                return "it holds a character that email addresses cannot carry (accents and other non-ASCII letters)"
            }
        }
        guard at >= 0 else { return "it has no @" }
        let localLength = at
        let domainLength = bytes.count - at - 1
        guard localLength > 0 else { return "nothing comes before the @" }
        guard localLength <= 64 else { return "the part before the @ is longer than 64 characters" }
        guard domainLength > 0 else { return "nothing comes after the @" }
        guard domainLength <= 253 else { return "the domain is longer than 253 characters" }

        var previous: UInt8 = 0
        for index in 0..<at {
            let byte = bytes[index]
            guard localAllowed[Int(byte)] else {
                return "the part before the @ holds \"\(Character(Unicode.Scalar(byte)))\""
            }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") || index == 0 || index == at - 1 {
                return "the part before the @ has a misplaced dot"
            }
            previous = byte
        }

        var labelStart = at + 1
        var labels = 0
        var tldStart = bytes.count
        for index in (at + 1)...bytes.count {
            let atEnd = index == bytes.count
            let byte: UInt8 = atEnd ? UInt8(ascii: ".") : bytes[index]
            if byte == UInt8(ascii: ".") {
                let length = index - labelStart
                guard length > 0 else {
                    return "the domain after the @ has an empty part (two dots, or a dot at an end)"
                }
                guard length <= 63 else { return "a part of the domain is longer than 63 characters" }
                guard bytes[labelStart] != UInt8(ascii: "-"), bytes[index - 1] != UInt8(ascii: "-") else {
                    return "a part of the domain starts or ends with a hyphen"
                }
                labels += 1
                if atEnd { tldStart = labelStart }
                labelStart = index + 1
            } else if !(isAlphanumeric(byte) || byte == UInt8(ascii: "-")) {
                return "the domain after the @ holds \"\(Character(Unicode.Scalar(byte)))\""
            }
        }
        guard labels >= 2 else { return "the domain has no dot (for example example.com)" }
        let tld = UnsafeBufferPointer(rebasing: bytes[tldStart...])
        let isPunycode =
            tld.count > 4 && (tld[0] | 0x20) == UInt8(ascii: "x") && (tld[1] | 0x20) == UInt8(ascii: "n")
            && tld[2] == UInt8(ascii: "-") && tld[3] == UInt8(ascii: "-")
        guard isPunycode || (tld.count >= 2 && tld.allSatisfy(isLetter)) else {
            return "the domain does not end in a real top-level domain such as .com"
        }
        // The common top-level domains skip the typo table.
        if tld.count == 3, (tld[0] | 0x20) == UInt8(ascii: "c"), (tld[1] | 0x20) == UInt8(ascii: "o"),
            (tld[2] | 0x20) == UInt8(ascii: "m")
        {
            return nil
        }
        let lowered = String(decoding: tld.map { $0 | 0x20 }, as: UTF8.self)
        if let intended = typoTLDs[lowered] {
            return "the domain ends in .\(lowered); did you mean .\(intended)?"
        }
        return nil
    }

    @inline(__always)
    private static func isLetter(_ byte: UInt8) -> Bool {
        (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    @inline(__always)
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isLetter(byte) || (0x30...0x39).contains(byte)
    }
}
