/// The operations of one decoder layer for one (sub-)batch, split at the attention boundary:
/// `beforeAttention` produces Q, K, V; attention runs per request; `afterAttention` finishes the layer.
/// Models without attention put everything in `beforeAttention`.
public struct LayerTemplate: Sendable, Hashable {
    public var beforeAttention: [Operation]
    public var afterAttention: [Operation]

    /// The layer of `shard` for `rows` tokens.
    public init(shard: ModelShard, rows: Int) {
        let model = shard.model
        let d = model.hiddenSize
        let ternary = model.weightFormat == .ternary
        let ffnUpColumns = shard.intermediateColumns * (model.feedForward == .gatedLinearUnit ? 2 : 1)
        let ffn: [Operation] = [
            Operation(kind: .norm, rows: rows, inner: d),
            Operation(kind: .feedForwardUp, rows: rows, inner: d, columns: ffnUpColumns, isTernary: ternary),
            Operation(kind: .activation, rows: rows, inner: shard.intermediateColumns),
            Operation(
                kind: .feedForwardDown, rows: rows, inner: shard.intermediateColumns, columns: d, isTernary: ternary),
            Operation(kind: .residualAdd, rows: rows, inner: d),
        ]
        switch model.architecture {
        case .transformer:
            beforeAttention = [
                Operation(kind: .norm, rows: rows, inner: d),
                Operation(
                    kind: .qkvProjection, rows: rows, inner: d,
                    columns: shard.queryWidth + 2 * shard.keyValueWidth, isTernary: ternary),
            ]
            afterAttention =
                [
                    Operation(
                        kind: .outputProjection, rows: rows, inner: shard.queryWidth, columns: d, isTernary: ternary),
                    Operation(kind: .residualAdd, rows: rows, inner: d),
                ] + ffn
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
    }

    /// The final norm and LM head after the last layer, for `rows` tokens.
    public static func head(shard: ModelShard, rows: Int) -> [Operation] {
        [
            Operation(kind: .norm, rows: rows, inner: shard.model.hiddenSize),
            Operation(
                kind: .lmHead, rows: rows, inner: shard.model.hiddenSize, columns: shard.vocabularyColumns,
                isTernary: shard.model.weightFormat == .ternary),
        ]
    }

    /// The attention operations of one request with `sequenceLength` cached tokens.
    public static func attention(shard: ModelShard, sequenceLength: Int, queries: Int = 1) -> (
        logits: Operation, softmax: Operation, attend: Operation
    ) {
        // `queries` positions per request (speculative decoding verifies k drafts and the next token at once) read
        // the same K and V: to the attention mapping, a query group `queries` times as large.
        let logits = Operation(
            kind: .attentionLogits, rows: 1, inner: shard.queryWidth * queries, sequenceLength: sequenceLength,
            heads: shard.heads * queries, keyValueHeads: shard.keyValueHeads, headDimension: shard.model.headDimension)
        var attend = logits
        attend.kind = .attentionAttend
        let softmax = Operation(kind: .softmax, rows: shard.heads * queries, inner: sequenceLength)
        return (logits, softmax, attend)
    }
}
