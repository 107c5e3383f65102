/// One operation of a decode iteration, with the shapes that decide its cost on any device.
///
/// Operations are plain values so that identical ones (the same layer shape in every layer, the same
/// sequence length for two requests) compare equal and are costed once.
public struct Operation: Hashable, Sendable {
    /// What the operation computes.
    public enum Kind: UInt8, Sendable, Hashable, CaseIterable {
        case norm
        case qkvProjection
        case attentionLogits
        case softmax
        case attentionAttend
        case outputProjection
        case residualAdd
        case feedForwardUp
        case activation
        case feedForwardDown
        case lmHead
        /// HGRN-Bit token-mixer BitLinears (i, f, g gates).
        case mixerProjection
        /// HGRN-Bit element-wise recurrence h = f ⊙ h + SiLU(i)·(1 − f) and output gate.
        case recurrence
        /// HGRN-Bit token-mixer output BitLinear.
        case mixerOutput

        /// How the operation maps onto hardware.
        public var category: Category {
            switch self {
            case .qkvProjection, .outputProjection, .feedForwardUp, .feedForwardDown, .lmHead,
                .mixerProjection, .mixerOutput:
                return .matrix
            case .attentionLogits, .attentionAttend:
                return .attention
            case .norm, .softmax, .residualAdd, .activation, .recurrence:
                return .vector
            }
        }

        public var label: String {
            switch self {
            case .norm: return "norm"
            case .qkvProjection: return "qkv"
            case .attentionLogits: return "logits"
            case .softmax: return "softmax"
            case .attentionAttend: return "attend"
            case .outputProjection: return "proj"
            case .residualAdd: return "add"
            case .feedForwardUp: return "ffn-up"
            case .activation: return "act"
            case .feedForwardDown: return "ffn-down"
            case .lmHead: return "lm-head"
            case .mixerProjection: return "mixer-in"
            case .recurrence: return "recurrence"
            case .mixerOutput: return "mixer-out"
            }
        }
    }

    /// The hardware class of an operation.
    public enum Category: Sendable, Hashable {
        /// A weight matrix applied to a batch of rows: GEMM on an NPU, ternary GEMV batch on an FPGA.
        case matrix
        /// A per-request GEMV against that request's KV cache.
        case attention
        /// Element-wise or reduction work on vector units.
        case vector
    }

    public var kind: Kind
    /// Tokens processed (the batch or sub-batch size); 1 for a per-request attention op.
    public var rows: Int32
    /// Input width K of a matrix op; row width of a vector op.
    public var inner: Int32
    /// Output width N of a matrix op.
    public var columns: Int32
    /// Whether the matrix weights are ternary.
    public var isTernary: Bool
    /// KV length of an attention op (tokens already cached, including this step's).
    public var sequenceLength: Int32
    /// Query heads of an attention op.
    public var heads: Int32
    /// KV heads of an attention op.
    public var keyValueHeads: Int32
    /// Head dimension of an attention op.
    public var headDimension: Int32
    /// How the PIM is driven when an attention op runs there (empty elsewhere).
    public var pimModes: PIMModes = []
    /// Bits per weight of a matrix op that is not ternary: 16 (FP16/BF16), 8 (FP8 or INT8), 4 or 2 (INT4, INT2 with a
    /// 16-bit scale and zero point per group of 128 weights; `ModelSpec.WeightFormat`).
    public var weightBits: UInt8 = 16
    /// Unstructured sparsity of a matrix op's weights: the nonzeros per 10,000 weights (10,000: dense), and whether the
    /// device skips the zeros' work (else it computes dense; `WeightSparsity`).
    public var weightDensity: UInt16 = 10_000
    public var skipsZeros = false
    /// Bytes one head's K or V vector takes in an attention op's cache (0: FP16, 2 per element; `KeyValueFormat`).
    public var keyValueVectorBytes: Int32 = 0

    public init(
        kind: Kind, rows: Int, inner: Int, columns: Int = 0, isTernary: Bool = false, sequenceLength: Int = 0,
        heads: Int = 0, keyValueHeads: Int = 0, headDimension: Int = 0
    ) {
        self.kind = kind
        self.rows = Int32(rows)
        self.inner = Int32(inner)
        self.columns = Int32(columns)
        self.isTernary = isTernary
        self.sequenceLength = Int32(sequenceLength)
        self.heads = Int32(heads)
        self.keyValueHeads = Int32(keyValueHeads)
        self.headDimension = Int32(headDimension)
    }

    /// Multiply-accumulates (or ternary accumulates) of a matrix op.
    public var multiplyAccumulates: Int64 { Int64(rows) * Int64(inner) * Int64(columns) }

    /// Weight count of a matrix op.
    public var weightCount: Int64 { Int64(inner) * Int64(columns) }

    /// Weights per group sharing one 16-bit scale and one 16-bit zero point at 4 bits and below (GPTQ's and AWQ's
    /// default group size).
    public static let quantizationGroup: Int64 = 128

    /// Bytes a matrix op's weights take in memory at `weightBits` (not ternary): the packed weights and, at 4 bits and
    /// below, each group's scale and zero point; sparse (FP16) weights in Flash-LLM's Tiled-CSL, 4 bytes per nonzero.
    public var quantizedWeightBytes: Int64 {
        if weightDensity < 10_000 {
            return (weightCount * Int64(weightDensity)).ceilDiv(10_000) * WeightSparsity.bytesPerNonzero
        }
        let packed = (weightCount * Int64(weightBits)).ceilDiv(8)
        return weightBits <= 4 ? packed + weightCount.ceilDiv(Self.quantizationGroup) * 4 : packed
    }

    /// Elements a vector op touches.
    public var elements: Int64 { Int64(rows) * Int64(inner) }

    /// Bytes of K and V an attention op reads.
    public var keyValueBytes: Int64 {
        let vector = keyValueVectorBytes > 0 ? Int64(keyValueVectorBytes) : Int64(headDimension) * 2
        return 2 * Int64(sequenceLength) * Int64(keyValueHeads) * vector
    }
}
