/// A Mixture-of-Experts feed-forward block (Mixtral, Qwen-MoE, DeepSeekMoE, GPT-OSS; docs/MODEL.md §12): a router
/// (gate, d → E) sends each token to its `perToken` highest-scoring routed experts, each a gated FFN of
/// `expertIntermediate` columns; shared experts (DeepSeekMoE, Qwen-MoE) see every token, as one gated FFN of
/// `sharedIntermediate` columns; the first `denseLayers` layers keep a dense FFN of the model's `intermediateSize`
/// (DeepSeek's `first_k_dense_replace`).
public struct MixtureOfExperts: Sendable, Hashable {
    /// Routed experts per MoE layer.
    public var experts: Int
    /// Routed experts each token goes to (top-k).
    public var perToken: Int
    /// FFN columns of one routed expert.
    public var expertIntermediate: Int
    /// FFN columns of the shared experts together (0: none).
    public var sharedIntermediate: Int
    /// Leading layers with a dense FFN instead.
    public var denseLayers: Int

    public init(experts: Int, perToken: Int, expertIntermediate: Int, sharedIntermediate: Int = 0, denseLayers: Int = 0) {
        self.experts = experts
        self.perToken = perToken
        self.expertIntermediate = expertIntermediate
        self.sharedIntermediate = sharedIntermediate
        self.denseLayers = denseLayers
    }
}
