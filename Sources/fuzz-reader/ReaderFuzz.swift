import Foundation
import GoodyAPI
import Recipients
@_spi(Testing) import Spreadsheet
import ZIPFoundation

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
        let choice = bytes.first ?? 0
        // The second byte's bit 2: the rest is a worksheet's XML (then, after a 0xFF byte, the
        // shared strings'), packed as Excel packs a workbook, so the fuzzer reaches the sheet
        // reader itself rather than stopping at the package's checksums.
        let asWorkbook = bytes.count > 2 && bytes[1] & 2 == 2
        let contents = asWorkbook ? workbook(bytes[2...], dates1904: bytes[1] & 4 == 4) : Data(bytes)
        guard let contents, FileManager.default.createFile(atPath: path, contents: contents) else { return }
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

    static func workbook(_ bytes: Slice<UnsafeRawBufferPointer>, dates1904: Bool) -> Data? {
        let parts = bytes.split(separator: 0xFF, maxSplits: 1, omittingEmptySubsequences: false).map { Data($0) }
        let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
        let relationships = "http://schemas.openxmlformats.org/package/2006/relationships"
        let entries: [(String, Data)] =
            [
                (
                    "[Content_Types].xml",
                    Data(
                        #"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#
                            .utf8)
                ),
                (
                    "xl/workbook.xml",
                    Data(
                        (#"<?xml version="1.0"?><workbook xmlns="\#(main)" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
                            + (dates1904 ? #"<workbookPr date1904="1"/>"# : "")
                            + #"<sheets><sheet name="Team" sheetId="1" r:id="rId1"/></sheets></workbook>"#).utf8)
                ),
                (
                    "xl/_rels/workbook.xml.rels",
                    Data(
                        #"<?xml version="1.0"?><Relationships xmlns="\#(relationships)"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
                            .utf8)
                ),
                (
                    "xl/styles.xml",
                    Data(
                        #"<?xml version="1.0"?><styleSheet xmlns="\#(main)"><numFmts count="1"><numFmt numFmtId="164" formatCode="m/d/yyyy h:mm"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/><xf numFmtId="20"/></cellXfs></styleSheet>"#
                            .utf8)
                ),
                ("xl/worksheets/sheet1.xml", parts[0]),
            ] + (parts.count > 1 ? [("xl/sharedStrings.xml", parts[1])] : [])
        guard let archive = try? Archive(data: Data(), accessMode: .create) else { return nil }
        for (name, data) in entries {
            try? archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .none,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        return archive.data
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
