/// US phone numbers in E.164 form (+15552347890), the only form Goody accepts.
public enum Phone {
    public enum Outcome: Equatable, Sendable {
        case valid
        /// The ten digits after +1, as a number (no string is built until one is wanted).
        case normalized(digits: UInt64, droppedExtension: Bool)
        case invalid(reason: String)
    }

    public static func check(_ text: String) -> Outcome {
        var text = text
        return text.withUTF8 { check(bytes: $0) }
    }

    /// Checks the bytes in one pass: digits are gathered, punctuation skipped, and an extension
    /// ("x204", "ext. 12", "#3") after a full number is dropped.
    public static func check(bytes: UnsafeBufferPointer<UInt8>) -> Outcome {
        if isE164(bytes) { return .valid }
        var input = bytes
        // Excel's damage: "5552347890.0", or "5.55234789E+09".
        if input.count > 2, input[input.count - 2] == UInt8(ascii: "."), input[input.count - 1] == UInt8(ascii: "0") {
            input = UnsafeBufferPointer(rebasing: input[0..<(input.count - 2)])
        }
        if input.contains(where: { $0 == UInt8(ascii: "E") || $0 == UInt8(ascii: "e") }),
            let expanded = ScientificNotation.expand(String(decoding: input, as: UTF8.self))
        {
            guard let digits = expanded.exactDigits else {
                return .invalid(reason: "Excel turned the number into scientific notation and its last digits are lost")
            }
            var run = DigitRun()
            for byte in digits.utf8.prefix(16) { run.append(byte) }
            return judge(digits: run, hasPlus: false, droppedExtension: false)
        }
        var digits = DigitRun()
        var hasPlus = false
        var droppedExtension = false
        var index = 0
        scan: while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                if digits.count > 15 {
                    return .invalid(
                        reason: "a US phone number has 10 digits (area code and number); this one has more than 15")
                }
            case UInt8(ascii: "+"):
                if digits.count == 0 { hasPlus = true }
            case UInt8(ascii: " "), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "-"), UInt8(ascii: "."),
                UInt8(ascii: "/"):
                break
            case UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "#"), UInt8(ascii: "e"), UInt8(ascii: "E"):
                // An extension starts here, once a whole number has been read.
                guard digits.count >= 10 else {
                    return .invalid(reason: "a phone number holds only digits and the usual ( ) - . + signs")
                }
                droppedExtension = true
                break scan
            default:
                return .invalid(reason: "a phone number holds only digits and the usual ( ) - . + signs")
            }
            index += 1
        }
        return judge(digits: digits, hasPlus: hasPlus, droppedExtension: droppedExtension)
    }

    private static func judge(digits: DigitRun, hasPlus: Bool, droppedExtension: Bool) -> Outcome {
        var digits = digits
        if hasPlus && digits.first != 1 {
            return .invalid(reason: "it is not a US number (+1); Goody sends text messages to US numbers only")
        }
        if digits.count == 11 && digits.first == 1 { digits.dropFirst() }
        guard digits.count == 10 else {
            return .invalid(
                reason: "a US phone number has 10 digits (area code and number); this one has \(digits.count)")
        }
        guard digits.digit(0) >= 2, digits.digit(3) >= 2 else {
            return .invalid(reason: "US area codes and exchanges never start with 0 or 1")
        }
        return .normalized(digits: digits.value, droppedExtension: droppedExtension)
    }

    /// "+1" and the ten digits.
    public static func e164(_ digits: UInt64) -> String {
        let text = String(digits)
        return "+1" + String(repeating: "0", count: max(0, 10 - text.count)) + text
    }

    /// "+1" and ten digits, the area code and exchange starting with 2-9.
    @inline(__always)
    static func isE164(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == 12, bytes[0] == UInt8(ascii: "+"), bytes[1] == UInt8(ascii: "1") else { return false }
        for index in 2..<12 where bytes[index] < UInt8(ascii: "0") || bytes[index] > UInt8(ascii: "9") { return false }
        return bytes[2] >= UInt8(ascii: "2") && bytes[5] >= UInt8(ascii: "2")
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces.
    func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { $0 != " " }), let last = lastIndex(where: { $0 != " " }) else {
            return ""
        }
        return String(self[first...last])
    }
}

/// Up to 19 decimal digits held as a number, so gathering a phone's digits allocates nothing.
struct DigitRun {
    private(set) var value: UInt64 = 0
    private(set) var count = 0

    mutating func append(_ byte: UInt8) {
        if count < 19 { value = value &* 10 &+ UInt64(byte - UInt8(ascii: "0")) }
        count += 1
    }

    /// The first digit.
    var first: UInt64? { count == 0 ? nil : digit(0) }

    /// The digit at `position`, counted from the left.
    func digit(_ position: Int) -> UInt64 {
        var divisor: UInt64 = 1
        for _ in 0..<(count - position - 1) { divisor &*= 10 }
        return value / divisor % 10
    }

    mutating func dropFirst() {
        var divisor: UInt64 = 1
        for _ in 0..<(count - 1) { divisor &*= 10 }
        value %= divisor
        count -= 1
    }
}
