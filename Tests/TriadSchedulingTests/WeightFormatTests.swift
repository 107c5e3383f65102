import Testing
import TriadCore
import TriadDevices
@testable import TriadScheduling

/// Weight formats (docs/MODEL.md §13): what a decode step streams and what memory holds follow the format's bits.
struct WeightFormatTests {
    /// GPT3-7B's layer on one of 4 tensor-parallel ranks holds 4096 × 3072 (QKV) + 1024 × 4096 (projection) + 2 ×
    /// 4096 × 4096 (FFN) = 50,331,648 weights. At every format the weight bytes a one-token step streams through the
    /// NPU — its matrix ops' streamed bytes less their activations — are the stored bytes summed by hand: the weights
    /// at their bits, plus at 4 and 2 bits a 4-byte scale and zero per 128 weights; and the memory holds exactly that
    /// per layer (the LM head stays 16-bit).
    @Test(arguments: [ModelSpec.WeightFormat.fp16, .fp8, .int8, .int4, .int2])
    func streamedBytesAreTheStoredBytes(format: ModelSpec.WeightFormat) throws {
        var model = ModelPresets.named("gpt3-7b")!
        model.weightFormat = format
        let weights: Int64 = 4096 * 3072 + 1024 * 4096 + 2 * 4096 * 4096
        #expect(weights == 50_331_648)
        let bits = Int64(format.bits)
        let stored = weights * bits / 8 + (bits <= 4 ? weights / 128 * 4 : 0)
        let shard = ModelShard(model)
        let template = LayerTemplate(shard: shard, rows: 1)
        let npu = NPUCostModel(configuration: .neupims)
        var streamed: Int64 = 0
        var tiles: Int64 = 0
        for operation in template.beforeAttention + template.afterAttention where operation.kind.category == .matrix {
            let cost = npu.cost(of: operation)
            streamed += cost.streamedBytes - 2 * (Int64(operation.inner) + Int64(operation.columns))
            tiles += Int64(operation.inner).ceilDiv(128) * Int64(operation.columns).ceilDiv(128)
            #expect(operation.weightBits == format.bits)
        }
        // Each SRAM tile's share is rounded up to a byte.
        #expect(streamed >= stored && streamed - stored < tiles, "streamed \(streamed), stored \(stored)")
        #expect(LayerTemplate.head(shard: shard, rows: 1).allSatisfy { $0.weightBits == 16 })
        // Memory: the footprint over the layers, besides the 16-bit head, is the stored bytes per layer.
        var sized = Experiment(
            devices: try Fixtures.npuWithMemory(channelBytes: 1 << 40), model: model, workload: .fixed(input: 8, output: 8))
        sized.batch = 1
        let ledger = try Simulator(sized, policy: .npuOnly).makeLedger()!
        let footprint = (1 << 40) * Int64(MemoryConfiguration.neupimsHBM2.channels) - ledger.totalCapacityBytes
        let head = Int64(50_304 / 4) * 4096 * 2
        #expect(footprint == 32 * stored + head)
    }

    /// `--weights ternary` on a 16-bit transformer: GPT3-7B's rank layer streams its 50,331,648 weights at 2 bits
    /// (12,582,912 B, to a byte per SRAM tile) on the arrays and on LUT units alike; the head is ternary too (§13).
    @Test func ternaryWeightsStreamAtTwoBits() throws {
        var model = ModelPresets.named("gpt3-7b")!
        model.weightFormat = .ternary
        let shard = ModelShard(model)
        let template = LayerTemplate(shard: shard, rows: 1)
        var lut = NPUConfiguration.neupims
        lut.lowBitGEMM = .lookupTables
        for configuration in [NPUConfiguration.neupims, lut] {
            let npu = NPUCostModel(configuration: configuration)
            var streamed: Int64 = 0
            for operation in template.beforeAttention + template.afterAttention where operation.kind.category == .matrix {
                #expect(operation.isTernary)
                streamed += npu.cost(of: operation).streamedBytes - 2 * (Int64(operation.inner) + Int64(operation.columns))
            }
            #expect(streamed >= 12_582_912 && streamed - 12_582_912 < 4_000, "\(streamed)")
        }
        #expect(LayerTemplate.head(shard: shard, rows: 1).filter { $0.kind == .lmHead }.allSatisfy { $0.isTernary })
    }
}

