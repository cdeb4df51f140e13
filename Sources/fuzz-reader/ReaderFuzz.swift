import Foundation
import GoodyAPI
import Recipients
@_spi(Testing) import Spreadsheet

/// The reader and the validator under a fuzzer: every input is written to a file and read as an
/// HR export would be, with the send method, the reading options and whether it is also
/// inspected picked by the input's first byte, and by the second whether the rows go through the
/// two-thread hand-over (every other batch checked on the reading thread). Anything but a clean
/// result or a thrown error (a crash, a sanitizer report, a hang) is a finding.
///
/// Built for libFuzzer with `-D FUZZING` (see `bench/fuzz.sh`); built normally, it replays files
/// given on its command line through the same code, so a finding stays a regression check.
enum ReaderFuzz {
    /// One file per process, rewritten for each input.
    static let path = FileManager.default.temporaryDirectory
        .appendingPathComponent("goody-batch-fuzz-\(getpid()).csv").path

    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { return }
        let choice = bytes.first ?? 0
        var read = ReadOptions()
        switch choice % 8 {
        case 1: read.encoding = .windows1252
        case 2: read.encoding = .utf16LE
        case 3: read.delimiter = .semicolon
        case 4: read.delimiter = .tab
        case 5: read.headerLine = Int(choice / 8 % 5) + 1
        default: break
        }
        if bytes.count > 1, bytes[1] & 1 == 1 {
            read.pipelineThreshold = 0
            read.preparesEveryOtherBatch = true
        }
        let methods = SendMethod.allCases
        let method = methods[Int(choice / 8) % methods.count]
        let request = ValidationRequest(
            path: path, read: read,
            options: ValidationOptions(method: method, allowDuplicates: choice & 0x80 != 0, collectRecipients: true),
            rejectedPath: "")
        _ = try? Validation(request).run()
        if choice & 0x40 != 0 { _ = try? Inspection(InspectRequest(path: path, read: read, rows: 20)).run() }
    }
}

#if FUZZING
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafeRawPointer?, _ size: Int) -> CInt {
        ReaderFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    @_silgen_name("LLVMFuzzerRunDriver")
    func runDriver(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ test: @convention(c) (UnsafeRawPointer?, Int) -> CInt
    ) -> CInt

    /// SwiftPM links an executable's `main` to this symbol; libFuzzer's driver takes over here.
    @_cdecl("fuzz_reader_main")
    public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        var count = argc
        var arguments = argv
        return runDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
    }
#else
    @main
    enum ReplayMain {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                data.withUnsafeBytes { ReaderFuzz.run($0) }
                print("ok \(path)")
            }
        }
    }
#endif
