import TriadSetup
import ArgumentParser
import Foundation
import Logging
import TriadCluster
import TriadDevices
import TriadScheduling
import TriadTransport

/// `triad up TOPOLOGY`: a local cluster — one worker process per device on loopback plus the coordinator —
/// runs the workload and prints the same report as `triad compare`. With `--pool` (or `--attach` a pool's
/// endpoint) it runs on the worker daemons of a `triad pool` instead of starting its own; with `--attach` any other
/// endpoint, on worker daemons that connect there. It reports its phases on standard error: spawning, registration,
/// the run, and what crossed the wire.
struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract:
            "Run the workload through worker processes on loopback (started for the run, or a `triad pool`'s), print the report.")

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,neupims"

    @Option(help: "Log level of the coordinator and workers.")
    var logLevel: String = "warning"

    @Flag(
        help:
            "Multi-group topologies: ask only the first group's workers (the others mirror it) instead of every worker, and skip checking that mirrored workers agree (faster; same report); only the first group's workers are started."
    )
    var firstGroupOnly = false

    @Flag(
        help:
            "Multi-group topologies: ask every mirrored worker every answer the run uses (by default each answer is checked by one mirror in turn, so every worker serves the run at the cost of one extra group)."
    )
    var checkEveryMirror = false

    @Option(help: "Write each worker's pid to DIR/<device>.pid (fault tests).")
    var pidDirectory: String?

    @Flag(help: "Run on the workers of the pool in --state-dir (see `triad pool start`) instead of starting workers.")
    var pool = false

    @Option(
        help:
            "Run on worker daemons connecting to ENDPOINT instead of starting workers: a pool's endpoint (looked up in --state-dir), or an endpoint to bind for `triad worker --connect` daemons."
    )
    var attach: String?

    @OptionGroup var poolOptions: PoolOptions

    @Option(parsing: .unconditional, help: "With --pool or --attach: seconds to wait for every worker to register (1…3600).")
    var waitTimeout: Int = 60

    func validate() throws {
        try OptionRange.check(waitTimeout, 1...3600, "--wait-timeout")
        if pool && attach != nil { throw ValidationError("--pool and --attach both name the workers to use; give one") }
        if firstGroupOnly && checkEveryMirror {
            throw ValidationError("--first-group-only asks no mirror; --check-every-mirror asks every one: give one")
        }
        if (pool || attach != nil) && pidDirectory != nil {
            throw ValidationError("--pid-directory is for workers `triad up` starts; a pool keeps its pids in --state-dir")
        }
        if poolOptions.stateDirectory != nil && !pool && attach == nil {
            throw ValidationError("--state-dir needs --pool or --attach")
        }
    }

    /// Where the workers come from.
    private enum Workers {
        /// Started for this run, one process per device.
        case spawned(LocalCluster)
        /// A pool's daemons, attached through its keeper.
        case pooled(PoolAttachment, Coordinator, ZMQTransport)
        /// Daemons connecting to an endpoint this run binds.
        case bound(Coordinator, ZMQTransport)

        var coordinator: Coordinator {
            switch self {
            case .spawned(let cluster): cluster.coordinator
            case .pooled(_, let coordinator, _), .bound(let coordinator, _): coordinator
            }
        }
    }

    func run() throws {
        let list = try Inputs.policies(policies)
        if let pidDirectory {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: pidDirectory, isDirectory: &isDirectory), isDirectory.boolValue
            else {
                throw InputError("triad: --pid-directory '\(pidDirectory.prefix(80))' is not an existing directory")
            }
        }
        if let attach { try Endpoint.check(attach, flag: "--attach", binding: true) }
        var loaded = try options.load()
        loaded.experiment.replicaWorkers = true
        let inputs = loaded.inputs
        let replicas = loaded.experiment.replicas
        let allDevices = try inputs.workerDevices(replicas: replicas)
        // The run waits for the workers it asks on its critical path: every worker, except that the groups mirroring
        // the first register meanwhile (their checks are off the critical path). With --first-group-only they are
        // never asked: `up` does not start them (a pool's or attached ones register, unasked).
        let mirroring = Set(inputs.mirrorMap(replicas: replicas).values.flatMap { $0 })
        let devices = firstGroupOnly ? allDevices.filter { !mirroring.contains($0.id) } : allDevices
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw InputError("triad: unknown --log-level '\(logLevel)'")
        }
        LoggingSystem.bootstrap { name in
            var handler = StreamLogHandler.standardError(label: name)
            handler.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
            return handler
        }
        let logger = Logger(label: "triad.up")
        let clock = ContinuousClock()
        let started = clock.now
        var spawn = Duration.zero
        let workers: Workers
        do {
            workers = try connect(
                devices, all: allDevices, modelName: inputs.model.name, replicas: replicas, logger: logger,
                spawn: &spawn)
        } catch let error as ClusterError {
            throw RunFailure(message: error.message)
        }
        let waitedFor = Set(devices.map(\.id)).subtracting(mirroring)
        do {
            try workers.coordinator.waitUntilReady(timeoutMilliseconds: Int64(waitTimeout) * 1000, for: waitedFor)
            let ready = clock.now
            let ran = try ClusterCostService.run(
                coordinator: workers.coordinator,
                mirrors: firstGroupOnly ? [:] : inputs.mirrorMap(replicas: replicas),
                options: .init(reusesAnswers: loaded.experiment.reusesCosts, checksEveryMirror: checkEveryMirror)
            ) { try options.simulate(policies: list, loaded: loaded, costs: $0) }
            let finished = clock.now
            release(workers, reason: "run finished")
            let phases = UpSummary.Phases(
                spawn: spawn, registration: ready - started - spawn, run: finished - ready)
            let summary = UpSummary(
                workers: devices.count, waitedFor: waitedFor.count, origin: origin(workers), phases: phases,
                coordinator: workers.coordinator.statistics, service: ran.statistics,
                iterations: ran.result.reduce(0) { $0 + $1.iterations }, restarts: restarts(workers))
            options.print(ran.result)
            try OutputFile.flushStandardOutput()
            FileHandle.standardError.write(Data((summary.line + "\n").utf8))
        } catch {
            abandon(workers)
            if let error = error as? ClusterError { throw RunFailure(message: error.message) }
            throw error
        }
    }

    /// The workers for `devices` (of `all` the run's topology has): started (in parallel), a pool's (whose other
    /// workers wait untouched), or daemons connecting to `--attach`.
    private func connect(
        _ devices: [DeviceDescription], all: [DeviceDescription], modelName: String, replicas: Int, logger: Logger,
        spawn: inout Duration
    ) throws -> Workers {
        if pool || attach != nil {
            let directory = poolOptions.directory
            let client = PoolClient(directory: directory)
            let described = pool ? try client.info() : try? client.info()
            if let described, pool || described.endpoint == attach {
                if let problem = described.mismatch(with: all.map(\.id), topology: options.topology) {
                    throw RunFailure(message: problem)
                }
                let attachment = try client.attach()
                let transport = ZMQTransport()
                do {
                    let coordinator = try attachment.coordinator(
                        devices: devices, modelName: modelName, logger: logger, transport: transport,
                        unused: Set(all.map(\.id)).subtracting(devices.map(\.id)))
                    return .pooled(attachment, coordinator, transport)
                } catch {
                    attachment.detach()
                    transport.terminate()
                    throw error
                }
            }
            // No pool there: bind the endpoint and wait for daemons started elsewhere (`triad worker --connect`).
            let transport = ZMQTransport()
            var configuration = Coordinator.Configuration(bind: attach!)
            configuration.unusedDevices = Set(all.map(\.id)).subtracting(devices.map(\.id))
            let coordinator = Coordinator(
                configuration: configuration, devices: devices, modelName: modelName, logger: logger,
                transport: transport)
            do {
                try coordinator.start()
            } catch {
                transport.terminate()
                throw RunFailure(message: "--attach \(attach!): cannot bind (\(error)); no pool in \(directory.path) has this endpoint")
            }
            return .bound(coordinator, transport)
        }
        let clock = ContinuousClock()
        let begun = clock.now
        let cluster = try LocalCluster(
            devices: devices, modelName: modelName, logLevel: logLevel, pidDirectory: pidDirectory, logger: logger,
            programs: LoadedInputs.replicated(
                programs: try Inputs.workerPrograms(
                    try Inputs.topology(at: options.topology), path: options.topology),
                replicas: replicas))
        do {
            try cluster.spawn()
        } catch {
            cluster.abandon()
            throw error
        }
        spawn = clock.now - begun
        return .spawned(cluster)
    }

    /// Lets the workers go after the run: spawned ones exit, a pool's and attached daemons wait for the next run.
    private func release(_ workers: Workers, reason: String) {
        switch workers {
        case .spawned(let cluster):
            cluster.stop(reason: reason)
        case .pooled(let attachment, let coordinator, let transport):
            coordinator.shutdown(reason: reason)
            attachment.detach()
            transport.terminate()
        case .bound(let coordinator, let transport):
            coordinator.shutdown(reason: reason)
            transport.terminate()
        }
    }

    /// After a failure: spawned workers are killed at once; a pool's and attached daemons are released.
    private func abandon(_ workers: Workers) {
        if case .spawned(let cluster) = workers {
            cluster.abandon()
        } else {
            release(workers, reason: "run failed")
        }
    }

    private func origin(_ workers: Workers) -> String {
        switch workers {
        case .spawned: "started for the run"
        case .pooled: "the pool's in \(poolOptions.directory.path)"
        case .bound(let coordinator, _): "attached at \(coordinator.endpoint)"
        }
    }

    private func restarts(_ workers: Workers) -> Int {
        if case .spawned(let cluster) = workers { return cluster.supervisor.restarts }
        return 0
    }
}
