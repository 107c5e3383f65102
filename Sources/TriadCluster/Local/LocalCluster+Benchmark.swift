import Foundation
public import Logging
public import TriadCore
public import TriadDevices
public import TriadScheduling

/// The cluster's cost in wall time: the same run in-process and through worker processes (`triad bench`).
extension LocalCluster {
    /// What one benchmark gave: both reports (they must be equal) and the wall times, seconds.
    public struct Benchmark: Sendable {
        public var local: RunReport
        public var remote: RunReport
        public var inProcessSeconds: Double
        /// From spawning the workers to their exit.
        public var clusterSeconds: Double
        /// The run alone, once every worker had registered.
        public var runSeconds: Double
        public var messages: Int
    }

    /// Runs `experiment` under `policy` in-process, then through one worker process per device (every mirrored
    /// worker asked too when `mirrors` is given).
    public static func benchmark(
        _ experiment: Experiment, policy: Policy, devices: [DeviceDescription], modelName: String,
        mirrors: [String: [String]], logger: Logger
    ) throws -> Benchmark {
        let clock = ContinuousClock()
        var local: RunReport?
        let localTime = try clock.measure { local = try experiment.run([policy]).reports[0] }
        var remote: RunReport?
        var messages = 0
        var runTime = Duration.zero
        let clusterTime = try clock.measure {
            let cluster = try LocalCluster(
                devices: devices, modelName: modelName, logLevel: "error", pidDirectory: nil, logger: logger)
            try cluster.start()
            runTime = try clock.measure {
                let ran = try ClusterCostService.run(coordinator: cluster.coordinator, mirrors: mirrors) {
                    try experiment.run([policy], costs: $0).reports[0]
                }
                remote = ran.result
            }
            messages = cluster.coordinator.statistics.messagesSent + cluster.coordinator.statistics.messagesReceived
            cluster.stop()
        }
        return Benchmark(
            local: local!, remote: remote!, inProcessSeconds: localTime.seconds, clusterSeconds: clusterTime.seconds,
            runSeconds: runTime.seconds, messages: messages)
    }
}
