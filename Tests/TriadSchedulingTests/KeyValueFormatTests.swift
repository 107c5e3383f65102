import Testing
import TriadCore
import TriadDevices
@testable import TriadScheduling

/// KV-cache formats (docs/MODEL.md §14): bytes per token, what NPU attention streams, and where they cannot go.
struct KeyValueFormatTests {
    /// A 128-element head vector: FP16 256 bytes, FP8 128, BFP with 4-bit mantissas and an 8-bit exponent per 32
    /// elements (BFP12) (128 × 4 + 4 × 8) / 8 = 68, with 8-bit mantissas 132. GPT3-7B's rank (8 KV heads) then adds
    /// 2 × 8 × that per token per layer, and an NPU attention GEMV over 1,000 tokens streams 1,000 × 8 × that.
    @Test(arguments: [("fp16", 256), ("fp8", 128), ("bfp:32:4", 68), ("bfp:32:8", 132)])
    func bytesFollowTheFormat(name: String, vector: Int64) throws {
        let format = try #require(KeyValueFormat(name))
        #expect(format.bytes(perVectorOf: 128) == vector && format.name == name)
        var model = ModelPresets.named("gpt3-7b")!
        model.keyValueFormat = format
        let shard = ModelShard(model)
        #expect(shard.keyValueBytesPerTokenPerLayer == 2 * 8 * vector)
        let attention = LayerTemplate.attention(shard: shard, sequenceLength: 1_000)
        let cost = NPUCostModel(configuration: .neupims).attentionCost(attention.logits)
        #expect(cost.streamedBytes == 1_000 * 8 * vector)
        #expect(KeyValueFormat("bfp:1:4") == nil && KeyValueFormat("bfp:32:1") == nil && KeyValueFormat("int4") == nil)
    }

    /// Bank PIM's FP16 multipliers cannot read a compressed cache: plans with PIM attention are refused, NPU ones run.
    @Test func pimAttentionNeedsFP16() throws {
        let (devices, costs) = try Fixtures.neupims()
        var model = ModelPresets.named("gpt3-7b")!
        model.keyValueFormat = .fp8
        let experiment = Experiment(devices: devices, model: model, workload: .fixed(input: 64, output: 64))
        #expect(throws: SimulationError.self) { _ = try Simulator(experiment, policy: .neupims, costs: costs) }
        #expect(throws: Never.self) { _ = try Simulator(experiment, policy: .npuOnly, costs: costs) }
    }
}
