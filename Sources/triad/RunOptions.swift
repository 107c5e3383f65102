import TriadSetup
import Foundation
import ArgumentParser
import TriadCore
import TriadDevices
import TriadScheduling
import TriadTopology
import TriadDatasets

/// Output format of run and compare.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

/// How a table shows many devices' busy fractions.
enum DeviceColumns: String, ExpressibleByArgument, CaseIterable {
    case summary
    case all
}

/// Options shared by `run` and `compare`.
struct RunOptions: ParsableArguments {
    @Argument(help: "Topology file (YAML).")
    var topology: String

    @Option(
        help:
            "Model preset (`triad models` lists them: GPT-3, Llama 3, Mixtral and other MoE, MatMul-free, BitNet) or a Hugging Face config.json."
    )
    var model: String = "gpt3-7b"

    @Option(parsing: .unconditional, help: "Tensor-parallel degree (default: the preset's; 1 for config.json).")
    var tensorParallel: Int?

    @Option(parsing: .unconditional, help: "Pipeline-parallel degree (default: the preset's; 1 for config.json).")
    var pipelineParallel: Int?

    @Option(
        help:
            "Weight format of the model's linear layers: fp16, fp8, int8, int4, int2 (INT4/INT2 with a scale and zero per 128 weights; the LM head stays 16-bit) or ternary (BitLinear weights in {-1, 0, +1}, as BitNet b1.58). Default: the model's.")
    var weights: String?

    @Option(
        help:
            "KV cache format: fp16, fp8, or bfp:BLOCK:MANTISSA (block floating point: BLOCK elements share an 8-bit exponent, MANTISSA-bit mantissas; bfp:32:4 is BFP12). Needs NPU attention below fp16.")
    var kvFormat: String = "fp16"

    @Option(
        help:
            "Unstructured weight sparsity as Flash-LLM serves it: S (0…0.999) for every linear layer, or per matrix qkv=S,proj=S,ffn-up=S,ffn-down=S (with S first as the default for the rest); weights stream in Tiled-CSL (4 bytes per nonzero) and compute dense; a trailing :skip skips the zeros' work.")
    var sparsity: String?

    @Option(
        help:
            "MoBA block-sparse attention while decoding, BLOCK:TOPK: each query attends to the TOPK blocks of BLOCK tokens its gate scores best (the KV cache keeps everything).")
    var moba: String?

    @Flag(
        help:
            "Mixture of experts: whole experts on the tensor-parallel ranks (expert e on rank e mod T; the layer waits for the busiest rank) instead of every expert split over the ranks.")
    var expertParallel = false

    @Flag(
        help:
            "Mixture of experts, with --expert-parallel: attention, norms, shared experts and the LM head data-parallel (each rank whole, for 1/T of the tokens), tokens to their experts' ranks and back by all-to-all.")
    var dataParallelAttention = false

    @Option(
        parsing: .unconditional,
        help: "Mixture of experts: routing skew, a Zipf exponent over the experts' popularity (0 = uniform, up to 4).")
    var expertSkew: Double = 0

    @Option(
        help:
            "Mixture of experts: expert choices from a routing trace (DynaNDE-Simulator's CSV: layer_id,token_id,expert_0,…) instead of drawn.")
    var routing: String?

    @Option(help: "sharegpt, alpaca, fixed:IN:OUT, or a trace file (vidur CSV or LLMServingSim JSONL).")
    var workload: String = "sharegpt"

    @Option(parsing: .unconditional, help: "Requests decoded together.")
    var batch: Int = 256

    @Option(parsing: .unconditional, help: "Decode iterations to simulate.")
    var iterations: Int = 1000

    @Option(
        parsing: .unconditional, help: "Iterations to simulate before measuring (e.g. while a trace's batch fills up).")
    var warmup: Int = 0

    @Option(parsing: .unconditional, help: "Seed for request sampling.")
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Longest sequence (prompt + output), tokens.")
    var maxSequence: Int = 2048

    @Option(help: "table or json.")
    var format: OutputFormat = .table

    @Option(help: "Table columns for many devices: summary (busy per kind of device) or all (one per device).")
    var devices: DeviceColumns = .summary

    @OptionGroup var serving: ServingFlags

    @Option(
        help:
            "What the auto policy optimizes: throughput (default) or energy (J/token; with --slo-tpot-ms, the cheapest plan that meets it)."
    )
    var objective: PlaceObjective = .throughput

