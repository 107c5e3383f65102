import TriadCore
import TriadDatasets
import TriadDevices
import TriadScheduling

/// The paper's comparisons in the NeuPIMs simulator's own mode: one decode step over fixed batches.
extension NeuPIMsReproduction {
    /// The simulator's mode: NeuPIMs on the greedily placed batches, the baselines on the round-robin ones
    /// (the paper's naive NPU+PIM places round-robin), NPU-only with both attention mappings.
    static func snapshots(runner: ExperimentRunner, fusedAttention: ExperimentRunner) throws -> [String:
        [SnapshotReport]]
    {
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
    static func snapshotRatio(_ snapshots: [String: [SnapshotReport]], _ faster: String, _ slower: String)
        -> Double
    {
        guard let top = snapshots[faster], let bottom = snapshots[slower], top.count == bottom.count else { return 0 }
        return mean(zip(top, bottom).map { Double($1.perLayerCycles) / Double(max($0.perLayerCycles, 1)) })
    }

}
