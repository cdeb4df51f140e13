/// JSON text for values whose key order matters (a row keyed by its header, in column order),
/// which `JSONEncoder` does not keep.
public enum JSONText {
    /// `value` as a JSON string literal, quotes included.
    public static func string(_ value: String) -> String {
        var output = "\""
        output.reserveCapacity(value.utf8.count + 2)
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }

    /// An object with its keys in the given order. Repeated keys get " (2)", " (3)"… so none is lost.
    public static func object(_ pairs: [(key: String, value: String)]) -> String {
        var seen: [String: Int] = [:]
        let members = pairs.map { pair -> String in
            let count = (seen[pair.key] ?? 0) + 1
            seen[pair.key] = count
            let key = count == 1 ? pair.key : "\(pair.key) (\(count))"
            return string(key) + ":" + string(pair.value)
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}
