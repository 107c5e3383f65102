/// The slice of a model that one device of a tensor- and pipeline-parallel group holds: the shapes
/// Triad costs. All devices of a group hold identical shards, so simulating one stands for all.
public struct ModelShard: Sendable, Hashable {
    public let model: ModelSpec
    /// Layers in one pipeline stage.
    public let layers: Int
    /// Attention heads on this device.
    public let heads: Int
    /// KV heads on this device (at least one: GQA groups smaller than the TP degree are replicated).
    public let keyValueHeads: Int
    /// Query width on this device, E_tp = heads × d_head.
    public let queryWidth: Int
    /// K (or V) width on this device.
    public let keyValueWidth: Int
    /// FFN columns on this device.
    public let intermediateColumns: Int
    /// LM-head columns on this device.
    public let vocabularyColumns: Int
    /// Mixture of experts: the columns of one routed expert on this device (I_e / T split over the ranks, or
    /// I_e whole with expert parallelism), the routed experts whose weights it holds (all, or ⌈E / T⌉), and the
    /// shared experts' columns on it (split over the ranks).
    public let expertColumns: Int
    public let localExperts: Int
    public let sharedExpertColumns: Int
    /// Ranks the batch's tokens are shared over for everything but the routed experts: T with data-parallel
    /// attention (each rank computes 1/T of the tokens), else 1 (every rank sees every token).
    public let tokenRanks: Int
    /// The widths of the attention's projections on this device: the whole Q and K (or V) with data-parallel
    /// attention, else this device's heads (`queryWidth`, `keyValueWidth`).
    public let projectionQueryWidth: Int
    public let projectionKeyValueWidth: Int

    /// The shard of `model` with `layers` layers (nil: an even split, ⌈layers / PP⌉).
    public init(_ model: ModelSpec, layers stageLayers: Int? = nil) {
        self.model = model
        let tp = model.tensorParallel
        layers = stageLayers ?? model.layers.ceilDiv(model.pipelineParallel)
        // Attention itself is costed per request over this device's heads either way: with data-parallel attention
        // a rank's 1/T of the requests with every head is the same work as every request with 1/T of the heads.
        heads = model.attentionHeads.ceilDiv(tp)
        keyValueHeads = max(1, model.keyValueHeads.ceilDiv(tp))
        queryWidth = heads * model.headDimension
        keyValueWidth = keyValueHeads * model.headDimension
        let dataParallel = model.expertParallel && model.dataParallelAttention && model.experts != nil
        // Everything but the routed experts is whole on every rank with data-parallel attention.
        let split = dataParallel ? 1 : tp
        tokenRanks = dataParallel ? tp : 1
        projectionQueryWidth = dataParallel ? model.attentionHeads * model.headDimension : queryWidth
        projectionKeyValueWidth = dataParallel ? model.keyValueHeads * model.headDimension : keyValueWidth
        intermediateColumns = model.intermediateSize.ceilDiv(split)
        vocabularyColumns = model.vocabularySize.ceilDiv(split)
        let moe = model.experts
        expertColumns = moe.map { model.expertParallel ? $0.expertIntermediate : $0.expertIntermediate.ceilDiv(tp) } ?? 0
        localExperts = moe.map { model.expertParallel ? $0.experts.ceilDiv(tp) : $0.experts } ?? 0
        sharedExpertColumns = moe.map { $0.sharedIntermediate.ceilDiv(split) } ?? 0
    }

    /// The rows one rank computes of a layer part that every token passes (not the routed experts), for `rows`
    /// tokens of the stage: ⌈rows / T⌉ with data-parallel attention (the busiest rank), else all of them.
    public func localRows(_ rows: Int) -> Int { rows.ceilDiv(tokenRanks) }

    /// The tensor-parallel rank that holds routed expert `expert` under expert parallelism.
    public func rank(ofExpert expert: Int) -> Int { expert % model.tensorParallel }

    /// Bytes of K and V one token adds to one layer's cache on this device (in the model's KV format).
    public var keyValueBytesPerTokenPerLayer: Int64 {
        2 * Int64(keyValueHeads) * model.keyValueFormat.bytes(perVectorOf: model.headDimension)
    }

    /// Bytes of KV cache one token occupies across this device's layers.
    public var keyValueBytesPerToken: Int64 { keyValueBytesPerTokenPerLayer * Int64(layers) }
}
