public import Foundation
import TriadTransport

/// Talks to the keeper of the pool in `directory` over its control socket: what it serves, attaching a run, stopping
/// it. Every failure is one line saying what to do.
public struct PoolClient: Sendable {
    public let directory: PoolDirectory

    public init(directory: PoolDirectory) {
        self.directory = directory
    }

    /// Whether a keeper answers in the directory.
    public var isRunning: Bool { (try? info()) != nil }

    /// What the pool serves, with its workers running now and whether a run is attached.
    public func info() throws -> PoolDescription {
        let connection = try connect()
        defer { connection.close() }
        try connection.send("info")
        guard let (line, _) = try connection.receiveLine() else { throw lost }
        return try PoolDescription(line: line)
    }

    /// Attaches this process's run: the keeper hands over a copy of the listening socket, and keeps it for no
    /// other run until the attachment is closed (or this process ends).
    public func attach() throws -> PoolAttachment {
        let connection = try connect()
        try connection.send("attach \(getpid())")
        guard let (line, descriptor) = try connection.receiveLine() else {
            connection.close()
            throw lost
        }
        if line.hasPrefix("busy") {
            connection.close()
            let pid = line.split(separator: " ").dropFirst().first.map(String.init) ?? "?"
            throw ClusterError(
                "the pool in \(directory.path) is serving another run (process \(pid)); wait for it or start another pool with --state-dir"
            )
        }
        guard line.hasPrefix("ok "), let descriptor else {
            connection.close()
            throw ClusterError("the pool keeper in \(directory.path) refused to attach: \(line.prefix(120))")
        }
        return PoolAttachment(
            connection: connection, descriptor: descriptor,
            description: try PoolDescription(line: String(line.dropFirst(3))))
    }

    /// Stops the pool: the keeper stops its workers (SIGTERM, then SIGKILL) and exits. Returns how many workers it
    /// had.
    @discardableResult
    public func stop() throws -> Int {
        let described = try info()
        let connection = try connect()
        defer { connection.close() }
        try connection.send("stop")
        _ = try? connection.receiveLine()
        return described.devices.count
    }

    private func connect() throws -> ControlSocket {
        guard let connection = ControlSocket.connect(to: directory.controlPath) else {
            throw ClusterError(
                "no pool is running in \(directory.path): start one with `triad pool start TOPOLOGY` (or name its --state-dir)"
            )
        }
        return connection
    }

    private var lost: ClusterError {
        ClusterError("the pool keeper in \(directory.path) closed the connection; see \(directory.keeperLogPath)")
    }
}
