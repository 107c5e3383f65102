/// The operations of one decoder layer for one (sub-)batch, split at the attention boundary:
/// `beforeAttention` produces Q, K, V; attention runs per request; `afterAttention` finishes the layer.
/// Models without attention put everything in `beforeAttention`.
public struct LayerTemplate: Sendable, Hashable {
    public var beforeAttention: [Operation]
    public var afterAttention: [Operation]
    /// Where the FFN (its norm first) begins in `afterAttention` (transformers; 0 otherwise). A Mixture-of-Experts
    /// layer's FFN here routes the tokens evenly over the experts (prefill and memory use it; decoding routes them).
    public var feedForwardStart = 0

    /// The layer of `shard` for `rows` tokens.
    public init(shard: ModelShard, rows: Int) {
        let model = shard.model
        let d = model.hiddenSize
        let ternary = model.weightFormat == .ternary
        let ffn = model.experts == nil ? Self.denseFeedForward(shard: shard, rows: rows) : Self.evenMixture(shard: shard, rows: rows)
        switch model.architecture {
        case .transformer:
            // With data-parallel attention this rank projects only its share of the tokens, with whole matrices.
            let local = shard.localRows(rows)
            beforeAttention = [
                Operation(kind: .norm, rows: local, inner: d),
                Operation(
                    kind: .qkvProjection, rows: local, inner: d,
                    columns: shard.projectionQueryWidth + 2 * shard.projectionKeyValueWidth, isTernary: ternary),
            ]
            afterAttention =
                [
                    Operation(
                        kind: .outputProjection, rows: local, inner: shard.projectionQueryWidth, columns: d,
                        isTernary: ternary),
                    Operation(kind: .residualAdd, rows: local, inner: d),
                ] + ffn
            feedForwardStart = 2
        case .hgrnBit:
            // MLGRU: i, f, g BitLinears d → d each (split by TP), element-wise recurrence, o BitLinear.
            let mixerWidth = d.ceilDiv(model.tensorParallel)
            beforeAttention =
                [
                    Operation(kind: .norm, rows: rows, inner: d),
                    Operation(kind: .mixerProjection, rows: rows, inner: d, columns: 3 * mixerWidth, isTernary: true),
                    Operation(kind: .recurrence, rows: rows, inner: mixerWidth),
                    Operation(kind: .mixerOutput, rows: rows, inner: mixerWidth, columns: d, isTernary: true),
                    Operation(kind: .residualAdd, rows: rows, inner: d),
                ] + ffn
            afterAttention = []
        }
        // The FFN's helpers quantize their own matrices (a router stays 16-bit).
        beforeAttention = Self.quantized(beforeAttention, model)
        afterAttention = Self.quantized(Array(afterAttention.prefix(feedForwardStart)), model)
            + afterAttention.dropFirst(feedForwardStart)
    }

    /// `operations` with their matrices at the model's weight width (the LM head and a Mixture-of-Experts router are
    /// never passed here: quantizers leave them 16-bit).
    static func quantized(_ operations: [Operation], _ model: ModelSpec) -> [Operation] {
        let bits = model.weightFormat.bits
        guard bits != 16 || model.weightSparsity != nil else { return operations }
        var result = operations
        for index in result.indices where result[index].kind.category == .matrix && !result[index].isTernary {
            result[index].weightBits = bits
            if let sparse = model.weightSparsity, sparse.density(for: result[index].kind) < 10_000 {
                result[index].weightDensity = sparse.density(for: result[index].kind)
                result[index].skipsZeros = sparse.skipsZeros
            }
        }
        return result
    }

    /// A dense FFN of `shard` for `rows` tokens of the stage (this rank's share of them with data-parallel attention): norm, up (gate and up for a GLU), activation, down, residual add.
    public static func denseFeedForward(shard: ModelShard, rows stageRows: Int) -> [Operation] {
        let model = shard.model
        let rows = shard.localRows(stageRows)
        let d = model.hiddenSize
        let ternary = model.weightFormat == .ternary
        let ffnUpColumns = shard.intermediateColumns * (model.feedForward == .gatedLinearUnit ? 2 : 1)
        return quantized(
            [
                Operation(kind: .norm, rows: rows, inner: d),
                Operation(kind: .feedForwardUp, rows: rows, inner: d, columns: ffnUpColumns, isTernary: ternary),
                Operation(kind: .activation, rows: rows, inner: shard.intermediateColumns),
                Operation(
                    kind: .feedForwardDown, rows: rows, inner: shard.intermediateColumns, columns: d, isTernary: ternary),
                Operation(kind: .residualAdd, rows: rows, inner: d),
            ], model)
    }

    /// The part of a Mixture-of-Experts FFN every token passes for `rows` tokens: the norm, the router (a d × E GEMM,
    /// on every rank), and the shared experts (one gated FFN of their columns on this device) if any.
    public static func mixtureCommon(shard: ModelShard, rows stageRows: Int) -> [Operation] {
        let model = shard.model
        let rows = shard.localRows(stageRows)
        let d = model.hiddenSize
        let moe = model.experts!
        let ternary = model.weightFormat == .ternary
        var operations = [
            Operation(kind: .norm, rows: rows, inner: d),
            Operation(kind: .feedForwardUp, rows: rows, inner: d, columns: moe.experts, isTernary: ternary),
        ]
        if shard.sharedExpertColumns > 0 {
            operations += expert(shard: shard, rows: rows, columns: shard.sharedExpertColumns)
        }
        return operations
    }

