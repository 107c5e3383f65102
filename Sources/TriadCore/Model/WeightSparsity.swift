/// Unstructured weight sparsity (`--sparsity S`, docs/MODEL.md §16), as Flash-LLM serves it (Xia et al., "Flash-LLM:
/// Enabling Cost-Effective and Highly-Efficient Large Generative Model Inference with Unstructured Sparsity", VLDB
/// 2024): "load as sparse, compute as dense" — the weights stream in its Tiled-CSL encoding, each nonzero a 16-bit value
/// and a 16-bit location within its tile (the tiles' offsets, one word per tile, are left out), and are rebuilt dense on
/// chip, where the arrays compute as if dense; or, with `skipsZeros`, the device does only the nonzeros' work (an
/// ideal sparse datapath, for studies).
public struct WeightSparsity: Sendable, Hashable {
    /// Share of each linear layer's weights that are zero, in [0, 0.999] (the matrices `matrices` does not name).
    public var sparsity: Double
    /// Sparsity of the matrices of a kind, where it differs from `sparsity` (`qkv=0.5,ffn-up=0.8`).
    public var matrices: [Operation.Kind: Double] = [:]
    public var skipsZeros: Bool

    /// Bytes a nonzero takes in Tiled-CSL.
    public static let bytesPerNonzero: Int64 = 4

    /// The matrices `--sparsity` can name, by their labels.
    public static let namedKinds: [Operation.Kind] = [
        .qkvProjection, .outputProjection, .feedForwardUp, .feedForwardDown, .mixerProjection, .mixerOutput,
    ]

    /// Comma-separated items, each `S` (every linear layer) or `MATRIX=S` (one kind: qkv, proj, ffn-up, ffn-down,
    /// mixer-in, mixer-out), each S in 0…0.999, no matrix twice; `:skip` after the last. Nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), parts.count == 1 || parts[1] == "skip" else { return nil }
        func level(_ text: Substring) -> Double? {
            guard let value = Double(text), value.isFinite, (0...0.999).contains(value) else { return nil }
            return value
        }
        var all: Double?
        var matrices: [Operation.Kind: Double] = [:]
        for item in parts[0].split(separator: ",", omittingEmptySubsequences: false) {
            let pair = item.split(separator: "=", omittingEmptySubsequences: false)
            if pair.count == 1 {
                guard all == nil, let value = level(pair[0]) else { return nil }
                all = value
            } else {
                guard pair.count == 2, let kind = Self.namedKinds.first(where: { $0.label == pair[0] }),
                    matrices[kind] == nil, let value = level(pair[1])
                else { return nil }
                matrices[kind] = value
            }
        }
        guard all != nil || !matrices.isEmpty else { return nil }
        sparsity = all ?? 0
        self.matrices = matrices
        skipsZeros = parts.count == 2
    }

    public init(sparsity: Double, skipsZeros: Bool = false) {
        self.sparsity = sparsity
        self.skipsZeros = skipsZeros
    }

    /// What `--sparsity` accepts, for error messages.
    public static let accepted =
        "S, MATRIX=S,… or both (MATRIX: qkv, proj, ffn-up, ffn-down, mixer-in, mixer-out), optionally :skip, with S the share of zero weights in 0…0.999"

    /// Nonzeros per 10,000 weights of the matrices `matrices` does not name.
    public var density: UInt16 { Self.density(sparsity) }

    /// Nonzeros per 10,000 weights of a matrix of `kind`.
    public func density(for kind: Operation.Kind) -> UInt16 { Self.density(matrices[kind] ?? sparsity) }

    static func density(_ sparsity: Double) -> UInt16 { UInt16(((1 - sparsity) * 10_000).rounded()) }
}
