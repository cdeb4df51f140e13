import ArgumentParser
import GoodyBatchCLI

@main
extension GoodyBatch {}
