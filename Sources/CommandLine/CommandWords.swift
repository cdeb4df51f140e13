import Recipients

/// The words of the command line, for the commands that keep or re-read them (`plan --out`
/// records its own; `send --plan` reads them back).
enum CommandWords {
    /// What was typed after the subcommand `name`, `--allow-resend` alone made explicit.
    static func after(_ name: String) -> [String] {
        let all = ResendArguments.normalized(Array(CommandLine.arguments.dropFirst()))
        guard let at = all.firstIndex(of: name) else { return [] }
        return Array(all[(at + 1)...])
    }

    /// The whole command line as typed, for the ledger's record of who asked for what.
    static var current: String {
        (["goody-batch"] + CommandLine.arguments.dropFirst()).map(ShellWord.quoted).joined(separator: " ")
    }

    /// `words` without the options `names` and their values, whether written `--name value` or
    /// `--name=value`.
    static func removing(_ names: Set<String>, from words: [String]) -> [String] {
        var result: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            if names.contains(word) {
                index += 1
                continue
            }
            if names.contains(where: { word.hasPrefix($0 + "=") }) { continue }
            result.append(word)
        }
        return result
    }
}
