public import Foundation

/// Where a `triad pool` keeps its state: the keeper's control socket, what the pool serves (`pool.json`), the pids
/// of the keeper and of each worker, and each worker's log. One pool per directory.
public struct PoolDirectory: Sendable {
    public let path: String

    public init(path: String) {
        self.path = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    }

    /// `$XDG_RUNTIME_DIR/triad-pool` when that is set, else `/tmp/triad-pool-UID`.
    public static var standard: PoolDirectory {
        let environment = ProcessInfo.processInfo.environment
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty,
            FileManager.default.fileExists(atPath: runtime)
        {
            return PoolDirectory(path: runtime + "/triad-pool")
        }
        return PoolDirectory(path: "/tmp/triad-pool-\(getuid())")
    }

    public var controlPath: String { path + "/control.sock" }
    public var descriptionPath: String { path + "/pool.json" }
    public var keeperPIDPath: String { path + "/keeper.pid" }
    public var keeperLogPath: String { path + "/keeper.log" }
    public var workersPath: String { path + "/workers" }
    public var logsPath: String { path + "/logs" }

    /// The longest control socket path a Unix socket takes, bytes.
    static let maximumSocketPath = 100

    /// Creates the directory (mode 0700) and its subfolders; refuses a path that is not a directory of this user's
    /// or whose control socket path would be too long.
    public func prepare() throws {
        guard controlPath.utf8.count <= Self.maximumSocketPath else {
            throw ClusterError(
                "pool state directory '\(path.prefix(80))' is too long for a control socket (at most \(Self.maximumSocketPath - 13) characters)"
            )
        }
        var information = stat()
        if lstat(path, &information) == 0 {
            guard information.st_mode & S_IFMT == S_IFDIR else {
                throw ClusterError("pool state directory '\(path.prefix(80))' exists and is not a directory")
            }
            guard information.st_uid == getuid() else {
                throw ClusterError("pool state directory '\(path.prefix(80))' belongs to another user")
            }
        } else {
            do {
                try FileManager.default.createDirectory(
                    atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ClusterError("cannot create the pool state directory '\(path.prefix(80))': \(error.localizedDescription)")
            }
        }
        for folder in [workersPath, logsPath] {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
    }

    /// The pid file of `device`'s worker.
    public func workerPIDPath(_ device: String) -> String { workersPath + "/\(device).pid" }

    /// The pids in `workers/` by device, as written (entries that do not parse are left out).
    public func workerPIDs() -> [String: pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: workersPath)) ?? []
        var pids: [String: pid_t] = [:]
        for name in names where name.hasSuffix(".pid") {
            let text = (try? String(contentsOfFile: workersPath + "/" + name, encoding: .utf8)) ?? ""
            if let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                pids[String(name.dropLast(4))] = pid
            }
        }
        return pids
    }

    /// Removes what a stopped pool leaves (its logs stay).
    public func clear() {
        for file in [controlPath, descriptionPath, keeperPIDPath] { unlink(file) }
        try? FileManager.default.removeItem(atPath: workersPath)
    }
}
