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

    @Option(parsing: .unconditional, help: "Scale every scenario's iteration count by this factor (0.001…1000).")
    var scale: Double = 1

    func validate() throws {
        try OptionRange.check(scale, 0.001...1000, "--scale")
    }

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Skip the local-cluster scenario (worker processes over ZeroMQ).")
    var noCluster = false

    func run() throws {
        var measurements: [Bench.Measurement] = []
        for scenario in Bench.scenarios where self.scenario.map({ scenario.name.contains($0) }) ?? true {
            measurements.append(try Bench.measure(scenario, scale: scale))
        }
        for cluster in Self.clusterScenarios
        where !noCluster && self.scenario.map({ cluster.name.contains($0) }) ?? true {
            measurements.append(
                try clusterMeasurement(
                    name: cluster.name, topology: cluster.topology, model: cluster.model, everyWorker: cluster.everyWorker))
        }
        guard !measurements.isEmpty else { throw InputError("triad: no bench scenario matches '\(scenario ?? "")'") }
        switch format {
        case .json:
            let items = measurements.map { m -> JSON in
                var members: [JSON.Member] = [
                    .init("name", .string(m.name)),
                    .init("simulated_tokens_per_second", .integer(Int64(m.tokensPerSecond.rounded()))),
                    .init("iterations_per_second", .integer(Int64(m.iterationsPerSecond.rounded()))),
                    .init("iterations", .integer(Int64(m.iterations))), .init("tokens", .integer(m.tokens)),
                    .init("wall_seconds", .number(m.wallSeconds)),
                ]
                if let local = m.inProcessWallSeconds, let messages = m.messages {
                    members += [
                        .init("in_process_wall_seconds", .number(local)),
                        .init("wall_ratio_to_in_process", .number(m.wallSeconds / local)),
                        .init("run_wall_seconds", .number(m.runWallSeconds ?? 0)),
                        .init("run_ratio_to_in_process", .number((m.runWallSeconds ?? 0) / local)),
                        .init("messages", .integer(Int64(messages))),
                        .init("messages_per_second", .integer(Int64((Double(messages) / m.wallSeconds).rounded()))),
                    ]
                }
                return .object(members)
            }
            print(JSON.object(["triad_version": .string(TriadVersion.current), "scenarios": .array(items)]).rendered)
        case .table:
            var rows = [["scenario", "sim tokens/s", "iterations/s", "wall s", ""]]
            for m in measurements {
                var note = ""
                if let local = m.inProcessWallSeconds, let messages = m.messages {
                    note =
                        "(in-process \(TextTable.fixed(local, 3)) s → \(TextTable.fixed(m.wallSeconds / local, 2))×, run alone \(TextTable.fixed((m.runWallSeconds ?? 0) / local, 2))×; \(messages) messages, \(Int(Double(messages) / m.wallSeconds)) /s)"
                }
                rows.append([
                    m.name, String(Int64(m.tokensPerSecond.rounded())), String(Int64(m.iterationsPerSecond.rounded())),
                    TextTable.fixed(m.wallSeconds, 3), note,
                ])
            }
            print(TextTable.render(rows), terminator: "")
        }
    }
}

extension BenchCommand {
    /// The cluster scenarios: wall time through worker processes (from spawning them to their exit) against the
    /// same run in-process, 1,000 iterations — GPT3-7B on one NPU+PIM group, and GPT3-175B on the 32-device
    /// `Topologies/neupims-175b.yaml` (64 workers, TP8 × PP4 with communication).
    static let clusterScenarios = [
        (name: "gpt3-7b/sharegpt/b512/neupims/cluster", topology: "Topologies/neupims.yaml", model: "gpt3-7b", everyWorker: true),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster", topology: "Topologies/neupims-175b.yaml",
            model: "gpt3-175b", everyWorker: true
        ),
        (
            name: "gpt3-175b/sharegpt/b512/neupims/32-devices/cluster/first-group-only",
            topology: "Topologies/neupims-175b.yaml", model: "gpt3-175b", everyWorker: false
        ),
    ]

    func clusterMeasurement(name: String, topology path: String, model: String, everyWorker: Bool) throws
        -> Bench.Measurement
    {
        let inputs = try LoadedInputs(
            topology: try Inputs.topology(at: path), path: path, model: model, tensorParallel: nil,
            pipelineParallel: nil, stream: try Inputs.workload("sharegpt"))
        var experiment = inputs.experiment()
        experiment.batch = 512
        experiment.iterations = max(1, Int(1000 * scale))
        let clock = ContinuousClock()
        var local: RunReport?
        let localTime = try clock.measure {
            local = try experiment.run([.neupims]).reports[0]
        }
        var remote: RunReport?
        var messages = 0
        var runTime = Duration.zero
        let clusterTime = try clock.measure {
            var logger = Logger(label: "triad.bench")
            logger.logLevel = .error
            let cluster = try LocalCluster(
                devices: inputs.topology.devices, modelName: inputs.model.name, logLevel: "error", pidDirectory: nil,
                logger: logger)
            try cluster.start()
            runTime = try clock.measure {
                remote = try experiment.run([.neupims], costs: ClusterCostService(
                        coordinator: cluster.coordinator, mirrors: everyWorker ? inputs.groups.mirrorMap : [:]))
                    .reports[0]
            }
            messages = cluster.coordinator.statistics.messagesSent + cluster.coordinator.statistics.messagesReceived
            cluster.stop()
        }
        guard remote == local else {
            throw RunFailure(message: "bench: the cluster run differs from the in-process run")
        }
        var measurement = Bench.Measurement(
            name: name, tokens: remote!.tokens, iterations: remote!.iterations, wallSeconds: Bench.seconds(clusterTime),
            inProcessWallSeconds: Bench.seconds(localTime), messages: messages)
        measurement.runWallSeconds = Bench.seconds(runTime)
        return measurement
    }
}
