/// A decoder-only language model as Triad simulates it: the shapes that decide every operation's cost.
public struct ModelSpec: Sendable, Hashable {
    /// How a layer mixes tokens.
    public enum Architecture: String, Sendable, Hashable {
        /// Attention with a KV cache (GPT-3, Llama, BitNet b1.58).
        case transformer
        /// HGRN-Bit (MatMul-free LM): an MLGRU token mixer with no attention and a d-sized state per request.
        case hgrnBit = "hgrn-bit"
    }

    /// The feed-forward block.
    public enum FeedForward: String, Sendable, Hashable {
        /// Two matrices (d → I → d) with GELU, as in GPT-3.
        case gelu
        /// Three matrices (gate and up d → I, down I → d) with SiLU gating, as in Llama and HGRN-Bit.
        case gatedLinearUnit = "glu"
    }

    /// How linear-layer weights are stored (docs/MODEL.md §13).
    public enum WeightFormat: String, Sendable, Hashable, CaseIterable {
        /// FP16 or BF16.
        case fp16
        /// FP8 (E4M3) with a per-tensor scale.
        case fp8
        /// INT8 with per-channel scales (LLM.int8(), SmoothQuant W8).
        case int8
        /// INT4 and INT2 with a 16-bit scale and zero point per group of 128 weights (GPTQ, AWQ).
        case int4
        case int2
        /// Weights in {-1, 0, +1} (BitLinear); packed at the device's bits per weight.
        case ternary

        /// Bits per weight of a non-ternary format (`Operation.weightBits`); 16 for ternary (unused there).
        public var bits: UInt8 {
            switch self {
            case .fp16, .ternary: 16
            case .fp8, .int8: 8
            case .int4: 4
            case .int2: 2
            }
        }

        /// The names `--weights` accepts, for error messages.
        public static let accepted = "fp16, fp8, int8, int4, int2 or ternary"
    }

    public var name: String
    public var architecture: Architecture
    public var layers: Int
    /// d_model.
    public var hiddenSize: Int
    public var attentionHeads: Int
    /// Key/value heads; fewer than `attentionHeads` for grouped-query attention.
    public var keyValueHeads: Int
    public var headDimension: Int
    /// FFN inner size I.
    public var intermediateSize: Int
    public var vocabularySize: Int
    public var feedForward: FeedForward
    public var weightFormat: WeightFormat
    /// Tensor-parallel degree: heads, FFN columns and the LM head are split this many ways.
    public var tensorParallel: Int
    /// Pipeline-parallel degree: layers are split this many ways.
    public var pipelineParallel: Int
    /// Where the numbers come from.
    public var source: String
    /// Whether the LM head reuses the embedding table (GPT-2/3, Llama 3.2 1B/3B); otherwise the table is a
    /// further vocabulary × d matrix in memory (Llama 3 8B/70B).
    public var tiedEmbeddings = true
    /// Unstructured sparsity of the linear layers' weights (nil: dense).
    public var weightSparsity: WeightSparsity?
    /// MoBA block-sparse attention for decoding (nil: every query reads its whole context).
    public var blockSparseAttention: BlockSparseAttention?
    /// How the KV cache stores K and V.
    public var keyValueFormat = KeyValueFormat.fp16
    /// The Mixture-of-Experts block (nil: every layer's FFN is dense).
    public var experts: MixtureOfExperts?
    /// How a Mixture-of-Experts block is split over a stage's tensor-parallel ranks: every expert's columns over all
    /// ranks (tensor parallelism, the default), or whole experts, expert e on rank e mod T (expert parallelism).
    public var expertParallel = false
    /// With expert parallelism, whether attention (and every layer part but the routed experts) runs data-parallel:
    /// each rank of a stage holds the whole attention, norms, shared experts and LM head and computes them for its
    /// share of the batch (1/T of the tokens), and the tokens go to their experts' ranks and back by all-to-all
    /// (docs/MODEL.md §12.4). False: those parts are tensor-parallel and all-reduced.
    public var dataParallelAttention = false

    public init(
        name: String, architecture: Architecture, layers: Int, hiddenSize: Int, attentionHeads: Int,
        keyValueHeads: Int, headDimension: Int, intermediateSize: Int, vocabularySize: Int,
        feedForward: FeedForward, weightFormat: WeightFormat, tensorParallel: Int = 1,
        pipelineParallel: Int = 1, source: String
    ) {
        self.name = name
        self.architecture = architecture
        self.layers = layers
        self.hiddenSize = hiddenSize
        self.attentionHeads = attentionHeads
        self.keyValueHeads = keyValueHeads
        self.headDimension = headDimension
        self.intermediateSize = intermediateSize
        self.vocabularySize = vocabularySize
        self.feedForward = feedForward
        self.weightFormat = weightFormat
        self.tensorParallel = tensorParallel
        self.pipelineParallel = pipelineParallel
        self.source = source
    }

    /// Whether layer `layer` (from 0) has a Mixture-of-Experts FFN.
    public func isMixtureLayer(_ layer: Int) -> Bool { experts.map { layer >= $0.denseLayers } ?? false }

    /// Whether layers hold a KV cache and run attention.
    public var hasAttention: Bool { architecture == .transformer }
}
