import ArgumentParser
import Foundation
import Logging
import TriadCluster
import TriadSetup
import TriadTopology

/// `triad pool start TOPOLOGY`: starts a keeper process (detached) that runs one worker daemon per device of the
/// topology on a loopback endpoint, checks every worker registers, prints where the pool is and returns.
struct PoolStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a worker daemon per device of TOPOLOGY, kept running for later runs.")

    @Argument(help: "Topology YAML file.")
    var topology: String

    @OptionGroup var pool: PoolOptions

    @Option(parsing: .unconditional, help: "Copies of the topology's devices to run workers for, as `--replicas` (1…64).")
    var replicas: Int = 1

    @Option(parsing: .unconditional, help: "Seconds to wait for every worker to register (1…3600).")
    var waitTimeout: Int = 60

    @Option(help: "Log level of the keeper and the workers (their logs are in the state directory's logs/).")
    var logLevel: String = "warning"

    func validate() throws {
        try OptionRange.check(replicas, 1...64, "--replicas")
        try OptionRange.check(waitTimeout, 1...3600, "--wait-timeout")
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("unknown --log-level '\(logLevel)'") }
    }

    func run() throws {
        let parsed = try Inputs.topology(at: topology)
        if let (device, entry) = parsed.workers.sorted(by: { $0.key < $1.key }).first {
            throw InputError(
                "\(topology):\(entry.location.line):\(entry.location.column): device '\(device)' has its own worker program; a pool runs `triad worker` daemons only (use `triad up` for this topology)"
            )
        }
        let devices = try LoadedInputs.workerDevices(of: parsed, path: topology, replicas: replicas)
        let directory = pool.directory
        try directory.prepare()
        let client = PoolClient(directory: directory)
        if let running = try? client.info() {
            throw RunFailure(
                message:
                    "a pool for \(running.topology) (\(running.devices.count) workers) is already running in \(directory.path); stop it with `triad pool stop --state-dir \(directory.path)`"
            )
        }
        let clock = ContinuousClock()
        let started = clock.now
        try startKeeper(directory: directory)
        let spawned = clock.now
        var logger = Logger(label: "triad.pool")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
        let probe = try PoolProbe.run(
            directory: directory, devices: devices, timeoutMilliseconds: Int64(waitTimeout) * 1000, logger: logger)
        let described = try client.info()
        guard probe.missing.isEmpty else {
            try? client.stop()
            throw RunFailure(
                message:
                    "pool workers did not register within \(waitTimeout) s: \(probe.missing.prefix(8).joined(separator: ", ")); see \(directory.logsPath); the pool was stopped"
            )
        }
        print(
            "triad pool: \(devices.count) workers for \(topology) at \(described.endpoint) (state \(directory.path), keeper pid \(described.keeperPID)); spawned in \(Self.milliseconds(spawned - started)) ms, registered in \(probe.milliseconds) ms"
        )
    }

    /// Starts `triad pool serve` detached (its own session, output to the state directory) and waits until it says
    /// its workers are started.
    private func startKeeper(directory: PoolDirectory) throws {
        let keeper = Process()
        keeper.executableURL =
            Bundle.main.executableURL?.resolvingSymlinksInPath() ?? URL(fileURLWithPath: CommandLine.arguments[0])
        keeper.arguments = [
            "pool", "serve", topology, "--state-dir", directory.path, "--replicas", "\(replicas)", "--log-level",
            logLevel,
        ]
        let ready = Pipe()
        keeper.standardInput = FileHandle.nullDevice
        keeper.standardOutput = ready
        FileManager.default.createFile(atPath: directory.keeperLogPath, contents: nil)
        keeper.standardError = FileHandle(forWritingAtPath: directory.keeperLogPath) ?? FileHandle.nullDevice
        do {
            try keeper.run()
        } catch {
            throw RunFailure(message: "cannot start the pool keeper: \(error.localizedDescription)")
        }
        // The keeper writes one line once its workers are started, then closes its standard output.
        let line = String(decoding: ready.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard line.hasPrefix("ready") else {
            let log = (try? String(contentsOfFile: directory.keeperLogPath, encoding: .utf8)) ?? ""
            let last = log.split(separator: "\n").last.map(String.init) ?? "no message"
            throw RunFailure(message: "the pool keeper did not start: \(last)")
        }
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
