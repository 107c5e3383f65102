import Foundation
public import Logging
public import TriadCore
public import TriadDevices
public import TriadScheduling
import TriadTransport

/// The cluster's cost in wall time: the same run in-process and through worker processes (`triad bench`), with
/// workers started for the run (cold) or a pool's, started before the measurement (warm).
extension LocalCluster {
    /// What one benchmark gave: both reports (they must be equal) and the wall times, seconds.
    public struct Benchmark: Sendable {
        public var local: RunReport
        public var remote: RunReport
        public var inProcessSeconds: Double
        /// Cold: from spawning the workers to their exit. Warm: from attaching to the pool to letting it go.
        public var clusterSeconds: Double
        /// Starting the worker processes (0 with a warm pool).
        public var spawnSeconds: Double
        /// From the end of spawning (warm: from attaching) until every worker had registered.
        public var registrationSeconds: Double
        /// The run alone, once every worker had registered (mirror checks settled).
        public var runSeconds: Double
        /// Messages the coordinator sent and received, and their payload bytes.
        public var messages: Int
        public var bytes: Int
    }

    /// Runs `experiment` under `policy` in-process, then through one worker process per device started for the run
    /// (every mirrored worker asked too when `mirrors` is given).
    public static func benchmark(
        _ experiment: Experiment, policy: Policy, devices: [DeviceDescription], modelName: String,
        mirrors: [String: [String]], mirroring: [String: [String]], logger: Logger
    ) throws -> Benchmark {
        let waitedFor = Self.waitedFor(devices, mirroring: mirroring)
        let clock = ContinuousClock()
        var local: RunReport?
        let localTime = try clock.measure { local = try experiment.run([policy]).reports[0] }
        var remote: RunReport?
        var statistics = Coordinator.Statistics()
        var (spawnTime, registrationTime, runTime) = (Duration.zero, Duration.zero, Duration.zero)
        let clusterTime = try clock.measure {
            let cluster = try LocalCluster(
                devices: devices, modelName: modelName, logLevel: "error", pidDirectory: nil, logger: logger)
            spawnTime = try clock.measure { try cluster.spawn() }
            registrationTime = try clock.measure {
                try cluster.coordinator.waitUntilReady(timeoutMilliseconds: 60_000, for: waitedFor)
            }
            runTime = try clock.measure {
                remote = try ClusterCostService.run(coordinator: cluster.coordinator, mirrors: mirrors) {
                    try experiment.run([policy], costs: $0).reports[0]
                }.result
            }
            statistics = cluster.coordinator.statistics
            cluster.stop()
        }
        return Benchmark(
            local: local!, remote: remote!, inProcessSeconds: localTime.seconds, clusterSeconds: clusterTime.seconds,
            spawnSeconds: spawnTime.seconds, registrationSeconds: registrationTime.seconds,
            runSeconds: runTime.seconds, messages: statistics.messagesSent + statistics.messagesReceived,
            bytes: statistics.bytesSent + statistics.bytesReceived)
    }

    /// Starts a pool for `devices` (a keeper in this process, its workers `triad worker --pool` daemons), waits
    /// until every worker has registered once, runs `experiment` in-process, then measures a run on the pool as
    /// `triad up --pool` makes it: attach, registration, the run, letting the pool go. Without `mirrors` the run asks
    /// the first group only and leaves the others' workers waiting, as `--first-group-only` does. The pool is
    /// stopped after.
    public static func benchmarkWarm(
        _ experiment: Experiment, policy: Policy, devices: [DeviceDescription], modelName: String,
        mirrors: [String: [String]], mirroring: [String: [String]], logger: Logger
    ) throws -> Benchmark {
        let waitedFor = Self.waitedFor(devices, mirroring: mirroring)
        let directory = PoolDirectory(path: "/tmp/triad-bench-pool-\(getpid())")
        try directory.prepare()
        defer { try? FileManager.default.removeItem(atPath: directory.path) }
        let keeper = try PoolKeeper(
            directory: directory, topology: "bench", topologyName: "bench", replicas: 1, devices: devices.map(\.id),
            logLevel: "error")
        let serving = Thread { keeper.serve() }
        serving.start()
        defer { keeper.stop() }
        try keeper.startWorkers()
        let probe = try PoolProbe.run(directory: directory, devices: devices, timeoutMilliseconds: 60_000, logger: logger)
        guard probe.missing.isEmpty else {
            throw ClusterError("bench pool: workers did not register: \(probe.missing.joined(separator: ", "))")
        }
        // The in-process run also gives the workers time to wait in the pool's queue again.
        let clock = ContinuousClock()
        var local: RunReport?
        let localTime = try clock.measure { local = try experiment.run([policy]).reports[0] }
        var remote: RunReport?
        var statistics = Coordinator.Statistics()
        var (registrationTime, runTime) = (Duration.zero, Duration.zero)
        let clusterTime = try clock.measure {
            let attachment = try PoolClient(directory: directory).attach()
            defer { attachment.detach() }
            let transport = ZMQTransport()
            defer { transport.terminate() }
            var coordinator: Coordinator?
            registrationTime = try clock.measure {
                let unused = mirrors.isEmpty ? Set(mirroring.values.flatMap { $0 }) : []
                coordinator = try attachment.coordinator(
                    devices: devices.filter { !unused.contains($0.id) }, modelName: modelName, logger: logger,
                    transport: transport, unused: unused)
                try coordinator!.waitUntilReady(timeoutMilliseconds: 60_000, for: waitedFor)
            }
            runTime = try clock.measure {
                remote = try ClusterCostService.run(coordinator: coordinator!, mirrors: mirrors) {
                    try experiment.run([policy], costs: $0).reports[0]
                }.result
            }
            statistics = coordinator!.statistics
            coordinator!.shutdown()
        }
        return Benchmark(
            local: local!, remote: remote!, inProcessSeconds: localTime.seconds, clusterSeconds: clusterTime.seconds,
            spawnSeconds: 0, registrationSeconds: registrationTime.seconds, runSeconds: runTime.seconds,
            messages: statistics.messagesSent + statistics.messagesReceived,
            bytes: statistics.bytesSent + statistics.bytesReceived)
    }

    /// The devices a run waits for before it starts: all but those mirroring another (`mirroring`: the topology's
    /// mirror map, whether the run asks the mirrors or not), as `triad up` does.
    static func waitedFor(_ devices: [DeviceDescription], mirroring: [String: [String]]) -> Set<String> {
        Set(devices.map(\.id)).subtracting(mirroring.values.flatMap { $0 })
    }
}
