import ArgumentParser
import Foundation
import GoodyAPI
import GoodyEmulator
import Planning
import Recipients
import Sending
import Spreadsheet
import Testing

@testable import APIClient
@testable import GoodyBatchCLI
@testable import Ledger
@testable import Workbook

/// The one ladder from an error to an exit code (issue 23): one case of every error type a
/// command can stop with, and the code and word `--json` gives for it. A new error type goes in
/// this table, or a command stopping with it exits 2 ("input problem") by default.
struct ExitCodeTests {
    static let cases: [(error: any Error, code: Int32, kind: String)] = [
        (InputError("team.csv: no header"), 2, "input_problem"),
        (
            MappingError(
                code: .missingColumns([.email], method: .emailAndLink, header: ["Name"], suggestions: [:])),
            2, "input_problem"
        ),
        (PlanError("no product \"Cokie Box\""), 2, "input_problem"),
        (SendError("--split-by Team: no such column"), 2, "input_problem"),
        (RunLookupError(message: "No run r000000000"), 2, "input_problem"),
        (CredentialError("the key file is readable by others"), 2, "input_problem"),
        (SpreadsheetError(path: "team.csv", code: .noHeader), 2, "input_problem"),
        (GoodyClientError(code: .unauthorized, operation: "GET /v1/me", status: 401), 3, "api_problem"),
        (GoodyClientError(code: .badRequest, operation: "POST /v1/order_batches", status: 400), 3, "api_problem"),
        (GoodyClientError(code: .transport("reset"), operation: "GET /v1/me"), 3, "api_problem"),
        (
            GoodyClientError(code: .directSendNotAllowed, operation: "POST /v1/order_batches", status: 400), 2,
            "input_problem"
        ),
        (SendRefusal("over --max-spend"), 4, "refused"),
        (LedgerTrustError("the ledger is writable by others"), 4, "refused"),
        (RunBusyError(runID: "r0123456789", pid: 42), 4, "refused"),
        (
            GoodyClientError(
                code: .undecodable("orders[3].id"), operation: "GET /v1/order_batches/1/orders", status: 200),
            5, "unusable_answer"
        ),
        (LedgerError("the disk holding the ledger is full"), 6, "local_io"),
        (
            SpreadsheetError(path: "team.results.csv", code: .cannotWrite(reason: "No space left on device")), 6,
            "local_io"
        ),
        (WorkbookError(path: "team.results.xlsx", reason: "No space left on device"), 6, "local_io"),
        (CocoaError(.fileWriteOutOfSpace), 6, "local_io"),
        (EmulatorLockError(path: "/state/goody-batch/emulator.lock", reason: "Permission denied"), 6, "local_io"),
        (EmulatorStartError(), 6, "local_io"),
    ]

    @Test(arguments: cases.indices)
    func everyErrorTypeHasItsExitCode(_ index: Int) {
        let (error, code, kind) = Self.cases[index]
        let exit = ExitStatus.code(for: error)
        #expect(exit.rawValue == code, "\(type(of: error)): \(error)")
        #expect(ExitStatus.kind(of: exit.rawValue) == kind)
    }

    /// Every code the ladder gives is one `--help` explains.
    @Test func everyCodeIsDocumentedInTheHelp() {
        for code in Set(Self.cases.map(\.code)) {
            #expect(ExitStatus.help.contains("\n  \(code)    "), "\(code)")
        }
    }
}
