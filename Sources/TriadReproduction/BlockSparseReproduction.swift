public import TriadCore
public import TriadDevices

/// MoBA's figures where they follow from what Triad models (docs/MODEL.md §15): the sparsity its block size and top-k
/// give at its contexts, and what that does to one decode query's attention on the NPU.
public enum BlockSparseReproduction {
    /// One of the paper's settings: context, block, top-k and the sparsity it reports.
    public struct Setting: Sendable {
        public var context: Int
        public var moba: BlockSparseAttention
        public var reportedSparsity: Double
        public var source: String
    }

    /// Lu et al., "MoBA: Mixture of Block Attention for Long-Context LLMs" (arXiv 2502.13189): the scaling-law runs at
    /// 8K with 512-token blocks and top-3 (81.25 % sparse), and the 1M-token setting, 4096-token blocks and top-12
    /// (95.31 % sparse).
    public static let settings = [
        Setting(
            context: 8_192, moba: BlockSparseAttention(block: 512, topK: 3), reportedSparsity: 0.8125,
            source: "MoBA, its scaling-law runs"),
        Setting(
            context: 1_048_576, moba: BlockSparseAttention(block: 4_096, topK: 12), reportedSparsity: 0.9531,
            source: "MoBA, its 1M-token setting"),
    ]

    /// One decode query's attention (Llama-3.1-8B's heads, logits + attend, on the NeuPIMs NPU) with MoBA over
    /// without, at `setting`'s context.
    public static func attentionRatio(_ setting: Setting) -> Double {
        var model = ModelPresets.named("llama-3.1-8b")!
        let npu = NPUCostModel(configuration: .neupims)
        func time(_ moba: BlockSparseAttention?) -> Double {
            model.blockSparseAttention = moba
            let ops = LayerTemplate.attention(shard: ModelShard(model), sequenceLength: setting.context)
            return Double(npu.cost(of: ops.logits).duration + npu.cost(of: ops.attend).duration + npu.cost(of: ops.softmax).duration)
        }
        return time(setting.moba) / time(nil)
    }

    /// A 4,096-token prompt chunk's attention at the end of `setting`'s context (Llama-3.1-8B's heads, one layer, on the
    /// NeuPIMs NPU): full over MoBA.
    public static func prefillSpeedup(_ setting: Setting) -> Double {
        var model = ModelPresets.named("llama-3.1-8b")!
        let npu = NPUCostModel(configuration: .neupims)
        func time(_ moba: BlockSparseAttention?) -> Double {
            model.blockSparseAttention = moba
            let ops = LayerTemplate.promptAttention(shard: ModelShard(model), tokens: 4_096, context: setting.context)
            return ops.reduce(0.0) { $0 + Double(npu.cost(of: $1).duration) }
        }
        return time(nil) / time(setting.moba)
    }

    public static func claims() -> [Claim] {
        let million = settings[1]
        let prefill = prefillSpeedup(million)
        let prefillClaim = Claim(
            id: "moba-prefill-attention-speedup-1m",
            description: "prompt attention at 1M tokens (block 4096, top-12), full over MoBA, a 4,096-token chunk on the NPU",
            paper: 6.5, paperText: "6.5× (attention at 1M tokens, its FlashAttention kernels on GPUs)", measured: prefill,
            note:
                "Triad's GEMMs shrink with the keys (1/(1 − sparsity) ≈ 21× less work); the gate's scoring, top-k and varlen gathering its kernels pay are not modelled",
            unit: .ratio)
        return [prefillClaim] + settings.flatMap { setting -> [Claim] in
            let label = setting.context >= 1 << 20 ? "1m" : "\(setting.context / 1024)k"
            let sparsity = setting.moba.sparsity(sequenceLength: setting.context)
            let ratio = attentionRatio(setting)
            return [
                Claim(
                    id: "moba-sparsity-\(label)",
                    description:
                        "MoBA block \(setting.moba.block), top-\(setting.moba.topK) at \(setting.context) tokens: share of the context a query skips",
                    paper: setting.reportedSparsity, paperText: "\(ClaimRendering.format(setting.reportedSparsity * 100, 2)) % (\(setting.source))",
                    measured: sparsity, holds: abs(sparsity - setting.reportedSparsity) < 0.0001,
                    note: "1 − k·B / context; the gate's pooled keys are read besides", unit: .fraction),
                Claim(
                    id: "moba-decode-attention-ratio-\(label)",
                    description: "one decode query's attention on the NPU, MoBA over full (gate included)",
                    paper: nil, paperText: "≈ 1 − sparsity (decode streams only the chosen blocks)", measured: ratio,
                    holds: ratio < 1 - sparsity + 0.01,
                    note:
                        "decoding reads the chosen blocks and one pooled key per block",
                    unit: .ratio),
            ]
        }
    }
}
