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
        public var sweep: [SweepPoint] = []
        public var ablation: [SweepPoint] = []
        public var utilization: [SweepPoint] = []
        /// GPT3-30B on `parallelDevices` devices split as TP × PP, `neupims`.
        public var parallelism: [SweepPoint] = []
        /// The sweep's NPU-only points rerun with NPU attention mapped as the NeuPIMs simulator maps it.
        public var simulatorAttention: [SweepPoint] = []
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
        func point(_ model: ModelSpec, _ dataset: String, _ batch: Int, _ system: String) throws -> SweepPoint {
            progress("\(model.name) \(dataset) batch \(batch) \(system)")
            let report = try runner.run(
                model: model, stream: streams[dataset]!, batch: batch, policy: Policy(name: system)!)
            return SweepPoint(model: model.name, dataset: dataset, batch: batch, system: system, report: report)
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
            var measured = try point(model, "sharegpt", plan.parallelBatch, "neupims")
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
                    SweepPoint(
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

    /// The simulator's mode: NeuPIMs on the greedily placed batches, the baselines on the round-robin ones
    /// (the paper's naive NPU+PIM places round-robin), NPU-only with both attention mappings.
    static func snapshots(runner: ExperimentRunner, fusedAttention: ExperimentRunner) throws -> [String: [SnapshotReport]] {
        let model = ModelPresets.named("gpt3-7b")!
        let greedy = try BundledBatches.neupims(placement: "clb")
        let roundRobin = try BundledBatches.neupims(placement: "rr")
        var out: [String: [SnapshotReport]] = [:]
        out["neupims"] = try greedy.map { try runner.snapshot(model: model, batch: $0, policy: .neupims) }
        out["npu+pim"] = try roundRobin.map { try runner.snapshot(model: model, batch: $0, policy: .npuPIM) }
        out["npu-only"] = try roundRobin.map { try runner.snapshot(model: model, batch: $0, policy: .npuOnly) }
        out["npu-only fusedmha"] = try roundRobin.map {
            try fusedAttention.snapshot(model: model, batch: $0, policy: .npuOnly)
        }
        return out
    }

    /// The simulator's mode over the sweep: for every model, data set and batch, one steady-state batch drawn
    /// as a long run finds it (seeded), placed greedily for NeuPIMs and round-robin for the baselines.
    static func snapshotSweep(_ plan: Plan, streams: [String: RequestStream], runner: ExperimentRunner) throws
        -> [String: [SnapshotReport]]
    {
        var out: [String: [SnapshotReport]] = [:]
        for name in plan.models {
            var model = ModelPresets.named(name)!
            model.pipelineParallel = 1
            let shard = ModelShard(model)
            for dataset in plan.datasets {
                for batch in plan.batches {
                    var generator = RequestGenerator(
                        stream: streams[dataset]!, maxSequence: 2048, generator: SplitMix64(seed: runner.seed))
                    let sequences = (0..<batch).map { _ -> Int in
                        let drawn = generator.nextInFlight()!
                        return min(drawn.request.inputTokens + drawn.generated + 1, 2048)
                    }
                    let label = "\(name)-\(dataset)-b\(batch)"
                    for (system, rule) in [
                        ("neupims", ExecutionPlan.KVPlacementRule.greedyMinLoad), ("npu+pim", .roundRobin),
                        ("npu-only", .roundRobin),
                    ] {
                        let entries = BatchPlacement.place(sequences, channels: 32, rule: rule, shard: shard)
                        let report = try runner.snapshot(
                            model: model, batch: BundledBatches.Batch(name: label, entries: entries),
                            policy: Policy(name: system)!)
                        out[system, default: []].append(report)
                    }
                }
            }
        }
        return out
    }

    /// Mean over the recorded batches of `slower`'s per-layer cycles over `faster`'s.
    private static func snapshotRatio(_ snapshots: [String: [SnapshotReport]], _ faster: String, _ slower: String)
        -> Double
    {
        guard let top = snapshots[faster], let bottom = snapshots[slower], top.count == bottom.count else { return 0 }
        return mean(zip(top, bottom).map { Double($1.perLayerCycles) / Double(max($0.perLayerCycles, 1)) })
    }

    private static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Per-point ratio of `numerator` over `denominator` (same model, dataset, batch) in `points`.
    private static func ratios(
        _ points: [SweepPoint], _ numerator: String, _ denominator: String,
        where include: (SweepPoint) -> Bool = { _ in true }, metric: (RunReport) -> Double = { $0.tokensPerSecond }
    ) -> [Double] {
        points.filter { $0.system == numerator && include($0) }.compactMap { top in
            guard
                let bottom = points.first(where: {
                    $0.system == denominator && $0.model == top.model && $0.dataset == top.dataset
                        && $0.batch == top.batch
                })
            else { return nil }
            let value = metric(bottom.report)
            return value == 0 ? nil : metric(top.report) / value
        }
    }

    static func claims(_ result: Result) -> [Claim] {
        let sweep = result.sweep
        let ablation = result.ablation
        var claims: [Claim] = []
        let gemmBound =
            "NPU-only here streams K and V at the sustained bandwidth (attention on the vector units, bandwidth-bound); the simulator's FusedMHA baseline is far slower, see neupims_vs_npu_only_fusedmha"
        claims.append(
            Claim(
                id: "neupims_vs_npu_only", description: "NeuPIMs / NPU-only throughput, mean over the sweep",
                paper: 2.4,
                paperText: "2.4×", measured: mean(ratios(sweep, "neupims", "npu-only")), note: gemmBound, unit: .ratio))
        claims.append(
            Claim(
                id: "neupims_vs_npu_pim", description: "NeuPIMs / NPU+PIM throughput, mean over the sweep", paper: 1.6,
                paperText: "1.6× (13 % … 3×)", measured: mean(ratios(sweep, "neupims", "npu+pim")),
                note:
                    "the naive baseline pays the Newton command set through a one-instruction-per-cycle host path (see the drb_* split); how much depends on the attention share",
                unit: .ratio))
        claims.append(
            Claim(
                id: "npu_pim_vs_npu_only", description: "NPU+PIM / NPU-only throughput, mean over the sweep",
                paper: 1.5,
                paperText: "≈1.5×", measured: mean(ratios(sweep, "npu+pim", "npu-only")),
                note:
                    "the blocked baseline's host path (one PIM instruction per cycle, channel by channel) makes its attention slower than streaming K/V to the NPU at full bandwidth",
                unit: .ratio))
        let utilization = result.utilization
        func util(_ system: String, _ device: String) -> Double {
            utilization.first { $0.system == system }?.paperUtilization(device) ?? 0
        }
        claims.append(
            Claim(
                id: "util_npu_pim_npu", description: "GPT3-30B b256 ShareGPT, NPU+PIM: NPU busy", paper: 0.280,
                paperText: "28.0 %", measured: util("npu+pim", "npu0"),
                note: "paper_utilization: share of time the systolic pipeline holds a GEMM (the simulator's NPU measure)",
                unit: .fraction))
        claims.append(
            Claim(
                id: "util_npu_pim_pim", description: "GPT3-30B b256 ShareGPT, NPU+PIM: PIM busy", paper: 0.17,
                paperText: "≈17 %", measured: util("npu+pim", "pim0"),
                note: "channels' mean share of time with PIM work queued (the simulator's pim_cycles)", unit: .fraction))
        claims.append(
            Claim(
                id: "util_neupims_npu", description: "GPT3-30B b256 ShareGPT, NeuPIMs: NPU busy", paper: 0.649,
                paperText: "64.9 %", measured: util("neupims", "npu0"),
                note: "GEMMs here are bound by streaming their weights, so the pipeline holds them most of the time",
                unit: .fraction))
        claims.append(
            Claim(
                id: "util_neupims_pim", description: "GPT3-30B b256 ShareGPT, NeuPIMs: PIM busy", paper: 0.264,
                paperText: "26.4 %", measured: util("neupims", "pim0"), note: "", unit: .fraction))
        func gain(_ top: String, _ bottom: String) -> Double { mean(ratios(ablation, top, bottom).map { $0 - 1 }) }
        claims.append(
            Claim(
                id: "drb_gain",
                description: "GPT3-7B ShareGPT: \"dual row buffers\" as the paper's ablation bundles them (+drb+fused+bulk)",
                paper: 0.697, paperText: "+69.7 %", measured: gain("npu+pim+drb+fused+bulk", "npu+pim"),
                note: "the three mechanisms below, together; mean over batches", unit: .fraction))
        claims.append(
            Claim(
                id: "drb_controller_gain", description: "…of which the second row buffer and the NeuPIMs controller (+drb)",
                paper: nil, paperText: "not given", measured: gain("npu+pim+drb", "npu+pim"),
                note: "single-buffer GWRITEs need a precharge and an activation; ordinary traffic proceeds beside PIM",
                unit: .fraction))
        claims.append(
            Claim(
                id: "drb_fused_gain", description: "…then the fused COMPS_READRES command set (+fused)", paper: nil,
                paperText: "not given", measured: gain("npu+pim+drb+fused", "npu+pim+drb"),
                note: "7.8× fewer host transactions, which the one-per-cycle host path feels most", unit: .fraction))
        claims.append(
            Claim(
                id: "drb_bulk_gain", description: "…then the host moving whole tiles of PIM instructions (+bulk)",
                paper: nil, paperText: "not given", measured: gain("npu+pim+drb+fused+bulk", "npu+pim+drb+fused"),
                note: "channels no longer start one after another", unit: .fraction))
        let greedy = ratios(ablation, "npu+pim+drb+fused+bulk+gmlbp", "npu+pim+drb+fused+bulk")
        claims.append(
            Claim(
                id: "gmlbp_gain_min", description: "GPT3-7B ShareGPT: greedy placement gain, smallest over batches",
                paper: nil, paperText: "> 1 at every batch", measured: greedy.min() ?? 0,
                holds: (greedy.min() ?? 0) > 1, note: "", unit: .ratio))
        let interleaving = ablation.filter { $0.system == "npu+pim+drb+fused+bulk+gmlbp+sbi" }.compactMap {
            top -> (Int, Double)? in
            guard
                let bottom = ablation.first(where: {
                    $0.system == "npu+pim+drb+fused+bulk+gmlbp" && $0.batch == top.batch
                })
            else {
                return nil
            }
            return (top.batch, top.report.tokensPerSecond / bottom.report.tokensPerSecond)
        }
        let smallBatch = interleaving.filter { $0.0 <= 64 }.map(\.1)
        let largeBatch = interleaving.filter { $0.0 >= 256 }.map(\.1)
        let sbiNote =
            "each sub-batch streams every weight again (no reuse, as in the simulator) and a pass under 128 tokens costs a full tile, so splitting pays only when the hidden attention outweighs one more weight stream"
        claims.append(
            Claim(
                id: "sbi_gain_small_batch", description: "GPT3-7B ShareGPT: interleaving at batch 64 (with all else on)",
                paper: nil, paperText: "< 1 (hurts)", measured: mean(smallBatch), holds: mean(smallBatch) < 1,
                note: sbiNote, unit: .ratio))
        claims.append(
            Claim(
                id: "sbi_gain_large_batch",
                description: "GPT3-7B ShareGPT: interleaving at batch ≥ 256 (with all else on)",
                paper: nil, paperText: "> 1 (best at ≥ 256)", measured: mean(largeBatch), holds: mean(largeBatch) > 1,
                note: sbiNote, unit: .ratio))
        // KV placement balance in steady state, on the sweep's largest GPT3-7B ShareGPT batch.
        let largest = sweep.filter { $0.model == "gpt3-7b" && $0.dataset == "sharegpt" }.map(\.batch).max() ?? 0
        func imbalance(_ system: String) -> Double {
            sweep.first {
                $0.model == "gpt3-7b" && $0.dataset == "sharegpt" && $0.batch == largest && $0.system == system
            }?
            .report.channelImbalance ?? 0
        }
        claims.append(
            Claim(
                id: "kv_busiest_channel_greedy",
                description: "GPT3-7B ShareGPT batch \(largest): busiest PIM channel over the mean, greedy placement",
                paper: 1.14, paperText: "≈1.14× (NeuPIMs traces)", measured: imbalance("neupims"),
                note: "ours: attention time per channel, averaged over steady-state iterations; placement at admission",
                unit: .ratio))
        claims.append(
            Claim(
                id: "kv_busiest_channel_round_robin",
                description: "GPT3-7B ShareGPT batch \(largest): busiest PIM channel over the mean, round-robin",
                paper: 1.66, paperText: "≈1.66× (NeuPIMs traces)", measured: imbalance("npu+pim"),
                note:
                    "ours assigns channels in turn at admission, one request at a time (skipping full ones); how the traces' round-robin batches came to be this uneven is not in the sources",
                unit: .ratio))
        let energy = ratios(sweep, "neupims", "npu-only", metric: { $0.energyPerTokenJoules })
        claims.append(
            Claim(
                id: "energy_neupims_vs_npu_only",
                description: "NeuPIMs / NPU-only energy per token, mean over the sweep",
                paper: 0.75, paperText: "≈0.75 (1.8× power at 2.4× speed)", measured: mean(energy),
                note:
                    "no static NPU power in the sources (0 W here); PIM computes with COMP = 4 × READ instead of streaming K/V",
                unit: .ratio))
        let shareGPT = mean(ratios(sweep, "neupims", "npu+pim", where: { $0.dataset == "sharegpt" }))
        let alpaca = mean(ratios(sweep, "neupims", "npu+pim", where: { $0.dataset == "alpaca" }))
        claims.append(
            Claim(
                id: "gain_sharegpt_over_alpaca", description: "NeuPIMs / NPU+PIM gain on ShareGPT over that on Alpaca",
                paper: nil, paperText: "> 1", measured: alpaca == 0 ? 0 : shareGPT / alpaca, holds: shareGPT > alpaca,
                note: "longer ShareGPT sequences make attention a larger share", unit: .ratio))
        let batches = Set(sweep.map(\.batch)).sorted()
        var growth: [Double] = []
        if let smallest = batches.first, let largest = batches.last, smallest != largest {
            let small = ratios(sweep, "neupims", "npu+pim", where: { $0.batch == smallest })
            let large = ratios(sweep, "neupims", "npu+pim", where: { $0.batch == largest })
            growth = zip(large, small).map { $0 / $1 }
        }
        claims.append(
            Claim(
                id: "gain_grows_with_batch",
                description: "NeuPIMs / NPU+PIM gain at the largest batch over that at the smallest",
                paper: nil, paperText: "> 1", measured: mean(growth), holds: mean(growth) > 1, note: "", unit: .ratio))
        if !result.simulatorAttention.isEmpty {
            let others = sweep.filter { $0.system != "npu-only" } + result.simulatorAttention
            claims.append(
                Claim(
                    id: "neupims_vs_npu_only_fusedmha",
                    description: "NeuPIMs / NPU-only with the simulator's FusedMHA baseline, mean over the sweep",
                    paper: 2.4, paperText: "2.4×", measured: mean(ratios(others, "neupims", "npu-only")),
                    note:
                        "the simulator's npu-only branch: per head, serialised 271-cycle preloads on one array; latency-bound, far from the paper's baseline",
                    unit: .ratio))
        }
        if !result.snapshots.isEmpty {
            let note = "one decode step over the simulator's ten recorded 512-request GPT3-7B batches (its own mode)"
            claims.append(
                Claim(
                    id: "snapshot_neupims_vs_npu_pim", description: "Snapshot mode: NeuPIMs / NPU+PIM (clb vs rr batches)",
                    paper: 1.6, paperText: "1.6×", measured: snapshotRatio(result.snapshots, "neupims", "npu+pim"),
                    note:
                        "\(note); the simulator itself gives 687,222 / 301,071 = 2.28× on its batch-256 trace (same placement for both): its blocked baseline's one-instruction-per-cycle host path, not a Triad artefact",
                    unit: .ratio))
            claims.append(
                Claim(
                    id: "snapshot_neupims_vs_npu_only", description: "Snapshot mode: NeuPIMs / NPU-only (bandwidth-bound)",
                    paper: 2.4, paperText: "2.4×", measured: snapshotRatio(result.snapshots, "neupims", "npu-only"),
                    note: note, unit: .ratio))
            claims.append(
                Claim(
                    id: "snapshot_neupims_vs_npu_only_fusedmha",
                    description: "Snapshot mode: NeuPIMs / NPU-only (the simulator's FusedMHA)", paper: 2.4,
                    paperText: "2.4×", measured: snapshotRatio(result.snapshots, "neupims", "npu-only fusedmha"),
                    note: note, unit: .ratio))
        }
        if !result.snapshotSweep.isEmpty {
            let note =
                "one decode step of a steady-state batch per model, data set and batch (the sweep's), staged as the simulator stages it"
            claims.append(
                Claim(
                    id: "snapshot_sweep_neupims_vs_npu_pim",
                    description: "Snapshot mode over the sweep: NeuPIMs / NPU+PIM, mean", paper: 1.6, paperText: "1.6×",
                    measured: snapshotRatio(result.snapshotSweep, "neupims", "npu+pim"), note: note, unit: .ratio))
            claims.append(
                Claim(
                    id: "snapshot_sweep_neupims_vs_npu_only",
                    description: "Snapshot mode over the sweep: NeuPIMs / NPU-only (bandwidth-bound), mean", paper: 2.4,
                    paperText: "2.4×", measured: snapshotRatio(result.snapshotSweep, "neupims", "npu-only"), note: note,
                    unit: .ratio))
        }
        if !result.simulatorCheck.isEmpty {
            let stages = result.simulatorCheck.filter { $0.stage != "per layer" && $0.policy != "npu-only" }
            let layers = result.simulatorCheck.filter { $0.stage == "per layer" && $0.policy != "npu-only" }
            let worstStage = stages.map { abs($0.error) }.max() ?? 0
            let worstLayer = layers.map { abs($0.error) }.max() ?? 0
            claims.append(
                Claim(
                    id: "simulator_worst_stage_error",
                    description: "vs the NeuPIMs simulator (batch 256): worst stage error, NeuPIMs / dual-only / npu+pim",
                    paper: nil, paperText: "≤ 15 %", measured: worstStage, holds: worstStage <= 0.15,
                    note: "the simulator built and run on its own trace; docs/MODEL.md §7", unit: .fraction))
            claims.append(
                Claim(
                    id: "simulator_worst_layer_error",
                    description: "vs the NeuPIMs simulator (batch 256): worst per-layer error", paper: nil,
                    paperText: "≤ 10 %", measured: worstLayer, holds: worstLayer <= 0.10, note: "", unit: .fraction))
        }
        let tensorOnly = result.parallelism.first?.report.tokensPerSecond ?? 0
        let pipelineOnly = result.parallelism.last?.report.tokensPerSecond ?? 1
        claims.append(
            Claim(
                id: "tp_vs_pp", description: "GPT3-30B, 256 requests on 8 devices: all-TP / all-PP throughput",
                paper: nil, paperText: "> 1 (TP beats PP)", measured: tensorOnly / pipelineOnly,
                holds: tensorOnly > pipelineOnly,
                note:
                    "PP splits the batch into micro-batches whose GEMMs under-fill the arrays; communication is not modelled",
                unit: .ratio))
        return claims
    }
}
