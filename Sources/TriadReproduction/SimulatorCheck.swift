import TriadCore
import TriadDatasets
import TriadScheduling

/// Triad's `snapshot` next to the NeuPIMs simulator itself on the batch it was run on (docs/MODEL.md §7).
public enum SimulatorCheck {
    /// One run of the simulator: its stage cycles from `_summary.tsv` and its per-layer total.
    public struct Reference: Sendable {
        public var policy: String
        /// What the simulator ran: branch, memory config, system config.
        public var run: String
        public var steps: [(name: String, cycles: Int64)]
        public var perLayer: Int64
    }

    /// The simulator (casys-kaist/NeuPIMs at f299af3, built here) on `generated/share-gpt2-bs256-ms7B-tp4-pp1-clb-0.csv`,
    /// GPT3-7B TP4.
    public static let batch256: [Reference] = [
        Reference(
            policy: "neupims", run: "main, neupims.json, sub-batch-on.json",
            steps: [("A", 32_765), ("B", 101_686), ("C", 148_834), ("D", 152_237), ("E", 113_336), ("F", 96_490)],
            perLayer: 301_071),
        Reference(
            policy: "npu+pim+drb+fused+bulk+gmlbp", run: "main, neupims.json, sub-batch-off.json",
            steps: [("A", 49_338), ("B", 159_117), ("E", 155_263)], perLayer: 363_718),
        Reference(
            policy: "npu+pim", run: "npu+pim branch, newton.json, npupim.json",
            steps: [("A", 49_338), ("B", 484_060), ("E", 153_824)], perLayer: 687_222),
        Reference(
            policy: "npu-only", run: "npu-only branch (FusedMHA), dram.json, npu-fusion.json",
            steps: [], perLayer: 3_041_482),
    ]

    /// A row of the comparison: stage (or "per layer"), the simulator's cycles, ours.
    public struct Row: Sendable {
        public var policy: String
        public var stage: String
        public var simulator: Int64
        public var triad: Int64
        public var error: Double { simulator == 0 ? 0 : Double(triad) / Double(simulator) - 1 }
    }

    /// Runs `snapshot` for every reference on the bundled batch; `fusedAttention` runs NPU-only as the
    /// simulator's branch does.
    public static func run(runner: ExperimentRunner, fusedAttention: ExperimentRunner) throws -> [Row] {
        let batch = try BundledBatches.neupimsBatch256()
        let model = ModelPresets.named("gpt3-7b")!
        var rows: [Row] = []
        for reference in batch256 {
            let policy = Policy(name: reference.policy)!
            let ours = try (reference.policy == "npu-only" ? fusedAttention : runner).snapshot(
                model: model, batch: batch, policy: policy)
            for (name, cycles) in reference.steps {
                rows.append(
                    Row(
                        policy: reference.policy, stage: name, simulator: cycles, triad: ours.cycles(ofStage: name) ?? 0
                    ))
            }
            rows.append(
                Row(
                    policy: reference.policy, stage: "per layer", simulator: reference.perLayer,
                    triad: ours.perLayerCycles))
        }
        return rows
    }

    /// The comparison as a table.
    public static func table(_ rows: [Row]) -> String {
        var cells = [["policy", "stage", "simulator", "Triad", "error"]]
        for row in rows {
            let sign = row.error >= 0 ? "+" : ""
            cells.append([
                row.policy, row.stage, String(row.simulator), String(row.triad),
                sign + TextTable.fixed(row.error * 100, 1) + " %",
            ])
        }
        return "Triad vs the NeuPIMs simulator, GPT3-7B TP4, its batch-256 trace (cycles, one layer)\n"
            + TextTable.render(cells)
    }
}
