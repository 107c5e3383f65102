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
            ]),
        Reference(
            run: "DeepSeekMoE-like, batch 32, experts on the NPU (routing seed 43)", hidden: 2048, expertColumns: 2_112,
            mode: "npu",
            experts: [(2, 19808), (1, 19953), (2, 24500), (2, 20625), (3, 20128), (3, 25472), (3, 24487), (3, 20138), (1, 20231), (5, 24557), (2, 20008), (4, 20082), (6, 20093), (3, 25035), (6, 20877), (5, 20851), (2, 24324), (3, 25206), (4, 24785), (6, 20373), (2, 24953), (2, 25135), (5, 24785), (2, 24814), (2, 24729), (1, 19984), (6, 24579), (3, 25056), (1, 20496), (1, 24950), (4, 24878), (4, 25045), (1, 20705), (3, 24801), (1, 24711), (3, 20234), (6, 24574), (1, 24984), (2, 20705), (3, 24597), (1, 20683), (4, 24586), (3, 24712), (3, 24485), (2, 24736), (4, 24481), (2, 25011), (5, 20586), (2, 24551), (3, 24824), (5, 24925), (4, 24806), (5, 25822), (2, 20160), (2, 24979), (5, 20625), (3, 24292), (2, 24794), (4, 20577), (6, 20692), (6, 20545)]),
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
                attentionHeads: 16, keyValueHeads: 16, headDimension: reference.hidden / 16,
                intermediateSize: reference.expertColumns, vocabularySize: 50_304, feedForward: .gelu,
                weightFormat: .fp16, source: "DynaNDE config")
            model.experts = MixtureOfExperts(experts: 64, perToken: 2, expertIntermediate: reference.expertColumns)
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
