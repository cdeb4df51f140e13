import Foundation

/// Splitting a full name the way payroll exports write it: "Lee, Ann" (last, first) or
/// "Ann Lee" (first, then the last word as the last name), keeping suffixes with the last name.
enum FullName {
    private static let suffixes: Set<String> = ["jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "phd", "md", "esq"]

    static func split(_ full: String) -> (first: String, last: String?) {
        let comma = full.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        if comma.count == 2, !comma[1].isEmpty, !suffixes.contains(comma[1].lowercased()) {
            return (comma[1], comma[0].isEmpty ? nil : comma[0])
        }
        var words = (comma.count == 2 ? comma[0] : full).split(separator: " ").map(String.init)
        if comma.count == 2 { words[words.count - 1] += ", " + comma[1] }
        guard words.count > 1 else { return (words.first ?? full, nil) }
        var lastWords = 1
        if words.count > 2, suffixes.contains(words[words.count - 1].lowercased()) { lastWords = 2 }
        return (
            words.dropLast(lastWords).joined(separator: " "), words.suffix(lastWords).joined(separator: " ")
        )
    }
}
