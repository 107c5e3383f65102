public import TriadCore
public import TriadDevices

/// The MatMul-free LM paper's FPGA results (reference/MATMULFREE.md, "Results to reproduce") on Triad's
/// ternary FPGA cost model.
public enum MatMulFreeReproduction {
    /// The paper's token-generation core: one ternary accumulate per cycle at 60 MHz, fed 8 bits per cycle
    /// from DDR (60 MB/s), weights at 2 bits, 13 W for the board.
    public static func core(count: Int, adders: Int = 1) -> FPGAConfiguration {
        FPGAConfiguration(
            cores: count, addersPerCore: adders, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
            memoryBandwidthBytesPerSecond: min(76_800_000_000, Int64(count) * 60_000_000), memoryEfficiency: 1,
            memoryBytes: 32 << 30, powerWatts: 13, fixedLatencyCycles: 0, elementwiseLanes: count)
    }

    /// Cores of the bundled `matmulfree-fpga.yaml` (an illustrative multi-core build, not the paper's,
    /// whose core count the sources do not give).
    public static let bundledCores = 256

    public static var parameters: [ParameterSource] {
        [
            ParameterSource("clock", "60 MHz", "the paper's RTL on an Intel D5005 [paper]"),
            ParameterSource(
                "adders per core", "1 ternary accumulate per cycle",
                "assumption; the paper measures ≈1.2–1.3 ops/cycle/core [derived]"),
            ParameterSource(
                "DDR per core", "8 bits per cycle = 60 MB/s", "\"the core receives 8 bits per cycle from DDR\" [paper]"),
            ParameterSource("board DDR", "76.8 GB/s", "4 × DDR4-2400 on the D5005 [derived]"),
            ParameterSource("weights", "2 bits per ternary weight", "I2_S packing (reference/MATMULFREE.md)"),
            ParameterSource("power", "13 W", "[secondary: press coverage of the paper]"),
            ParameterSource(
                "multi-core count", "\(bundledCores) (bundled matmulfree-fpga.yaml)",
                "assumption: the sources give no core count"),
            ParameterSource(
                "models", "HGRN-Bit 370M/1.3B/2.7B shapes; I = 256·⌈(8d/3)/256⌉", "ridgerchu/matmulfreellm configs"),
        ]
    }

    /// Seconds to generate one token at batch 1 for `model` on `configuration` (all layers and the LM head).
    public static func secondsPerToken(
        _ model: ModelSpec, on configuration: FPGAConfiguration, includeHead: Bool = true
    )
        -> Double
    {
        let shard = ModelShard(model)
        let cost = FPGACostModel(configuration: configuration)
        let layer = LayerTemplate(shard: shard, rows: 1)
        var picoseconds = Int64(0)
        for operation in layer.beforeAttention + layer.afterAttention {
            picoseconds += cost.cost(of: operation).duration
        }
        picoseconds *= Int64(shard.layers)
        if includeHead {
            for operation in LayerTemplate.head(shard: shard, rows: 1) {
                picoseconds += cost.cost(of: operation).duration
            }
        }
        return Double(picoseconds) / Double(picosecondsPerSecond)
    }

    /// One HGRN-Bit block at d = 512 (I = 1536).
    public static let blockD512 = ModelSpec(
        name: "hgrn-bit-d512-block", architecture: .hgrnBit, layers: 1, hiddenSize: 512, attentionHeads: 1,
        keyValueHeads: 1, headDimension: 512, intermediateSize: 1536, vocabularySize: 32000,
        feedForward: .gatedLinearUnit, weightFormat: .ternary, source: "MatMul-free LM, one block at d = 512")

    public static func run() -> [Claim] {
        let model = ModelPresets.named("mmfree-1.3b")!
        let blockMilliseconds = secondsPerToken(blockD512, on: core(count: 1), includeHead: false) * 1000
        let tokensPerSecond = 1 / secondsPerToken(model, on: core(count: bundledCores))
        let joules = 13 / tokensPerSecond
        // Ternary operations per 1.3B token, and the cores our one-adder core needs for the paper's rate.
        let shard = ModelShard(model)
        let layer = LayerTemplate(shard: shard, rows: 1)
        let opsPerToken =
            (layer.beforeAttention.map(\.multiplyAccumulates).reduce(0, +)) * Int64(shard.layers)
            + LayerTemplate.head(shard: shard, rows: 1).map(\.multiplyAccumulates).reduce(0, +)
        let coresForPaperRate = Double(opsPerToken) * 23.8 / 60e6
        // Compute- to memory-bound crossover: total adders at which the 1.3B GLU up-projection's streaming time
        // (76.8 GB/s) exceeds its compute time.
        // The block's ternary adds, and what one core's 8-bit-per-cycle DDR feed at 2 bits per weight allows.
        let blockLayer = LayerTemplate(shard: ModelShard(blockD512), rows: 1)
        let blockAdds = blockLayer.beforeAttention.map(\.multiplyAccumulates).reduce(0, +)
        let oneAdderMilliseconds = Double(blockAdds) / 60e3
        let feedLimitMilliseconds = Double(blockAdds) * 2 / 8 / 60e3
        let impliedAddsPerCycle = Double(blockAdds) / (43e-3 * 60e6)
        let ffn = layer.beforeAttention.first { $0.kind == .feedForwardUp }!
        var adders = 64
        while adders < 1 << 20 {
            let configuration = FPGAConfiguration(
                cores: 1, addersPerCore: adders, clock: ClockFrequency(megahertz: 60), bitsPerWeight: 2,
                memoryBandwidthBytesPerSecond: 76_800_000_000, memoryEfficiency: 1, memoryBytes: 32 << 30,
                powerWatts: 13, fixedLatencyCycles: 0, elementwiseLanes: 64)
            if FPGACostModel(configuration: configuration).matrixCost(ffn).memoryCycles > 0 { break }
            adders += 64
        }
        return [
            Claim(
                id: "fpga_block_d512_ms", description: "one core, one d = 512 block at 60 MHz, milliseconds",
                paper: 43, paperText: "43 ms", measured: blockMilliseconds,
                note:
                    "one ternary add per cycle gives \(Int(oneAdderMilliseconds)) ms for the block's \(blockAdds) adds (its 8-bit/cycle DDR feed at 2 bits/weight would allow \(Int(feedLimitMilliseconds)) ms); the paper's 43 ms implies \(ClaimRendering.format(impliedAddsPerCycle, 2)) adds per cycle, which is not a whole number of adders"
            ),
            Claim(
                id: "fpga_1p3b_tokens_per_s",
                description: "1.3B model, \(bundledCores) one-adder cores at 60 MHz, batch 1, tokens/s", paper: 23.8,
                paperText: "≈23.8 tokens/s at 13 W", measured: tokensPerSecond,
                note:
                    "the sources do not give the paper's core count; at one add per core-cycle the paper's rate needs ≈\(Int(coresForPaperRate.rounded())) cores (\(opsPerToken / 1_000_000) M ternary adds per token)"
            ),
            Claim(
                id: "fpga_1p3b_joules_per_token", description: "1.3B model at 13 W, joules per token", paper: 0.55,
                paperText: "≈0.55 J/token", measured: joules, note: "13 W over our token time"),
            Claim(
                id: "fpga_memory_bound_adders",
                description: "adders at 60 MHz where a 1.3B GLU GEMV turns memory-bound at 76.8 GB/s", paper: 5000,
                paperText: "≈5,000 adders [derived]", measured: Double(adders),
                holds: nil, note: "below it the device is compute-bound, as the paper's design is"),
        ]
    }
}
