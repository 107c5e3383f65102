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
