public import TriadCore
public import TriadDevices

/// Flash-LLM's figures where they follow from what Triad models (docs/MODEL.md §16): the weight traffic of its
/// Tiled-CSL format at the sparsities it evaluates, and what that does to a skinny GEMM on the NPU.
public enum SparsityReproduction {
    /// The sparsities Flash-LLM's kernel and model results use.
    public static let sparsities = [0.7, 0.8, 0.9]

    /// An OPT-66B FFN GEMM (9,216 → 36,864; Flash-LLM's end-to-end models are OPT-30B/66B/175B) with `tokens` rows on
    /// the NeuPIMs NPU: its time with `sparsity` over its dense time, and its weight bytes over dense FP16's.
    public static func gemm(sparsity: Double, tokens: Int, skipsZeros: Bool = false) -> (time: Double, bytes: Double) {
        var operation = Operation(kind: .feedForwardUp, rows: tokens, inner: 9_216, columns: 36_864)
        let npu = NPUCostModel(configuration: .neupims)
        let dense = npu.cost(of: operation)
        let denseBytes = NPUConfiguration.neupims.storedWeightBytes(of: operation)
        operation.weightDensity = WeightSparsity(sparsity: sparsity).density
        operation.skipsZeros = skipsZeros
        let sparse = npu.cost(of: operation)
        return (
            Double(sparse.duration) / Double(dense.duration),
            Double(NPUConfiguration.neupims.storedWeightBytes(of: operation)) / Double(denseBytes)
        )
    }

    public static func claims() -> [Claim] {
        sparsities.flatMap { sparsity -> [Claim] in
            let percent = Int((sparsity * 100).rounded())
            let point = gemm(sparsity: sparsity, tokens: 8)
            return [
                Claim(
                    id: "flash-llm-traffic-\(percent)",
                    description: "Tiled-CSL weight bytes over dense FP16 at \(percent) % sparsity",
                    paper: 2 * (1 - sparsity), paperText: "(1 − s) × 4 B per weight over 2 B (Tiled-CSL)",
                    measured: point.bytes, holds: abs(point.bytes - 2 * (1 - sparsity)) < 0.001,
                    note: "each nonzero a 16-bit value and a 16-bit location; break-even at 50 %", unit: .ratio),
                Claim(
                    id: "flash-llm-gemm-speedup-\(percent)",
                    description: "OPT-66B FFN GEMM, 8 tokens, NeuPIMs NPU: dense time over sparse (load as sparse, compute as dense)",
                    paper: nil, paperText: "faster than dense at 70–90 % (its kernels on A100)",
                    measured: 1 / point.time, holds: point.time < 1,
                    note:
                        "the stream shrinks to \(ClaimRendering.format(point.bytes * 100, 0)) %; the arrays' weight preload (dense) bounds the rest",
                    unit: .ratio),
            ]
        }
    }
}
