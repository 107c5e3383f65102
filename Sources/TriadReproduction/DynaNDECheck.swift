public import TriadCore
public import TriadDevices

/// Triad's expert costs next to DynaNDE-Simulator's (github.com/Akash-N-Pai/DynaNDE-Simulator: the NeuPIMs simulator
/// extended with Mixture of Experts), run here on its own configs (docs/MODEL.md §12.3): one decode step of one MoE
/// layer, per routed expert the cycles of its FFN (fc1, GELU, fc2) for the tokens the routing trace gave it.
public enum DynaNDECheck {
    /// One run of the simulator: what it ran, its expert shape and each expert's tokens and FFN cycles (without the
    /// `param_load` of off-chip experts, which Triad does not model: its experts are resident).
    /// A layer shape the simulator ran: d and each expert's FFN columns (two matrices with GELU, as the simulator's
    /// GPT-style expert, sized to the real expert's weights).
    public struct Shape: Sendable {
        public var name: String
        public var hidden: Int
        public var expertColumns: Int

        /// Mixtral 8x7B's expert (3 × 4,096 × 14,336 weights).
        public static let mixtral = Shape(name: "Mixtral-like", hidden: 4096, expertColumns: 21_504)
        /// DeepSeek-MoE-16B's routed expert (3 × 2,048 × 1,408).
        public static let deepSeekMoE = Shape(name: "DeepSeekMoE-like", hidden: 2048, expertColumns: 2_112)
        /// GPT-OSS-20B's expert (3 × 2,880 × 2,880).
        public static let gptOSS = Shape(name: "GPT-OSS-like", hidden: 2880, expertColumns: 4_320)
    }

    public struct Reference: Sendable {
        public var run: String
        public var hidden: Int
        public var expertColumns: Int
        /// The simulator's `ffn_execution_mode`, "npu" or "pim". In both its experts are the same systolic-array GEMMs
        /// over weights in HBM (`StageProgram::moe_ffn_block`): "npu" adds a PCIe-style parameter load per expert,
        /// "pim" two activation movements per layer — DUMMY delays outside the experts' own cycles compared here — and
        /// no PIM command runs. Triad costs them on its NPU either way.
        public var mode: String
        public var experts: [(tokens: Int, cycles: Int64)]

        /// The run of `shape` at `batch` in `mode`, routed by the trace drawn with `seed` (examples/dynande/).
        init(_ shape: Shape, batch: Int, mode: String, seed: Int, experts: [(tokens: Int, cycles: Int64)]) {
            run = "\(shape.name), batch \(batch), experts in its \(mode) mode (routing seed \(seed))"
            hidden = shape.hidden
            expertColumns = shape.expertColumns
            self.mode = mode
            self.experts = experts
        }
    }

