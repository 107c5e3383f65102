public import Foundation

/// A directory a command writes its files into (`--out`): made if missing, refused if it is something else;
/// each file written through `OutputFile` (temp file renamed over the target).
public struct OutputDirectory {
    public let path: String

    public init(path: String) { self.path = path }

    public func prepare() throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw InputError("triad: --out \(path) exists and is not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw InputError("triad: --out \(path): cannot create the directory")
        }
    }

    /// Writes `text` to `name` inside the directory; returns the file's path.
    public func write(_ text: String, to name: String) throws -> String {
        let file = path.hasSuffix("/") ? path + name : path + "/" + name
        try OutputFile(file, flag: "--out").write(text)
        return file
    }
}
