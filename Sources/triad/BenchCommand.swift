import TriadSetup
import ArgumentParser
import Logging
import TriadCluster
import TriadCore
import TriadDatasets
import TriadDevices
import TriadReproduction
import TriadScheduling

/// `triad bench`: simulator speed on fixed in-process scenarios, in simulated decode tokens per
/// wall-clock second. Speed is measured here, never asserted in tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulator speed on fixed scenarios: in-process, and GPT3-7B through a local cluster.")

    @Option(help: "Only scenarios whose name contains this text.")
    var scenario: String?

    @Option(
        parsing: .unconditional,
        help: "Multiply every scenario's (and scale point's) iteration count by this factor (0.001…1000).")
    var length: Double = 1

    @Flag(
        help:
            "Run the scale study instead of the scenarios: GPT3-175B and megatron-1t on 8…1,024 simulated devices in-process and 8/32/64 worker processes; wall time per iteration against devices and its growth exponent (docs/SCALING.md)."
    )
    var scale = false

    func validate() throws {
        try OptionRange.check(length, 0.001...1000, "--length")
        if scale && scenario != nil {
            throw ValidationError("--scale runs the scale study, not the scenarios: drop --scenario")
        }
    }

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Skip the local-cluster scenario (worker processes over ZeroMQ).")
    var noCluster = false

    func run() throws {
        if scale { return try runScaleStudy() }
        var measurements: [Bench.Measurement] = []
        for scenario in Bench.scenarios where self.scenario.map({ scenario.name.contains($0) }) ?? true {
            measurements.append(try Bench.measure(scenario, scale: length))
        }
        for cluster in Self.clusterScenarios
        where !noCluster && self.scenario.map({ cluster.name.contains($0) }) ?? true {
            measurements.append(
                try clusterMeasurement(
                    name: cluster.name, topology: cluster.topology, model: cluster.model,
                    everyWorker: cluster.everyWorker, warm: cluster.warm))
        }
        guard !measurements.isEmpty else { throw InputError("triad: no bench scenario matches '\(scenario ?? "")'") }
        switch format {
        case .json: print(Bench.json(measurements))
        case .table: print(Bench.table(measurements), terminator: "")
        }
    }
}

extension BenchCommand {
    /// The cluster scenarios: wall time through worker processes against the same run in-process, 1,000
    /// iterations — GPT3-7B on one NPU+PIM group, and GPT3-175B on the 32-device `Topologies/neupims-175b.yaml`
    /// (64 workers, TP8 × PP4 with communication), every mirrored worker checked or the first group's only. Cold rows
    /// start the workers for the run (spawn to exit; the first group's only without mirror checks, as `triad up
    /// --first-group-only` does); warm rows attach to a pool of all 64 started before the measurement (attach,
    /// registration, run, release), as `triad up --pool` does.
    static let clusterScenarios = [
        (
            name: "gpt3-7b/sharegpt/b512/neupims/cluster", topology: "Topologies/neupims.yaml", model: "gpt3-7b",
            everyWorker: true, warm: false
        ),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster", topology: "Topologies/neupims-175b.yaml",
            model: "gpt3-175b", everyWorker: true, warm: false
        ),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster/first-group-only",
            topology: "Topologies/neupims-175b.yaml", model: "gpt3-175b", everyWorker: false, warm: false
        ),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster/warm-pool",
            topology: "Topologies/neupims-175b.yaml", model: "gpt3-175b", everyWorker: true, warm: true
        ),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster/first-group-only/warm-pool",
            topology: "Topologies/neupims-175b.yaml", model: "gpt3-175b", everyWorker: false, warm: true
        ),
    ]

    func clusterMeasurement(name: String, topology path: String, model: String, everyWorker: Bool, warm: Bool) throws
        -> Bench.Measurement
    {
        let inputs = try LoadedInputs(
            topology: try Inputs.topology(at: path), path: path, model: model, tensorParallel: nil,
            pipelineParallel: nil, stream: try Inputs.workload("sharegpt"))
        var experiment = inputs.experiment()
        experiment.batch = 512
        experiment.iterations = max(1, Int(1000 * length))
        var logger = Logger(label: "triad.bench")
        logger.logLevel = .error
        // As `triad up`: a cold run without mirror checks starts the first group's workers only; a pool has them all.
        let mirroring = Set(inputs.groups.mirrorMap.values.flatMap { $0 })
        let devices = inputs.topology.devices.filter { everyWorker || warm || !mirroring.contains($0.id) }
        let measure = warm ? LocalCluster.benchmarkWarm : LocalCluster.benchmark
        let measured = try measure(
            experiment, .neupims, devices, inputs.model.name, everyWorker ? inputs.groups.mirrorMap : [:],
            inputs.groups.mirrorMap, logger)
        guard measured.remote == measured.local else {
            throw RunFailure(message: "bench: the cluster run differs from the in-process run")
        }
        var measurement = Bench.Measurement(
            name: name, tokens: measured.remote.tokens, iterations: measured.remote.iterations,
            wallSeconds: measured.clusterSeconds, inProcessWallSeconds: measured.inProcessSeconds,
            messages: measured.messages)
        measurement.runWallSeconds = measured.runSeconds
        measurement.spawnWallSeconds = measured.spawnSeconds
        measurement.registrationWallSeconds = measured.registrationSeconds
        measurement.messageBytes = measured.bytes
        return measurement
    }
}
