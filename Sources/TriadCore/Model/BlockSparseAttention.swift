/// MoBA block-sparse attention (Lu et al., "MoBA: Mixture of Block Attention for Long-Context LLMs", Moonshot AI 2025;
/// docs/MODEL.md §15): the KV cache is cut into blocks of `block` tokens; a parameter-free gate scores the query
/// against each block's mean-pooled key and the query attends to the `topK` best blocks only (the current block always
/// among them). The KV cache still holds every token.
public struct BlockSparseAttention: Sendable, Hashable {
    public var block: Int
    public var topK: Int

    public init(block: Int, topK: Int) {
        self.block = block
        self.topK = topK
    }

    /// `BLOCK:TOPK` (BLOCK 1…1,048,576 tokens, TOPK 1…65,536); nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let block = Int(parts[0]), (1...1_048_576).contains(block), let topK = Int(parts[1]),
            (1...65_536).contains(topK)
        else { return nil }
        self.init(block: block, topK: topK)
    }

    /// What `--moba` accepts, for error messages.
    public static let accepted = "BLOCK:TOPK with BLOCK in 1…1048576 tokens and TOPK in 1…65536 blocks"

    /// Keys a decode query reads over a context of `sequenceLength` tokens: for its scores, the gate's one pooled key
    /// per block and the chosen blocks' keys; for its output, the chosen blocks' values. A context of at most k
    /// blocks is attended whole, without a gate.
    public func keys(sequenceLength: Int) -> (logits: Int, attend: Int) {
        let chosen = topK * block
        guard sequenceLength > chosen else { return (sequenceLength, sequenceLength) }
        return (chosen + sequenceLength.ceilDiv(block), chosen)
    }

    /// The share of the context a query skips: 1 − k·B / context (the paper's "sparsity").
    public func sparsity(sequenceLength: Int) -> Double {
        1 - Double(keys(sequenceLength: sequenceLength).attend) / Double(max(sequenceLength, 1))
    }
}