/// Unstructured sparsity as Flash-LLM serves it (docs/MODEL.md §16): Tiled-CSL's 4 bytes per nonzero.
struct WeightSparsityTests {
    /// GPT3-7B's rank layer (50,331,648 weights): at 80 % sparsity 10,066,330 nonzeros × 4 B = 40,265,320 B stream per
    /// step, 0.4 of FP16's 100,663,296 (to a byte per SRAM tile); at 50 % exactly FP16's — the break-even. Sparse weights
    /// stay off the PIM even under `+fc`.
    @Test func tiledCSLBytes() throws {
        for (sparsity, expected) in [(0.8, Int64(40_265_320)), (0.5, Int64(100_663_296))] {
            var model = ModelPresets.named("gpt3-7b")!
            model.weightSparsity = WeightSparsity(sparsity: sparsity)
            let template = LayerTemplate(shard: ModelShard(model), rows: 1)
            let npu = NPUCostModel(configuration: .neupims)
            var stored: Int64 = 0
            for operation in template.beforeAttention + template.afterAttention where operation.kind.category == .matrix {
                stored += NPUConfiguration.neupims.storedWeightBytes(of: operation)
                let cost = npu.cost(of: operation)
                let weights = cost.streamedBytes - 2 * (Int64(operation.inner) + Int64(operation.columns))
                #expect(weights >= NPUConfiguration.neupims.storedWeightBytes(of: operation))
            }
            // Each matrix's nonzeros round up on their own.
            #expect(abs(stored - expected) <= 16, "\(sparsity): \(stored)")
        }
        var sparse = ModelPresets.named("gpt3-7b")!
        sparse.weightSparsity = WeightSparsity(sparsity: 0.8)
        let operation = LayerTemplate(shard: ModelShard(sparse), rows: 1).beforeAttention[1]
        let plan = try Policy(name: "neupims+fc")!.plan(for: sparse, on: try Fixtures.neupims().0)
        #expect(plan.resource(for: operation) == .npu)
        #expect(WeightSparsity("1") == nil && WeightSparsity("0.8:fast") == nil && WeightSparsity("0.8:skip")!.skipsZeros)
    }

    /// Per matrix: `ffn-up=0.8,ffn-down=0.8` prunes the FFN only — GPT3-7B's rank FFN (2 × 4096 × 4096 weights) streams
    /// ⌈16,777,216 × 0.2⌉ = 3,355,444 nonzeros × 4 B per matrix, QKV and the projection stay dense FP16; `0.5,qkv=0`
    /// prunes all but QKV to half.
    @Test func sparsityPerMatrix() throws {
        var model = ModelPresets.named("gpt3-7b")!
        model.weightSparsity = WeightSparsity("ffn-up=0.8,ffn-down=0.8:skip")
        #expect(model.weightSparsity?.skipsZeros == true)
        let template = LayerTemplate(shard: ModelShard(model), rows: 1)
        var bytes: [Operation.Kind: Int64] = [:]
        for operation in template.beforeAttention + template.afterAttention where operation.kind.category == .matrix {
            bytes[operation.kind] = NPUConfiguration.neupims.storedWeightBytes(of: operation)
        }
        #expect(bytes[.qkvProjection] == 4096 * 3072 * 2 && bytes[.outputProjection] == 1024 * 4096 * 2)
        #expect(bytes[.feedForwardUp]! + bytes[.feedForwardDown]! == 2 * 3_355_444 * 4)
        let mixed = WeightSparsity("0.5,qkv=0")!
        #expect(mixed.density(for: .qkvProjection) == 10_000 && mixed.density(for: .feedForwardDown) == 5_000)
        for bad in ["qkv=0.5,qkv=0.6", "attn=0.5", "0.5,0.6", "", "qkv=", "ffn-up=1", "lm-head=0.5"] {
            #expect(WeightSparsity(bad) == nil, "\(bad)")
        }
    }
}
