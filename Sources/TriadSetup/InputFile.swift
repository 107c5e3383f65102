public import Foundation

/// Reads a file the user named (topology, model config, trace, batch, key): only a regular file (a fifo or
/// `/dev/zero` would never end), at most `limit` bytes, as UTF-8; every problem is an `InputError` with the
/// path and the reason in one line.
public enum InputFile {
    /// Largest topology, config, batch or key file, bytes.
    public static let smallLimit = 16 << 20
    /// Largest trace file, bytes (about 20 million rows).
    public static let traceLimit = 1 << 30

    public static func read(_ path: String, what: String, limit: Int = smallLimit, location: String = "") throws
        -> String
    {
        var status = stat()
        guard stat(path, &status) == 0 else {
            throw InputError("\(path)\(location): cannot read the \(what) (\(OutputFile.describe(errno).lowercased()))")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw InputError(
                "\(path)\(location): the \(what) is \(OutputFile.kind(status.st_mode)), not a regular file")
        }
        guard Int(status.st_size) <= limit else {
            throw InputError("\(path)\(location): the \(what) is \(status.st_size) bytes; the limit is \(limit)")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError("\(path)\(location): cannot read the \(what) (permission denied or vanished)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: limit + 1) ?? Data()
        } catch {
            throw InputError("\(path)\(location): cannot read the \(what) (an I/O error)")
        }
        guard data.count <= limit else { throw InputError("\(path)\(location): the \(what) grew past \(limit) bytes") }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError("\(path)\(location): the \(what) is not UTF-8 text")
        }
        return text
    }
}
