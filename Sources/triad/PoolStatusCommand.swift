import ArgumentParser
import Foundation
import Logging
import TriadCluster
import TriadSetup

/// `triad pool status`: what the pool serves, which workers run, and — unless a run is attached — which of them
/// register with a coordinator now (a probe: attach, wait for each registration, let go). Exit status 1 when a
/// worker is missing or no pool runs.
struct PoolStatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the pool's topology, endpoint and which workers are alive and registered.")

    @OptionGroup var pool: PoolOptions

    @Option(parsing: .unconditional, help: "Seconds to wait for the workers to register (1…3600).")
    var waitTimeout: Int = 10

    func validate() throws {
        try OptionRange.check(waitTimeout, 1...3600, "--wait-timeout")
    }

    func run() throws {
        let directory = pool.directory
        let described = try PoolClient(directory: directory).info()
        print("pool: \(directory.path) (keeper pid \(described.keeperPID))")
        print("topology: \(described.topology) (\(described.topologyName)), \(described.devices.count) workers\(described.replicas > 1 ? ", \(described.replicas) replicas" : "")")
        print("endpoint: \(described.endpoint)")
        print("workers running: \(described.running ?? 0)/\(described.devices.count); restarts: \(described.restarts ?? 0)")
        if described.attached == true {
            print("registered: not probed (a run is attached)")
            return
        }
        let parsed = try Inputs.topology(at: described.topology)
        let devices = try LoadedInputs.workerDevices(of: parsed, path: described.topology, replicas: described.replicas)
        guard devices.map(\.id) == described.devices else {
            throw RunFailure(
                message: "\(described.topology) changed since the pool started; restart the pool to probe it")
        }
        var logger = Logger(label: "triad.pool")
        logger.logLevel = .critical
        let probe = try PoolProbe.run(
            directory: directory, devices: devices, timeoutMilliseconds: Int64(waitTimeout) * 1000, logger: logger)
        let registered = devices.count - probe.missing.count
        print("registered: \(registered)/\(devices.count) in \(probe.milliseconds) ms")
        if !probe.missing.isEmpty {
            throw RunFailure(message: "not registered within \(waitTimeout) s: \(probe.missing.joined(separator: ", "))")
        }
    }
}