    /// Runs recorded from the simulator built here (recipe in docs/MODEL.md §12.3): two layer shapes × its two expert
    /// modes × batches 32 and 128, and a third shape (GPT-OSS-like): npu mode at both batches, pim mode at batch 32.
    public static let references: [Reference] = [
        Reference(
            .mixtral, batch: 32, mode: "npu", seed: 39,
            experts: [(5, 359658), (11, 360544), (11, 361193), (7, 360053), (6, 358815), (9, 359887), (10, 359992), (5, 358978)]),
        Reference(
            .mixtral, batch: 32, mode: "pim", seed: 39,
            experts: [(5, 358910), (11, 360412), (11, 359465), (7, 359905), (6, 358783), (9, 360791), (10, 359085), (5, 358899)]),
        Reference(
            .mixtral, batch: 128, mode: "npu", seed: 135,
            experts: [(31, 365442), (35, 366656), (31, 366011), (36, 365982), (33, 365159), (36, 366022), (24, 364378), (30, 365050)]),
        Reference(
            .mixtral, batch: 128, mode: "pim", seed: 135,
            experts: [(31, 366174), (35, 365613), (31, 365553), (36, 365799), (33, 365379), (36, 366878), (24, 365255), (30, 365379)]),
        Reference(
            .deepSeekMoE, batch: 32, mode: "npu", seed: 43,
            experts: [(2, 19808), (1, 19953), (2, 24500), (2, 20625), (3, 20128), (3, 25472), (3, 24487), (3, 20138), (1, 20231), (5, 24557), (2, 20008), (4, 20082), (6, 20093), (3, 25035), (6, 20877), (5, 20851), (2, 24324), (3, 25206), (4, 24785), (6, 20373), (2, 24953), (2, 25135), (5, 24785), (2, 24814), (2, 24729), (1, 19984), (6, 24579), (3, 25056), (1, 20496), (1, 24950), (4, 24878), (4, 25045), (1, 20705), (3, 24801), (1, 24711), (3, 20234), (6, 24574), (1, 24984), (2, 20705), (3, 24597), (1, 20683), (4, 24586), (3, 24712), (3, 24485), (2, 24736), (4, 24481), (2, 25011), (5, 20586), (2, 24551), (3, 24824), (5, 24925), (4, 24806), (5, 25822), (2, 20160), (2, 24979), (5, 20625), (3, 24292), (2, 24794), (4, 20577), (6, 20692), (6, 20545)]),
        Reference(
            .deepSeekMoE, batch: 32, mode: "pim", seed: 43,
            experts: [(2, 20642), (1, 20720), (2, 25248), (2, 20618), (3, 24756), (3, 24741), (3, 24859), (3, 20633), (1, 20753), (5, 24448), (2, 20667), (4, 24808), (6, 20323), (3, 24816), (6, 20142), (5, 24874), (2, 24346), (3, 24617), (4, 24829), (6, 20353), (2, 25043), (2, 25035), (5, 24425), (2, 24782), (2, 24721), (1, 20300), (6, 24530), (3, 25154), (1, 20089), (1, 25867), (4, 25324), (4, 24989), (1, 24599), (3, 24316), (1, 25041), (3, 24747), (6, 20270), (1, 25038), (2, 24339), (3, 24825), (1, 25112), (4, 24692), (3, 24782), (3, 20424), (2, 20170), (4, 24669), (2, 24997), (5, 20123), (2, 23014), (3, 24878), (5, 24658), (4, 24680), (5, 25796), (2, 20170), (2, 24324), (5, 25759), (3, 24912), (2, 25233), (4, 25036), (6, 20363), (6, 24695)]),
        Reference(
            .deepSeekMoE, batch: 128, mode: "npu", seed: 139,
            experts: [(13, 20702), (11, 25067), (13, 20681), (8, 21780), (8, 20956), (15, 21294), (12, 20906), (12, 21194), (6, 21428), (13, 20568), (13, 21067), (8, 20941), (9, 20746), (18, 20366), (8, 20637), (11, 21315), (8, 20469), (16, 21122), (18, 20649), (9, 20896), (13, 20142), (16, 20781), (11, 21484), (15, 21023), (16, 20759), (6, 21284), (8, 21356), (12, 21324), (16, 24607), (8, 20861), (8, 20484), (10, 20408), (12, 24806), (21, 21614), (18, 21582), (14, 20237), (13, 20941), (15, 21143), (15, 20097), (14, 21202), (11, 21263), (15, 21107), (10, 21062), (14, 20402), (10, 20713), (11, 20667), (14, 20666), (14, 20587), (9, 21163), (11, 21172), (11, 21129), (13, 19993), (7, 20454), (13, 20316), (8, 20506), (11, 21192), (9, 19957), (10, 20896), (16, 21187), (13, 20125), (10, 20654), (11, 20746), (12, 20961), (15, 20226)]),
        Reference(
            .deepSeekMoE, batch: 128, mode: "pim", seed: 139,
            experts: [(13, 20701), (11, 24646), (13, 20446), (8, 20758), (8, 21358), (15, 20772), (12, 20552), (12, 20326), (6, 20650), (13, 20980), (13, 21051), (8, 20659), (9, 20553), (18, 20208), (8, 20153), (11, 20458), (8, 20503), (16, 21312), (18, 25059), (9, 20531), (13, 20376), (16, 20737), (11, 20397), (15, 20831), (16, 21290), (6, 20995), (8, 19842), (12, 20461), (16, 24787), (8, 20665), (8, 21126), (10, 20688), (12, 24666), (21, 20806), (18, 20477), (14, 20396), (13, 21066), (15, 25077), (15, 20804), (14, 20746), (11, 20641), (15, 20366), (10, 20251), (14, 24886), (10, 21232), (11, 20818), (14, 20210), (14, 20597), (9, 20253), (11, 20296), (11, 20426), (13, 20623), (7, 20897), (13, 20759), (8, 20715), (11, 20362), (9, 20536), (10, 21272), (16, 20900), (13, 20554), (10, 20370), (11, 20844), (12, 21034), (15, 21178)]),
        Reference(
            .gptOSS, batch: 32, mode: "npu", seed: 45,
            experts: [(2, 53914), (3, 56079), (5, 54554), (6, 54745), (3, 56854), (6, 57424), (3, 53684), (2, 54749), (4, 56253), (1, 54275), (6, 54751), (5, 53106), (4, 58034), (5, 54524), (6, 56995), (5, 54154), (4, 53222), (2, 54561), (1, 56659), (2, 57036), (4, 53555), (3, 53684), (9, 56437), (5, 53920), (6, 55514), (4, 54969), (4, 54179), (3, 53939), (5, 54890), (5, 54282), (3, 53467), (2, 54568)]),
        Reference(
            .gptOSS, batch: 32, mode: "pim", seed: 45,
            experts: [(2, 54457), (3, 54351), (5, 56002), (6, 53743), (3, 54120), (6, 53903), (3, 53823), (2, 53612), (4, 55718), (1, 54224), (6, 55863), (5, 53745), (4, 56215), (5, 54671), (6, 57197), (5, 54175), (4, 53727), (2, 56737), (1, 56625), (2, 56224), (4, 54310), (3, 54236), (9, 54540), (5, 54571), (6, 54186), (4, 53508), (4, 54362), (3, 54347), (5, 54031), (5, 54562), (3, 53190), (2, 56713)]),
        Reference(
            .gptOSS, batch: 128, mode: "npu", seed: 141,
            experts: [(16, 54668), (15, 54883), (18, 57875), (8, 54893), (20, 54607), (13, 54245), (18, 54505), (18, 55042), (14, 54557), (7, 55156), (16, 55165), (18, 54783), (16, 55119), (19, 55311), (16, 55092), (20, 54522), (13, 54279), (17, 54668), (13, 55248), (21, 54882), (14, 54491), (16, 54172), (16, 58114), (19, 57402), (22, 57124), (13, 57487), (14, 57876), (12, 58467), (18, 56262), (19, 55921), (16, 56005), (17, 56024)]),
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

    /// Triad's cost of each reference expert on `npu`, in NPU cycles; plus a row per run for the whole layer's experts.
    public static func run(npu: NPUConfiguration) -> [Row] {
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
                    cycles += npuModel.cost(of: operation).cycles
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
