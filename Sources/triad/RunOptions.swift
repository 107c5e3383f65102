import Foundation
import ArgumentParser
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTopology

/// Output format of run and compare.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// Options shared by `run` and `compare`.
struct RunOptions: ParsableArguments {
    @Argument(help: "Topology file (YAML).")
    var topology: String

    @Option(
        help:
            "Model preset (gpt3-7b, gpt3-13b, gpt3-30b, gpt3-175b, mmfree-370m, mmfree-1.3b, mmfree-2.7b, bitnet-b1.58-3b) or a Hugging Face config.json."
    )
    var model: String = "gpt3-7b"

    @Option(help: "Tensor-parallel degree (default: the preset's; 1 for config.json).")
    var tensorParallel: Int?

    @Option(help: "Pipeline-parallel degree (default: the preset's; 1 for config.json).")
    var pipelineParallel: Int?

    @Option(help: "sharegpt, alpaca, fixed:IN:OUT, or a trace file (vidur CSV or LLMServingSim JSONL).")
    var workload: String = "sharegpt"

    @Option(help: "Requests decoded together.")
    var batch: Int = 256

    @Option(help: "Decode iterations to simulate.")
    var iterations: Int = 200

    @Option(help: "Iterations to simulate before measuring (e.g. while a trace's batch fills up).")
    var warmup: Int = 0

    @Option(help: "Seed for request sampling.")
    var seed: UInt64 = 1

    @Option(help: "Longest sequence (prompt + output), tokens.")
    var maxSequence: Int = 2048

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard (0...10_000_000).contains(warmup) else { throw ValidationError("--warmup must be in 0…10000000") }
        guard maxSequence >= 2 else { throw ValidationError("--max-sequence must be at least 2") }
    }

    @Flag(help: "Ask the workers again every iteration instead of reusing learnt costs (same results; a testing aid).")
    var noCostReuse = false

    @Option(help: "Write the first iterations' timeline here as Chrome trace JSON (opens in Perfetto).")
    var trace: String?

    @Option(help: "Iterations the --trace timeline covers.")
    var traceIterations: Int = 2

    /// Everything a run reads from files and names.
    struct LoadedInputs {
        var topology: Topology
        var devices: DeviceSet
        var model: ModelSpec
        var stream: RequestStream
    }

    func load() throws -> LoadedInputs {
        let topologyFile = try Inputs.topology(at: topology)
        return LoadedInputs(
            topology: topologyFile, devices: try Inputs.deviceSet(topologyFile, path: topology),
            model: try Inputs.model(model, tensorParallel: tensorParallel, pipelineParallel: pipelineParallel),
            stream: try Inputs.workload(workload))
    }

    /// Runs `policies` one after another in this process.
    func run(policies: [Policy]) throws -> [RunReport] {
        let inputs = try load()
        return try simulate(policies: policies, inputs: inputs, costs: LocalCostService(devices: inputs.topology.devices))
    }

    /// Runs `policies` one after another, costing through `costs` (in-process or remote workers).
    func simulate(policies: [Policy], inputs: LoadedInputs, costs: any CostService) throws -> [RunReport] {
        var traces: [(label: String, events: [TraceEvent])] = []
        let reports = try policies.map { policy in
            var configuration = SimulationConfiguration(
                model: inputs.model, stream: inputs.stream, batchSize: batch, iterations: iterations, seed: seed,
                policy: policy, maxSequence: maxSequence, topologyName: inputs.topology.name)
            configuration.reusesCosts = !noCostReuse
            configuration.warmupIterations = warmup
            configuration.traceIterations = trace == nil ? 0 : max(1, traceIterations)
            do {
                var simulator = try Simulator(configuration: configuration, devices: inputs.devices, costs: costs)
                let report = try simulator.run()
                traces.append((policy.name, simulator.trace))
                return report
            } catch let error as SimulationError {
                switch error.code {
                case .incompatible, .notYetImplemented:
                    throw InputError("\(topology): \(error.message)")
                case .deviceFailure:
                    throw RunFailure(message: error.message)
                }
            }
        }
        if let trace {
            do {
                try TraceEvent.chromeTrace(traces).write(toFile: trace, atomically: true, encoding: .utf8)
            } catch {
                throw RunFailure(message: "cannot write \(trace): \(error.localizedDescription)")
            }
        }
        return reports
    }

    func print(_ reports: [RunReport]) {
        switch format {
        case .json: Swift.print(RunReport.json(reports), terminator: "")
        case .table: Swift.print(RunReport.table(reports), terminator: "")
        }
    }
}
