public import TriadCore

/// Low-bit GEMMs on LUT Tensor Core units in place of the NPU's FP16 arrays (Mo et al., "LUT Tensor Core: A
/// Software-Hardware Co-Design for LUT-Based Low-Bit LLM Inference", ISCA 2025, arXiv 2408.06003; docs/MODEL.md §13.1).
///
/// Activations are not multiplied by weights: for every group of K activations of a row the unit holds a table of the
/// 2^(K−1) signed sums a {−1, +1} bit pattern can select (weights reinterpreted so the table is odd-symmetric, §3.1.2),
/// and a weight's bits, one bit plane per cycle (bit-serial, §3.2.1), pick entries that are shifted and accumulated.
/// One unit is an M × N × K = 2 × 64 × 4 tile (the "elongated" shape of §3.2.2 and the artifact's RTL defaults): per
/// cycle it applies one bit of 64 × 4 weights to two token rows. The tables are precomputed once per activation row on
/// the vector units, fused into the operation that produced the activations (§3.1.1), so they add vector work but no
/// memory traffic. The weights stream from memory at their stored width and are never expanded to FP16.
public struct LookupTableGEMM: Sendable, Hashable {
    /// Token rows one unit serves per cycle (M).
    public static let tileRows: Int64 = 2
    /// Weight columns one unit covers (N).
    public static let tileColumns: Int64 = 64
    /// Activations per table (K): a table holds 2^(K−1) = 8 entries.
    public static let tileInner: Int64 = 4
    /// Table entries per K activations after symmetrization: 2^(K−1).
    public static let tableEntries: Int64 = 8
    /// Compute density of the LUT tensor core over the FP16 tensor core, 1-bit weights × FP16 activations at the
    /// tensor-core level: 61.95 TOPs/mm² against 2.96 TFLOPs/mm² (A100-LUT-8X against A100, normalized to 28 nm; §4.4.3,
    /// Table 1). A parameter of the design, not a Triad result: the LUT array given the FP16 arrays' area does this
    /// many times their multiply-accumulates per cycle at 1-bit weights, and 1/W of that at W bits (bit-serial).
    public static let densityOverFP16 = 20.9
    /// Energy efficiency over the FP16 tensor core at 1-bit weights (§4.4.3: 11.2×): one 1-bit weight's
    /// multiply-accumulate costs the FP16 MAC's energy / 11.2, a W-bit weight's W times that.
    public static let energyEfficiencyOverFP16 = 11.2

    /// Units in the FP16 arrays' area: their MACs × the density, in 2 × 64 × 4 tiles.
    public let units: Int64
    let configuration: NPUConfiguration

    public init(configuration: NPUConfiguration) {
        self.configuration = configuration
        let macs = Double(configuration.systolicArrays) * Double(configuration.arrayRows)
            * Double(configuration.arrayColumns)
        units = max(1, Int64((macs * Self.densityOverFP16 / Double(Self.tileRows * Self.tileColumns * Self.tileInner))))
    }

    /// The weight width the LUT path computes with for `operation`, or nil when it stays on the dequantizing path:
    /// integer weights of 1–8 bits and ternary weights (2 bits, as BitNet b1.58 runs on it). FP8 weights are not bit
    /// planes and FP16 ones gain nothing; sparse weights are FP16.
    public static func weightBits(of operation: Operation) -> Int64? {
        if operation.isTernary { return 2 }
        guard operation.weightDensity == 10_000, (1...8).contains(operation.weightBits) else { return nil }
        return Int64(operation.weightBits)
    }

    /// Cycles of the table precompute for `tokens` rows of `inner` activations: 2^(K−1) entries per K activations,
    /// one add each (the entries follow one another in Gray-code order), on every vector lane.
    public func precomputeCycles(tokens: Int64, inner: Int64) -> Int64 {
        let entries = Double(tokens) * Double(inner.ceilDiv(Self.tileInner) * Self.tableEntries)
        let lanes = Double(configuration.vectorUnits * configuration.vectorLanes)
        return Self.saturating((entries / lanes).rounded(.up) * Double(configuration.vectorOpLatency))
    }

    /// Cycles the units take for a `tokens × inner × outputs` GEMM with `bits`-bit weights: every (token pair, K
    /// group, N group) tile is W bit-serial cycles of one unit, the tiles spread over all units.
    public func computeCycles(tokens: Int64, inner: Int64, outputs: Int64, bits: Int64) -> Int64 {
        let tiles =
            Double(tokens.ceilDiv(Self.tileRows)) * Double(inner.ceilDiv(Self.tileInner))
            * Double(outputs.ceilDiv(Self.tileColumns))
        return Self.saturating((tiles * Double(bits) / Double(units)).rounded(.up))
    }

    /// `value` as cycles, held below `Int64.saturationLimit` (absurd shapes saturate; the run then stops with an error).
    static func saturating(_ value: Double) -> Int64 { Int64(min(value, Double(Int64.saturationLimit))) }

    /// The GEMM: the table precompute, then the units, which consume the weights as they stream in (bound by the slower
    /// of the two); activations read and outputs written as on the arrays.
    public func cost(of operation: Operation, bits: Int64, weightBytes: Int64, streamCycles: (Int64) -> Int64)
        -> OperationCost
    {
        let tokens = Int64(operation.rows)
        let inner = Int64(operation.inner)
        let outputs = Int64(operation.columns)
        let precompute = precomputeCycles(tokens: tokens, inner: inner)
        let compute = computeCycles(tokens: tokens, inner: inner, outputs: outputs, bits: bits)
        let traffic = weightBytes +| 2 * (tokens * inner +| tokens * outputs)
        let cycles = precompute +| max(compute, streamCycles(traffic))
        let busy = min(cycles, precompute +| compute)
        let macs = Double(tokens) * Double(inner) * Double(outputs)
        let energy =
            macs * Double(bits) * configuration.macEnergyPicojoules / Self.energyEfficiencyOverFP16
            + Double(tokens) * Double(inner.ceilDiv(Self.tileInner) * Self.tableEntries)
            * configuration.vectorOpEnergyPicojoules
        return OperationCost(
            cycles: cycles, duration: configuration.clock.picoseconds(forCycles: cycles), streamedBytes: traffic,
            energyPicojoules: energy, computeCycles: busy, memoryCycles: cycles - busy)
    }
}
