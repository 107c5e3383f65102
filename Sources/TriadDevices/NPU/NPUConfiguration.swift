public import TriadCore

/// A GEMM NPU: systolic arrays, vector units, on-chip SRAM, and the bandwidth of the memory it streams
/// weights, activations and KV cache from. Values come from a topology file; the `neupims` preset is the
/// NeuPIMs simulator's configuration (casys-kaist/NeuPIMs `configs/systolic_ws_128x128_dev.json`; docs/MODEL.md §1).
public struct NPUConfiguration: Sendable, Hashable {
    /// How the NPU runs a request's attention GEMVs.
    public enum AttentionMapping: String, Sendable, Hashable, CaseIterable {
        /// Per GEMV the faster of `arrays` and `vector-units`, as a compiler would choose (the default: the
        /// strongest NPU baseline — arrays for grouped queries and long contexts, vector units for short MHA
        /// contexts whose tiles would be mostly padding).
        case fastest
        /// On the systolic arrays as small GEMMs: per KV head, each K or V tile is preloaded into
        /// an array and the g query rows of its group (or their scores) stream through it, so every KV element
        /// read serves g MACs; arrays work on different tiles (docs/MODEL.md §1.6).
        case systolicArrays = "arrays"
        /// On the vector units, a multiply and an accumulate per lane per pass: every query head's MACs on the
        /// lanes, so grouped-query attention is compute-bound here.
        case vectorUnits = "vector-units"
        /// As the NeuPIMs simulator's FusedMHA does: per head, on one systolic array, one key per cycle for
        /// the logits and one head dimension per cycle for the attend GEMV.
        case singleArray = "single-array"
    }

    /// How GEMMs with low-bit weights compute (docs/MODEL.md §13.1).
    public enum LowBitGEMM: String, Sendable, Hashable, CaseIterable {
        /// Weights expanded to FP16 on their way into SRAM and multiplied on the FP16 arrays (the default).
        case dequantize
        /// On LUT Tensor Core units in the arrays' area, by table lookup (`LookupTableGEMM`): integer weights of
        /// 1–8 bits and ternary ones; other GEMMs stay on the arrays.
        case lookupTables = "lut"
    }

    /// Which GEMM operand stays in the arrays (docs/MODEL.md §1.1).
    public enum GEMMMapping: String, Sendable, Hashable, CaseIterable {
        /// The NeuPIMs simulator's mapping (`src/operations/MatMul.cc`, `_is_transposed = true`): a token ×
        /// K activation tile is preloaded and weight columns stream through it; the first token pass is
        /// bound by streaming the weights in, later passes by the arrays.
        case activationStationary = "activation-stationary"
        /// A weight tile is preloaded and the tokens stream through it; weights stream in under compute.
        case weightStationary = "weight-stationary"
    }

    /// Systolic arrays working together (NeuPIMs: 8).
    public var systolicArrays: Int
    /// Rows of one array (NeuPIMs: 128). A weight tile is `arrayRows × arrayColumns`.
    public var arrayRows: Int
    /// Columns of one array (NeuPIMs: 128).
    public var arrayColumns: Int
    public var clock: ClockFrequency
    /// Vector units (NeuPIMs: 8).
    public var vectorUnits: Int
    /// Lanes per vector unit (NeuPIMs: 128).
    public var vectorLanes: Int
    /// Latency of one vector add / multiply / exp / GELU pass, cycles (NeuPIMs: 1 each).
    public var vectorOpLatency: Int64
    /// On-chip SRAM, bytes (NeuPIMs config: 134,218 KB ≈ 131 MiB). Half is usable per tile (double buffering).
    public var sramBytes: Int64
    /// Bandwidth of the attached memory, bytes per second.
    public var memoryBandwidthBytesPerSecond: Int64
    /// Energy of one FP16 multiply-accumulate, picojoules (fp16 mul 0.34 + add 0.16 at 7 nm; docs/MODEL.md §6).
    public var macEnergyPicojoules: Double
    /// Energy of one element-wise vector operation, picojoules (fp16 add 0.16 at 7 nm).
    public var vectorOpEnergyPicojoules: Double
    /// Static power, watts, charged for the whole simulated time.
    public var staticPowerWatts: Double
    /// Static power of an NPU whose topology gives none, watts: the idle power of the TPU v1 die (Jouppi et al.,
    /// "In-Datacenter Performance Analysis of a Tensor Processing Unit", ISCA 2017, Table 2: 28 W idle, 40 W
    /// busy; 256×256 MACs at 700 MHz in 28 nm) — the nearest published die-level figure for a systolic NPU of
    /// this class, an assumption (docs/MODEL.md §6). The NeuPIMs topologies set 0 to match the paper's
    /// dynamic-energy comparison.
    public static let defaultStaticPowerWatts = 28.0
    /// How attention GEMVs map onto the NPU when it runs them.
    public var attentionMapping: AttentionMapping = .fastest
    /// How GEMMs map onto the systolic arrays.
    public var gemmMapping: GEMMMapping = .activationStationary
    /// How GEMMs with low-bit weights compute.
    public var lowBitGEMM: LowBitGEMM = .dequantize
    /// Fraction of `memoryBandwidthBytesPerSecond` a long sequential stream sustains (0 < η ≤ 1). The
    /// `neupims` preset takes the share of time its HBM2 is not refreshing, (tREFI − tRFC) / tREFI =
    /// 3640 / 3900 (docs/MODEL.md §1.3).
    public var memoryEfficiency: Double = 1
    /// The efficiencies a topology or a peer may give (NaN and ∞ fall outside).
    /// The least SRAM that holds one double-buffered, array-sized tile of a GEMM's three operands (2-byte
    /// elements; the tiling rule of `NPUCostModel.sramTile`), bytes: with less, the arrays cannot be fed and the
    /// tiling degenerates to single elements. Topologies and the wire refuse smaller SRAMs.
    public var minimumSRAMBytes: Int64 { 12 * Int64(arrayRows) * Int64(max(arrayRows, arrayColumns)) }

