import TriadCore
public import TriadScheduling
import TriadDatasets

/// The NeuPIMs paper's experiments (Heo et al., ASPLOS 2024, §6) run on Triad, in two modes: steady-state
/// continuous batching (the sweep) and the simulator's own mode, one decode step over its recorded batches
/// (`snapshot`), plus Triad next to the simulator itself (docs/MODEL.md §7).
public enum NeuPIMsReproduction {
    /// Which points to run.
    public struct Plan: Sendable {
        public var models: [String]
        public var datasets: [String]
        public var batches: [Int]
        /// GPT3-7B ShareGPT ablation batches.
        public var ablationBatches: [Int]
        /// Device count and batch of the tensor- vs pipeline-parallel comparison (GPT3-30B).
        public var parallelDevices: Int
        public var parallelBatch: Int

        /// The paper's sweep.
        public static let full = Plan(
            models: ["gpt3-7b", "gpt3-13b", "gpt3-30b", "gpt3-175b"], datasets: ["sharegpt", "alpaca"],
            batches: [64, 128, 256, 384, 512], ablationBatches: [64, 128, 256, 384, 512], parallelDevices: 8,
            parallelBatch: 256)

        /// A few points, for CI: every claim still gets a value.
        public static let quick = Plan(
            models: ["gpt3-7b", "gpt3-30b"], datasets: ["sharegpt", "alpaca"], batches: [64, 256],
            ablationBatches: [64, 256], parallelDevices: 8, parallelBatch: 256)
    }

    public static let systems = ["npu-only", "npu+pim", "neupims"]
    /// The paper's ablation with its "dual row buffers" step split into the three mechanisms it bundles.
    public static let ablationSystems = [
        "npu+pim", "npu+pim+drb", "npu+pim+drb+fused", "npu+pim+drb+fused+bulk", "npu+pim+drb+fused+bulk+gmlbp",
        "npu+pim+drb+fused+bulk+gmlbp+sbi",
    ]

    public struct Result: Sendable {
        public var sweep: [ReproductionPoint] = []
        public var ablation: [ReproductionPoint] = []
        public var utilization: [ReproductionPoint] = []
        /// GPT3-30B on `parallelDevices` devices split as TP × PP, `neupims`.
        public var parallelism: [ReproductionPoint] = []
        /// The sweep's NPU-only points rerun with NPU attention mapped as the NeuPIMs simulator maps it.
        public var simulatorAttention: [ReproductionPoint] = []
        /// One-step snapshots over the simulator's ten recorded 512-request batches, per system.
        public var snapshots: [String: [SnapshotReport]] = [:]
        /// One-step snapshots of steady-state batches drawn for every model, data set and batch of the sweep
        /// (NeuPIMs greedy-placed, the baselines round-robin), per system.
        public var snapshotSweep: [String: [SnapshotReport]] = [:]
        /// Triad next to the simulator on its batch-256 trace.
        public var simulatorCheck: [SimulatorCheck.Row] = []
        public var claims: [Claim] = []
    }

    /// Runs `plan`; `progress` hears each point as it starts.
    public static func run(
        _ plan: Plan, runner: ExperimentRunner, sensitivityRunner: ExperimentRunner? = nil,
        progress: (String) -> Void = { _ in }
    ) throws -> Result {
        var result = Result()
        var streams: [String: RequestStream] = [:]
        for name in plan.datasets { streams[name] = try ExperimentRunner.dataset(name) }
        func point(
            _ model: ModelSpec, _ dataset: String, _ batch: Int, _ system: String,
            communication: CommunicationPlan? = nil
        ) throws -> ReproductionPoint {
            progress("\(model.name) \(dataset) batch \(batch) \(system)")
            let report = try runner.run(
                model: model, stream: streams[dataset]!, batch: batch, policy: Policy(name: system)!,
                communication: communication)
            return ReproductionPoint(model: model.name, dataset: dataset, batch: batch, system: system, report: report)
        }
        for name in plan.models {
            let model = ModelPresets.named(name)!
            for dataset in plan.datasets {
                for batch in plan.batches {
                    for system in systems { result.sweep.append(try point(model, dataset, batch, system)) }
                }
            }
        }
        let gpt7 = ModelPresets.named("gpt3-7b")!
        for batch in plan.ablationBatches {
            for system in ablationSystems { result.ablation.append(try point(gpt7, "sharegpt", batch, system)) }
        }
        let gpt30 = ModelPresets.named("gpt3-30b")!
        for system in ["npu+pim", "neupims"] {
            result.utilization.append(try point(gpt30, "sharegpt", 256, system))
        }
        var tensor = plan.parallelDevices
        while tensor >= 1 {
            var model = gpt30
            model.tensorParallel = tensor
            model.pipelineParallel = plan.parallelDevices / tensor
            let link = ExperimentRunner.assumedLink
            let communication = CommunicationPlan(
                tensorRanks: tensor, tensorLink: link, pipelineStages: model.pipelineParallel, pipelineLink: link)
            var measured = try point(model, "sharegpt", plan.parallelBatch, "neupims", communication: communication)
            measured.model = "gpt3-30b tp\(tensor) pp\(plan.parallelDevices / tensor)"
            result.parallelism.append(measured)
            tensor /= 2
        }
        if let sensitivityRunner {
            for original in result.sweep where original.system == "npu-only" {
                progress(
                    "\(original.model) \(original.dataset) batch \(original.batch) npu-only (simulator attention mapping)"
                )
                let report = try sensitivityRunner.run(
                    model: ModelPresets.named(original.model)!, stream: streams[original.dataset]!,
                    batch: original.batch,
                    policy: .npuOnly)
                result.simulatorAttention.append(
                    ReproductionPoint(
                        model: original.model, dataset: original.dataset, batch: original.batch,
                        system: "npu-only", report: report))
            }
        }
        if let sensitivityRunner {
            progress("snapshots of the NeuPIMs batches")
            result.snapshots = try snapshots(runner: runner, fusedAttention: sensitivityRunner)
            result.snapshotSweep = try snapshotSweep(plan, streams: streams, runner: runner)
            result.simulatorCheck = try SimulatorCheck.run(runner: runner, fusedAttention: sensitivityRunner)
        }
        result.claims = claims(result)
        return result
    }
}