    @Option(
        parsing: .unconditional,
        help: "Copies of the whole topology serving one arrival stream (needs --arrival-rate or a trace).")
    var replicas: Int = 1

    @Option(
        help:
            "How arrivals are spread over the replicas: round-robin, least-tokens, central-queue, or session (a session's turns stay on one replica).")
    var router: String = "round-robin"

    @Option(
        help:
            "Replace each iteration's simulated time by linear:A,BP,BD ms (A + BP per prompt token + BD per decoding request), to compare scheduling with another simulator.")
    var iterationCost: String?

    func validate() throws {
        let check = OptionRange.check(_:_:_:) as (Int, ClosedRange<Int>, String) throws -> Void
        if let tensorParallel { try check(tensorParallel, Experiment.Limits.parallelDegree, "--tensor-parallel") }
        if let pipelineParallel { try check(pipelineParallel, Experiment.Limits.parallelDegree, "--pipeline-parallel") }
        try check(batch, Experiment.Limits.batch, "--batch")
        try check(iterations, Experiment.Limits.iterations, "--iterations")
        try check(warmup, Experiment.Limits.warmup, "--warmup")
        try check(maxSequence, Experiment.Limits.maxSequence, "--max-sequence")
        try check(traceIterations, Experiment.Limits.timelineIterations, "--trace-iterations")
        try check(replicas, Experiment.Limits.replicas, "--replicas")
        try OptionRange.check(expertSkew, 0...4, "--expert-skew")
        if let sparsity, WeightSparsity(sparsity) == nil {
            throw ValidationError("--sparsity must be \(WeightSparsity.accepted) (got '\(sparsity.prefix(40))')")
        }
        if let moba, BlockSparseAttention(moba) == nil {
            throw ValidationError("--moba must be \(BlockSparseAttention.accepted) (got '\(moba.prefix(40))')")
        }
        guard KeyValueFormat(kvFormat) != nil else {
            throw ValidationError("--kv-format must be \(KeyValueFormat.accepted) (got '\(kvFormat.prefix(40))')")
        }
        if let weights, ModelSpec.WeightFormat(rawValue: weights) == nil {
            throw ValidationError("--weights must be \(ModelSpec.WeightFormat.accepted) (got '\(weights.prefix(40))')")
        }
        if let iterationCost, LinearIterationCost(iterationCost) == nil {
            throw ValidationError(
                "--iteration-cost must be linear:A,BP,BD with each a number of milliseconds in 0…1e6 (got '\(iterationCost.prefix(40))')"
            )
        }
        guard Router(rawValue: router) != nil else {
            throw ValidationError("--router must be \(Router.accepted) (got '\(router.prefix(40))')")
        }
    }

    @Flag(help: "Ask the workers again every iteration instead of reusing learnt costs (same results; a testing aid).")
    var noCostReuse = false

    @Option(help: "Write the first iterations' timeline here as Chrome trace JSON (opens in Perfetto).")
    var trace: String?

    @Option(parsing: .unconditional, help: "Iterations the --trace timeline covers.")
    var traceIterations: Int = 2

    /// Loads what the flags name (checking the output files before anything runs) and builds the run's
    /// `Experiment` from them: the one parameter set every path runs.
    func load() throws -> (inputs: LoadedInputs, experiment: Experiment) {
        if let trace {
            _ = try OutputFile(trace, flag: "--trace")
            for input in [topology, model, workload] where OutputFile.sameFile(trace, input) {
                throw InputError("triad: --trace \(trace) is an input of this run (\(input)); name another file")
            }
        } else if traceIterations != 2 {
            throw InputError("triad: --trace-iterations needs --trace FILE")
        }
        let inputs = try LoadedInputs(
            topology: try Inputs.topology(at: topology), path: topology, model: model,
            tensorParallel: tensorParallel, pipelineParallel: pipelineParallel, stream: try Inputs.workload(workload))
        try RunArtifacts.checkLengths(inputs.stream, maxSequence: maxSequence)
        try serving.check(stream: inputs.stream)
        var experiment = inputs.experiment()
        experiment.batch = batch
        experiment.iterations = iterations
        experiment.seed = seed
        experiment.maxSequence = maxSequence
        experiment.warmupIterations = warmup
        experiment.reusesCosts = !noCostReuse
        experiment.timelineIterations = trace == nil ? 0 : traceIterations
        experiment.serving = try serving.options()
        experiment.objective = objective.search
        experiment.replicas = replicas
        experiment.router = Router(rawValue: router) ?? .roundRobin
        experiment.iterationCost = iterationCost.flatMap(LinearIterationCost.init)
        experiment.expertSkew = expertSkew
        try shape(&experiment.model)
        if let routing {
            guard experiment.model.experts != nil else {
                throw InputError("triad: --routing needs a Mixture-of-Experts model (\(experiment.model.name) is dense)")
            }
            do {
                experiment.routingTrace = try RoutingTraceReader.parse(
                    try InputFile.read(routing, what: "routing trace", limit: InputFile.traceLimit), file: routing)
            } catch let error as DatasetError {
                throw InputError(error.message)
            }
        }
        experiment.tpotBoundMilliseconds = experiment.serving.tpotLimitMilliseconds
        // Without a split on the command line, `auto` chooses one (the fixed policies run the topology's).
        if tensorParallel == nil && pipelineParallel == nil {
            experiment.autoSplits = inputs.autoSplits(for: experiment, path: topology, modelName: model)
            for index in experiment.autoSplits.indices {
                experiment.autoSplits[index].experiment.expertSkew = expertSkew
                experiment.autoSplits[index].experiment.routingTrace = experiment.routingTrace
                try shape(&experiment.autoSplits[index].experiment.model)
            }
        }
        return (inputs, experiment)
    }

