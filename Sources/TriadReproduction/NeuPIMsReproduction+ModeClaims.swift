import TriadCore
import TriadScheduling

/// Claims from the other baseline (the simulator's FusedMHA) and the simulator's one-step mode, and how far
/// Triad is from the simulator itself.
extension NeuPIMsReproduction {
    static func baselineAndModeClaims(_ result: Result) -> [Claim] {
        let sweep = result.sweep
        var claims: [Claim] = []
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
                    id: "snapshot_neupims_vs_npu_pim",
                    description: "Snapshot mode: NeuPIMs / NPU+PIM (clb vs rr batches)",
                    paper: 1.6, paperText: "1.6×", measured: snapshotRatio(result.snapshots, "neupims", "npu+pim"),
                    note:
                        "\(note); the simulator itself gives 687,222 / 301,071 = 2.28× on its batch-256 trace (same placement for both): its blocked baseline's one-instruction-per-cycle host path, not a Triad artefact",
                    unit: .ratio))
            claims.append(
                Claim(
                    id: "snapshot_neupims_vs_npu_only",
                    description: "Snapshot mode: NeuPIMs / NPU-only (bandwidth-bound)",
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
                    description:
                        "vs the NeuPIMs simulator (batch 256): worst stage error, NeuPIMs / dual-only / npu+pim",
                    paper: nil, paperText: "≤ 15 %", measured: worstStage, holds: worstStage <= 0.15,
                    note: "the simulator built and run on its own trace; docs/MODEL.md §7", unit: .fraction))
            claims.append(
                Claim(
                    id: "simulator_worst_layer_error",
                    description: "vs the NeuPIMs simulator (batch 256): worst per-layer error", paper: nil,
                    paperText: "≤ 10 %", measured: worstLayer, holds: worstLayer <= 0.10, note: "", unit: .fraction))
        }
        return claims
    }
}
