import ArgumentParser
import TriadCore
import TriadDevices
import TriadScheduling

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

    @Option(help: "Seed for request sampling.")
    var seed: UInt64 = 1

    @Option(help: "Longest sequence (prompt + output), tokens.")
    var maxSequence: Int = 2048

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard maxSequence >= 2 else { throw ValidationError("--max-sequence must be at least 2") }
    }

    /// Runs `policies` one after another on the same inputs.
    func run(policies: [Policy]) throws -> [RunReport] {
        let topologyFile = try Inputs.topology(at: topology)
        let devices = try Inputs.deviceSet(topologyFile, path: topology)
        let modelSpec = try Inputs.model(model, tensorParallel: tensorParallel, pipelineParallel: pipelineParallel)
        let stream = try Inputs.workload(workload)
        let workers: [any DeviceWorker] = topologyFile.devices.map { LocalDeviceWorker(device: $0) }
        return try policies.map { policy in
            let configuration = SimulationConfiguration(
                model: modelSpec, stream: stream, batchSize: batch, iterations: iterations, seed: seed, policy: policy,
                maxSequence: maxSequence, topologyName: topologyFile.name)
            do {
                var simulator = try Simulator(configuration: configuration, devices: devices, workers: workers)
                return try simulator.run()
            } catch let error as SimulationError {
                switch error.code {
                case .incompatible, .notYetImplemented:
                    throw InputError("\(topology): \(error.message)")
                case .deviceFailure:
                    throw RunFailure(message: error.message)
                }
            }
        }
    }

    func print(_ reports: [RunReport]) {
        switch format {
        case .json: Swift.print(RunReport.json(reports), terminator: "")
        case .table: Swift.print(RunReport.table(reports), terminator: "")
        }
    }
}
