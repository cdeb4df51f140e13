import ArgumentParser
import GoodyBatchCLI

// The body of AsyncParsableCommand.main(), spelled out: at top level the compiler picks the
// synchronous ParsableCommand.main(), which refuses an asynchronous root.
do {
    var command = try GoodyBatch.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
} catch {
    GoodyBatch.exit(withError: error)
}
