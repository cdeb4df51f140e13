public import Foundation
import Spreadsheet

/// A private temporary folder for one test, removed when the value is dropped.
public final class Fixture: @unchecked Sendable {
    public let directory: URL

    public init() {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("goody-batch-tests-\(UUID().uuidString)", isDirectory: true)
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Writes raw bytes and returns the file's path.
    @discardableResult
    public func write(_ name: String, bytes: [UInt8]) -> String {
        let url = directory.appendingPathComponent(name)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
        return url.path
    }

    /// Writes text in UTF-8 (optionally after a byte-order mark) and returns the file's path.
    @discardableResult
    public func write(_ name: String, _ text: String, bom: Bool = false) -> String {
        write(name, bytes: (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8))
    }

    /// Writes text as Windows-1252.
    @discardableResult
    public func writeWindows1252(_ name: String, _ text: String) -> String {
        write(name, bytes: Array(text.data(using: .windowsCP1252) ?? Data()))
    }

    /// Writes text as UTF-16 in either byte order, with or without a byte-order mark.
    @discardableResult
    public func writeUTF16(_ name: String, _ text: String, bigEndian: Bool = false, bom: Bool = true) -> String {
        var bytes: [UInt8] = bom ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for unit in text.utf16 {
            let high = UInt8(unit >> 8)
            let low = UInt8(unit & 0xFF)
            bytes += bigEndian ? [high, low] : [low, high]
        }
        return write(name, bytes: bytes)
    }

    public func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public func read(_ name: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path(name)).map(Array.init)
    }

    public func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

    /// Names of the files in the folder.
    public func files() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).sorted()
    }
}

/// Places in the repository, found from this source file.
public enum Repository {
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
}

/// A CSV file the tool wrote (results, splits), read back with the project's own reader.
public enum WrittenCSV {
    /// Every row's values, the first included, as read.
    public static func rows(at path: String, header: Bool) throws -> [[String]] {
        let reader = try SpreadsheetReader(path: path, options: ReadOptions(headerLine: 1))
        var rows: [[String]] = header ? [] : [reader.layout.header]
        _ = try reader.readRecords { record in rows.append(record.strings(width: record.count)) }
        return rows
    }

    /// Every row as column → value, by the header's names.
    public static func rows(at path: String) throws -> [[String: String]] {
        let reader = try SpreadsheetReader(path: path, options: ReadOptions(headerLine: 1))
        let header = reader.layout.header
        var rows: [[String: String]] = []
        _ = try reader.readRecords { record in
            let values = record.strings(width: header.count)
            rows.append(Dictionary(zip(header, values), uniquingKeysWith: { first, _ in first }))
        }
        return rows
    }
}
