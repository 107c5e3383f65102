public import Foundation

/// What a pool serves, as its keeper records it in `pool.json` and reports it on its control socket.
public struct PoolDescription: Codable, Sendable, Equatable {
    /// Where the workers connect (`tcp://127.0.0.1:PORT`); a run's coordinator listens there.
    public var endpoint: String
    /// The topology file the pool was started with, as given.
    public var topology: String
    /// The topology's `name:`.
    public var topologyName: String
    /// Copies of the topology's devices (`--replicas`).
    public var replicas: Int
    /// One worker per device id, in topology order.
    public var devices: [String]
    public var keeperPID: Int32
    /// What the keeper adds when asked: workers running now, restarts so far, and whether a run is attached.
    public var running: Int?
    public var restarts: Int?
    public var attached: Bool?

    public init(endpoint: String, topology: String, topologyName: String, replicas: Int, devices: [String], keeperPID: Int32)
    {
        self.endpoint = endpoint
        self.topology = topology
        self.topologyName = topologyName
        self.replicas = replicas
        self.devices = devices
        self.keeperPID = keeperPID
    }

    /// One JSON line.
    public var line: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    public init(line: String) throws {
        do {
            self = try JSONDecoder().decode(PoolDescription.self, from: Data(line.utf8))
        } catch {
            throw ClusterError("the pool keeper answered something unreadable: \(line.prefix(120))")
        }
    }

    /// Why a run needing workers for `needed` (device ids) cannot use this pool, in one line; nil when it can.
    public func mismatch(with needed: [String], topology path: String) -> String? {
        let served = Set(devices)
        let wanted = Set(needed)
        guard served != wanted else { return nil }
        let missing = needed.filter { !served.contains($0) }
        let extra = devices.filter { !wanted.contains($0) }
        var detail: [String] = []
        if !missing.isEmpty { detail.append("no worker for \(Self.list(missing))") }
        if !extra.isEmpty { detail.append("workers for \(Self.list(extra)) the run does not have") }
        return
            "the pool serves \(topology) (\(devices.count) workers\(replicas > 1 ? ", \(replicas) replicas" : "")) but this run of \(path) needs \(needed.count): \(detail.joined(separator: "; ")); start a pool for it (triad pool start \(path) --state-dir DIR)"
    }

    private static func list(_ ids: [String]) -> String {
        ids.count <= 4 ? ids.joined(separator: ", ") : ids.prefix(3).joined(separator: ", ") + " and \(ids.count - 3) more"
    }
}
