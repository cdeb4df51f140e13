import Foundation

/// Paths as they must be typed in a printed command, so that pasting it works whatever the
/// folder or file is called ("My Team (Q1).csv" → 'My Team (Q1).csv').
public enum ShellWord {
    public static func quoted(_ word: String) -> String {
        let plain =
            !word.isEmpty
            && word.unicodeScalars.allSatisfy { scalar in
                switch scalar {
                case "a"..."z", "A"..."Z", "0"..."9", "@", "%", "+", "=", ":", ",", ".", "/", "_", "-": true
                default: false
                }
            }
        if plain { return word }
        return "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
