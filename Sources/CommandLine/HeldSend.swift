import ArgumentParser
import Foundation
import GoodyAPI
import Recipients
import Sending

/// `send --plan NAME.goody-plan`: the send a plan file describes, held to it. The plan's own
/// command line is read again (from the folder it was made in), so the file and every setting are
/// what the approver saw; the send adds only how to approve and how to run (`--yes`,
/// `--approved-by`, a new `--max-spend`, `--quiet`…). Anything that would change the gifts is
/// refused before anything is read from Goody.
enum HeldSend {
    /// Options `send --plan` takes besides the plan's own, and whether each takes a value.
    static let allowed: [String: Bool] = [
        "--plan": true, "--yes": false, "--approved-by": true, "--max-spend": true, "--max-plan-age": true,
        "--quiet": false, "--json": false, "--concurrency": true, "--max-wait": true, "--api-url": true,
        "--api-key-file": true, "--emulator": false, "--production": false, "--output": true, "--ledger": true,
    ]

    static func send(_ path: String, maxAgeDays: Int) async throws {
        let (file, sha256) = try await Output.reportingProblems {
            let loaded = try PlanFile.load(path)
            try loaded.plan.checkAge(at: Today.now(), maxAgeDays: maxAgeDays, path: path)
            try loaded.plan.checkFiles(path: path)
            return loaded
        }
        // `--allow-resend` (a setting of who is sent to) is refused here like any other.
        let given = CommandWords.after("send")
        var extra: [String] = []
        var refused: [String] = []
        var newCap: String?
        var index = 0
        while index < given.count {
            let argument = given[index]
            let name = String(argument.prefix { $0 != "=" })
            guard argument.hasPrefix("--"), let takesValue = allowed[name] else {
                refused.append(argument)
                index += 1
                continue
            }
            var value: String?
            if takesValue {
                if argument.contains("=") {
                    value = String(argument.drop { $0 != "=" }.dropFirst())
                } else if index + 1 < given.count {
                    value = given[index + 1]
                    index += 1
                }
            }
            index += 1
            if name == "--plan" || name == "--max-plan-age" { continue }
            if name == "--max-spend" { newCap = value }
            extra += [name] + (value.map { [$0] } ?? [])
        }
        try await Output.reportingProblems {
            guard refused.isEmpty else {
                throw SendRefusal(
                    "not sent: --plan sends exactly what was approved, so it takes no other file or setting (\(refused.joined(separator: " "))). To change the send, plan again with it (goody-batch plan … --out \(ShellWord.quoted(path))) and have that plan approved. Nothing was created."
                )
            }
            guard FileManager.default.changeCurrentDirectoryPath(file.workingDirectory) else {
                throw SendRefusal(
                    "not sent: the folder \(file.workingDirectory) the plan was made in is gone, so its paths cannot be read as they were. Nothing was created."
                )
            }
        }
        // A new --max-spend replaces the plan's own: it is a new approval, recorded as one.
        var planned = newCap == nil ? file.arguments : CommandWords.removing(["--max-spend"], from: file.arguments)
        // The window as approved, in days: `next-month` sent on the 1st is still the month planned.
        if let window = file.occasion?.window {
            planned = CommandWords.removing(["--window"], from: planned) + ["--window", window]
        }
        let command = try await Output.reportingProblems {
            do {
                return try Send.parse(ResendArguments.normalized(planned + extra))
            } catch {
                throw SendRefusal(
                    "not sent: the command line in \(path) cannot be read by this goody-batch (\(Send.message(for: error))). Plan again. Nothing was created."
                )
            }
        }
        let contract = Send.Contract(
            file: file, path: OutputNaming.absolute(path), sha256: sha256, newCap: newCap.flatMap(GiftAmount.cents))
        try await command.send(heldTo: contract)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
