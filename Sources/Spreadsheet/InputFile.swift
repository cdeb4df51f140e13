import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one way an input path is opened for reading. A regular file is read where it is. A pipe,
/// a FIFO or a socket (`validate <(cat export.csv)`, `send /dev/stdin`) can be read only once:
/// it is read to its end here, the first time it is asked for, into a private temporary file
/// that everything after (the reader's two passes, the run's fingerprint) reads instead, so no
/// part of it is lost to a second open. A folder or a device is refused by kind; a stream that
/// goes on past a size limit, or that nobody writes to, stops with a message.
public enum InputFile {
    /// Streams longer than this are refused: `GOODY_BATCH_MAX_STREAM_BYTES`, or 1 GiB.
    static var streamLimit: Int {
        getenv("GOODY_BATCH_MAX_STREAM_BYTES").flatMap { Int(String(cString: $0)) } ?? 1 << 30
    }

    /// How long to wait for the first byte of a FIFO: `GOODY_BATCH_STREAM_WAIT_SECONDS`, or 60.
    static var streamWait: Int {
        getenv("GOODY_BATCH_STREAM_WAIT_SECONDS").flatMap { Int(String(cString: $0)) } ?? 60
    }

    /// Streams already read, by the path they were given as: path → the private copy.
    private static let copies = Guarded<[String: String]>([:])

    /// A path that can be opened and read any number of times with the same content.
    public static func readablePath(for path: String) throws(SpreadsheetError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw SpreadsheetError(path: path, code: .cannotOpen(reason: String(cString: strerror(errno))))
        }
        let name = (path as NSString).lastPathComponent
        if name.hasPrefix("~$") {
            // Excel's owner file beside a workbook that is open: a few bytes naming who has it open.
            let folder = (path as NSString).deletingLastPathComponent
            let real = (folder.isEmpty ? "" : folder + "/") + String(name.dropFirst(2))
            throw SpreadsheetError(path: path, code: .excelLockFile(workbook: real))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return path
        case S_IFDIR: throw SpreadsheetError(path: path, code: .isDirectory)
        case S_IFCHR, S_IFBLK: throw SpreadsheetError(path: path, code: .isDevice)
        default: break
        }
        if let copy = copies.withLock({ $0[path] }) { return copy }
        let copy = try copyStream(path)
        copies.withLock { $0[path] = copy }
        return copy
    }

    /// Reads the stream to its end into a new private file, removed when the process exits.
    private static func copyStream(_ path: String) throws(SpreadsheetError) -> String {
        func failure(_ code: SpreadsheetError.Code) -> SpreadsheetError { SpreadsheetError(path: path, code: code) }
        func reason() -> SpreadsheetError.Code { .cannotOpen(reason: String(cString: strerror(errno))) }
        // Opened without blocking, so a FIFO nobody writes to cannot hang the command.
        let input = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard input >= 0 else { throw failure(reason()) }
        defer { close(input) }
        var ready = pollfd(fd: input, events: Int16(POLLIN), revents: 0)
        let seconds = streamWait
        var polled: Int32
        repeat { polled = poll(&ready, 1, Int32(seconds * 1000)) } while polled < 0 && errno == EINTR
        guard polled > 0 else { throw failure(polled == 0 ? .streamSilent(seconds: seconds) : reason()) }
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) & ~O_NONBLOCK)

        let (output, copy) = try makePrivateFile(for: path)
        defer { close(output) }
        let limit = streamLimit
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure(reason())
            }
            if count == 0 { return copy }
            total += count
            guard total <= limit else { throw failure(.streamTooLong(limit: limit)) }
            try writeAll(buffer[0..<count], to: output, copy)
        }
    }

    /// The file at `path` as it is now (path, inode, size, modification time): a private copy
    /// made from it is reused only while this stays the same.
    static func identity(of path: String) -> String {
        var info = stat()
        _ = stat(path, &info)
        return "\(path)\u{0}\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// A new empty file only this user can read (mkstemp: 0600), removed when the process exits.
    static func makePrivateFile(for path: String) throws(SpreadsheetError) -> (descriptor: Int32, path: String) {
        let directory = getenv("TMPDIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/goody-batch-input-XXXXXX".utf8CString)
        let output = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard output >= 0 else {
            throw SpreadsheetError(path: path, code: .cannotOpen(reason: String(cString: strerror(errno))))
        }
        let copy = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        registerForRemoval(copy)
        return (output, copy)
    }

    /// Writes all of `bytes` to `descriptor` (the private copy at `copy`).
    static func writeAll(_ bytes: ArraySlice<UInt8>, to descriptor: Int32, _ copy: String) throws(SpreadsheetError) {
        let failed = bytes.withUnsafeBytes { bytes -> Bool in
            var written = 0
            while written < bytes.count {
                let result = write(descriptor, bytes.baseAddress.map { $0 + written }, bytes.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    return true
                }
                written += result
            }
            return false
        }
        if failed { throw SpreadsheetError(path: copy, code: .cannotWrite(reason: String(cString: strerror(errno)))) }
    }

    private static let removals = Guarded<[String]>([])

    static func registerForRemoval(_ copy: String) {
        let first = removals.withLock { list in
            list.append(copy)
            return list.count == 1
        }
        if first { atexit { InputFile.removeCopies() } }
    }

    /// Newest first, so a private folder is empty by the time it is removed.
    /// At exit a lock held elsewhere is not waited for: the copies (0600, in the temporary
    /// folder) are then left for the system to clear.
    private static func removeCopies() {
        for copy in (removals.tryWithLock({ $0 }) ?? []).reversed() { remove(copy) }
    }
}