    /// One routed expert's work on `rows` tokens: gate and up (d → 2 × its columns; up alone for a GELU model), the
    /// activation, down (columns → d).
    public static func expert(shard: ModelShard, rows: Int, columns: Int? = nil) -> [Operation] {
        let d = shard.model.hiddenSize
        let columns = columns ?? shard.expertColumns
        let ternary = shard.model.weightFormat == .ternary
        let upColumns = columns * (shard.model.feedForward == .gatedLinearUnit ? 2 : 1)
        return quantized(
            [
                Operation(kind: .feedForwardUp, rows: rows, inner: d, columns: upColumns, isTernary: ternary),
                Operation(kind: .activation, rows: rows, inner: columns),
                Operation(kind: .feedForwardDown, rows: rows, inner: columns, columns: d, isTernary: ternary),
            ], shard.model)
    }

    /// Tokens for which an even routing gives every expert at least one (the layer that holds every weight).
    public static func rowsReachingEveryExpert(_ model: ModelSpec) -> Int {
        model.experts.map { $0.experts.ceilDiv($0.perToken) } ?? 1
    }

    /// A Mixture-of-Experts FFN with `rows` tokens routed evenly: the rows × k assignments spread over the E experts
    /// as evenly as they go (the first ones one more), each of this device's experts on its share; the residual add.
    public static func evenMixture(shard: ModelShard, rows: Int) -> [Operation] {
        let moe = shard.model.experts!
        var operations = mixtureCommon(shard: shard, rows: rows)
        let assignments = rows * moe.perToken
        for local in 0..<shard.localExperts {
            // This device's experts: every one (tensor split), or e = local × T (expert parallel, rank 0).
            let index = shard.model.expertParallel ? local * shard.model.tensorParallel : local
            let tokens = assignments / moe.experts + (index < assignments % moe.experts ? 1 : 0)
            if tokens > 0 { operations += Self.expert(shard: shard, rows: tokens) }
        }
        operations.append(Operation(kind: .residualAdd, rows: shard.localRows(rows), inner: shard.model.hiddenSize))
        return operations
    }

    /// The final norm and LM head after the last layer, for `rows` tokens.
    public static func head(shard: ModelShard, rows stageRows: Int) -> [Operation] {
        let rows = shard.localRows(stageRows)
        return [
            Operation(kind: .norm, rows: rows, inner: shard.model.hiddenSize),
            Operation(
                kind: .lmHead, rows: rows, inner: shard.model.hiddenSize, columns: shard.vocabularyColumns,
                isTernary: shard.model.weightFormat == .ternary),
        ]
    }

    /// A prompt chunk's attention in one layer — `tokens` queries attending to `context` tokens — as two GEMMs on the
    /// host with the K and V caches in the weights' place: queries × Kᵀ over every head, the softmax, probabilities × V.
    /// With MoBA each query scores the gate's pooled keys and its k chosen blocks and reads those blocks' values
    /// (docs/MODEL.md §15): the GEMMs narrow to those keys (a gathered GEMM of the same work; the chunk's last query's
    /// count stands for all).
    public static func promptAttention(shard: ModelShard, tokens: Int, context: Int) -> [Operation] {
        let keys: (logits: Int, attend: Int) =
            shard.model.blockSparseAttention?.keys(sequenceLength: context) ?? (context, context)
        return [
            Operation(
                kind: .qkvProjection, rows: tokens, inner: shard.model.headDimension, columns: keys.logits * shard.heads),
            Operation(kind: .softmax, rows: tokens * shard.heads, inner: keys.logits),
            Operation(
                kind: .outputProjection, rows: tokens, inner: keys.attend, columns: shard.heads * shard.model.headDimension),
        ]
    }

    /// The attention operations of one request with `sequenceLength` cached tokens.
    public static func attention(shard: ModelShard, sequenceLength: Int, queries: Int = 1) -> (
        logits: Operation, softmax: Operation, attend: Operation
    ) {
        // `queries` positions per request (speculative decoding verifies k drafts and the next token at once) read
        // the same K and V: to the attention mapping, a query group `queries` times as large.
        // With MoBA a query scores the gate's pooled keys and its chosen blocks, and reads the chosen blocks' values.
        let keys: (logits: Int, attend: Int) =
            shard.model.blockSparseAttention?.keys(sequenceLength: sequenceLength) ?? (sequenceLength, sequenceLength)
        var logits = Operation(
            kind: .attentionLogits, rows: 1, inner: shard.queryWidth * queries, sequenceLength: keys.logits,
            heads: shard.heads * queries, keyValueHeads: shard.keyValueHeads, headDimension: shard.model.headDimension)
        if shard.model.keyValueFormat != .fp16 {
            logits.keyValueVectorBytes = Int32(shard.model.keyValueFormat.bytes(perVectorOf: shard.model.headDimension))
        }
        var attend = logits
        attend.kind = .attentionAttend
        attend.sequenceLength = Int32(keys.attend)
        let softmax = Operation(kind: .softmax, rows: shard.heads * queries, inner: keys.logits)
        return (logits, softmax, attend)
    }
}
