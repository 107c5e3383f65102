import TriadSetup
import ArgumentParser
import Foundation
import Logging
import TriadCluster
import TriadDevices
import TriadScheduling
import TriadTransport

/// `triad coordinator --bind tcp://*:PORT TOPOLOGY`: waits for one worker per device (started anywhere with
/// `triad worker --connect`), runs the workload through them, prints the report and releases the workers.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Bind a ROUTER, wait for a worker per device, run the workload through them, print the report.")

    @Option(help: "Endpoint to bind, e.g. tcp://*:5555.")
    var bind: String

    @OptionGroup var options: RunOptions

    @Option(help: "Comma-separated policies.")
    var policies: String = "npu-only,npu+pim,neupims"

    @Option(parsing: .unconditional, help: "Seconds to wait for every worker to register (1…86400).")
    var waitTimeout: Int = 600

    func validate() throws {
        try OptionRange.check(waitTimeout, 1...86_400, "--wait-timeout")
    }

    @Flag(help: "Encrypt with CurveZMQ and admit only --allow'ed worker keys (needs --curve-key).")
    var curve = false

    @Option(help: "The coordinator's CURVE key file (from `triad keygen`); implies --curve.")
    var curveKey: String?

    @Option(help: "Public key files (or Z85 keys) of the workers to admit under CURVE.")
    var allow: [String] = []

    @Flag(
        help:
            "Multi-group topologies: ask only the first group's workers (the others mirror it) instead of every worker, and skip checking that mirrored workers agree (faster; same report)."
    )
    var firstGroupOnly = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        try Endpoint.check(bind, flag: "--bind", binding: true)
        if !allow.isEmpty && !curve && curveKey == nil {
            throw InputError("triad: --allow needs --curve-key (without CURVE every worker is admitted unencrypted)")
        }
        let list = try Inputs.policies(policies)
        var loaded = try options.load()
        loaded.experiment.replicaWorkers = true
        let inputs = loaded.inputs
        let replicas = loaded.experiment.replicas
        var coordinatorConfiguration = Coordinator.Configuration(bind: bind)
        if curve && curveKey == nil { throw InputError("triad: --curve needs --curve-key FILE (see `triad keygen`)") }
        if let curveKey {
            let keys = try KeyFile.read(curveKey)
            guard !allow.isEmpty else { throw InputError("triad: --curve-key needs at least one --allow key") }
            coordinatorConfiguration.curve = CurveServerKeys(
                publicKey: keys.publicKey, secretKey: keys.secretKey,
                allowedClientKeys: Set(try allow.map { try KeyFile.publicKey($0) }))
        }
        let logger = logging.bootstrap(label: "triad.coordinator")
        let stop = StopSignal()
        let transport = ZMQTransport()
        let coordinator = Coordinator(
            configuration: coordinatorConfiguration, devices: try inputs.workerDevices(replicas: replicas),
            modelName: inputs.model.name,
            logger: logger, transport: transport)
        coordinator.stop = stop
        let job = UncheckedBox(
            CoordinatorJob(
                coordinator: coordinator, experiment: loaded.experiment, policies: list, wait: waitTimeout,
                mirrors: firstGroupOnly ? [:] : inputs.mirrorMap(replicas: replicas)))
        defer { transport.terminate() }
        try runServices(
            [ThreadService(name: "coordinator", body: { try job.value.run() }, stop: { stop.raise() })], logger: logger)
        guard let result = job.value.outcome else {
            throw RunFailure(message: "coordinator stopped before the run finished")
        }
        let outcome = try RunArtifacts.locatingErrors(in: inputs.topology, path: options.topology) { try result.get() }
        try options.finish(outcome, experiment: loaded.experiment)
        options.print(outcome.reports)
    }
}
