public import Foundation

/// CURVE key files written by `triad keygen`: `public-key: Z85` and `secret-key: Z85` lines.
public enum KeyFile {
    public static func read(_ path: String) throws -> (publicKey: String, secretKey: String) {
        let text = try InputFile.read(path, what: "key file")
        var publicKey: String?
        var secretKey: String?
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            if parts[0] == "public-key" { publicKey = parts[1] }
            if parts[0] == "secret-key" { secretKey = parts[1] }
        }
        guard let publicKey, publicKey.count == 40 else { throw InputError("\(path): no 40-character public-key line") }
        guard let secretKey, secretKey.count == 40 else { throw InputError("\(path): no 40-character secret-key line") }
        return (publicKey, secretKey)
    }

    /// A Z85 public key given directly, or read from a key file's public-key line.
    public static func publicKey(_ valueOrPath: String) throws -> String {
        if valueOrPath.count == 40 && !FileManager.default.fileExists(atPath: valueOrPath) { return valueOrPath }
        guard FileManager.default.fileExists(atPath: valueOrPath) else {
            throw InputError("triad: '\(valueOrPath.prefix(64))' is neither a 40-character Z85 key nor a key file")
        }
        let text = try InputFile.read(valueOrPath, what: "key file")
        for line in text.split(whereSeparator: \.isNewline) {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2, parts[0] == "public-key", parts[1].count == 40 { return parts[1] }
        }
        throw InputError("\(valueOrPath): no public-key line")
    }
}
