import TriadSetup
import ArgumentParser
import Foundation
import TriadTransport

/// `triad keygen NAME`: writes a CURVE key pair as NAME.key (secret, mode 600) and NAME.pub (public).
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen", abstract: "Write a CurveZMQ key pair: NAME.key (secret) and NAME.pub (public).")

    @Argument(help: "Path prefix of the key files.")
    var name: String

    @Flag(help: "Replace existing key files.")
    var force = false

    func run() throws {
        guard ZMQContext.hasCurve else { throw RunFailure(message: "this libzmq has no CURVE support") }
        let keys = try ZMQContext.curveKeyPair()
        let last = name.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard !name.isEmpty, !name.hasSuffix("/"), last != ".", last != ".." else {
            throw InputError("triad: keygen needs a name for the key files (NAME.key, NAME.pub), not a directory")
        }
        let secretPath = name + ".key"
        let publicPath = name + ".pub"
        for path in [secretPath, publicPath] where !force && FileManager.default.fileExists(atPath: path) {
            throw InputError("triad: \(path) exists; keygen does not replace keys without --force")
        }
        let secretFile = try OutputFile(secretPath, flag: "keygen")
        let publicFile = try OutputFile(publicPath, flag: "keygen")
        try secretFile.write("public-key: \(keys.publicKey)\nsecret-key: \(keys.secretKey)\n", mode: 0o600)
        try publicFile.write("public-key: \(keys.publicKey)\n", mode: 0o644)
        print("wrote \(secretPath) and \(publicPath) (public key \(keys.publicKey))")
    }
}