    public static let memoryEfficiencyRange: ClosedRange<Double> = 0.001...1
    /// Whether an operation's weights may stream in while the previous operation still computes. The
    /// NeuPIMs simulator runs operations one after another with a flushed scratchpad: no (docs/MODEL.md §1.4).
    public var prefetchesWeights = false
    /// Whether weights stay in SRAM for the next sub-batch's same operation. The simulator: no.
    public var reusesWeights = false
    /// PIM instructions the host moves to the channel queues per NPU cycle (0: all of a tile's at once, the
    /// NeuPIMs simulator's `main`; 1: its `npu+pim` baseline's one per cycle). Policies without `+bulk`
    /// use this rate; `+bulk` moves whole tiles (docs/MODEL.md §2.4).
    public var pimIssueRate: Int = 1

    public init(
        systolicArrays: Int, arrayRows: Int, arrayColumns: Int, clock: ClockFrequency, vectorUnits: Int,
        vectorLanes: Int, vectorOpLatency: Int64, sramBytes: Int64, memoryBandwidthBytesPerSecond: Int64,
        macEnergyPicojoules: Double, vectorOpEnergyPicojoules: Double, staticPowerWatts: Double
    ) {
        self.systolicArrays = systolicArrays
        self.arrayRows = arrayRows
        self.arrayColumns = arrayColumns
        self.clock = clock
        self.vectorUnits = vectorUnits
        self.vectorLanes = vectorLanes
        self.vectorOpLatency = vectorOpLatency
        self.sramBytes = sramBytes
        self.memoryBandwidthBytesPerSecond = memoryBandwidthBytesPerSecond
        self.macEnergyPicojoules = macEnergyPicojoules
        self.vectorOpEnergyPicojoules = vectorOpEnergyPicojoules
        self.staticPowerWatts = staticPowerWatts
    }

    /// The NeuPIMs simulator's NPU (configs/systolic_ws_128x128_dev.json) with HBM2 at 32 × 32 GB/s.
    public static let neupims: NPUConfiguration = {
        var npu = NPUConfiguration(
            systolicArrays: 8, arrayRows: 128, arrayColumns: 128, clock: ClockFrequency(megahertz: 1000),
            vectorUnits: 8, vectorLanes: 128, vectorOpLatency: 1, sramBytes: 134_218 * 1024,
            memoryBandwidthBytesPerSecond: 32 * 32_000_000_000, macEnergyPicojoules: 0.5,
            vectorOpEnergyPicojoules: 0.16, staticPowerWatts: 0)
        npu.memoryEfficiency = 3640.0 / 3900.0
        return npu
    }()

    /// Bytes a matrix op's weights take in memory: ternary packed at 2 bits, else at the op's `weightBits` (with its
    /// groups' scales), streamed at that width and expanded to FP16 on chip (dequantize-then-GEMM: the arrays compute
    /// in FP16 whatever the storage; docs/MODEL.md §13).
    public func storedWeightBytes(of operation: Operation) -> Int64 {
        operation.isTernary ? (operation.weightCount * 2).ceilDiv(8) : operation.quantizedWeightBytes
    }

    /// Bytes per NPU cycle the memory sustains (peak × efficiency).
    public var sustainedBytesPerCycle: Double {
        Double(memoryBandwidthBytesPerSecond) * memoryEfficiency / (Double(clock.megahertz) * 1e6)
    }
}
