/// Unstructured weight sparsity (`--sparsity S`, docs/MODEL.md §16), as Flash-LLM serves it (Xia et al., "Flash-LLM:
/// Enabling Cost-Effective and Highly-Efficient Large Generative Model Inference with Unstructured Sparsity", VLDB
/// 2024): "load as sparse, compute as dense" — the weights stream in its Tiled-CSL encoding, each nonzero a 16-bit value
/// and a 16-bit location within its tile (the tiles' offsets, one word per tile, are left out), and are rebuilt dense on
/// chip, where the arrays compute as if dense; or, with `skipsZeros`, the device does only the nonzeros' work (an
/// ideal sparse datapath, for studies).
public struct WeightSparsity: Sendable, Hashable {
    /// Share of each linear layer's weights that are zero, in [0, 0.999].
    public var sparsity: Double
    public var skipsZeros: Bool

    /// Bytes a nonzero takes in Tiled-CSL.
    public static let bytesPerNonzero: Int64 = 4

    /// `S` or `S:skip` with S in 0…0.999; nil otherwise.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let sparsity = Double(parts[0]), sparsity.isFinite,
            (0...0.999).contains(sparsity), parts.count == 1 || parts[1] == "skip"
        else { return nil }
        self.sparsity = sparsity
        skipsZeros = parts.count == 2
    }

    public init(sparsity: Double, skipsZeros: Bool = false) {
        self.sparsity = sparsity
        self.skipsZeros = skipsZeros
    }

    /// What `--sparsity` accepts, for error messages.
    public static let accepted = "S or S:skip with S the share of zero weights in 0…0.999"

    /// Nonzeros per 10,000 weights.
    public var density: UInt16 { UInt16(((1 - sparsity) * 10_000).rounded()) }
}
