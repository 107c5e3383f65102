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

    @Option(parsing: .unconditional, help: "Tensor-parallel degree (default: the preset's; 1 for config.json).")
    var tensorParallel: Int?

    @Option(parsing: .unconditional, help: "Pipeline-parallel degree (default: the preset's; 1 for config.json).")
    var pipelineParallel: Int?

    @Option(help: "sharegpt, alpaca, fixed:IN:OUT, or a trace file (vidur CSV or LLMServingSim JSONL).")
    var workload: String = "sharegpt"

    @Option(parsing: .unconditional, help: "Requests decoded together.")
    var batch: Int = 256

    @Option(parsing: .unconditional, help: "Decode iterations to simulate.")
    var iterations: Int = 1000

    @Option(parsing: .unconditional, help: "Iterations to simulate before measuring (e.g. while a trace's batch fills up).")
    var warmup: Int = 0

    @Option(parsing: .unconditional, help: "Seed for request sampling.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Longest sequence (prompt + output), tokens.")
    var maxSequence: Int = 2048

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @OptionGroup var serving: ServingFlags

    /// The ranges the run options accept (Topologies/README.md, "Limits"): wide enough for any study, small
    /// enough that memory and simulated time stay bounded.
    enum Limits {
        static let batch = 1...65_536
        static let iterations = 1...100_000_000
        static let warmup = 0...10_000_000
        static let maxSequence = 2...1_048_576
        static let traceIterations = 1...1_000
    }

    func validate() throws {
        let check = OptionRange.check(_:_:_:) as (Int, ClosedRange<Int>, String) throws -> Void
        if let tensorParallel { try check(tensorParallel, 1...65_536, "--tensor-parallel") }
        if let pipelineParallel { try check(pipelineParallel, 1...65_536, "--pipeline-parallel") }
        try check(batch, Limits.batch, "--batch")
        try check(iterations, Limits.iterations, "--iterations")
        try check(warmup, Limits.warmup, "--warmup")
        try check(maxSequence, Limits.maxSequence, "--max-sequence")
        try check(traceIterations, Limits.traceIterations, "--trace-iterations")
    }

    @Flag(help: "Ask the workers again every iteration instead of reusing learnt costs (same results; a testing aid).")
    var noCostReuse = false

    @Option(help: "Write the first iterations' timeline here as Chrome trace JSON (opens in Perfetto).")
    var trace: String?

    @Option(parsing: .unconditional, help: "Iterations the --trace timeline covers.")
    var traceIterations: Int = 2


    func load() throws -> LoadedInputs {
        if let trace {
            _ = try OutputFile(trace, flag: "--trace")
            for input in [topology, model, workload] where OutputFile.sameFile(trace, input) {
                throw InputError("triad: --trace \(trace) is an input of this run (\(input)); name another file")
            }
        } else if traceIterations != 2 {
            throw InputError("triad: --trace-iterations needs --trace FILE")
        }
        let loaded = try LoadedInputs(
            topology: try Inputs.topology(at: topology), path: topology, model: model,
            tensorParallel: tensorParallel, pipelineParallel: pipelineParallel, stream: try Inputs.workload(workload))
        try checkLengths(loaded.stream)
        try serving.check(stream: loaded.stream)
        return loaded
    }

    /// Lengths the user gave explicitly must fit `--max-sequence`: a fixed workload's IN + OUT, and every
    /// trace prompt (a trace request whose output runs past it is shortened, counted in `capped_requests`
    /// and warned about). Sampled data sets are capped as NeuPIMs caps them, counted, without a warning.
    func checkLengths(_ stream: RequestStream) throws {
        switch stream {
        case .fixed(let input, let output) where input + output > maxSequence:
            throw InputError(
                "triad: --workload fixed:\(input):\(output) is \(input + output) tokens, longer than --max-sequence \(maxSequence)")
        case .trace(let name, let requests):
            if let long = requests.first(where: { $0.inputTokens >= maxSequence }) {
                throw InputError(
                    "triad: \(name): request \(long.id + 1) has a \(long.inputTokens)-token prompt; --max-sequence \(maxSequence) leaves no room to decode (raise it)")
            }
        default:
            break
        }
    }

    /// One warning line on stderr per report that decoded less than asked: a batch the KV capacity kept
    /// small, or trace / fixed requests shortened to `--max-sequence`.
    func warnAboutChanges(_ reports: [RunReport], stream: RequestStream) {
        for report in reports {
            if report.iterations < iterations {
                warn(
                    "\(report.policy): the trace ran out after \(report.iterations) of --iterations \(iterations) (the report counts \(report.iterations))")
            }
            if report.kvLimitedFraction > 0 {
                warn(
                    "\(report.policy): the KV cache held the batch below --batch \(report.batch) in \(percent(report.kvLimitedFraction)) of iterations (mean \(String(format: "%.1f", report.meanActiveRequests)) requests; kv_limited_fraction)")
            }
            if report.isTooShort, !stream.isFinite {
                warn(
                    "\(report.policy): \(report.iterations) iterations are short for a steady state (the batch turned over \(String(format: "%.1f", report.turnovers))×; throughput ±\(percent(report.steadyStateSpread)) over the run's twentieths; steady_state): raise --iterations")
            }
            if report.cappedRequests > 0, case .trace = stream {
                warn(
                    "\(report.policy): \(report.cappedRequests) requests were longer than --max-sequence \(maxSequence) and were shortened to it (capped_requests)")
            }
        }
    }

    private func percent(_ fraction: Double) -> String { String(format: "%.1f %%", fraction * 100) }

    private func warn(_ line: String) {
        FileHandle.standardError.write(Data("triad: warning: \(line)\n".utf8))
    }

    /// The experiment these options describe.
    func experiment(_ inputs: LoadedInputs) -> Experiment {
        var experiment = inputs.experiment()
        experiment.batch = batch
        experiment.iterations = iterations
        experiment.seed = seed
        experiment.maxSequence = maxSequence
        experiment.warmupIterations = warmup
        experiment.reusesCosts = !noCostReuse
        experiment.traceIterations = trace == nil ? 0 : max(1, traceIterations)
        experiment.serving = (try? serving.options()) ?? ServingOptions()
        return experiment
    }

    /// Runs `policies` one after another in this process.
    func run(policies: [Policy]) throws -> [RunReport] {
        try simulate(policies: policies, inputs: try load(), costs: nil)
    }

    /// Runs `policies` one after another, costing through `costs` (in-process unless given), writes the
    /// `--trace` file, and turns simulation errors into the CLI's.
    func simulate(policies: [Policy], inputs: LoadedInputs, costs: (any CostService)?) throws -> [RunReport] {
        let outcome = try Self.mappingErrors(inputs.topology, path: topology) {
            try experiment(inputs).run(policies, costs: costs)
        }
        try writeTrace(outcome)
        try serving.writeRequests(outcome.reports)
        warnAboutChanges(outcome.reports, stream: inputs.stream)
        return outcome.reports
    }

    /// Writes `--trace`, if asked for.
    func writeTrace(_ outcome: Experiment.Outcome) throws {
        guard let trace else { return }
        try OutputFile(trace, flag: "--trace").write(
            TraceEvent.chromeTrace(outcome.traces.map { ($0.policy, $0.events) }))
    }

    /// `body`'s simulation errors as the CLI's: bad input (exit 2) or a failed run (exit 1).
    static func mappingErrors<T>(_ topology: Topology, path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SimulationError {
            throw Inputs.located(error, in: topology, path: path)
        }
    }

    func print(_ reports: [RunReport]) {
        switch format {
        case .json: Swift.print(RunReport.json(reports), terminator: "")
        case .table: Swift.print(RunReport.table(reports), terminator: "")
        }
    }
}
