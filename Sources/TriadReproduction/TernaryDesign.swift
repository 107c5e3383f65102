import TriadCore
import TriadDevices

/// A published ternary-weight FPGA design with a measured throughput, and what Triad's FPGA cost model
/// predicts for it from its published parameters alone (docs/MODEL.md §5).
public struct TernaryDesign: Sendable {
    public var name: String
    public var model: String
    /// Requests decoded together; each lane is a replica core fed by its compute unit's weight stream.
    public var lanes: Int
    public var clockMegahertz: Int64
    /// Ternary weights one lane consumes per cycle.
    public var weightsPerCycle: Int
    /// Bandwidth of the memory bank each weight stream reads, bytes per second.
    public var bankBandwidthBytesPerSecond: Int64
    public var bitsPerWeight: Double
    /// Share of cycles the design's own notes measure in matrix work (the rest is element-wise), if given.
    public var matrixShare: Double
    public var measuredTokensPerSecond: Double
    public var measuredWatts: Double?
    public var source: String

    /// Tokens per second from the cost model: every lane runs its matrix ops at `weightsPerCycle` per cycle
    /// or at its bank's stream, whichever is slower, for `matrixShare` of the time.
    public func predictedTokensPerSecond(share: Double) -> Double {
        let configuration = FPGAConfiguration(
            cores: 1, addersPerCore: weightsPerCycle, clock: ClockFrequency(megahertz: clockMegahertz),
            bitsPerWeight: bitsPerWeight, memoryBandwidthBytesPerSecond: bankBandwidthBytesPerSecond,
            memoryEfficiency: 1, memoryBytes: 64 << 30, powerWatts: measuredWatts ?? 0, fixedLatencyCycles: 0,
            elementwiseLanes: 1)
        let shard = ModelShard(ModelPresets.named(model)!)
        let cost = FPGACostModel(configuration: configuration)
        let layer = LayerTemplate(shard: shard, rows: 1)
        var picoseconds: Int64 = 0
        for operation in layer.beforeAttention + layer.afterAttention where operation.kind.category == .matrix {
            picoseconds += cost.cost(of: operation).duration
        }
        let seconds = Double(picoseconds * Int64(shard.layers)) / Double(picosecondsPerSecond)
        return Double(lanes) / seconds * share
    }

    /// Ternip's vector lanes: elements per register-port access (`VectorParallelism`, RESULTS-370M-lane-search.md:3).
    public static let ternipVectorParallelism: Int64 = 4

    /// Ternip's vector work per layer, in register-port cycles per 4-element chunk of a d-vector: 255.2, from its own
    /// instruction-timing report for the 370M build (3,379,223 cycles per token, of which 1,568 K vector work —
    /// OVERLAP_REFACTOR.md:31-37, MATMUL_DDR_FRONTIER.md:101-102 in github.com/sifferman/ternip_claude_churner), each
    /// op at its RTL rate through the one shared register port (ADD/SUB/MUL 3 port cycles per chunk, SiLU/sigmoid and
    /// the RMS normalise 2, accumulate/import/export/load/store 1: rtl/fus/ternip_rowwise_operation.sv, ternip_rms.sv,
    /// ternip_tmatmul.sv in github.com/sifferman/ternip). The op count per layer is the same for all three models
    /// (the GLU's I pads to 3 d-vectors), so the vector work scales as layers × d / 4.
    public static let ternipVectorChunkCycles = 255.2

    /// Cycles one lane spends per token on Ternip's RTL (docs/MODEL.md §5): per layer, the matrix unit streams every
    /// BitLinear as whole d × d tiles (4 for the token mixer, ⌈2I/d⌉ + ⌈I/d⌉ for the GLU) at `weightsPerCycle`
    /// (its bank, 9.6 of 19.2 GB/s at 2 bits, never binds), then the vector work runs at its own rate, serially
    /// (the core issues one instruction at a time: rtl/ternip/ternip_core.sv). The LM head is on the host.
    public func ternipCyclesPerToken() -> Double {
        let model = ModelPresets.named(self.model)!
        let d = Int64(model.hiddenSize)
        let intermediate = Int64(model.intermediateSize)
        let tiles = 4 + (2 * intermediate).ceilDiv(d) + intermediate.ceilDiv(d)
        let matrix = Double(tiles * d * d) / Double(weightsPerCycle)
        let vector = Self.ternipVectorChunkCycles * Double(d) / Double(Self.ternipVectorParallelism)
        return Double(model.layers) * (matrix + vector)
    }

    /// Tokens per second from `ternipCyclesPerToken`: every lane decodes one request.
    public var ternipPredictedTokensPerSecond: Double {
        Double(lanes) * Double(clockMegahertz) * 1e6 / ternipCyclesPerToken()
    }

    /// Ternip on an AMD Alveo U250 (the public repositories github.com/sifferman/ternip, its RTL, and github.com/sifferman/ternip_claude_churner, its measurement notes): 4 compute
    /// units, one DDR4-2400 bank each (19.2 GB/s), 128 ternary weights per cycle per lane at 300 MHz, 2 bits per
    /// weight, embedding and LM head on the host; the notes measure the matrix work at 76 % of cycles.
    public static let ternip: [TernaryDesign] = [
        ternipBuild("mmfree-370m", lanes: 48, measured: 3711.77, watts: 53.35),
        ternipBuild("mmfree-1.3b", lanes: 35, measured: 835.50, watts: nil),
        ternipBuild("mmfree-1.3b", lanes: 41, measured: 969.88, watts: 52.66),
        ternipBuild("mmfree-2.7b", lanes: 29, measured: 411.35, watts: 52.05),
    ]

    private static func ternipBuild(_ model: String, lanes: Int, measured: Double, watts: Double?) -> TernaryDesign {
        TernaryDesign(
            name: "Ternip U250, \(lanes) lanes", model: model, lanes: lanes, clockMegahertz: 300, weightsPerCycle: 128,
            bankBandwidthBytesPerSecond: 19_200_000_000, bitsPerWeight: 2, matrixShare: 0.76,
            measuredTokensPerSecond: measured, measuredWatts: watts,
            source:
                "https://github.com/sifferman/ternip_claude_churner (public): QUESTIONS.md, plans/scalable_matmulfree.md, RESULTS-370M-lane-search.md, MATMUL_DDR_FRONTIER.md"
        )
    }
}
