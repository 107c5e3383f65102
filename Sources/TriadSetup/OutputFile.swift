public import Foundation

/// A file the user named for output (`--trace`, a reproduction's files, keys). Checked before the run so a
/// long run is not wasted, and written after it by a temporary file renamed over the target: a reader never
/// sees half a file, a symlink is written through (its target is replaced, never the link), and anything that
/// is not a regular file — a directory, a device node, a fifo — is refused rather than replaced.
public struct OutputFile {
    public let path: String
    public let flag: String

    /// Refuses now what could never be written.
    public init(_ path: String, flag: String) throws {
        self.path = path
        self.flag = flag
        _ = try target()
    }

    /// The regular file (existing or to be created) that writing `path` replaces, following symlinks.
    private func target() throws -> (path: String, mode: mode_t?) {
        guard !path.isEmpty else { throw InputError("triad: \(flag) needs a file name") }
        var status = stat()
        if lstat(path, &status) != 0 {
            guard errno == ENOENT else { throw InputError("triad: \(flag) \(path): \(Self.describe(errno))") }
            return (try Self.checkedParent(of: path, flag: flag), nil)
        }
        var resolved = path
        if status.st_mode & S_IFMT == S_IFLNK {
            guard let real = realpath(path, nil) else {
                throw InputError("triad: \(flag) \(path): a symlink to a missing file or directory")
            }
            resolved = String(cString: real)
            free(real)
            guard stat(resolved, &status) == 0 else {
                throw InputError("triad: \(flag) \(path): \(Self.describe(errno))")
            }
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw InputError("triad: \(flag) \(path): \(Self.kind(status.st_mode)), not a regular file; name a file")
        }
        return (resolved, status.st_mode & 0o7777)
    }

    /// `path` after checking that its directory exists and is a directory.
    private static func checkedParent(of path: String, flag: String) throws -> String {
        let parent = split(path).directory
        var status = stat()
        guard stat(parent.isEmpty ? "." : parent, &status) == 0 else {
            throw InputError("triad: \(flag) \(path): \(parent): \(describe(errno))")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw InputError("triad: \(flag) \(path): \(parent) is not a directory")
        }
        return path
    }

    /// Writes `text` (mode `mode` if given, else the existing file's, else 0644); a failure — a full disk, a
    /// file-size limit, a vanished directory — is a `RunFailure` (exit 1) naming the file and the reason.
    public func write(_ text: String, mode: mode_t? = nil) throws {
        let (target, existingMode) = try self.target()
        let (directory, name) = Self.split(target)
        var template = Array(((directory.isEmpty ? "." : directory) + "/.\(name).triad-XXXXXX").utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw RunFailure(message: "cannot write \(path): \(Self.describe(errno))") }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var failure: Int32?
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count && failure == nil {
            let result = bytes[written...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if result > 0 {
                written += result
            } else if result < 0 && errno != EINTR {
                failure = errno
            }
        }
        if failure == nil && fchmod(descriptor, mode ?? existingMode ?? 0o644) != 0 { failure = errno }
        if close(descriptor) != 0 && failure == nil { failure = errno }
        if failure == nil && rename(temporary, target) != 0 { failure = errno }
        if let failure {
            unlink(temporary)
            throw RunFailure(message: "cannot write \(path): \(Self.describe(failure))")
        }
    }

    public static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// Whether `a` and `b` name the same existing file (following symlinks).
    public static func sameFile(_ a: String, _ b: String) -> Bool {
        var first = stat()
        var second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// Flushes standard output; a report that could not be written (a full disk, a closed pipe) is a
    /// `RunFailure`.
    public static func flushStandardOutput() throws {
        if fflush(nil) != 0 {
            throw RunFailure(message: "cannot write the output: \(describe(errno))")
        }
    }

    /// `path`'s directory ("" for a bare name) and last component, by its last '/' (Foundation's
    /// `NSString` path methods trap on one-character names).
    public static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return ("", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }

    public static func kind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: return "a directory"
        case S_IFCHR: return "a character device"
        case S_IFBLK: return "a block device"
        case S_IFIFO: return "a fifo"
        case S_IFSOCK: return "a socket"
        default: return "a special file"
        }
    }
}
