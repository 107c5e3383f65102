import ArgumentParser
import Logging
import TriadCluster
import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling

/// `triad bench`: simulator speed on fixed in-process scenarios, in simulated decode tokens per
/// wall-clock second. Speed is measured here, never asserted in tests.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure simulator speed on fixed scenarios: in-process, and GPT3-7B through a local cluster.")

    @Option(help: "Only scenarios whose name contains this text.")
    var scenario: String?

    @Option(help: "Scale every scenario's iteration count by this factor.")
    var scale: Double = 1

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Flag(help: "Skip the local-cluster scenario (worker processes over ZeroMQ).")
    var noCluster = false

    struct Scenario {
        var name: String
        var model: String
        var workload: String
        var batch: Int
        var policy: Policy
        var iterations: Int
        var devices: [DeviceDescription]
        var links: [(String, String)]
    }

    static var scenarios: [Scenario] {
        let npu = DeviceDescription(id: "npu0", configuration: .npu(.neupims))
        let dualPIM = DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual)))
        let fpga = DeviceDescription(
            id: "fpga0",
            configuration: .fpga(
                FPGAConfiguration(
                    cores: 256, addersPerCore: 1, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                    memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 32 << 30,
                    powerWatts: 13, fixedLatencyCycles: 0, elementwiseLanes: 16)))
        let neupims = [npu, dualPIM]
        let link = [("npu0", "pim0")]
        return [
            Scenario(
                name: "gpt3-7b/sharegpt/b512/neupims", model: "gpt3-7b", workload: "sharegpt", batch: 512,
                policy: .neupims, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-7b/sharegpt/b256/npu+pim", model: "gpt3-7b", workload: "sharegpt", batch: 256,
                policy: .npuPIM, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-7b/sharegpt/b256/npu-only", model: "gpt3-7b", workload: "sharegpt", batch: 256,
                policy: .npuOnly, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-30b/alpaca/b256/neupims", model: "gpt3-30b", workload: "alpaca", batch: 256,
                policy: .neupims, iterations: 20000, devices: neupims, links: link),
            Scenario(
                name: "gpt3-175b/sharegpt/b512/neupims", model: "gpt3-175b", workload: "sharegpt", batch: 512,
                policy: .neupims, iterations: 10000, devices: neupims, links: link),
            Scenario(
                name: "mmfree-1.3b/fixed/b16/ternary", model: "mmfree-1.3b", workload: "fixed:64:256", batch: 16,
                policy: .ternary, iterations: 100000, devices: [fpga], links: []),
        ]
    }

    struct Measurement {
        var name: String
        var tokens: Int64
        var iterations: Int
        var wallSeconds: Double
        /// For the cluster scenario: the same run in-process, and messages exchanged.
        var inProcessWallSeconds: Double?
        var messages: Int?
        var tokensPerSecond: Double { wallSeconds > 0 ? Double(tokens) / wallSeconds : 0 }
        var iterationsPerSecond: Double { wallSeconds > 0 ? Double(iterations) / wallSeconds : 0 }
    }

    func run() throws {
        var measurements: [Measurement] = []
        for scenario in Self.scenarios where self.scenario.map({ scenario.name.contains($0) }) ?? true {
            var experiment = Experiment(
                devices: try DeviceSet(devices: scenario.devices, links: scenario.links),
                model: try Inputs.model(scenario.model, tensorParallel: nil, pipelineParallel: nil),
                workload: try Inputs.workload(scenario.workload), topologyName: "bench")
            experiment.batch = scenario.batch
            experiment.iterations = max(1, Int(Double(scenario.iterations) * scale))
            let clock = ContinuousClock()
            var report: RunReport?
            let elapsed = try clock.measure { report = try experiment.run([scenario.policy]).reports[0] }
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            measurements.append(
                Measurement(
                    name: scenario.name, tokens: report!.tokens, iterations: report!.iterations, wallSeconds: seconds))
        }
        if !noCluster && self.scenario.map({ "gpt3-7b/sharegpt/b512/neupims/cluster".contains($0) }) ?? true {
            measurements.append(try clusterMeasurement())
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
                        .init("messages", .integer(Int64(messages))),
                        .init("messages_per_second", .integer(Int64((Double(messages) / m.wallSeconds).rounded()))),
                    ]
                }
                return .object(members)
            }
            print(JSON.object(["scenarios": .array(items)]).rendered)
        case .table:
            var rows = [["scenario", "sim tokens/s", "iterations/s", "wall s", ""]]
            for m in measurements {
                var note = ""
                if let local = m.inProcessWallSeconds, let messages = m.messages {
                    note =
                        "(in-process \(TextTable.fixed(local, 3)) s → \(TextTable.fixed(m.wallSeconds / local, 2))×; \(messages) messages, \(Int(Double(messages) / m.wallSeconds)) /s)"
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
    /// GPT3-7B, ShareGPT, batch 512, neupims, 1,000 iterations: wall time through worker processes (from
    /// spawning them to their exit) against the same run in-process.
    func clusterMeasurement() throws -> Measurement {
        let devices = [
            DeviceDescription(id: "npu0", configuration: .npu(.neupims)),
            DeviceDescription(id: "pim0", configuration: .pim(.neupims(rowBuffers: .dual))),
        ]
        var experiment = Experiment(
            devices: try DeviceSet(devices: devices, links: [("npu0", "pim0")]),
            model: try Inputs.model("gpt3-7b", tensorParallel: nil, pipelineParallel: nil),
            workload: try Inputs.workload("sharegpt"), topologyName: "bench")
        experiment.batch = 512
        experiment.iterations = max(1, Int(1000 * scale))
        let clock = ContinuousClock()
        func seconds(_ duration: Duration) -> Double {
            Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
        var local: RunReport?
        let localTime = try clock.measure {
            local = try experiment.run([.neupims]).reports[0]
        }
        var remote: RunReport?
        var messages = 0
        let clusterTime = try clock.measure {
            var logger = Logger(label: "triad.bench")
            logger.logLevel = .error
            let cluster = try LocalCluster(
                devices: devices, modelName: "gpt3-7b", logLevel: "error", pidDirectory: nil, logger: logger)
            try cluster.start()
            remote = try experiment.run([.neupims], costs: ClusterCostService(coordinator: cluster.coordinator))
                .reports[0]
            messages = cluster.coordinator.statistics.messagesSent + cluster.coordinator.statistics.messagesReceived
            cluster.stop()
        }
        guard remote == local else {
            throw RunFailure(message: "bench: the cluster run differs from the in-process run")
        }
        return Measurement(
            name: "gpt3-7b/sharegpt/b512/neupims/cluster", tokens: remote!.tokens, iterations: remote!.iterations,
            wallSeconds: seconds(clusterTime), inProcessWallSeconds: seconds(localTime), messages: messages)
    }
}
