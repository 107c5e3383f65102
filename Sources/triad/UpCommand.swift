import TriadSetup
import ArgumentParser
import Foundation
import Logging
import TriadCluster
import TriadDevices
import TriadScheduling
import TriadTransport

/// `triad up TOPOLOGY`: a local cluster — one worker process per device on loopback plus the coordinator —
/// runs the workload and prints the same report as `triad compare`.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start one worker process per device on loopback, run the workload through them, print the report.")

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,neupims"

    @Option(help: "Log level of the coordinator and workers.")
    var logLevel: String = "warning"

    @Flag(
        help:
            "Multi-group topologies: ask only the first group's workers (the others mirror it) instead of every worker, and skip checking that mirrored workers agree (faster; same report)."
    )
    var firstGroupOnly = false

    @Option(help: "Write each worker's pid to DIR/<device>.pid (fault tests).")
    var pidDirectory: String?

    func run() throws {
        let list = try Inputs.policies(policies)
        if let pidDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: pidDirectory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw InputError("triad: --pid-directory '\(pidDirectory.prefix(80))' is not an existing directory")
            }
        }
        var loaded = try options.load()
        loaded.experiment.replicaWorkers = true
        let inputs = loaded.inputs
        let replicas = loaded.experiment.replicas
        let workers = try inputs.workerDevices(replicas: replicas)
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw InputError("triad: unknown --log-level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
            return handler
        }
        let logger = Logger(label: "triad.up")
        let started = Date()
        let cluster = try LocalCluster(
            devices: workers, modelName: inputs.model.name, logLevel: logLevel,
            pidDirectory: pidDirectory, logger: logger,
            programs: LoadedInputs.replicated(
                programs: try Inputs.workerPrograms(inputs.topology, path: options.topology), replicas: replicas))
        do {
            try cluster.start()
            let ready = Date()
            let reports = try options.simulate(
                policies: list, loaded: loaded,
                costs: ClusterCostService(
                    coordinator: cluster.coordinator, mirrors: firstGroupOnly ? [:] : inputs.mirrorMap(replicas: replicas)))
            let finished = Date()
            cluster.stop()
            let stats = cluster.coordinator.statistics
            var summary =
                "triad up: \(workers.count) workers ready in \(milliseconds(ready.timeIntervalSince(started))) ms; run \(milliseconds(finished.timeIntervalSince(ready))) ms; \(stats.requests) requests, \(stats.messagesSent) sent, \(stats.messagesReceived) received, \(stats.resent) re-sent, \(stats.duplicateReplies) duplicate replies discarded, \(cluster.supervisor.restarts) restarts"
            for death in stats.deaths {
                summary += "; \(death.device) declared dead after \(death.silentMilliseconds) ms silent"
            }
            for recovery in stats.recoveries {
                summary += "; \(recovery.device) replaced in \(recovery.milliseconds) ms"
            }
            options.print(reports)
            try OutputFile.flushStandardOutput()
            FileHandle.standardError.write(Data((summary + "\n").utf8))
        } catch {
            cluster.abandon()
            if let error = error as? ClusterError { throw RunFailure(message: error.message) }
            throw error
        }
    }

    private func milliseconds(_ interval: TimeInterval) -> Int { Int((interval * 1000).rounded()) }
}
