public import TriadCore
public import TriadDevices

/// Triad's expert costs next to DynaNDE-Simulator's (github.com/Akash-N-Pai/DynaNDE-Simulator: the NeuPIMs simulator
/// extended with Mixture of Experts), run here on its own configs (docs/MODEL.md §12.3): one decode step of one MoE
/// layer, per routed expert the cycles of its FFN (fc1, GELU, fc2) for the tokens the routing trace gave it.
public enum DynaNDECheck {
    /// One run of the simulator: what it ran, its expert shape and each expert's tokens and FFN cycles (without the
    /// `param_load` of off-chip experts, which Triad does not model: its experts are resident).
    public struct Reference: Sendable {
        public var run: String
        /// d and each expert's FFN columns (two matrices with GELU, as the simulator's GPT-style expert).
        public var hidden: Int
        public var expertColumns: Int
        /// Where the experts ran: "npu" or "pim".
        public var mode: String
        public var experts: [(tokens: Int, cycles: Int64)]
    }

    /// Runs recorded from the simulator built here (recipe in docs/MODEL.md §12.3).
    public static let references: [Reference] = [
        Reference(
            run: "mixtral-like, batch 32, experts on the NPU (routing seed 39)", hidden: 4096, expertColumns: 21_504,
            mode: "npu",
            experts: [
                (5, 359_658), (11, 360_544), (11, 361_193), (7, 360_053), (6, 358_815), (9, 359_887), (10, 359_992),
                (5, 358_978),
            ])
    ]

    /// A row: the run, the expert, its tokens, the simulator's cycles and Triad's.
    public struct Row: Sendable {
        public var run: String
        public var expert: String
        public var tokens: Int
        public var simulator: Int64
        public var triad: Int64
        public var error: Double { Double(triad) / Double(max(simulator, 1)) - 1 }
    }

    /// Triad's cost of each reference expert on `npu` (NPU experts) or `pim` with the NPU for the activation (PIM
    /// experts), in NPU cycles; plus a row per run for the whole layer's experts.
    public static func run(npu: NPUConfiguration, pim: PIMConfiguration?) -> [Row] {
        var rows: [Row] = []
        for reference in references {
            var model = ModelSpec(
                name: "dynande", architecture: .transformer, layers: 1, hiddenSize: reference.hidden,
                attentionHeads: 32, keyValueHeads: 32, headDimension: reference.hidden / 32,
                intermediateSize: reference.expertColumns, vocabularySize: 50_304, feedForward: .gelu,
                weightFormat: .fp16, source: "DynaNDE config")
            model.experts = MixtureOfExperts(
                experts: reference.experts.count, perToken: 2, expertIntermediate: reference.expertColumns)
            let shard = ModelShard(model)
            let npuModel = NPUCostModel(configuration: npu)
            var simulatorTotal: Int64 = 0
            var triadTotal: Int64 = 0
            for (index, expert) in reference.experts.enumerated() {
                var cycles: Int64 = 0
                for operation in LayerTemplate.expert(shard: shard, rows: expert.tokens) {
                    if reference.mode == "pim", let pim, operation.kind.category == .matrix {
                        cycles += npu.clock.cycles(in: PIMCostModel(configuration: pim).cost(of: operation).duration)
                    } else {
                        cycles += npuModel.cost(of: operation).cycles
                    }
                }
                rows.append(
                    Row(
                        run: reference.run, expert: "expert \(index)", tokens: expert.tokens,
                        simulator: expert.cycles, triad: cycles))
                simulatorTotal += expert.cycles
                triadTotal += cycles
            }
            rows.append(
                Row(
                    run: reference.run, expert: "layer (all experts)", tokens: reference.experts.reduce(0) { $0 + $1.tokens },
                    simulator: simulatorTotal, triad: triadTotal))
        }
        return rows
    }
}
