import Foundation

/// The name to greet someone by from a preferred-name cell. Workday and others write the whole
/// preferred name there ("Kim Allen", or "Allen, Kim"): when it carries the person's last name,
/// the greeting is its first word ("Kim"); otherwise the cell is the first name as written
/// ("Mary Ann", "DJ").
public enum PreferredName {
    /// The UTF-8 byte range of `preferred` to greet by; nil for the whole value.
    static func greeting(preferred: String, last: String) -> Range<Int>? {
        let lastName = last.split(separator: " ").joined(separator: " ")
        guard !lastName.isEmpty else { return nil }
        let bytes = Array(preferred.utf8)
        func word(from start: Int) -> Range<Int>? {
            var from = start
            while from < bytes.count && bytes[from] == 0x20 { from += 1 }
            var end = from
            while end < bytes.count && bytes[end] != 0x20 && bytes[end] != 0x2C { end += 1 }
            return end > from ? from..<end : nil
        }
        // "Allen, Kim": the words after the comma.
        if let comma = bytes.firstIndex(of: 0x2C), Self.same(bytes[..<comma], lastName) {
            return word(from: comma + 1)
        }
        // "Kim Allen", "Kim van der Berg": the first word, when the rest is the last name.
        guard let space = bytes.firstIndex(of: 0x20) else { return nil }
        let rest = String(decoding: bytes[(space + 1)...], as: UTF8.self).split(separator: " ").joined(separator: " ")
        guard Self.same(Array(rest.utf8)[...], lastName) else { return nil }
        return word(from: 0)
    }

    /// The first name a preferred-name cell gives: "Kim Allen" (last name Allen) → "Kim".
    public static func firstName(preferred: String, last: String) -> String {
        guard let range = greeting(preferred: preferred, last: last) else { return preferred }
        let bytes = Array(preferred.utf8)
        return String(decoding: bytes[range], as: UTF8.self)
    }

    /// Equal but for letter case.
    private static func same(_ bytes: ArraySlice<UInt8>, _ name: String) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespaces)
        return text.lowercased() == name.lowercased()
    }
}