    /// Applies the model flags — weight format, sparsity, KV format, MoBA, expert parallelism — to `model`.
    func shape(_ model: inout ModelSpec) throws {
        if let weights, let format = ModelSpec.WeightFormat(rawValue: weights) {
            guard model.weightFormat != .ternary || format == .ternary else {
                throw InputError("triad: \(model.name) is a ternary model; --weights sets the width of 16-bit ones")
            }
            guard format != .ternary || model.architecture == .transformer else {
                throw InputError("triad: --weights ternary is for transformers (\(model.name) is ternary already)")
            }
            model.weightFormat = format
        }
        if let sparse = sparsity.flatMap(WeightSparsity.init) {
            guard model.weightFormat == .fp16 else {
                throw InputError(
                    "triad: --sparsity with \(model.weightFormat.rawValue) weights is not yet modelled (Tiled-CSL holds 16-bit values)")
            }
            model.weightSparsity = sparse
        }
        model.keyValueFormat = KeyValueFormat(kvFormat) ?? .fp16
        model.blockSparseAttention = moba.flatMap(BlockSparseAttention.init)
        if model.blockSparseAttention != nil && !model.hasAttention {
            throw InputError("triad: --moba needs a model with attention (\(model.name) has none)")
        }
        if expertParallel {
            guard model.experts != nil else {
                throw InputError("triad: --expert-parallel needs a Mixture-of-Experts model (\(model.name) is dense)")
            }
            model.expertParallel = true
        }
        if dataParallelAttention {
            guard expertParallel else {
                throw InputError("triad: --data-parallel-attention needs --expert-parallel (the experts are what the ranks share)")
            }
            model.dataParallelAttention = true
        }
    }

    /// Runs `policies` one after another in this process.
    func run(policies: [Policy]) throws -> [RunReport] {
        let loaded = try load()
        return try simulate(policies: policies, loaded: loaded, costs: nil)
    }

    /// Runs `policies` through `costs` (in-process unless given), writes the run's files and warnings.
    func simulate(policies: [Policy], loaded: (inputs: LoadedInputs, experiment: Experiment), costs: (any CostService)?)
        throws -> [RunReport]
    {
        let outcome = try RunArtifacts.locatingErrors(in: loaded.inputs.topology, path: topology) {
            try loaded.experiment.run(policies, costs: costs)
        }
        try finish(outcome, experiment: loaded.experiment)
        return outcome.reports
    }

    /// Writes `--trace` and `--requests-out` and warns about what the run changed.
    func finish(_ outcome: Experiment.Outcome, experiment: Experiment) throws {
        if let trace { try RunArtifacts.writeTimeline(outcome, to: trace) }
        if let requestsOut = serving.requestsOut { try RunArtifacts.writeRequests(outcome.reports, to: requestsOut) }
        for line in RunArtifacts.warnings(outcome.reports, experiment: experiment) {
            FileHandle.standardError.write(Data("triad: warning: \(line)\n".utf8))
        }
    }

    func print(_ reports: [RunReport]) {
        switch format {
        case .json: Swift.print(RunReport.json(reports), terminator: "")
        case .table: Swift.print(RunReport.table(reports, allDevices: devices == .all), terminator: "")
        }
    }
}
